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
