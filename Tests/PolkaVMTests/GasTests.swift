import Testing

import PolkaVM

/// Gas: per-block charging at entry, out of gas and resuming, host entries mid-block, cost models (SPEC §7).
@Suite struct GasTests {
    /// Block 0 = [a0 = 1, a1 = 2, fallthrough] (3), block 1 = [a2 = 3, ret] (2).
    private func twoBlocks(_ isa: InstructionSetKind = .latest64) throws -> (ProgramCode, [UInt32]) {
        try code([loadImm(.a0, 1), loadImm(.a1, 2), fallthroughInst, loadImm(.a2, 3), ret], isa: isa)
    }

    @Test(arguments: allISAs)
    func chargedPerBlockAtEntry(isa: InstructionSetKind) throws {
        let (c, offsets) = try twoBlocks(isa)
        let vm = try instance(c, config(gas: true), gas: 5)
        #expect(vm.run() == .finished)
        #expect(vm.gas == 0)
        #expect(vm[.a0] == 1 && vm[.a1] == 2 && vm[.a2] == 3)
        // Not enough for the first block: nothing runs, nothing is charged.
        let vm2 = try instance(c, config(gas: true), gas: 2)
        #expect(vm2.run() == .outOfGas)
        #expect(vm2.gas == 2)
        #expect(vm2.programCounter == 0)
        #expect(vm2[.a0] == 0)
        // Enough for the first block only: out of gas exactly at the second block's start.
        let vm3 = try instance(c, config(gas: true), gas: 4)
        #expect(vm3.run() == .outOfGas)
        #expect(vm3.programCounter == offsets[3])
        #expect(vm3.nextProgramCounter == offsets[3])
        #expect(vm3.gas == 1, "a failed charge leaves the gas unchanged")
        #expect(vm3[.a0] == 1 && vm3[.a1] == 2 && vm3[.a2] == 0)
        // Resume after adding gas: the charge is retried.
        #expect(vm3.run() == .outOfGas)
        #expect(vm3.gas == 1)
        vm3.gas += 1
        #expect(vm3.run() == .finished)
        #expect(vm3.gas == 0)
        #expect(vm3[.a2] == 3)
    }

    @Test func specExamples() throws {
        // [fallthrough, add_imm_32, jump_indirect ra]: gas 3 finishes with 0; gas 2 stops at pc 1 with 1.
        let (c, offsets) = try code([fallthroughInst, rri(.addImm32, .a0, .a0, 1), ret], isa: .latest64)
        let vm = try instance(c, config(gas: true), gas: 3)
        #expect(vm.run() == .finished)
        #expect(vm.gas == 0)
        let vm2 = try instance(c, config(gas: true), gas: 2)
        #expect(vm2.run() == .outOfGas)
        #expect(vm2.programCounter == offsets[1] && offsets[1] == 1)
        #expect(vm2.gas == 1)
    }

    @Test func hostEntryMidBlockChargesTheWholeBlock() throws {
        let (c, offsets) = try code([loadImm(.a0, 1), loadImm(.a1, 2), loadImm(.a2, 3), loadImm(.a3, 4), ret], isa: .latest64)
        for k in 0..<5 {
            let vm = try instance(c, config(gas: true), pc: offsets[k], gas: 5)
            #expect(vm.run() == .finished)
            #expect(vm.gas == 0, "entry at instruction \(k) costs the whole block")
            #expect(vm[.a0] == (k == 0 ? 1 : 0), "instructions before the entry do not run")
            #expect(vm[.a3] == (k <= 3 ? 4 : 0))
        }
        // Out of gas at a mid-block host entry reports the requested pc.
        let vm = try instance(c, config(gas: true), pc: offsets[2], gas: 4)
        #expect(vm.run() == .outOfGas)
        #expect(vm.programCounter == offsets[2])
        #expect(vm.gas == 4)
        #expect(vm[.a2] == 0)
        vm.gas = 5
        #expect(vm.run() == .finished)
        #expect(vm.gas == 0)
        #expect(vm[.a0] == 0 && vm[.a1] == 0 && vm[.a2] == 3 && vm[.a3] == 4)
    }

    @Test func negativeGasStopsAtOnce() throws {
        let (c, offsets) = try twoBlocks()
        let vm = try instance(c, config(gas: true), gas: -1)
        #expect(vm.run() == .outOfGas)
        #expect(vm.gas == -1)
        #expect(vm[.a0] == 0)
        // After an ecalli, a negative gas ends the next run at once too.
        let (c2, _) = try code([ecalli(1), loadImm(.a0, 9), ret], isa: .latest64)
        let vm2 = try instance(c2, config(gas: true), gas: 10)
        #expect(vm2.run() == .ecalli(1))
        vm2.gas = -5
        #expect(vm2.run() == .outOfGas)
        #expect(vm2[.a0] == 0)
        #expect(vm2.gas == -5)
        vm2.gas = 0
        #expect(vm2.run() == .finished, "the block was already paid for")
        #expect(vm2[.a0] == 9)
        _ = offsets
    }

    @Test func meteringOff() throws {
        let (c, _) = try twoBlocks()
        let vm = try instance(c, config(gas: false), gas: 0)
        #expect(vm.run() == .finished)
        #expect(vm.gas == 0)
        #expect(vm[.a2] == 3)
        // memset costs nothing either.
        let vm3 = try instance(try code([Instruction(.memset), ret], isa: .latest64).code, config(gas: false), gas: 1)
        vm3.mapMemory(address: 0x20000, length: 0x1000, writable: true)
        vm3[.a0] = 0x20000; vm3[.a1] = 1; vm3[.a2] = 100
        #expect(vm3.run() == .finished)
        #expect(vm3.gas == 1)
        #expect(vm3[.a2] == 0)
    }

    @Test
    func meteringOffIgnoresNegativeGas() throws {
        // §1.4/§7.1: gas is only a counter when metering is on; with metering off nothing is accounted or checked.
        // (The interpreter itself skips the `gas < 0` check at the start of a run when metering is off, but its
        // block-entry charge of cost 0 still compares `gas < 0`.)
        let (c, _) = try twoBlocks()
        let vm = try instance(c, config(gas: false), gas: -7)
        #expect(vm.run() == .finished)
        #expect(vm.gas == -7)
        #expect(vm[.a2] == 3)
    }

    @Test func fullCostModelWorkedExample() throws {
        // SPEC appendix B: JamV1 `33 07 05 95 77 01 32 00`, bitmask 0x49; block cost 22 under the full model, 3 simple.
        let c = rawCode([0x33, 0x07, 0x05, 0x95, 0x77, 0x01, 0x32, 0x00], starts: [0, 3, 6], isa: .jamV1)
        for (model, cost) in [(GasCostModel.upstreamFull, 22), (.grayPaper080, 22), (.simple, 3)] as [(GasCostModel, Int64)] {
            let module = try Module(engine: testEngine, code: c, configuration: config(gas: true, cost: model))
            #expect(module.blockGasCosts().map(\.pc) == [0])
            #expect(module.blockGasCosts().map(\.cost) == [UInt32(cost)])
            let vm = module.instantiate()
            vm[.ra] = haltAddress
            vm.gas = 100
            vm.setNextProgramCounter(0)
            #expect(vm.run() == .finished)
            #expect(vm.programCounter == 6)
            #expect(vm[.a0] == 6)
            #expect(vm.gas == 100 - cost)
        }
    }

    @Test func cmovDestinationKnob() throws {
        // [div_unsigned_64 a2, a0, a1; cmov_if_zero a2 ← a3 if a4 = 0; ret]: the cmov waits for the 60-cycle div only when
        // its destination counts as a source (GP 0.8.0): 62 vs 60 (values double-checked with the reference oracle).
        let (c, _) = try code([rrr(.divUnsigned64, .a2, .a0, .a1), rrr(.cmovIfZero, .a2, .a3, .a4), ret], isa: .jamV1)
        #expect(c.blockGasCosts(model: .grayPaper080).map(\.cost) == [62])
        #expect(c.blockGasCosts(model: .upstreamFull).map(\.cost) == [60])
        for (model, cost) in [(GasCostModel.grayPaper080, Int64(62)), (.upstreamFull, 60)] {
            let vm = try instance(c, config(gas: true, cost: model), gas: 1000)
            #expect(vm.run() == .finished)
            #expect(vm.gas == 1000 - cost)
        }
    }

    @Test(arguments: [GasCostModel.simple, .upstreamFull, .grayPaper080])
    func chargesMatchBlockGasCosts(model: GasCostModel) throws {
        // 0: a0 = 3; fallthrough | loop: a0 -= 1; branch a0 != 0 → loop | ret
        let items: [(Instruction, LayoutTarget?)] = [
            (loadImm(.a0, 3), nil), (fallthroughInst, nil), (rri(.addImm64, .a0, .a0, -1), nil),
            (Instruction(.branchNotEqImm, regA: Reg.a0.rawValue), .instruction(2)), (ret, nil),
        ]
        let (c, offsets) = try code(items, isa: .jamV1)
        let costs = Dictionary(uniqueKeysWithValues: c.blockGasCosts(model: model).map { ($0.pc, Int64($0.cost)) })
        #expect(costs.keys.sorted() == [0, Int(offsets[2]), Int(offsets[4])])
        if model == .simple { #expect(costs.values.sorted() == [1, 2, 2]) }
        let expected = costs[0]! + 3 * costs[Int(offsets[2])]! + costs[Int(offsets[4])]!
        let vm = try instance(c, config(gas: true, cost: model), gas: 10_000)
        #expect(vm.run() == .finished)
        #expect(vm.gas == 10_000 - expected)
        // Out of gas exactly before the last block, then resumed.
        let vm2 = try instance(c, config(gas: true, cost: model), gas: expected - 1)
        #expect(vm2.run() == .outOfGas)
        #expect(vm2.programCounter == offsets[4])
        #expect(vm2.gas == costs[Int(offsets[4])]! - 1)
        vm2.gas += 1
        #expect(vm2.run() == .finished)
        #expect(vm2.gas == 0)
    }

    @Test func trapAndFaultDoNotRefund() throws {
        // A fault in the middle of a block: the whole block was charged on entry, nothing is refunded or recharged.
        let (c, _) = try code([loadImm(.a0, 1), loadImm(.a1, 1), ri(.loadU8, .a2, 0x20000), loadImm(.a3, 1), ret], isa: .latest64)
        let vm = try instance(c, config(gas: true), gas: 10)
        #expect(vm.run() == .pageFault(address: 0x20000))
        #expect(vm.gas == 5, "the whole 5-instruction block is charged up front")
        vm.mapMemory(address: 0x20000, length: 0x1000, writable: true)
        #expect(vm.run() == .finished)
        #expect(vm.gas == 5)
    }
}
