/// A symbol naming an import or an export: raw bytes, usually an ASCII name.
public struct ProgramSymbol: Sendable, Hashable, CustomStringConvertible {
    /// The symbol's bytes.
    public var bytes: [UInt8]

    /// Creates a symbol from raw bytes.
    public init(bytes: [UInt8]) { self.bytes = bytes }
    /// Creates a symbol from a name.
    public init(_ name: String) { self.bytes = Array(name.utf8) }

    /// The symbol as text (invalid UTF-8 is replaced).
    public var description: String { String(decoding: bytes, as: UTF8.self) }
}

/// An exported entry point.
public struct ProgramExport: Sendable, Hashable {
    /// The code offset where the export starts.
    public var pc: UInt32
    /// Its name.
    public var symbol: ProgramSymbol

    /// Creates an export.
    public init(pc: UInt32, symbol: ProgramSymbol) {
        self.pc = pc
        self.symbol = symbol
    }
}

/// An optional section the container carries without interpreting it (ids with bit 7 set).
public struct CustomSection: Sendable, Hashable {
    /// The section id (128...255).
    public var id: UInt8
    /// The raw payload.
    public var payload: [UInt8]

    /// Creates a custom section.
    public init(id: UInt8, payload: [UInt8]) {
        self.id = id
        self.payload = payload
    }
}

/// The parts of a `.polkavm` program blob (docs/SPEC.md, "Container"): the instruction set (the version
/// byte), the memory configuration, the initial data, imports, exports, code and optional sections.
public struct ProgramBlob: Sendable, Hashable {
    /// The instruction set; its raw value is the blob's version byte.
    public var isa: InstructionSetKind
    /// The size of the read-only data region in bytes (payload plus zero fill).
    public var roDataSize: UInt32
    /// The size of the read-write data region in bytes (payload plus zero fill, including `.bss`).
    public var rwDataSize: UInt32
    /// The requested stack size in bytes.
    public var stackSize: UInt32
    /// The initial bytes of the read-only region.
    public var roData: [UInt8]
    /// The initial bytes of the read-write region.
    public var rwData: [UInt8]
    /// Imported host functions; `ecalli n` calls import `n`.
    public var imports: [ProgramSymbol]
    /// Exported entry points.
    public var exports: [ProgramExport]
    /// Code, bitmask and jump table.
    public var code: ProgramCode
    /// Optional sections (debug strings 128, line programs 129, line program ranges 130, and unknown ones), in blob order.
    public var customSections: [CustomSection]

    /// Creates a blob from its parts.
    public init(
        isa: InstructionSetKind, roDataSize: UInt32 = 0, rwDataSize: UInt32 = 0, stackSize: UInt32 = 0,
        roData: [UInt8] = [], rwData: [UInt8] = [], imports: [ProgramSymbol] = [], exports: [ProgramExport] = [],
        code: ProgramCode, customSections: [CustomSection] = []
    ) {
        self.isa = isa
        self.roDataSize = roDataSize
        self.rwDataSize = rwDataSize
        self.stackSize = stackSize
        self.roData = roData
        self.rwData = rwData
        self.imports = imports
        self.exports = exports
        self.code = code
        self.customSections = customSections
    }
}
