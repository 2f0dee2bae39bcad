import PolkaVMProgram


/// An instruction handler: executes the op at `ip` and either continues (tail-calling the next op's
/// handler, or returning ``LoopExit/proceed`` to a trampoline) or leaves with another ``LoopExit``.
/// Arguments: the op, the register file (with the ``RunContext`` just before it, see `context(_:)`, and
/// the page tables at a fixed distance after it, see `pageTables(_:)`), the gas counter, and the two
/// carried values: the results of the ops that ran one and two ops before (when those ops write a
/// register), which a threaded handler chosen for that (see `OpKind.threadedHandler(a:b:)`) reads instead
/// of reloading them from the register file. Whoever enters a handler from the host passes those values
/// from the register file (`InterpreterInstance.execute()`).
typealias Handler = @convention(thin) (UnsafePointer<Op>, UnsafeMutablePointer<UInt64>, Int64, UInt64, UInt64) -> UInt64

/// Per-run state that handlers reach through the register file pointer (it sits just before the registers,
/// so it costs no argument): where execution stands when a handler leaves, and the dynamic jump table.
struct RunContext {
    /// The current op (written when a handler leaves).
    var ip: UnsafePointer<Op>
    /// The gas counter (written when a handler leaves).
    var gas: Int64
    /// Indexed by `dynamic address / 2`: the op of a jump-table entry's block, or nil.
    let dynamic: UnsafePointer<UnsafePointer<Op>?>
    /// The number of slots of `dynamic` a jump may use (``CompiledProgram/dispatchableSlotCount``).
    let dynamicCount: UInt32
}

/// The slots of the per-instance block that holds the ``RunContext`` and then the register file.
let runContextSlots = 4
/// The register slots after the context (13 registers; 16 so that any 4-bit index stays in the block).
let registerSlots = 16

/// The bytes of an instance's run block: the run context, then the registers, then unused space up to
/// the page tables. The block is the first page of the page-table mapping (``PageTables``), so a handler
/// reaches the tables from the register pointer and needs no argument (and no host register) for them.
let runBlockBytes = 4096

/// The page tables (``PageTableView``: read table, then write table) of the register file `r`.
@inline(__always) func pageTables(_ r: UnsafeMutablePointer<UInt64>) -> PageTables.Base {
    UnsafeMutableRawPointer(r).advanced(by: runBlockBytes - runContextSlots * 8).assumingMemoryBound(to: UInt.self)
}

/// The run context of the register file `r` (in the same block, just before the registers).
@inline(__always) func context(_ r: UnsafeMutablePointer<UInt64>) -> UnsafeMutablePointer<RunContext> {
    UnsafeMutableRawPointer(r - runContextSlots).assumingMemoryBound(to: RunContext.self)
}

/// One pre-decoded instruction: 32 bytes with its handler, operands and resolved branch target.
///
/// Field use: `d` destination register, `a`/`b` source registers (for stores `a` is the value and `b`
/// the base), `imm` the (sign-extended) immediate, `aux` a second value: the target op's address for
/// jumps and branches, the stored value of `store_imm*`, the offset of `load_imm_and_jump_indirect`, or
/// the block cost of `chargeGas`; `pc` the guest code offset reported on interrupts.
struct Op {
    var handler: Handler
    var aux: UInt64
    var imm: UInt64
    var pc: UInt32
    var kind: OpKind
    var d: UInt8
    var a: UInt8
    var b: UInt8
}

extension Op {
    /// An op as the compiler first writes it: the handler is a placeholder until the whole program is
    /// compiled (`CompiledProgram` then picks the real one), and `aux` holds the target op's *index*
    /// for kinds with a static target (``hasStaticTarget``) until the op array's final address is known.
    init(_ kind: OpKind, pc: UInt32, d: UInt8 = 0, a: UInt8 = 0, b: UInt8 = 0, imm: UInt64 = 0, aux: UInt64 = 0) {
        self.init(handler: OpKind.trap.trampolineHandler, aux: aux, imm: imm, pc: pc, kind: kind, d: d, a: a, b: b)
    }
}

extension OpKind {
    /// Whether an op of this kind has a static target (an op index while compiling, an op address after).
    var hasStaticTarget: Bool {
        switch self {
        case .jump, .loadImmAndJump, .branchEq, .branchNotEq, .branchLessUnsigned, .branchLessSigned,
             .branchGreaterOrEqualUnsigned, .branchGreaterOrEqualSigned, .branchEqImm, .branchNotEqImm,
             .branchLessUnsignedImm, .branchLessOrEqualUnsignedImm, .branchGreaterOrEqualUnsignedImm,
             .branchGreaterUnsignedImm, .branchLessSignedImm, .branchLessOrEqualSignedImm,
             .branchGreaterOrEqualSignedImm, .branchGreaterSignedImm:
            return true
        default:
            return false
        }
    }
}
