// The JAM standard program format and its initial state (graypaper-pvm.md §8):
//
//     E_3(|o|) ‖ E_3(|w|) ‖ E_2(z) ‖ E_3(s) ‖ o ‖ w ‖ E_4(|c|) ‖ c
//
// where `c` is a raw PVM program blob (RawProgram.swift). A service's code preimage prefixes this with
// `E(↕metadata)`, a Gray Paper natural length followed by that many metadata bytes.

/// A JAM "standard program": initial read-only data `o`, read-write data `w`, a number `z` of extra
/// zero-filled heap pages, a stack size `s` and the code.
public struct StandardProgram: Sendable, Hashable {
    /// Z_Z: the major zone size the layout is aligned to (64 KiB).
    public static let zoneSize: UInt32 = 1 << 16
    /// Z_P: the page size (4 KiB).
    public static let pageSize: UInt32 = 1 << 12
    /// Z_I: the largest argument (input) size (16 MiB).
    public static let maximumArgumentSize: UInt32 = 1 << 24
    /// The return address placed in φ0: a `ret` from the entry point halts.
    public static let returnAddress: UInt32 = 0xFFFF_0000
    /// The initial stack pointer φ1, the top of the stack: 2^32 − 2·Z_Z − Z_I.
    public static let stackTop: UInt32 = 0xFEFE_0000
    /// The argument address φ7: 2^32 − Z_Z − Z_I.
    public static let argumentAddress: UInt32 = 0xFEFF_0000

    /// The read-only data `o`.
    public var roData: [UInt8]
    /// The read-write data `w` (the heap starts at its beginning).
    public var rwData: [UInt8]
    /// The number `z` of zero-filled pages after the read-write data.
    public var heapPages: UInt16
    /// The stack size `s` in bytes (a 24-bit field).
    public var stackSize: UInt32
    /// The code.
    public var code: ProgramCode
    /// The metadata that preceded the program, when parsed with ``init(parsingWithMetadata:isa:)``
    /// (empty otherwise).
    public var metadata: [UInt8]

    /// Creates a program from its parts.
    public init(roData: [UInt8] = [], rwData: [UInt8] = [], heapPages: UInt16 = 0, stackSize: UInt32 = 0, code: ProgramCode, metadata: [UInt8] = []) {
        self.roData = roData
        self.rwData = rwData
        self.heapPages = heapPages
        self.stackSize = stackSize
        self.code = code
        self.metadata = metadata
    }

    /// Parses a standard program blob (no metadata prefix). The code is a raw PVM blob read with
    /// ``ProgramCode/init(rawProgram:isa:)``; the code must end exactly at the end of `bytes`; and the
    /// layout must fit the address space (``validateLayout()``).
    ///
    /// - Throws: ``ProgramError``: truncation or trailing bytes in ``ProgramSection/jamHeader``, data
    ///   truncated in ``ProgramSection/roData`` / ``ProgramSection/rwData``, code errors in
    ///   ``ProgramSection/code``, ``ProgramErrorKind/memoryMapTooLarge`` for an oversized layout.
    public init(parsing bytes: [UInt8], isa: InstructionSetKind = .jamV1) throws(ProgramError) {
        var cursor = ByteCursor(bytes, section: .jamHeader)
        try self.init(cursor: &cursor, isa: isa, metadata: [])
    }

    /// Parses a service code blob `E(↕metadata) ‖ p`: a Gray Paper natural length, that many metadata
    /// bytes (kept in ``metadata``), then a standard program as in ``init(parsing:isa:)``.
    public init(parsingWithMetadata bytes: [UInt8], isa: InstructionSetKind = .jamV1) throws(ProgramError) {
        var cursor = ByteCursor(bytes, section: .jamHeader)
        let lengthOffset = cursor.position
        let length = try cursor.readNatural()
        guard length <= UInt64(cursor.remaining) else {
            throw cursor.error(.truncated(needed: Int(clamping: length), available: cursor.remaining), at: lengthOffset)
        }
        let metadata = try cursor.readBytes(Int(length))
        try self.init(cursor: &cursor, isa: isa, metadata: metadata)
    }

    private init(cursor: inout ByteCursor, isa: InstructionSetKind, metadata: [UInt8]) throws(ProgramError) {
        let roLength = Int(try cursor.readLittleEndian(width: 3))
        let rwLength = Int(try cursor.readLittleEndian(width: 3))
        let heapPages = UInt16(try cursor.readLittleEndian(width: 2))
        let stackSize = UInt32(try cursor.readLittleEndian(width: 3))
        cursor.section = .roData
        let roData = try cursor.readBytes(roLength)
        cursor.section = .rwData
        let rwData = try cursor.readBytes(rwLength)
        cursor.section = .jamHeader
        let codeLengthOffset = cursor.position
        let codeLength = Int(try cursor.readLittleEndian(width: 4))
        guard codeLength <= cursor.remaining else {
            throw cursor.error(.truncated(needed: codeLength, available: cursor.remaining), at: codeLengthOffset)
        }
        guard codeLength == cursor.remaining else {
            throw cursor.error(.sectionLengthMismatch(declared: codeLength, used: cursor.remaining), at: codeLengthOffset)
        }
        var codeCursor = try cursor.subCursor(count: codeLength, section: .code)
        let code = try ProgramCode.parsePayload(&codeCursor, isa: isa, numbers: .grayPaperNatural)
        self.init(roData: roData, rwData: rwData, heapPages: heapPages, stackSize: stackSize, code: code, metadata: metadata)
        try validateLayout()
    }

    /// Serialises the program (without the metadata prefix).
    ///
    /// - Throws: ``ProgramErrorKind/invalidValue(_:)`` when a size does not fit its fixed-width field
    ///   (data or stack size ≥ 2^24).
    public func serialized() throws(ProgramError) -> [UInt8] {
        let limit = 1 << 24
        guard roData.count < limit, rwData.count < limit, Int(stackSize) < limit else {
            throw ProgramError(.invalidValue("a standard program size does not fit in 24 bits"), section: .jamHeader)
        }
        let payload = code.rawProgram()
        var out: [UInt8] = []
        out.reserveCapacity(15 + roData.count + rwData.count + payload.count)
        appendLittleEndian(UInt64(roData.count), width: 3, to: &out)
        appendLittleEndian(UInt64(rwData.count), width: 3, to: &out)
        appendLittleEndian(UInt64(heapPages), width: 2, to: &out)
        appendLittleEndian(UInt64(stackSize), width: 3, to: &out)
        out.append(contentsOf: roData)
        out.append(contentsOf: rwData)
        appendLittleEndian(UInt64(payload.count), width: 4, to: &out)
        out.append(contentsOf: payload)
        return out
    }

    /// Serialises `E(↕metadata) ‖ p` with ``metadata`` as the prefix.
    public func serializedWithMetadata() throws(ProgramError) -> [UInt8] {
        var out: [UInt8] = []
        writeNatural(UInt64(metadata.count), to: &out)
        out.append(contentsOf: metadata)
        out.append(contentsOf: try serialized())
        return out
    }

    /// `P(x)`: rounds up to a whole page.
    static func pageAligned(_ x: UInt64) -> UInt64 {
        let p = UInt64(pageSize)
        return (x + p - 1) / p * p
    }

    /// `Z(x)`: rounds up to a whole zone.
    static func zoneAligned(_ x: UInt64) -> UInt64 {
        let z = UInt64(zoneSize)
        return (x + z - 1) / z * z
    }

    /// Whether regions of the given sizes fit the address space:
    /// `5·Z_Z + Z(|o|) + Z(|w| + z·Z_P) + Z(s) + Z_I ≤ 2^32`. Any input may be given; nothing overflows.
    public static func layoutFits(roDataLength: UInt64, rwDataLength: UInt64, heapPages: UInt64, stackSize: UInt64) -> Bool {
        let limit = UInt64(1) << 32
        // Each of these alone would already break the limit; bounding them keeps the sum below 2^46.
        guard roDataLength <= limit, rwDataLength <= limit, heapPages <= limit, stackSize <= limit else { return false }
        let total = 5 * UInt64(zoneSize)
            + zoneAligned(roDataLength)
            + zoneAligned(rwDataLength + heapPages * UInt64(pageSize))
            + zoneAligned(stackSize)
            + UInt64(maximumArgumentSize)
        return total <= limit
    }

    /// Checks that this program's regions fit the address space (``layoutFits(roDataLength:rwDataLength:heapPages:stackSize:)``).
    ///
    /// - Throws: ``ProgramErrorKind/memoryMapTooLarge`` when they do not.
    public func validateLayout() throws(ProgramError) {
        guard Self.layoutFits(
            roDataLength: UInt64(roData.count), rwDataLength: UInt64(rwData.count),
            heapPages: UInt64(heapPages), stackSize: UInt64(stackSize)
        ) else {
            throw ProgramError(.memoryMapTooLarge, section: .jamHeader)
        }
    }

    /// The memory and registers a standard program starts with for the argument `argument`
    /// (graypaper-pvm.md §8): read-only data at `Z_Z`, read-write data (then the heap pages) at
    /// `2·Z_Z + Z(|o|)`, the stack just below `2^32 − 2·Z_Z − Z_I`, and the argument at
    /// `2^32 − Z_Z − Z_I`; φ0 = `0xFFFF0000`, φ1 = the stack top, φ7 = the argument address,
    /// φ8 = `|argument|`, every other register 0.
    ///
    /// - Throws: ``ProgramErrorKind/memoryMapTooLarge`` when the layout does not fit, and
    ///   ``ProgramErrorKind/invalidValue(_:)`` when the argument is longer than `Z_I`.
    public func initialState(argument: [UInt8]) throws(ProgramError) -> StandardInitialState {
        try validateLayout()
        guard argument.count <= Int(Self.maximumArgumentSize) else {
            throw ProgramError(.invalidValue("the argument (\(argument.count) bytes) is longer than Z_I = 2^24"))
        }
        // validateLayout bounds every value below 2^32.
        let zone = UInt64(Self.zoneSize)
        let roLength = Self.pageAligned(UInt64(roData.count))
        let rwAddress = 2 * zone + Self.zoneAligned(UInt64(roData.count))
        let rwLength = Self.pageAligned(UInt64(rwData.count)) + UInt64(heapPages) * UInt64(Self.pageSize)
        let stackLength = Self.pageAligned(UInt64(stackSize))
        let stackAddress = UInt64(Self.stackTop) - stackLength
        let argumentLength = Self.pageAligned(UInt64(argument.count))

        let regions = [
            StandardMemoryRegion(kind: .roData, address: UInt32(truncatingIfNeeded: zone), length: UInt32(truncatingIfNeeded: roLength), writable: false, initialBytes: roData),
            StandardMemoryRegion(kind: .rwData, address: UInt32(truncatingIfNeeded: rwAddress), length: UInt32(truncatingIfNeeded: rwLength), writable: true, initialBytes: rwData),
            StandardMemoryRegion(kind: .stack, address: UInt32(truncatingIfNeeded: stackAddress), length: UInt32(truncatingIfNeeded: stackLength), writable: true, initialBytes: []),
            StandardMemoryRegion(kind: .argument, address: Self.argumentAddress, length: UInt32(truncatingIfNeeded: argumentLength), writable: false, initialBytes: argument),
        ]
        var registers = [UInt64](repeating: 0, count: 13)
        registers[0] = UInt64(Self.returnAddress)
        registers[1] = UInt64(Self.stackTop)
        registers[7] = UInt64(Self.argumentAddress)
        registers[8] = UInt64(argument.count)
        return StandardInitialState(regions: regions, registers: registers)
    }
}

/// One region of a standard program's initial memory. Bytes of `[address, address + length)` past
/// `initialBytes` are zero; everything outside all regions is inaccessible.
public struct StandardMemoryRegion: Sendable, Hashable {
    /// What a region holds.
    public enum Kind: Sendable, Hashable {
        /// The read-only data `o`.
        case roData
        /// The read-write data `w` followed by the zero-filled heap pages.
        case rwData
        /// The zero-filled stack.
        case stack
        /// The argument (input) blob.
        case argument
    }

    /// What the region holds.
    public var kind: Kind
    /// The first address (page aligned).
    public var address: UInt32
    /// The accessible length in bytes (a multiple of the page size; may be 0).
    public var length: UInt32
    /// Whether the guest may write the region (otherwise it is read-only).
    public var writable: Bool
    /// The bytes the region starts with; the rest of it is zero.
    public var initialBytes: [UInt8]

    /// Creates a region.
    public init(kind: Kind, address: UInt32, length: UInt32, writable: Bool, initialBytes: [UInt8]) {
        self.kind = kind
        self.address = address
        self.length = length
        self.writable = writable
        self.initialBytes = initialBytes
    }

    /// The address just past the region.
    public var endAddress: UInt64 { UInt64(address) + UInt64(length) }
}

/// The initial memory and registers of a standard program invocation.
public struct StandardInitialState: Sendable, Hashable {
    /// The regions in address order: read-only data, read-write data (with heap), stack, argument.
    public var regions: [StandardMemoryRegion]
    /// The 13 initial register values φ0...φ12.
    public var registers: [UInt64]

    /// Creates a state.
    public init(regions: [StandardMemoryRegion], registers: [UInt64]) {
        self.regions = regions
        self.registers = registers
    }

    /// The first heap address: the start of the read-write region.
    public var heapStart: UInt32 {
        regions.first(where: { $0.kind == .rwData })?.address ?? 0
    }
}

/// Appends the Gray Paper natural encoding `E(x)`: one prefix byte whose leading ones count the
/// following little-endian bytes, or `0xFF` and eight bytes for values of 2^56 and above.
func writeNatural(_ value: UInt64, to out: inout [UInt8]) {
    var extra = 0
    while extra < 8 && value >= (UInt64(1) << UInt64(7 * (extra + 1))) { extra += 1 }
    if extra == 8 {
        out.append(0xFF)
        appendLittleEndian(value, width: 8, to: &out)
        return
    }
    let prefix = UInt8(truncatingIfNeeded: 0xFF00 >> extra)
    let high = UInt8(truncatingIfNeeded: value >> UInt64(8 * extra))
    out.append(prefix | high)
    appendLittleEndian(value, width: extra, to: &out)
}
