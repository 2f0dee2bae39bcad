import Testing

import PolkaVM

/// Every register-computing instruction of every ISA against the SPEC model (§5.2), over boundary operands.
@Suite struct ArithmeticTests {
    static let sentinel: UInt64 = 0x5A5A_5A5A_A5A5_A5A5

    /// Runs `[inst, ret]` once per operand assignment and compares `out` with `expected`.
    private func sweep(
        _ isa: InstructionSetKind, _ inst: Instruction, inputs: [[Reg: UInt64]], out: Reg,
        expected: ([Reg: UInt64]) -> UInt64?
    ) throws -> (cases: Int, failures: [String]) {
        let (c, offsets) = try code([inst, ret], isa: isa)
        let vm = try instance(c)
        var failures: [String] = []
        var cases = 0
        for regs in inputs {
            for r in Reg.allCases where r != .ra { vm[r] = 0 }
            vm[out] = Self.sentinel
            for (r, v) in regs { vm[r] = v }
            // What the VM holds after the host write (truncated in latest32), used as the model's input.
            var held: [Reg: UInt64] = [:]
            for r in [Reg.a0, .a1, .a2, out] { held[r] = vm[r] }
            guard let want = expected(held) else { continue }
            cases += 1
            let result = vm.run(from: 0)
            if result != .finished || vm.programCounter != offsets[1] {
                failures.append("\(inst.opcode) \(regs): \(result) at \(String(describing: vm.programCounter))")
                continue
            }
            let got = vm[out]
            if got != want {
                failures.append("\(inst.opcode) in=\(regs.mapValues(hex)) imm=\(Int32(truncatingIfNeeded: inst.imm1)): got \(hex(got)), want \(hex(want))")
            }
            // Sources other than the destination are untouched.
            for r in [Reg.a0, .a1] where r != out && held[r] != vm[r] {
                failures.append("\(inst.opcode) clobbered \(r)")
            }
        }
        return (cases, failures)
    }

    @Test(arguments: allISAs)
    func threeRegisterInstructions(isa: InstructionSetKind) throws {
        let w = Width(isa)
        let ops = Opcode.allCases.filter { $0.operandKind == .regRegReg && isa.contains($0) }
        #expect(ops.count == (isa.is64Bit ? 41 : 29), "\(isa): \(ops.count) reg_reg_reg opcodes")
        let values = operands(for: isa)
        for op in ops {
            #expect(SpecModel.rrr(op, w, a: 0, b: 0, d: 0) != nil, "model lacks \(op)")
            var inputs: [[Reg: UInt64]] = []
            for a in values { for b in values { inputs.append([.a0: a, .a1: b]) } }
            // Distinct registers: rD = a2, rA = a0, rB = a1.
            let (n, failures) = try sweep(isa, rrr(op, .a2, .a0, .a1), inputs: inputs, out: .a2) { h in
                SpecModel.rrr(op, w, a: h[.a0]!, b: h[.a1]!, d: h[.a2]!)
            }
            #expect(n == values.count * values.count)
            #expect(failures.count == 0, "\(isa) \(op): e.g. \(failures.prefix(6))")
            // Aliased registers: rD = rA = rB, and rD = rB.
            let single = values.map { [Reg.a0: $0] }
            let (_, f2) = try sweep(isa, rrr(op, .a0, .a0, .a0), inputs: single, out: .a0) { h in
                SpecModel.rrr(op, w, a: h[.a0]!, b: h[.a0]!, d: h[.a0]!)
            }
            #expect(f2.count == 0, "\(isa) \(op) (rD = rA = rB): \(f2.prefix(6))")
            let pairs = values.prefix(12).flatMap { a in values.suffix(12).map { [Reg.a0: a, .a1: $0] } }
            let (_, f3) = try sweep(isa, rrr(op, .a1, .a0, .a1), inputs: pairs, out: .a1) { h in
                SpecModel.rrr(op, w, a: h[.a0]!, b: h[.a1]!, d: h[.a1]!)
            }
            #expect(f3.count == 0, "\(isa) \(op) (rD = rB): \(f3.prefix(6))")
        }
    }

    @Test(arguments: allISAs)
    func registerImmediateInstructions(isa: InstructionSetKind) throws {
        let w = Width(isa)
        let memoryOps: Set<Opcode> = [
            .storeIndirectU8, .storeIndirectU16, .storeIndirectU32, .storeIndirectU64, .loadIndirectU8, .loadIndirectI8,
            .loadIndirectU16, .loadIndirectI16, .loadIndirectU32, .loadIndirectI32, .loadIndirectU64,
        ]
        let ops = Opcode.allCases.filter { $0.operandKind == .regRegImm && isa.contains($0) && !memoryOps.contains($0) }
        #expect(ops.count == (isa.is64Bit ? 31 : 20), "\(isa): \(ops.count) reg_reg_imm ALU opcodes")
        let values = operands(for: isa)
        for op in ops {
            #expect(SpecModel.rri(op, w, b: 0, i: 0, d: 0) != nil, "model lacks \(op)")
            var failures: [String] = []
            for i in boundaryImmediates {
                let (n, f) = try sweep(isa, rri(op, .a2, .a1, Int64(i)), inputs: values.map { [.a1: $0] }, out: .a2) { h in
                    SpecModel.rri(op, w, b: h[.a1]!, i: i, d: h[.a2]!)
                }
                #expect(n == values.count)
                failures += f
            }
            // rA = rB.
            for i in boundaryImmediates.prefix(8) {
                let (_, f) = try sweep(isa, rri(op, .a1, .a1, Int64(i)), inputs: values.map { [.a1: $0] }, out: .a1) { h in
                    SpecModel.rri(op, w, b: h[.a1]!, i: i, d: h[.a1]!)
                }
                failures += f
            }
            #expect(failures.count == 0, "\(isa) \(op): e.g. \(failures.prefix(6))")
        }
    }

    @Test(arguments: allISAs)
    func twoRegisterInstructions(isa: InstructionSetKind) throws {
        let w = Width(isa)
        let ops = Opcode.allCases.filter { $0.operandKind == .regReg && isa.contains($0) && $0 != .sbrk }
        #expect(ops.count == (isa.is64Bit ? 11 : 8), "\(isa): \(ops.count) reg_reg opcodes")
        let values = operands(for: isa) + [0x0102_0304_0506_0708, 0x8000, 0x7F, 0xF0F0_0F0F].map(w.reduce)
        for op in ops {
            #expect(SpecModel.rr(op, w, b: 0) != nil, "model lacks \(op)")
            let (n, failures) = try sweep(isa, rr(op, .a2, .a1), inputs: values.map { [.a1: $0] }, out: .a2) { h in
                SpecModel.rr(op, w, b: h[.a1]!)
            }
            #expect(n == values.count)
            let (_, f2) = try sweep(isa, rr(op, .a1, .a1), inputs: values.map { [.a1: $0] }, out: .a1) { h in
                SpecModel.rr(op, w, b: h[.a1]!)
            }
            #expect((failures + f2).count == 0, "\(isa) \(op): \((failures + f2).prefix(6))")
        }
    }

    @Test(arguments: allISAs)
    func loadImmediate(isa: InstructionSetKind) throws {
        let w = Width(isa)
        var failures: [String] = []
        for i in boundaryImmediates {
            let (n, f) = try sweep(isa, loadImm(.a2, Int64(i)), inputs: [[:]], out: .a2) { _ in w.w(i) }
            #expect(n == 1)
            failures += f
        }
        #expect(failures.count == 0, "\(failures)")
        if isa.is64Bit {
            for v: UInt64 in [0, 1, .max, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000, 0x0123_4567_89AB_CDEF, 0x8000_0000_0000_0000] {
                let (_, f) = try sweep(isa, loadImm64(.a2, v), inputs: [[:]], out: .a2) { _ in v }
                #expect(f.count == 0, "load_imm64 \(hex(v)): \(f)")
            }
        } else {
            #expect(!isa.contains(.loadImm64))
        }
    }

    // MARK: Literal spot checks (independent of the model)

    /// Runs one instruction on a0 = `a`, a1 = `b` (rD = a2) and returns a2.
    private func eval(_ isa: InstructionSetKind, _ inst: Instruction, a0: UInt64 = 0, a1: UInt64 = 0) throws -> UInt64 {
        let vm = try instance(try code([inst, ret], isa: isa).code)
        vm[.a0] = a0
        vm[.a1] = a1
        #expect(vm.run() == .finished)
        return vm[.a2]
    }

    @Test func divisionByZeroAndOverflow64() throws {
        for isa in isas64 {
            let minus1: UInt64 = .max, min64: UInt64 = 0x8000_0000_0000_0000
            #expect(try eval(isa, rrr(.divUnsigned64, .a2, .a0, .a1), a0: 1234, a1: 0) == .max)
            #expect(try eval(isa, rrr(.divSigned64, .a2, .a0, .a1), a0: 1234, a1: 0) == .max)
            #expect(try eval(isa, rrr(.remUnsigned64, .a2, .a0, .a1), a0: 1234, a1: 0) == 1234)
            #expect(try eval(isa, rrr(.remSigned64, .a2, .a0, .a1), a0: minus1 - 6, a1: 0) == minus1 - 6)
            #expect(try eval(isa, rrr(.divSigned64, .a2, .a0, .a1), a0: min64, a1: minus1) == min64)
            #expect(try eval(isa, rrr(.remSigned64, .a2, .a0, .a1), a0: min64, a1: minus1) == 0)
            // Truncation toward zero; the remainder takes the dividend's sign.
            #expect(try eval(isa, rrr(.divSigned64, .a2, .a0, .a1), a0: UInt64(bitPattern: -7), a1: 2) == UInt64(bitPattern: -3))
            #expect(try eval(isa, rrr(.remSigned64, .a2, .a0, .a1), a0: UInt64(bitPattern: -7), a1: 2) == UInt64(bitPattern: -1))
            #expect(try eval(isa, rrr(.remSigned64, .a2, .a0, .a1), a0: 7, a1: UInt64(bitPattern: -2)) == 1)
            // 32-bit forms in 64-bit ISAs: sign-extended results.
            #expect(try eval(isa, rrr(.divUnsigned32, .a2, .a0, .a1), a0: 5, a1: 0x1_0000_0000) == 0xFFFF_FFFF_FFFF_FFFF)
            #expect(try eval(isa, rrr(.remUnsigned32, .a2, .a0, .a1), a0: 0x8000_0000, a1: 0) == 0xFFFF_FFFF_8000_0000)
            #expect(try eval(isa, rrr(.divSigned32, .a2, .a0, .a1), a0: 0x8000_0000, a1: 0xFFFF_FFFF) == 0xFFFF_FFFF_8000_0000)
            #expect(try eval(isa, rrr(.remSigned32, .a2, .a0, .a1), a0: 0x8000_0000, a1: 0xFFFF_FFFF) == 0)
            #expect(try eval(isa, rrr(.divSigned32, .a2, .a0, .a1), a0: 0x1_0000_0007, a1: 0) == .max)
            #expect(try eval(isa, rrr(.remSigned32, .a2, .a0, .a1), a0: 0x1_FFFF_FFF9, a1: 0) == UInt64(bitPattern: -7))
            #expect(try eval(isa, rrr(.divUnsigned32, .a2, .a0, .a1), a0: 0xFFFF_FFFF, a1: 1) == .max)
        }
    }

    @Test func divisionByZeroAndOverflow32() throws {
        let isa = InstructionSetKind.latest32
        #expect(try eval(isa, rrr(.divUnsigned32, .a2, .a0, .a1), a0: 9, a1: 0) == 0xFFFF_FFFF)
        #expect(try eval(isa, rrr(.divSigned32, .a2, .a0, .a1), a0: 9, a1: 0) == 0xFFFF_FFFF)
        #expect(try eval(isa, rrr(.remUnsigned32, .a2, .a0, .a1), a0: 0x8000_0000, a1: 0) == 0x8000_0000)
        #expect(try eval(isa, rrr(.remSigned32, .a2, .a0, .a1), a0: 0xFFFF_FFF9, a1: 0) == 0xFFFF_FFF9)
        #expect(try eval(isa, rrr(.divSigned32, .a2, .a0, .a1), a0: 0x8000_0000, a1: 0xFFFF_FFFF) == 0x8000_0000)
        #expect(try eval(isa, rrr(.remSigned32, .a2, .a0, .a1), a0: 0x8000_0000, a1: 0xFFFF_FFFF) == 0)
        #expect(try eval(isa, rrr(.divUnsigned32, .a2, .a0, .a1), a0: 0x8000_0000, a1: 1) == 0x8000_0000)
        #expect(try eval(isa, rrr(.divSigned32, .a2, .a0, .a1), a0: 0xFFFF_FFF9, a1: 2) == 0xFFFF_FFFD)
    }

    @Test func shiftAndRotateAmounts() throws {
        for isa in isas64 {
            let sll64 = rrr(.shiftLogicalLeft64, .a2, .a0, .a1), sll32 = rrr(.shiftLogicalLeft32, .a2, .a0, .a1)
            for (amount, want) in [(63, 0x8000_0000_0000_0000), (64, 1), (65, 2), (0x1_0000_0041, 2), (UInt64.max, 0x8000_0000_0000_0000)] as [(UInt64, UInt64)] {
                #expect(try eval(isa, sll64, a0: 1, a1: amount) == want, "\(isa) 1 << \(amount)")
            }
            for (amount, want) in [(31, 0xFFFF_FFFF_8000_0000), (32, 1), (33, 2), (UInt64.max, 0xFFFF_FFFF_8000_0000)] as [(UInt64, UInt64)] {
                #expect(try eval(isa, sll32, a0: 1, a1: amount) == want, "\(isa) 1 <<32 \(amount)")
            }
            #expect(try eval(isa, rrr(.shiftArithmeticRight64, .a2, .a0, .a1), a0: 0x8000_0000_0000_0000, a1: 63) == .max)
            #expect(try eval(isa, rrr(.shiftArithmeticRight64, .a2, .a0, .a1), a0: 0x8000_0000_0000_0000, a1: 64) == 0x8000_0000_0000_0000)
            #expect(try eval(isa, rrr(.shiftLogicalRight32, .a2, .a0, .a1), a0: 0xFFFF_FFFF_8000_0000, a1: 32) == 0xFFFF_FFFF_8000_0000)
            #expect(try eval(isa, rrr(.shiftLogicalRight32, .a2, .a0, .a1), a0: 0xFFFF_FFFF_8000_0000, a1: 1) == 0x4000_0000)
            #expect(try eval(isa, rrr(.shiftArithmeticRight32, .a2, .a0, .a1), a0: 0x8000_0000, a1: 33) == 0xFFFF_FFFF_C000_0000)
            #expect(try eval(isa, rrr(.rotateLeft64, .a2, .a0, .a1), a0: 0x8000_0000_0000_0001, a1: 65) == 3)
            #expect(try eval(isa, rrr(.rotateRight64, .a2, .a0, .a1), a0: 3, a1: 64) == 3)
            #expect(try eval(isa, rrr(.rotateLeft32, .a2, .a0, .a1), a0: 0x4000_0000, a1: 33) == 0xFFFF_FFFF_8000_0000)
            #expect(try eval(isa, rrr(.rotateRight32, .a2, .a0, .a1), a0: 0x1_0000_0001, a1: 1) == 0xFFFF_FFFF_8000_0000)
            #expect(try eval(isa, rri(.shiftLogicalLeftImm64, .a2, .a0, 65), a0: 1) == 2)
            #expect(try eval(isa, rri(.shiftLogicalLeftImm32, .a2, .a0, 33), a0: 1) == 2)
            #expect(try eval(isa, rri(.shiftLogicalRightImm64, .a2, .a0, -1), a0: .max) == 1)
            #expect(try eval(isa, rri(.shiftLogicalLeftImmAlt64, .a2, .a0, 1), a0: 64) == 1)
            #expect(try eval(isa, rri(.shiftArithmeticRightImmAlt32, .a2, .a0, Int64(Int32.min)), a0: 31) == .max)
            #expect(try eval(isa, rri(.rotateRightImm32, .a2, .a0, 32), a0: 0x8000_0001) == 0xFFFF_FFFF_8000_0001)
            #expect(try eval(isa, rri(.rotateRightImmAlt64, .a2, .a0, 1), a0: 1) == 0x8000_0000_0000_0000)
        }
        let isa = InstructionSetKind.latest32
        #expect(try eval(isa, rrr(.shiftLogicalLeft32, .a2, .a0, .a1), a0: 1, a1: 31) == 0x8000_0000)
        #expect(try eval(isa, rrr(.shiftLogicalLeft32, .a2, .a0, .a1), a0: 1, a1: 32) == 1)
        #expect(try eval(isa, rrr(.shiftLogicalLeft32, .a2, .a0, .a1), a0: 1, a1: 0xFFFF_FFE1) == 2)
        #expect(try eval(isa, rrr(.shiftArithmeticRight32, .a2, .a0, .a1), a0: 0x8000_0000, a1: 31) == 0xFFFF_FFFF)
        #expect(try eval(isa, rrr(.rotateLeft32, .a2, .a0, .a1), a0: 0x8000_0000, a1: 33) == 1)
    }

    @Test func signExtensionOf32BitResults() throws {
        for isa in isas64 {
            #expect(try eval(isa, rrr(.add32, .a2, .a0, .a1), a0: 0x7FFF_FFFF, a1: 1) == 0xFFFF_FFFF_8000_0000)
            #expect(try eval(isa, rrr(.add32, .a2, .a0, .a1), a0: 0xFFFF_FFFF, a1: 1) == 0)
            #expect(try eval(isa, rrr(.sub32, .a2, .a0, .a1), a0: 0, a1: 1) == .max)
            #expect(try eval(isa, rrr(.mul32, .a2, .a0, .a1), a0: 0x1_0000_0003, a1: 0x4000_0000) == 0xFFFF_FFFF_C000_0000)
            #expect(try eval(isa, rri(.addImm32, .a2, .a0, 0), a0: 0x1_8000_0000) == 0xFFFF_FFFF_8000_0000)
            #expect(try eval(isa, rri(.addImm64, .a2, .a0, -1), a0: 0x1_0000_0000) == 0xFFFF_FFFF)
            #expect(try eval(isa, rri(.negateAndAddImm32, .a2, .a0, 0), a0: 0x8000_0000) == 0xFFFF_FFFF_8000_0000)
            #expect(try eval(isa, rri(.mulImm32, .a2, .a0, -1), a0: 1) == .max)
            #expect(try eval(isa, rri(.andImm, .a2, .a0, -1), a0: 0xDEAD_BEEF_0000_0001) == 0xDEAD_BEEF_0000_0001)
            #expect(try eval(isa, rri(.setLessThanUnsignedImm, .a2, .a0, -1), a0: 0xFFFF_FFFF) == 1)
            #expect(try eval(isa, rri(.setGreaterThanUnsignedImm, .a2, .a0, -1), a0: .max) == 0)
            #expect(try eval(isa, rri(.setLessThanSignedImm, .a2, .a0, 0), a0: 0x8000_0000) == 0)
            #expect(try eval(isa, rr(.countSetBits32, .a2, .a0), a0: .max) == 32)
            #expect(try eval(isa, rr(.countLeadingZeroBits32, .a2, .a0), a0: 0x1_0000_0000) == 32)
            #expect(try eval(isa, rr(.countTrailingZeroBits32, .a2, .a0), a0: 0x1_0000_0000) == 32)
            #expect(try eval(isa, rr(.countLeadingZeroBits64, .a2, .a0), a0: 0) == 64)
            #expect(try eval(isa, rr(.countTrailingZeroBits64, .a2, .a0), a0: 0x8000_0000_0000_0000) == 63)
            #expect(try eval(isa, rr(.signExtend8, .a2, .a0), a0: 0x1234_5680) == 0xFFFF_FFFF_FFFF_FF80)
            #expect(try eval(isa, rr(.signExtend16, .a2, .a0), a0: 0x7FFF) == 0x7FFF)
            #expect(try eval(isa, rr(.zeroExtend16, .a2, .a0), a0: 0xFFFF_FFFF_FFFF_8000) == 0x8000)
            #expect(try eval(isa, rr(.reverseByte, .a2, .a0), a0: 0x0102_0304_0506_0708) == 0x0807_0605_0403_0201)
        }
        let isa = InstructionSetKind.latest32
        #expect(try eval(isa, rrr(.add32, .a2, .a0, .a1), a0: 0x7FFF_FFFF, a1: 1) == 0x8000_0000)
        #expect(try eval(isa, rr(.reverseByte, .a2, .a0), a0: 0x0102_0304) == 0x0403_0201)
        #expect(try eval(isa, rr(.signExtend8, .a2, .a0), a0: 0x80) == 0xFFFF_FF80)
        #expect(try eval(isa, loadImm(.a2, -1)) == 0xFFFF_FFFF)
        #expect(try eval(isa, rri(.orImm, .a2, .a0, Int64(Int32.min)), a0: 1) == 0x8000_0001)
    }

    @Test func mulUpper() throws {
        for isa in isas64 {
            #expect(try eval(isa, rrr(.mulUpperUnsignedUnsigned, .a2, .a0, .a1), a0: .max, a1: .max) == 0xFFFF_FFFF_FFFF_FFFE)
            #expect(try eval(isa, rrr(.mulUpperSignedSigned, .a2, .a0, .a1), a0: .max, a1: .max) == 0)
            #expect(try eval(isa, rrr(.mulUpperSignedSigned, .a2, .a0, .a1), a0: 0x8000_0000_0000_0000, a1: 0x8000_0000_0000_0000) == 0x4000_0000_0000_0000)
            #expect(try eval(isa, rrr(.mulUpperSignedSigned, .a2, .a0, .a1), a0: .max, a1: 1) == .max)
            // −1 · (2^64 − 1) = −2^64 + 1 → floor(·/2^64) = −1.
            #expect(try eval(isa, rrr(.mulUpperSignedUnsigned, .a2, .a0, .a1), a0: .max, a1: .max) == .max)
            #expect(try eval(isa, rrr(.mulUpperSignedUnsigned, .a2, .a0, .a1), a0: 2, a1: .max) == 1)
            #expect(try eval(isa, rrr(.mulUpperUnsignedUnsigned, .a2, .a0, .a1), a0: 0x1_0000_0000, a1: 0x1_0000_0000) == 1)
        }
        let isa = InstructionSetKind.latest32
        #expect(try eval(isa, rrr(.mulUpperUnsignedUnsigned, .a2, .a0, .a1), a0: 0xFFFF_FFFF, a1: 0xFFFF_FFFF) == 0xFFFF_FFFE)
        #expect(try eval(isa, rrr(.mulUpperSignedSigned, .a2, .a0, .a1), a0: 0xFFFF_FFFF, a1: 0xFFFF_FFFF) == 0)
        #expect(try eval(isa, rrr(.mulUpperSignedUnsigned, .a2, .a0, .a1), a0: 0xFFFF_FFFF, a1: 0xFFFF_FFFF) == 0xFFFF_FFFF)
        #expect(try eval(isa, rrr(.mulUpperSignedSigned, .a2, .a0, .a1), a0: 0x8000_0000, a1: 0x8000_0000) == 0x4000_0000)
    }

    @Test func conditionalMoves() throws {
        for isa in allISAs {
            let w = Width(isa)
            for cond: UInt64 in [0, 1, 0x1_0000_0000] {
                let vm = try instance(try code([rrr(.cmovIfZero, .a2, .a0, .a1), rri(.cmovIfNotZeroImm, .a3, .a1, -5), ret], isa: isa).code)
                vm[.a0] = 77; vm[.a1] = cond; vm[.a2] = 11; vm[.a3] = 22
                #expect(vm.run() == .finished)
                let isZero = w.reduce(cond) == 0
                #expect(vm[.a2] == (isZero ? 77 : 11), "\(isa) cond \(hex(cond))")
                #expect(vm[.a3] == (isZero ? 22 : w.w(-5)), "\(isa) cond \(hex(cond))")
            }
        }
    }

    @Test func latest32RegistersAre32Bit() throws {
        let vm = try instance(try code([rrr(.add32, .a2, .a0, .a1), ret], isa: .latest32).code)
        vm[.a0] = 0xFFFF_FFFF_FFFF_FFFF
        vm[.a1] = 0x1_0000_0002
        #expect(vm[.a0] == 0xFFFF_FFFF)
        #expect(vm[.a1] == 2)
        #expect(vm.run() == .finished)
        #expect(vm[.a2] == 1)
    }
}
