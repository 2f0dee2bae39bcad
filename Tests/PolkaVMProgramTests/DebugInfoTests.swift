import Testing

@testable import PolkaVMProgram

// MARK: - Helpers

/// Debug strings: `[varint len][bytes]` each; returns the payload and each string's offset.
private func strings(_ list: [String]) -> (payload: [UInt8], offsets: [String: UInt32]) {
    var out: [UInt8] = []
    var offsets: [String: UInt32] = [:]
    for s in list {
        offsets[s] = UInt32(out.count)
        Varint.write(UInt32(s.utf8.count), to: &out)
        out += Array(s.utf8)
    }
    return (out, offsets)
}

private func varint(_ v: UInt32) -> [UInt8] {
    var out: [UInt8] = []
    Varint.write(v, to: &out)
    return out
}

/// Range records `{begin, end, offset}`.
private func ranges(_ records: [(UInt32, UInt32, UInt32)]) -> [UInt8] {
    var out: [UInt8] = []
    for (a, b, c) in records {
        for v in [a, b, c] { for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> UInt32(8 * k))) } }
    }
    return out
}

private func debugError(_ body: () throws -> Void) -> DebugInfoError.Kind? {
    do {
        try body()
        return nil
    } catch let error as DebugInfoError {
        return error.kind
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

// MARK: - Tests

@Suite struct DebugInfoTests {
    /// Two functions: `main` (pc 0..<10: line 3 for 4 bytes, then line 4 col 7 for 6 bytes) and `f`
    /// (pc 10..<12, one `enter` frame and a `line` frame with an inlined `call` frame in between).
    static func sample() -> ProgramDebugInfo {
        let (s, o) = strings(["", "main", "a.c", "f", "g", "b.h"])
        var p: [UInt8] = [1]
        let first = UInt32(p.count)
        p += [10] + varint(2)                                   // stack depth 2
        p += [2, 6] + varint(o["main"]!)                         // frame 0: enter main
        p += [1] + varint(1) + [4, 6] + varint(o["main"]!)       // frame 1: line, main
        p += [7] + varint(o["a.c"]!) + [8] + varint(3)            // a.c:3
        p += [15] + varint(4)                                    // finish 4 bytes
        p += [11, 9] + varint(7)                                 // line 4, column 7
        p += [15] + varint(6) + [0]
        let second = UInt32(p.count)
        p += [10] + varint(3)
        p += [2, 6] + varint(o["f"]!)
        p += [1] + varint(1) + [3, 6] + varint(o["f"]!, ) + [7] + varint(o["a.c"]!) + [8] + varint(20)   // call site a.c:20
        p += [1] + varint(2) + [4, 6] + varint(o["g"]!) + [7] + varint(o["b.h"]!) + [8] + varint(5) + [9] + varint(2)
        p += [14, 14, 0]
        return try! ProgramDebugInfo(strings: s, linePrograms: p, ranges: ranges([(0, 10, first), (10, 12, second)]))
    }

    @Test func framesAtAPC() throws {
        let info = Self.sample()
        #expect(info.rangeCount == 2)
        let at2 = try info.frames(at: 2)
        #expect(at2 == [DebugFrame(kind: .enter, functionName: "main"), DebugFrame(kind: .line, functionName: "main", path: "a.c", line: 3)])
        let at4 = try info.frames(at: 4)
        #expect(at4.last?.location == "a.c:4:7")
        #expect(try info.frames(at: 9).last?.line == 4)
        let at11 = try info.frames(at: 11)
        #expect(at11.map(\.kind) == [.enter, .call, .line])
        #expect(at11[1].location == "a.c:20" && at11[1].functionName == "f")
        #expect(at11[2].location == "b.h:5:2" && at11[2].fullName == "g")
        #expect(try info.frames(at: 12).isEmpty)
        #expect(info.rangeIndex(containing: 9) == 0 && info.rangeIndex(containing: 10) == 1 && info.rangeIndex(containing: 99) == nil)
    }

    @Test func regionsInOrder() throws {
        let regions = try Self.sample().regions()
        #expect(regions.map(\.range) == [0..<4, 4..<10, 10..<11, 11..<12])
        #expect(regions.map(\.programIndex) == [0, 0, 1, 1])
        #expect(regions[1].sourceFrame?.location == "a.c:4:7" && regions[1].functionFrame?.functionName == "main")
        var program = Self.sample().lineProgram(at: 1)
        #expect(try program.next()?.range == 10..<11)
        #expect(try program.next()?.range == 11..<12)
        #expect(try program.next() == nil)
        #expect(try program.next() == nil)
    }

    @Test func emptyAndAbsentSections() throws {
        let blob = ProgramBlob(isa: .latest64, code: ProgramCode(uncheckedCode: [0], bitmask: [1], jumpTable: [], isa: .latest64))
        let info = try ProgramDebugInfo(blob: blob)
        #expect(info.isEmpty && info.rangeCount == 0)
        #expect(try info.frames(at: 0).isEmpty)
        #expect(try info.regions().isEmpty)
        // Ranges without programs: no information (upstream does the same).
        #expect(try ProgramDebugInfo(strings: [], linePrograms: [], ranges: ranges([(0, 1, 0)])).isEmpty)
    }

    /// Sections count only in upstream's order (128, 129, 130 directly after the code); others are unknown sections.
    @Test func sectionSelectionFollowsUpstream() throws {
        let sample = Self.sample()
        let code = ProgramCode(uncheckedCode: [0], bitmask: [1], jumpTable: [], isa: .latest64)
        let good = ProgramBlob(isa: .latest64, code: code, customSections: [
            CustomSection(id: 128, payload: sample.strings), CustomSection(id: 129, payload: sample.linePrograms),
            CustomSection(id: 130, payload: sample.ranges), CustomSection(id: 200, payload: [1, 2]),
        ])
        #expect(try ProgramDebugInfo(blob: good).rangeCount == 2)
        let parsed = try ProgramBlob(parsing: good.serialized())
        #expect(try ProgramDebugInfo(blob: parsed).frames(at: 11).count == 3)
        let shadowed = ProgramBlob(isa: .latest64, code: code, customSections: [
            CustomSection(id: 200, payload: []), CustomSection(id: 128, payload: sample.strings),
            CustomSection(id: 129, payload: sample.linePrograms), CustomSection(id: 130, payload: sample.ranges),
        ])
        #expect(try ProgramDebugInfo(blob: shadowed).isEmpty)
    }

    @Test func malformedFraming() {
        let p: [UInt8] = [1, 14, 0]
        #expect(debugError { _ = try ProgramDebugInfo(strings: [], linePrograms: [2, 0], ranges: ranges([(0, 1, 1)])) } == .unsupportedVersion(2))
        #expect(debugError { _ = try ProgramDebugInfo(strings: [], linePrograms: p, ranges: ranges([(0, 1, 1)]) + [0]) } == .rangesLengthNotMultipleOf12(13))
        #expect(debugError { _ = try ProgramDebugInfo(strings: [], linePrograms: p, ranges: ranges([(5, 4, 1)])) } == .rangesNotSorted(index: 0))
        #expect(debugError { _ = try ProgramDebugInfo(strings: [], linePrograms: p, ranges: ranges([(0, 4, 1), (2, 6, 1)])) } == .rangesNotSorted(index: 1))
        #expect(debugError { _ = try ProgramDebugInfo(strings: [], linePrograms: p, ranges: ranges([(0, 4, 3)])) } == .programOffsetOutOfBounds(3))
    }

    /// Malformed programs give typed errors at lookup, never a crash or an endless loop.
    @Test func malformedPrograms() throws {
        func kind(_ program: [UInt8], strings: [UInt8] = [0], pc: UInt32 = 0, end: UInt32 = 0x100) -> DebugInfoError.Kind? {
            debugError {
                let info = try ProgramDebugInfo(strings: strings, linePrograms: [1] + program, ranges: ranges([(0, end, 1)]))
                _ = try info.frames(at: pc)
                _ = try info.regions()
            }
        }
        #expect(kind([14]) == .truncated)                       // no finish-program opcode
        #expect(kind([]) == .programOffsetOutOfBounds(1))  // the offset is checked up front
        #expect(kind([20]) == .unknownOpcode(20))
        #expect(kind([255]) == .unknownOpcode(255))
        #expect(kind([15]) == .malformedVarint)                 // operand missing
        #expect(kind([15, 0xF8]) == .malformedVarint)           // five leading ones
        #expect(kind([15, 0xC0, 0x01]) == .malformedVarint)     // truncated varint
        #expect(kind(Array(repeating: 11, count: 600) + [14, 0]) == .tooManyOpcodes)
        #expect(kind(Array(repeating: 11, count: 500) + [14, 0]) == nil)  // under the limit
        #expect(kind([10, 1, 6, 9, 14, 0]) == .stringOutOfBounds(9))
        #expect(kind([10, 1, 6, 0, 14, 0], strings: [5, 0x61]) == .stringOutOfBounds(0))       // length past the end
        #expect(kind([10, 1, 6, 0, 14, 0], strings: [2, 0xC3, 0x28]) == .invalidUTF8(0))
        // A finish past 2^32 - 1.
        #expect(debugError {
            let info = try ProgramDebugInfo(strings: [0], linePrograms: [1, 15, 0xF0, 0xFF, 0xFF, 0xFF, 0xFF, 0], ranges: ranges([(0x10, 0x20, 1)]))
            _ = try info.regions()
        } == .programCounterOverflow)
        // Depths beyond 16 frames: mutations there are ignored, the region has 16 frames.
        let deep = try ProgramDebugInfo(strings: [0], linePrograms: [1, 10, 40, 1, 30, 8, 5, 1, 15, 8, 9, 14, 0], ranges: ranges([(0, 1, 1)]))
        let frames = try deep.frames(at: 0)
        #expect(frames.count == 16)
        #expect(frames[15].line == 9 && frames.dropLast().allSatisfy { $0.line == nil && $0.kind == .line })
    }

    /// The builder's output reads back to the same frames for every byte of code.
    @Test func builderRoundTrip() throws {
        var builder = DebugInfoBuilder()
        var expected: [UInt32: [DebugFrame]] = [:]
        var pc: UInt32 = 0
        var seed: UInt64 = 0x1234_5678
        func next(_ n: UInt64) -> UInt64 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return (seed >> 33) % n
        }
        let functions = ["main", "helper", "ns::deep"]
        for _ in 0..<400 {
            let length = UInt32(1 + next(9))
            if next(10) == 0 { pc += length; continue }  // a gap without information
            let function = functions[Int(next(3))]
            var frames = [DebugFrame(kind: .enter, functionName: function, path: next(2) == 0 ? nil : "src/\(function).c", line: UInt32(next(3)))]
            for depth in 0..<Int(next(4)) {
                frames.append(DebugFrame(kind: .call, namespace: depth == 1 ? "ns" : nil, functionName: "inl\(depth)", path: "h\(next(2)).h",
                                         line: UInt32(1 + next(50)), column: UInt32(next(3))))
            }
            if next(4) != 0 {
                frames.append(DebugFrame(kind: .line, functionName: function, path: "src/x.c", line: UInt32(1 + next(40)), column: UInt32(next(80))))
            }
            frames = frames.map { f in
                var f = f
                if f.line == 0 { f.line = nil }
                if f.column == 0 { f.column = nil }
                return f
            }
            builder.add(pc..<(pc + length), frames: frames)
            for b in pc..<(pc + length) { expected[b] = frames }
            pc += length
        }
        let sections = builder.sections()
        #expect(sections.map(\.id) == [128, 129, 130])
        let info = try ProgramDebugInfo(strings: sections[0].payload, linePrograms: sections[1].payload, ranges: sections[2].payload)
        for b in 0..<(pc + 4) {
            #expect(try info.frames(at: b) == (expected[b] ?? []), "pc \(b)")
        }
        // Deterministic: the same calls give the same bytes.
        var again = DebugInfoBuilder()
        for region in try info.regions() { again.add(region.range, frames: region.frames) }
        #expect(again.sections() == sections)
    }

    @Test func builderCapsTheStackAt16Frames() throws {
        var builder = DebugInfoBuilder()
        let frames = (0..<20).map { DebugFrame(kind: $0 == 19 ? .line : .call, functionName: "f\($0)", line: UInt32($0 + 1)) }
        builder.add(0..<3, frames: frames)
        let s = builder.sections()
        let read = try ProgramDebugInfo(strings: s[0].payload, linePrograms: s[1].payload, ranges: s[2].payload).frames(at: 2)
        #expect(read.count == 16)
        #expect(read.last == frames.last && Array(read.prefix(15)) == Array(frames.prefix(15)))
        #expect(DebugInfoBuilder().sections().isEmpty)
    }

    /// The listing shows where the source location changes, and still reassembles to the same code.
    @Test func disassemblerAnnotations() throws {
        let code = try Assembler.assemble("""
            pub @main:
                a0 = 1
                a1 = 2
                a0 = a0 + a1
                ret
            """, isa: .latest64)
        var builder = DebugInfoBuilder()
        let starts = Disassembler.instructions(of: code.code).map(\.pc) + [UInt32(code.code.count)]
        let lines: [UInt32] = [7, 7, 8, 9]
        for i in 0..<4 {
            builder.add(starts[i]..<starts[i + 1], frames: [DebugFrame(kind: .enter, functionName: "main"),
                                                            DebugFrame(kind: .line, functionName: "main", path: "m.c", line: lines[i], column: 3)])
        }
        var blob = code
        blob.customSections = builder.sections()
        for options in [Disassembler.Options(), Disassembler.Options(showOffsets: false), Disassembler.Options(style: .source)] {
            let text = Disassembler(blob: blob, options: options).disassemble()
            #expect(text.components(separatedBy: "// m.c:7:3 (main)").count == 2, "\(text)")
            #expect(text.contains("// m.c:8:3 (main)") && text.contains("// m.c:9:3 (main)"))
            let again = try Assembler.assemble(text, isa: .latest64)
            #expect(again.code.code == blob.code.code)
            var off = options
            off.emitDebugInfo = false
            #expect(!Disassembler(blob: blob, options: off).disassemble().contains("m.c"))
        }
        let listing = Disassembler(blob: blob).disassemble()
        #expect(listing.contains("""
                  : @0 [export #0: 'main']
                    // m.c:7:3 (main)
                 0: a0 = 0x1
            """))
    }
}
