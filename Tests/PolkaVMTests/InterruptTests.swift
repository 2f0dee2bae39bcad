import Testing

import PolkaVM

/// Interrupts and resumption (SPEC §8): ecalli, finished/trap, host changes between runs, step tracing.
@Suite struct InterruptTests {
    @Test(arguments: allISAs)
    func ecalliResumesAfterItWithoutExtraGas(isa: InstructionSetKind) throws {
        let (c, offsets) = try code([loadImm(.a0, 1), ecalli(7), rri(.addImm32, .a1, .a0, 1), ret], isa: isa)
        let vm = try instance(c, config(gas: true), gas: 10)
        #expect(vm.run() == .ecalli(7))
        #expect(vm.programCounter == offsets[1])
        #expect(vm.nextProgramCounter == offsets[2])
        #expect(vm.lastHostCall == 7)
        #expect(vm.gas == 6, "ecalli does not end the block: one charge of 4")
        #expect(vm[.a0] == 1 && vm[.a1] == 0)
        // The host changes a register; the guest sees it.
        vm[.a0] = 41
        #expect(vm.run() == .finished)
        #expect(vm[.a1] == 42)
        #expect(vm.gas == 6, "resuming after ecalli charges nothing")
        #expect(vm.programCounter == offsets[3])
    }

    @Test func ecalliNumbers() throws {
        for (n, want) in [(0, 0), (0x7F, 0x7F), (0x1234, 0x1234), (-1, 0xFFFF_FFFF), (Int64(Int32.min), 0x8000_0000)] as [(Int64, UInt32)] {
            let vm = try instance(try code([ecalli(n), ret], isa: .jamV1).code)
            #expect(vm.run() == .ecalli(want))
            #expect(vm.lastHostCall == want)
        }
        // SPEC example: [ecalli 0, ret] costs 2 in total, however long the host takes.
        let vm = try instance(try code([ecalli(0), ret], isa: .latest64).code, config(gas: true), gas: 2)
        #expect(vm.run() == .ecalli(0))
        #expect(vm.gas == 0)
        #expect(vm.run() == .finished)
        #expect(vm.gas == 0)
    }

    @Test func settingThePcAfterEcalliIsAHostEntry() throws {
        let (c, offsets) = try code([ecalli(1), loadImm(.a0, 5), ret], isa: .latest64)
        let vm = try instance(c, config(gas: true), gas: 10)
        #expect(vm.run() == .ecalli(1))
        #expect(vm.gas == 7)
        vm.setNextProgramCounter(offsets[1])
        #expect(vm.run() == .finished)
        #expect(vm.gas == 4, "the containing block is charged again in full")
        #expect(vm[.a0] == 5)
    }

    @Test func hostRedirectsAndChangesGasBetweenRuns() throws {
        // 0: ecalli 0; a0 = 1; ret | 3: trap | 4: a0 = 2; ret
        let (c, offsets) = try code([ecalli(0), loadImm(.a0, 1), ret, trap, loadImm(.a0, 2), ret], isa: .latest64)
        let vm = try instance(c, config(gas: true), gas: 100)
        #expect(vm.run() == .ecalli(0))
        vm.setNextProgramCounter(offsets[4])
        vm.gas = 50
        #expect(vm.run() == .finished)
        #expect(vm[.a0] == 2)
        #expect(vm.gas == 48)
        // After finishing, running again without a pc is a host error: trap.
        #expect(vm.run() == .trap)
        #expect(vm[.a0] == 2)
        #expect(vm.gas == 48)
        #expect(vm.run(from: offsets[3]) == .trap)
        #expect(vm.programCounter == offsets[3])
        #expect(vm.nextProgramCounter == nil)
    }

    @Test func registerWritesAreTruncatedInLatest32() throws {
        let vm = try instance(try code([ecalli(0), rri(.addImm32, .a1, .a0, 0), ret], isa: .latest32).code)
        #expect(vm.run() == .ecalli(0))
        vm[.a0] = 0xFFFF_FFFF_8000_0001
        #expect(vm[.a0] == 0x8000_0001)
        #expect(vm.run() == .finished)
        #expect(vm[.a1] == 0x8000_0001)
    }

    // MARK: Step tracing

    /// A program with several blocks, a loop, memory and an ecalli.
    private func sampleProgram(_ isa: InstructionSetKind) throws -> (ProgramCode, [UInt32]) {
        let items: [(Instruction, LayoutTarget?)] = [
            (loadImm(.a0, 3), nil), (loadImm(.a1, 0), nil), (fallthroughInst, nil),
            (rrr(.add32, .a1, .a1, .a0), nil), (rri(.addImm32, .a0, .a0, -1), nil), (ecalli(5), nil),
            (Instruction(.branchNotEqImm, regA: Reg.a0.rawValue), .instruction(3)),
            (ri(.storeU32, .a1, 0x20000), nil), (ri(.loadU16, .a2, 0x20000), nil), (ret, nil),
        ]
        return try code(items, isa: isa)
    }

    private struct Final: Equatable {
        var registers: [UInt64]
        var gas: Int64
        var memory: [UInt8]
        var pc: UInt32?
    }

    private func runToEnd(_ vm: Instance, record: inout [UInt32]) throws -> Final {
        var runs = 0
        while true {
            runs += 1
            guard runs < 1000 else { throw TestFailure("no end") }
            let r = vm.run()
            switch r {
            case .step: record.append(vm.programCounter ?? .max)
            case .ecalli: continue
            case .finished:
                return Final(registers: vm.registers, gas: vm.gas, memory: try vm.readMemory(at: 0x20000, count: 8), pc: vm.programCounter)
            default: throw TestFailure("unexpected \(r)")
            }
        }
    }

    @Test(arguments: allISAs)
    func steppingGivesTheSameFinalState(isa: InstructionSetKind) throws {
        let (c, offsets) = try sampleProgram(isa)
        func fresh(step: Bool) throws -> Instance {
            let vm = try instance(c, config(gas: true, step: step), gas: 1000)
            vm.mapMemory(address: 0x20000, length: 0x1000, writable: true)
            return vm
        }
        var none: [UInt32] = []
        let plain = try runToEnd(try fresh(step: false), record: &none)
        #expect(none.isEmpty)
        var steps: [UInt32] = []
        let stepped = try runToEnd(try fresh(step: true), record: &steps)
        #expect(stepped == plain)
        #expect(plain.registers[Int(Reg.a1.rawValue)] == 6 && plain.registers[Int(Reg.a2.rawValue)] == 6)
        // One step before every executed instruction, in order.
        let loop = [offsets[3], offsets[4], offsets[5], offsets[6]]
        let trace = [offsets[0], offsets[1], offsets[2]] + loop + loop + loop + [offsets[7], offsets[8], offsets[9]]
        #expect(steps == trace, "\(isa)")
    }

    @Test func hostEntryChargesThenSteps() throws {
        // Block 0 = [a0 = 1, fallthrough] (2), block 1 = [a1 = 2, ret] (2).
        let (c, offsets) = try code([loadImm(.a0, 1), fallthroughInst, loadImm(.a1, 2), ret], isa: .latest64)
        let vm = try instance(c, config(gas: true, step: true), gas: 10)
        #expect(vm.run() == .step)
        #expect(vm.programCounter == 0)
        #expect(vm.gas == 8, "a host entry charges the block first, then steps")
        #expect(vm[.a0] == 0, "a step does not execute anything")
        #expect(vm.run() == .step)
        #expect(vm.programCounter == offsets[1])
        #expect(vm[.a0] == 1)
        var runs = 0
        var r = vm.run()
        while r == .step && runs < 10 { r = vm.run(); runs += 1 }
        #expect(r == .finished)
        #expect(runs == 2, "steps at the last two instructions")
        #expect(vm[.a1] == 2 && vm.gas == 6)
        // A host entry in the middle of a block also charges first.
        let vm2 = try instance(c, config(gas: true, step: true), pc: offsets[3], gas: 10)
        #expect(vm2.run() == .step)
        #expect(vm2.programCounter == offsets[3])
        #expect(vm2.gas == 8)
        #expect(vm2.run() == .finished)
    }

    @Test
    func stepComesBeforeTheChargeOfABlockEnteredByControlFlow() throws {
        let (c, offsets) = try code([loadImm(.a0, 1), fallthroughInst, loadImm(.a1, 2), ret], isa: .latest64)
        let vm = try instance(c, config(gas: true, step: true), gas: 10)
        #expect(vm.run() == .step)
        #expect(vm.run() == .step)
        // Executing the fallthrough enters block 1: the .step at its start comes before its charge.
        #expect(vm.run() == .step)
        #expect(vm.programCounter == offsets[2])
        #expect(vm.gas == 8)
        #expect(vm[.a1] == 0)
        // With too little gas the step is followed by outOfGas at the same pc.
        let vm2 = try instance(c, config(gas: true, step: true), gas: 3)
        #expect(vm2.run() == .step)
        #expect(vm2.run() == .step)
        #expect(vm2.run() == .step)
        #expect(vm2.programCounter == offsets[2])
        #expect(vm2.gas == 1)
        #expect(vm2.run() == .outOfGas)
        #expect(vm2.programCounter == offsets[2])
        #expect(vm2.gas == 1)
        vm2.gas = 2
        var r = vm2.run()
        var runs = 0
        while r == .step && runs < 10 { r = vm2.run(); runs += 1 }
        #expect(r == .finished)
        #expect(vm2[.a1] == 2 && vm2.gas == 0)
    }
}
