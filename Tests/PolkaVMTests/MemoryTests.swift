import Testing

import PolkaVM

/// Loads, stores, paged and static memory, faults, sbrk and memset (SPEC §5.2, §6).
@Suite struct MemoryTests {
    static let pattern: [UInt8] = [0x81, 0x92, 0xA3, 0xB4, 0xC5, 0xD6, 0xE7, 0xF8, 0x09, 0x1A]

    static let loads: [(Opcode, Opcode, Int, Bool)] = [
        (.loadU8, .loadIndirectU8, 1, false), (.loadI8, .loadIndirectI8, 1, true), (.loadU16, .loadIndirectU16, 2, false),
        (.loadI16, .loadIndirectI16, 2, true), (.loadU32, .loadIndirectU32, 4, false), (.loadI32, .loadIndirectI32, 4, true),
        (.loadU64, .loadIndirectU64, 8, false),
    ]
    static let stores: [(Opcode, Opcode, Opcode, Opcode, Int)] = [
        (.storeU8, .storeIndirectU8, .storeImmU8, .storeImmIndirectU8, 1), (.storeU16, .storeIndirectU16, .storeImmU16, .storeImmIndirectU16, 2),
        (.storeU32, .storeIndirectU32, .storeImmU32, .storeImmIndirectU32, 4), (.storeU64, .storeIndirectU64, .storeImmU64, .storeImmIndirectU64, 8),
    ]

    /// The little-endian value of `n` pattern bytes, sign- or zero-extended, at width W.
    private func expectedLoad(_ n: Int, signed: Bool, _ w: Width, from bytes: [UInt8] = pattern) -> UInt64 {
        var v: UInt64 = 0
        for k in 0..<n { v |= UInt64(bytes[k]) << (8 * k) }
        if signed && n < 8 {
            let shift = UInt64(64 - 8 * n)
            v = UInt64(bitPattern: Int64(bitPattern: v << shift) >> shift)
        }
        return w.reduce(v)
    }

    private func paged(_ items: [Instruction], isa: InstructionSetKind, semantics: ExecutionSemantics = .polkavm, gas: Int64? = nil) throws -> Instance {
        let vm = try instance(try code(items + [ret], isa: isa).code, config(gas: gas != nil, semantics: semantics), gas: gas ?? 0)
        vm.mapMemory(address: 0x20000, length: 0x2000, writable: true)
        return vm
    }

    // MARK: Every load and store

    @Test(arguments: allISAs)
    func everyLoad(isa: InstructionSetKind) throws {
        let w = Width(isa)
        var covered = 0
        for (absolute, indirect, n, signed) in Self.loads {
            #expect(isa.contains(absolute) == (isa.is64Bit || n < 4 || signed), "\(isa) \(absolute)")
            #expect(isa.contains(indirect) == isa.contains(absolute))
            guard isa.contains(absolute) else { continue }
            let want = expectedLoad(n, signed: signed, w)
            // Absolute.
            var vm = try paged([ri(absolute, .a2, 0x20FF8)], isa: isa)
            try vm.writeMemory(Self.pattern, at: 0x20FF8)
            vm[.a2] = 0x77
            #expect(vm.run() == .finished)
            #expect(vm[.a2] == want, "\(isa) \(absolute): \(hex(vm[.a2])) want \(hex(want))")
            // Indirect, positive and negative offsets, and a base whose sum wraps modulo 2^32.
            for (base, offset) in [(0x20000, 0xFF8), (0x21000, -8), (0x20FF8, 0), (0xFFFF_FFFF_0002_0FF0, 8), (0x1_0000_0000, 0x20FF8)] as [(UInt64, Int64)] {
                vm = try paged([rri(indirect, .a2, .a1, offset)], isa: isa)
                try vm.writeMemory(Self.pattern, at: 0x20FF8)
                vm[.a1] = base
                #expect(vm.run() == .finished, "\(isa) \(indirect) \(hex(base)) + \(offset)")
                #expect(vm[.a2] == want, "\(isa) \(indirect) \(hex(base)) + \(offset)")
                #expect(vm[.a1] == w.reduce(base))
            }
            // rA = rB.
            vm = try paged([rri(indirect, .a1, .a1, 8)], isa: isa)
            try vm.writeMemory(Self.pattern, at: 0x20FF8)
            vm[.a1] = 0x20FF0
            #expect(vm.run() == .finished)
            #expect(vm[.a1] == want)
            covered += 1
        }
        #expect(covered == (isa.is64Bit ? 7 : 5))
    }

    @Test(arguments: allISAs)
    func everyStore(isa: InstructionSetKind) throws {
        let w = Width(isa)
        let value: UInt64 = 0x1122_3344_5566_7788
        for (reg, indirect, immediate, immIndirect, n) in Self.stores {
            let present = isa.is64Bit || n < 8
            for op in [reg, indirect, immediate, immIndirect] { #expect(isa.contains(op) == present, "\(isa) \(op)") }
            guard present else { continue }
            func check(_ vm: Instance, _ expected: UInt64, _ what: String) throws {
                #expect(vm.run() == .finished, "\(isa) \(what)")
                let bytes = try vm.readMemory(at: 0x20100, count: 9)
                let want = (0..<n).map { UInt8(truncatingIfNeeded: expected >> (8 * $0)) } + [UInt8](repeating: 0xEE, count: 9 - n)
                #expect(bytes == want, "\(isa) \(what)")
            }
            var vm = try paged([ri(reg, .a0, 0x20100)], isa: isa)
            try vm.writeMemory([UInt8](repeating: 0xEE, count: 9), at: 0x20100)
            vm[.a0] = value
            try check(vm, w.reduce(value), "\(reg)")
            vm = try paged([rri(indirect, .a0, .a1, -0x100)], isa: isa)
            try vm.writeMemory([UInt8](repeating: 0xEE, count: 9), at: 0x20100)
            vm[.a0] = value
            vm[.a1] = 0x20200
            try check(vm, w.reduce(value), "\(indirect)")
            // The immediate is sign-extended (matters for the 64-bit store).
            vm = try paged([ii(immediate, 0x20100, -2)], isa: isa)
            try vm.writeMemory([UInt8](repeating: 0xEE, count: 9), at: 0x20100)
            try check(vm, UInt64(bitPattern: -2), "\(immediate)")
            vm = try paged([rii(immIndirect, .a0, 0x100, 0x1234_5678)], isa: isa)
            try vm.writeMemory([UInt8](repeating: 0xEE, count: 9), at: 0x20100)
            vm[.a0] = 0x20000
            try check(vm, 0x1234_5678, "\(immIndirect)")
        }
    }

    // MARK: Paged mode faults

    @Test func pageFaultIsResumable() throws {
        for isa in allISAs {
            let vm = try paged([loadImm(.a1, 1), ri(.loadU16, .a2, 0x30010), rri(.addImm32, .a1, .a1, 1)], isa: isa, gas: 100)
            vm[.a2] = 0x55
            #expect(vm.run() == .pageFault(address: 0x30000))
            #expect(vm.programCounter == 3, "\(isa): the faulting load")
            #expect(vm[.a2] == 0x55, "the destination is unchanged")
            #expect(vm[.a1] == 1)
            #expect(vm.gas == 96, "the whole block was charged once")
            // Resuming without mapping faults again.
            #expect(vm.run() == .pageFault(address: 0x30000))
            #expect(vm.gas == 96)
            vm.mapMemory(address: 0x30000, length: 0x1000, writable: false)
            try vm.writeMemory([0x34, 0x12], at: 0x30010)
            #expect(vm.run() == .finished)
            #expect(vm[.a2] == 0x1234)
            #expect(vm[.a1] == 2)
            #expect(vm.gas == 96, "resuming charges nothing")
        }
    }

    @Test func storeFaultWritesNothing() throws {
        let vm = try paged([loadImm64(.a0, 0x1122_3344_5566_7788), ri(.storeU64, .a0, 0x21FFC)], isa: .latest64)
        #expect(vm.run() == .pageFault(address: 0x22000))
        #expect(try vm.readMemory(at: 0x21FFC, count: 4) == [0, 0, 0, 0])
        vm.mapMemory(address: 0x22000, length: 0x1000, writable: true)
        #expect(vm.run() == .finished)
        #expect(try vm.read(UInt64.self, at: 0x21FFC) == 0x1122_3344_5566_7788)
    }

    @Test func readOnlyWrites() throws {
        let cases: [(ExecutionSemantics, Interrupt)] = [(.polkavm, .pageFault(address: 0x20000)), (.grayPaper080, .pageFault(address: 0x20000)), (.w3fV04, .trap), (.gasModelDraft, .trap)]
        for (semantics, expected) in cases {
            let vm = try paged([ii(.storeImmU32, 0x20010, 7)], isa: .latest64, semantics: semantics)
            vm.protectMemory(address: 0x20000, length: 0x1000, writable: false)
            #expect(vm.run() == expected)
            #expect(vm.programCounter == 0)
            #expect(try vm.read(UInt32.self, at: 0x20010) == 0)
            if expected != .trap {
                vm.protectMemory(address: 0x20000, length: 0x1000, writable: true)
                #expect(vm.run() == .finished)
                #expect(try vm.read(UInt32.self, at: 0x20010) == 7)
            }
            // Reads of read-only pages are fine.
            let vm2 = try paged([ri(.loadU32, .a0, 0x20010)], isa: .latest64, semantics: semantics)
            vm2.protectMemory(address: 0x20000, length: 0x1000, writable: false)
            try vm2.write(UInt32(9), at: 0x20010)
            #expect(vm2.run() == .finished)
            #expect(vm2[.a0] == 9)
        }
        // Custom: read-only writes trap under any preset-independent combination.
        var custom = ExecutionSemantics.polkavm
        custom.readOnlyWrite = .trap
        let vm = try paged([ii(.storeImmU8, 0x20010, 7)], isa: .jamV1, semantics: custom)
        vm.protectMemory(address: 0x20000, length: 0x1000, writable: false)
        #expect(vm.run() == .trap)
    }

    @Test func faultsBelowTheThresholdTrap() throws {
        // polkavm: below 0x4000 traps; gasModelDraft too; w3fV04 / grayPaper080: below 0x10000.
        let cases: [(ExecutionSemantics, UInt32, Interrupt)] = [
            (.polkavm, 0x3FFF, .trap), (.polkavm, 0x4000, .pageFault(address: 0x4000)), (.polkavm, 0xFFFF, .pageFault(address: 0xF000)),
            (.w3fV04, 0x4000, .trap), (.w3fV04, 0xFFFF, .trap), (.w3fV04, 0x10000, .pageFault(address: 0x10000)),
            (.grayPaper080, 0xF123, .trap), (.gasModelDraft, 0x3000, .trap), (.gasModelDraft, 0x5000, .pageFault(address: 0x5000)),
            (.polkavm, 0, .trap),
        ]
        for (semantics, address, expected) in cases {
            let vm = try paged([ri(.loadU8, .a0, Int64(Int32(bitPattern: address)))], isa: .latest64, semantics: semantics)
            #expect(vm.run() == expected, "\(hex(UInt64(address)))")
            #expect(vm.programCounter == 0)
        }
        var custom = ExecutionSemantics.polkavm
        custom.trapFaultsBelow = 0x30000
        let vm = try paged([ri(.loadU8, .a0, 0x2F000)], isa: .latest64, semantics: custom)
        vm.unmapMemory(address: 0x20000, length: 0x2000)
        #expect(vm.run() == .trap)
    }

    /// Misaligned addresses leave the handlers' aligned fast path; inside one page and across two
    /// mapped pages they still complete with the right value.
    @Test(arguments: [InstructionSetKind.latest32, .latest64])
    func misalignedAccesses(isa: InstructionSetKind) throws {
        let w = Width(isa)
        for (_, indirect, n, signed) in Self.loads where isa.contains(indirect) {
            for address in [0x20001, 0x20002, 0x20003, 0x20005, 0x20FFF - UInt64(n) + 1, 0x20FFF - UInt64(n) + 2, 0x20FFF] as [UInt64] {
                let vm = try paged([rri(indirect, .a2, .a1, 0)], isa: isa)
                try vm.writeMemory(Self.pattern, at: UInt32(address))
                vm[.a1] = address
                #expect(vm.run() == .finished, "\(indirect) at \(hex(address))")
                #expect(vm[.a2] == expectedLoad(n, signed: signed, w), "\(indirect) at \(hex(address))")
            }
        }
        for (_, indirect, _, _, n) in Self.stores where isa.contains(indirect) {
            for address in [0x20001, 0x20003, 0x20FFF - UInt64(n) + 2, 0x20FFF] as [UInt64] {
                let vm = try paged([rri(indirect, .a2, .a1, 0)], isa: isa)
                vm[.a1] = address
                vm[.a2] = w.reduce(0x1A09_F8E7_D6C5_B4A3)
                #expect(vm.run() == .finished, "\(indirect) at \(hex(address))")
                let bytes = try vm.readMemory(at: UInt32(address), count: n)
                #expect(bytes == Array([0xA3, 0xB4, 0xC5, 0xD6, 0xE7, 0xF8, 0x09, 0x1A].prefix(n)), "\(indirect) at \(hex(address))")
            }
        }
    }

    @Test func straddlingAccesses() throws {
        var gp = ExecutionSemantics.polkavm
        gp.straddlingFaultRule = .grayPaper
        func run(_ inst: Instruction, _ semantics: ExecutionSemantics, setup: (Instance) -> Void) throws -> (Interrupt, Instance) {
            let vm = try instance(try code([inst, ret], isa: .latest64).code, config(semantics: semantics))
            setup(vm)
            return (vm.run(), vm)
        }
        let load8 = ri(.loadU64, .a0, 0x20FFC), store8 = ri(.storeU64, .a0, 0x20FFC)
        for semantics in [ExecutionSemantics.polkavm, gp] {
            // Lower mapped, upper not → upper page.
            var (r, _) = try run(load8, semantics) { $0.mapMemory(address: 0x20000, length: 0x1000, writable: true) }
            #expect(r == .pageFault(address: 0x21000))
            // Both unmapped → lower.
            (r, _) = try run(load8, semantics) { _ in }
            #expect(r == .pageFault(address: 0x20000))
            // Upper mapped, lower not → lower.
            (r, _) = try run(load8, semantics) { $0.mapMemory(address: 0x21000, length: 0x1000, writable: true) }
            #expect(r == .pageFault(address: 0x20000))
            // Both mapped: fine, and the value spans both pages.
            let vm: Instance
            (r, vm) = try run(load8, semantics) { vm in
                vm.mapMemory(address: 0x20000, length: 0x2000, writable: false)
                try? vm.writeMemory(Self.pattern, at: 0x20FFC)
            }
            #expect(r == .finished)
            #expect(vm[.a0] == expectedLoad(8, signed: false, Width(.latest64)))
        }
        // A write with the lower page read-only and the upper unmapped: upstream reports the upper, GP the lower.
        var (r, vm) = try run(store8, .polkavm) { $0.mapMemory(address: 0x20000, length: 0x1000, writable: false) }
        #expect(r == .pageFault(address: 0x21000))
        (r, vm) = try run(store8, gp) { $0.mapMemory(address: 0x20000, length: 0x1000, writable: false) }
        #expect(r == .pageFault(address: 0x20000))
        var gpTrap = gp
        gpTrap.readOnlyWrite = .trap
        (r, vm) = try run(store8, gpTrap) { $0.mapMemory(address: 0x20000, length: 0x1000, writable: false) }
        #expect(r == .trap)
        // Both mapped, one read-only: the read-only one, under both rules.
        for semantics in [ExecutionSemantics.polkavm, gp] {
            (r, vm) = try run(store8, semantics) { vm in
                vm.mapMemory(address: 0x20000, length: 0x1000, writable: true)
                vm.mapMemory(address: 0x21000, length: 0x1000, writable: false)
            }
            #expect(r == .pageFault(address: 0x21000))
            #expect(try vm.readMemory(at: 0x20FFC, count: 4) == [0, 0, 0, 0], "no partial write")
            (r, vm) = try run(store8, semantics) { vm in
                vm.mapMemory(address: 0x20000, length: 0x1000, writable: false)
                vm.mapMemory(address: 0x21000, length: 0x1000, writable: true)
            }
            #expect(r == .pageFault(address: 0x20000))
            #expect(try vm.readMemory(at: 0x21000, count: 4) == [0, 0, 0, 0], "no partial write")
        }
        _ = vm
    }

    @Test func addressWrapAround() throws {
        var gp = ExecutionSemantics.polkavm
        gp.straddlingFaultRule = .grayPaper
        let load = rri(.loadIndirectU32, .a0, .a1, 0)
        // Upstream: an access past 2^32 faults on the last page...
        var vm = try instance(try code([load, ret], isa: .latest64).code)
        vm[.a1] = 0xFFFF_FFFE
        #expect(vm.run() == .pageFault(address: 0xFFFF_F000))
        // ...or traps if that page is mapped.
        vm.mapMemory(address: 0xFFFF_F000, length: 0x1000, writable: true)
        #expect(vm.run() == .trap)
        #expect(vm.programCounter == 0)
        // GP rule: the lowest inaccessible byte address (page 0 here, which is below the threshold: trap).
        vm = try instance(try code([load, ret], isa: .latest64).code, config(semantics: gp))
        vm.mapMemory(address: 0xFFFF_F000, length: 0x1000, writable: true)
        vm[.a1] = 0xFFFF_FFFE
        #expect(vm.run() == .trap)
        // The base register plus offset wraps modulo 2^32 (not an access past the end).
        vm = try instance(try code([rri(.loadIndirectU8, .a0, .a1, 0x10), ret], isa: .latest32).code)
        vm.mapMemory(address: 0x20000, length: 0x1000, writable: true)
        try vm.writeMemory([0x5A], at: 0x20008)
        vm[.a1] = 0x1FFF8
        #expect(vm.run() == .finished)
        #expect(vm[.a0] == 0x5A)
        vm[.a1] = 0xFFFF_FFF0
        vm.mapMemory(address: 0, length: 0x1000, writable: true)
        #expect(vm.run(from: 0) == .finished, "0xFFFFFFF0 + 0x10 wraps to 0")
        #expect(vm[.a0] == 0)
    }

    // MARK: Static (standard) memory layout

    /// A blob with RO, RW and stack regions whose code is `items` + ret.
    private func staticBlob(_ items: [Instruction], isa: InstructionSetKind = .latest64) throws -> ProgramBlob {
        ProgramBlob(
            isa: isa, roDataSize: 0x1234, rwDataSize: 0x4321, stackSize: 0x3000, roData: [1, 2, 3, 4, 5, 6, 7, 8],
            rwData: [0xA0, 0xA1, 0xA2, 0xA3], code: try code(items + [ret], isa: isa).code)
    }

    /// Runs a single access in the standard layout; returns the interrupt and the instance.
    private func staticAccess(_ inst: Instruction, isa: InstructionSetKind = .latest64, a1: UInt64 = 0) throws -> (Interrupt, Instance) {
        let vm = try instance(blob: try staticBlob([inst], isa: isa))
        vm[.a1] = a1
        vm[.a0] = 0xDEAD
        return (vm.run(), vm)
    }

    @Test func standardLayout() throws {
        let module = try Module(engine: testEngine, bytes: try staticBlob([]).serialized(), configuration: config(paging: false))
        let map = try #require(module.memoryMap)
        #expect(map.roDataAddress == 0x10000)
        #expect(map.rwDataAddress == 0x30000)
        #expect(map.heapBase == 0x34321)
        #expect(map.stackAddressHigh == 0xFFFE_0000)
        #expect(map.stackAddressLow == 0xFFFD_D000)
        let vm = module.instantiate()
        #expect(try vm.readMemory(at: 0x10000, count: 9) == [1, 2, 3, 4, 5, 6, 7, 8, 0])
        #expect(try vm.readMemory(at: 0x30000, count: 5) == [0xA0, 0xA1, 0xA2, 0xA3, 0])
        // prepareCall puts sp at the stack top and ra at the return address.
        try vm.prepareCall(pc: 0, arguments: [1, 2])
        #expect(vm[.sp] == 0xFFFE_0000 && vm[.ra] == 0xFFFF_0000 && vm[.a0] == 1 && vm[.a1] == 2)
    }

    @Test(arguments: [InstructionSetKind.latest32, .latest64])
    func staticRegionBoundaries(isa: InstructionSetKind) throws {
        let ok: [(Instruction, UInt64, String)] = [
            (ri(.loadU8, .a0, 0x10000), 1, "RO start"), (ri(.loadU8, .a0, 0x11FFF), 0, "RO last byte"),
            (rri(.loadIndirectI32, .a0, .a1, 0), 0x0807_0605, "RO word"),
            (ri(.loadU8, .a0, 0x30003), 0xA3, "RW"), (ri(.loadU8, .a0, 0x34FFF), 0, "RW last accessible byte"),
            (ri(.loadU8, .a0, 0xFFFD_D000 - 0x1_0000_0000), 0, "stack low"), (ri(.loadU32, .a0, 0xFFFD_FFFC - 0x1_0000_0000), 0, "stack top word"),
        ]
        for (inst, want, what) in ok where isa.contains(inst.opcode) {
            let (r, vm) = try staticAccess(inst, isa: isa, a1: 0x10004)
            #expect(r == .finished, "\(isa) \(what)")
            #expect(vm[.a0] == want, "\(isa) \(what)")
        }
        let bad: [(Instruction, String)] = [
            (ri(.loadU8, .a0, 0x12000), "one past RO"), (ri(.loadU16, .a0, 0x11FFF), "straddling the RO end"),
            (ri(.loadU8, .a0, 0xFFFF), "below RO"), (ri(.loadU8, .a0, 0), "address 0"), (ri(.loadU8, .a0, 0x35000), "one past RW"),
            (ri(.loadI32, .a0, 0x34FFE), "straddling the RW end"), (ri(.loadU8, .a0, 0x2FFFF), "below RW"),
            (ri(.loadU8, .a0, 0xFFFD_CFFF - 0x1_0000_0000), "below the stack"), (ri(.loadU8, .a0, 0xFFFE_0000 - 0x1_0000_0000), "stack_high"),
            (ri(.loadU16, .a0, 0xFFFD_CFFF - 0x1_0000_0000), "straddling the stack bottom"),
            (ii(.storeImmU8, 0x10000, 1), "write RO"), (ri(.storeU32, .a0, 0x11FFC), "write RO end"),
            (ri(.loadU8, .a0, 0xFFFF_0000 - 0x1_0000_0000), "the return address page"),
            (ri(.loadU8, .a0, 0xFFFF_FFFF - 0x1_0000_0000), "the last byte"),
        ]
        for (inst, what) in bad {
            let (r, vm) = try staticAccess(inst, isa: isa)
            #expect(r == .trap, "\(isa) \(what): static-mode faults trap")
            #expect(vm.programCounter == 0, "\(isa) \(what)")
            #expect(vm[.a0] == 0xDEAD)
        }
        // Stores to RW and stack succeed.
        let blob = try staticBlob([ri(.storeU32, .a0, 0x34FFC), ri(.storeU32, .a0, 0xFFFD_D000 - 0x1_0000_0000), ri(.storeU16, .a0, 0xFFFD_FFFE - 0x1_0000_0000)], isa: isa)
        let vm = try instance(blob: blob)
        vm[.a0] = 0xCAFE_BABE
        #expect(vm.run() == .finished)
        #expect(try vm.read(UInt32.self, at: 0x34FFC) == 0xCAFE_BABE)
        #expect(try vm.read(UInt32.self, at: 0xFFFD_D000) == 0xCAFE_BABE)
        #expect(try vm.read(UInt16.self, at: 0xFFFD_FFFE) == 0xBABE)
        // A write to RO leaves it unchanged; the host may write it.
        let (r, vm2) = try staticAccess(ii(.storeImmU8, 0x10000, 9), isa: isa)
        #expect(r == .trap)
        #expect(try vm2.readMemory(at: 0x10000, count: 1) == [1])
        try vm2.writeMemory([9], at: 0x10000)
        #expect(try vm2.readMemory(at: 0x10000, count: 1) == [9])
    }

    // MARK: sbrk

    @Test(arguments: [InstructionSetKind.latest32, .latest64])
    func sbrkUpstreamSequence(isa: InstructionSetKind) throws {
        // P = 0x1000, sizes: RO 1, RW 1, stack 1 → RW at 0x30000, heap_base = 0x30001.
        let blob = ProgramBlob(isa: isa, roDataSize: 1, rwDataSize: 1, stackSize: 1, code: try code([rr(.sbrk, .a0, .a1), ret], isa: isa).code)
        let module = try Module(engine: testEngine, bytes: blob.serialized(), configuration: config(paging: false))
        let heapBase = try #require(module.memoryMap?.heapBase)
        #expect(heapBase == 0x30001)
        // Host API.
        let host = module.instantiate()
        #expect(host.heapSize == 0)
        #expect(host.sbrk(0) == heapBase)
        #expect(host.sbrk(1) == heapBase + 1)
        #expect(host.sbrk(0xFFFF_FFFF) == nil)
        #expect(host.sbrk(0) == heapBase + 1)
        #expect(host.heapSize == 1)
        // The instruction.
        let vm = module.instantiate()
        func sbrk(_ v: UInt64) -> UInt64 {
            try? vm.prepareCall(pc: 0, arguments: [0, v])
            #expect(vm.run() == .finished)
            return vm[.a0]
        }
        #expect(sbrk(0) == UInt64(heapBase))
        #expect(sbrk(1) == UInt64(heapBase + 1))
        #expect(sbrk(0xFFFF_FFFF) == 0)
        #expect(sbrk(0) == UInt64(heapBase + 1))
        if isa.is64Bit {
            // Oversized requests behave like sbrk(0).
            #expect(sbrk(0x1_0000_0000) == UInt64(heapBase + 1))
        } else {
            // In latest32 the register is 32 bits: 0x1_0000_0005 is 5.
            #expect(sbrk(0x1_0000_0005) == UInt64(heapBase + 6))
        }
        #expect(vm.heapSize == (isa.is64Bit ? 1 : 6))
    }

    @Test func sbrkGrowsTheAccessibleRegion() throws {
        let isa = InstructionSetKind.latest64
        let items = [ri(.storeU8, .a2, 0x31000), rr(.sbrk, .a0, .a1), ri(.storeU8, .a2, 0x31000), ri(.loadU8, .a3, 0x31FFF), ret]
        let blob = ProgramBlob(isa: isa, roDataSize: 1, rwDataSize: 1, stackSize: 1, code: try code(items, isa: isa).code)
        let vm = try instance(blob: blob)
        vm[.a1] = 0x1000
        vm[.a2] = 0x77
        #expect(vm.run() == .trap, "0x31000 is beyond the RW region before sbrk")
        #expect(vm.programCounter == 0)
        let offsets = try code(items, isa: isa).offsets
        #expect(vm.run(from: offsets[1]) == .finished)
        #expect(vm[.a0] == 0x31001)
        #expect(try vm.readMemory(at: 0x31000, count: 1) == [0x77])
        #expect(vm.heapSize == 0x1000)
        #expect(vm.isMemoryAccessible(address: 0x31FFF, length: 1, writable: true))
        #expect(!vm.isMemoryAccessible(address: 0x32000, length: 1, writable: false))
    }

    @Test(arguments: [InstructionSetKind.latest32, .latest64])
    func sbrkResultIsAThirtyTwoBitValueSignExtended(isa: InstructionSetKind) throws {
        // RO of 0x7FFF0000 bytes puts RW at 0x80010000, so heap_base = 0x80010001 ≥ 2^31 (SPEC §6.6 step 4).
        let blob = ProgramBlob(isa: isa, roDataSize: 0x7FFF_0000, rwDataSize: 1, stackSize: 0x1000, code: try code([rr(.sbrk, .a0, .a1), ret], isa: isa).code)
        let module = try Module(engine: testEngine, bytes: blob.serialized(), configuration: config(paging: false))
        #expect(module.memoryMap?.heapBase == 0x8001_0001)
        let vm = module.instantiate()
        try vm.prepareCall(pc: 0, arguments: [0, 0x10])
        #expect(vm.run() == .finished)
        #expect(vm[.a0] == (isa.is64Bit ? 0xFFFF_FFFF_8001_0011 : 0x8001_0011))
        #expect(vm.sbrk(0) == 0x8001_0011)
    }

    @Test func sbrkTrapsInPagedModeAndIsUndefinedElsewhere() throws {
        for isa in [InstructionSetKind.latest32, .latest64] {
            let vm = try instance(try code([loadImm(.a0, 5), rr(.sbrk, .a0, .a1), ret], isa: isa).code)
            #expect(vm.run() == .trap)
            #expect(vm.programCounter == 3)
            #expect(vm[.a0] == 5)
        }
        for isa in [InstructionSetKind.reviveV1, .jamV1] {
            #expect(!isa.contains(.sbrk))
        }
    }

    // MARK: memset

    @Test(arguments: [InstructionSetKind.latest32, .latest64])
    func memset(isa: InstructionSetKind) throws {
        let vm = try paged([Instruction(.memset)], isa: isa, gas: 100)
        try vm.writeMemory([UInt8](repeating: 0xEE, count: 8), at: 0x20010)
        vm[.a0] = 0x20010; vm[.a1] = 0x1AB; vm[.a2] = 5
        #expect(vm.run() == .finished)
        #expect(try vm.readMemory(at: 0x20010, count: 7) == [0xAB, 0xAB, 0xAB, 0xAB, 0xAB, 0xEE, 0xEE])
        #expect(vm[.a0] == 0x20015 && vm[.a1] == 0x1AB && vm[.a2] == 0)
        #expect(vm.gas == 100 - 2 - 5, "block of 2 plus 1 per byte")
        // Zero bytes: nothing written, nothing extra charged.
        vm.gas = 10
        vm[.a2] = 0
        #expect(vm.run(from: 0) == .finished)
        #expect(vm.gas == 8)
    }

    @Test(arguments: [InstructionSetKind.latest32, .latest64])
    func memsetOutOfGasInTheMiddle(isa: InstructionSetKind) throws {
        let vm = try paged([Instruction(.memset)], isa: isa, gas: 2 + 3)
        vm[.a0] = 0x20010; vm[.a1] = 0x11; vm[.a2] = 5
        #expect(vm.run() == .outOfGas)
        #expect(vm.programCounter == 0)
        #expect(vm.gas == 0)
        #expect(vm[.a0] == 0x20013 && vm[.a2] == 2)
        #expect(try vm.readMemory(at: 0x20010, count: 6) == [0x11, 0x11, 0x11, 0, 0, 0])
        vm.gas = 2
        #expect(vm.run() == .finished, "resumes the fill without recharging the block")
        #expect(vm.gas == 0)
        #expect(vm[.a0] == 0x20015 && vm[.a2] == 0)
        #expect(try vm.readMemory(at: 0x20010, count: 6) == [0x11, 0x11, 0x11, 0x11, 0x11, 0])
    }

    @Test func memsetPageFaultInTheMiddle() throws {
        let vm = try paged([Instruction(.memset)], isa: .latest64, gas: 100)
        vm[.a0] = 0x1_0002_1FFE; vm[.a1] = 0x22; vm[.a2] = 4
        #expect(vm.run() == .pageFault(address: 0x22000))
        #expect(vm.programCounter == 0)
        #expect(vm[.a0] == 0x1_0002_2000, "the full register advances by the bytes written")
        #expect(vm[.a2] == 2)
        #expect(vm.gas == 96)
        vm.mapMemory(address: 0x22000, length: 0x1000, writable: true)
        #expect(vm.run() == .finished)
        #expect(vm.gas == 94)
        #expect(vm[.a0] == 0x1_0002_2002 && vm[.a2] == 0)
        #expect(try vm.readMemory(at: 0x21FFE, count: 5) == [0x22, 0x22, 0x22, 0x22, 0])
    }

    @Test func memsetInStaticModeTrapsOnReadOnlyData() throws {
        let vm = try instance(blob: try staticBlob([Instruction(.memset)]))
        vm[.a0] = 0x10002; vm[.a1] = 0; vm[.a2] = 4
        #expect(vm.run() == .trap)
        #expect(vm.programCounter == 0)
        #expect(try vm.readMemory(at: 0x10000, count: 4) == [1, 2, 3, 4])
        #expect(vm[.a0] == 0x10002 && vm[.a2] == 4)
    }
}
