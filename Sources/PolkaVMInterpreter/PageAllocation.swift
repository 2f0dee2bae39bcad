#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Page-aligned, zero-filled host memory for guest pages. Large blocks come from anonymous `mmap`
/// where available, so untouched guest pages cost no resident memory.
enum PageAllocation {
    static let pageSize = 4096

    static func allocateZeroed(byteCount: Int) -> UnsafeMutableRawPointer {
        #if canImport(Glibc) || canImport(Musl) || canImport(Darwin)
        if byteCount >= 64 * 1024 {
            let p = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            if let p, p != MAP_FAILED { return p }
        }
        #endif
        let p = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: pageSize)
        p.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
        return p
    }

    static func free(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        #if canImport(Glibc) || canImport(Musl) || canImport(Darwin)
        if byteCount >= 64 * 1024 {
            munmap(pointer, byteCount)
            return
        }
        #endif
        pointer.deallocate()
    }
}

/// Storage for ``PageTableView``: both flat tables (16 MiB of address space on 64-bit hosts),
/// zero-filled, committed by the OS only where written. Released tables are cleared where they were
/// written and kept in a small process-wide pool, so creating an instance costs no system call.
enum PageTables {
    /// The read table's first entry (the write table follows).
    typealias Base = UnsafeMutablePointer<UInt>

    static let entryCount = 2 * PageTableView.entryCount
    static let byteCount = entryCount * MemoryLayout<UInt>.stride
    /// How many released tables the pool keeps.
    static let poolLimit = 32

    static func acquire() -> Base {
        if let pooled = pool.pop() { return pooled }
        #if canImport(Glibc) || canImport(Musl) || canImport(Darwin)
        #if canImport(Darwin)
        let flags = MAP_PRIVATE | MAP_ANONYMOUS
        #else
        let flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE
        #endif
        let p = mmap(nil, byteCount, PROT_READ | PROT_WRITE, flags, -1, 0)
        if let p, p != MAP_FAILED { return p.bindMemory(to: UInt.self, capacity: entryCount) }
        #endif
        return PageAllocation.allocateZeroed(byteCount: byteCount).bindMemory(to: UInt.self, capacity: entryCount)
    }

    /// Returns tables whose entries were written only inside `usedStretches` (groups of 512 entries
    /// of the read table, with the matching groups of the write table).
    static func release(_ base: Base, usedStretches: Set<Int>) {
        for stretch in usedStretches {
            (base + (stretch << 9)).update(repeating: 0, count: 512)
            (base + PageTableView.entryCount + (stretch << 9)).update(repeating: 0, count: 512)
        }
        if pool.push(base, limit: poolLimit) { return }
        #if canImport(Glibc) || canImport(Musl) || canImport(Darwin)
        munmap(base, byteCount)
        #else
        PageAllocation.free(UnsafeMutableRawPointer(base), byteCount: byteCount)
        #endif
    }

    nonisolated(unsafe) private static let pool = TablePool()
}

/// A lock-protected stack of cleared page tables, shared by all threads.
private final class TablePool {
    #if canImport(Glibc) || canImport(Musl) || canImport(Darwin)
    private let lock: UnsafeMutablePointer<pthread_mutex_t> = {
        let l = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(l, nil)
        return l
    }()
    private var tables: [UInt] = []

    func pop() -> PageTables.Base? {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return tables.popLast().flatMap { PageTables.Base(bitPattern: $0) }
    }

    func push(_ base: PageTables.Base, limit: Int) -> Bool {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        guard tables.count < limit else { return false }
        tables.append(UInt(bitPattern: base))
        return true
    }
    #else
    func pop() -> PageTables.Base? { nil }
    func push(_ base: PageTables.Base, limit: Int) -> Bool { false }
    #endif
}
