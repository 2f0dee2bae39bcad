/// `R_RISCV_*` relocation type numbers.
enum RelocType {
    static let none: UInt32 = 0, abs32: UInt32 = 1, abs64: UInt32 = 2
    static let branch: UInt32 = 16, jal: UInt32 = 17, call: UInt32 = 18, callPlt: UInt32 = 19
    static let gotHi20: UInt32 = 20, pcrelHi20: UInt32 = 23, pcrelLo12I: UInt32 = 24, pcrelLo12S: UInt32 = 25
    static let hi20: UInt32 = 26, lo12I: UInt32 = 27, lo12S: UInt32 = 28
    static let add8: UInt32 = 33, add16: UInt32 = 34, add32: UInt32 = 35, add64: UInt32 = 36
    static let sub8: UInt32 = 37, sub16: UInt32 = 38, sub32: UInt32 = 39, sub64: UInt32 = 40
    static let gprelI: UInt32 = 47, gprelS: UInt32 = 48
    static let align: UInt32 = 43, rvcBranch: UInt32 = 44, rvcJump: UInt32 = 45, rvcLui: UInt32 = 46
    static let relax: UInt32 = 51, sub6: UInt32 = 52, set6: UInt32 = 53, set8: UInt32 = 54, set16: UInt32 = 55
    static let set32: UInt32 = 56, setUleb128: UInt32 = 60, subUleb128: UInt32 = 61

    static func name(_ t: UInt32) -> String {
        let names: [UInt32: String] = [
            0: "NONE", 1: "32", 2: "64", 3: "RELATIVE", 5: "JUMP_SLOT", 16: "BRANCH", 17: "JAL", 18: "CALL", 19: "CALL_PLT",
            20: "GOT_HI20", 21: "TLS_GOT_HI20", 22: "TLS_GD_HI20", 23: "PCREL_HI20", 24: "PCREL_LO12_I", 25: "PCREL_LO12_S",
            26: "HI20", 27: "LO12_I", 28: "LO12_S", 29: "TPREL_HI20", 30: "TPREL_LO12_I", 31: "TPREL_LO12_S", 32: "TPREL_ADD",
            41: "GNU_VTINHERIT", 42: "GNU_VTENTRY", 47: "GPREL_I", 48: "GPREL_S", 49: "TPREL_I", 50: "TPREL_S",
            33: "ADD8", 34: "ADD16", 35: "ADD32", 36: "ADD64", 37: "SUB8", 38: "SUB16", 39: "SUB32", 40: "SUB64",
            43: "ALIGN", 44: "RVC_BRANCH", 45: "RVC_JUMP", 46: "RVC_LUI", 51: "RELAX", 52: "SUB6", 53: "SET6", 54: "SET8",
            55: "SET16", 56: "SET32", 57: "32_PCREL", 58: "IRELATIVE", 59: "PLT32", 60: "SET_ULEB128", 61: "SUB_ULEB128",
        ]
        return "R_RISCV_" + (names[t] ?? "\(t)")
    }
}

/// What an input section is used for.
enum SectionKind: Equatable {
    case code, roData, rwData, bss, exports, metadata, minStackSize, ignored
}

/// A place inside an input section.
struct Location: Hashable, Comparable {
    var section: Int
    var offset: Int64
    static func < (a: Location, b: Location) -> Bool { (a.section, a.offset) < (b.section, b.offset) }
}

/// Where a relocation points.
enum RelocTarget: Hashable {
    case location(Location)
    case absolute(UInt64)
    /// A section that is not loaded (debug info, `.eh_frame`, ...): an error if anything live uses it.
    case unloaded
}

/// A relocation with its target resolved to an input location.
struct InputReloc {
    var offset: Int
    var type: UInt32
    var target: RelocTarget
    var symbolName: String
}

/// One section from one input file.
struct InputSection {
    var id: Int
    var object: Int
    var elfIndex: Int
    var name: String
    var kind: SectionKind
    var data: [UInt8]
    var size: Int
    var alignment: Int
    var relocations: [InputReloc] = []
    /// Relocations by offset (for code sections).
    var relocsAt: [Int: [InputReloc]] = [:]
}

/// A named function or object symbol inside a section (for debug names, block starts and error messages).
struct InputSymbol {
    var location: Location
    var size: Int64
    var name: String
    var isFunction: Bool
    /// Whether the symbol is global or weak (not local to its object file).
    var isGlobal: Bool
}

/// All input files merged into one list of sections with resolved relocation targets.
struct InputProgram {
    var is64Bit: Bool
    var sections: [InputSection] = []
    var symbols: [InputSymbol] = []

    init(_ inputs: [[UInt8]]) throws(LinkerError) {
        guard !inputs.isEmpty else { throw LinkerError(.unsupportedInput, "no input files") }
        var files: [ELFFile] = []
        for (i, bytes) in inputs.enumerated() {
            do { files.append(try ELFFile(bytes)) } catch {
                throw LinkerError(.invalidELF, "input #\(i): \(error.message)")
            }
        }
        is64Bit = files[0].is64Bit
        guard files.allSatisfy({ $0.is64Bit == files[0].is64Bit }) else {
            throw LinkerError(.unsupportedInput, "inputs mix ELF32 and ELF64 files")
        }
        let linked = files.contains { $0.fileType != 1 }
        if linked {
            guard files.count == 1, files[0].fileType == 3 || files[0].fileType == 2 else {
                throw LinkerError(.unsupportedInput, "expected either one linked file (ld.lld -shared --emit-relocs) or relocatable objects only")
            }
        }
        // Sections.
        var sectionIDs: [[Int: Int]] = []
        // Split string sections, by object and ELF section index: each piece's start offset and section id
        // (`sectionIDs` maps the ELF section to its first piece). Identical strings share one piece.
        var splitSections: [Int: [Int: [(offset: Int, id: Int)]]] = [:]
        var stringPieceIDs: [[UInt8]: Int] = [:]
        /// An offset in a split string section, as a location in the piece that holds it (the last piece
        /// starting at or before it; the first for an offset before the section).
        func pieceLocation(_ starts: [(offset: Int, id: Int)], _ offset: Int64) -> Location {
            var low = 0, high = starts.count - 1
            while low < high {
                let middle = (low + high + 1) / 2
                if Int64(starts[middle].offset) <= offset { low = middle } else { high = middle - 1 }
            }
            let chosen = starts[low]
            return Location(section: chosen.id, offset: offset - Int64(chosen.offset))
        }
        for (objIndex, file) in files.enumerated() {
            var map: [Int: Int] = [:]
            for s in file.sections {
                let kind = try Self.classify(s)
                if kind == .ignored { continue }
                if file.sectionsWithRel.contains(s.index) {
                    throw LinkerError(.unsupportedRelocation, "implicit-addend (REL) relocations are not supported", section: s.name)
                }
                if s.flags & ELFSection.flagTLS != 0 {
                    throw LinkerError(.unsupportedInput, "thread-local storage is not supported", section: s.name)
                }
                if kind == .code && s.size % 2 != 0 {
                    throw LinkerError(.unsupportedInput, "code section size is odd", section: s.name)
                }
                let id = sections.count
                map[s.index] = id
                let data = file.contents(of: s)
                if !linked, kind == .roData, (file.relocations[s.index] ?? []).isEmpty, let pieces = Self.stringPieces(s, data) {
                    // Mergeable strings: one section per string, so that dead-data elimination keeps only
                    // the strings a program uses (and identical strings once).
                    var starts: [(offset: Int, id: Int)] = []
                    for piece in pieces {
                        let bytes = Array(data[piece])
                        if let existing = stringPieceIDs[bytes] {
                            starts.append((piece.lowerBound, existing))
                            continue
                        }
                        let pieceID = sections.count
                        stringPieceIDs[bytes] = pieceID
                        starts.append((piece.lowerBound, pieceID))
                        sections.append(InputSection(id: pieceID, object: objIndex, elfIndex: s.index,
                                                     name: "\(s.name)+0x\(String(piece.lowerBound, radix: 16))", kind: kind,
                                                     data: bytes, size: bytes.count, alignment: 1))
                    }
                    splitSections[objIndex, default: [:]][s.index] = starts
                    map[s.index] = starts[0].id
                    continue
                }
                sections.append(InputSection(id: id, object: objIndex, elfIndex: s.index, name: s.name, kind: kind,
                                             data: data, size: Int(s.size),
                                             alignment: Int(min(s.alignment, 0x1_0000))))
            }
            sectionIDs.append(map)
        }
        // Global symbols (relocatable objects).
        var globals: [String: (object: Int, symbol: ELFSymbol)] = [:]
        if !linked {
            for (objIndex, file) in files.enumerated() {
                for sym in file.symbols.dropFirst() where !sym.isLocal && !sym.isUndefined && !sym.name.isEmpty {
                    if sym.isCommon {
                        throw LinkerError(.unsupportedInput, "COMMON symbols are not supported (compile with -fno-common)", symbol: sym.name)
                    }
                    if let existing = globals[sym.name] {
                        if existing.symbol.isWeak && !sym.isWeak { globals[sym.name] = (objIndex, sym) }
                        else if !existing.symbol.isWeak && !sym.isWeak {
                            throw LinkerError(.unsupportedInput, "duplicate definition of symbol '\(sym.name)'", symbol: sym.name)
                        }
                    } else {
                        globals[sym.name] = (objIndex, sym)
                    }
                }
            }
        }
        // Resolves (object, symbol index, addend) to a target.
        func resolve(_ objIndex: Int, _ symIndex: Int, addend: Int64) throws(LinkerError) -> (RelocTarget?, String) {
            let file = files[objIndex]
            guard symIndex < file.symbols.count else {
                if symIndex == 0 { return (.absolute(UInt64(bitPattern: addend)), "") }
                throw LinkerError(.invalidELF, "relocation references a missing symbol table")
            }
            var obj = objIndex
            var sym = file.symbols[symIndex]
            if symIndex == 0 { return (.absolute(UInt64(bitPattern: addend)), "") }
            if sym.isUndefined {
                if let g = globals[sym.name] { obj = g.object; sym = g.symbol }
                else if sym.isWeak { return (.absolute(UInt64(bitPattern: addend)), sym.name) }
                else { throw LinkerError(.undefinedSymbol, "undefined symbol '\(sym.name)'", symbol: sym.name) }
            }
            if sym.isAbsolute { return (.absolute(sym.value &+ UInt64(bitPattern: addend)), sym.name) }
            if sym.isCommon { throw LinkerError(.unsupportedInput, "COMMON symbols are not supported (compile with -fno-common)", symbol: sym.name) }
            let f = files[obj]
            let elfIndex = Int(sym.sectionIndex)
            guard elfIndex < f.sections.count else { throw LinkerError(.invalidELF, "symbol '\(sym.name)' has an invalid section index \(elfIndex)") }
            if !linked {
                guard let id = sectionIDs[obj][elfIndex] else { return (nil, sym.name) }
                let offset = Int64(bitPattern: sym.value) &+ addend
                if let starts = splitSections[obj]?[elfIndex] { return (.location(pieceLocation(starts, offset)), sym.name) }
                return (.location(Location(section: id, offset: offset)), sym.name)
            }
            let address = sym.value &+ UInt64(bitPattern: addend)
            if let id = sectionIDs[obj][elfIndex] {
                // Relative to the symbol's section even when the addend leaves it (GCC's biased pointers such
                // as `%pcrel_hi(g - 8)`), as in objects: that section is what moves, whatever lies next to it.
                let s = f.sections[elfIndex]
                return (.location(Location(section: id, offset: Int64(bitPattern: address &- s.address))), sym.name)
            }
            // The symbol's section is not loaded (a symbol in .dynamic, say): the section that contains the address.
            for (elf, id) in sectionIDs[obj] {
                let s = f.sections[elf]
                if address >= s.address && address < s.address + max(s.size, 1) {
                    return (.location(Location(section: id, offset: Int64(address - s.address))), sym.name)
                }
            }
            return (nil, sym.name)
        }
        // Relocations. Undefined symbols are collected, so that one error names all of them.
        var undefined: [(name: String, section: String, offset: Int64)] = []
        for i in sections.indices {
            let s = sections[i]
            let file = files[s.object]
            let elfSection = file.sections[s.elfIndex]
            for r in file.relocations[s.elfIndex] ?? [] {
                // (Skipped before the offset check: ld.lld --gc-sections --emit-relocs leaves R_RISCV_NONE entries at offset 0.)
                switch r.type {
                case RelocType.none, RelocType.relax, RelocType.align: continue
                default: break
                }
                let offset: Int64 = linked ? Int64(bitPattern: r.offset &- elfSection.address) : Int64(bitPattern: r.offset)
                guard offset >= 0, offset <= Int64(s.size) else {
                    throw LinkerError(.invalidELF, "relocation offset 0x\(String(r.offset, radix: 16)) outside its section", section: s.name)
                }
                var addend = r.addend
                if r.type == RelocType.gprelI || r.type == RelocType.gprelS {
                    addend = try Self.gprelAddend(r, in: s, file: file, linked: linked, offset: Int(offset))
                }
                let resolved: (RelocTarget?, String)
                do { resolved = try resolve(s.object, r.symbolIndex, addend: addend) } catch {
                    // A metadata section nobody points at may reference anything; only used records must resolve.
                    if s.kind == .metadata {
                        resolved = (nil, "<unresolved>")
                    } else if error.kind == .undefinedSymbol, let name = error.symbol {
                        if !undefined.contains(where: { $0.name == name }) { undefined.append((name, s.name, offset)) }
                        continue
                    } else {
                        throw error
                    }
                }
                let (target, name) = resolved
                guard let target else {
                    // Points into a section we do not load (debug info, .eh_frame, ...): only an error if used.
                    sections[i].relocations.append(InputReloc(offset: Int(offset), type: r.type,
                                                              target: .unloaded, symbolName: name.isEmpty ? "<non-loaded section>" : name))
                    continue
                }
                sections[i].relocations.append(InputReloc(offset: Int(offset), type: r.type, target: target, symbolName: name))
            }
            sections[i].relocations.sort { $0.offset < $1.offset }
            if s.kind == .code {
                for r in sections[i].relocations { sections[i].relocsAt[r.offset, default: []].append(r) }
            }
        }
        if let first = undefined.first {
            let list = undefined.prefix(20).map { "'\($0.name)' (from section '\($0.section)' at offset 0x\(String($0.offset, radix: 16)))" }
            let more = undefined.count > 20 ? " and \(undefined.count - 20) more" : ""
            if undefined.count == 1 {
                throw LinkerError(.undefinedSymbol, "undefined symbol '\(first.name)'", section: first.section,
                                  offset: UInt64(first.offset), symbol: first.name)
            }
            throw LinkerError(.undefinedSymbol, "\(undefined.count) undefined symbols: " + list.joined(separator: ", ") + more)
        }
        // Named symbols inside loaded sections.
        for (objIndex, file) in files.enumerated() {
            for sym in file.symbols.dropFirst() where !sym.isUndefined && !sym.isAbsolute && !sym.isCommon
                && (sym.type == 0 || sym.type == 1 || sym.type == 2) && !sym.name.isEmpty && !sym.name.hasPrefix("$") {
                guard let id = sectionIDs[objIndex][Int(sym.sectionIndex)], splitSections[objIndex]?[Int(sym.sectionIndex)] == nil else { continue }
                let base = linked ? file.sections[Int(sym.sectionIndex)].address : 0
                let off = Int64(bitPattern: sym.value &- base)
                guard off >= 0, off <= Int64(sections[id].size) else { continue }
                symbols.append(InputSymbol(location: Location(section: id, offset: off), size: Int64(bitPattern: sym.size),
                                           name: sym.name, isFunction: sym.type == 2, isGlobal: !sym.isLocal))
            }
        }
        symbols.sort { $0.location < $1.location }
    }

    /// The addend that makes a `R_RISCV_GPREL_I/S` relocation name the whole address it reaches.
    /// GNU ld's gp relaxation (linked executables) turns `%lo`/`%pcrel_lo` accesses into gp-based ones
    /// (or x0-based ones for addresses below 2 KiB) and leaves `symbol + addend - gp` in the emitted
    /// relocation when the base is gp; gp is the file's `__global_pointer$`.
    static func gprelAddend(_ r: ELFRelocation, in s: InputSection, file: ELFFile, linked: Bool, offset: Int) throws(LinkerError) -> Int64 {
        func fail(_ m: String) -> LinkerError {
            LinkerError(.unsupportedRelocation, "\(RelocType.name(r.type)) \(m)", section: s.name, offset: UInt64(offset))
        }
        guard linked else { throw fail("in a relocatable object (gp-relative addressing is only understood in linked files)") }
        guard s.kind == .code, let insn = s.data.readLE(offset, 4), insn & 3 == 3 else { throw fail("not on a 32-bit instruction") }
        switch (insn >> 15) & 31 {
        case 0: return r.addend
        case 3:
            guard let gp = file.symbols.first(where: { $0.name == "__global_pointer$" && !$0.isUndefined }) else {
                throw fail("relative to gp, but the file has no __global_pointer$ symbol")
            }
            return r.addend &+ Int64(bitPattern: gp.value)
        default: throw fail("on an instruction whose base register is neither gp nor zero")
        }
    }

    /// Decides what a section is for.
    /// The byte ranges of the NUL-terminated strings of a mergeable string section (`SHF_MERGE |
    /// SHF_STRINGS`, one-byte characters, byte-aligned), or nil when it is not one or does not end in NUL.
    static func stringPieces(_ s: ELFSection, _ data: [UInt8]) -> [Range<Int>]? {
        guard s.flags & 0x30 == 0x30, s.entrySize == 1, s.alignment <= 1, !s.isNobits, !data.isEmpty, data.last == 0 else { return nil }
        var pieces: [Range<Int>] = []
        var start = 0
        for (i, byte) in data.enumerated() where byte == 0 {
            pieces.append(start..<(i + 1))
            start = i + 1
        }
        return pieces
    }

    static func classify(_ s: ELFSection) throws(LinkerError) -> SectionKind {
        switch s.name {
        case ".polkavm_exports": return .exports
        case ".polkavm_metadata": return .metadata
        case ".polkavm_min_stack_size": return .minStackSize
        default: break
        }
        // Upstream reads metadata records wherever the export/import pointers lead, so any other
        // non-allocated data section (hand-written assembly often uses `.metadata`) may hold them.
        guard s.isAllocated else {
            let isDebugOrTool = s.name.hasPrefix(".debug") || s.name.hasPrefix(".comment") || s.name.hasPrefix(".note") || s.name.hasPrefix(".gnu")
            return s.type == 1 && s.size > 0 && !isDebugOrTool ? .metadata : .ignored
        }
        if s.name == ".eh_frame" || s.name == ".eh_frame_hdr" || s.name.hasPrefix(".note") || s.name == ".interp" { return .ignored }
        switch s.type {
        case 2, 3, 4, 5, 6, 9, 11, 17, 0x6fff_fff6, 0x6fff_fff0, 0x6fff_fffe, 0x6fff_fffd, 0x7000_0003: return .ignored
        case 7: return .ignored
        default: break
        }
        if s.size == 0 { return .ignored }
        if s.isExecutable {
            if s.isWritable { throw LinkerError(.unsupportedInput, "writable code sections are not supported", section: s.name) }
            return .code
        }
        if s.isNobits { return s.isWritable ? .bss : .roData }
        switch s.type {
        case 1, 14, 15, 16: return s.isWritable ? .rwData : .roData
        default: throw LinkerError(.unsupportedInput, "unsupported allocated section (type \(s.type))", section: s.name)
        }
    }

    /// The innermost named symbol containing `location` (for error messages and debug names).
    func symbolName(at location: Location) -> String? {
        var best: InputSymbol?
        for s in symbols where s.location.section == location.section && s.location.offset <= location.offset {
            if s.size == 0 || location.offset < s.location.offset + s.size { best = s }
        }
        return best?.name
    }
}
