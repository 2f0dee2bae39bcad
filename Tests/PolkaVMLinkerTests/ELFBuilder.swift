/// A small ELF writer for hand-crafted linker inputs: the shapes other linkers produce (GNU ld's
/// relaxations, odd relocation entries) without needing those tools in the tests.
struct ELFBuilder {
    struct Section {
        var name: String
        var type: UInt32 = 1 // SHT_PROGBITS
        var flags: UInt64
        var address: UInt64 = 0
        var data: [UInt8]
        var alignment: UInt64 = 4
    }

    struct Symbol {
        var name: String
        var value: UInt64
        var size: UInt64 = 0
        /// 0 local, 1 global, 2 weak.
        var binding: UInt8 = 1
        /// 0 notype, 1 object, 2 function.
        var type: UInt8 = 0
        /// The defining section's name; nil for an undefined symbol.
        var section: String?
    }

    struct Relocation {
        /// `r_offset`: a virtual address in linked files, a section offset in relocatable objects.
        var offset: UInt64
        var type: UInt32
        /// The symbol's name; nil for symbol index 0.
        var symbol: String?
        var addend: Int64 = 0
    }

    var is64: Bool
    /// `e_type`: 1 relocatable, 2 executable, 3 shared object.
    var fileType: UInt16 = 2
    var sections: [Section] = []
    var symbols: [Symbol] = []
    /// Relocations by the name of the section they apply to.
    var relocations: [String: [Relocation]] = [:]

    static let alloc: UInt64 = 2, write: UInt64 = 1, exec: UInt64 = 4

    func build() -> [UInt8] {
        var out: [UInt8] = []
        func put(_ v: UInt64, _ n: Int) { for k in 0..<n { out.append(UInt8(truncatingIfNeeded: v >> UInt64(8 * k))) } }
        func word(_ v: UInt64) { put(v, is64 ? 8 : 4) }
        func pad(_ a: Int) { while out.count % a != 0 { out.append(0) } }

        // String tables and the symbol order (locals first).
        var shstrtab: [UInt8] = [0], strtab: [UInt8] = [0]
        func add(_ s: String, to table: inout [UInt8]) -> UInt32 {
            let at = UInt32(table.count)
            table += Array(s.utf8) + [0]
            return at
        }
        let ordered = symbols.filter { $0.binding == 0 } + symbols.filter { $0.binding != 0 }
        var symbolIndex: [String: Int] = [:]
        for (i, s) in ordered.enumerated() { symbolIndex[s.name] = i + 1 }
        let relocated = sections.filter { relocations[$0.name] != nil }
        // Section indices: user sections from 1, then .rela.*, .symtab, .strtab, .shstrtab.
        var sectionIndex: [String: Int] = [:]
        for (i, s) in sections.enumerated() { sectionIndex[s.name] = i + 1 }
        let symtabIndex = sections.count + relocated.count + 1

        let headerSize = is64 ? 64 : 52
        out = [UInt8](repeating: 0, count: headerSize)
        struct Header { var name: UInt32, type: UInt32, flags: UInt64, address: UInt64, offset: UInt64, size: UInt64, link: UInt32, info: UInt32, align: UInt64, entsize: UInt64 }
        var headers: [Header] = [Header(name: 0, type: 0, flags: 0, address: 0, offset: 0, size: 0, link: 0, info: 0, align: 0, entsize: 0)]
        for s in sections {
            pad(8)
            let offset = UInt64(out.count)
            if s.type != 8 { out += s.data }
            headers.append(Header(name: add(s.name, to: &shstrtab), type: s.type, flags: s.flags, address: s.address, offset: offset,
                                  size: UInt64(s.data.count), link: 0, info: 0, align: s.alignment, entsize: 0))
        }
        for s in relocated {
            pad(8)
            let offset = UInt64(out.count)
            for r in relocations[s.name]! {
                let sym = UInt64(r.symbol.map { symbolIndex[$0]! } ?? 0)
                word(r.offset)
                if is64 { put(sym << 32 | UInt64(r.type), 8) } else { put(sym << 8 | UInt64(r.type), 4) }
                word(UInt64(bitPattern: r.addend))
            }
            headers.append(Header(name: add(".rela" + s.name, to: &shstrtab), type: 4, flags: 0x40, address: 0, offset: offset,
                                  size: UInt64(out.count) - offset, link: UInt32(symtabIndex), info: UInt32(sectionIndex[s.name]!),
                                  align: 8, entsize: is64 ? 24 : 12))
        }
        pad(8)
        let symtabOffset = UInt64(out.count)
        out += [UInt8](repeating: 0, count: is64 ? 24 : 16)
        for s in ordered {
            let name = UInt64(add(s.name, to: &strtab))
            let info = UInt64(s.binding << 4 | s.type)
            let shndx = UInt64(s.section.map { sectionIndex[$0]! } ?? 0)
            if is64 {
                put(name, 4); put(info, 1); put(0, 1); put(shndx, 2); put(s.value, 8); put(s.size, 8)
            } else {
                put(name, 4); put(s.value, 4); put(s.size, 4); put(info, 1); put(0, 1); put(shndx, 2)
            }
        }
        headers.append(Header(name: add(".symtab", to: &shstrtab), type: 2, flags: 0, address: 0, offset: symtabOffset,
                              size: UInt64(out.count) - symtabOffset, link: UInt32(symtabIndex + 1),
                              info: UInt32(symbols.filter { $0.binding == 0 }.count + 1), align: 8, entsize: is64 ? 24 : 16))
        let strtabName = add(".strtab", to: &shstrtab)
        let shstrtabName = add(".shstrtab", to: &shstrtab)
        headers.append(Header(name: strtabName, type: 3, flags: 0, address: 0, offset: UInt64(out.count), size: UInt64(strtab.count),
                              link: 0, info: 0, align: 1, entsize: 0))
        out += strtab
        headers.append(Header(name: shstrtabName, type: 3, flags: 0, address: 0, offset: UInt64(out.count), size: UInt64(shstrtab.count),
                              link: 0, info: 0, align: 1, entsize: 0))
        out += shstrtab
        pad(8)
        let shoff = UInt64(out.count)
        for h in headers {
            put(UInt64(h.name), 4); put(UInt64(h.type), 4); word(h.flags); word(h.address); word(h.offset); word(h.size)
            put(UInt64(h.link), 4); put(UInt64(h.info), 4); word(h.align); word(h.entsize)
        }

        // The ELF header.
        var header: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, is64 ? 2 : 1, 1, 1] + [UInt8](repeating: 0, count: 9)
        func field(_ v: UInt64, _ n: Int) { for k in 0..<n { header.append(UInt8(truncatingIfNeeded: v >> UInt64(8 * k))) } }
        field(UInt64(fileType), 2); field(243, 2); field(1, 4)
        field(0, is64 ? 8 : 4); field(0, is64 ? 8 : 4); field(shoff, is64 ? 8 : 4) // entry, phoff, shoff
        field(0x9, 4) // e_flags: RVC | RVE
        field(UInt64(headerSize), 2); field(0, 2); field(0, 2)
        field(is64 ? 64 : 40, 2); field(UInt64(headers.count), 2); field(UInt64(headers.count - 1), 2)
        out.replaceSubrange(0..<headerSize, with: header)
        return out
    }
}

/// RISC-V instruction encoders for hand-written code.
enum RV {
    static func i(_ opcode: UInt32, rd: UInt32, funct3: UInt32, rs1: UInt32, imm: Int32) -> UInt32 {
        (UInt32(bitPattern: imm) & 0xFFF) << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode
    }
    static func s(_ opcode: UInt32, funct3: UInt32, rs1: UInt32, rs2: UInt32, imm: Int32) -> UInt32 {
        let v = UInt32(bitPattern: imm)
        return (v >> 5 & 0x7F) << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | (v & 0x1F) << 7 | opcode
    }
    static func r(_ opcode: UInt32, rd: UInt32, funct3: UInt32, rs1: UInt32, rs2: UInt32, funct7: UInt32) -> UInt32 {
        funct7 << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode
    }
    static func addi(_ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { i(0x13, rd: rd, funct3: 0, rs1: rs1, imm: imm) }
    static func xori(_ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { i(0x13, rd: rd, funct3: 4, rs1: rs1, imm: imm) }
    /// `lw` (funct3 2) or `ld` (3).
    static func load(_ rd: UInt32, _ rs1: UInt32, _ imm: Int32, doubleword: Bool) -> UInt32 { i(0x03, rd: rd, funct3: doubleword ? 3 : 2, rs1: rs1, imm: imm) }
    /// `sw` or `sd`.
    static func store(_ rs2: UInt32, _ rs1: UInt32, _ imm: Int32, doubleword: Bool) -> UInt32 { s(0x23, funct3: doubleword ? 3 : 2, rs1: rs1, rs2: rs2, imm: imm) }
    static func add(_ rd: UInt32, _ rs1: UInt32, _ rs2: UInt32) -> UInt32 { r(0x33, rd: rd, funct3: 0, rs1: rs1, rs2: rs2, funct7: 0) }
    static let ret: [UInt8] = [0x82, 0x80] // c.jr ra

    static func bytes(_ words: [UInt32]) -> [UInt8] {
        words.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> UInt32(8 * $0)) } }
    }
}
