/// Writes the debug sections (strings 128, line programs 129, ranges 130) that ``ProgramDebugInfo`` reads.
///
/// Give it the frames of each instruction in increasing code order with ``add(_:frames:)``. Consecutive
/// instructions whose outermost frame names the same function (namespace, name and path) share one range
/// record and line program; inside it, only the fields that change from one instruction to the next are
/// written, and instruction lengths are summed into "finish N bytes" opcodes, as upstream's linker does.
/// The output depends only on the calls made.
public struct DebugInfoBuilder: Sendable {
    private struct Span {
        var range: Range<UInt32>
        var frames: [DebugFrame]
    }

    private var groups: [[Span]] = []

    /// Creates an empty builder.
    public init() {}

    /// Records that the code in `range` comes from `frames` (outermost first; more than 16 keep the
    /// outermost 15 and the innermost). Ranges must be added in increasing order without overlap; an
    /// empty frame list or an empty range is skipped.
    public mutating func add(_ range: Range<UInt32>, frames: [DebugFrame]) {
        guard !frames.isEmpty, !range.isEmpty else { return }
        var frames = frames
        if frames.count > ProgramDebugInfo.maximumFrames {
            frames = Array(frames.prefix(ProgramDebugInfo.maximumFrames - 1)) + [frames[frames.count - 1]]
        }
        if let last = groups.last?.last, last.range.upperBound == range.lowerBound, Self.sameGroup(last.frames[0], frames[0]) {
            groups[groups.count - 1].append(Span(range: range, frames: frames))
        } else {
            groups.append([Span(range: range, frames: frames)])
        }
    }

    private static func sameGroup(_ a: DebugFrame, _ b: DebugFrame) -> Bool {
        a.namespace == b.namespace && a.functionName == b.functionName && a.path == b.path
    }

    /// Whether nothing was added.
    public var isEmpty: Bool { groups.isEmpty }

    /// The three sections (ids 128, 129, 130), or none if nothing was added.
    public func sections() -> [CustomSection] {
        guard !groups.isEmpty else { return [] }
        var strings: [UInt8] = []
        var stringOffsets: [String: UInt32] = [:]
        func string(_ s: String?) -> UInt32 {
            let s = s ?? ""
            if let offset = stringOffsets[s] { return offset }
            let offset = UInt32(strings.count)
            stringOffsets[s] = offset
            let utf8 = Array(s.utf8)
            Varint.write(UInt32(utf8.count), to: &strings)
            strings += utf8
            return offset
        }
        _ = string("")
        var programs: [UInt8] = [ProgramDebugInfo.lineProgramVersion]
        var ranges: [UInt8] = []
        for group in groups {
            let programOffset = UInt32(programs.count)
            var writer = Writer()
            for (k, span) in group.enumerated() {
                // The last span keeps its depth: a plain "finish" ends the program.
                let nextDepth = k + 1 < group.count ? group[k + 1].frames.count : span.frames.count
                writer.instruction(span.frames, length: span.range.upperBound - span.range.lowerBound, nextDepth: nextDepth,
                                   string: string, into: &programs)
            }
            writer.flush(into: &programs)
            programs.append(0)
            for v in [group[0].range.lowerBound, group[group.count - 1].range.upperBound, programOffset] {
                for k in 0..<4 { ranges.append(UInt8(truncatingIfNeeded: v >> UInt32(8 * k))) }
            }
        }
        return [
            CustomSection(id: ProgramDebugInfo.stringsSectionID, payload: strings),
            CustomSection(id: ProgramDebugInfo.lineProgramsSectionID, payload: programs),
            CustomSection(id: ProgramDebugInfo.rangesSectionID, payload: ranges),
        ]
    }

    /// The encoder state of one line program.
    private struct Writer {
        var stack: [DebugFrame?] = []
        var stackDepth = 0
        var mutationDepth = 0
        var queued: UInt32 = 0

        mutating func flush(into out: inout [UInt8]) {
            if queued == 0 { return }
            if queued == 1 { out.append(14) } else { out.append(15); Varint.write(queued, to: &out) }
            queued = 0
        }

        mutating func instruction(_ frames: [DebugFrame], length: UInt32, nextDepth: Int,
                                  string: (String?) -> UInt32, into out: inout [UInt8]) {
            if stackDepth != frames.count {
                flush(into: &out)
                out.append(10); Varint.write(UInt32(frames.count), to: &out)
                stackDepth = frames.count
            }
            while stack.count < frames.count { stack.append(nil) }
            for (depth, frame) in frames.enumerated() {
                let old = stack[depth]
                func select(_ out: inout [UInt8]) {
                    flush(into: &out)
                    if mutationDepth != depth {
                        out.append(1); Varint.write(UInt32(depth), to: &out)
                        mutationDepth = depth
                    }
                }
                if old?.kind != frame.kind {
                    select(&out)
                    out.append(frame.kind == .enter ? 2 : frame.kind == .call ? 3 : 4)
                }
                // A slot never written holds empty strings and zeros, which `nil` fields stand for.
                if old?.namespace != frame.namespace {
                    select(&out); out.append(5); Varint.write(string(frame.namespace), to: &out)
                }
                if old?.functionName != frame.functionName {
                    select(&out); out.append(6); Varint.write(string(frame.functionName), to: &out)
                }
                if old?.path != frame.path {
                    select(&out); out.append(7); Varint.write(string(frame.path), to: &out)
                }
                let oldLine = old?.line ?? 0, newLine = frame.line ?? 0
                if oldLine != newLine {
                    select(&out)
                    if oldLine != 0 && newLine == oldLine &+ 1 { out.append(11) }
                    else if oldLine != 0 && newLine != 0 && newLine > oldLine { out.append(12); Varint.write(newLine - oldLine, to: &out) }
                    else if oldLine != 0 && newLine != 0 { out.append(13); Varint.write(oldLine - newLine, to: &out) }
                    else { out.append(8); Varint.write(newLine, to: &out) }
                }
                if (old?.column ?? 0) != (frame.column ?? 0) {
                    select(&out); out.append(9); Varint.write(frame.column ?? 0, to: &out)
                }
                stack[depth] = frame
            }
            queued &+= length
            if nextDepth == stackDepth + 1 || nextDepth + 1 == stackDepth {
                let down = nextDepth > stackDepth
                if queued == 1 { out.append(down ? 16 : 18) } else {
                    out.append(down ? 17 : 19); Varint.write(queued, to: &out)
                }
                queued = 0
                stackDepth = nextDepth
            }
        }
    }
}
