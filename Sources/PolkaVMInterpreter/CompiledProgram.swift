import PolkaVMProgram

/// How a module is compiled for the interpreter.
public struct InterpreterOptions: Sendable, Hashable {
    /// Whether gas is metered (charged per basic block).
    public var gasMetering: Bool
    /// The cost model for block costs.
    public var costModel: GasCostModel
    /// Guest-observable behaviour knobs.
    public var semantics: ExecutionSemantics
    /// Whether execution stops with ``Interrupt/step`` before every instruction.
    public var stepTracing: Bool
    /// How ops are dispatched.
    public var dispatch: InterpreterDispatch
    /// Asynchronous metering: running out of gas still deducts the block's cost (gas goes negative) and
    /// ends the run for good, with no program counter to resume at (upstream's `Async` mode).
    public var asynchronousGas: Bool

    /// Creates options.
    public init(gasMetering: Bool, costModel: GasCostModel, semantics: ExecutionSemantics, stepTracing: Bool = false,
                dispatch: InterpreterDispatch = .automatic, asynchronousGas: Bool = false) {
        self.asynchronousGas = asynchronousGas
        self.gasMetering = gasMetering
        self.costModel = costModel
        self.semantics = semantics
        self.stepTracing = stepTracing
        self.dispatch = stepTracing ? .trampoline : dispatch
    }
}

/// How the interpreter dispatches from one op to the next.
public enum InterpreterDispatch: Sendable, Hashable {
    /// Tail-call threading: each handler jumps straight to the next op's handler. The fastest mode;
    /// it relies on the optimizer turning those calls into jumps, so it is the default only in optimized builds.
    case threaded
    /// A loop that calls one handler per op: safe in every build configuration.
    case trampoline

    /// Threaded in optimized builds, trampoline in debug builds (where calls are not turned into jumps).
    public static var automatic: InterpreterDispatch {
        _isDebugAssertConfiguration() ? .trampoline : .threaded
    }
}

/// A program pre-decoded for the interpreter: every reachable instruction becomes a fixed-size op in
/// one flat array, in code order, with a gas charge at the start of every basic block and every jump
/// and branch target resolved to the target op's address. Built once per module in a single O(n)
/// pass; immutable and shared by all instances.
public final class CompiledProgram: @unchecked Sendable {
    /// The decoded code.
    public let code: ProgramCode
    /// The options it was compiled with.
    public let options: InterpreterOptions
    /// Whether the code passed whole-program validation.
    public let isWholeProgramValid: Bool
    let ops: UnsafeMutablePointer<Op>
    /// The number of ops.
    public let opCount: Int
    /// The ops before this index are in code order (the synthetic trap blocks come after them).
    let orderedOpCount: Int
    /// Indexed by `dynamic address / 2`: the op of the jump-table entry's block, or nil.
    let dynamicTargets: UnsafeMutablePointer<UnsafePointer<Op>?>
    let dynamicTargetCount: Int

    /// Compiles `code`.
    public init(code: ProgramCode, options: InterpreterOptions) {
        self.code = code
        self.options = options
        var compiler = Compiler(code: code, options: options)
        compiler.run()
        self.isWholeProgramValid = compiler.isWholeProgramValid
        var buffer = compiler.ops
        let count = buffer.count
        let ops = buffer.finish()
        // Static targets become op addresses now that the array has its final place.
        for i in 0..<count where ops[i].kind.hasStaticTarget {
            ops[i].aux = UInt64(UInt(bitPattern: ops + Int(ops[i].aux)))
        }
        if options.dispatch == .threaded {
            // Fused groups and the variants that take carried values (`HandlerTables`).
            HandlerTables.assignThreadedHandlers(ops, count: count)
        } else {
            for i in 0..<count { ops[i].handler = ops[i].kind.trampolineHandler }
        }
        self.ops = ops
        self.opCount = count
        self.orderedOpCount = compiler.orderedOpCount
        let slots = code.jumpTable.count + 1
        let dyn = UnsafeMutablePointer<UnsafePointer<Op>?>.allocate(capacity: slots)
        dyn[0] = nil
        code.withDecoder { decoder in
            for (i, pc) in code.jumpTable.enumerated() {
                let index = decoder.isJumpTargetValid(Int(pc)) ? compiler.blockOp(at: pc) : -1
                dyn[i + 1] = index >= 0 ? UnsafePointer(ops + index) : nil
            }
        }
        self.dynamicTargets = dyn
        self.dynamicTargetCount = slots
    }

    deinit {
        OpBuffer.release(ops)
        dynamicTargets.deallocate()
    }

    /// The slots a dynamic jump may use: all of them, capped below the halt address's slot
    /// (0xFFFF0000 / 2), so that the handlers' single bounds check on `rotr32(address, 1)` also rejects
    /// odd addresses (slot at least 2^31) and leaves the halt address to their slow path. Only a jump
    /// table of about 2^31 entries (16 GiB of slots; blobs allow 2^24) could reach the cap.
    var dispatchableSlotCount: UInt32 { UInt32(Swift.min(dynamicTargetCount, 0x7FFF_8000)) }

    /// Approximate bytes of host memory used by the compiled form.
    public var compiledByteCount: Int { opCount * MemoryLayout<Op>.stride + dynamicTargetCount * MemoryLayout<UnsafePointer<Op>?>.stride }

    /// The op index of the `chargeGas` op at `pc` (a block start; with per-instruction gas, any
    /// instruction start), if there is one.
    func blockOpIndex(startingAt pc: UInt32) -> Int? {
        var lo = 0, hi = orderedOpCount
        while lo < hi {
            let mid = (lo + hi) / 2
            if ops[mid].pc < pc { lo = mid + 1 } else { hi = mid }
        }
        while lo < orderedOpCount && ops[lo].pc == pc {
            if ops[lo].kind == .chargeGas { return lo }
            lo += 1
        }
        return nil
    }

    /// The index of the first op after `blockIndex` whose pc is at least `pc` (host entry mid-block).
    func opIndex(forEntry pc: UInt32, inBlockAt blockIndex: Int) -> Int {
        var i = blockIndex + 1
        while i < opCount && ops[i].pc < pc && ops[i].kind != .chargeGas { i += 1 }
        return i
    }

    /// The gas cost stored for the block whose charge op is at `index`.
    func blockCost(at index: Int) -> UInt32 { UInt32(truncatingIfNeeded: ops[index].aux) }
}

/// The single pass that turns decoded instructions into ops.
private struct Compiler {
    let code: ProgramCode
    let options: InterpreterOptions
    var ops: OpBuffer
    /// Which code offsets start a block (one bit per offset, up to and including the end of the code)...
    var blockStartBits: [UInt64]
    /// ...the index of each block's chargeGas op, in pc order...
    var blockOps: [Int32] = []
    /// ...and, per word of `blockStartBits`, how many blocks start before it: a rank directory, so that
    /// ``blockOp(at:)`` is O(1) with about 0.2 bytes per code byte. Built by ``run()`` once every block
    /// is known. Transient: only used while compiling.
    var blocksBeforeWord: [UInt32] = []
    var fixups: [(op: Int, pc: UInt32)] = []
    var trapsForInvalidTargets: [(op: Int, pc: UInt32)] = []
    /// The instructions of the block being compiled, kept only when its cost needs them (the full cost model).
    var currentBlock: [DecodedInstruction] = []
    /// The number of instructions of the block being compiled (the simple model's cost).
    var currentBlockLength: UInt32 = 0
    /// Whether block costs need the block's instructions (metered with the full cost model, per block).
    let costNeedsInstructions: Bool
    var currentGasOp = -1
    var orderedOpCount = 0
    /// ``ProgramCode/isWholeProgramValid``, found along the way: the compile loop visits the instructions
    /// of the linear walk from offset 0 in the same order as that walk, as long as it is unbroken.
    var isWholeProgramValid = false

    init(code: ProgramCode, options: InterpreterOptions) {
        self.code = code
        self.options = options
        if case .full = options.costModel, options.gasMetering, options.semantics.gasGranularity != .instruction {
            costNeedsInstructions = true
        } else {
            costNeedsInstructions = false
        }
        // One op per instruction and one per block (a block ends at a terminator), plus one per
        // instruction for per-instruction gas; the rare extra ops (gaps, invalid targets) grow the buffer.
        // Sizing it right up front matters more than the CPU time: C allocators serve large blocks from
        // fresh pages, and every page first touched costs a fault; and a block of exactly the size the
        // last compilation of the program freed is reused, where a larger one would map fresh pages.
        let census = code.instructionCensus()
        let perInstruction = options.semantics.gasGranularity == .instruction ? census.instructions : 0
        ops = OpBuffer(capacity: census.instructions + census.terminators + perInstruction + 2)
        blockOps.reserveCapacity(census.terminators + 2)
        blockStartBits = [UInt64](repeating: 0, count: (code.count + 1) / 64 + 1)
    }

    /// The index of the chargeGas op of the block starting at `pc`, or -1 if no block starts there.
    func blockOp(at pc: UInt32) -> Int {
        let word = Int(pc >> 6), bit = UInt64(1) << UInt64(pc & 63)
        guard word < blockStartBits.count, blockStartBits[word] & bit != 0 else { return -1 }
        let rank = Int(blocksBeforeWord[word]) + (blockStartBits[word] & (bit &- 1)).nonzeroBitCount
        return Int(blockOps[rank])
    }

    mutating func beginBlock(at pc: UInt32) {
        currentGasOp = ops.count
        blockStartBits[Int(pc >> 6)] |= 1 << UInt64(pc & 63)
        blockOps.append(Int32(truncatingIfNeeded: ops.count))
        ops.append(Op(.chargeGas, pc: pc))
        if costNeedsInstructions { currentBlock.removeAll(keepingCapacity: true) }
        currentBlockLength = 0
    }

    mutating func endBlock() {
        guard currentGasOp >= 0 else { return }
        if options.gasMetering {
            let cost = perInstructionGas ? 1
                : costNeedsInstructions ? code.gasCost(ofBlock: currentBlock, model: options.costModel) : currentBlockLength
            ops[currentGasOp].aux = UInt64(cost)
        }
        currentGasOp = -1
    }

    /// Counts an instruction of the current block (and keeps it when the cost model needs it).
    @inline(__always) mutating func appendToBlock(_ instruction: DecodedInstruction) {
        currentBlockLength &+= 1
        if costNeedsInstructions { currentBlock.append(instruction) }
    }

    /// Whether every instruction is charged on its own (the block's chargeGas op then covers only its first instruction).
    var perInstructionGas: Bool { options.semantics.gasGranularity == .instruction }

    /// Per-instruction gas: a one-unit charge before an instruction that does not start a block.
    mutating func chargeInstruction(at pc: UInt32) {
        if perInstructionGas { ops.append(Op(.chargeGas, pc: pc, aux: options.gasMetering ? 1 : 0)) }
    }

    /// A block made only of the implicit `invalid` at `pc` (reached by falling off the code or into a gap).
    mutating func emitImplicitInvalidBlock(at pc: UInt32) {
        beginBlock(at: pc)
        appendToBlock(code.instruction(at: Int(pc)))
        ops.append(Op(.trap, pc: pc))
        endBlock()
    }

    mutating func run() {
        code.withDecoder { decoder in compileInstructions(decoder) }
        var blocks: UInt32 = 0
        blocksBeforeWord = blockStartBits.map { word in
            defer { blocks &+= UInt32(word.nonzeroBitCount) }
            return blocks
        }
        // Resolve static targets; invalid ones get a trap op reporting the branch's own pc.
        for (opIndex, target) in fixups {
            // A valid target always starts a block (the loop starts one after every terminator); should
            // one ever not, the transfer traps like one to an invalid target rather than jumping anywhere.
            let index = blockOp(at: target)
            if index >= 0 {
                ops[opIndex].aux = UInt64(index)
            } else {
                trapsForInvalidTargets.append((opIndex, ops[opIndex].pc))
            }
        }
        orderedOpCount = ops.count
        // Every control transfer enters a block through its chargeGas op, so an invalid target gets a
        // free (cost 0) block holding just the trap.
        for (opIndex, pc) in trapsForInvalidTargets {
            ops[opIndex].aux = UInt64(ops.count)
            ops.append(Op(.chargeGas, pc: pc))
            ops.append(Op(.trap, pc: pc))
        }
    }

    /// The pass over the code: decodes every instruction start in order and emits its ops, starting
    /// and ending blocks.
    mutating func compileInstructions(_ decoder: InstructionDecoder) {
        var inBlock = false
        var previousStart = -1
        var previousEndsBlock = false
        var pc = 0
        let n = code.count
        var knownStart = false // pc is the previous instruction's end and already known to start one
        // Whether the linear walk from offset 0 (whole-program validation) is still being followed.
        var onLinearWalk = n > 0 && decoder.isInstructionStart(0)
        while pc < n {
            if !knownStart && !decoder.isInstructionStart(pc) {
                pc += 1
                continue
            }
            let startsBlock = pc == 0 || (previousStart >= 0 && pc - previousStart <= ProgramCode.maximumSkip + 1 && previousEndsBlock)
            let decoded = decoder.decode(at: pc)
            let nextIsStart = decoder.isInstructionStart(Int(decoded.nextPC))
            if onLinearWalk {
                // The walk fails at an undefined opcode, and ends where the next offset starts no
                // instruction: valid if what it ends on cannot fall through.
                let opcode = decoded.instruction.opcode
                if opcode == .invalid {
                    onLinearWalk = false
                } else if !nextIsStart || Int(decoded.nextPC) <= pc {
                    isWholeProgramValid = !opcode.canFallThrough
                    onLinearWalk = false
                }
            }
            previousStart = pc
            previousEndsBlock = decoded.instruction.opcode.endsBlock
            if startsBlock {
                endBlock()
                beginBlock(at: UInt32(pc))
                inBlock = true
            }
            if inBlock {
                if !startsBlock { chargeInstruction(at: UInt32(pc)) }
                appendToBlock(decoded)
                emit(decoded, decoder)
                let op = decoded.instruction.opcode
                let next = Int(decoded.nextPC)
                if op.endsBlock {
                    endBlock()
                    inBlock = false
                    if op.canFallThrough && !nextIsStart {
                        emitImplicitInvalidBlock(at: UInt32(truncatingIfNeeded: next))
                    }
                } else if !nextIsStart {
                    // Running off the end of the code or into a gap: an implicit `invalid` ends this block.
                    let implicit = code.instruction(at: next)
                    appendToBlock(implicit)
                    chargeInstruction(at: implicit.pc)
                    ops.append(Op(.trap, pc: implicit.pc))
                    endBlock()
                    inBlock = false
                }
            }
            // The next instruction start is usually where this instruction's arguments end; only a
            // gap (or the end) needs the byte-by-byte scan.
            let next = Int(decoded.nextPC)
            knownStart = next > pc && nextIsStart
            pc = knownStart ? next : pc + 1
        }
        endBlock()
    }

    mutating func jumpTo(_ opIndex: Int, _ target: UInt32) {
        fixups.append((opIndex, target))
    }

    mutating func emit(_ decoded: DecodedInstruction, _ decoder: InstructionDecoder) {
        let i = decoded.instruction
        let pc = decoded.pc
        let op = i.opcode
        let is64 = code.isa.is64Bit
        switch decoder.operandKind(of: op) {
        case .argless:
            switch op {
            case .trap, .invalid:
                ops.append(Op(.trap, pc: pc))
            case .fallthrough:
                if Int(decoded.nextPC) >= code.count && options.semantics.fallthroughOffEnd == .trapAtFallthrough {
                    ops.append(Op(.trap, pc: pc))
                } else {
                    ops.append(Op(.fallthrough, pc: pc))
                }
            case .unlikely:
                if options.stepTracing { ops.append(Op(.nop, pc: pc)) }
            case .memset:
                ops.append(Op(.memset, pc: pc))
            default:
                ops.append(Op(.trap, pc: pc))
            }
        case .imm:
            ops.append(Op(.ecalli, pc: pc, imm: i.imm1 & 0xFFFF_FFFF))
        case .offset:
            if decoder.isJumpTargetValid(Int(i.target)) {
                jumpTo(ops.count, i.target)
                ops.append(Op(.jump, pc: pc))
            } else {
                ops.append(Op(.trap, pc: pc))
            }
        case .regImm:
            let kind = OpKind(rawValue: op.rawValue)!
            switch op {
            case .jumpIndirect:
                ops.append(Op(kind, pc: pc, a: i.regA, imm: i.imm1))
            case .storeU8, .storeU16, .storeU32, .storeU64:
                ops.append(Op(kind, pc: pc, a: i.regA, imm: i.imm1))
            default:
                ops.append(Op(kind, pc: pc, d: i.regA, imm: i.imm1))
            }
        case .regImm64:
            ops.append(Op(.loadImm64, pc: pc, d: i.regA, imm: i.imm1))
        case .immImm:
            ops.append(Op(OpKind(rawValue: op.rawValue)!, pc: pc, imm: i.imm1, aux: i.imm2))
        case .regImmImm:
            ops.append(Op(OpKind(rawValue: op.rawValue)!, pc: pc, b: i.regA, imm: i.imm1, aux: i.imm2))
        case .regImmOffset:
            if op == .loadImmAndJump {
                if decoder.isJumpTargetValid(Int(i.target)) {
                    jumpTo(ops.count, i.target)
                    ops.append(Op(.loadImmAndJump, pc: pc, d: i.regA, imm: i.imm1))
                } else {
                    ops.append(Op(.loadImm, pc: pc, d: i.regA, imm: i.imm1))
                    ops.append(Op(.trap, pc: pc))
                }
            } else {
                emitBranch(OpKind(rawValue: op.rawValue)!, decoded, decoder, a: i.regA, imm: i.imm1)
            }
        case .regRegOffset:
            emitBranch(OpKind(rawValue: op.rawValue)!, decoded, decoder, a: i.regA, b: i.regB)
        case .regRegImm:
            let kind = OpKind(rawValue: op.rawValue)!
            switch op {
            case .storeIndirectU8, .storeIndirectU16, .storeIndirectU32, .storeIndirectU64:
                ops.append(Op(kind, pc: pc, a: i.regA, b: i.regB, imm: i.imm1))
            default:
                ops.append(Op(kind, pc: pc, d: i.regA, a: i.regB, imm: i.imm1))
            }
        case .regRegImmImm:
            ops.append(Op(.loadImmAndJumpIndirect, pc: pc, d: i.regA, a: i.regB, imm: i.imm1, aux: i.imm2))
        case .regRegReg:
            var kind = OpKind(rawValue: op.rawValue)!
            if !is64 {
                switch op {
                case .mulUpperSignedSigned: kind = .mulUpperSignedSigned32
                case .mulUpperUnsignedUnsigned: kind = .mulUpperUnsignedUnsigned32
                case .mulUpperSignedUnsigned: kind = .mulUpperSignedUnsigned32
                default: break
                }
            }
            ops.append(Op(kind, pc: pc, d: i.regD, a: i.regA, b: i.regB))
        case .regReg:
            var kind = OpKind(rawValue: op.rawValue)!
            if !is64 && op == .reverseByte { kind = .reverseByte32 }
            ops.append(Op(kind, pc: pc, d: i.regA, a: i.regB))
        }
    }

    mutating func emitBranch(_ kind: OpKind, _ decoded: DecodedInstruction, _ decoder: InstructionDecoder,
                             a: UInt8, b: UInt8 = 0, imm: UInt64 = 0) {
        let target = decoded.instruction.target
        let targetValid = decoder.isJumpTargetValid(Int(target))
        // The fall-through starts an instruction right after this terminator: a valid target exactly when an
        // instruction starts there (``InstructionDecoder/isJumpTargetValid(_:)`` with the branch as the
        // instruction before it).
        let fallValid = decoder.isInstructionStart(Int(decoded.nextPC))
        if options.semantics.branchChecksBothEdges && !(targetValid && fallValid) {
            ops.append(Op(.trap, pc: decoded.pc))
            return
        }
        if targetValid {
            jumpTo(ops.count, target)
        } else {
            trapsForInvalidTargets.append((ops.count, decoded.pc))
        }
        ops.append(Op(kind, pc: decoded.pc, a: a, b: b, imm: imm))
    }
}
