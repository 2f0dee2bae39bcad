/// Why linking failed. Names the section, offset and symbol involved where known.
public struct LinkerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The category of a ``LinkerError``.
    public enum Kind: Sendable, Hashable {
        /// The input is not a valid ELF file (or not RISC-V, or truncated).
        case invalidELF
        /// The input shape is not supported (mixed object kinds, wrong class, TLS, COMMON, ...).
        case unsupportedInput
        /// An instruction that cannot be translated (unknown encoding, `ecall`, CSR access, ...).
        case unsupportedInstruction
        /// A register PolkaVM lacks (`gp`, `tp`, `a6`, `a7`, `s2`–`s11`, `t3`–`t6`).
        case forbiddenRegister
        /// A relocation type or use that is not supported.
        case unsupportedRelocation
        /// A symbol that no input defines.
        case undefinedSymbol
        /// Malformed `.polkavm_*` metadata.
        case invalidMetadata
        /// The program does not fit (memory map, code size, instruction set).
        case layout
    }

    /// The category.
    public var kind: Kind
    /// What went wrong.
    public var message: String
    /// The ELF section involved, if any.
    public var section: String?
    /// The offset inside ``section``, if known.
    public var offset: UInt64?
    /// The symbol involved (the function containing the offending code, or the undefined symbol).
    public var symbol: String?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, section: String? = nil, offset: UInt64? = nil, symbol: String? = nil) {
        self.kind = kind
        self.message = message
        self.section = section
        self.offset = offset
        self.symbol = symbol
    }

    /// A one-line description: `message (in 'symbol', section '.text' at offset 0x12)`.
    public var description: String {
        var parts: [String] = []
        if let symbol { parts.append("in '\(symbol)'") }
        if let section {
            var s = "section '\(section)'"
            if let offset { s += " at offset 0x\(String(offset, radix: 16))" }
            parts.append(s)
        }
        return parts.isEmpty ? message : "\(message) (\(parts.joined(separator: ", ")))"
    }
}
