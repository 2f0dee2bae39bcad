/// The container's variable-length integer encoding (docs/SPEC.md, "Varints").
///
/// The number of leading one bits of the first byte gives the count of extra bytes (0...4); the rest
/// of the first byte holds the value's most significant bits, and the extra bytes its low bits (LE).
public enum Varint {
    /// Reads a varint at `offset`; returns the value and the number of bytes consumed, or `nil` when
    /// the encoding is malformed (five leading ones) or truncated.
    public static func read(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> (value: UInt32, length: Int)? {
        guard offset >= 0, offset < bytes.count else { return nil }
        let first = bytes[offset]
        let extra = (~first).leadingZeroBitCount
        if extra == 0 { return (UInt32(first), 1) }
        if extra > 4 { return nil }
        guard offset + extra < bytes.count else { return nil }
        var low: UInt32 = 0
        for k in 0..<extra {
            low |= UInt32(bytes[offset + 1 + k]) << (8 * UInt32(k))
        }
        let value: UInt32
        if extra == 4 {
            // Upstream shifts the first byte's payload by 32 with a wrapping 32-bit shift, which keeps
            // its low three bits in place; canonical encodings have them zero.
            value = UInt32(first & 0x07) | low
        } else {
            let high = UInt32(first) & ((UInt32(1) << (7 - UInt32(extra))) - 1)
            value = (high << (8 * UInt32(extra))) | low
        }
        return (value, 1 + extra)
    }

    /// Reads a varint from an array.
    public static func read(_ bytes: [UInt8], at offset: Int) -> (value: UInt32, length: Int)? {
        bytes.withUnsafeBytes { read($0, at: offset) }
    }

    /// Appends the shortest encoding of `value`.
    public static func write(_ value: UInt32, to out: inout [UInt8]) {
        var extra = 0
        while extra < 4 && UInt64(value) >= (UInt64(1) << (7 + 7 * UInt64(extra))) {
            extra += 1
        }
        if extra == 0 {
            out.append(UInt8(value))
            return
        }
        let prefix = UInt8(truncatingIfNeeded: 0xFF00 >> extra)  // `extra` leading ones
        let high = extra == 4 ? 0 : UInt8(truncatingIfNeeded: value >> (8 * UInt32(extra)))
        out.append(prefix | high)
        for k in 0..<extra {
            out.append(UInt8(truncatingIfNeeded: value >> (8 * UInt32(k))))
        }
    }

    /// The encoded length of `value`.
    public static func length(of value: UInt32) -> Int {
        var out: [UInt8] = []
        write(value, to: &out)
        return out.count
    }
}
