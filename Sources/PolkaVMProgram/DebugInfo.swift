// Reading the optional debug sections of a program blob: debug strings (id 128), line programs (129)
// and line program ranges (130), in upstream's format (docs/SPEC.md, "Debug sections").
//
// A range record `{pc_begin, pc_end, offset}` (12 bytes, little-endian) names the line program that
// describes the code in `[pc_begin, pc_end)`. A line program is a byte-coded state machine over a stack
// of up to 16 frames; every "finish" opcode yields a ``DebugRegion`` — a range of code bytes and the
// frames (outermost first) in effect for it. Nothing here is needed to run a program; malformed input
// gives a ``DebugInfoError``, never a crash.

/// What a frame of a ``DebugRegion`` stands for (upstream's `FrameKind`).
public enum DebugFrameKind: Sendable, Hashable {
    /// A function entered here (its name and, optionally, where it is declared).
    case enter
    /// An inlined call: the location of the call site.
    case call
    /// The source line the code comes from.
    case line
}

/// One frame of the inline stack at a code offset; absent fields are `nil`.
public struct DebugFrame: Sendable, Hashable {
    /// The frame's kind (frames whose kind was never set count as ``DebugFrameKind/line``, as upstream).
    public var kind: DebugFrameKind
    /// The namespace (e.g. a Rust module path), if any.
    public var namespace: String?
    /// The function name without its namespace, if any.
    public var functionName: String?
    /// The source file path, if any.
    public var path: String?
    /// The 1-based source line, if known.
    public var line: UInt32?
    /// The 1-based source column, if known.
    public var column: UInt32?

    /// Creates a frame.
    public init(kind: DebugFrameKind, namespace: String? = nil, functionName: String? = nil, path: String? = nil,
                line: UInt32? = nil, column: UInt32? = nil) {
        self.kind = kind
        self.namespace = namespace
        self.functionName = functionName
        self.path = path
        self.line = line
        self.column = column
    }

    /// `namespace::functionName`, or just the function name; `nil` without a function name.
    public var fullName: String? {
        guard let functionName else { return nil }
        if let namespace { return namespace + "::" + functionName }
        return functionName
    }

    /// `path`, `path:line` or `path:line:column`; `nil` without a path.
    public var location: String? {
        guard let path else { return nil }
        guard let line else { return path }
        guard let column else { return "\(path):\(line)" }
        return "\(path):\(line):\(column)"
    }
}

/// A range of code bytes and the frames in effect for it, outermost first.
public struct DebugRegion: Sendable, Hashable {
    /// The code offsets covered.
    public var range: Range<UInt32>
    /// The frames, outermost first (at most 16).
    public var frames: [DebugFrame]
    /// The index of the range record whose line program produced the region.
    public var programIndex: Int

    /// Creates a region.
    public init(range: Range<UInt32>, frames: [DebugFrame], programIndex: Int) {
        self.range = range
        self.frames = frames
        self.programIndex = programIndex
    }

    /// The innermost frame with a path (the most precise source location), if any.
    public var sourceFrame: DebugFrame? { frames.last { $0.path != nil } }

    /// The innermost frame with a function name, if any.
    public var functionFrame: DebugFrame? { frames.last { $0.functionName != nil } }
}

/// Why the debug sections could not be read.
public struct DebugInfoError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public enum Kind: Sendable, Hashable {
        /// The line programs section does not start with version byte 1.
        case unsupportedVersion(UInt8)
        /// The ranges section's length is not a multiple of 12.
        case rangesLengthNotMultipleOf12(Int)
        /// Range record `index` ends before it begins, or begins before the previous record ends.
        case rangesNotSorted(index: Int)
        /// A range record's program offset lies outside the line programs section.
        case programOffsetOutOfBounds(UInt32)
        /// A line program ran past the end of its section.
        case truncated
        /// A varint operand is malformed or truncated.
        case malformedVarint
        /// An opcode that is not 0...19.
        case unknownOpcode(UInt8)
        /// More than 512 opcodes before a region was finished.
        case tooManyOpcodes
        /// A region's end does not fit in 32 bits.
        case programCounterOverflow
        /// A string offset lies outside the debug strings section, or its length runs past the end.
        case stringOutOfBounds(UInt32)
        /// A debug string is not valid UTF-8.
        case invalidUTF8(UInt32)
    }

    /// What is wrong.
    public var kind: Kind
    /// The section being read.
    public var section: ProgramSection
    /// The byte offset inside ``section``, if known.
    public var offset: Int?

    /// Creates an error.
    public init(_ kind: Kind, section: ProgramSection, offset: Int? = nil) {
        self.kind = kind
        self.section = section
        self.offset = offset
    }

    /// A one-line explanation.
    public var description: String {
        var text: String
        switch kind {
        case .unsupportedVersion(let v): text = "unsupported line program version \(v) (known: 1)"
        case .rangesLengthNotMultipleOf12(let n): text = "the ranges section is \(n) bytes long, not a multiple of 12"
        case .rangesNotSorted(let i): text = "range record \(i) ends before it begins, or begins before the previous record ends"
        case .programOffsetOutOfBounds(let o): text = "line program offset \(o) is outside the line programs section"
        case .truncated: text = "a line program runs past the end of its section"
        case .malformedVarint: text = "malformed varint"
        case .unknownOpcode(let op): text = "unknown line program opcode \(op)"
        case .tooManyOpcodes: text = "more than \(ProgramDebugInfo.maximumOpcodesPerRegion) opcodes in one region"
        case .programCounterOverflow: text = "a region ends past the 32-bit code offset range"
        case .stringOutOfBounds(let o): text = "debug string offset \(o) is out of bounds"
        case .invalidUTF8(let o): text = "debug string at offset \(o) is not valid UTF-8"
        }
        text += " (section: \(section.rawValue)"
        if let offset { text += ", offset \(offset)" }
        return text + ")"
    }
}

/// The debug sections of a program blob, checked for their framing (version byte, record size and order);
/// line programs and strings are decoded on demand.
public struct ProgramDebugInfo: Sendable, Hashable {
    /// Section ids.
    public static let stringsSectionID: UInt8 = 128, lineProgramsSectionID: UInt8 = 129, rangesSectionID: UInt8 = 130
    /// The line program format version.
    public static let lineProgramVersion: UInt8 = 1
    /// The frame stack depth (deeper frames are ignored, as upstream does).
    public static let maximumFrames = 16
    /// The most opcodes a line program may use for one region (upstream's limit).
    public static let maximumOpcodesPerRegion = 512

    /// The debug strings section (128).
    public let strings: [UInt8]
    /// The line programs section (129).
    public let linePrograms: [UInt8]
    /// The line program ranges section (130).
    public let ranges: [UInt8]

    /// Picks the debug sections of `blob` the way upstream's reader does (128, 129, 130 in this order, each
    /// optional, directly after the code section; later copies are unknown sections) and checks them.
    public init(blob: ProgramBlob) throws(DebugInfoError) {
        var found: [UInt8: [UInt8]] = [:]
        var index = 0
        for id in [Self.stringsSectionID, Self.lineProgramsSectionID, Self.rangesSectionID] {
            if index < blob.customSections.count, blob.customSections[index].id == id {
                found[id] = blob.customSections[index].payload
                index += 1
            }
        }
        try self.init(strings: found[Self.stringsSectionID] ?? [], linePrograms: found[Self.lineProgramsSectionID] ?? [],
                      ranges: found[Self.rangesSectionID] ?? [])
    }

    /// Wraps raw section payloads and checks them: the ranges must be 12-byte records, each non-reversed
    /// and not before the previous one, pointing inside the line programs, which start with version 1.
    /// Missing line programs or ranges mean "no debug information" (``isEmpty``).
    public init(strings: [UInt8], linePrograms: [UInt8], ranges: [UInt8]) throws(DebugInfoError) {
        self.strings = strings
        self.linePrograms = linePrograms
        self.ranges = ranges
        guard !isEmpty else { return }
        guard linePrograms[0] == Self.lineProgramVersion else {
            throw DebugInfoError(.unsupportedVersion(linePrograms[0]), section: .debugLinePrograms, offset: 0)
        }
        guard ranges.count % 12 == 0 else {
            throw DebugInfoError(.rangesLengthNotMultipleOf12(ranges.count), section: .debugLineProgramRanges)
        }
        var previousEnd: UInt32 = 0
        for i in 0..<rangeCount {
            let r = record(i)
            guard r.begin <= r.end, r.begin >= previousEnd else {
                throw DebugInfoError(.rangesNotSorted(index: i), section: .debugLineProgramRanges, offset: 12 * i)
            }
            guard Int(r.offset) < linePrograms.count else {
                throw DebugInfoError(.programOffsetOutOfBounds(r.offset), section: .debugLineProgramRanges, offset: 12 * i + 8)
            }
            previousEnd = r.end
        }
    }

    /// Whether there is no line information (no ranges or no line programs).
    public var isEmpty: Bool { ranges.isEmpty || linePrograms.isEmpty }

    /// The number of range records (one line program each).
    public var rangeCount: Int { isEmpty ? 0 : ranges.count / 12 }

    /// Range record `index`: the code it covers and the offset of its line program.
    public func range(at index: Int) -> (pc: Range<UInt32>, programOffset: UInt32) {
        let r = record(index)
        return (r.begin..<r.end, r.offset)
    }

    private func record(_ i: Int) -> (begin: UInt32, end: UInt32, offset: UInt32) {
        func u32(_ at: Int) -> UInt32 {
            UInt32(ranges[at]) | UInt32(ranges[at + 1]) << 8 | UInt32(ranges[at + 2]) << 16 | UInt32(ranges[at + 3]) << 24
        }
        return (u32(12 * i), u32(12 * i + 4), u32(12 * i + 8))
    }

    /// The index of the range record covering `pc`, if any.
    public func rangeIndex(containing pc: UInt32) -> Int? {
        var low = 0, high = rangeCount
        while low < high {
            let mid = (low + high) / 2
            if record(mid).end <= pc { low = mid + 1 } else { high = mid }
        }
        guard low < rangeCount else { return nil }
        let r = record(low)
        return r.begin <= pc && pc < r.end ? low : nil
    }

    /// The string whose length prefix is at `offset` in the debug strings section.
    public func string(at offset: UInt32) throws(DebugInfoError) -> String {
        let start = Int(offset)
        if offset == 0 && strings.isEmpty { return "" }  // no strings at all: the empty string
        guard start < strings.count, let (length, size) = Varint.read(strings, at: start),
              Int(length) <= strings.count - start - size else {
            throw DebugInfoError(.stringOutOfBounds(offset), section: .debugStrings, offset: start)
        }
        let bytes = strings[(start + size)..<(start + size + Int(length))]
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.utf8.elementsEqual(bytes) else {
            throw DebugInfoError(.invalidUTF8(offset), section: .debugStrings, offset: start)
        }
        return text
    }

    /// A runner for the line program of range record `index` (`0..<rangeCount`).
    public func lineProgram(at index: Int) -> DebugLineProgram {
        DebugLineProgram(info: self, index: index)
    }

    /// The frames (outermost first) at code offset `pc`: those of the first region containing `pc` in the
    /// line program whose range covers it; empty when nothing covers `pc`.
    public func frames(at pc: UInt32) throws(DebugInfoError) -> [DebugFrame] {
        guard let index = rangeIndex(containing: pc) else { return [] }
        var program = lineProgram(at: index)
        while let region = try program.next() {
            if region.range.contains(pc) { return region.frames }
        }
        return []
    }

    /// The non-empty regions of `blob`'s line programs, in range-record order; empty when the blob has no
    /// debug sections or they cannot be read (debug information is optional, so tools show what there is).
    public static func regionsIfReadable(in blob: ProgramBlob) -> [DebugRegion] {
        guard let info = try? ProgramDebugInfo(blob: blob), let all = try? info.regions() else { return [] }
        return all.filter { !$0.range.isEmpty }
    }

    /// Every region of every line program, in range-record order.
    public func regions() throws(DebugInfoError) -> [DebugRegion] {
        var out: [DebugRegion] = []
        for i in 0..<rangeCount {
            var program = lineProgram(at: i)
            while let region = try program.next() { out.append(region) }
        }
        return out
    }
}

/// Runs one line program, yielding its regions in order. Every region takes at least one byte of the
/// program, so a program yields at most as many regions as its section has bytes.
public struct DebugLineProgram: Sendable {
    private struct RawFrame: Sendable {
        var kind: DebugFrameKind?
        var namespace: UInt32 = 0, functionName: UInt32 = 0, path: UInt32 = 0
        var line: UInt32 = 0, column: UInt32 = 0
    }

    private let info: ProgramDebugInfo
    /// The range record this program belongs to.
    public let index: Int
    private var position: Int
    private var pc: UInt32
    private var stack = [RawFrame](repeating: RawFrame(), count: ProgramDebugInfo.maximumFrames)
    private var stackDepth: UInt32 = 0
    private var mutationDepth: UInt32 = 0
    private var finished = false

    init(info: ProgramDebugInfo, index: Int) {
        self.info = info
        self.index = index
        let record = info.range(at: index)
        position = Int(record.programOffset)
        pc = record.pc.lowerBound
    }

    private func fail(_ kind: DebugInfoError.Kind, at offset: Int) -> DebugInfoError {
        DebugInfoError(kind, section: .debugLinePrograms, offset: offset)
    }

    private mutating func varint() throws(DebugInfoError) -> UInt32 {
        guard let (value, length) = Varint.read(info.linePrograms, at: position) else {
            throw fail(.malformedVarint, at: position)
        }
        position += length
        return value
    }

    private mutating func mutate(_ body: (inout RawFrame) -> Void) {
        if Int(mutationDepth) < stack.count { body(&stack[Int(mutationDepth)]) }
    }

    /// The next region, or `nil` at the end of the program. After an error the program is finished.
    public mutating func next() throws(DebugInfoError) -> DebugRegion? {
        guard !finished else { return nil }
        finished = true  // until a region is produced
        let bytes = info.linePrograms
        for _ in 0..<ProgramDebugInfo.maximumOpcodesPerRegion {
            guard position < bytes.count else { throw fail(.truncated, at: position) }
            let opcodeOffset = position
            let opcode = bytes[position]
            position += 1
            var count: UInt32
            var depth = stackDepth
            switch opcode {
            case 0: return nil
            case 1: mutationDepth = try varint(); continue
            case 2: mutate { $0.kind = .enter }; continue
            case 3: mutate { $0.kind = .call }; continue
            case 4: mutate { $0.kind = .line }; continue
            case 5: let v = try varint(); mutate { $0.namespace = v }; continue
            case 6: let v = try varint(); mutate { $0.functionName = v }; continue
            case 7: let v = try varint(); mutate { $0.path = v }; continue
            case 8: let v = try varint(); mutate { $0.line = v }; continue
            case 9: let v = try varint(); mutate { $0.column = v }; continue
            case 10: stackDepth = try varint(); continue
            case 11: mutate { $0.line &+= 1 }; continue
            case 12: let v = try varint(); mutate { $0.line &+= v }; continue
            case 13: let v = try varint(); mutate { $0.line &-= v }; continue
            case 14: count = 1
            case 15: count = try varint()
            case 16: count = 1; depth = stackDepth; stackDepth = stackDepth == .max ? .max : stackDepth + 1
            case 17: count = try varint(); depth = stackDepth; stackDepth = stackDepth == .max ? .max : stackDepth + 1
            case 18: count = 1; depth = stackDepth; stackDepth = stackDepth == 0 ? 0 : stackDepth - 1
            case 19: count = try varint(); depth = stackDepth; stackDepth = stackDepth == 0 ? 0 : stackDepth - 1
            default: throw fail(.unknownOpcode(opcode), at: opcodeOffset)
            }
            let (end, overflow) = pc.addingReportingOverflow(count)
            guard !overflow else { throw fail(.programCounterOverflow, at: opcodeOffset) }
            let frameCount = min(Int(depth), stack.count)
            var frames: [DebugFrame] = []
            frames.reserveCapacity(frameCount)
            for raw in stack[0..<frameCount] {
                frames.append(try resolve(raw))
            }
            let region = DebugRegion(range: pc..<end, frames: frames, programIndex: index)
            pc = end
            finished = false
            return region
        }
        throw fail(.tooManyOpcodes, at: position)
    }

    private func resolve(_ raw: RawFrame) throws(DebugInfoError) -> DebugFrame {
        func text(_ offset: UInt32) throws(DebugInfoError) -> String? {
            let s = try info.string(at: offset)
            return s.isEmpty ? nil : s
        }
        return DebugFrame(kind: raw.kind ?? .line, namespace: try text(raw.namespace), functionName: try text(raw.functionName),
                          path: try text(raw.path), line: raw.line == 0 ? nil : raw.line, column: raw.column == 0 ? nil : raw.column)
    }
}
