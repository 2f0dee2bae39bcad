// Inlined calls from `.debug_info` (`DW_TAG_inlined_subroutine`): the callee's name (through
// `DW_AT_abstract_origin`/`DW_AT_specification`), the call site (`DW_AT_call_file/line/column`, files
// named by the unit's line table) and the code ranges (`DW_AT_low_pc/high_pc` with `DW_FORM_addr` or
// `DW_FORM_addrx*` through `.debug_addr`, or `DW_AT_ranges` through `.debug_rnglists` (DWARF 5) or
// `.debug_ranges` (DWARF ≤ 4)). Section contents are expected with their relocations applied.

/// One inlined call: the function inlined and where it was called from.
struct InlinedCall: Equatable {
    var function: String?
    var path: String?
    var line: UInt32
    var column: UInt32
}

/// An inlined call over address ranges; `depth` counts the inlined calls it is nested in.
struct InlinedCallRanges {
    var ranges: [(start: UInt64, end: UInt64)]
    var depth: Int
    var call: InlinedCall
}

/// The sections `.debug_info` refers to.
struct DWARFInfoSections {
    var info: [UInt8] = []
    var abbrev: [UInt8] = []
    var strings = DWARFStrings()
    var stringOffsets: [UInt8] = []
    var addr: [UInt8] = []
    var rnglists: [UInt8] = []
    var ranges: [UInt8] = []
}

enum DWARFInlines {
    private struct Pending {
        var origin: UInt64?
        var ranges: [(start: UInt64, end: UInt64)]
        var depth: Int
        var callFile: UInt64?
        var callLine: UInt64
        var callColumn: UInt64
        var unit: Int
    }

    private struct NameEntry {
        var name: String?
        var origin: UInt64?
    }

    /// Every inlined call of every unit. `lineTables` gives each unit's line table by `DW_AT_stmt_list`.
    static func read(_ s: DWARFInfoSections, lineTables: [Int: DWARFLineTable]) throws(DWARFError) -> [InlinedCallRanges] {
        var names: [UInt64: NameEntry] = [:]
        var pending: [Pending] = []
        var unitFiles: [Int: [String?]] = [:]
        var offset = 0
        var unitIndex = 0
        while offset < s.info.count {
            let unit = try DWARFUnitHeader.parse(s.info, at: offset)
            offset = unit.end
            unitIndex += 1
            let abbreviations = try DWARFAbbreviations.parse(s.abbrev, at: unit.abbreviationOffset)
            var c = DWARFCursor(s.info, at: unit.diesStart, end: unit.end)
            // Unit-wide bases, from the unit DIE (DWARF 5 defaults where absent).
            var strOffsetsBase: UInt64 = 8, addrBase: UInt64 = 8, rnglistsBase: UInt64?
            var baseAddress: UInt64 = 0
            var scopes: [Bool] = []  // per open DIE with children: whether it is an inlined subroutine
            var first = true
            while !c.atEnd {
                let dieOffset = UInt64(c.position)
                let code = try c.uleb()
                if code == 0 {
                    if scopes.isEmpty { break }
                    scopes.removeLast()
                    continue
                }
                guard let abbreviation = abbreviations[code] else { throw DWARFError("unknown abbreviation code \(code) in .debug_info") }
                var attributes: [UInt64: (form: UInt64, value: DWARFAttributeValue)] = [:]
                for spec in abbreviation.attributes {
                    let value = try unit.readValue(&c, form: spec.form, implicitConst: spec.implicitConst, strings: s.strings)
                    switch spec.name {
                    case 0x03, 0x6E, 0x2007, 0x31, 0x47, 0x11, 0x12, 0x55, 0x57, 0x58, 0x59, 0x10, 0x72, 0x73, 0x74:
                        attributes[spec.name] = (spec.form, value)
                    default: break
                    }
                }
                func number(_ name: UInt64) -> UInt64? {
                    if case .number(let v)? = attributes[name]?.value { return v }
                    return nil
                }
                func address(_ form: UInt64, _ value: UInt64) throws(DWARFError) -> UInt64 {
                    switch form {
                    case 0x01: return value  // DW_FORM_addr
                    case 0x1B, 0x29, 0x2A, 0x2B, 0x2C, 0x1F01:  // addrx*
                        let (at, overflow) = addrBase.addingReportingOverflow(value &* UInt64(unit.addressSize))
                        guard !overflow, at <= UInt64(s.addr.count) else { throw DWARFError("address index \(value) outside .debug_addr") }
                        var a = DWARFCursor(s.addr, at: Int(at))
                        return try a.fixed(unit.addressSize)
                    default: throw DWARFError("unsupported address form 0x\(String(form, radix: 16))")
                    }
                }
                func pcRanges() throws(DWARFError) -> [(start: UInt64, end: UInt64)] {
                    if let low = attributes[0x11], case .number(let lowValue) = low.value {
                        let start = try address(low.form, lowValue)
                        guard let high = attributes[0x12], case .number(let highValue) = high.value else { return [] }
                        let isAddress = high.form == 0x01 || high.form == 0x1B || (0x29...0x2C).contains(high.form) || high.form == 0x1F01
                        let end = isAddress ? try address(high.form, highValue) : start &+ highValue
                        return end > start ? [(start, end)] : []
                    }
                    if let r = attributes[0x55], case .number(let value) = r.value {
                        if unit.version >= 5 {
                            var listOffset = value
                            if r.form == 0x23 {  // rnglistx: through the offsets table at the base
                                guard let base = rnglistsBase else { throw DWARFError("DW_FORM_rnglistx without DW_AT_rnglists_base") }
                                let (at, overflow) = base.addingReportingOverflow(value &* UInt64(unit.offsetSize))
                                guard !overflow, at <= UInt64(s.rnglists.count) else { throw DWARFError("range list index \(value) out of bounds") }
                                var t = DWARFCursor(s.rnglists, at: Int(at))
                                listOffset = base &+ (try t.fixed(unit.offsetSize))
                            }
                            return try rangeList(s.rnglists, at: listOffset, base: baseAddress, addressSize: unit.addressSize) { i throws(DWARFError) in
                                try address(0x1B, i)
                            }
                        }
                        return try oldRanges(s.ranges, at: value, base: baseAddress, addressSize: unit.addressSize)
                    }
                    return []
                }
                if first {
                    first = false
                    if let v = number(0x72) { strOffsetsBase = v }
                    if let v = number(0x73) { addrBase = v }
                    if let v = number(0x74) { rnglistsBase = v }
                    if let low = attributes[0x11], case .number(let v) = low.value { baseAddress = try address(low.form, v) }
                    if let stmt = number(0x10), let table = lineTables[Int(clamping: stmt)] { unitFiles[unitIndex] = table.files }
                }
                // Names, for abstract origins (references are unit-relative except DW_FORM_ref_addr).
                func reference(_ name: UInt64) -> UInt64? {
                    guard let a = attributes[name], case .number(let v) = a.value else { return nil }
                    switch a.form {
                    case 0x10: return v  // ref_addr
                    case 0x11, 0x12, 0x13, 0x14, 0x15: return UInt64(unit.offset) &+ v
                    default: return nil
                    }
                }
                var name: String?
                for key in [UInt64(0x03), 0x6E, 0x2007] where name == nil {
                    switch attributes[key]?.value {
                    case .string(let text)?: name = text
                    case .stringIndex(let i)?: name = try unit.string(index: i, base: strOffsetsBase, stringOffsets: s.stringOffsets, strings: s.strings)
                    default: break
                    }
                }
                if name != nil || reference(0x31) != nil || reference(0x47) != nil {
                    names[dieOffset] = NameEntry(name: name, origin: reference(0x31) ?? reference(0x47))
                }
                let isInlined = abbreviation.tag == 0x1D
                if isInlined {
                    pending.append(Pending(origin: reference(0x31), ranges: try pcRanges(), depth: scopes.filter { $0 }.count,
                                           callFile: number(0x58), callLine: number(0x59) ?? 0, callColumn: number(0x57) ?? 0,
                                           unit: unitIndex))
                }
                if abbreviation.hasChildren { scopes.append(isInlined) }
            }
        }
        func resolveName(_ start: UInt64?) -> String? {
            var next = start
            for _ in 0..<8 {
                guard let offset = next, let entry = names[offset] else { return nil }
                if let name = entry.name { return name }
                next = entry.origin
            }
            return nil
        }
        return pending.compactMap { p in
            guard !p.ranges.isEmpty else { return nil }
            var path: String?
            if let file = p.callFile, let files = unitFiles[p.unit], file < UInt64(files.count) { path = files[Int(file)] }
            let call = InlinedCall(function: resolveName(p.origin), path: path,
                                   line: UInt32(clamping: p.callLine), column: UInt32(clamping: p.callColumn))
            return InlinedCallRanges(ranges: p.ranges, depth: p.depth, call: call)
        }
    }

    /// A DWARF 5 range list (`.debug_rnglists`) at `offset`.
    static func rangeList(_ data: [UInt8], at offset: UInt64, base: UInt64, addressSize: Int,
                          indexedAddress: (UInt64) throws(DWARFError) -> UInt64) throws(DWARFError) -> [(start: UInt64, end: UInt64)] {
        guard offset < UInt64(data.count) else { throw DWARFError("range list offset \(offset) outside .debug_rnglists") }
        var c = DWARFCursor(data, at: Int(offset))
        var base = base
        var out: [(start: UInt64, end: UInt64)] = []
        while true {
            let kind = try c.u8()
            switch kind {
            case 0: return out.filter { $0.end > $0.start }  // DW_RLE_end_of_list
            case 1: base = try indexedAddress(try c.uleb())  // base_addressx
            case 2: out.append((try indexedAddress(try c.uleb()), try indexedAddress(try c.uleb())))  // startx_endx
            case 3:  // startx_length
                let start = try indexedAddress(try c.uleb())
                out.append((start, start &+ (try c.uleb())))
            case 4: out.append((base &+ (try c.uleb()), base &+ (try c.uleb())))  // offset_pair
            case 5: base = try c.fixed(addressSize)  // base_address
            case 6: out.append((try c.fixed(addressSize), try c.fixed(addressSize)))  // start_end
            case 7:  // start_length
                let start = try c.fixed(addressSize)
                out.append((start, start &+ (try c.uleb())))
            default: throw DWARFError("unknown range list entry kind \(kind)")
            }
        }
    }

    /// A DWARF ≤ 4 range list (`.debug_ranges`) at `offset`.
    static func oldRanges(_ data: [UInt8], at offset: UInt64, base: UInt64, addressSize: Int) throws(DWARFError) -> [(start: UInt64, end: UInt64)] {
        guard offset < UInt64(data.count) else { throw DWARFError("range list offset \(offset) outside .debug_ranges") }
        var c = DWARFCursor(data, at: Int(offset))
        let selector: UInt64 = addressSize == 8 ? .max : 0xFFFF_FFFF
        var base = base
        var out: [(start: UInt64, end: UInt64)] = []
        while true {
            let start = try c.fixed(addressSize), end = try c.fixed(addressSize)
            if start == 0 && end == 0 { return out.filter { $0.end > $0.start } }
            if start == selector { base = end; continue }
            out.append((base &+ start, base &+ end))
        }
    }
}

/// Inlined calls per input code section, flattened into disjoint stretches with their call stacks.
struct InlineStacks {
    private var segments: [Int: [(start: Int, end: Int, stack: [InlinedCall])]] = [:]

    init() {}

    /// Flattens `calls` per section: `(section id, start, end, depth, call)`, in discovery order.
    init(_ calls: [(section: Int, start: Int, end: Int, depth: Int, call: InlinedCall)]) {
        var bySection: [Int: [(start: Int, end: Int, depth: Int, order: Int, call: InlinedCall)]] = [:]
        for (order, c) in calls.enumerated() where c.end > c.start {
            bySection[c.section, default: []].append((c.start, c.end, c.depth, order, c.call))
        }
        for (section, entries) in bySection {
            let points = Set(entries.flatMap { [$0.start, $0.end] }).sorted()
            let byStart = entries.sorted { ($0.start, $0.order) < ($1.start, $1.order) }
            var next = 0
            var active: [(start: Int, end: Int, depth: Int, order: Int, call: InlinedCall)] = []
            var list: [(start: Int, end: Int, stack: [InlinedCall])] = []
            for k in 0..<(points.count - 1) {
                let p = points[k]
                active.removeAll { $0.end <= p }
                while next < byStart.count && byStart[next].start <= p {
                    if byStart[next].end > p { active.append(byStart[next]) }
                    next += 1
                }
                guard !active.isEmpty else { continue }
                let stack = active.sorted { ($0.depth, $0.order) < ($1.depth, $1.order) }.map(\.call)
                if let last = list.last, last.end == p, last.stack == stack {
                    list[list.count - 1].end = points[k + 1]
                } else {
                    list.append((p, points[k + 1], stack))
                }
            }
            segments[section] = list
        }
    }

    /// The inlined calls (outermost first) covering `offset` of input section `section`.
    func stack(section: Int, offset: Int) -> [InlinedCall] {
        guard let list = segments[section] else { return [] }
        var low = 0, high = list.count
        while low < high {
            let mid = (low + high) / 2
            if list[mid].end <= offset { low = mid + 1 } else { high = mid }
        }
        guard low < list.count, list[low].start <= offset, offset < list[low].end else { return [] }
        return list[low].stack
    }
}
