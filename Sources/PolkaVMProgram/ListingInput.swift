extension Assembler {
    /// Whether `text` looks like a disassembler listing (block lines of the form `      : @3 ...`).
    static func isListing(_ text: String) -> Bool {
        text.split(separator: "\n", omittingEmptySubsequences: true).contains { line in
            blockLineRest(line.drop { $0 == " " || $0 == "\t" }) != nil
        }
    }

    /// For a listing's block line (`: @N ...` with offsets, `@N ...` without), the text from the `@` on.
    /// Assembler labels (`@name:`) are not block lines.
    private static func blockLineRest(_ line: Substring) -> Substring? {
        if line.hasPrefix(":") {
            let rest = line.dropFirst().drop { $0 == " " }
            return rest.hasPrefix("@") ? rest : nil
        }
        guard line.hasPrefix("@") else { return nil }
        let afterName = line.dropFirst().drop { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "$" }
        if afterName.isEmpty || afterName.hasPrefix(" [") || afterName.hasPrefix(" (") { return line }
        return nil
    }

    /// Turns a disassembler listing (the default output of `polkavm disasm`) into assembler source, so
    /// that disassembling and reassembling gives the same code: `offset: text` lines lose their offset,
    /// block lines `: @N [@dyn K] [export #i: 'name'] (gas: G)` (or `@N ...` in listings without offsets)
    /// become the label `@N:` (plus `pub @name:`
    /// for an export), and header comments stay comments. The header's data and stack sizes are turned
    /// back into directives.
    static func sourceFromListing(_ text: String) -> String { listingSource(text).source }

    /// A listing turned into assembler source, with what the listing says beyond the text: the code
    /// offset printed before each instruction (keyed by 1-based output line) and the jump table entries
    /// from `[@dyn K]` annotations (entry K, 1-based, -> block label).
    struct ListingSource {
        var source: String
        var offsets: [Int: UInt32]
        var jumpTable: [(entry: Int, label: String)]
    }

    static func listingSource(_ text: String) -> ListingSource {
        var out: [String] = []
        var offsets: [Int: UInt32] = [:]
        var jumpTable: [(entry: Int, label: String)] = []
        var lineCount = 0
        func emit(_ text: String) {
            out.append(text)
            lineCount += text.split(separator: "\n", omittingEmptySubsequences: false).count
        }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.drop { $0 == " " || $0 == "\t" }
            if let rest = blockLineRest(line) {
                let name = rest.dropFirst().prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "$" }
                var labels = ["@\(name):"]
                if let dyn = rest.endOfFirstOccurrence(of: "[@dyn ") {
                    let digits = rest[dyn...].prefix { $0.isNumber }
                    if let k = Int(digits) { jumpTable.append((k, String(name))) }
                }
                var search = rest[...]
                while let upper = search.endOfFirstOccurrence(of: "[export #") {
                    let after = search[upper...]
                    if let q1 = after.firstIndex(of: "'"), let q2 = after[after.index(after: q1)...].firstIndex(of: "'") {
                        labels.append("pub @\(after[after.index(after: q1)..<q2]):")
                        search = after[q2...]
                    } else {
                        break
                    }
                }
                emit(labels.joined(separator: "\n"))
                continue
            }
            // `  12: text` -> `text`
            let digits = line.prefix { $0.isNumber }
            if !digits.isEmpty, line.dropFirst(digits.count).hasPrefix(":") {
                if let offset = UInt32(digits) { offsets[lineCount + 1] = offset }
                emit(String(line.dropFirst(digits.count + 1)))
                continue
            }
            if line.hasPrefix("// RO data = ") || line.hasPrefix("// RW data = ") || line.hasPrefix("// Stack size = ") {
                emit(String(raw))
                if let directive = headerDirective(String(line)) { emit(directive) }
                continue
            }
            emit(String(raw))
        }
        return ListingSource(source: out.joined(separator: "\n"), offsets: offsets, jumpTable: jumpTable)
    }

    /// `// RO data = 4/4096 bytes` -> `%ro_data_size = 4096`; `// Stack size = 8192 bytes` -> `%stack_size = 8192`.
    private static func headerDirective(_ line: String) -> String? {
        let value = line.split(separator: "=").last?.trimmingCharacters(in: " bytes")
        guard let value else { return nil }
        let size = value.split(separator: "/").last.map(String.init) ?? value
        guard UInt32(size) != nil else { return nil }
        if line.hasPrefix("// RO data") { return "%ro_data_size = \(size)" }
        if line.hasPrefix("// RW data") { return "%rw_data_size = \(size)" }
        return "%stack_size = \(size)"
    }
}

private extension Substring {
    /// The index just past the first occurrence of `needle`, if any.
    func endOfFirstOccurrence(of needle: String) -> Substring.Index? {
        var i = startIndex
        while i < endIndex {
            if self[i...].hasPrefix(needle) { return index(i, offsetBy: needle.count) }
            i = index(after: i)
        }
        return nil
    }

    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        return String(drop { chars.contains($0) }.reversed().drop { chars.contains($0) }.reversed())
    }
}
