/// A decoded instruction. Which fields are meaningful depends on ``Opcode/operandKind``:
///
/// | operand kind | fields |
/// |---|---|
/// | `imm` | `imm1` |
/// | `offset` | `target` |
/// | `regImm`, `regImm64` | `regA`, `imm1` |
/// | `regImmImm` | `regA`, `imm1`, `imm2` |
/// | `regImmOffset` | `regA`, `imm1`, `target` |
/// | `regRegImm` | `regA`, `regB`, `imm1` |
/// | `regRegOffset` | `regA`, `regB`, `target` |
/// | `regRegReg` | `regD` (destination), `regA` (first source), `regB` (second source) |
/// | `regReg` | `regA` (destination), `regB` (source) |
/// | `immImm` | `imm1`, `imm2` |
/// | `regRegImmImm` | `regA`, `regB`, `imm1`, `imm2` |
///
/// Immediates are stored sign-extended from 32 to 64 bits (`regImm64` holds all 64 bits); targets are
/// absolute code offsets, already wrapped to 32 bits.
public struct Instruction: Hashable, Sendable {
    /// The instruction.
    public var opcode: Opcode
    /// The first register field (low nibble of the first operand byte).
    public var regA: UInt8
    /// The second register field (high nibble of the first operand byte).
    public var regB: UInt8
    /// The destination of a three-register instruction.
    public var regD: UInt8
    /// The first immediate.
    public var imm1: UInt64
    /// The second immediate.
    public var imm2: UInt64
    /// The absolute target of a jump or branch.
    public var target: UInt32

    /// Creates an instruction; unused fields default to zero.
    @inlinable
    public init(
        _ opcode: Opcode, regA: UInt8 = 0, regB: UInt8 = 0, regD: UInt8 = 0,
        imm1: UInt64 = 0, imm2: UInt64 = 0, target: UInt32 = 0
    ) {
        self.opcode = opcode
        self.regA = regA
        self.regB = regB
        self.regD = regD
        self.imm1 = imm1
        self.imm2 = imm2
        self.target = target
    }

    /// Sign-extends a 32-bit immediate to the 64-bit form stored in ``imm1``/``imm2``.
    @inlinable @inline(__always)
    public static func immediate(_ value: Int32) -> UInt64 {
        UInt64(bitPattern: Int64(value))
    }

    /// The register this instruction writes, if any (loads, ALU results, `load_imm*`, `sbrk`).
    public var destinationRegister: UInt8? {
        switch opcode.operandKind {
        case .regRegReg: return regD
        case .regReg: return regA
        case .regImm64: return regA
        case .regImm:
            switch opcode {
            case .loadImm, .loadU8, .loadI8, .loadU16, .loadI16, .loadU32, .loadI32, .loadU64: return regA
            default: return nil
            }
        case .regRegImm:
            switch opcode {
            case .storeIndirectU8, .storeIndirectU16, .storeIndirectU32, .storeIndirectU64: return nil
            default: return regA
            }
        case .regImmOffset: return opcode == .loadImmAndJump ? regA : nil
        case .regRegImmImm: return regA
        default: return nil
        }
    }
}

/// A decoded instruction together with where it sits in the code.
public struct DecodedInstruction: Hashable, Sendable {
    /// The instruction.
    public var instruction: Instruction
    /// Its code offset.
    public var pc: UInt32
    /// The offset where the following instruction is expected (`pc + 1 + skip`).
    public var nextPC: UInt32

    /// Creates a record.
    @inlinable
    public init(instruction: Instruction, pc: UInt32, nextPC: UInt32) {
        self.instruction = instruction
        self.pc = pc
        self.nextPC = nextPC
    }

    /// The encoded length in bytes (`1 + skip`).
    public var length: Int { Int(nextPC - pc) }
}
