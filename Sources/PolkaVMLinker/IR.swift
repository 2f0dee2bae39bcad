import PolkaVMProgram

/// An address the final program needs, before the layout is known.
indirect enum AddressRef: Hashable {
    /// A data location (section, offset).
    case data(Location)
    /// The start of a code block; as a value it is its jump-table address `2 * (index + 1)`.
    case code(Int)
    /// A fixed value.
    case absolute(UInt64)
    /// The synthetic GOT slot holding the given address.
    case got(AddressRef)
}

/// Which part of an address an immediate takes.
enum AddressPart: Hashable {
    case full, hi20, lo12
}

/// A symbolic immediate resolved after layout.
enum SymbolicValue: Hashable {
    case address(AddressRef, AddressPart)
    case heapBase
    /// The address of register spill slot `n` (in `.regspill`, at the start of RW data).
    case regspill(Int)
    /// The `ecalli` number of the import whose metadata sits at the location.
    case importIndex(Location)
}

/// A PolkaVM instruction whose jump target and immediates may still be symbolic.
struct IROp {
    var instruction: Instruction
    /// The block this jump/branch/`load_imm_and_jump` goes to.
    var target: Int?
    var imm1: SymbolicValue?
    var imm2: SymbolicValue?
    /// The offset (in the block's section) of the RISC-V instruction this op was translated from (debug info).
    var source: Int?

    init(_ instruction: Instruction, target: Int? = nil, imm1: SymbolicValue? = nil, imm2: SymbolicValue? = nil, source: Int? = nil) {
        self.instruction = instruction
        self.target = target
        self.imm1 = imm1
        self.imm2 = imm2
        self.source = source
    }
}

/// A translated block.
struct IRBlock {
    var ops: [IROp] = []
    /// Whether the last op ends the block (otherwise it falls through into the next block).
    var hasTerminator = false
    /// Blocks reachable by control flow (branch/jump/call targets, fall-through/return successor).
    var successors: [Int] = []
    /// Everything the block's immediates refer to.
    var references: [SymbolicValue] = []
    /// Whether a register spill slot is used.
    var usesRegspill = false
}
