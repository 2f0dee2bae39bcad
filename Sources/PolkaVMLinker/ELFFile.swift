/// Why an ELF file could not be read.
public struct ELFError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A readable explanation.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    /// The explanation.
    public var description: String { message }
}

/// One section header of an ELF file.
public struct ELFSection: Sendable, Hashable {
    /// The index in the section header table.
    public var index: Int
    /// The section name.
    public var name: String
    /// `sh_type`.
    public var type: UInt32
    /// `sh_flags`.
    public var flags: UInt64
    /// `sh_addr` (virtual address in linked files; 0 in relocatable objects).
    public var address: UInt64
    /// `sh_offset`.
    public var fileOffset: UInt64
    /// `sh_size`.
    public var size: UInt64
    /// `sh_link`.
    public var link: UInt32
    /// `sh_info`.
    public var info: UInt32
    /// `sh_addralign` (at least 1).
    public var alignment: UInt64
    /// `sh_entsize`.
    public var entrySize: UInt64

    /// `SHT_PROGBITS`.
    public static let typeProgbits: UInt32 = 1
    /// `SHT_SYMTAB`.
    public static let typeSymtab: UInt32 = 2
    /// `SHT_RELA`.
    public static let typeRela: UInt32 = 4
    /// `SHT_NOBITS`.
    public static let typeNobits: UInt32 = 8
    /// `SHT_REL`.
    public static let typeRel: UInt32 = 9
    /// `SHF_WRITE`.
    public static let flagWrite: UInt64 = 1
    /// `SHF_ALLOC`.
    public static let flagAlloc: UInt64 = 2
    /// `SHF_EXECINSTR`.
    public static let flagExec: UInt64 = 4
    /// `SHF_TLS`.
    public static let flagTLS: UInt64 = 0x400

    /// Whether the section occupies memory at run time.
    public var isAllocated: Bool { flags & Self.flagAlloc != 0 }
    /// Whether the section holds code.
    public var isExecutable: Bool { flags & Self.flagExec != 0 }
    /// Whether the section is writable.
    public var isWritable: Bool { flags & Self.flagWrite != 0 }
    /// Whether the section has no file contents (`.bss`).
    public var isNobits: Bool { type == Self.typeNobits }
}

/// A symbol table entry.
public struct ELFSymbol: Sendable, Hashable {
    /// The symbol name (may be empty).
    public var name: String
    /// `st_value`.
    public var value: UInt64
    /// `st_size`.
    public var size: UInt64
    /// The binding (`STB_LOCAL` 0, `STB_GLOBAL` 1, `STB_WEAK` 2).
    public var binding: UInt8
    /// The type (`STT_NOTYPE` 0, `STT_OBJECT` 1, `STT_FUNC` 2, `STT_SECTION` 3, `STT_FILE` 4, `STT_TLS` 6).
    public var type: UInt8
    /// `st_shndx`: 0 undefined, `0xFFF1` absolute, `0xFFF2` common.
    public var sectionIndex: UInt16

    /// Whether the symbol is undefined in this file.
    public var isUndefined: Bool { sectionIndex == 0 }
    /// Whether the symbol has an absolute value.
    public var isAbsolute: Bool { sectionIndex == 0xFFF1 }
    /// Whether the symbol is a COMMON block.
    public var isCommon: Bool { sectionIndex == 0xFFF2 }
    /// Whether the symbol is local to its file.
    public var isLocal: Bool { binding == 0 }
    /// Whether the symbol is weak.
    public var isWeak: Bool { binding == 2 }
}

/// A relocation with an explicit addend (`Elf*_Rela`).
public struct ELFRelocation: Sendable, Hashable {
    /// `r_offset`: section offset (relocatable objects) or virtual address (linked files).
    public var offset: UInt64
    /// The relocation type (`R_RISCV_*`).
    public var type: UInt32
    /// The symbol table index.
    public var symbolIndex: Int
    /// `r_addend`.
    public var addend: Int64
}

/// A little-endian ELF32/ELF64 RISC-V file: sections, symbols and RELA relocations. Every offset is
/// bounds-checked; malformed input gives an ``ELFError``.
public struct ELFFile: Sendable {
    /// The raw bytes.
    public let bytes: [UInt8]
    /// Whether the file is ELF64.
    public let is64Bit: Bool
    /// `e_type` (1 relocatable, 2 executable, 3 shared object).
    public let fileType: UInt16
    /// `e_flags`.
    public let flags: UInt32
    /// The sections, indexed by section header index.
    public let sections: [ELFSection]
    /// The symbols of `.symtab` (index 0 is the null symbol); empty without a symbol table.
    public let symbols: [ELFSymbol]
    /// RELA relocations per target section index.
    public let relocations: [Int: [ELFRelocation]]
    /// Indices of sections that have implicit-addend (REL) relocations.
    public let sectionsWithRel: Set<Int>

    /// Parses `bytes`.
    public init(_ bytes: [UInt8]) throws(ELFError) {
        self.bytes = bytes
        guard bytes.count >= 52, bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46 else {
            throw ELFError("not an ELF file (bad magic or too short)")
        }
        guard bytes[4] == 1 || bytes[4] == 2 else { throw ELFError("unsupported ELF class \(bytes[4])") }
        is64Bit = bytes[4] == 2
        guard bytes[5] == 1 else { throw ELFError("only little-endian ELF files are supported") }
        let r = ByteReader(bytes: bytes)
        fileType = try r.u16(16)
        let machine = try r.u16(18)
        guard machine == 243 else { throw ELFError("not a RISC-V ELF file (e_machine = \(machine))") }
        let is64 = is64Bit
        func word(_ at: Int) throws(ELFError) -> UInt64 { is64 ? try r.u64(at) : UInt64(try r.u32(at)) }
        let shoff: UInt64, shentsize: UInt16, shnum: UInt16, shstrndx: UInt16
        if is64 {
            guard bytes.count >= 64 else { throw ELFError("truncated ELF header") }
            shoff = try r.u64(40); flags = try r.u32(48)
            shentsize = try r.u16(58); shnum = try r.u16(60); shstrndx = try r.u16(62)
        } else {
            shoff = UInt64(try r.u32(32)); flags = try r.u32(36)
            shentsize = try r.u16(46); shnum = try r.u16(48); shstrndx = try r.u16(50)
        }
        let expectedEntSize = is64 ? 64 : 40
        guard shnum == 0 || Int(shentsize) >= expectedEntSize else { throw ELFError("bad section header entry size \(shentsize)") }
        guard shnum < 0xFF00 else { throw ELFError("extended section numbering is not supported") }
        var raw: [ELFSection] = []
        for i in 0..<Int(shnum) {
            guard shoff <= UInt64(bytes.count) else { throw ELFError("section header table out of bounds") }
            let base = Int(shoff) + i * Int(shentsize)
            guard base >= 0, base + expectedEntSize <= bytes.count else { throw ELFError("section header \(i) out of bounds") }
            let nameOff = try r.u32(base)
            let type = try r.u32(base + 4)
            let s: ELFSection
            if is64 {
                s = ELFSection(index: i, name: "\(nameOff)", type: type, flags: try r.u64(base + 8), address: try r.u64(base + 16),
                               fileOffset: try r.u64(base + 24), size: try r.u64(base + 32), link: try r.u32(base + 40),
                               info: try r.u32(base + 44), alignment: max(1, try r.u64(base + 48)), entrySize: try r.u64(base + 56))
            } else {
                s = ELFSection(index: i, name: "\(nameOff)", type: type, flags: UInt64(try r.u32(base + 8)), address: UInt64(try r.u32(base + 12)),
                               fileOffset: UInt64(try r.u32(base + 16)), size: UInt64(try r.u32(base + 20)), link: try r.u32(base + 24),
                               info: try r.u32(base + 28), alignment: max(1, UInt64(try r.u32(base + 32))), entrySize: UInt64(try r.u32(base + 36)))
            }
            if s.type != ELFSection.typeNobits && s.type != 0 {
                guard s.fileOffset <= UInt64(bytes.count), s.size <= UInt64(bytes.count) - s.fileOffset else {
                    throw ELFError("section \(i) contents out of bounds")
                }
            }
            guard s.size < 0x1_0000_0000 else { throw ELFError("section \(i) is too large") }
            raw.append(s)
        }
        // Names.
        if !raw.isEmpty {
            guard Int(shstrndx) < raw.count else { throw ELFError("section name table index out of range") }
            let strtab = raw[Int(shstrndx)]
            for i in raw.indices {
                let off = UInt64(raw[i].name) ?? 0
                raw[i].name = try Self.string(bytes, table: strtab, offset: off)
            }
        }
        sections = raw
        // Symbols.
        var syms: [ELFSymbol] = []
        if let symtab = raw.first(where: { $0.type == ELFSection.typeSymtab }) {
            guard Int(symtab.link) < raw.count else { throw ELFError("symbol string table index out of range") }
            let strtab = raw[Int(symtab.link)]
            let entSize = is64 ? 24 : 16
            let count = Int(symtab.size) / entSize
            syms.reserveCapacity(count)
            for i in 0..<count {
                let b = Int(symtab.fileOffset) + i * entSize
                let nameOff = try r.u32(b)
                let sym: ELFSymbol
                if is64 {
                    let info = try r.u8(b + 4)
                    sym = ELFSymbol(name: try Self.string(bytes, table: strtab, offset: UInt64(nameOff)), value: try r.u64(b + 8),
                                    size: try r.u64(b + 16), binding: info >> 4, type: info & 0xF, sectionIndex: try r.u16(b + 6))
                } else {
                    let info = try r.u8(b + 12)
                    sym = ELFSymbol(name: try Self.string(bytes, table: strtab, offset: UInt64(nameOff)), value: UInt64(try r.u32(b + 4)),
                                    size: UInt64(try r.u32(b + 8)), binding: info >> 4, type: info & 0xF, sectionIndex: try r.u16(b + 14))
                }
                syms.append(sym)
            }
        }
        symbols = syms
        // Relocations.
        var relocs: [Int: [ELFRelocation]] = [:]
        var rel: Set<Int> = []
        for s in raw {
            if s.type == ELFSection.typeRel {
                rel.insert(Int(s.info))
                continue
            }
            guard s.type == ELFSection.typeRela else { continue }
            let target = Int(s.info)
            guard target > 0, target < raw.count else { continue } // dynamic relocations (.rela.dyn) have no target section
            let entSize = is64 ? 24 : 12
            var list: [ELFRelocation] = []
            for i in 0..<(Int(s.size) / entSize) {
                let b = Int(s.fileOffset) + i * entSize
                let reloc: ELFRelocation
                if is64 {
                    let info = try r.u64(b + 8)
                    reloc = ELFRelocation(offset: try r.u64(b), type: UInt32(truncatingIfNeeded: info), symbolIndex: Int(info >> 32),
                                          addend: Int64(bitPattern: try r.u64(b + 16)))
                } else {
                    let info = try r.u32(b + 4)
                    reloc = ELFRelocation(offset: UInt64(try r.u32(b)), type: info & 0xFF, symbolIndex: Int(info >> 8),
                                          addend: Int64(Int32(bitPattern: try r.u32(b + 8))))
                }
                guard reloc.symbolIndex < max(1, syms.count) else {
                    throw ELFError("relocation \(i) in section '\(s.name)' references symbol #\(reloc.symbolIndex), which does not exist")
                }
                list.append(reloc)
            }
            relocs[target, default: []].append(contentsOf: list)
        }
        relocations = relocs
        sectionsWithRel = rel
    }

    /// The file contents of a section (empty for `NOBITS`).
    public func contents(of section: ELFSection) -> [UInt8] {
        if section.isNobits || section.type == 0 { return [] }
        return Array(bytes[Int(section.fileOffset)..<Int(section.fileOffset + section.size)])
    }

    static func string(_ bytes: [UInt8], table: ELFSection, offset: UInt64) throws(ELFError) -> String {
        guard offset < table.size, table.fileOffset + table.size <= UInt64(bytes.count) else {
            if offset == 0 { return "" }
            throw ELFError("string offset \(offset) outside its string table")
        }
        var end = Int(table.fileOffset + offset)
        let limit = Int(table.fileOffset + table.size)
        let start = end
        while end < limit && bytes[end] != 0 { end += 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }
}

/// Bounds-checked little-endian reads.
struct ByteReader {
    let bytes: [UInt8]
    func u8(_ at: Int) throws(ELFError) -> UInt8 {
        guard at >= 0, at < bytes.count else { throw ELFError("read past the end of the file at \(at)") }
        return bytes[at]
    }
    func u16(_ at: Int) throws(ELFError) -> UInt16 { UInt16(try le(at, 2)) }
    func u32(_ at: Int) throws(ELFError) -> UInt32 { UInt32(try le(at, 4)) }
    func u64(_ at: Int) throws(ELFError) -> UInt64 { try le(at, 8) }
    func le(_ at: Int, _ n: Int) throws(ELFError) -> UInt64 {
        guard at >= 0, at <= bytes.count - n else { throw ELFError("read past the end of the file at \(at)") }
        var v: UInt64 = 0
        for k in 0..<n { v |= UInt64(bytes[at + k]) << UInt64(8 * k) }
        return v
    }
}

/// Little-endian helpers on byte arrays.
extension Array where Element == UInt8 {
    func readLE(_ at: Int, _ n: Int) -> UInt64? {
        guard at >= 0, n >= 0, at <= count - n else { return nil }
        var v: UInt64 = 0
        for k in 0..<n { v |= UInt64(self[at + k]) << UInt64(8 * k) }
        return v
    }
    mutating func writeLE(_ value: UInt64, at: Int, _ n: Int) {
        for k in 0..<n where at + k < count && at + k >= 0 { self[at + k] = UInt8(truncatingIfNeeded: value >> UInt64(8 * k)) }
    }
}
