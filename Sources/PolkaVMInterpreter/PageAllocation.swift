#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Page-aligned, zero-filled host memory for guest pages and page tables. Large blocks come from
/// anonymous `mmap` where available, so untouched pages cost no resident memory.
enum PageAllocation {
    static let pageSize = 4096

    /// An allocation, with how it was made so that ``free(_:)`` undoes it the same way.
    struct Block {
        let pointer: UnsafeMutableRawPointer
        let byteCount: Int
        let isMapped: Bool
    }

    /// `noReserve` asks the OS not to reserve swap for the whole block (for sparse tables).
    static func allocateZeroed(byteCount: Int, noReserve: Bool = false) -> Block {
        #if canImport(Glibc) || canImport(Musl) || canImport(Darwin)
        if byteCount >= 64 * 1024 {
            var flags = MAP_PRIVATE | MAP_ANONYMOUS
            #if !canImport(Darwin)
            if noReserve { flags |= MAP_NORESERVE }
            #endif
            let p = mmap(nil, byteCount, PROT_READ | PROT_WRITE, flags, -1, 0)
            if let p, p != MAP_FAILED { return Block(pointer: p, byteCount: byteCount, isMapped: true) }
        }
        #endif
        let p = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: pageSize)
        p.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
        return Block(pointer: p, byteCount: byteCount, isMapped: false)
    }

    static func free(_ block: Block) {
        #if canImport(Glibc) || canImport(Musl) || canImport(Darwin)
        if block.isMapped {
            munmap(block.pointer, block.byteCount)
            return
        }
        #endif
        block.pointer.deallocate()
    }
}

/// Storage for ``PageTableView``: a run block of `runBlockBytes` (the instance's run context and
/// registers, see `pageTables(_:)`), then both flat tables (16 MiB of address space on 64-bit hosts),
/// zero-filled, committed by the OS only where written. Released tables are cleared where they were
/// written and kept in a small process-wide pool, so creating an instance costs no system call.
enum PageTables {
    /// The read table's first entry (the write table follows).
    typealias Base = UnsafeMutablePointer<UInt>

    /// How many released tables the pool keeps.
    static let poolLimit = 32

    static func acquire() -> PageAllocation.Block {
        if let pooled = pool.pop() { return pooled }
        return PageAllocation.allocateZeroed(byteCount: runBlockBytes + 2 * PageTableView.entryCount * MemoryLayout<UInt>.stride,
                                             noReserve: true)
    }

    /// Returns tables whose entries were written only inside `usedStretches` (see ``PageTableView/stretch``).
    static func release(_ block: PageAllocation.Block, usedStretches: StretchSet) {
        let base = tables(of: block)
        usedStretches.forEach { stretch in
            (base + stretch * PageTableView.stretch).update(repeating: 0, count: PageTableView.stretch)
            (base + PageTableView.entryCount + stretch * PageTableView.stretch).update(repeating: 0, count: PageTableView.stretch)
        }
        if !pool.push(block, limit: poolLimit) { PageAllocation.free(block) }
    }

    /// The read table's first entry in a block from ``acquire()``.
    static func tables(of block: PageAllocation.Block) -> Base {
        (block.pointer + runBlockBytes).assumingMemoryBound(to: UInt.self)
    }

    /// The run block of a block from ``acquire()``: the run context, then the registers.
    static func runBlock(of block: PageAllocation.Block) -> UnsafeMutableRawPointer { block.pointer }

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
    private var tables: [PageAllocation.Block] = []

    func pop() -> PageAllocation.Block? {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return tables.popLast()
    }

    func push(_ block: PageAllocation.Block, limit: Int) -> Bool {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        guard tables.count < limit else { return false }
        tables.append(block)
        return true
    }
    #else
    func pop() -> PageAllocation.Block? { nil }
    func push(_ block: PageAllocation.Block, limit: Int) -> Bool { false }
    #endif
}
