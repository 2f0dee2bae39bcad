import PolkaVMProgram

/// Writes the optional debug sections: debug strings (128), line programs (129) and their ranges (130).
/// Each live function symbol gets one region carrying a single frame with its name (no file/line data).
enum DebugInfo {
    static func sections(program: InputProgram, code: CodeBlocks, liveBlocks: [Int], pc: (Int) -> UInt32, codeLength: UInt32) -> [CustomSection] {
        // Emitted pc range of each live block.
        var range: [Int: (UInt32, UInt32)] = [:]
        for (k, b) in liveBlocks.enumerated() {
            let end = k + 1 < liveBlocks.count ? pc(liveBlocks[k + 1]) : codeLength
            range[b] = (pc(b), end)
        }
        let functions = program.symbols.filter { $0.isFunction && program.sections[$0.location.section].kind == .code }
        var regions: [(begin: UInt32, end: UInt32, name: String)] = []
        for (i, f) in functions.enumerated() {
            var symEnd = Int64(program.sections[f.location.section].size)
            if f.size > 0 { symEnd = f.location.offset + f.size }
            else if i + 1 < functions.count, functions[i + 1].location.section == f.location.section { symEnd = functions[i + 1].location.offset }
            var begin: UInt32? = nil, end: UInt32 = 0
            for b in code.blocks where b.section == f.location.section && Int64(b.start) >= f.location.offset && Int64(b.start) < symEnd {
                guard let r = range[b.id] else { continue }
                if begin == nil { begin = r.0 }
                end = max(end, r.1)
            }
            if let begin, end > begin { regions.append((begin, end, f.name)) }
        }
        regions.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var strings: [UInt8] = [0]
        var stringOffset: [String: UInt32] = ["": 0]
        var programs: [UInt8] = [1]
        var ranges: [UInt8] = []
        var lastEnd: UInt32 = 0
        for r in regions where r.begin >= lastEnd {
            let nameOffset: UInt32
            if let o = stringOffset[r.name] { nameOffset = o } else {
                nameOffset = UInt32(strings.count)
                stringOffset[r.name] = nameOffset
                let utf8 = Array(r.name.utf8)
                Varint.write(UInt32(utf8.count), to: &strings)
                strings.append(contentsOf: utf8)
            }
            let programOffset = UInt32(programs.count)
            programs.append(10); Varint.write(1, to: &programs)        // stack depth 1
            programs.append(2)                                         // frame kind: enter
            programs.append(6); Varint.write(nameOffset, to: &programs) // function name
            programs.append(15); Varint.write(r.end - r.begin, to: &programs) // finish N code bytes
            programs.append(0)
            for v in [r.begin, r.end, programOffset] {
                for k in 0..<4 { ranges.append(UInt8(truncatingIfNeeded: v >> UInt32(8 * k))) }
            }
            lastEnd = r.end
        }
        if ranges.isEmpty { return [] }
        return [CustomSection(id: 128, payload: strings), CustomSection(id: 129, payload: programs), CustomSection(id: 130, payload: ranges)]
    }
}
