import PolkaVMProgram

extension Translator {
    mutating func translateAluImm(_ op: RISCVImmOp, _ rd: UInt8, _ rs1: UInt8, _ imm: Int32, symbolic: SymbolicValue?) throws(LinkerError) {
        guard rd != 0 else { return }
        let d = try reg(rd)
        let immValue = UInt64(bitPattern: Int64(imm))
        if rs1 == 0 {
            if let symbolic { emit(Instruction(.loadImm, regA: d), imm1: symbolic); return }
            let value: Int64
            switch op {
            case .addi, .addiw, .xori, .ori: value = Int64(imm)
            case .slti: value = 0 < imm ? 1 : 0
            case .sltiu: value = imm != 0 ? 1 : 0
            default: value = 0
            }
            loadConst(d, value)
            return
        }
        let s = try reg(rs1)
        let opcode: Opcode
        switch op {
        case .addi: opcode = natural(.addImm64, .addImm32)
        case .addiw: opcode = .addImm32
        case .slti: opcode = .setLessThanSignedImm
        case .sltiu: opcode = .setLessThanUnsignedImm
        case .xori: opcode = .xorImm
        case .ori: opcode = .orImm
        case .andi: opcode = .andImm
        case .slli: opcode = natural(.shiftLogicalLeftImm64, .shiftLogicalLeftImm32)
        case .srli: opcode = natural(.shiftLogicalRightImm64, .shiftLogicalRightImm32)
        case .srai: opcode = natural(.shiftArithmeticRightImm64, .shiftArithmeticRightImm32)
        case .rori: opcode = natural(.rotateRightImm64, .rotateRightImm32)
        case .slliw: opcode = .shiftLogicalLeftImm32
        case .srliw: opcode = .shiftLogicalRightImm32
        case .sraiw: opcode = .shiftArithmeticRightImm32
        case .roriw: opcode = .rotateRightImm32
        }
        if symbolic == nil && imm == 0 && (op == .addi || op == .ori || op == .xori || op == .slli || op == .srli || op == .srai || op == .rori) {
            move(d, s)
            return
        }
        emit(Instruction(opcode, regA: d, regB: s, imm1: immValue), imm1: symbolic)
    }

    func aluOpcode(_ op: RISCVRegOp) -> Opcode {
        switch op {
        case .add: return natural(.add64, .add32)
        case .sub: return natural(.sub64, .sub32)
        case .sll: return natural(.shiftLogicalLeft64, .shiftLogicalLeft32)
        case .slt: return .setLessThanSigned
        case .sltu: return .setLessThanUnsigned
        case .xor: return .xor
        case .srl: return natural(.shiftLogicalRight64, .shiftLogicalRight32)
        case .sra: return natural(.shiftArithmeticRight64, .shiftArithmeticRight32)
        case .or: return .or
        case .and: return .and
        case .addw: return .add32
        case .subw: return .sub32
        case .sllw: return .shiftLogicalLeft32
        case .srlw: return .shiftLogicalRight32
        case .sraw: return .shiftArithmeticRight32
        case .mul: return natural(.mul64, .mul32)
        case .mulh: return .mulUpperSignedSigned
        case .mulhsu: return .mulUpperSignedUnsigned
        case .mulhu: return .mulUpperUnsignedUnsigned
        case .div: return natural(.divSigned64, .divSigned32)
        case .divu: return natural(.divUnsigned64, .divUnsigned32)
        case .rem: return natural(.remSigned64, .remSigned32)
        case .remu: return natural(.remUnsigned64, .remUnsigned32)
        case .mulw: return .mul32
        case .divw: return .divSigned32
        case .divuw: return .divUnsigned32
        case .remw: return .remSigned32
        case .remuw: return .remUnsigned32
        case .andn: return .andInverted
        case .orn: return .orInverted
        case .xnor: return .xnor
        case .min: return .minimum
        case .minu: return .minimumUnsigned
        case .max: return .maximum
        case .maxu: return .maximumUnsigned
        case .rol: return natural(.rotateLeft64, .rotateLeft32)
        case .ror: return natural(.rotateRight64, .rotateRight32)
        case .rolw: return .rotateLeft32
        case .rorw: return .rotateRight32
        }
    }

    static let wordOps: Set<RISCVRegOp> = [.addw, .subw, .sllw, .srlw, .sraw, .mulw, .divw, .divuw, .remw, .remuw, .rolw, .rorw]

    mutating func translateAlu(_ op: RISCVRegOp, _ rd: UInt8, _ rs1: UInt8, _ rs2: UInt8) throws(LinkerError) {
        guard rd != 0 else { return }
        let d = try reg(rd)
        if rs1 != 0 && rs2 != 0 {
            emit(Instruction(aluOpcode(op), regA: try reg(rs1), regB: try reg(rs2), regD: d))
            return
        }
        let word = Self.wordOps.contains(op)
        if rs1 == 0 && rs2 == 0 {
            switch op {
            case .div, .divu, .divw, .divuw, .orn, .xnor: loadConst(d, -1)
            default: loadConst(d, 0)
            }
            return
        }
        if rs2 == 0 {
            let s = try reg(rs1)
            switch op {
            case .add, .sub, .or, .xor, .sll, .srl, .sra, .rol, .ror, .andn, .maxu, .rem, .remu: move(d, s)
            case .addw, .subw, .sllw, .srlw, .sraw, .rolw, .rorw, .remw, .remuw: sextMove(d, s)
            case .and, .mul, .mulh, .mulhsu, .mulhu, .mulw, .minu, .sltu: loadConst(d, 0)
            case .div, .divu, .divw, .divuw, .orn: loadConst(d, -1)
            case .xnor: emit(Instruction(.xorImm, regA: d, regB: s, imm1: UInt64.max))
            case .slt: emit(Instruction(.setLessThanSignedImm, regA: d, regB: s, imm1: 0))
            case .min, .max:
                let opcode = aluOpcode(op)
                try withZeroRegister(avoiding: [d, s]) { z in Instruction(opcode, regA: s, regB: z, regD: d) }
            }
            _ = word
            return
        }
        let s = try reg(rs2)
        switch op {
        case .add, .or, .xor, .maxu: move(d, s)
        case .addw: sextMove(d, s)
        case .sub: emit(Instruction(natural(.negateAndAddImm64, .negateAndAddImm32), regA: d, regB: s, imm1: 0))
        case .subw: emit(Instruction(.negateAndAddImm32, regA: d, regB: s, imm1: 0))
        case .and, .andn, .sll, .srl, .sra, .rol, .ror, .sllw, .srlw, .sraw, .rolw, .rorw,
             .mul, .mulh, .mulhsu, .mulhu, .mulw, .rem, .remu, .remw, .remuw, .minu:
            loadConst(d, 0)
        case .orn, .xnor: emit(Instruction(.xorImm, regA: d, regB: s, imm1: UInt64.max))
        case .slt: emit(Instruction(.setGreaterThanSignedImm, regA: d, regB: s, imm1: 0))
        case .sltu: emit(Instruction(.setGreaterThanUnsignedImm, regA: d, regB: s, imm1: 0))
        case .div, .divu, .divw, .divuw, .min, .max:
            // 0 / s is -1 when s is 0 (RISC-V), else 0; min/max(0, s) need a real zero operand.
            let opcode = aluOpcode(op)
            try withZeroRegister(avoiding: [d, s]) { z in Instruction(opcode, regA: z, regB: s, regD: d) }
        }
    }

    /// Emits `make(z)` with `z` a scratch register holding 0 (saved and restored around it), for the
    /// few operations that have no form with an immediate zero operand.
    mutating func withZeroRegister(avoiding: Set<UInt8>, _ make: (UInt8) -> Instruction) throws(LinkerError) {
        let temps = acquireTemps(1, avoiding: avoiding)
        emit(Instruction(.loadImm, regA: temps[0], imm1: 0))
        emit(make(temps[0]))
        releaseTemps(temps)
    }

    mutating func translateUnary(_ op: RISCVUnaryOp, _ rd: UInt8, _ rs1: UInt8) throws(LinkerError) {
        guard rd != 0 else { return }
        let d = try reg(rd)
        if rs1 == 0 {
            switch op {
            case .clz, .ctz: loadConst(d, rv64 ? 64 : 32)
            case .clzw, .ctzw: loadConst(d, 32)
            default: loadConst(d, 0)
            }
            return
        }
        let s = try reg(rs1)
        let opcode: Opcode
        switch op {
        case .clz: opcode = natural(.countLeadingZeroBits64, .countLeadingZeroBits32)
        case .ctz: opcode = natural(.countTrailingZeroBits64, .countTrailingZeroBits32)
        case .cpop: opcode = natural(.countSetBits64, .countSetBits32)
        case .clzw: opcode = .countLeadingZeroBits32
        case .ctzw: opcode = .countTrailingZeroBits32
        case .cpopw: opcode = .countSetBits32
        case .sextb: opcode = .signExtend8
        case .sexth: opcode = .signExtend16
        case .zexth: opcode = .zeroExtend16
        case .rev8: opcode = .reverseByte
        case .orcb:
            try orCombineBytes(d, s)
            return
        }
        emit(Instruction(opcode, regA: d, regB: s))
    }

    // MARK: Sequences needing scratch registers

    /// Picks `count` registers outside `avoid` and saves them to the spill area.
    mutating func acquireTemps(_ count: Int, avoiding avoid: Set<UInt8>) -> [UInt8] {
        var temps: [UInt8] = []
        for r in [UInt8](7...12) + [2, 3, 4, 5, 6, 0] where !avoid.contains(r) && temps.count < count { temps.append(r) }
        for (k, t) in temps.enumerated() {
            emit(Instruction(rv64 ? .storeU64 : .storeU32, regA: t), imm1: .regspill(k))
        }
        out.usesRegspill = true
        return temps
    }

    mutating func releaseTemps(_ temps: [UInt8]) {
        for (k, t) in temps.enumerated() {
            emit(Instruction(rv64 ? .loadU64 : .loadI32, regA: t), imm1: .regspill(k))
        }
    }

    /// `orc.b`: every non-zero byte becomes 0xFF. Built byte by byte from the top in a scratch accumulator.
    mutating func orCombineBytes(_ d: UInt8, _ s: UInt8) throws(LinkerError) {
        let temps = acquireTemps(2, avoiding: [d, s])
        let acc = temps[0], t = temps[1]
        let n = rv64 ? 8 : 4
        emit(Instruction(.loadImm, regA: acc, imm1: 0))
        for i in (0..<n).reversed() {
            if i == 0 { move(t, s) } else {
                emit(Instruction(natural(.shiftLogicalRightImm64, .shiftLogicalRightImm32), regA: t, regB: s, imm1: UInt64(8 * i)))
            }
            emit(Instruction(.andImm, regA: t, regB: t, imm1: 0xFF))
            emit(Instruction(.setGreaterThanUnsignedImm, regA: t, regB: t, imm1: 0))
            emit(Instruction(natural(.mulImm64, .mulImm32), regA: t, regB: t, imm1: 0xFF))
            if i != n - 1 {
                emit(Instruction(natural(.shiftLogicalLeftImm64, .shiftLogicalLeftImm32), regA: acc, regB: acc, imm1: 8))
            }
            emit(Instruction(.or, regA: acc, regB: t, regD: acc))
        }
        move(d, acc)
        releaseTemps(temps)
    }

    /// A-extension instructions with single-threaded semantics.
    mutating func translateAtomic(_ op: RISCVAtomicOp, doubleword: Bool, _ rd: UInt8, _ rs1: UInt8, _ rs2: UInt8) throws(LinkerError) {
        guard rs1 != 0 else { throw fail(.unsupportedInstruction, "atomic access through the zero register") }
        let base = try reg(rs1)
        let loadOp: Opcode = doubleword ? .loadIndirectU64 : .loadIndirectI32
        let storeOp: Opcode = doubleword ? .storeIndirectU64 : .storeIndirectU32
        let storeZeroOp: Opcode = doubleword ? .storeImmIndirectU64 : .storeImmIndirectU32
        switch op {
        case .lr:
            guard rd != 0 else { return }
            emit(Instruction(loadOp, regA: try reg(rd), regB: base, imm1: 0))
            return
        case .sc:
            if rs2 == 0 { emit(Instruction(storeZeroOp, regA: base, imm1: 0, imm2: 0)) }
            else { emit(Instruction(storeOp, regA: try reg(rs2), regB: base, imm1: 0)) }
            if rd != 0 { loadConst(try reg(rd), 0) }
            return
        default: break
        }
        let dst: UInt8? = rd == 0 ? nil : try reg(rd)
        let src: UInt8? = rs2 == 0 ? nil : try reg(rs2)
        var avoid: Set<UInt8> = [base]
        if let src { avoid.insert(src) }
        if let dst { avoid.insert(dst) }
        // The old value goes straight into rd when rd is not an input.
        let oldInRd = dst != nil && dst != base && dst != src
        let needed = (oldInRd ? 0 : 1) + (op == .amoswap ? 0 : 1) + (src == nil && op != .amoswap ? 1 : 0)
        let temps = acquireTemps(needed, avoiding: avoid)
        var k = 0
        let old: UInt8
        if oldInRd { old = dst! } else { old = temps[k]; k += 1 }
        emit(Instruction(loadOp, regA: old, regB: base, imm1: 0))
        if op == .amoswap {
            if let src { emit(Instruction(storeOp, regA: src, regB: base, imm1: 0)) }
            else { emit(Instruction(storeZeroOp, regA: base, imm1: 0, imm2: 0)) }
        } else {
            let new = temps[k]; k += 1
            let operand: UInt8
            if let src { operand = src } else { operand = temps[k]; k += 1; emit(Instruction(.loadImm, regA: operand, imm1: 0)) }
            let narrow = !doubleword && rv64
            switch op {
            case .amoadd: emit(Instruction(doubleword ? .add64 : .add32, regA: old, regB: operand, regD: new))
            case .amoxor: emit(Instruction(.xor, regA: old, regB: operand, regD: new))
            case .amoand: emit(Instruction(.and, regA: old, regB: operand, regD: new))
            case .amoor: emit(Instruction(.or, regA: old, regB: operand, regD: new))
            case .amomin, .amomax, .amominu, .amomaxu:
                var rhs = operand
                if narrow { emit(Instruction(.addImm32, regA: new, regB: operand, imm1: 0)); rhs = new }
                let opcode: Opcode = [.amomin: .minimum, .amomax: .maximum, .amominu: .minimumUnsigned, .amomaxu: .maximumUnsigned][op]!
                emit(Instruction(opcode, regA: old, regB: rhs, regD: new))
            default: break
            }
            emit(Instruction(storeOp, regA: new, regB: base, imm1: 0))
        }
        if let dst, !oldInRd { move(dst, old) }
        releaseTemps(temps)
    }
}
