/// Decodes RISC-V machine code for RV32 or RV64 (I, M, A, C, Zbb, XTheadCondMov, PolkaVM custom-0).
public struct RISCVDecoder: Sendable {
    /// Whether the code is RV64.
    public var is64Bit: Bool

    /// Creates a decoder for RV32 (`false`) or RV64 (`true`).
    public init(is64Bit: Bool) { self.is64Bit = is64Bit }

    /// The result of decoding at one position.
    public enum Decoded: Sendable, Hashable {
        /// A recognized instruction and its length in bytes (2 or 4).
        case instruction(RISCVInstruction, length: Int)
        /// An unrecognized or unsupported encoding (with its raw bits and length, 0 if truncated).
        case unsupported(raw: UInt32, length: Int)
    }

    /// Decodes the instruction starting at `offset` in `code`.
    public func decode(_ code: [UInt8], at offset: Int) -> Decoded {
        guard offset >= 0, offset + 2 <= code.count else { return .unsupported(raw: 0, length: 0) }
        let low = UInt32(code[offset]) | UInt32(code[offset + 1]) << 8
        if low & 3 != 3 {
            if let inst = decodeCompressed(UInt16(low)) { return .instruction(inst, length: 2) }
            return .unsupported(raw: low, length: 2)
        }
        guard offset + 4 <= code.count else { return .unsupported(raw: low, length: 0) }
        let word = low | UInt32(code[offset + 2]) << 16 | UInt32(code[offset + 3]) << 24
        if let inst = decode32(word) { return .instruction(inst, length: 4) }
        return .unsupported(raw: word, length: 4)
    }

    // MARK: 32-bit encodings

    /// Decodes a 32-bit instruction word.
    public func decode32(_ w: UInt32) -> RISCVInstruction? {
        let opcode = w & 0x7F
        let rd = UInt8((w >> 7) & 31), rs1 = UInt8((w >> 15) & 31), rs2 = UInt8((w >> 20) & 31)
        let funct3 = (w >> 12) & 7, funct7 = w >> 25
        let immI = Int32(bitPattern: w) >> 20
        let immS = (Int32(bitPattern: w) >> 25) << 5 | Int32((w >> 7) & 31)
        switch opcode {
        case 0x37: return .lui(rd: rd, value: Int32(bitPattern: w & 0xFFFF_F000))
        case 0x17: return .auipc(rd: rd, value: Int32(bitPattern: w & 0xFFFF_F000))
        case 0x6F:
            var imm = Int32((w >> 21) & 0x3FF) << 1
            imm |= Int32((w >> 20) & 1) << 11
            imm |= Int32((w >> 12) & 0xFF) << 12
            imm |= (Int32(bitPattern: w) >> 31) << 20
            return .jal(rd: rd, offset: imm)
        case 0x67:
            guard funct3 == 0 else { return nil }
            return .jalr(rd: rd, rs1: rs1, offset: immI)
        case 0x63:
            var imm = Int32((w >> 8) & 0xF) << 1
            imm |= Int32((w >> 25) & 0x3F) << 5
            imm |= Int32((w >> 7) & 1) << 11
            imm |= (Int32(bitPattern: w) >> 31) << 12
            let kinds: [RISCVBranchKind?] = [.eq, .ne, nil, nil, .lt, .ge, .ltu, .geu]
            guard let kind = kinds[Int(funct3)] else { return nil }
            return .branch(kind, rs1: rs1, rs2: rs2, offset: imm)
        case 0x03:
            let kinds: [RISCVLoadKind?] = [.lb, .lh, .lw, is64Bit ? .ld : nil, .lbu, .lhu, is64Bit ? .lwu : nil, nil]
            guard let kind = kinds[Int(funct3)] else { return nil }
            return .load(kind, rd: rd, base: rs1, offset: immI)
        case 0x23:
            let kinds: [RISCVStoreKind?] = [.sb, .sh, .sw, is64Bit ? .sd : nil, nil, nil, nil, nil]
            guard let kind = kinds[Int(funct3)] else { return nil }
            return .store(kind, src: rs2, base: rs1, offset: immS)
        case 0x13: return decodeOpImm(w, rd: rd, rs1: rs1, funct3: funct3, immI: immI)
        case 0x1B:
            guard is64Bit else { return nil }
            let shamt = Int32((w >> 20) & 31)
            switch funct3 {
            case 0: return .aluImm(.addiw, rd: rd, rs1: rs1, imm: immI)
            case 1:
                if funct7 == 0 { return .aluImm(.slliw, rd: rd, rs1: rs1, imm: shamt) }
                if funct7 == 0x30 {
                    switch rs2 {
                    case 0: return .unary(.clzw, rd: rd, rs1: rs1)
                    case 1: return .unary(.ctzw, rd: rd, rs1: rs1)
                    case 2: return .unary(.cpopw, rd: rd, rs1: rs1)
                    default: return nil
                    }
                }
                return nil
            case 5:
                switch funct7 {
                case 0: return .aluImm(.srliw, rd: rd, rs1: rs1, imm: shamt)
                case 0x20: return .aluImm(.sraiw, rd: rd, rs1: rs1, imm: shamt)
                case 0x30: return .aluImm(.roriw, rd: rd, rs1: rs1, imm: shamt)
                default: return nil
                }
            default: return nil
            }
        case 0x33: return decodeOp(rd: rd, rs1: rs1, rs2: rs2, funct3: funct3, funct7: funct7)
        case 0x3B:
            guard is64Bit else { return nil }
            let table: [UInt32: RISCVRegOp] = [
                0x000: .addw, 0x200: .subw, 0x001: .sllw, 0x005: .srlw, 0x205: .sraw,
                0x010: .mulw, 0x014: .divw, 0x015: .divuw, 0x016: .remw, 0x017: .remuw,
                0x301: .rolw, 0x305: .rorw,
            ]
            if funct7 == 0x04 && funct3 == 4 && rs2 == 0 { return .unary(.zexth, rd: rd, rs1: rs1) }
            guard let op = table[(funct7 << 4) | funct3] else { return nil }
            return .alu(op, rd: rd, rs1: rs1, rs2: rs2)
        case 0x0F:
            return funct3 <= 1 ? .fence : nil
        case 0x73:
            if w == 0x0000_0073 { return .ecall }
            if w == 0x0010_0073 { return .ebreak }
            if w == 0xC000_1073 { return .unimp }
            return nil
        case 0x2F:
            guard funct3 == 2 || (funct3 == 3 && is64Bit) else { return nil }
            let ops: [UInt32: RISCVAtomicOp] = [
                0x02: .lr, 0x03: .sc, 0x01: .amoswap, 0x00: .amoadd, 0x04: .amoxor, 0x0C: .amoand,
                0x08: .amoor, 0x10: .amomin, 0x14: .amomax, 0x18: .amominu, 0x1C: .amomaxu,
            ]
            guard let op = ops[w >> 27] else { return nil }
            if op == .lr && rs2 != 0 { return nil }
            return .atomic(op, doubleword: funct3 == 3, rd: rd, rs1: rs1, rs2: rs2)
        case 0x0B:
            if funct3 == 3 && (w >> 25) & 3 == 3 {
                return .selectCmov(rd: rd, srcTrue: rs1, cond: rs2, srcFalse: UInt8(w >> 27))
            }
            if funct3 == 1 && funct7 == 0x20 { return .cmov(ifZero: true, rd: rd, src: rs1, cond: rs2) }
            if funct3 == 1 && funct7 == 0x21 { return .cmov(ifZero: false, rd: rd, src: rs1, cond: rs2) }
            guard funct7 == 0 else { return nil }
            switch funct3 {
            case 0 where rd == 0 && rs1 == 0 && rs2 == 0: return .polkavmImport
            case 1 where rs2 == 0: return .polkavmSbrk(rd: rd, size: rs1)
            case 2 where rd == 0 && rs1 == 0 && rs2 == 0: return .polkavmMemset
            case 3 where rs1 == 0 && rs2 == 0: return .polkavmHeapBase(rd: rd)
            default: return nil
            }
        default:
            return nil
        }
    }

    func decodeOpImm(_ w: UInt32, rd: UInt8, rs1: UInt8, funct3: UInt32, immI: Int32) -> RISCVInstruction? {
        let shamtMask: UInt32 = is64Bit ? 63 : 31
        let shamt = Int32((w >> 20) & shamtMask)
        let funct6 = w >> 26
        let high = is64Bit ? funct6 << 1 : w >> 25 // funct7-equivalent (bit 25 is shamt[5] on RV64)
        switch funct3 {
        case 0: return .aluImm(.addi, rd: rd, rs1: rs1, imm: immI)
        case 2: return .aluImm(.slti, rd: rd, rs1: rs1, imm: immI)
        case 3: return .aluImm(.sltiu, rd: rd, rs1: rs1, imm: immI)
        case 4: return .aluImm(.xori, rd: rd, rs1: rs1, imm: immI)
        case 6: return .aluImm(.ori, rd: rd, rs1: rs1, imm: immI)
        case 7: return .aluImm(.andi, rd: rd, rs1: rs1, imm: immI)
        case 1:
            let imm12 = (w >> 20) & 0xFFF
            switch imm12 {
            case 0x600: return .unary(.clz, rd: rd, rs1: rs1)
            case 0x601: return .unary(.ctz, rd: rd, rs1: rs1)
            case 0x602: return .unary(.cpop, rd: rd, rs1: rs1)
            case 0x604: return .unary(.sextb, rd: rd, rs1: rs1)
            case 0x605: return .unary(.sexth, rd: rd, rs1: rs1)
            default: break
            }
            if high == 0 && (is64Bit || (w >> 25) == 0) { return .aluImm(.slli, rd: rd, rs1: rs1, imm: shamt) }
            return nil
        case 5:
            let imm12 = (w >> 20) & 0xFFF
            if imm12 == 0x287 { return .unary(.orcb, rd: rd, rs1: rs1) }
            if (is64Bit && imm12 == 0x6B8) || (!is64Bit && imm12 == 0x698) { return .unary(.rev8, rd: rd, rs1: rs1) }
            if !is64Bit && (w >> 25) & 1 != 0 { return nil }
            switch high {
            case 0: return .aluImm(.srli, rd: rd, rs1: rs1, imm: shamt)
            case 0x20: return .aluImm(.srai, rd: rd, rs1: rs1, imm: shamt)
            case 0x30: return .aluImm(.rori, rd: rd, rs1: rs1, imm: shamt)
            default: return nil
            }
        default: return nil
        }
    }

    func decodeOp(rd: UInt8, rs1: UInt8, rs2: UInt8, funct3: UInt32, funct7: UInt32) -> RISCVInstruction? {
        if funct7 == 0x04 && funct3 == 4 && rs2 == 0 && !is64Bit { return .unary(.zexth, rd: rd, rs1: rs1) }
        let table: [UInt32: RISCVRegOp] = [
            0x000: .add, 0x200: .sub, 0x001: .sll, 0x002: .slt, 0x003: .sltu, 0x004: .xor, 0x005: .srl,
            0x205: .sra, 0x006: .or, 0x007: .and,
            0x010: .mul, 0x011: .mulh, 0x012: .mulhsu, 0x013: .mulhu, 0x014: .div, 0x015: .divu, 0x016: .rem, 0x017: .remu,
            0x207: .andn, 0x206: .orn, 0x204: .xnor, 0x054: .min, 0x055: .minu, 0x056: .max, 0x057: .maxu,
            0x301: .rol, 0x305: .ror,
        ]
        guard let op = table[(funct7 << 4) | funct3] else { return nil }
        return .alu(op, rd: rd, rs1: rs1, rs2: rs2)
    }

    // MARK: Compressed encodings

    /// Decodes a 16-bit compressed instruction into its base equivalent.
    public func decodeCompressed(_ h: UInt16) -> RISCVInstruction? {
        let c = UInt32(h)
        if c == 0 { return .unimp }
        func bit(_ n: UInt32) -> UInt32 { (c >> n) & 1 }
        func bits(_ hi: UInt32, _ lo: UInt32) -> UInt32 { (c >> lo) & ((1 << (hi - lo + 1)) - 1) }
        func sext(_ v: UInt32, _ width: UInt32) -> Int32 { Int32(bitPattern: v << (32 - width)) >> (32 - width) }
        let quadrant = c & 3, funct3 = c >> 13
        let rdFull = UInt8(bits(11, 7)), rs2Full = UInt8(bits(6, 2))
        let rdP = UInt8(bits(4, 2) + 8), rs1P = UInt8(bits(9, 7) + 8)
        let imm6 = sext(bit(12) << 5 | bits(6, 2), 6)
        switch (quadrant, funct3) {
        case (0, 0):
            let imm = bits(12, 11) << 4 | bits(10, 7) << 6 | bit(6) << 2 | bit(5) << 3
            guard imm != 0 else { return nil }
            return .aluImm(.addi, rd: rdP, rs1: 2, imm: Int32(imm))
        case (0, 2), (0, 6):
            let imm = Int32(bits(12, 10) << 3 | bit(6) << 2 | bit(5) << 6)
            return funct3 == 2 ? .load(.lw, rd: rdP, base: rs1P, offset: imm) : .store(.sw, src: rdP, base: rs1P, offset: imm)
        case (0, 3), (0, 7):
            guard is64Bit else { return nil } // c.flw / c.fsw
            let imm = Int32(bits(12, 10) << 3 | bits(6, 5) << 6)
            return funct3 == 3 ? .load(.ld, rd: rdP, base: rs1P, offset: imm) : .store(.sd, src: rdP, base: rs1P, offset: imm)
        case (1, 0):
            return .aluImm(.addi, rd: rdFull, rs1: rdFull, imm: imm6)
        case (1, 1):
            if is64Bit {
                guard rdFull != 0 else { return nil }
                return .aluImm(.addiw, rd: rdFull, rs1: rdFull, imm: imm6)
            }
            return .jal(rd: 1, offset: cjOffset(c))
        case (1, 2):
            return .aluImm(.addi, rd: rdFull, rs1: 0, imm: imm6)
        case (1, 3):
            if rdFull == 2 {
                let imm = sext(bit(12) << 9 | bit(6) << 4 | bit(5) << 6 | bits(4, 3) << 7 | bit(2) << 5, 10)
                guard imm != 0 else { return nil }
                return .aluImm(.addi, rd: 2, rs1: 2, imm: imm)
            }
            guard imm6 != 0 else { return nil }
            return .lui(rd: rdFull, value: imm6 << 12)
        case (1, 4):
            let shamt = Int32(bit(12) << 5 | bits(6, 2))
            switch bits(11, 10) {
            case 0:
                guard is64Bit || bit(12) == 0 else { return nil }
                return .aluImm(.srli, rd: rs1P, rs1: rs1P, imm: shamt)
            case 1:
                guard is64Bit || bit(12) == 0 else { return nil }
                return .aluImm(.srai, rd: rs1P, rs1: rs1P, imm: shamt)
            case 2:
                return .aluImm(.andi, rd: rs1P, rs1: rs1P, imm: imm6)
            default:
                let ops: [RISCVRegOp?] = bit(12) == 0 ? [.sub, .xor, .or, .and] : (is64Bit ? [.subw, .addw, nil, nil] : [nil, nil, nil, nil])
                guard let op = ops[Int(bits(6, 5))] else { return nil }
                return .alu(op, rd: rs1P, rs1: rs1P, rs2: rdP)
            }
        case (1, 5):
            return .jal(rd: 0, offset: cjOffset(c))
        case (1, 6), (1, 7):
            let off = sext(bit(12) << 8 | bits(11, 10) << 3 | bits(6, 5) << 6 | bits(4, 3) << 1 | bit(2) << 5, 9)
            return .branch(funct3 == 6 ? .eq : .ne, rs1: rs1P, rs2: 0, offset: off)
        case (2, 0):
            guard is64Bit || bit(12) == 0 else { return nil }
            return .aluImm(.slli, rd: rdFull, rs1: rdFull, imm: Int32(bit(12) << 5 | bits(6, 2)))
        case (2, 2):
            guard rdFull != 0 else { return nil }
            return .load(.lw, rd: rdFull, base: 2, offset: Int32(bit(12) << 5 | bits(6, 4) << 2 | bits(3, 2) << 6))
        case (2, 3):
            guard is64Bit, rdFull != 0 else { return nil }
            return .load(.ld, rd: rdFull, base: 2, offset: Int32(bit(12) << 5 | bits(6, 5) << 3 | bits(4, 2) << 6))
        case (2, 4):
            if bit(12) == 0 {
                if rs2Full == 0 {
                    guard rdFull != 0 else { return nil }
                    return .jalr(rd: 0, rs1: rdFull, offset: 0)
                }
                return .alu(.add, rd: rdFull, rs1: 0, rs2: rs2Full)
            }
            if rs2Full == 0 {
                if rdFull == 0 { return .ebreak }
                return .jalr(rd: 1, rs1: rdFull, offset: 0)
            }
            return .alu(.add, rd: rdFull, rs1: rdFull, rs2: rs2Full)
        case (2, 6):
            return .store(.sw, src: rs2Full, base: 2, offset: Int32(bits(12, 9) << 2 | bits(8, 7) << 6))
        case (2, 7):
            guard is64Bit else { return nil }
            return .store(.sd, src: rs2Full, base: 2, offset: Int32(bits(12, 10) << 3 | bits(9, 7) << 6))
        default:
            return nil // floating point and reserved encodings
        }
    }

    private func cjOffset(_ c: UInt32) -> Int32 {
        func bit(_ n: UInt32) -> UInt32 { (c >> n) & 1 }
        let v = bit(12) << 11 | bit(11) << 4 | ((c >> 9) & 3) << 8 | bit(8) << 10 | bit(7) << 6 | bit(6) << 7
            | ((c >> 3) & 7) << 1 | bit(2) << 5
        return Int32(bitPattern: v << 20) >> 20
    }
}
