/// The stretches of a page table (``PageTableView/stretch`` entries, 2 MiB of guest address space each)
/// that an instance has written, as a fixed bit set: one bit for each of the 2,048 stretches.
///
/// A bit set rather than a `Set<Int>`: inserting costs a shift and an `or`, and the first instance of a
/// process does not pay for instantiating a generic set's runtime metadata (about 0.1 ms).
struct StretchSet {
    /// The number of stretches in a table.
    static let capacity = PageTableView.entryCount / PageTableView.stretch

    private var words = [UInt64](repeating: 0, count: (capacity + 63) / 64)

    /// Adds stretch `index` (`0..<capacity`).
    mutating func insert(_ index: Int) {
        precondition(index >= 0 && index < Self.capacity, "stretch index out of range")
        words[index >> 6] |= 1 << UInt64(index & 63)
    }

    /// Whether stretch `index` is in the set.
    func contains(_ index: Int) -> Bool {
        index >= 0 && index < Self.capacity && words[index >> 6] & (1 << UInt64(index & 63)) != 0
    }

    /// Calls `body` with every member, in increasing order.
    func forEach(_ body: (Int) throws -> Void) rethrows {
        for (w, word) in words.enumerated() {
            var bits = word
            while bits != 0 {
                try body(w * 64 + bits.trailingZeroBitCount)
                bits &= bits &- 1
            }
        }
    }
}
