import Testing
@testable import PolkaVMInterpreter
import PolkaVMProgram

@Suite struct GuestMemoryTests {
    @Test func stretchSetKeepsMembersInOrderAndIgnoresDuplicates() {
        var set = StretchSet()
        let members = [StretchSet.capacity - 1, 0, 63, 64, 1000, 65, 1000, 0]
        for m in members { set.insert(m) }
        var seen: [Int] = []
        set.forEach { seen.append($0) }
        #expect(seen == Array(Set(members)).sorted())
        #expect(set.contains(64) && !set.contains(62) && !set.contains(-1) && !set.contains(StretchSet.capacity))
    }

    @Test func mappedPagesAreListedInAddressOrderAcrossStretches() {
        // Mappings in three 2 MiB stretches, made out of order (the last one near the top of the space).
        let memory = GuestMemory()
        memory.map(address: 0xFFFE_0000, length: 4096, writable: true)
        memory.map(address: 0x0001_0000, length: 8192, writable: false)
        memory.map(address: 0x0040_0000, length: 4096, writable: true)
        var pages: [(UInt32, Bool)] = []
        memory.forEachMappedPage { address, _, writable in pages.append((address, writable)) }
        #expect(pages.map(\.0) == [0x0001_0000, 0x0001_1000, 0x0040_0000, 0xFFFE_0000])
        #expect(pages.map(\.1) == [false, false, true, true])
    }

    @Test func pooledPageTablesComeBackCleared() {
        // Released tables go back to a pool with the written stretches cleared; the next memory may get them.
        for _ in 0..<3 {
            let memory = GuestMemory()
            for address: UInt32 in [0x0001_0000, 0x0040_0000, 0x7FFF_F000, 0xFFFE_0000] {
                #expect(!memory.isMapped(address), "a fresh memory has \(address) mapped")
            }
            memory.map(address: 0x0001_0000, length: 4096, writable: true)
            memory.map(address: 0x0040_0000, length: 4096, writable: false)
            memory.map(address: 0x7FFF_F000, length: 4096, writable: true)
            memory.map(address: 0xFFFE_0000, length: 4096, writable: true)
        }
    }

    @Test func mappedPagesAreZeroedAndRoundedToThePageSize() throws {
        let memory = GuestMemory(pageSize: 0x4000)
        memory.map(address: 0x2_1000, length: 10, writable: true)
        #expect(memory.isMapped(0x2_0000))
        #expect(memory.isMapped(0x2_3FFF))
        #expect(!memory.isMapped(0x2_4000))
        #expect(try memory.read(at: 0x2_0000, count: 4) == [0, 0, 0, 0])
        try memory.write([1, 2], at: 0x2_3FFE)
        #expect(throws: MemoryAccessError.self) { try memory.write([1, 2, 3], at: 0x2_3FFE) }
    }

    @Test func hostWritesIgnoreProtectionButGuestChecksDoNot() throws {
        let memory = GuestMemory()
        memory.map(address: 0x10000, length: 0x1000, writable: false)
        try memory.write([0xAB], at: 0x10000)
        #expect(try memory.read(at: 0x10000, count: 1) == [0xAB])
        #expect(memory.isAccessible(address: 0x10000, length: 1, writable: false))
        #expect(!memory.isAccessible(address: 0x10000, length: 1, writable: true))
        memory.protect(address: 0x10000, length: 1, writable: true)
        #expect(memory.isAccessible(address: 0x10000, length: 0x1000, writable: true))
        memory.unmap(address: 0x10000, length: 0x1000)
        #expect(!memory.isMapped(0x10000))
    }

    @Test func hostCopiesSpanPagesOfSeparateMappings() throws {
        // Two mappings that meet at 0x3000, so a copy across it goes to two host blocks.
        let memory = GuestMemory()
        memory.map(address: 0x1000, length: 0x2000, writable: true)
        memory.map(address: 0x3000, length: 0x3000, writable: false)
        let bytes = (0..<0x4321).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        try memory.write(bytes, at: 0x1ABC)
        #expect(try memory.read(at: 0x1ABC, count: bytes.count) == bytes)
        #expect(try memory.read(at: 0x1ABB, count: 1) == [0])
        #expect(try memory.read(at: 0x1ABC + UInt32(bytes.count), count: 1) == [0])
        // Byte by byte agrees with the bulk read, and non-contiguous collections are copied too.
        for offset in [0, 0x543, 0x1543, 0x2FFF, 0x4320] {
            #expect(try memory.read(at: 0x1ABC + UInt32(offset), count: 1) == [bytes[offset]])
        }
        let flipped = bytes.reversed().map { $0 ^ 0xFF }
        try memory.write(bytes.reversed().lazy.map { $0 ^ 0xFF }, at: 0x1ABC)
        #expect(try memory.read(at: 0x1ABC, count: bytes.count) == flipped)
        try memory.zero(address: 0x2FF0, length: 0x1020)
        #expect(try memory.read(at: 0x2FF0, count: 0x1020) == [UInt8](repeating: 0, count: 0x1020))
        #expect(try memory.read(at: 0x2FEE, count: 2) == [flipped[0x2FEE - 0x1ABC], flipped[0x2FEF - 0x1ABC]])
        #expect(try memory.read(at: 0x4010, count: 1) == [flipped[0x4010 - 0x1ABC]])
        // A range that runs into unmapped memory is rejected before anything is copied.
        #expect(throws: MemoryAccessError.notMapped(address: 0x5FFF, length: 2)) { try memory.write([9, 9], at: 0x5FFF) }
        #expect(try memory.read(at: 0x5FFF, count: 1) == [0])
        #expect(throws: MemoryAccessError.outOfRange(address: 0xFFFF_FFFF, length: 2)) { try memory.read(at: 0xFFFF_FFFF, count: 2) }
        #expect(try memory.read(at: 0x1000, count: 0) == [])
    }

    @Test func straddlingFaultsFollowTheConfiguredRule() {
        let memory = GuestMemory()
        memory.map(address: 0x20000, length: 0x1000, writable: true)
        memory.map(address: 0x21000, length: 0x1000, writable: false)
        let upstream = ExecutionSemantics.polkavm
        // Both pages mapped and readable: a straddling read is allowed.
        #expect(memory.checkGuestAccess(address: 0x20FFE, size: 4, write: false, semantics: upstream, dynamicPaging: true) == nil)
        // A straddling write hits the read-only upper page.
        #expect(memory.checkGuestAccess(address: 0x20FFE, size: 4, write: true, semantics: upstream, dynamicPaging: true) == .pageFault(0x21000))
        // Read-only writes trap under the w3f semantics.
        #expect(memory.checkGuestAccess(address: 0x21000, size: 1, write: true, semantics: .w3fV04, dynamicPaging: true) == .trap)
        // Missing upper page.
        #expect(memory.checkGuestAccess(address: 0x21FFF, size: 2, write: false, semantics: upstream, dynamicPaging: true) == .pageFault(0x22000))
        // Without dynamic paging every fault traps.
        #expect(memory.checkGuestAccess(address: 0x30000, size: 1, write: false, semantics: upstream, dynamicPaging: false) == .trap)
        // Below the trap threshold.
        #expect(memory.checkGuestAccess(address: 0x3000, size: 1, write: false, semantics: upstream, dynamicPaging: true) == .trap)
        #expect(memory.checkGuestAccess(address: 0x8000, size: 1, write: false, semantics: .grayPaper080, dynamicPaging: true) == .trap)
        #expect(memory.checkGuestAccess(address: 0x8000, size: 1, write: false, semantics: upstream, dynamicPaging: true) == .pageFault(0x8000))
    }

    @Test func wrappingAccessesUnderBothRules() {
        let memory = GuestMemory()
        var gp = ExecutionSemantics.polkavm
        gp.straddlingFaultRule = .grayPaper
        // Upstream: an access that wraps past 2^32 faults on the last page when it is unmapped.
        #expect(memory.checkGuestAccess(address: 0xFFFF_FFFE, size: 4, write: false, semantics: .polkavm, dynamicPaging: true) == .pageFault(0xFFFF_F000))
        // ... and traps when that page is mapped.
        memory.map(address: 0xFFFF_F000, length: 0x1000, writable: true)
        #expect(memory.checkGuestAccess(address: 0xFFFF_FFFE, size: 4, write: false, semantics: .polkavm, dynamicPaging: true) == .trap)
        // Gray Paper: the lowest inaccessible address after wrapping is page 0, which is below the threshold.
        #expect(memory.checkGuestAccess(address: 0xFFFF_FFFE, size: 4, write: false, semantics: gp, dynamicPaging: true) == .trap)
    }
}
