/// Upstream-compatible limits on program sizes (docs/SPEC.md, "Limits").
public enum ProgramLimits {
    /// The largest code length in bytes (32 MiB).
    public static let maximumCodeLength = 32 * 1024 * 1024
    /// The most jump-table entries (16 Mi).
    public static let maximumJumpTableEntries = 16 * 1024 * 1024
    /// The most imports (1024).
    public static let maximumImportCount = 1024
}

/// A section of a program blob, used to say where an error was found.
public enum ProgramSection: String, Sendable, Hashable {
    case header = "header"
    case memoryConfig = "memory config"
    case roData = "RO data"
    case rwData = "RW data"
    case imports = "imports"
    case exports = "exports"
    case code = "code and jump table"
    case debugStrings = "debug strings"
    case debugLinePrograms = "debug line programs"
    case debugLineProgramRanges = "debug line program ranges"
    case custom = "custom section"
    case jamHeader = "JAM program header"
}

/// Why a program blob or its code was rejected. Every case names what is wrong; the enclosing
/// ``ProgramError`` says where.
public enum ProgramErrorKind: Sendable, Hashable {
    /// The blob does not start with `PVM\0`.
    case badMagic
    /// The version byte names no known instruction set.
    case unsupportedVersion(UInt8)
    /// The header's length field disagrees with the blob's real length.
    case lengthMismatch(header: UInt64, actual: Int)
    /// A varint could not be decoded (five leading one bits).
    case malformedVarint
    /// The input ended early: `needed` bytes were required but only `available` remained.
    case truncated(needed: Int, available: Int)
    /// A section id appeared out of order, twice, or is unknown and not optional.
    case unexpectedSection(UInt8)
    /// The blob has no code section, or it is empty.
    case missingCode
    /// A section's payload held more (or less) data than its fields use.
    case sectionLengthMismatch(declared: Int, used: Int)
    /// More than 1024 imports.
    case tooManyImports(Int)
    /// A data payload is larger than the region size the memory config declares.
    case dataLargerThanDeclared(payload: Int, declared: Int)
    /// More than 16 Mi jump-table entries.
    case jumpTableTooLong(Int)
    /// The jump-table entry size is not in 0...4.
    case invalidJumpTableEntrySize(UInt8)
    /// The code is longer than 32 MiB.
    case codeTooLong(Int)
    /// The bitmask is not `ceil(code length / 8)` bytes long.
    case bitmaskLengthMismatch(expected: Int, actual: Int)
    /// The unused high bits of the last bitmask byte are not zero.
    case bitmaskPaddingNotZero
    /// Whole-program validation failed at an instruction (undefined opcode, a gap of more than 24
    /// argument bytes, or a last instruction that can fall through).
    case invalidInstruction(pc: Int, reason: String)
    /// A jump-table entry is outside the code.
    case invalidJumpTableEntry(index: Int, pc: UInt32)
    /// An export points outside the code or not at an instruction start.
    case invalidExport(name: String, pc: UInt32)
    /// An import's symbol range lies outside the import section.
    case invalidImport(index: Int)
    /// The memory regions do not fit in the 32-bit address space.
    case memoryMapTooLarge
    /// A field holds a value the format does not allow.
    case invalidValue(String)
}

/// A typed error for malformed program input: what is wrong, in which section, at which byte offset.
public struct ProgramError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var kind: ProgramErrorKind
    /// The section being read, if known.
    public var section: ProgramSection?
    /// The byte offset in the input (or the code offset for instruction errors), if known.
    public var offset: Int?

    /// Creates an error.
    public init(_ kind: ProgramErrorKind, section: ProgramSection? = nil, offset: Int? = nil) {
        self.kind = kind
        self.section = section
        self.offset = offset
    }

    /// A one-line human-readable explanation.
    public var description: String {
        var text: String
        switch kind {
        case .badMagic: text = "not a PolkaVM program blob (bad magic; expected \"PVM\\0\")"
        case .unsupportedVersion(let v): text = "unsupported blob version \(v) (known: 0 revive, 1 latest32, 2 latest64, 3 jam)"
        case .lengthMismatch(let h, let a): text = "blob length field says \(h) bytes but the blob has \(a)"
        case .malformedVarint: text = "malformed varint"
        case .truncated(let needed, let available): text = "truncated input: needed \(needed) bytes, \(available) available"
        case .unexpectedSection(let id): text = "unexpected section id \(id)"
        case .missingCode: text = "no code found"
        case .sectionLengthMismatch(let d, let u): text = "section declares \(d) bytes but its fields use \(u)"
        case .tooManyImports(let n): text = "too many imports (\(n) > \(ProgramLimits.maximumImportCount))"
        case .dataLargerThanDeclared(let p, let d): text = "data payload of \(p) bytes exceeds the declared size \(d)"
        case .jumpTableTooLong(let n): text = "the jump table is too long (\(n) entries)"
        case .invalidJumpTableEntrySize(let s): text = "invalid jump table entry size \(s) (must be 0...4)"
        case .codeTooLong(let n): text = "the code is too long (\(n) bytes > 32 MiB)"
        case .bitmaskLengthMismatch(let e, let a): text = "the bitmask length (\(a)) doesn't match the code length (expected \(e))"
        case .bitmaskPaddingNotZero: text = "the bitmask is padded with non-zero bits"
        case .invalidInstruction(let pc, let reason): text = "validation failed at code offset \(pc): \(reason)"
        case .invalidJumpTableEntry(let i, let pc): text = "jump table entry \(i) points outside the code (pc \(pc))"
        case .invalidExport(let name, let pc): text = "export '\(name)' has an invalid pc \(pc)"
        case .invalidImport(let i): text = "import #\(i) has an invalid symbol range"
        case .memoryMapTooLarge: text = "maximum memory size exceeded: the regions do not fit in the address space"
        case .invalidValue(let what): text = what
        }
        if let section { text += " (section: \(section.rawValue)" + (offset.map { ", offset \($0))" } ?? ")") }
        else if let offset { text += " (offset \(offset))" }
        return text
    }
}
