import PolkaVMProgram

/// A host-side failure to access guest memory.
public enum MemoryAccessError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Part of `[address, address + length)` is not mapped.
    case notMapped(address: UInt32, length: Int)
    /// The range runs past the end of the 32-bit address space.
    case outOfRange(address: UInt32, length: Int)

    /// A human-readable description.
    public var description: String {
        switch self {
        case .notMapped(let a, let n): return "guest memory [0x\(String(a, radix: 16)), +\(n)) is not mapped"
        case .outOfRange(let a, let n): return "guest memory [0x\(String(a, radix: 16)), +\(n)) runs past 2^32"
        }
    }
}

/// The page tables the execution loop reads: two flat tables over the 32-bit address space with one
/// entry per 4 KiB page, the read table followed by the write table (2^20 entries each). An entry is
/// the page's host address minus its guest address (so `entry &+ guestAddress` is the host address
/// of any byte in the page), or 0 when the access is not allowed; a mapped page is in the read table,
/// a writable one in both. The tables are one lazily committed anonymous mapping, so only the parts
/// covering mapped guest pages cost resident memory. A plain value so the hot loop keeps it in a register.
@usableFromInline
struct PageTableView {
    /// Entries per table.
    @usableFromInline static let entryCount = 1 << 20
    /// Entries per stretch: the unit (2 MiB of address space) in which written parts are tracked.
    static let stretch = 512
    /// The read table; the write table follows it.
    @usableFromInline let base: UnsafeMutablePointer<UInt>

    @inlinable @inline(__always)
    init(base: UnsafeMutablePointer<UInt>) { self.base = base }

    /// The read entry of the page containing `address`.
    @inlinable @inline(__always)
    func readEntry(_ address: UInt32) -> UInt { base[Int(truncatingIfNeeded: address &>> 12)] }

    /// The write entry of the page containing `address`.
    @inlinable @inline(__always)
    func writeEntry(_ address: UInt32) -> UInt { base[PageTableView.entryCount + Int(truncatingIfNeeded: address &>> 12)] }
}

/// How a failed guest access ends: a resumable page fault at a page address, or a trap.
enum GuestFault: Equatable {
    case pageFault(UInt32)
    case trap
}

/// Guest memory: 4 KiB pages mapped on demand with read-only or read-write access, behind flat page
/// tables (``PageTableView``). Standard-layout instances map their regions up front; dynamic-paging
/// instances start empty and the host maps pages as faults arrive. Owned by one instance.
public final class GuestMemory {
    /// The page size faults are reported in and host mappings are rounded to (4 KiB...64 KiB).
    public let pageSize: UInt32
    let table: PageTableView
    private let tableStorage: PageAllocation.Block
    private var blocks: [PageAllocation.Block] = []
    /// Which stretches of the tables (``PageTableView/stretch`` entries each) have ever been written.
    private var usedStretches = StretchSet()
    /// Whether an interpreter instance has claimed the run block (``claimRunBlock()``).
    private var runBlockClaimed = false

    /// The run block in front of the page tables, for the one instance that executes on this memory: its
    /// run context and registers live there, so handlers find the tables at a fixed distance from the
    /// registers (`pageTables(_:)`). Zeroed on return.
    func claimRunBlock() -> UnsafeMutableRawPointer {
        precondition(!runBlockClaimed, "a GuestMemory serves one interpreter instance")
        runBlockClaimed = true
        let block = PageTables.runBlock(of: tableStorage)
        block.initializeMemory(as: UInt8.self, repeating: 0, count: (runContextSlots + registerSlots) * 8)
        return block
    }

    /// Total bytes of host memory allocated for guest pages.
    public private(set) var allocatedBytes = 0

    /// Creates empty memory with the given page size (a power of two, 4096...65536).
    public init(pageSize: UInt32 = 4096) {
        self.pageSize = Swift.max(4096, pageSize)
        tableStorage = PageTables.acquire()
        table = PageTableView(base: PageTables.tables(of: tableStorage))
    }

    deinit {
        for block in blocks { PageAllocation.free(block) }
        PageTables.release(tableStorage, usedStretches: usedStretches)
    }

    /// Sets the entries of the page at `address`; its stretch must already be in ``usedStretches``
    /// (see ``noteStretches(_:_:)``).
    private func setEntries(_ address: UInt32, host: UInt?, writable: Bool) {
        let i = Int(address >> 12)
        let delta = host.map { $0 &- UInt(address) } ?? 0
        table.base[i] = delta
        table.base[PageTableView.entryCount + i] = writable ? delta : 0
    }

    /// Records that the table entries of `count` 4 KiB pages from `first` are about to be written.
    private func noteStretches(_ first: UInt64, _ count: Int) {
        guard count > 0 else { return }
        let firstPage = Int(first >> 12)
        for stretch in (firstPage / PageTableView.stretch)...((firstPage + count - 1) / PageTableView.stretch) {
            usedStretches.insert(stretch)
        }
    }

    /// The host address of the page containing `address` (nil when unmapped).
    private func hostPage(_ address: UInt32) -> UInt? {
        let e = table.readEntry(address)
        return e == 0 ? nil : e &+ UInt(address & ~0xFFF)
    }

    /// The 4 KiB-granular page range covering `[address, address + length)` rounded out to ``pageSize``.
    private func pages(_ address: UInt32, _ length: UInt64) -> (first: UInt64, count: Int) {
        let ps = UInt64(pageSize)
        let lo = UInt64(address) / ps * ps
        let hi = Swift.min((UInt64(address) + length + ps - 1) / ps * ps, 1 << 32)
        return (lo, Int((hi - lo) / 4096))
    }

    /// Maps zero-filled pages over `[address, address + length)` (rounded out to ``pageSize``), replacing
    /// any previous mapping there.
    public func map(address: UInt32, length: UInt64, writable: Bool) {
        guard length > 0 else { return }
        let (first, count) = pages(address, length)
        guard count > 0 else { return }
        let bytes = count * 4096
        var block = PageAllocation.allocateZeroed(byteCount: bytes)
        // An entry of 0 means "no access", so no page may sit at its own guest address in the host.
        // (Only possible for host memory below 4 GiB; retry elsewhere while the old block is held.)
        var rejected: [PageAllocation.Block] = []
        while UInt(bitPattern: block.pointer) == UInt(first) {
            rejected.append(block)
            block = PageAllocation.allocateZeroed(byteCount: bytes)
        }
        for r in rejected { PageAllocation.free(r) }
        blocks.append(block)
        allocatedBytes += bytes
        noteStretches(first, count)
        for k in 0..<count {
            setEntries(UInt32(first + UInt64(k) * 4096), host: UInt(bitPattern: block.pointer + k * 4096), writable: writable)
        }
    }

    /// Changes the access of mapped pages in the range (unmapped pages stay unmapped).
    public func protect(address: UInt32, length: UInt64, writable: Bool) {
        let (first, count) = pages(address, length)
        noteStretches(first, count)
        for k in 0..<count {
            let a = UInt32(first + UInt64(k) * 4096)
            if let host = hostPage(a) { setEntries(a, host: host, writable: writable) }
        }
    }

    /// Unmaps the pages in the range.
    public func unmap(address: UInt32, length: UInt64) {
        let (first, count) = pages(address, length)
        noteStretches(first, count)
        for k in 0..<count { setEntries(UInt32(first + UInt64(k) * 4096), host: nil, writable: false) }
    }

    /// Whether the page containing `address` is mapped.
    public func isMapped(_ address: UInt32) -> Bool { table.readEntry(address) != 0 }

    /// Whether the page containing `address` is mapped writable.
    public func isWritable(_ address: UInt32) -> Bool { table.writeEntry(address) != 0 }

    /// Whether the guest could access every byte of `[address, address + length)`.
    public func isAccessible(address: UInt32, length: Int, writable: Bool) -> Bool {
        if length == 0 { return true }
        guard UInt64(address) + UInt64(length) <= 1 << 32 else { return false }
        var a = UInt64(address) & ~0xFFF
        while a < UInt64(address) + UInt64(length) {
            let e = writable ? table.writeEntry(UInt32(a)) : table.readEntry(UInt32(a))
            if e == 0 { return false }
            a += 4096
        }
        return true
    }

    private func hostByte(_ address: UInt32) -> UnsafeMutablePointer<UInt8>? {
        let e = table.readEntry(address)
        guard e != 0 else { return nil }
        return UnsafeMutablePointer(bitPattern: e &+ UInt(address))
    }

    /// Copies bytes into guest memory, ignoring write protection (the host may write read-only pages).
    public func write(_ bytes: some Collection<UInt8>, at address: UInt32) throws(MemoryAccessError) {
        try checkHostAccess(address: address, length: bytes.count)
        if bytes.withContiguousStorageIfAvailable({ copyIn(UnsafeRawBufferPointer($0), at: address) }) == nil {
            Array(bytes).withUnsafeBytes { copyIn($0, at: address) }
        }
    }

    /// Fills `[address, address + length)` with zeros, ignoring write protection.
    public func zero(address: UInt32, length: Int) throws(MemoryAccessError) {
        try checkHostAccess(address: address, length: length)
        forEachChunk(address: address, length: length) { host, _, count in
            host.initializeMemory(as: UInt8.self, repeating: 0, count: count)
        }
    }

    /// Reads bytes from guest memory.
    public func read(at address: UInt32, count: Int) throws(MemoryAccessError) -> [UInt8] {
        try checkHostAccess(address: address, length: count)
        return [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            forEachChunk(address: address, length: count) { host, offset, n in
                UnsafeMutableRawPointer(out.baseAddress! + offset).copyMemory(from: host, byteCount: n)
            }
            initialized = count
        }
    }

    /// Throws unless the host may access every byte of `[address, address + length)` (mapped, within 2^32).
    private func checkHostAccess(address: UInt32, length: Int) throws(MemoryAccessError) {
        guard length >= 0, UInt64(address) + UInt64(length) <= 1 << 32 else {
            throw .outOfRange(address: address, length: length)
        }
        guard isAccessible(address: address, length: length, writable: false) else {
            throw .notMapped(address: address, length: length)
        }
    }

    /// Copies `bytes` to `address` (already checked accessible), a page at a time.
    private func copyIn(_ bytes: UnsafeRawBufferPointer, at address: UInt32) {
        forEachChunk(address: address, length: bytes.count) { host, offset, n in
            host.copyMemory(from: bytes.baseAddress! + offset, byteCount: n)
        }
    }

    /// Calls `body` with the host address, the offset from `address` and the length of each piece of
    /// `[address, address + length)` that lies in one 4 KiB page (the range is already checked mapped).
    private func forEachChunk(address: UInt32, length: Int, _ body: (UnsafeMutableRawPointer, Int, Int) -> Void) {
        var offset = 0
        while offset < length {
            let a = address &+ UInt32(truncatingIfNeeded: offset)
            let n = Swift.min(length - offset, 4096 - Int(a & 0xFFF))
            body(UnsafeMutableRawPointer(bitPattern: table.readEntry(a) &+ UInt(a))!, offset, n)
            offset += n
        }
    }

    /// Calls `body` for every mapped 4 KiB page, in address order, with its bytes and access.
    public func forEachMappedPage(_ body: (_ address: UInt32, _ bytes: UnsafeRawBufferPointer, _ writable: Bool) throws -> Void) rethrows {
        try usedStretches.forEach { stretch in
            for i in (stretch * PageTableView.stretch)..<((stretch + 1) * PageTableView.stretch) {
                let address = UInt32(i << 12)
                guard let host = hostPage(address) else { continue }
                let p = UnsafeRawPointer(bitPattern: host)!
                try body(address, UnsafeRawBufferPointer(start: p, count: 4096), table.writeEntry(address) != 0)
            }
        }
    }

    // MARK: Slow path for guest accesses

    /// Decides a guest access the fast path rejected: `nil` when it is allowed (it straddles two
    /// accessible pages), else the fault it raises under `semantics`. `dynamicPaging` false makes every
    /// fault a trap (standard memory).
    func checkGuestAccess(address: UInt32, size: UInt32, write: Bool, semantics: ExecutionSemantics, dynamicPaging: Bool) -> GuestFault? {
        let ps = UInt64(pageSize)
        func ok(_ a: UInt64) -> Bool {
            let address = UInt32(truncatingIfNeeded: a)
            return (write ? table.writeEntry(address) : table.readEntry(address)) != 0
        }
        func mapped(_ a: UInt64) -> Bool { table.readEntry(UInt32(truncatingIfNeeded: a)) != 0 }
        let lo = UInt64(address)
        let last = lo + UInt64(size) - 1
        if last <= 0xFFFF_FFFF && ok(lo) && ok(last) { return nil }
        var page: UInt64
        switch semantics.straddlingFaultRule {
        case .grayPaper:
            // The lowest inaccessible address, considering wrap-around.
            var best = UInt64.max
            for k in 0..<UInt64(size) {
                let a = (lo + k) & 0xFFFF_FFFF
                if !ok(a) { best = Swift.min(best, a) }
            }
            page = best == .max ? 0 : best / ps * ps
        case .upstream:
            if last > 0xFFFF_FFFF {
                page = 0xFFFF_FFFF / ps * ps
                if mapped(page) { return .trap }
            } else {
                let loPage = lo / ps * ps
                let hiPage = last / ps * ps
                if !mapped(lo) {
                    page = loPage
                } else if !mapped(last) {
                    page = hiPage
                } else {
                    page = table.writeEntry(UInt32(lo)) == 0 ? loPage : hiPage
                }
            }
        }
        if mapped(page) && semantics.readOnlyWrite == .trap { return .trap }
        if !dynamicPaging || page < UInt64(semantics.trapFaultsBelow) { return .trap }
        return .pageFault(UInt32(page))
    }

    /// Reads `size` bytes little-endian byte by byte (used after ``checkGuestAccess`` allowed it).
    func slowLoad(address: UInt32, size: UInt32) -> UInt64 {
        var v: UInt64 = 0
        for k in 0..<size {
            v |= UInt64(hostByte(address &+ k)!.pointee) << UInt64(8 * k)
        }
        return v
    }

    /// Writes `size` bytes little-endian byte by byte (used after ``checkGuestAccess`` allowed it).
    func slowStore(address: UInt32, size: UInt32, value: UInt64) {
        for k in 0..<size {
            hostByte(address &+ k)!.pointee = UInt8(truncatingIfNeeded: value >> UInt64(8 * k))
        }
    }
}
