// Reading DWARF line tables (`.debug_line`, versions 2–5) from the input ELF files and mapping their rows to
// input code locations, for the blob's line programs (docs/LINKER.md, "Debug information").
//
// Relocatable objects: the relocations of the debug sections are applied first, with every code section
// placed at a made-up address of its own, so that `DW_LNE_set_address` (`R_RISCV_32/64`) and the address
// advances that linker relaxation turns into `R_RISCV_ADD*/SUB*/SET*/SUB6/SET_ULEB128/SUB_ULEB128` pairs
// become plain numbers that map back to (section, offset). Linked files (`-shared --emit-relocs`) already
// hold final virtual addresses. Anything malformed is a ``DWARFError``: that file contributes no lines.

/// Why a file's DWARF could not be used.
struct DWARFError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// A bounds-checked little-endian reader over one DWARF section.
struct DWARFCursor {
    let bytes: [UInt8]
    var position: Int
    var end: Int

    init(_ bytes: [UInt8], at position: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.position = position
        self.end = min(end ?? bytes.count, bytes.count)
    }

    var atEnd: Bool { position >= end }

    mutating func u8() throws(DWARFError) -> UInt8 {
        guard position >= 0, position < end else { throw DWARFError("unexpected end of data at offset \(position)") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func fixed(_ n: Int) throws(DWARFError) -> UInt64 {
        guard n >= 0, n <= 8, position >= 0, end - position >= n else { throw DWARFError("unexpected end of data at offset \(position)") }
        var v: UInt64 = 0
        for k in 0..<n { v |= UInt64(bytes[position + k]) << UInt64(8 * k) }
        position += n
        return v
    }

    mutating func skip(_ n: UInt64) throws(DWARFError) {
        guard position >= 0, n <= UInt64(end - position) else { throw DWARFError("unexpected end of data at offset \(position)") }
        position += Int(n)
    }

    mutating func uleb() throws(DWARFError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try u8()
            if shift < 64 { value |= UInt64(byte & 0x7F) << shift }
            shift += 7
            if byte & 0x80 == 0 { return value }
            guard shift < 70 else { throw DWARFError("LEB128 value too long at offset \(position)") }
        }
    }

    mutating func sleb() throws(DWARFError) -> Int64 {
        var value: Int64 = 0
        var shift: Int64 = 0
        var byte: UInt8 = 0
        while true {
            byte = try u8()
            if shift < 64 { value |= Int64(byte & 0x7F) << shift }
            shift += 7
            if byte & 0x80 == 0 { break }
            guard shift < 70 else { throw DWARFError("LEB128 value too long at offset \(position)") }
        }
        if shift < 64 && byte & 0x40 != 0 { value |= Int64(-1) << shift } // (shift 63: -(1 << 63) would overflow)
        return value
    }

    mutating func cString() throws(DWARFError) -> String {
        let start = position
        while true {
            if try u8() == 0 { break }
        }
        return String(decoding: bytes[start..<(position - 1)], as: UTF8.self)
    }

    /// Reads a unit's initial length (32-bit, or 64-bit DWARF after `0xFFFFFFFF`) and limits the cursor to the
    /// unit. Returns the unit's end and its offset size (4 or 8). `section` and `unitOffset` name it in errors.
    mutating func unitLength(section: String, unitOffset: Int) throws(DWARFError) -> (end: Int, offsetSize: Int) {
        var length = try fixed(4)
        var offsetSize = 4
        if length == 0xFFFF_FFFF {
            length = try fixed(8)
            offsetSize = 8
        } else if length >= 0xFFFF_FFF0 {
            throw DWARFError("reserved unit length 0x\(String(length, radix: 16)) in \(section) at offset \(unitOffset)")
        }
        guard length <= UInt64(bytes.count - position) else { throw DWARFError("\(section) unit at offset \(unitOffset) runs past the section end") }
        end = position + Int(length)
        return (end, offsetSize)
    }

    /// A NUL-terminated string at `offset` in another section.
    static func string(in section: [UInt8], at offset: UInt64, what: String) throws(DWARFError) -> String {
        guard offset < UInt64(section.count) else { throw DWARFError("\(what) offset \(offset) is outside its section") }
        var c = DWARFCursor(section, at: Int(offset))
        return try c.cString()
    }
}

/// One row of a line table.
struct DWARFLineRow: Equatable {
    var address: UInt64
    var file: UInt64
    var line: UInt32
    var column: UInt32
    var endSequence: Bool
}

/// One line table (the contribution of one compilation unit).
struct DWARFLineTable {
    /// The unit's offset in `.debug_line`.
    var offset: Int
    var version: Int
    /// Full paths by file index (`nil`: no such file).
    var files: [String?]
    /// Rows, split into sequences (each ends with an `endSequence` row).
    var sequences: [[DWARFLineRow]]
}

/// The string sections a line table header may refer to.
struct DWARFStrings {
    var debugStr: [UInt8] = []
    var debugLineStr: [UInt8] = []
}

enum DWARFLineParser {
    /// Parses every unit of `.debug_line`. `compilationDirectories` gives `DW_AT_comp_dir` by line table offset
    /// (DWARF ≤ 4 has no directory 0 in the header).
    static func parse(_ debugLine: [UInt8], strings: DWARFStrings, compilationDirectories: [Int: String] = [:]) throws(DWARFError) -> [DWARFLineTable] {
        var tables: [DWARFLineTable] = []
        var offset = 0
        while offset < debugLine.count {
            let (table, next) = try parseUnit(debugLine, at: offset, strings: strings, compilationDirectory: compilationDirectories[offset])
            tables.append(table)
            guard next > offset else { break }
            offset = next
        }
        return tables
    }

    /// Parses the unit at `offset`; returns it and the offset of the next unit.
    static func parseUnit(_ data: [UInt8], at offset: Int, strings: DWARFStrings, compilationDirectory: String?) throws(DWARFError) -> (DWARFLineTable, Int) {
        var c = DWARFCursor(data, at: offset)
        let (unitEnd, offsetSize) = try c.unitLength(section: ".debug_line", unitOffset: offset)
        let version = Int(try c.fixed(2))
        guard (2...5).contains(version) else { throw DWARFError("unsupported .debug_line version \(version) at offset \(offset)") }
        if version >= 5 {
            let addressSize = try c.u8()
            guard addressSize == 4 || addressSize == 8 else { throw DWARFError("unsupported address size \(addressSize) in .debug_line") }
            _ = try c.u8()  // segment selector size
        }
        let headerLength = try c.fixed(offsetSize)
        guard headerLength <= UInt64(unitEnd - c.position) else { throw DWARFError(".debug_line header at offset \(offset) runs past its unit") }
        let programStart = c.position + Int(headerLength)
        let minimumInstructionLength = UInt64(try c.u8())
        if version >= 4 {
            let maxOps = try c.u8()
            guard maxOps == 1 else { throw DWARFError("VLIW line tables (maximum_operations_per_instruction = \(maxOps)) are not supported") }
        }
        _ = try c.u8()  // default_is_stmt
        let lineBase = Int64(Int8(bitPattern: try c.u8()))
        let lineRange = UInt64(try c.u8())
        let opcodeBase = try c.u8()
        var standardLengths: [UInt8] = []
        if opcodeBase > 1 {
            for _ in 1..<opcodeBase { standardLengths.append(try c.u8()) }
        }

        var directories: [String] = []
        var fileEntries: [(name: String, directory: UInt64)] = []
        if version <= 4 {
            directories.append(compilationDirectory ?? "")
            while true {
                let dir = try c.cString()
                if dir.isEmpty { break }
                directories.append(dir)
            }
            while true {
                let name = try c.cString()
                if name.isEmpty { break }
                let dir = try c.uleb()
                _ = try c.uleb(); _ = try c.uleb()  // modification time, length
                fileEntries.append((name, dir))
            }
        } else {
            func entries(_ c: inout DWARFCursor) throws(DWARFError) -> [(path: String?, directory: UInt64)] {
                let formatCount = Int(try c.u8())
                var format: [(UInt64, UInt64)] = []
                for _ in 0..<formatCount { format.append((try c.uleb(), try c.uleb())) }
                let count = try c.uleb()
                guard count <= UInt64(unitEnd - c.position) else { throw DWARFError("implausible entry count \(count) in a .debug_line header") }
                var out: [(path: String?, directory: UInt64)] = []
                for _ in 0..<count {
                    var path: String?
                    var directory: UInt64 = 0
                    for (contentType, form) in format {
                        guard headerEntryForms.contains(form) else {
                            throw DWARFError("unsupported form 0x\(String(form, radix: 16)) in a .debug_line header")
                        }
                        // (No address-sized form is among headerEntryForms, so the address size is moot.)
                        let value = try c.formValue(form, offsetSize: offsetSize, addressSize: 8, version: version, strings: strings,
                                                    section: ".debug_line")
                        switch (contentType, value) {
                        case (1, .string(let s)): path = s  // DW_LNCT_path
                        case (2, .number(let n)): directory = n  // DW_LNCT_directory_index
                        default: break
                        }
                    }
                    out.append((path, directory))
                }
                return out
            }
            directories = try entries(&c).map { $0.path ?? "" }
            fileEntries = try entries(&c).map { ($0.path ?? "", $0.directory) }
        }
        let compDir = directories.first ?? ""
        var files: [String?] = version <= 4 ? [nil] : []
        func path(_ name: String, _ dirIndex: UInt64) -> String? {
            guard dirIndex < UInt64(directories.count) else { return nil }
            return joinPath(compilationDirectory: compDir, directory: directories[Int(dirIndex)], isFirstDirectory: dirIndex == 0, file: name)
        }
        for entry in fileEntries { files.append(path(entry.name, entry.directory)) }

        // The line number program.
        c.position = programStart
        var sequences: [[DWARFLineRow]] = []
        var current: [DWARFLineRow] = []
        var address: UInt64 = 0, file: UInt64 = 1, line: Int64 = 1, column: UInt64 = 0
        func reset() { address = 0; file = 1; line = 1; column = 0 }
        func row(end: Bool) {
            let l = line > 0 && line <= Int64(UInt32.max) ? UInt32(line) : 0
            current.append(DWARFLineRow(address: address, file: file, line: l, column: UInt32(truncatingIfNeeded: min(column, UInt64(UInt32.max))), endSequence: end))
            if end {
                sequences.append(current)
                current = []
                reset()
            }
        }
        func advance(operations: UInt64) { address &+= operations &* minimumInstructionLength }
        while !c.atEnd {
            let opcode = try c.u8()
            if opcode >= opcodeBase {
                guard lineRange != 0 else { throw DWARFError("special opcode with line_range 0 in .debug_line") }
                let adjusted = UInt64(opcode - opcodeBase)
                advance(operations: adjusted / lineRange)
                line &+= lineBase + Int64(adjusted % lineRange)
                row(end: false)
                continue
            }
            switch opcode {
            case 0:
                let length = try c.uleb()
                guard length >= 1, length <= UInt64(unitEnd - c.position) else { throw DWARFError("bad extended opcode length in .debug_line") }
                let next = c.position + Int(length)
                let sub = try c.u8()
                switch sub {
                case 1: row(end: true)
                case 2:
                    let size = Int(length) - 1
                    guard size == 4 || size == 8 else { throw DWARFError("DW_LNE_set_address with a \(size)-byte address") }
                    address = try c.fixed(size)
                case 3 where version <= 4:
                    let name = try c.cString()
                    let dir = try c.uleb()
                    files.append(path(name, dir))
                default: break  // DW_LNE_set_discriminator and unknown ones
                }
                c.position = next
            case 1: row(end: false)
            case 2: advance(operations: try c.uleb())
            case 3: line &+= try c.sleb()
            case 4: file = try c.uleb()
            case 5: column = try c.uleb()
            case 6, 7, 10, 11: break
            case 8: advance(operations: (UInt64(255 - opcodeBase)) / max(lineRange, 1))
            case 9: address &+= try c.fixed(2)
            default:
                // DW_LNS_set_isa and unknown standard opcodes: skip their ULEB128 operands.
                let count = Int(opcode) - 1 < standardLengths.count ? Int(standardLengths[Int(opcode) - 1]) : 0
                for _ in 0..<count { _ = try c.uleb() }
            }
        }
        if !current.isEmpty { sequences.append(current) }  // no end_sequence: keep what is there
        return (DWARFLineTable(offset: offset, version: version, files: files, sequences: sequences), unitEnd)
    }

    /// The forms a line table header entry may use here (DWARF 5 §6.2.4.1, without `strx*`: a line table
    /// has no string offsets base of its own).
    static let headerEntryForms: Set<UInt64> = [0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0D, 0x0E, 0x0F, 0x1E, 0x1F]

    /// The full path of a file entry: the file name if absolute, else its directory joined with it (a relative
    /// directory other than the first is relative to the compilation directory); `./` components are dropped.
    static func joinPath(compilationDirectory: String, directory: String, isFirstDirectory: Bool, file: String) -> String {
        var path = ""
        if file.hasPrefix("/") {
            path = file
        } else {
            if !isFirstDirectory && !directory.hasPrefix("/") && !compilationDirectory.isEmpty {
                path = compilationDirectory
                if !path.hasSuffix("/") { path += "/" }
            }
            path += directory
            if !path.isEmpty && !path.hasSuffix("/") { path += "/" }
            path += file
        }
        return simplify(path)
    }

    /// Drops `.` components (`./a/./b` → `a/b`) and repeated slashes.
    static func simplify(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }
}

/// Applies the relocations of a debug section of a relocatable object to a copy of its bytes.
enum DebugRelocations {
    /// `symbolValue(index)` gives `S` for a symbol table index (nil: the relocation cannot be applied).
    static func apply(_ relocations: [ELFRelocation], to bytes: [UInt8], sectionName: String,
                      symbolValue: (Int) -> UInt64?) throws(DWARFError) -> [UInt8] {
        var data = bytes
        for r in relocations {
            if r.type == RelocType.none || r.type == RelocType.relax { continue }
            guard let s = symbolValue(r.symbolIndex) else {
                throw DWARFError("\(RelocType.name(r.type)) in \(sectionName) refers to a symbol without a usable value")
            }
            let value = s &+ UInt64(bitPattern: r.addend)
            let at = Int(clamping: r.offset)
            func check(_ n: Int) throws(DWARFError) {
                guard r.offset <= UInt64(data.count), n <= data.count - at else {
                    throw DWARFError("\(RelocType.name(r.type)) at offset 0x\(String(r.offset, radix: 16)) lies outside \(sectionName)")
                }
            }
            func width(_ t: UInt32) -> Int? {
                switch t {
                case RelocType.abs32, RelocType.add32, RelocType.sub32, RelocType.set32: return 4
                case RelocType.abs64, RelocType.add64, RelocType.sub64: return 8
                case RelocType.add16, RelocType.sub16, RelocType.set16: return 2
                case RelocType.add8, RelocType.sub8, RelocType.set8, RelocType.set6, RelocType.sub6: return 1
                default: return nil
                }
            }
            switch r.type {
            case RelocType.abs32, RelocType.abs64, RelocType.set8, RelocType.set16, RelocType.set32:
                let n = width(r.type)!
                try check(n)
                data.writeLE(value, at: at, n)
            case RelocType.add8, RelocType.add16, RelocType.add32, RelocType.add64,
                 RelocType.sub8, RelocType.sub16, RelocType.sub32, RelocType.sub64:
                let n = width(r.type)!
                try check(n)
                let old = data.readLE(at, n)!
                let isAdd = r.type >= RelocType.add8 && r.type <= RelocType.add64
                data.writeLE(isAdd ? old &+ value : old &- value, at: at, n)
            case RelocType.set6, RelocType.sub6:
                try check(1)
                let old = data[at]
                let low = r.type == RelocType.set6 ? UInt8(truncatingIfNeeded: value) : (old &- UInt8(truncatingIfNeeded: value))
                data[at] = (old & 0xC0) | (low & 0x3F)
            case RelocType.setUleb128, RelocType.subUleb128:
                // Rewrite the ULEB128 in place, keeping its length.
                var c = DWARFCursor(data, at: at)
                let old = try c.uleb()
                let length = c.position - at
                var v = r.type == RelocType.setUleb128 ? value : old &- value
                for k in 0..<length {
                    var byte = UInt8(v & 0x7F)
                    v >>= 7
                    if k + 1 < length { byte |= 0x80 }
                    data[at + k] = byte
                }
            default:
                throw DWARFError("unsupported relocation \(RelocType.name(r.type)) in \(sectionName)")
            }
        }
        return data
    }
}

/// A stretch of input code and the source line it comes from.
struct LineInterval {
    var start: Int
    var end: Int
    var path: String
    var line: UInt32
    var column: UInt32
}

/// The line tables of all inputs, as sorted intervals per input code section.
struct SourceLines {
    /// Sorted, non-overlapping intervals by ``InputSection/id``.
    private(set) var intervals: [Int: [LineInterval]] = [:]
    /// Problems found in optional debug data (that file's lines are left out).
    private(set) var warnings: [String] = []
    /// Inlined calls (`DW_TAG_inlined_subroutine`) by input location.
    private(set) var inlines = InlineStacks()

    /// Reads `.debug_line` (and the inlined calls of `.debug_info`) of every input.
    init(program: InputProgram, inputs: [[UInt8]]) {
        var raw: [Int: [LineInterval]] = [:]
        var calls: [(section: Int, start: Int, end: Int, depth: Int, call: InlinedCall)] = []
        for (index, bytes) in inputs.enumerated() {
            do {
                try Self.read(object: index, bytes: bytes, program: program, into: &raw, calls: &calls) { message in
                    warnings.append("input #\(index): DWARF inline information ignored: \(message)")
                }
            } catch {
                warnings.append("input #\(index): DWARF line information ignored: \(error.message)")
            }
        }
        inlines = InlineStacks(calls)
        for (section, list) in raw {
            // Sorted by start; where tables overlap, the first interval read wins.
            let sorted = list.enumerated().sorted { ($0.element.start, $0.offset) < ($1.element.start, $1.offset) }.map(\.element)
            var kept: [LineInterval] = []
            for var interval in sorted {
                if let last = kept.last, interval.start < last.end {
                    interval.start = last.end
                    if interval.start >= interval.end { continue }
                }
                kept.append(interval)
            }
            intervals[section] = kept
        }
    }

    /// The line interval containing `offset` of input section `section`.
    func lookup(section: Int, offset: Int) -> LineInterval? {
        guard let list = intervals[section] else { return nil }
        var low = 0, high = list.count
        while low < high {
            let mid = (low + high) / 2
            if list[mid].end <= offset { low = mid + 1 } else { high = mid }
        }
        guard low < list.count, list[low].start <= offset, offset < list[low].end else { return nil }
        return list[low]
    }

    private static func read(object: Int, bytes: [UInt8], program: InputProgram, into raw: inout [Int: [LineInterval]],
                             calls: inout [(section: Int, start: Int, end: Int, depth: Int, call: InlinedCall)],
                             warn: (String) -> Void) throws(DWARFError) {
        let file: ELFFile
        do { file = try ELFFile(bytes) } catch { throw DWARFError(error.message) }
        let relocatable = file.fileType == 1

        // Code sections of this file: (address, size, input section id).
        var code: [(address: UInt64, size: UInt64, id: Int)] = []
        var baseOfELFSection: [Int: UInt64] = [:]
        var nextBase: UInt64 = 0x1000
        for s in program.sections where s.object == object && s.kind == .code {
            let address: UInt64
            if relocatable {
                address = nextBase
                nextBase += (UInt64(s.size) + 0x100) & ~0xFF
            } else {
                address = file.sections[s.elfIndex].address
            }
            baseOfELFSection[s.elfIndex] = address
            code.append((address, UInt64(s.size), s.id))
        }
        code.sort { $0.address < $1.address }

        func contents(_ s: ELFSection?) throws(DWARFError) -> [UInt8] {
            guard let s else { return [] }
            let data = file.contents(of: s)
            guard relocatable, let relocations = file.relocations[s.index], !relocations.isEmpty else { return data }
            return try DebugRelocations.apply(relocations, to: data, sectionName: s.name) { index in
                guard index < file.symbols.count else { return index == 0 ? 0 : nil }
                let sym = file.symbols[index]
                if index == 0 || sym.isUndefined { return 0 }
                if sym.isAbsolute { return sym.value }
                guard Int(sym.sectionIndex) < file.sections.count else { return nil }
                return (baseOfELFSection[Int(sym.sectionIndex)] ?? 0) &+ sym.value
            }
        }
        func locate(_ address: UInt64) -> (address: UInt64, size: UInt64, id: Int)? {
            var low = 0, high = code.count
            while low < high {
                let mid = (low + high) / 2
                if code[mid].address <= address { low = mid + 1 } else { high = mid }
            }
            guard low > 0 else { return nil }
            let c = code[low - 1]
            return address - c.address < c.size ? c : nil
        }

        // A linked file may hold several `.debug_line` sections (`ld.lld --unique` keeps every input's apart);
        // each one is read with the string and info sections that belong to it.
        let debugSections = file.sections.filter { !$0.isAllocated && $0.type != ELFSection.typeRela }
        for debugLine in debugSections where debugLine.name == ".debug_line" {
            let debugInfo = companion(of: debugLine, named: ".debug_info", in: file, referencing: true)
            let strings = DWARFStrings(debugStr: try contents(companion(of: debugLine, named: ".debug_str", in: file)),
                                       debugLineStr: try contents(companion(of: debugLine, named: ".debug_line_str", in: file)))
            // `DW_AT_comp_dir` for DWARF ≤ 4 line tables; without a readable `.debug_info` their paths stay relative.
            var compilationDirectories: [Int: String] = [:]
            if let debugInfo, let info = try? contents(debugInfo),
               let abbrev = try? contents(companion(of: debugInfo, named: ".debug_abbrev", in: file)),
               let infoStr = try? contents(companion(of: debugInfo, named: ".debug_str", in: file)),
               let stringOffsets = try? contents(companion(of: debugInfo, named: ".debug_str_offsets", in: file)) {
                compilationDirectories = CompilationUnits.compilationDirectories(
                    info: info, abbrev: abbrev, strings: DWARFStrings(debugStr: infoStr, debugLineStr: strings.debugLineStr),
                    stringOffsets: stringOffsets)
            }
            let tables = try DWARFLineParser.parse(try contents(debugLine), strings: strings, compilationDirectories: compilationDirectories)
            for table in tables {
                for sequence in table.sequences {
                    guard let first = sequence.first, let target = locate(first.address) else { continue }  // tombstoned or not code
                    for k in 0..<(sequence.count - 1) {
                        let row = sequence[k], next = sequence[k + 1]
                        guard row.address >= target.address, next.address > row.address, row.line != 0,
                              row.file < UInt64(table.files.count), let path = table.files[Int(row.file)] else { continue }
                        let start = row.address - target.address
                        let end = min(next.address - target.address, target.size)
                        guard start < end else { continue }
                        raw[target.id, default: []].append(LineInterval(start: Int(start), end: Int(end), path: path, line: row.line, column: row.column))
                    }
                }
            }
            // Inlined calls, whose call sites name files of these line tables.
            guard let debugInfo else { continue }
            do {
                func part(_ name: String) throws(DWARFError) -> [UInt8] { try contents(companion(of: debugInfo, named: name, in: file)) }
                let sections = DWARFInfoSections(
                    info: try contents(debugInfo), abbrev: try part(".debug_abbrev"),
                    strings: DWARFStrings(debugStr: try part(".debug_str"), debugLineStr: strings.debugLineStr),
                    stringOffsets: try part(".debug_str_offsets"), addr: try part(".debug_addr"),
                    rnglists: try part(".debug_rnglists"), ranges: try part(".debug_ranges"))
                var byOffset: [Int: DWARFLineTable] = [:]
                for table in tables { byOffset[table.offset] = table }
                for inlined in try DWARFInlines.read(sections, lineTables: byOffset) {
                    for range in inlined.ranges {
                        guard let target = locate(range.start) else { continue }
                        let start = Int(range.start - target.address)
                        let end = Int(min(range.end - target.address, target.size))
                        calls.append((target.id, start, end, inlined.depth, inlined.call))
                    }
                }
            } catch {
                warn(error.message)
            }
        }
    }

    /// The section named `name` that belongs with `section`: the one `section`'s relocations point into (or,
    /// with `referencing`, the one whose relocations point into `section`), else the one with the same
    /// position among its namesakes, else the first.
    static func companion(of section: ELFSection, named name: String, in file: ELFFile, referencing: Bool = false) -> ELFSection? {
        let candidates = file.sections.filter { $0.name == name && !$0.isAllocated && $0.type != ELFSection.typeRela }
        if candidates.count <= 1 { return candidates.first }
        func targets(_ s: ELFSection) -> Set<Int> {
            Set((file.relocations[s.index] ?? []).compactMap { r in
                r.symbolIndex < file.symbols.count && r.symbolIndex > 0 ? Int(file.symbols[r.symbolIndex].sectionIndex) : nil
            })
        }
        if referencing {
            if let found = candidates.first(where: { targets($0).contains(section.index) }) { return found }
        } else {
            let mine = targets(section)
            if let found = candidates.first(where: { mine.contains($0.index) }) { return found }
        }
        let position = file.sections.filter { $0.name == section.name && !$0.isAllocated && $0.type != ELFSection.typeRela }
            .firstIndex { $0.index == section.index } ?? 0
        return position < candidates.count ? candidates[position] : candidates[0]
    }
}
