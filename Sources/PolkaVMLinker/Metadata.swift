/// A parsed extern-function metadata record (`.polkavm_metadata`, V1 or V2).
struct ExternMetadata: Hashable {
    var symbol: [UInt8]
    var inputRegisters: UInt8
    var outputRegisters: UInt8
    var index: UInt32?
}

/// An export record from `.polkavm_exports`.
struct ExportRecord {
    var metadata: ExternMetadata
    var function: Location
}

extension InputProgram {
    func relocation(in section: Int, at offset: Int) -> InputReloc? {
        sections[section].relocations.first { $0.offset == offset && ($0.type == RelocType.abs32 || $0.type == RelocType.abs64 || $0.type == RelocType.pcrelHi20) }
    }

    /// Reads the metadata record at `location`.
    func externMetadata(at location: Location) throws(LinkerError) -> ExternMetadata {
        let s = sections[location.section]
        let o = Int(location.offset)
        let ptr = is64Bit ? 8 : 4
        func bad(_ m: String) -> LinkerError { LinkerError(.invalidMetadata, m, section: s.name, offset: o >= 0 ? UInt64(o) : nil) }
        guard let version = s.data.readLE(o, 1) else { throw bad("metadata record out of bounds") }
        guard version == 1 || version == 2 else { throw bad("unsupported metadata version \(version)") }
        guard let flags = s.data.readLE(o + 1, 4), let length = s.data.readLE(o + 5, 4),
              let inputs = s.data.readLE(o + 9 + ptr, 1), let outputs = s.data.readLE(o + 10 + ptr, 1) else {
            throw bad("truncated metadata record")
        }
        guard flags == 0 else { throw bad("metadata flags must be 0 (found \(flags))") }
        guard inputs <= 9 else { throw bad("too many input registers (\(inputs) > 9)") }
        guard outputs <= 2 else { throw bad("too many output registers (\(outputs) > 2)") }
        var index: UInt32? = nil
        if version == 2 {
            guard let has = s.data.readLE(o + 11 + ptr, 1), let value = s.data.readLE(o + 12 + ptr, 4) else { throw bad("truncated V2 metadata record") }
            if has != 0 { index = UInt32(value) }
        }
        guard let r = relocation(in: location.section, at: o + 9) else { throw bad("the metadata's symbol pointer has no relocation") }
        var symbol: [UInt8] = []
        if length > 0 {
            guard case .location(let target) = r.target else { throw bad("the metadata's symbol pointer does not point into loaded data") }
            let t = sections[target.section]
            let start = Int(target.offset)
            guard start >= 0, length <= 0x1_0000, start <= t.data.count - Int(length) else { throw bad("the metadata's symbol is out of bounds") }
            symbol = Array(t.data[start..<(start + Int(length))])
        }
        return ExternMetadata(symbol: symbol, inputRegisters: UInt8(inputs), outputRegisters: UInt8(outputs), index: index)
    }

    /// The function an export by symbol name (``LinkerConfiguration/exportedSymbols``) refers to: the one
    /// global function symbol of that name in the code, else the one local symbol of that name.
    func functionToExport(named name: String) throws(LinkerError) -> Location {
        let named = symbols.filter { $0.name == name && sections[$0.location.section].kind == .code }
        guard !named.isEmpty else {
            let elsewhere = symbols.contains { $0.name == name }
            throw LinkerError(.undefinedSymbol, elsewhere ? "cannot export '\(name)': it is not in the code" :
                                "cannot export '\(name)': no such symbol (a static function the compiler inlined, or a stripped file?)",
                              symbol: name)
        }
        let globals = named.filter(\.isGlobal)
        let candidates = Set((globals.isEmpty ? named : globals).map(\.location))
        guard candidates.count == 1, let location = candidates.first else {
            throw LinkerError(.unsupportedInput, "cannot export '\(name)': \(candidates.count) \(globals.isEmpty ? "local" : "global") functions have that name", symbol: name)
        }
        return location
    }

    /// All records of every `.polkavm_exports` section.
    func exportRecords() throws(LinkerError) -> [ExportRecord] {
        var records: [ExportRecord] = []
        let ptr = is64Bit ? 8 : 4
        for s in sections where s.kind == .exports {
            var o = 0
            while o < s.data.count {
                guard s.data[o] == 1 else {
                    throw LinkerError(.invalidMetadata, "unsupported export record version \(s.data[o])", section: s.name, offset: UInt64(o))
                }
                guard o + 1 + 2 * ptr <= s.data.count,
                      let m = relocation(in: s.id, at: o + 1), let f = relocation(in: s.id, at: o + 1 + ptr),
                      case .location(let mloc) = m.target, case .location(let floc) = f.target else {
                    throw LinkerError(.invalidMetadata, "malformed export record (missing relocations)", section: s.name, offset: UInt64(o))
                }
                guard sections[floc.section].kind == .code else {
                    throw LinkerError(.invalidMetadata, "exported symbol '\(f.symbolName)' is not code", section: s.name, offset: UInt64(o))
                }
                records.append(ExportRecord(metadata: try externMetadata(at: mloc), function: floc))
                o += 1 + 2 * ptr
            }
        }
        return records
    }

    /// The largest value in `.polkavm_min_stack_size`, if any.
    func declaredMinimumStackSize() -> UInt32 {
        var value: UInt32 = 0
        for s in sections where s.kind == .minStackSize {
            var o = 0
            while o + 4 <= s.data.count { value = max(value, UInt32(s.data.readLE(o, 4)!)); o += 4 }
        }
        return value
    }
}

/// Assigns `ecalli` numbers to the used imports (upstream-format §7.3).
func numberImports(_ used: [Location: ExternMetadata]) throws(LinkerError) -> (symbols: [[UInt8]], index: [Location: UInt32]) {
    var bySymbol: [[UInt8]: ExternMetadata] = [:]
    for (_, m) in used {
        if let existing = bySymbol[m.symbol], existing != m {
            throw LinkerError(.invalidMetadata, "import '\(String(decoding: m.symbol, as: UTF8.self))' is declared with different prototypes")
        }
        bySymbol[m.symbol] = m
    }
    let withIndex = bySymbol.values.filter { $0.index != nil }.count
    var symbols: [[UInt8]] = []
    var numberOf: [[UInt8]: UInt32] = [:]
    if withIndex == 0 {
        symbols = bySymbol.keys.sorted { $0.lexicographicallyPrecedes($1) }
        for (i, s) in symbols.enumerated() { numberOf[s] = UInt32(i) }
    } else {
        guard withIndex == bySymbol.count else {
            throw LinkerError(.invalidMetadata, "some imports have an explicit index and some do not")
        }
        let maxIndex = bySymbol.values.map { $0.index! }.max() ?? 0
        guard maxIndex < 1024 else { throw LinkerError(.invalidMetadata, "import index \(maxIndex) is too large (max 1023)") }
        symbols = Array(repeating: [], count: Int(maxIndex) + 1)
        var taken: Set<UInt32> = []
        for (sym, m) in bySymbol {
            guard taken.insert(m.index!).inserted else {
                throw LinkerError(.invalidMetadata, "two imports use index \(m.index!)")
            }
            symbols[Int(m.index!)] = sym
            numberOf[sym] = m.index!
        }
    }
    guard symbols.count <= 1024 else { throw LinkerError(.invalidMetadata, "too many imports (\(symbols.count) > 1024)") }
    var index: [Location: UInt32] = [:]
    for (loc, m) in used { index[loc] = numberOf[m.symbol]! }
    return (symbols, index)
}
