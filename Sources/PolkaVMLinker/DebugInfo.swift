import PolkaVMProgram

/// Writes the optional debug sections: debug strings (128), line programs (129) and their ranges (130).
///
/// Every emitted instruction knows the input instruction it came from; its frames are, as upstream's
/// linker writes them, an `enter` frame naming the function (the function symbol containing the input
/// instruction), a `call` frame per inlined call containing it (callee and call site, outermost first)
/// and, when the DWARF line table has a line for that instruction, a `line` frame with the innermost
/// function name, file path, line and column. Consecutive instructions of one function share a range record.
enum DebugSections {
    static func sections(program: InputProgram, lines: SourceLines, sources: [Location?], offsets: [UInt32], codeLength: UInt32) -> [CustomSection] {
        // Function symbols per section, sorted by offset, with their ends.
        var functions: [Int: [(start: Int64, end: Int64, name: String)]] = [:]
        let symbols = program.symbols.filter { $0.isFunction && program.sections[$0.location.section].kind == .code }
        for (i, f) in symbols.enumerated() {
            var end = Int64(program.sections[f.location.section].size)
            if f.size > 0 { end = f.location.offset + f.size }
            else if i + 1 < symbols.count, symbols[i + 1].location.section == f.location.section { end = symbols[i + 1].location.offset }
            functions[f.location.section, default: []].append((f.location.offset, end, f.name))
        }
        func function(at loc: Location) -> String? {
            guard let list = functions[loc.section] else { return nil }
            // The last symbol starting at or before the offset whose extent covers it (nested or overlapping
            // symbols: the innermost); equal starts keep the first symbol.
            var low = 0, high = list.count
            while low < high {
                let mid = (low + high) / 2
                if list[mid].start <= loc.offset { low = mid + 1 } else { high = mid }
            }
            var k = low - 1
            while k >= 0 && k >= low - 8 {  // a bounded look back: symbols rarely nest deeply
                if loc.offset < list[k].end {
                    var first = k
                    while first > 0 && list[first - 1].start == list[k].start { first -= 1 }
                    return list[first].name
                }
                k -= 1
            }
            return nil
        }

        var builder = DebugInfoBuilder()
        var cache: (Location, [DebugFrame])?
        for (i, source) in sources.enumerated() {
            guard let source else { continue }
            let begin = offsets[i]
            let end = i + 1 < offsets.count ? offsets[i + 1] : codeLength
            let frames: [DebugFrame]
            if let cache, cache.0 == source {
                frames = cache.1
            } else {
                let name = function(at: source)
                var list: [DebugFrame] = []
                if let name { list.append(DebugFrame(kind: .enter, functionName: name)) }
                let calls = lines.inlines.stack(section: source.section, offset: Int(source.offset))
                for call in calls {
                    list.append(DebugFrame(kind: .call, functionName: call.function, path: call.path,
                                           line: call.line == 0 ? nil : call.line, column: call.column == 0 ? nil : call.column))
                }
                if let line = lines.lookup(section: source.section, offset: Int(source.offset)) {
                    let function = calls.isEmpty ? name : calls[calls.count - 1].function
                    list.append(DebugFrame(kind: .line, functionName: function, path: line.path, line: line.line,
                                           column: line.column == 0 ? nil : line.column))
                }
                frames = list
                cache = (source, list)
            }
            builder.add(begin..<end, frames: frames)
        }
        return builder.sections()
    }
}
