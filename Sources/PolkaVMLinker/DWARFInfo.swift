// A minimal `.debug_info` reader: compilation unit headers, abbreviations and attribute values, enough for
// the compilation directory of each line table (DWARF ≤ 4 line tables do not name it).

/// An attribute value as read from `.debug_info`.
enum DWARFAttributeValue {
    case number(UInt64)
    case string(String)
    /// An index into `.debug_str_offsets` (DW_FORM_strx*), resolved with the unit's `DW_AT_str_offsets_base`.
    case stringIndex(UInt64)
    case other
}

/// One abbreviation: tag, whether it has children, (attribute, form, implicit constant) specs.
struct DWARFAbbreviation {
    var tag: UInt64
    var hasChildren: Bool
    var attributes: [(name: UInt64, form: UInt64, implicitConst: Int64)]
}

enum DWARFAbbreviations {
    /// The abbreviation table at `offset` of `.debug_abbrev`.
    static func parse(_ data: [UInt8], at offset: UInt64) throws(DWARFError) -> [UInt64: DWARFAbbreviation] {
        guard offset < UInt64(data.count) else { throw DWARFError("abbreviation table offset \(offset) outside .debug_abbrev") }
        var c = DWARFCursor(data, at: Int(offset))
        var table: [UInt64: DWARFAbbreviation] = [:]
        while true {
            let code = try c.uleb()
            if code == 0 { break }
            let tag = try c.uleb()
            let children = try c.u8() != 0
            var attributes: [(UInt64, UInt64, Int64)] = []
            while true {
                let name = try c.uleb(), form = try c.uleb()
                var implicitConst: Int64 = 0
                if form == 0x21 { implicitConst = try c.sleb() }
                if name == 0 && form == 0 { break }
                attributes.append((name, form, implicitConst))
            }
            table[code] = DWARFAbbreviation(tag: tag, hasChildren: children, attributes: attributes)
        }
        return table
    }
}

/// The header of one unit in `.debug_info`.
struct DWARFUnitHeader {
    var offset: Int
    var end: Int
    var version: Int
    var offsetSize: Int
    var addressSize: Int
    var abbreviationOffset: UInt64
    /// Where the first DIE starts.
    var diesStart: Int

    static func parse(_ data: [UInt8], at offset: Int) throws(DWARFError) -> DWARFUnitHeader {
        var c = DWARFCursor(data, at: offset)
        let (end, offsetSize) = try c.unitLength(section: ".debug_info", unitOffset: offset)
        let version = Int(try c.fixed(2))
        guard (2...5).contains(version) else { throw DWARFError("unsupported .debug_info version \(version)") }
        var addressSize: UInt8
        let abbrev: UInt64
        if version >= 5 {
            let unitType = try c.u8()
            addressSize = try c.u8()
            abbrev = try c.fixed(offsetSize)
            switch unitType {
            case 1, 3: break  // compile, partial
            case 4, 5: _ = try c.fixed(8)  // skeleton, split_compile: dwo id
            case 2, 6: _ = try c.fixed(8); _ = try c.fixed(offsetSize)  // type units
            default: throw DWARFError("unknown unit type \(unitType) in .debug_info")
            }
        } else {
            abbrev = try c.fixed(offsetSize)
            addressSize = try c.u8()
        }
        guard addressSize == 4 || addressSize == 8 else { throw DWARFError("unsupported address size \(addressSize) in .debug_info") }
        return DWARFUnitHeader(offset: offset, end: end, version: version, offsetSize: offsetSize, addressSize: Int(addressSize),
                               abbreviationOffset: abbrev, diesStart: c.position)
    }

    /// Reads one attribute value of `form` in this unit.
    func readValue(_ c: inout DWARFCursor, form: UInt64, implicitConst: Int64, strings: DWARFStrings) throws(DWARFError) -> DWARFAttributeValue {
        try c.formValue(form, offsetSize: offsetSize, addressSize: addressSize, version: version, implicitConst: implicitConst,
                        strings: strings, section: ".debug_info")
    }

    /// A `DW_FORM_strx*` string: entry `index` of the unit's contribution to `.debug_str_offsets`.
    func string(index: UInt64, base: UInt64, stringOffsets: [UInt8], strings: DWARFStrings) throws(DWARFError) -> String {
        let (at, overflow) = base.addingReportingOverflow(index &* UInt64(offsetSize))
        guard !overflow, at <= UInt64(stringOffsets.count) else { throw DWARFError("string index \(index) outside .debug_str_offsets") }
        var c = DWARFCursor(stringOffsets, at: Int(at))
        return try DWARFCursor.string(in: strings.debugStr, at: try c.fixed(offsetSize), what: "DW_FORM_strx")
    }
}

enum CompilationUnits {
    /// `DW_AT_comp_dir` of every compilation unit, by its `DW_AT_stmt_list` (line table offset). Units that
    /// cannot be read are left out (their line tables then have no directory 0 before DWARF 5).
    static func compilationDirectories(info: [UInt8], abbrev: [UInt8], strings: DWARFStrings, stringOffsets: [UInt8]) -> [Int: String] {
        var out: [Int: String] = [:]
        var offset = 0
        while offset < info.count {
            guard let unit = try? DWARFUnitHeader.parse(info, at: offset) else { break }
            offset = unit.end
            guard let table = try? DWARFAbbreviations.parse(abbrev, at: unit.abbreviationOffset) else { continue }
            var c = DWARFCursor(info, at: unit.diesStart, end: unit.end)
            guard let code = try? c.uleb(), code != 0, let abbreviation = table[code] else { continue }
            var stmtList: UInt64?
            var compDir: DWARFAttributeValue?
            var strOffsetsBase: UInt64 = 8  // the usual value when the attribute is absent
            var failed = false
            for spec in abbreviation.attributes {
                guard let value = try? unit.readValue(&c, form: spec.form, implicitConst: spec.implicitConst, strings: strings) else {
                    failed = true
                    break
                }
                switch (spec.name, value) {
                case (0x10, .number(let v)): stmtList = v  // DW_AT_stmt_list
                case (0x1B, _): compDir = value  // DW_AT_comp_dir
                case (0x72, .number(let v)): strOffsetsBase = v  // DW_AT_str_offsets_base
                default: break
                }
            }
            guard !failed, let stmtList, let compDir else { continue }
            switch compDir {
            case .string(let s): out[Int(clamping: stmtList)] = s
            case .stringIndex(let i):
                if let s = try? unit.string(index: i, base: strOffsetsBase, stringOffsets: stringOffsets, strings: strings) {
                    out[Int(clamping: stmtList)] = s
                }
            default: break
            }
        }
        return out
    }
}

extension DWARFCursor {
    /// Reads one value of `form` (DWARF 2-5): the one decoder of attribute forms, for `.debug_info`
    /// attributes and `.debug_line` header entries. `addressSize` and `version` matter for `addr` and
    /// `ref_addr` only.
    mutating func formValue(_ form: UInt64, offsetSize: Int, addressSize: Int, version: Int, implicitConst: Int64 = 0,
                            strings: DWARFStrings, section: String) throws(DWARFError) -> DWARFAttributeValue {
        switch form {
        case 0x01: return .number(try fixed(addressSize))  // addr
        case 0x03: try skip(try fixed(2)); return .other  // block2
        case 0x04: try skip(try fixed(4)); return .other  // block4
        case 0x05: return .number(try fixed(2))  // data2
        case 0x06: return .number(try fixed(4))  // data4
        case 0x07: return .number(try fixed(8))  // data8
        case 0x08: return .string(try cString())  // string
        case 0x09, 0x18: try skip(try uleb()); return .other  // block, exprloc
        case 0x0A: try skip(try fixed(1)); return .other  // block1
        case 0x0B, 0x11: return .number(try fixed(1))  // data1, ref1
        case 0x0C: return .number(try fixed(1))  // flag
        case 0x0D: return .number(UInt64(bitPattern: try sleb()))  // sdata
        case 0x0E: return .string(try DWARFCursor.string(in: strings.debugStr, at: try fixed(offsetSize), what: "DW_FORM_strp"))
        case 0x0F, 0x15: return .number(try uleb())  // udata, ref_udata
        case 0x10: return .number(try fixed(version <= 2 ? addressSize : offsetSize))  // ref_addr
        case 0x12: return .number(try fixed(2))  // ref2
        case 0x13: return .number(try fixed(4))  // ref4
        case 0x14, 0x20: return .number(try fixed(8))  // ref8, ref_sig8
        case 0x16:  // indirect
            let actual = try uleb()
            guard actual != 0x16 else { throw DWARFError("nested DW_FORM_indirect") }
            return try formValue(actual, offsetSize: offsetSize, addressSize: addressSize, version: version,
                                 implicitConst: implicitConst, strings: strings, section: section)
        case 0x17, 0x1D, 0x1F20, 0x1F21: return .number(try fixed(offsetSize))  // sec_offset, strp_sup, GNU alt refs
        case 0x19: return .number(1)  // flag_present
        case 0x1A, 0x1F02: return .stringIndex(try uleb())  // strx, GNU_str_index
        case 0x1B, 0x22, 0x23, 0x1F01: return .number(try uleb())  // addrx, loclistx, rnglistx, GNU_addr_index
        case 0x1C: return .number(try fixed(4))  // ref_sup4
        case 0x1E: try skip(16); return .other  // data16
        case 0x1F: return .string(try DWARFCursor.string(in: strings.debugLineStr, at: try fixed(offsetSize), what: "DW_FORM_line_strp"))
        case 0x21: return .number(UInt64(bitPattern: implicitConst))  // implicit_const
        case 0x24: return .number(try fixed(8))  // ref_sup8
        case 0x25: return .stringIndex(try fixed(1))
        case 0x26: return .stringIndex(try fixed(2))
        case 0x27: return .stringIndex(try fixed(3))
        case 0x28: return .stringIndex(try fixed(4))
        case 0x29: return .number(try fixed(1))
        case 0x2A: return .number(try fixed(2))
        case 0x2B: return .number(try fixed(3))
        case 0x2C: return .number(try fixed(4))
        default: throw DWARFError("unsupported attribute form 0x\(String(form, radix: 16)) in \(section)")
        }
    }
}
