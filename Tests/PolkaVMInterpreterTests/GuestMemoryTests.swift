import Testing
@testable import PolkaVMInterpreter
import PolkaVMProgram

@Suite struct GuestMemoryTests {
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
