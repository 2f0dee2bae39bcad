// Reading `.polkavm` containers (upstream-format.md §1.1–1.5).
//
// Everything here works on untrusted bytes: every length field is compared with the bytes that are
// really left *before* anything is sliced or allocated, and all arithmetic on such fields is done in
// `Int` (64-bit) after the field has been range-checked, so no input can trap, hang or make the
// reader allocate more than a small multiple of the input's size.

/// The four magic bytes every container starts with: `PVM\0`.
let programBlobMagic: [UInt8] = [0x50, 0x56, 0x4D, 0x00]

/// Section ids of the container (upstream-format.md §1.1).
enum SectionID {
    static let endOfFile: UInt8 = 0
    static let memoryConfig: UInt8 = 1
    static let roData: UInt8 = 2
    static let rwData: UInt8 = 3
    static let imports: UInt8 = 4
    static let exports: UInt8 = 5
    static let code: UInt8 = 6
    static let debugStrings: UInt8 = 128
    static let debugLinePrograms: UInt8 = 129
    static let debugLineProgramRanges: UInt8 = 130

    /// The section an id names, for error reports.
    static func section(for id: UInt8) -> ProgramSection? {
        switch id {
        case memoryConfig: return .memoryConfig
        case roData: return .roData
        case rwData: return .rwData
        case imports: return .imports
        case exports: return .exports
        case code: return .code
        case debugStrings: return .debugStrings
        case debugLinePrograms: return .debugLinePrograms
        case debugLineProgramRanges: return .debugLineProgramRanges
        default: return id & 0x80 != 0 ? .custom : nil
        }
    }
}

/// A bounds-checked reader over a window `[position, end)` of a byte array. Offsets in errors are
/// absolute indices into the underlying array, so a cursor over a part of a larger input reports
/// positions in that input.
struct ByteCursor {
    let bytes: [UInt8]
    /// Where the window starts.
    let start: Int
    var position: Int
    let end: Int
    /// The section errors are attributed to.
    var section: ProgramSection?

    init(_ bytes: [UInt8], section: ProgramSection?, start: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        let clampedEnd = Swift.min(Swift.max(end ?? bytes.count, 0), bytes.count)
        self.start = Swift.min(Swift.max(start, 0), clampedEnd)
        self.position = self.start
        self.end = clampedEnd
        self.section = section
    }

    /// The number of unread bytes in the window.
    var remaining: Int { end - position }

    /// Whether the window is exhausted.
    var isAtEnd: Bool { position >= end }

    /// A cursor over the next `count` bytes (which must be available), advancing past them.
    mutating func subCursor(count: Int, section: ProgramSection?) throws(ProgramError) -> ByteCursor {
        try require(count)
        let sub = ByteCursor(bytes, section: section, start: position, end: position + count)
        position += count
        return sub
    }

    func error(_ kind: ProgramErrorKind, at offset: Int? = nil) -> ProgramError {
        ProgramError(kind, section: section, offset: offset ?? position)
    }

    /// Throws `truncated` unless `count` more bytes are available.
    func require(_ count: Int) throws(ProgramError) {
        guard count >= 0, count <= remaining else {
            throw error(.truncated(needed: Swift.max(count, 0), available: remaining))
        }
    }

    mutating func readByte() throws(ProgramError) -> UInt8 {
        try require(1)
        let value = bytes[position]
        position += 1
        return value
    }

    /// Copies the next `count` bytes, checking first that they exist.
    mutating func readBytes(_ count: Int) throws(ProgramError) -> [UInt8] {
        try require(count)
        let out = Array(bytes[position..<position + count])
        position += count
        return out
    }

    /// Reads a `width`-byte little-endian unsigned integer (`width` in 0...8).
    mutating func readLittleEndian(width: Int) throws(ProgramError) -> UInt64 {
        try require(width)
        var value: UInt64 = 0
        for k in 0..<Swift.min(width, 8) {
            value |= UInt64(bytes[position + k]) << UInt64(8 * k)
        }
        position += width
        return value
    }

    /// Reads a container varint (upstream-format.md §1.3), including upstream's `n = 4` quirk.
    mutating func readVarint() throws(ProgramError) -> UInt32 {
        let start = position
        try require(1)
        let extra = (~bytes[position]).leadingZeroBitCount
        if extra > 4 { throw error(.malformedVarint, at: start) }
        guard 1 + extra <= remaining else {
            throw error(.truncated(needed: 1 + extra, available: remaining), at: start)
        }
        let decoded = bytes.withUnsafeBytes { raw in
            Varint.read(UnsafeRawBufferPointer(rebasing: raw[position..<end]), at: 0)
        }
        guard let decoded else { throw error(.malformedVarint, at: start) }
        position += decoded.length
        return decoded.value
    }

    /// Reads a Gray Paper general natural `E(x)` (graypaper-pvm.md, notation): a prefix byte whose
    /// count `l` of leading ones gives the number of little-endian bytes that follow, the prefix's
    /// remaining bits being the value's top bits; the prefix `0xFF` is followed by a full 8-byte value.
    /// Non-canonical (over-long) encodings are accepted, as the container reader accepts them.
    mutating func readNatural() throws(ProgramError) -> UInt64 {
        let start = position
        try require(1)
        let first = bytes[position]
        let extra = (~first).leadingZeroBitCount  // 0...8
        guard 1 + extra <= remaining else {
            throw error(.truncated(needed: 1 + extra, available: remaining), at: start)
        }
        position += 1
        let low = try readLittleEndian(width: extra)
        if extra == 8 { return low }
        let high = UInt64(first) & ((UInt64(1) << UInt64(7 - extra)) - 1)
        return (high << UInt64(8 * extra)) | low
    }

    /// Reads a length or count in the given number encoding.
    mutating func readNumber(_ encoding: NumberEncoding) throws(ProgramError) -> UInt64 {
        switch encoding {
        case .containerVarint: return UInt64(try readVarint())
        case .grayPaperNatural: return try readNatural()
        }
    }
}

/// How the counts and lengths of a code payload are encoded. The two coincide for every value below
/// 2^32; they differ only on adversarial prefixes (`0xF1...0xF7`, which the container reads with
/// upstream's wrapping-shift quirk, and `0xF8...0xFF`, which only the Gray Paper form accepts).
enum NumberEncoding {
    /// The container varint of upstream-format.md §1.3 (at most 32 bits).
    case containerVarint
    /// The Gray Paper's `E(x)` (up to 64 bits; values past the limits are rejected by the caller).
    case grayPaperNatural
}

extension ProgramCode {
    /// Parses a code-and-jump-table payload: `count ‖ entry size (1 byte) ‖ code length ‖ jump table ‖
    /// code ‖ bitmask`, consuming every byte left in `cursor` (the bitmask is the rest). Shared by the
    /// container's code section and the Gray Paper's raw program blob.
    ///
    /// Checks, in upstream's order: payload not empty, jump-table count ≤ 16 Mi, code length ≤ 32 MiB,
    /// entry size in 0...4, the table and code bytes present, bitmask length exactly `ceil(len / 8)`,
    /// zero padding bits. An entry size of 0 gives an empty table whatever the count.
    static func parsePayload(
        _ cursor: inout ByteCursor, isa: InstructionSetKind, numbers: NumberEncoding
    ) throws(ProgramError) -> ProgramCode {
        guard !cursor.isAtEnd else { throw cursor.error(.missingCode) }

        let countOffset = cursor.position
        let count = try cursor.readNumber(numbers)
        guard count <= UInt64(ProgramLimits.maximumJumpTableEntries) else {
            throw cursor.error(.jumpTableTooLong(Int(clamping: count)), at: countOffset)
        }
        let entrySizeOffset = cursor.position
        let entrySize = try cursor.readByte()
        let codeLengthOffset = cursor.position
        let codeLength = try cursor.readNumber(numbers)
        guard codeLength <= UInt64(ProgramLimits.maximumCodeLength) else {
            throw cursor.error(.codeTooLong(Int(clamping: codeLength)), at: codeLengthOffset)
        }
        guard entrySize <= 4 else {
            throw cursor.error(.invalidJumpTableEntrySize(entrySize), at: entrySizeOffset)
        }

        // Both factors are range-checked above, so the product (≤ 64 Mi) cannot overflow; the bytes
        // must be present before the table is materialised.
        let width = Int(entrySize)
        let entryCount = width == 0 ? 0 : Int(count)
        try cursor.require(entryCount * width)
        var jumpTable: [UInt32] = []
        jumpTable.reserveCapacity(entryCount)
        for _ in 0..<entryCount {
            jumpTable.append(UInt32(truncatingIfNeeded: try cursor.readLittleEndian(width: width)))
        }

        let code = try cursor.readBytes(Int(codeLength))
        let bitmaskOffset = cursor.position
        let expected = (code.count + 7) / 8
        guard cursor.remaining == expected else {
            throw cursor.error(.bitmaskLengthMismatch(expected: expected, actual: cursor.remaining), at: bitmaskOffset)
        }
        let bitmask = try cursor.readBytes(expected)
        let used = code.count % 8
        if used != 0, let last = bitmask.last, last >> UInt8(used) != 0 {
            throw cursor.error(.bitmaskPaddingNotZero, at: bitmaskOffset + expected - 1)
        }
        return ProgramCode(uncheckedCode: code, bitmask: bitmask, jumpTable: jumpTable, isa: isa)
    }
}

extension ProgramBlob {
    /// The byte offset of the 8-byte little-endian blob length in the header.
    public static let blobLengthOffset = 5
    /// The size of the header: magic, version byte and blob length.
    public static let headerSize = 13

    /// Reads the total blob length from the header of a (possibly incomplete) blob, or `nil` when
    /// fewer than 13 bytes are given or the magic is wrong.
    public static func blobLength(ofPrefix bytes: [UInt8]) -> UInt64? {
        guard bytes.count >= headerSize, Array(bytes[0..<4]) == programBlobMagic else { return nil }
        var value: UInt64 = 0
        for k in 0..<8 { value |= UInt64(bytes[blobLengthOffset + k]) << UInt64(8 * k) }
        return value
    }

    /// Parses a `.polkavm` container exactly as upstream's reader does (upstream-format.md §1.1–1.5):
    /// magic, version byte (the instruction set), the u64 blob length (which must equal
    /// `bytes.count`), then the sections in their fixed order — memory config (1), RO data (2),
    /// RW data (3), imports (4), exports (5), code and jump table (6) — then any optional sections
    /// (ids with bit 7 set, kept in ``customSections`` in blob order), then the end byte `0`.
    ///
    /// Differences from upstream, all stricter: an import whose symbol range lies outside the symbol
    /// area is rejected (``ProgramErrorKind/invalidImport(index:)``), and a malformed export entry or
    /// bytes left over after the last export are errors where upstream's lazy iterator would silently
    /// stop. Like upstream, bytes after the end byte are not examined.
    ///
    /// - Throws: ``ProgramError`` naming what is wrong, the section and the byte offset.
    public init(parsing bytes: [UInt8]) throws(ProgramError) {
        var reader = ByteCursor(bytes, section: .header)

        // Header.
        guard bytes.count >= 4, Array(bytes[0..<4]) == programBlobMagic else {
            if bytes.count < 4, bytes == Array(programBlobMagic[0..<bytes.count]) {
                throw ProgramError(.truncated(needed: 4, available: bytes.count), section: .header, offset: 0)
            }
            throw ProgramError(.badMagic, section: .header, offset: 0)
        }
        reader.position = 4
        let versionByte = try reader.readByte()
        guard let isa = InstructionSetKind(rawValue: versionByte) else {
            throw ProgramError(.unsupportedVersion(versionByte), section: .header, offset: 4)
        }
        let declaredLength = try reader.readLittleEndian(width: 8)
        guard declaredLength == UInt64(bytes.count) else {
            throw ProgramError(.lengthMismatch(header: declaredLength, actual: bytes.count), section: .header, offset: Self.blobLengthOffset)
        }

        var roDataSize: UInt32 = 0
        var rwDataSize: UInt32 = 0
        var stackSize: UInt32 = 0
        var roData: [UInt8] = []
        var rwData: [UInt8] = []
        var imports: [ProgramSymbol] = []
        var exports: [ProgramExport] = []
        var codePayload: ByteCursor?
        var customSections: [CustomSection] = []
        var roDataOffset: Int?
        var rwDataOffset: Int?

        /// Reads the id byte of the next section; a missing byte is a truncation at that offset.
        func nextSectionID(_ reader: inout ByteCursor) throws(ProgramError) -> (id: UInt8, offset: Int) {
            reader.section = nil
            let offset = reader.position
            return (try reader.readByte(), offset)
        }

        /// Reads a section's varint length and returns a cursor over its payload.
        func payload(_ reader: inout ByteCursor, _ section: ProgramSection) throws(ProgramError) -> ByteCursor {
            reader.section = section
            let length = Int(try reader.readVarint())
            return try reader.subCursor(count: length, section: section)
        }

        var (id, idOffset) = try nextSectionID(&reader)

        if id == SectionID.memoryConfig {
            reader.section = .memoryConfig
            let declared = Int(try reader.readVarint())
            let start = reader.position
            // Upstream reads the three varints from the blob itself and only then compares the
            // consumed length with the declared one.
            roDataSize = try reader.readVarint()
            rwDataSize = try reader.readVarint()
            stackSize = try reader.readVarint()
            let used = reader.position - start
            guard used == declared else {
                throw ProgramError(.sectionLengthMismatch(declared: declared, used: used), section: .memoryConfig, offset: idOffset)
            }
            (id, idOffset) = try nextSectionID(&reader)
        }
        if id == SectionID.roData {
            roDataOffset = idOffset
            var section = try payload(&reader, .roData)
            roData = try section.readBytes(section.remaining)
            (id, idOffset) = try nextSectionID(&reader)
        }
        if id == SectionID.rwData {
            rwDataOffset = idOffset
            var section = try payload(&reader, .rwData)
            rwData = try section.readBytes(section.remaining)
            (id, idOffset) = try nextSectionID(&reader)
        }
        if id == SectionID.imports {
            var section = try payload(&reader, .imports)
            imports = try Self.parseImports(&section)
            (id, idOffset) = try nextSectionID(&reader)
        }
        if id == SectionID.exports {
            var section = try payload(&reader, .exports)
            exports = try Self.parseExports(&section)
            (id, idOffset) = try nextSectionID(&reader)
        }
        if id == SectionID.code {
            codePayload = try payload(&reader, .code)
            (id, idOffset) = try nextSectionID(&reader)
        }
        // Debug sections (128, 129, 130) and unknown optional ones: kept verbatim, in blob order.
        while id & 0x80 != 0 {
            var section = try payload(&reader, SectionID.section(for: id) ?? .custom)
            customSections.append(CustomSection(id: id, payload: try section.readBytes(section.remaining)))
            (id, idOffset) = try nextSectionID(&reader)
        }
        guard id == SectionID.endOfFile else {
            throw ProgramError(.unexpectedSection(id), section: SectionID.section(for: id), offset: idOffset)
        }

        // Checks on the assembled parts, in upstream's order.
        guard roData.count <= Int(roDataSize) else {
            throw ProgramError(.dataLargerThanDeclared(payload: roData.count, declared: Int(roDataSize)), section: .roData, offset: roDataOffset)
        }
        guard rwData.count <= Int(rwDataSize) else {
            throw ProgramError(.dataLargerThanDeclared(payload: rwData.count, declared: Int(rwDataSize)), section: .rwData, offset: rwDataOffset)
        }
        guard var codeCursor = codePayload else {
            throw ProgramError(.missingCode, section: .code, offset: idOffset)
        }
        let code = try ProgramCode.parsePayload(&codeCursor, isa: isa, numbers: .containerVarint)

        self.init(
            isa: isa, roDataSize: roDataSize, rwDataSize: rwDataSize, stackSize: stackSize,
            roData: roData, rwData: rwData, imports: imports, exports: exports,
            code: code, customSections: customSections
        )
    }

    /// Imports: `count ‖ count × u32 LE offset ‖ symbol area`; symbol `i` spans from its offset to the
    /// next one (the last to the end of the area).
    static func parseImports(_ section: inout ByteCursor) throws(ProgramError) -> [ProgramSymbol] {
        let countOffset = section.position
        let count = Int(try section.readVarint())
        guard count <= ProgramLimits.maximumImportCount else {
            throw section.error(.tooManyImports(count), at: countOffset)
        }
        let offsetsStart = section.position
        try section.require(count * 4)
        var offsets: [Int] = []
        offsets.reserveCapacity(count)
        for _ in 0..<count {
            offsets.append(Int(try section.readLittleEndian(width: 4)))
        }
        let symbols = try section.readBytes(section.remaining)
        var imports: [ProgramSymbol] = []
        imports.reserveCapacity(count)
        for i in 0..<count {
            let start = offsets[i]
            let end = i + 1 < count ? offsets[i + 1] : symbols.count
            guard start <= end, end <= symbols.count else {
                throw section.error(.invalidImport(index: i), at: offsetsStart + 4 * i)
            }
            imports.append(ProgramSymbol(bytes: Array(symbols[start..<end])))
        }
        return imports
    }

    /// Exports: `count ‖ count × (pc ‖ symbol length ‖ symbol)`, all varints; the entries must use the
    /// payload exactly.
    static func parseExports(_ section: inout ByteCursor) throws(ProgramError) -> [ProgramExport] {
        let count = Int(try section.readVarint())
        var exports: [ProgramExport] = []
        // Each entry takes at least two bytes, so this bound comes from bytes that exist.
        exports.reserveCapacity(Swift.min(count, section.remaining / 2))
        for _ in 0..<count {
            let pc = try section.readVarint()
            let length = Int(try section.readVarint())
            let symbol = try section.readBytes(length)
            exports.append(ProgramExport(pc: pc, symbol: ProgramSymbol(bytes: symbol)))
        }
        guard section.isAtEnd else {
            throw section.error(.sectionLengthMismatch(declared: section.end - section.start, used: section.position - section.start))
        }
        return exports
    }
}
