import Testing

import PolkaVM

/// Assembled blobs with data sections, other page sizes, aux data, dynamic paging of a container, and a
/// check that the instruction tables of the other suites cover every opcode.
@Suite struct LayoutTests {
    static let source = """
        %ro_data_size = 0x1234
        %ro_data = 01 02 03 04
        %rw_data_size = 0x4321
        %rw_data = a0 a1
        %stack_size = 0x3000
        pub @read_ro:
            a0 = u32 [a0]
            ret
        pub @write:
            u8 [a0] = a1
            ret
        pub @read_rw:
            a0 = u16 [a0]
            ret
        """

    @Test func assembledBlobWithDataSections() throws {
        let blob = try Assembler.assemble(Self.source, isa: .latest64)
        #expect(blob.roDataSize == 0x1234 && blob.rwDataSize == 0x4321 && blob.stackSize == 0x3000)
        let module = try Module(engine: testEngine, bytes: blob.serialized(), configuration: config(paging: false))
        let vm = module.instantiate()
        #expect(try vm.call("read_ro", [0x10000]).a0 == 0x0403_0201)
        #expect(try vm.call("read_ro", [0x11FFC]).a0 == 0)
        #expect(try vm.call("read_rw", [0x30000]).a0 == 0xA1A0)
        #expect(try vm.call("write", [0x30001, 0x1FF]).a0 == 0x30001)
        #expect(try vm.call("read_rw", [0x30000]).a0 == 0xFFA0)
        // Writes to RO data and reads one past the regions trap.
        for (name, args) in [("write", [0x10000, 1]), ("read_ro", [0x11FFD]), ("read_rw", [0x34FFF]), ("write", [0x35000, 1])] as [(String, [UInt64])] {
            let error = callError { _ = try vm.call(name, args) }
            var matched = false
            if case .trap? = error { matched = true }
            #expect(matched, "\(name) \(args): \(String(describing: error))")
        }
        #expect(try vm.readMemory(at: 0x10000, count: 1) == [1])
    }

    @Test func largerPageSize() throws {
        // SPEC §6.3 upstream example: P = 0x4000, sizes 1/1/1: RO 0x10000 (0x4000 bytes), RW at 0x30000, heap_base 0x30001,
        // stack 0xFFFDC000…0xFFFE0000.
        let blob = ProgramBlob(isa: .latest64, roDataSize: 1, rwDataSize: 1, stackSize: 1, code: try code([ri(.loadU8, .a0, 0x13FFF), ret], isa: .latest64).code)
        let module = try Module(engine: testEngine, bytes: blob.serialized(), configuration: config(paging: false, pageSize: 0x4000))
        let map = try #require(module.memoryMap)
        #expect(map.heapBase == 0x30001 && map.stackAddressLow == 0xFFFD_C000 && map.stackAddressHigh == 0xFFFE_0000)
        let vm = module.instantiate()
        try vm.prepareCall(pc: 0, arguments: [])
        #expect(vm.run() == .finished)
        #expect(vm.isMemoryAccessible(address: 0x13FFF, length: 1, writable: false))
        #expect(!vm.isMemoryAccessible(address: 0x14000, length: 1, writable: false))
        #expect(vm.isMemoryAccessible(address: 0x33FFF, length: 1, writable: true))
        #expect(vm.isMemoryAccessible(address: 0xFFFD_C000, length: 0x4000, writable: true))
        #expect(!vm.isMemoryAccessible(address: 0xFFFD_BFFF, length: 1, writable: false))
    }

    @Test func auxDataIsReadOnlyForTheGuest() throws {
        let items = [ri(.loadU32, .a0, 0xFFFE_0000 - 0x1_0000_0000), ret, ri(.storeU8, .a0, 0xFFFE_0000 - 0x1_0000_0000), ret]
        let (c, offsets) = try code(items, isa: .latest64)
        let blob = ProgramBlob(isa: .latest64, stackSize: 0x1000, code: c)
        var configuration = config(paging: false)
        configuration.auxDataSize = 0x1000
        let module = try Module(engine: testEngine, bytes: blob.serialized(), configuration: configuration)
        let map = try #require(module.memoryMap)
        // aux_address = 0xFFFF0000 − alignG(0x1000); stack_high = aux_address − 0x10000.
        #expect(map.auxDataAddress == 0xFFFE_0000)
        #expect(map.stackAddressHigh == 0xFFFD_0000)
        let vm = module.instantiate()
        try vm.write(UInt32(0xA0A1_A2A3), at: 0xFFFE_0000)
        try vm.prepareCall(pc: 0, arguments: [])
        #expect(vm[.sp] == 0xFFFD_0000)
        #expect(vm.run() == .finished)
        #expect(vm[.a0] == 0xA0A1_A2A3)
        try vm.prepareCall(pc: offsets[2], arguments: [])
        #expect(vm.run() == .trap)
        #expect(vm.programCounter == offsets[2])
        #expect(try vm.read(UInt32.self, at: 0xFFFE_0000) == 0xA0A1_A2A3)
    }

    @Test func containerWithDynamicPaging() throws {
        let blob = try Assembler.assemble(Self.source, isa: .latest64)
        let module = try Module(engine: testEngine, bytes: blob.serialized(), configuration: config(paging: true))
        let vm = module.instantiate()
        // Memory starts empty: the low-level run faults on the RO page...
        try vm.prepareCall(pc: try #require(module.export(named: "read_ro")).pc, arguments: [0x10000])
        #expect(vm.run() == .pageFault(address: 0x10000))
        // ...which the host maps and fills, then resumes.
        vm.mapMemory(address: 0x10000, length: 0x1000, writable: false)
        try vm.writeMemory([9, 8, 7, 6], at: 0x10000)
        #expect(vm.run() == .finished)
        #expect(vm[.a0] == 0x0607_0809)
        // The high-level call maps standard-layout pages on demand (RW data filled from the blob).
        let vm2 = module.instantiate()
        #expect(try vm2.call("read_rw", [0x30000]).a0 == 0xA1A0)
        #expect(try vm2.call("read_ro", [0x10000]).a0 == 0x0403_0201)
        // A fault outside the layout is reported.
        let error = callError { _ = try vm2.call("read_rw", [0x8000_0000]) }
        var matched = false
        if case .pageFault(address: 0x8000_0000, _)? = error { matched = true }
        #expect(matched, "\(String(describing: error))")
    }

    @Test func everyOpcodeBelongsToATestedGroup() {
        // The table-driven suites cover these groups; a new opcode must be added to one of them.
        let control: Set<Opcode> = [.trap, .fallthrough, .ecalli, .jump, .jumpIndirect, .loadImmAndJump, .loadImmAndJumpIndirect, .unlikely, .memset, .sbrk]
        let memory: Set<Opcode> = Set(MemoryTestsTables.loads.flatMap { [$0.0, $0.1] } + MemoryTestsTables.stores.flatMap { [$0.0, $0.1, $0.2, $0.3] })
        var grouped = control.union(memory).union([.loadImm, .loadImm64])
        for op in Opcode.allCases {
            switch op.operandKind {
            case .regRegReg, .regRegOffset: grouped.insert(op)
            case .regRegImm where !memory.contains(op): grouped.insert(op)
            case .regReg where op != .sbrk: grouped.insert(op)
            case .regImmOffset where op.isBranch: grouped.insert(op)
            default: break
            }
        }
        let all = Set(Opcode.allCases).subtracting([.invalid])
        #expect(all.subtracting(grouped).isEmpty, "untested: \(all.subtracting(grouped))")
        #expect(all.count == 141, "Latest64 has every opcode")
        for isa in allISAs {
            #expect(all.filter { isa.contains($0) }.count == [.reviveV1: 138, .latest32: 106, .latest64: 141, .jamV1: 139][isa])
        }
    }
}

/// The load/store tables, shared with ``LayoutTests``.
enum MemoryTestsTables {
    static let loads: [(Opcode, Opcode)] = [
        (.loadU8, .loadIndirectU8), (.loadI8, .loadIndirectI8), (.loadU16, .loadIndirectU16), (.loadI16, .loadIndirectI16),
        (.loadU32, .loadIndirectU32), (.loadI32, .loadIndirectI32), (.loadU64, .loadIndirectU64),
    ]
    static let stores: [(Opcode, Opcode, Opcode, Opcode)] = [
        (.storeU8, .storeIndirectU8, .storeImmU8, .storeImmIndirectU8), (.storeU16, .storeIndirectU16, .storeImmU16, .storeImmIndirectU16),
        (.storeU32, .storeIndirectU32, .storeImmU32, .storeImmIndirectU32), (.storeU64, .storeIndirectU64, .storeImmU64, .storeImmIndirectU64),
    ]
}
