/// A decoded RISC-V instruction (RV32/RV64 I, M, A, C, Zbb, XTheadCondMov and the PolkaVM custom-0
/// instructions). Compressed instructions decode to their base equivalents. Registers are `x0...x31`.
public enum RISCVInstruction: Sendable, Hashable {
    /// `lui rd, imm` (`value` is the final, already shifted and sign-extended 32-bit value).
    case lui(rd: UInt8, value: Int32)
    /// `auipc rd, imm` (`value` = imm << 12).
    case auipc(rd: UInt8, value: Int32)
    /// `jal rd, offset` (PC-relative).
    case jal(rd: UInt8, offset: Int32)
    /// `jalr rd, offset(rs1)`.
    case jalr(rd: UInt8, rs1: UInt8, offset: Int32)
    /// A conditional branch (PC-relative).
    case branch(RISCVBranchKind, rs1: UInt8, rs2: UInt8, offset: Int32)
    /// A load `rd = mem[rs1 + offset]`.
    case load(RISCVLoadKind, rd: UInt8, base: UInt8, offset: Int32)
    /// A store `mem[base + offset] = src`.
    case store(RISCVStoreKind, src: UInt8, base: UInt8, offset: Int32)
    /// A register-immediate ALU operation.
    case aluImm(RISCVImmOp, rd: UInt8, rs1: UInt8, imm: Int32)
    /// A register-register ALU operation (I, M and Zbb).
    case alu(RISCVRegOp, rd: UInt8, rs1: UInt8, rs2: UInt8)
    /// A one-operand Zbb operation.
    case unary(RISCVUnaryOp, rd: UInt8, rs1: UInt8)
    /// An A-extension instruction (`lr`, `sc`, `amo*`); `doubleword` for `.d`.
    case atomic(RISCVAtomicOp, doubleword: Bool, rd: UInt8, rs1: UInt8, rs2: UInt8)
    /// XTheadCondMov: `th.mveqz rd, src, cond` (`ifZero`) / `th.mvnez`.
    case cmov(ifZero: Bool, rd: UInt8, src: UInt8, cond: UInt8)
    /// MIPS-style `ccmov rd, srcTrue, cond, srcFalse`: `rd = cond != 0 ? srcTrue : srcFalse`.
    case selectCmov(rd: UInt8, srcTrue: UInt8, cond: UInt8, srcFalse: UInt8)
    /// `fence` / `fence.i`.
    case fence
    /// `ecall`.
    case ecall
    /// `ebreak`.
    case ebreak
    /// `unimp` (and the all-zero compressed instruction).
    case unimp
    /// PolkaVM import call site `0x0000000B`; a pointer-sized metadata slot follows.
    case polkavmImport
    /// PolkaVM `sbrk rd, rs1`.
    case polkavmSbrk(rd: UInt8, size: UInt8)
    /// PolkaVM `memset` (operands in a0, a1, a2).
    case polkavmMemset
    /// PolkaVM `heap_base rd`.
    case polkavmHeapBase(rd: UInt8)
}

/// Conditional branch kinds.
public enum RISCVBranchKind: Sendable, Hashable, CaseIterable {
    case eq, ne, lt, ge, ltu, geu
}

/// Load kinds.
public enum RISCVLoadKind: Sendable, Hashable, CaseIterable {
    case lb, lh, lw, ld, lbu, lhu, lwu
    /// The access size in bytes.
    public var size: Int {
        switch self {
        case .lb, .lbu: return 1
        case .lh, .lhu: return 2
        case .lw, .lwu: return 4
        case .ld: return 8
        }
    }
}

/// Store kinds.
public enum RISCVStoreKind: Sendable, Hashable, CaseIterable {
    case sb, sh, sw, sd
    /// The access size in bytes.
    public var size: Int {
        switch self {
        case .sb: return 1
        case .sh: return 2
        case .sw: return 4
        case .sd: return 8
        }
    }
}

/// Register-immediate operations.
public enum RISCVImmOp: Sendable, Hashable, CaseIterable {
    case addi, slti, sltiu, xori, ori, andi, slli, srli, srai, rori
    case addiw, slliw, srliw, sraiw, roriw
}

/// Register-register operations (I, M, Zbb).
public enum RISCVRegOp: Sendable, Hashable, CaseIterable {
    case add, sub, sll, slt, sltu, xor, srl, sra, or, and
    case addw, subw, sllw, srlw, sraw
    case mul, mulh, mulhsu, mulhu, div, divu, rem, remu
    case mulw, divw, divuw, remw, remuw
    case andn, orn, xnor, min, minu, max, maxu, rol, ror, rolw, rorw
}

/// One-operand Zbb operations.
public enum RISCVUnaryOp: Sendable, Hashable, CaseIterable {
    case clz, ctz, cpop, clzw, ctzw, cpopw, sextb, sexth, zexth, rev8, orcb
}

/// A-extension operations.
public enum RISCVAtomicOp: Sendable, Hashable, CaseIterable {
    case lr, sc, amoswap, amoadd, amoxor, amoand, amoor, amomin, amomax, amominu, amomaxu
}
