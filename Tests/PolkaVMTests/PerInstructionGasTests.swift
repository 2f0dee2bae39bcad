import Testing

import PolkaVM

/// ExecutionSemantics.grayPaper072: one gas unit before each instruction (SPEC §7, §10).
@Suite struct PerInstructionGasTests {
    func instance(_ instructions: [Instruction], semantics: ExecutionSemantics = .grayPaper072, gas: Int64) throws -> Instance {
        let code = try InstructionEncoder.programCode(instructions, isa: .latest64)
        let module = try Module(engine: testEngine, code: code,
                                configuration: ModuleConfiguration(gasMetering: .sync, semantics: semantics, dynamicPaging: true))
        let vm = module.instantiate()
        vm.setRegister(.ra, haltAddress)
        vm.gas = gas
        vm.setNextProgramCounter(0)
        return vm
    }

    @Test func eachInstructionCostsOneUnitAndOutOfGasStopsBeforeIt() throws {
        let program = [loadImm(.a0, 1), loadImm(.a1, 2), ret]
        let enough = try instance(program, gas: 3)
        #expect(enough.run() == .finished)
        #expect(enough.gas == 0)
        #expect(enough.programCounter == 0)  // GP 0.7.2 reports pc 0 on halt

        let short = try instance(program, gas: 2)
        #expect(short.run() == .outOfGas)
        #expect(short.gas == 0)
        #expect(short.register(.a0) == 1)
        #expect(short.register(.a1) == 2)
        #expect(short.programCounter == 6)  // stopped before `ret` (2 + 4 bytes in)
        short.gas = 1
        #expect(short.run() == .finished)
    }

    @Test func aFaultingInstructionGetsItsUnitBackOnlyUnderTheTag072Rule() throws {
        let program = [loadImm(.a0, 0x20000), rri(.storeIndirectU32, .a1, .a0, 0), ret]
        let tag = try instance(program, gas: 10)
        #expect(tag.run() == .pageFault(address: 0x20000))
        #expect(tag.gas == 9)  // the load_imm's unit only
        tag.mapMemory(address: 0x20000, length: 0x1000, writable: true)
        #expect(tag.run() == .finished)
        #expect(tag.gas == 7)

        var main = ExecutionSemantics.grayPaper072
        main.chargesFaultingInstruction = true
        let afterPR497 = try instance(program, semantics: main, gas: 10)
        #expect(afterPR497.run() == .pageFault(address: 0x20000))
        #expect(afterPR497.gas == 8)
    }

    @Test func blockGranularityChargesTheWholeBlockUpFront() throws {
        var semantics = ExecutionSemantics.grayPaper072
        semantics.gasGranularity = .block
        let vm = try instance([loadImm(.a0, 1), loadImm(.a1, 2), ret], semantics: semantics, gas: 2)
        #expect(vm.run() == .outOfGas)
        #expect(vm.gas == 2)
        #expect(vm.register(.a0) == 0)
    }
}

/// ModuleConfiguration.maximumHeapSize bounds what a guest can take with `sbrk`.
@Suite struct HeapLimitTests {
    @Test func sbrkFailsBeyondTheConfiguredLimit() throws {
        let blob = try Assembler.assemble("""
        %rw_data_size = 16
        %stack_size = 4096
        pub @grow:
            a0 = sbrk a0
            ret
        """, isa: .latest64)
        let module = try Module(engine: testEngine, blob: blob, configuration: ModuleConfiguration(maximumHeapSize: 0x10000))
        let vm = module.instantiate()
        let base = try #require(vm.sbrk(0))
        #expect(try vm.call("grow", [0x8000]).a0 == UInt64(base) + 0x8000)
        #expect(try vm.call("grow", [0x9000]).a0 == 0)  // would exceed 64 KiB in total
        #expect(try vm.call("grow", [0x8000]).a0 == UInt64(base) + 0x10000)
        #expect(vm.heapSize == 0x10000)
        #expect(vm.sbrk(1) == nil)
    }
}

/// GasMetering.async: the unpaid block is still deducted and the run cannot be resumed.
@Suite struct AsyncGasTests {
    @Test func exhaustionDeductsTheBlockAndEndsTheRun() throws {
        let code = try InstructionEncoder.programCode([loadImm(.a0, 1), fallthroughInst, loadImm(.a1, 2), loadImm(.a2, 3), ret], isa: .latest64)
        let module = try Module(engine: testEngine, code: code, configuration: ModuleConfiguration(gasMetering: .async, dynamicPaging: true))
        let vm = module.instantiate()
        vm.setRegister(.ra, haltAddress)
        vm.gas = 4  // block 1 costs 2, block 2 costs 3
        vm.setNextProgramCounter(0)
        #expect(vm.run() == .outOfGas)
        #expect(vm.gas == -1)
        #expect(vm.register(.a0) == 1)
        #expect(vm.register(.a1) == 0)
        #expect(vm.nextProgramCounter == nil)
        vm.gas = 100
        #expect(vm.run() == .trap)  // nothing to resume; the host must set a new pc
        vm.setNextProgramCounter(4)
        #expect(vm.run() == .finished)
        #expect(vm.register(.a2) == 3)
        #expect(vm.gas == 97)
    }

    @Test func syncLeavesGasAndPcAtTheBlockStart() throws {
        let code = try InstructionEncoder.programCode([loadImm(.a0, 1), fallthroughInst, loadImm(.a1, 2), loadImm(.a2, 3), ret], isa: .latest64)
        let module = try Module(engine: testEngine, code: code, configuration: ModuleConfiguration(gasMetering: .sync, dynamicPaging: true))
        let vm = module.instantiate()
        vm.setRegister(.ra, haltAddress)
        vm.gas = 4
        vm.setNextProgramCounter(0)
        #expect(vm.run() == .outOfGas)
        #expect(vm.gas == 2)
        #expect(vm.programCounter == 4)  // the second block starts after load_imm (3 bytes) and fallthrough
        vm.gas = 3
        #expect(vm.run() == .finished)
    }
}
