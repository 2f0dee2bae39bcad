import Testing

import PolkaVM

/// Jumps, branches, dynamic jumps, fall-through and running off the code (SPEC §4.5–§4.8, §8.2).
@Suite struct ControlFlowTests {
    static let takenOnly = ExecutionSemantics(
        branchChecksBothEdges: false, fallthroughOffEnd: .trapAtFallthrough, readOnlyWrite: .pageFault,
        straddlingFaultRule: .upstream, trapFaultsBelow: 0x4000, validatesWholeProgram: false)
    static let presets: [(String, ExecutionSemantics)] = [
        ("polkavm", .polkavm), ("grayPaper080", .grayPaper080), ("w3fV04", .w3fV04), ("gasModelDraft", .gasModelDraft),
    ]

    // MARK: Branches

    /// `[branch → @3, a2 = 1, ret, @3: a2 = 2, ret]`: a2 says which edge was taken.
    private func branchProgram(_ branch: Instruction, isa: InstructionSetKind) throws -> (ProgramCode, [UInt32]) {
        try code([(branch, .instruction(3)), (loadImm(.a2, 1), nil), (ret, nil), (loadImm(.a2, 2), nil), (ret, nil)], isa: isa)
    }

    @Test(arguments: allISAs)
    func everyBranchAgainstTheModel(isa: InstructionSetKind) throws {
        let w = Width(isa)
        let values = operands(for: isa)
        let regOps = Opcode.allCases.filter { $0.operandKind == .regRegOffset && isa.contains($0) }
        let immOps = Opcode.allCases.filter { $0.isBranch && $0.operandKind == .regImmOffset && isa.contains($0) }
        #expect(regOps.count == 6 && immOps.count == 10)
        var failures: [String] = []
        var cases = 0
        func check(_ vm: Instance, _ offsets: [UInt32], _ what: String, taken: Bool) {
            cases += 1
            let r = vm.run(from: 0)
            let expectedPC = taken ? offsets[4] : offsets[2]
            if r != .finished || vm.programCounter != expectedPC || vm[.a2] != (taken ? 2 : 1) {
                failures.append("\(what): \(r) pc \(String(describing: vm.programCounter)) a2 \(vm[.a2]), taken should be \(taken)")
            }
        }
        for op in regOps {
            let (c, offsets) = try branchProgram(Instruction(op, regA: Reg.a0.rawValue, regB: Reg.a1.rawValue), isa: isa)
            let vm = try instance(c)
            for a in values {
                for b in values {
                    vm[.a0] = a; vm[.a1] = b
                    let taken = SpecModel.branchTaken(op, w, lhs: vm[.a0], rhs: vm[.a1])!
                    check(vm, offsets, "\(op) \(hex(a)) \(hex(b))", taken: taken)
                }
            }
            // Same register on both sides.
            let (c2, offsets2) = try branchProgram(Instruction(op, regA: Reg.a0.rawValue, regB: Reg.a0.rawValue), isa: isa)
            let vm2 = try instance(c2)
            vm2[.a0] = 5
            check(vm2, offsets2, "\(op) a0 a0", taken: SpecModel.branchTaken(op, w, lhs: 5, rhs: 5)!)
        }
        for op in immOps {
            for i in boundaryImmediates {
                let (c, offsets) = try branchProgram(Instruction(op, regA: Reg.a0.rawValue, imm1: imm(Int64(i))), isa: isa)
                let vm = try instance(c)
                for a in values {
                    vm[.a0] = a
                    let taken = SpecModel.branchTaken(op, w, lhs: vm[.a0], rhs: w.w(i))!
                    check(vm, offsets, "\(op) \(hex(a)) imm \(i)", taken: taken)
                }
            }
        }
        #expect(cases > 6 * values.count * values.count)
        #expect(failures.count == 0, "\(isa): e.g. \(failures.prefix(8))")
    }

    @Test func immediateBranchesCompareAgainstTheSignExtendedImmediate() throws {
        // branch_less_unsigned_imm a0, -1: a0 < 2^64 − 1 (not < 0xFFFFFFFF) in 64-bit ISAs.
        for isa in isas64 {
            let (c, _) = try branchProgram(Instruction(.branchLessUnsignedImm, regA: Reg.a0.rawValue, imm1: imm(-1)), isa: isa)
            let vm = try instance(c)
            vm[.a0] = 0x1_0000_0000
            #expect(vm.run() == .finished)
            #expect(vm[.a2] == 2)
        }
        let (c, _) = try branchProgram(Instruction(.branchLessUnsignedImm, regA: Reg.a0.rawValue, imm1: imm(-1)), isa: .latest32)
        let vm = try instance(c)
        vm[.a0] = 0xFFFF_FFFF
        #expect(vm.run() == .finished)
        #expect(vm[.a2] == 1)
    }

    @Test func spellingOfTheSpecBranchExample() throws {
        // `branch_eq_imm a0, 5, @4` at pc 10 is `51 17 05 fa` (SPEC appendix A); here at pc 10 after 10 traps...
        // ...except that pc 4 must be a valid target: trap at 3 makes 4 one. Code: 0..9 traps, 10: branch, 14: trap.
        var bytes = [UInt8](repeating: 0, count: 10)
        bytes += [0x51, 0x17, 0x05, 0xFA, 0x00]
        let c = rawCode(bytes, starts: Array(0..<10) + [10, 14], isa: .jamV1)
        let vm = try instance(c, pc: 10)
        vm[.a0] = 5
        #expect(vm.run() == .trap)
        #expect(vm.programCounter == 4)
        vm[.a0] = 6
        #expect(vm.run(from: 10) == .trap)
        #expect(vm.programCounter == 14)
    }

    @Test func branchEdgesUnderEveryPreset() throws {
        // 0: branch_eq_imm a0, 0 → @3 (invalid: follows load_imm); 1: a2 = 1; 2: a3 = 3; 3: ret.
        let items: [(Instruction, LayoutTarget?)] = [
            (Instruction(.branchEqImm, regA: Reg.a0.rawValue), .instruction(3)), (loadImm(.a2, 1), nil), (loadImm(.a3, 3), nil), (ret, nil),
        ]
        let (c, offsets) = try code(items, isa: .latest64)
        for (name, semantics) in Self.presets {
            for a0: UInt64 in [0, 1] {
                let vm = try instance(c, config(semantics: semantics))
                vm[.a0] = a0
                #expect(vm.run() == .trap, "\(name)")
                #expect(vm.programCounter == 0, "\(name): trap at the branch")
                #expect(vm[.a2] == 0)
            }
        }
        // GP 0.7.2 mode: only a taken edge is checked.
        let vm = try instance(c, config(semantics: Self.takenOnly))
        vm[.a0] = 1
        #expect(vm.run() == .finished)
        #expect(vm.programCounter == offsets[3])
        #expect(vm[.a2] == 1 && vm[.a3] == 3)
        vm[.a0] = 0
        vm[.a2] = 0
        #expect(vm.run(from: 0) == .trap)
        #expect(vm.programCounter == 0)
        #expect(vm[.a2] == 0)
    }

    @Test func branchAsTheLastInstruction() throws {
        // 0: jump → @2; 1: ret; 2: branch_eq_imm a0, 0 → @1 (its fall-through is the code end).
        let items: [(Instruction, LayoutTarget?)] = [
            (Instruction(.jump), .instruction(2)), (ret, nil), (Instruction(.branchEqImm, regA: Reg.a0.rawValue), .instruction(1)),
        ]
        let (c, offsets) = try code(items, isa: .jamV1)
        let end = UInt32(c.count)
        for (name, semantics) in Self.presets {
            for a0: UInt64 in [0, 1] {
                let vm = try instance(c, config(gas: true, semantics: semantics), gas: 100)
                vm[.a0] = a0
                #expect(vm.run() == .trap, "\(name)")
                if semantics.validatesWholeProgram {
                    // A final branch fails whole-program validation: trap at the entry, nothing charged.
                    #expect(vm.programCounter == 0, "\(name)")
                    #expect(vm.gas == 100, "\(name)")
                } else {
                    #expect(vm.programCounter == offsets[2], "\(name)")
                    #expect(vm.gas == 98, "\(name): two one-instruction blocks charged")
                }
            }
        }
        let vm = try instance(c, config(gas: true, semantics: Self.takenOnly), gas: 100)
        vm[.a0] = 0
        #expect(vm.run() == .finished)
        #expect(vm.programCounter == offsets[1])
        #expect(vm.gas == 97)
        vm.gas = 100
        vm[.a0] = 1
        #expect(vm.run(from: 0) == .trap)
        #expect(vm.programCounter == end, "not taken: the implicit invalid at the code end traps")
        #expect(vm.gas == 97, "jump, branch and the implicit invalid are three blocks")
    }

    // MARK: Static jumps

    @Test(arguments: allISAs)
    func jumpTargets(isa: InstructionSetKind) throws {
        // 0: jump → T; 1: a0 = 1 (valid: after jump); 2: a1 = 2 (invalid: after load_imm); 3: ret; 4: trap; 5: a2 = 5; 6: ret
        func run(_ target: LayoutTarget) throws -> (Interrupt, Instance, [UInt32]) {
            let items: [(Instruction, LayoutTarget?)] = [
                (Instruction(.jump), target), (loadImm(.a0, 1), nil), (loadImm(.a1, 2), nil), (ret, nil), (trap, nil),
                (loadImm(.a2, 5), nil), (ret, nil),
            ]
            let (c, offsets) = try code(items, isa: isa)
            let vm = try instance(c)
            return (vm.run(), vm, offsets)
        }
        var (r, vm, offsets) = try run(.instruction(1))
        #expect(r == .finished && vm[.a0] == 1 && vm[.a1] == 2 && vm.programCounter == offsets[3])
        (r, vm, offsets) = try run(.instruction(5))
        #expect(r == .finished && vm[.a2] == 5 && vm[.a0] == 0)
        for bad: LayoutTarget in [.instruction(2), .instruction(3), .pc(offsets[1] + 1), .pc(1000), .pc(0xFFFF_FFFF)] {
            (r, vm, _) = try run(bad)
            #expect(r == .trap, "\(isa) jump to \(bad)")
            #expect(vm.programCounter == 0, "\(isa) the trap is reported at the jump")
            #expect(vm[.a0] == 0 && vm[.a1] == 0)
        }
    }

    @Test func jumpToOffsetZeroLoopsUntilOutOfGas() throws {
        let (c, _) = try code([(Instruction(.jump), .instruction(0))], isa: .latest64)
        let vm = try instance(c, config(gas: true), gas: 10)
        #expect(vm.run() == .outOfGas)
        #expect(vm.gas == 0)
        #expect(vm.programCounter == 0)
    }

    @Test func targetAfterAnUndefinedOpcodeIsNotValid() throws {
        // 0: jump → 2; 2: undefined byte 0xFF (a block end, but not a terminator); 3: ret.
        // Offset 2 follows the jump, so it is a valid target; the undefined opcode then traps at its own pc.
        let c = rawCode([40, 2, 0xFF, 0x32, 0x00], starts: [0, 2, 3], isa: .latest64)
        let vm = try instance(c)
        #expect(vm.run() == .trap)
        #expect(vm.programCounter == 2)
        // Offset 3 follows the undefined opcode: not a valid target, the jump itself traps.
        let c2 = rawCode([40, 3, 0xFF, 0x32, 0x00], starts: [0, 2, 3], isa: .latest64)
        let vm2 = try instance(c2)
        #expect(vm2.run() == .trap)
        #expect(vm2.programCounter == 0)
        // But a host entry there is fine (the undefined opcode ends the block before it).
        #expect(vm2.run(from: 3) == .finished)
    }

    @Test func loadImmAndJump() throws {
        for isa in allISAs {
            let items: [(Instruction, LayoutTarget?)] = [
                (Instruction(.loadImmAndJump, regA: Reg.a0.rawValue, imm1: imm(-2)), .instruction(2)), (trap, nil), (ret, nil),
            ]
            let (c, offsets) = try code(items, isa: isa)
            let vm = try instance(c)
            #expect(vm.run() == .finished)
            #expect(vm[.a0] == Width(isa).w(-2))
            #expect(vm.programCounter == offsets[2])
            // Invalid target (index 2 follows load_imm when jumping to it from a program where 1 is not a terminator).
            let bad: [(Instruction, LayoutTarget?)] = [
                (Instruction(.loadImmAndJump, regA: Reg.a0.rawValue, imm1: imm(7)), .instruction(2)), (loadImm(.a1, 1), nil), (loadImm(.a1, 2), nil), (ret, nil),
            ]
            let vm2 = try instance(try code(bad, isa: isa).code)
            #expect(vm2.run() == .trap)
            #expect(vm2.programCounter == 0)
            #expect(vm2[.a0] == 7, "rA is written even when the jump traps")
            #expect(vm2[.a1] == 0)
        }
    }

    // MARK: Dynamic jumps

    /// 0: jump_indirect a0, imm; 1: trap; 2: a1 = 1 (jt[0], valid); 3: ret; 4: a2 = 2 (jt[1], not a block start... follows ret: valid)
    private func djumpProgram(_ isa: InstructionSetKind, imm i: Int64 = 0) throws -> (ProgramCode, [UInt32]) {
        let items: [(Instruction, LayoutTarget?)] = [
            (ri(.jumpIndirect, .a0, i), nil), (trap, nil), (loadImm(.a1, 1), nil), (ret, nil), (loadImm(.a2, 2), nil),
            (loadImm(.a3, 3), nil), (ret, nil),
        ]
        // jt[0] = 2 (after trap), jt[1] = 4 (after ret), jt[2] = 5 (after load_imm: not a valid target), jt[3] = code end.
        return try code(items, isa: isa, jumpTable: [.instruction(2), .instruction(4), .instruction(5), .instruction(7)])
    }

    @Test(arguments: allISAs)
    func jumpIndirect(isa: InstructionSetKind) throws {
        let (c, offsets) = try djumpProgram(isa)
        func go(_ a0: UInt64) throws -> (Interrupt, Instance) {
            let vm = try instance(c)
            vm[.a0] = a0
            return (vm.run(), vm)
        }
        var (r, vm) = try go(2)
        #expect(r == .finished && vm[.a1] == 1 && vm.programCounter == offsets[3])
        (r, vm) = try go(4)
        #expect(r == .finished && vm[.a2] == 2 && vm[.a3] == 3 && vm[.a1] == 0)
        (r, vm) = try go(haltAddress)
        #expect(r == .finished && vm.programCounter == 0, "\(isa): return to host reports the jump_indirect")
        for bad: UInt64 in [0, 1, 3, 6, 8, 10, 0xFFFF_0001, 0xFFFF_FFFE, 0x7FFF_FFFE] {
            (r, vm) = try go(bad)
            #expect(r == .trap, "\(isa) djump(\(hex(bad)))")
            #expect(vm.programCounter == 0)
            #expect(vm[.a1] == 0 && vm[.a2] == 0)
        }
        if isa.is64Bit {
            // The address is u32(rA + imm): high bits are dropped.
            (r, vm) = try go(0x1_0000_0002)
            #expect(r == .finished && vm[.a1] == 1)
            (r, vm) = try go(0xFFFF_FFFF_FFFF_0000)
            #expect(r == .finished && vm.programCounter == 0)
        }
        // Wrap-around of rA + imm.
        let (c2, _) = try djumpProgram(isa, imm: -2)
        let vm2 = try instance(c2)
        vm2[.a0] = 4
        #expect(vm2.run() == .finished && vm2[.a1] == 1)
        let vm3 = try instance(c2)
        vm3[.a0] = 0xFFFF_0002
        #expect(vm3.run() == .finished && vm3.programCounter == 0)
        let vm4 = try instance(c2)
        vm4[.a0] = 1
        #expect(vm4.run() == .trap, "u32(1 − 2) = 0xFFFFFFFF is odd")
    }

    @Test func loadImmAndJumpIndirectUsesTheOldBase() throws {
        for isa in allISAs {
            // 0: load_imm_and_jump_indirect a0, a0, 99, 0; 1: trap; 2: ret (jt[0])
            let items: [(Instruction, LayoutTarget?)] = [
                (Instruction(.loadImmAndJumpIndirect, regA: Reg.a0.rawValue, regB: Reg.a0.rawValue, imm1: imm(99), imm2: 0), nil),
                (trap, nil), (ret, nil),
            ]
            let (c, offsets) = try code(items, isa: isa, jumpTable: [.instruction(2)])
            let vm = try instance(c)
            vm[.a0] = 2
            #expect(vm.run() == .finished, "\(isa)")
            #expect(vm.programCounter == offsets[2])
            #expect(vm[.a0] == 99)
            // Distinct registers and a non-zero offset: a ← u32(a1 + 4) = 2.
            let items2: [(Instruction, LayoutTarget?)] = [
                (Instruction(.loadImmAndJumpIndirect, regA: Reg.a0.rawValue, regB: Reg.a1.rawValue, imm1: imm(-1), imm2: imm(4)), nil),
                (trap, nil), (ret, nil),
            ]
            let (c2, _) = try code(items2, isa: isa, jumpTable: [.instruction(2)])
            let vm2 = try instance(c2)
            vm2[.a1] = UInt64(bitPattern: -2) & Width(isa).mask
            #expect(vm2.run() == .finished)
            #expect(vm2[.a0] == Width(isa).mask)
            // A failing dynamic jump still writes rA.
            vm2[.a1] = 0
            vm2[.a0] = 0
            #expect(vm2.run(from: 0) == .trap)
            #expect(vm2.programCounter == 0)
            #expect(vm2[.a0] == Width(isa).mask)
        }
    }

    // MARK: Fall-through and the end of the code

    @Test func fallthroughAtTheEnd() throws {
        let (c, offsets) = try code([loadImm(.a0, 1), fallthroughInst], isa: .latest64)
        let end = UInt32(c.count)
        // .trapAtFallthrough (polkavm, grayPaper080): trap at the fallthrough; only block 0 is charged.
        let vm0 = try instance(c, config(gas: true, semantics: .polkavm), gas: 10)
        #expect(vm0.run() == .trap)
        #expect(vm0.programCounter == offsets[1])
        #expect(vm0.gas == 8)
        #expect(vm0[.a0] == 1)
        // grayPaper080 validates the whole program first: a final fallthrough is invalid, so the entry traps
        // at the requested pc without charging gas or running anything (§4.10).
        let vmGP = try instance(c, config(gas: true, semantics: .grayPaper080), gas: 10)
        #expect(vmGP.run() == .trap)
        #expect(vmGP.programCounter == 0)
        #expect(vmGP.gas == 10)
        #expect(vmGP[.a0] == 0)
        // .trapAtCodeEnd (w3fV04, gasModelDraft): a one-instruction block at N is charged, then traps at N.
        for semantics in [ExecutionSemantics.w3fV04, .gasModelDraft] {
            let vm = try instance(c, config(gas: true, semantics: semantics), gas: 10)
            #expect(vm.run() == .trap)
            #expect(vm.programCounter == end)
            #expect(vm.gas == 7)
            // Out of gas exactly there, then resume.
            let vm2 = try instance(c, config(gas: true, semantics: semantics), gas: 2)
            #expect(vm2.run() == .outOfGas)
            #expect(vm2.programCounter == end)
            #expect(vm2.gas == 0)
            vm2.gas = 1
            #expect(vm2.run() == .trap)
            #expect(vm2.programCounter == end)
            #expect(vm2.gas == 0)
        }
    }

    @Test func fallthroughIntoAFollowingBlock() throws {
        let (c, offsets) = try code([loadImm(.a0, 1), fallthroughInst, loadImm(.a1, 2), ret], isa: .jamV1)
        let vm = try instance(c, config(gas: true), gas: 10)
        #expect(vm.run() == .finished)
        #expect(vm.programCounter == offsets[3])
        #expect(vm[.a0] == 1 && vm[.a1] == 2)
        #expect(vm.gas == 6)
    }

    @Test func runningOffTheEnd() throws {
        for isa in allISAs {
            let (c, _) = try code([rri(.addImm32, .a0, .a0, 1)], isa: isa)
            let vm = try instance(c, config(gas: true), gas: 2)
            #expect(vm.run() == .trap)
            #expect(vm.programCounter == UInt32(c.count), "\(isa): the implicit invalid is at the code length")
            #expect(vm.gas == 0, "the implicit invalid belongs to the block")
            #expect(vm[.a0] == 1)
            let vm2 = try instance(c, config(gas: true), gas: 1)
            #expect(vm2.run() == .outOfGas)
            #expect(vm2.programCounter == 0)
            #expect(vm2.gas == 1)
            #expect(vm2[.a0] == 0)
        }
    }

    @Test func gapsHaveImplicitInvalidInstructions() throws {
        // add_imm_32 a0, a0, 1 at 0 followed by 30 bytes and a trap at 31: skip(0) = 24, next = 25 has no start.
        for (semantics, name) in [(ExecutionSemantics.polkavm, "polkavm"), (.w3fV04, "w3fV04")] {
            var bytes: [UInt8] = [131, 0x77] + [UInt8](repeating: 0x11, count: 29)
            bytes.append(0)
            let c = rawCode(bytes, starts: [0, 31], isa: .latest64)
            let vm = try instance(c, config(gas: true, semantics: semantics), gas: 10)
            #expect(vm.run() == .trap, "\(name)")
            #expect(vm.programCounter == 25, "\(name): trap at pc + 25")
            #expect(vm.gas == 8)
            // The immediate is capped at 4 bytes: 0x11111111.
            #expect(vm[.a0] == 0x1111_1111)
            // fallthrough into a gap: the implicit invalid is a new one-instruction block.
            var bytes2: [UInt8] = [1] + [UInt8](repeating: 0, count: 30)
            bytes2.append(0)
            let c2 = rawCode(bytes2, starts: [0, 31], isa: .latest64)
            let vm2 = try instance(c2, config(gas: true, semantics: semantics), gas: 10)
            #expect(vm2.run() == .trap)
            #expect(vm2.programCounter == 25)
            #expect(vm2.gas == 8)
        }
    }

    @Test func hostEntryAtANonInstructionStartTraps() throws {
        let (c, _) = try code([loadImm(.a0, 0x1234), ret], isa: .latest64)
        for pc: UInt32 in [1, 2, UInt32(c.count), 1000] {
            let vm = try instance(c, config(gas: true), pc: pc, gas: 10)
            #expect(vm.run() == .trap)
            #expect(vm.programCounter == pc)
            #expect(vm.gas == 10, "no gas charged")
            #expect(vm[.a0] == 0)
        }
        // A start whose block start is more than 25 bytes back cannot be entered.
        let bytes: [UInt8] = [131, 0x77] + [UInt8](repeating: 0x11, count: 29) + [0x32, 0x00]
        let c2 = rawCode(bytes, starts: [0, 31], isa: .latest64)
        let vm = try instance(c2, config(gas: true), pc: 31, gas: 10)
        #expect(vm.run() == .trap)
        #expect(vm.programCounter == 31)
        #expect(vm.gas == 10)
    }

    @Test func trapInstruction() throws {
        for isa in allISAs {
            let (c, offsets) = try code([loadImm(.a0, 1), trap, loadImm(.a0, 2), ret], isa: isa)
            let vm = try instance(c)
            #expect(vm.run() == .trap)
            #expect(vm.programCounter == offsets[1])
            #expect(vm[.a0] == 1)
            // A trap is not resumable: running again without a new pc traps again.
            #expect(vm.run() == .trap)
            #expect(vm[.a0] == 1)
            #expect(vm.run(from: offsets[2]) == .finished)
            #expect(vm[.a0] == 2)
        }
    }

    @Test func reportsZeroPCOnExit() throws {
        var semantics = ExecutionSemantics.polkavm
        semantics.reportsZeroPCOnExit = true
        let (c, _) = try code([loadImm(.a0, 1), trap, ret], isa: .latest64)
        let vm = try instance(c, config(semantics: semantics))
        #expect(vm.run() == .trap)
        #expect(vm.programCounter == 0)
        #expect(vm.run(from: 4) == .finished)
        #expect(vm.programCounter == 0)
    }
}
