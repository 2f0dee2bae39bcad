#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Android)
import Android
#elseif canImport(ucrt)
import ucrt
#elseif canImport(WASILibc)
import WASILibc
#endif

/// The growing op array of a program being compiled: one `malloc` block, sized up front from an
/// instruction census, that `realloc` grows if needed and trims if much is left over. The compiler
/// writes each op once, in place; C libraries grow large blocks by remapping their pages rather than
/// copying them, so compiling a big program touches little more memory than its finished ops. The
/// block is handed over to the ``CompiledProgram``, which frees it with ``release(_:)``.
struct OpBuffer {
    private(set) var base: UnsafeMutablePointer<Op>
    private(set) var count = 0
    private var capacity: Int

    /// An empty buffer with room for `capacity` ops.
    init(capacity: Int) {
        self.capacity = Swift.max(16, capacity)
        base = OpBuffer.resize(nil, used: 0, to: self.capacity)
    }

    /// Appends an op.
    @inline(__always)
    mutating func append(_ op: Op) {
        if _slowPath(count == capacity) { grow() }
        (base + count).initialize(to: op)
        count += 1
    }

    /// The op at `index` (which must be below ``count``).
    @inline(__always)
    subscript(index: Int) -> Op {
        get { base[index] }
        nonmutating set { base[index] = newValue }
    }

    private mutating func grow() {
        base = OpBuffer.resize(base, used: count, to: capacity * 2)
        capacity *= 2
    }

    /// Returns the block, trimmed if much of it is unused; the buffer must not be used afterwards.
    /// (Not trimmed to the last slot: a block of the same size is what the next compilation of a
    /// similar program asks for, and allocators reuse freed blocks of a size they have seen.)
    mutating func finish() -> UnsafeMutablePointer<Op> {
        if capacity - count > count / 8 + 64 {
            base = OpBuffer.resize(base, used: count, to: Swift.max(1, count))
            capacity = Swift.max(1, count)
        }
        return base
    }

    /// Frees a block returned by ``finish()``. (`Op` holds only plain values, a thin function pointer and
    /// integers, so there is nothing to deinitialize.)
    static func release(_ ops: UnsafeMutablePointer<Op>) {
        #if canImport(Glibc) || canImport(Musl) || canImport(Darwin) || canImport(Android) || canImport(ucrt) || canImport(WASILibc)
        free(ops)
        #else
        ops.deallocate()
        #endif
    }

    /// Moves the first `used` ops of `block` (nil: none) into a block of `capacity` ops.
    private static func resize(_ block: UnsafeMutablePointer<Op>?, used: Int, to capacity: Int) -> UnsafeMutablePointer<Op> {
        #if canImport(Glibc) || canImport(Musl) || canImport(Darwin) || canImport(Android) || canImport(ucrt) || canImport(WASILibc)
        let bytes = capacity * MemoryLayout<Op>.stride
        guard let raw = realloc(block, bytes) else {
            fatalError("out of memory compiling a program (\(bytes) bytes of ops)")
        }
        return raw.bindMemory(to: Op.self, capacity: capacity)
        #else
        let fresh = UnsafeMutablePointer<Op>.allocate(capacity: capacity)
        if let block {
            fresh.moveInitialize(from: block, count: used)
            block.deallocate()
        }
        return fresh
        #endif
    }
}
