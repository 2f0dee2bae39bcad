/// The four PolkaVM instruction sets. The raw value is the version byte of a `.polkavm` blob.
///
/// The set decides both the opcode numbering and the register width: only ``latest32`` has 32-bit
/// registers. See docs/SPEC.md, "Instruction sets".
public enum InstructionSetKind: UInt8, CaseIterable, Sendable, Hashable, CustomStringConvertible {
    /// 64-bit, without `memset`, `unlikely` and `sbrk` (upstream's pallet-revive set).
    case reviveV1 = 0
    /// 32-bit registers; the 32-bit subset of the opcodes plus `memset`, `unlikely` and `sbrk`.
    case latest32 = 1
    /// 64-bit; every opcode.
    case latest64 = 2
    /// 64-bit, Gray Paper 0.8.0 numbering (`unlikely` = 2, no `memset`/`sbrk`, bit operations at 101...110).
    case jamV1 = 3

    /// Whether registers are 64 bits wide.
    public var is64Bit: Bool { self != .latest32 }

    /// The short name used on the command line (`revive`, `latest32`, `latest64`, `jam`).
    public var description: String {
        switch self {
        case .reviveV1: return "revive"
        case .latest32: return "latest32"
        case .latest64: return "latest64"
        case .jamV1: return "jam"
        }
    }

    /// Parses a command-line or vector name: `revive`/`revive_v1`, `latest32`, `latest64`, `jam`/`jam_v1`.
    public init?(name: String) {
        switch String(name.lowercased().map { $0 == "-" ? "_" : $0 }) {
        case "revive", "revive_v1", "revivev1": self = .reviveV1
        case "latest32": self = .latest32
        case "latest64": self = .latest64
        case "jam", "jam_v1", "jamv1": self = .jamV1
        default: return nil
        }
    }

    /// The opcode that `byte` denotes in this set (``Opcode/invalid`` when undefined).
    @inline(__always)
    public func opcode(forByte byte: UInt8) -> Opcode {
        decodeTable[Int(byte)]
    }

    /// The byte that encodes `opcode` in this set, or `nil` if the set lacks it.
    public func byte(for opcode: Opcode) -> UInt8? {
        if opcode == .invalid { return nil }
        return encodeTable[Int(opcode.rawValue)]
    }

    /// Whether the set defines `opcode`.
    public func contains(_ opcode: Opcode) -> Bool { byte(for: opcode) != nil }

    var decodeTable: [Opcode] {
        switch self {
        case .reviveV1: return Self.reviveV1DecodeTable
        case .latest32: return Self.latest32DecodeTable
        case .latest64: return Self.latest64DecodeTable
        case .jamV1: return Self.jamV1DecodeTable
        }
    }

    var encodeTable: [UInt8?] {
        switch self {
        case .reviveV1: return Self.reviveV1EncodeTable
        case .latest32: return Self.latest32EncodeTable
        case .latest64: return Self.latest64EncodeTable
        case .jamV1: return Self.jamV1EncodeTable
        }
    }
}

/// How an instruction's operands are encoded after its opcode byte (docs/SPEC.md, "Operand encodings").
public enum OperandKind: Sendable, Hashable {
    /// No operands.
    case argless
    /// One immediate.
    case imm
    /// One PC-relative offset.
    case offset
    /// One register and one immediate.
    case regImm
    /// One register and an 8-byte immediate.
    case regImm64
    /// One register and two immediates.
    case regImmImm
    /// One register, one immediate and one PC-relative offset.
    case regImmOffset
    /// Two registers and one immediate.
    case regRegImm
    /// Two registers and one PC-relative offset.
    case regRegOffset
    /// Three registers.
    case regRegReg
    /// Two registers.
    case regReg
    /// Two immediates.
    case immImm
    /// Two registers and two immediates.
    case regRegImmImm

    /// The operand kind of every opcode, indexed by ``Opcode`` raw value (``argless`` for unused values).
    static let byOpcode: [OperandKind] = (0...255).map { Opcode(rawValue: UInt8($0))?.operandKind ?? .argless }
}

extension Opcode {
    /// Whether execution can continue to the following instruction (false for `trap`, `jump`,
    /// `jump_indirect`, `load_imm_and_jump`, `load_imm_and_jump_indirect` and `invalid`).
    public var canFallThrough: Bool {
        switch self {
        case .trap, .jump, .jumpIndirect, .loadImmAndJump, .loadImmAndJumpIndirect, .invalid: return false
        default: return true
        }
    }

    /// Whether the instruction ends a basic block for gas purposes (terminators and `invalid`).
    public var endsBlock: Bool { isTerminator || self == .invalid }

    /// Whether this is one of the 16 conditional branches.
    public var isBranch: Bool {
        switch operandKind {
        case .regRegOffset: return true
        case .regImmOffset: return self != .loadImmAndJump
        default: return false
        }
    }
}
