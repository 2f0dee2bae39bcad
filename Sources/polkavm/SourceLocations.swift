import PolkaVMProgram

/// Source locations of code offsets, from a blob's debug sections (empty when it has none or they are
/// malformed: debug information never stops a run).
struct SourceLocations {
    private let regions: [DebugRegion]

    init(blob: ProgramBlob?) {
        regions = blob.map { ProgramDebugInfo.regionsIfReadable(in: $0) } ?? []
    }

    /// The frames (outermost first) at `pc`; empty if unknown.
    func frames(at pc: UInt32) -> [DebugFrame] {
        var low = 0, high = regions.count
        while low < high {
            let mid = (low + high) / 2
            if regions[mid].range.upperBound <= pc { low = mid + 1 } else { high = mid }
        }
        guard low < regions.count, regions[low].range.contains(pc) else { return [] }
        return regions[low].frames
    }

    /// `path:line:column (function)` for `pc`, if known.
    func note(at pc: UInt32) -> String? { Disassembler.sourceNote(frames(at: pc)) }

    /// Lines describing `pc` for an error report: the innermost location first, then, for code inlined
    /// into other functions, each call site (innermost first): `inlined into CALLER at path:line:column`.
    func report(at pc: UInt32) -> [String] {
        let frames = frames(at: pc)
        guard let note = Disassembler.sourceNote(frames) else { return [] }
        var lines = ["at \(note)"]
        // A call frame names the inlined function and its call site, which lies in the frame above.
        for i in frames.indices.reversed() where frames[i].kind == .call {
            let caller = i > 0 ? frames[i - 1].fullName ?? "?" : "?"
            lines.append("  inlined into \(caller) at \(frames[i].location ?? "?")")
        }
        return lines
    }
}
