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

/// The page-table view the execution loop reads: a two-level table over the 32-bit address space with
/// 4 KiB pages. Each leaf entry is a page's host address with bit 0 set when the page is writable; 0
/// means unmapped. A plain value so the hot loop keeps it in a register.
@usableFromInline
struct PageTableView {
    @usableFromInline let root: UnsafeMutablePointer<UnsafeMutablePointer<UInt>?>

    @inlinable @inline(__always)
    init(root: UnsafeMutablePointer<UnsafeMutablePointer<UInt>?>) { self.root = root }

    @inlinable @inline(__always)
    func entry(_ address: UInt32) -> UInt {
        root[Int(truncatingIfNeeded: address &>> 22)].unsafelyUnwrapped[Int(truncatingIfNeeded: (address &>> 12) & 0x3FF)]
    }
}

/// How a failed guest access ends: a resumable page fault at a page address, or a trap.
enum GuestFault: Equatable {
    case pageFault(UInt32)
    case trap
}

/// Guest memory: 4 KiB pages mapped on demand with read-only or read-write access, behind a two-level
/// page table. Standard-layout instances map their regions up front; dynamic-paging instances start
/// empty and the host maps pages as faults arrive. Owned by one instance.
public final class GuestMemory {
    /// The page size faults are reported in and host mappings are rounded to (4 KiB...64 KiB).
    public let pageSize: UInt32
    let table: PageTableView
    private var leaves: [UnsafeMutablePointer<UInt>] = []
    private var blocks: [(pointer: UnsafeMutableRawPointer, byteCount: Int)] = []
    /// Total bytes of host memory allocated for guest pages.
    public private(set) var allocatedBytes = 0

    /// Creates empty memory with the given page size (a power of two, 4096...65536).
    public init(pageSize: UInt32 = 4096) {
        self.pageSize = Swift.max(4096, pageSize)
        let root = UnsafeMutablePointer<UnsafeMutablePointer<UInt>?>.allocate(capacity: 1024)
        root.initialize(repeating: GuestMemory.emptyLeaf, count: 1024)
        self.table = PageTableView(root: root)
    }

    deinit {
        for leaf in leaves { leaf.deallocate() }
        for block in blocks { PageAllocation.free(block.pointer, byteCount: block.byteCount) }
        table.root.deallocate()
    }

    /// A shared, never-written leaf of zero entries that every unused first-level slot points at.
    nonisolated(unsafe) static let emptyLeaf: UnsafeMutablePointer<UInt> = {
        let l = UnsafeMutablePointer<UInt>.allocate(capacity: 1024)
        l.initialize(repeating: 0, count: 1024)
        return l
    }()

    private func leaf(for address: UInt32, create: Bool) -> UnsafeMutablePointer<UInt>? {
        let i = Int(address >> 22)
        if let l = table.root[i], l != GuestMemory.emptyLeaf { return l }
        guard create else { return nil }
        let l = UnsafeMutablePointer<UInt>.allocate(capacity: 1024)
        l.initialize(repeating: 0, count: 1024)
        leaves.append(l)
        table.root[i] = l
        return l
    }

    private func setEntry(_ address: UInt32, _ value: UInt) {
        if let l = leaf(for: address, create: value != 0) {
            l[Int((address >> 12) & 0x3FF)] = value
        }
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
        let block = PageAllocation.allocateZeroed(byteCount: bytes)
        blocks.append((block, bytes))
        allocatedBytes += bytes
        for k in 0..<count {
            let host = UInt(bitPattern: block + k * 4096)
            setEntry(UInt32(first + UInt64(k) * 4096), host | (writable ? 1 : 0))
        }
    }

    /// Changes the access of mapped pages in the range (unmapped pages stay unmapped).
    public func protect(address: UInt32, length: UInt64, writable: Bool) {
        let (first, count) = pages(address, length)
        for k in 0..<count {
            let a = UInt32(first + UInt64(k) * 4096)
            let e = table.entry(a)
            if e != 0 { setEntry(a, (e & ~UInt(1)) | (writable ? 1 : 0)) }
        }
    }

    /// Unmaps the pages in the range.
    public func unmap(address: UInt32, length: UInt64) {
        let (first, count) = pages(address, length)
        for k in 0..<count { setEntry(UInt32(first + UInt64(k) * 4096), 0) }
    }

    /// Whether the page containing `address` is mapped.
    public func isMapped(_ address: UInt32) -> Bool { table.entry(address) != 0 }

    /// Whether the page containing `address` is mapped writable.
    public func isWritable(_ address: UInt32) -> Bool { table.entry(address) & 1 != 0 }

    /// Whether the guest could access every byte of `[address, address + length)`.
    public func isAccessible(address: UInt32, length: Int, writable: Bool) -> Bool {
        if length == 0 { return true }
        guard UInt64(address) + UInt64(length) <= 1 << 32 else { return false }
        var a = UInt64(address) & ~0xFFF
        while a < UInt64(address) + UInt64(length) {
            let e = table.entry(UInt32(a))
            if e == 0 || (writable && e & 1 == 0) { return false }
            a += 4096
        }
        return true
    }

    private func hostByte(_ address: UInt32) -> UnsafeMutablePointer<UInt8>? {
        let e = table.entry(address)
        guard e != 0 else { return nil }
        return UnsafeMutablePointer(bitPattern: (e & ~UInt(0xFFF)) | UInt(address & 0xFFF))
    }

    /// Copies bytes into guest memory, ignoring write protection (the host may write read-only pages).
    public func write(_ bytes: some Collection<UInt8>, at address: UInt32) throws(MemoryAccessError) {
        guard UInt64(address) + UInt64(bytes.count) <= 1 << 32 else {
            throw .outOfRange(address: address, length: bytes.count)
        }
        guard isAccessible(address: address, length: bytes.count, writable: false) else {
            throw .notMapped(address: address, length: bytes.count)
        }
        var a = address
        var iterator = bytes.makeIterator()
        while let b = iterator.next() {
            hostByte(a)!.pointee = b
            a &+= 1
        }
    }

    /// Fills `[address, address + length)` with zeros, ignoring write protection.
    public func zero(address: UInt32, length: Int) throws(MemoryAccessError) {
        try write(repeatElement(0, count: length), at: address)
    }

    /// Reads bytes from guest memory.
    public func read(at address: UInt32, count: Int) throws(MemoryAccessError) -> [UInt8] {
        guard UInt64(address) + UInt64(count) <= 1 << 32 else {
            throw .outOfRange(address: address, length: count)
        }
        guard isAccessible(address: address, length: count, writable: false) else {
            throw .notMapped(address: address, length: count)
        }
        var out = [UInt8](repeating: 0, count: count)
        for k in 0..<count { out[k] = hostByte(address &+ UInt32(k))!.pointee }
        return out
    }

    /// Calls `body` for every mapped 4 KiB page, in address order, with its bytes and access.
    public func forEachMappedPage(_ body: (_ address: UInt32, _ bytes: UnsafeRawBufferPointer, _ writable: Bool) throws -> Void) rethrows {
        for i in 0..<1024 {
            guard let l = table.root[i], l != GuestMemory.emptyLeaf else { continue }
            for j in 0..<1024 {
                let e = l[j]
                guard e != 0 else { continue }
                let p = UnsafeRawPointer(bitPattern: e & ~UInt(0xFFF))!
                try body(UInt32(i << 22 | j << 12), UnsafeRawBufferPointer(start: p, count: 4096), e & 1 != 0)
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
            let e = table.entry(UInt32(truncatingIfNeeded: a))
            return e != 0 && (e & 1 != 0 || !write)
        }
        func mapped(_ a: UInt64) -> Bool { table.entry(UInt32(truncatingIfNeeded: a)) != 0 }
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
                    page = table.entry(UInt32(lo)) & 1 == 0 ? loPage : hiPage
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
