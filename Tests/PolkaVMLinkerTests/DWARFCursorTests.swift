import Testing

@testable import PolkaVMLinker

@Suite struct DWARFCursorTests {
    /// SLEB128 encodings of every length, including 9-byte negative values (sign extension from bit 63;
    /// clang -g writes them for large negative constants, which crashed the reader) and Int64.min.
    @Test("SLEB128: 1 to 10 bytes, negative values sign-extended from any bit")
    func sleb() throws {
        func encode(_ v: Int64) -> [UInt8] {
            var v = v, out: [UInt8] = []
            while true {
                let byte = UInt8(v & 0x7F)
                v >>= 7
                if (v == 0 && byte & 0x40 == 0) || (v == -1 && byte & 0x40 != 0) { out.append(byte); return out }
                out.append(byte | 0x80)
            }
        }
        let values: [Int64] = [0, 1, -1, 63, -64, 64, -65, 1 << 40, -(1 << 40), -(1 << 55), -(1 << 62), (1 << 62) - 1,
                               -0x1234_5678_9ABC_DEF0, Int64.max, Int64.min, Int64.min + 1]
        for v in values {
            let bytes = encode(v)
            var cursor = DWARFCursor(bytes)
            #expect(try cursor.sleb() == v, "\(v) as \(bytes.count) bytes")
            #expect(cursor.atEnd)
        }
        #expect(encode(-(1 << 62)).count == 9)
        #expect(encode(Int64.min).count == 10)
    }
}
