import Foundation
import PolkaVMProgram
import Testing
import ToolRunner

@testable import PolkaVMLinker

// MARK: - Hand-built DWARF

private func le(_ v: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: v >> UInt64(8 * $0)) } }
private func cstr(_ s: String) -> [UInt8] { Array(s.utf8) + [0] }
private func uleb(_ v: UInt64) -> [UInt8] {
    var v = v, out: [UInt8] = []
    repeat {
        var b = UInt8(v & 0x7F)
        v >>= 7
        if v != 0 { b |= 0x80 }
        out.append(b)
    } while v != 0
    return out
}

/// A `.debug_line` unit: the header fields after `header_length`, then the program.
private func lineUnit(version: Int, addressSize: UInt8 = 8, afterHeaderLength: [UInt8], program: [UInt8]) -> [UInt8] {
    var body = le(UInt64(version), 2)
    if version >= 5 { body += [addressSize, 0] }
    body += le(UInt64(afterHeaderLength.count), 4) + afterHeaderLength + program
    return le(UInt64(body.count), 4) + body
}

/// min_inst 1, [max_ops 1], default_is_stmt 1, line_base -5, line_range 14, opcode_base 13 and the standard lengths.
private func commonHeader(version: Int) -> [UInt8] {
    [1] + (version >= 4 ? [1] : []) + [1, 0xFB, 14, 13] + [0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1]
}

/// The same program for every test: rows (0x1000, file A, 10:4), (0x1008, file B, 11:4), end at 0x100c.
private func sampleProgram(firstFile: UInt64, secondFile: UInt64, addressSize: Int = 8) -> [UInt8] {
    var p: [UInt8] = [0] + uleb(UInt64(1 + addressSize)) + [2] + le(0x1000, addressSize)  // DW_LNE_set_address
    p += [4] + uleb(firstFile)          // DW_LNS_set_file
    p += [3, 9]                          // advance_line +9 -> 10
    p += [5, 4]                          // set_column 4
    p += [1]                             // copy
    p += [9] + le(6, 2)                  // fixed_advance_pc 6
    p += [4] + uleb(secondFile)
    p += [13 + (1 + 5) + 14 * 2]         // special: address +2, line +1
    p += [2, 4]                          // advance_pc 4
    p += [0, 1, 1]                       // end_sequence
    return p
}

@Suite struct DWARFLineParserTests {
    @Test("DWARF 5 header: line_strp, string, udata, data16 forms; directory 0 is the compilation directory")
    func version5() throws {
        let lineStr = cstr("/cu") + cstr("inc")
        var header = commonHeader(version: 5)
        header += [1] + uleb(1) + uleb(0x1F)                        // directories: path as line_strp
        header += uleb(2) + le(0, 4) + le(4, 4)
        header += [3] + uleb(1) + uleb(0x08) + uleb(2) + uleb(0x0F) + uleb(5) + uleb(0x1E)  // files: path string, dir udata, MD5
        header += uleb(2) + cstr("a.c") + uleb(0) + [UInt8](repeating: 0xAB, count: 16)
        header += cstr("b.h") + uleb(1) + [UInt8](repeating: 0xCD, count: 16)
        let unit = lineUnit(version: 5, afterHeaderLength: header, program: sampleProgram(firstFile: 0, secondFile: 1))
        let tables = try DWARFLineParser.parse(unit + unit, strings: DWARFStrings(debugLineStr: lineStr))
        #expect(tables.count == 2 && tables[1].offset == unit.count)
        let t = tables[0]
        #expect(t.version == 5)
        #expect(t.files == ["/cu/a.c", "/cu/inc/b.h"])
        #expect(t.sequences == [[
            DWARFLineRow(address: 0x1000, file: 0, line: 10, column: 4, endSequence: false),
            DWARFLineRow(address: 0x1008, file: 1, line: 11, column: 4, endSequence: false),
            DWARFLineRow(address: 0x100C, file: 1, line: 11, column: 4, endSequence: true),
        ]])
    }

    @Test("DWARF 5 with DW_FORM_strp paths and a relative compilation directory")
    func version5Strp() throws {
        let str = cstr(".") + cstr("src/x.c")
        var header = commonHeader(version: 5)
        header += [1] + uleb(1) + uleb(0x0E) + uleb(1) + le(0, 4)
        header += [2] + uleb(1) + uleb(0x0E) + uleb(2) + uleb(0x0B) + uleb(1) + le(2, 4) + [0]
        let unit = lineUnit(version: 5, addressSize: 4, afterHeaderLength: header, program: sampleProgram(firstFile: 0, secondFile: 0, addressSize: 4))
        let t = try #require(try DWARFLineParser.parse(unit, strings: DWARFStrings(debugStr: str)).first)
        #expect(t.files == ["src/x.c"])
        #expect(t.sequences.first?.map(\.address) == [0x1000, 0x1008, 0x100C])
    }

    @Test("DWARF 4 header: 1-based files, directory 0 from DW_AT_comp_dir, DW_LNE_define_file")
    func version4() throws {
        var header = commonHeader(version: 4)
        header += cstr("inc") + cstr("/abs") + [0]
        header += cstr("a.c") + uleb(0) + uleb(0) + uleb(0)
        header += cstr("b.h") + uleb(1) + uleb(0) + uleb(0)
        header += [0]
        var program = sampleProgram(firstFile: 1, secondFile: 2)
        program += [0] + uleb(UInt64(1 + 4 + 3)) + [3] + cstr("c.h") + uleb(2) + uleb(0) + uleb(0)  // define_file: /abs/c.h
        let unit = lineUnit(version: 4, afterHeaderLength: header, program: program)
        let t = try #require(try DWARFLineParser.parse(unit, strings: DWARFStrings(), compilationDirectories: [0: "/home/me"]).first)
        #expect(t.files == [nil, "/home/me/a.c", "/home/me/inc/b.h", "/abs/c.h"])
        #expect(t.sequences.first?.map(\.file) == [1, 2, 2])
        // Without a compilation directory the names stay relative.
        let bare = try #require(try DWARFLineParser.parse(unit, strings: DWARFStrings()).first)
        #expect(bare.files == [nil, "a.c", "inc/b.h", "/abs/c.h"])
    }

    @Test func pathJoining() {
        #expect(DWARFLineParser.joinPath(compilationDirectory: ".", directory: ".", isFirstDirectory: true, file: "hello.c") == "hello.c")
        #expect(DWARFLineParser.joinPath(compilationDirectory: ".", directory: "guest", isFirstDirectory: false, file: "polkavm.h") == "guest/polkavm.h")
        #expect(DWARFLineParser.joinPath(compilationDirectory: "/w", directory: "/usr/include", isFirstDirectory: false, file: "x.h") == "/usr/include/x.h")
        #expect(DWARFLineParser.joinPath(compilationDirectory: "/w", directory: "/w", isFirstDirectory: true, file: "/abs/y.c") == "/abs/y.c")
        #expect(DWARFLineParser.simplify("./a//./b/") == "a/b")
    }

    @Test("malformed line tables are errors, not crashes")
    func malformed() {
        func fails(_ bytes: [UInt8]) -> Bool {
            do { _ = try DWARFLineParser.parse(bytes, strings: DWARFStrings()); return false } catch { return true }
        }
        let header = commonHeader(version: 4) + [0, 0]
        let good = lineUnit(version: 4, afterHeaderLength: header, program: sampleProgram(firstFile: 1, secondFile: 1))
        #expect(!fails(good))
        #expect(fails(Array(good.dropLast(3))))                            // unit length past the end
        var badVersion = good; badVersion[4] = 9
        #expect(fails(badVersion))
        var badLength = good; badLength[0] = 0xF0; badLength[1] = 0xFF; badLength[2] = 0xFF; badLength[3] = 0xFF
        #expect(fails(badLength))                                          // reserved length
        #expect(fails(lineUnit(version: 4, afterHeaderLength: header, program: [0, 20, 2, 1])))   // extended op past the unit
        #expect(fails(lineUnit(version: 4, afterHeaderLength: header, program: [0, 3, 2, 1, 2])))  // 2-byte address
        #expect(fails(lineUnit(version: 4, afterHeaderLength: Array(header.dropLast(2)), program: [])))  // header cut short
        var v5 = commonHeader(version: 5) + [1] + uleb(1) + uleb(0x99) + uleb(1) + [0]  // unknown form
        #expect(fails(lineUnit(version: 5, afterHeaderLength: v5, program: [])))
        v5 = commonHeader(version: 5) + [1] + uleb(1) + uleb(0x1F) + uleb(1) + le(99, 4)  // line_strp out of range
        #expect(fails(lineUnit(version: 5, afterHeaderLength: v5, program: [])))
        // Random garbage never crashes.
        var seed: UInt64 = 7
        for _ in 0..<300 {
            var bytes = good
            for _ in 0..<3 {
                seed = seed &* 6364136223846793005 &+ 1
                bytes[Int(seed >> 33) % bytes.count] = UInt8(truncatingIfNeeded: seed >> 17)
            }
            _ = fails(bytes)
        }
    }

    @Test("range lists: DWARF 5 .debug_rnglists entries and DWARF 4 .debug_ranges with base selection")
    func rangeLists() throws {
        var v5: [UInt8] = [5] + le(0x1000, 8)                 // base_address
        v5 += [4] + uleb(0x10) + uleb(0x20)                    // offset_pair
        v5 += [7] + le(0x2000, 8) + uleb(8)                    // start_length
        v5 += [3] + uleb(1) + uleb(4)                          // startx_length (index 1 -> 0x3001)
        v5 += [1] + uleb(0) + [4] + uleb(2) + uleb(6)          // base_addressx (index 0 -> 0x3000), offset_pair
        v5 += [6] + le(0x50, 8) + le(0x50, 8) + [0]            // empty start_end (dropped), end
        let list = try DWARFInlines.rangeList([0xEE] + v5, at: 1, base: 0, addressSize: 8) { i throws(DWARFError) in 0x3000 + i }
        #expect(list.map(\.start) == [0x1010, 0x2000, 0x3001, 0x3002] && list.map(\.end) == [0x1020, 0x2008, 0x3005, 0x3006])
        #expect(throws: DWARFError.self) { try DWARFInlines.rangeList([9, 0], at: 0, base: 0, addressSize: 8) { i throws(DWARFError) in i } }
        #expect(throws: DWARFError.self) { try DWARFInlines.rangeList([4, 1], at: 0, base: 0, addressSize: 8) { i throws(DWARFError) in i } }
        let v4 = le(0x10, 4) + le(0x20, 4) + le(0xFFFF_FFFF, 4) + le(0x5000, 4) + le(0, 4) + le(4, 4) + le(0, 4) + le(0, 4)
        let old = try DWARFInlines.oldRanges(v4, at: 0, base: 0x100, addressSize: 4)
        #expect(old.map(\.start) == [0x110, 0x5000] && old.map(\.end) == [0x120, 0x5004])
        #expect(throws: DWARFError.self) { try DWARFInlines.oldRanges(Array(v4.prefix(12)), at: 0, base: 0, addressSize: 4) }
    }

    @Test("nested inlined calls flatten into stacks")
    func inlineStacks() {
        func call(_ name: String) -> InlinedCall { InlinedCall(function: name, path: "x.c", line: 1, column: 0) }
        let stacks = InlineStacks([(0, 0, 100, 0, call("a")), (0, 10, 20, 1, call("b")), (0, 30, 40, 1, call("c")),
                                   (0, 32, 34, 2, call("d")), (1, 0, 4, 0, call("e"))])
        #expect(stacks.stack(section: 0, offset: 0).map(\.function) == ["a"])
        #expect(stacks.stack(section: 0, offset: 15).map(\.function) == ["a", "b"])
        #expect(stacks.stack(section: 0, offset: 33).map(\.function) == ["a", "c", "d"])
        #expect(stacks.stack(section: 0, offset: 34).map(\.function) == ["a", "c"])
        #expect(stacks.stack(section: 0, offset: 99).map(\.function) == ["a"])
        #expect(stacks.stack(section: 0, offset: 100).isEmpty && stacks.stack(section: 2, offset: 0).isEmpty)
        #expect(stacks.stack(section: 1, offset: 3).map(\.function) == ["e"])
    }

    @Test("relocations of debug sections: absolute, ADD/SUB pairs, SET6/SUB6, ULEB128 pairs")
    func relocations() throws {
        let symbols: [UInt64] = [0, 0x1000, 0x1010, 0x20]
        func rel(_ offset: UInt64, _ type: UInt32, _ symbol: Int, _ addend: Int64 = 0) -> ELFRelocation {
            ELFRelocation(offset: offset, type: type, symbolIndex: symbol, addend: addend)
        }
        let bytes: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0x00, 0xC5, 0x80, 0x80, 0x00, 5, 0]
        let out = try DebugRelocations.apply([
            rel(0, 2, 1, 4),                                  // R_RISCV_64 = 0x1004
            rel(8, 34, 2), rel(8, 38, 1),                     // ADD16/SUB16: 0x00FF + 0x10
            rel(10, 53, 3), rel(10, 52, 1, -0xFFD),           // SET6 0x20 then SUB6 3 (low 6 bits)
            rel(11, 60, 2), rel(11, 61, 1),                   // SET_ULEB128 / SUB_ULEB128 over 3 bytes: 0x10
            rel(14, 54, 3, 1), rel(15, 51, 0),                // SET8 0x21, RELAX ignored
        ], to: bytes, sectionName: ".debug_line") { symbols[$0] }
        #expect(Array(out[0..<8]) == le(0x1004, 8))
        #expect(out[8] == 0x0F && out[9] == 0x01)
        #expect(out[10] == 0xC0 | 0x1D)
        #expect(Array(out[11..<14]) == [0x90, 0x80, 0x00])
        #expect(out[14] == 0x21 && out[15] == 0)
        #expect(throws: DWARFError.self) { try DebugRelocations.apply([rel(15, 2, 1)], to: bytes, sectionName: "x") { symbols[$0] } }
        #expect(throws: DWARFError.self) { try DebugRelocations.apply([rel(0, 57, 1)], to: bytes, sectionName: "x") { symbols[$0] } }
        #expect(throws: DWARFError.self) { try DebugRelocations.apply([rel(0, 1, 1)], to: bytes, sectionName: "x") { _ in nil } }
    }
}

// MARK: - End to end with clang

/// The repository root (this file is Tests/PolkaVMLinkerTests/DebugLineTests.swift).
private let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

private let cSource = """
    #include "polkavm.h"
    POLKAVM_EXPORT(long, entry, long, long);
    long __attribute__((noinline)) helper(long a, long b) {
        long product = a * b;
        return product / (b | 1);
    }
    long entry(long a, long b) {
        return helper(a, b) ^ 0x5a5;
    }
    """
private let mulLine: UInt32 = 4, divLine: UInt32 = 5, xorLine: UInt32 = 8

/// Compiles `source` with clang (and optionally links it with ld.lld into a shared object).
private func compileC(_ source: String = cSource, rv64: Bool, flags: [String], lld: Bool = false) throws -> [UInt8] {
    let clang = try #require(clangPath)
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("polkavm-dwarf-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let src = dir.appendingPathComponent("t.c"), obj = dir.appendingPathComponent("t.o"), so = dir.appendingPathComponent("t.so")
    try source.write(to: src, atomically: true, encoding: .utf8)
    let target = rv64
        ? ["--target=riscv64-unknown-none-elf", "-march=rv64emac_zbb_xtheadcondmov", "-mabi=lp64e"]
        : ["--target=riscv32-unknown-none-elf", "-march=rv32emac_zbb_xtheadcondmov", "-mabi=ilp32e"]
    try runSucceedingTool(clang, target + ["-O2", "-ffreestanding", "-nostdlib", "-fPIC", "-fvisibility=hidden", "-fno-common",
                                           "-ffunction-sections", "-fdata-sections", "-fno-unwind-tables",
                                           "-fno-asynchronous-unwind-tables", "-I", repositoryRoot.appendingPathComponent("guest").path] + flags + ["-c", src.path, "-o", obj.path])
    if lld {
        let ldLLD = URL(fileURLWithPath: clang).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("ld.lld").path
        try runSucceedingTool(ldLLD, ["-shared", "--emit-relocs", "--unique", "--apply-dynamic-relocs", "-Bsymbolic", "-z", "notext", obj.path, "-o", so.path])
        return [UInt8](try Data(contentsOf: so))
    }
    return [UInt8](try Data(contentsOf: obj))
}

private let lldAvailable: Bool = {
    guard let clang = clangPath else { return false }
    let path = URL(fileURLWithPath: clang).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("ld.lld").path
    return FileManager.default.isExecutableFile(atPath: path)
}()

@Suite struct DebugLineLinkTests {
    /// Every instruction of a kind maps to the source line that holds the operation.
    func checkLines(_ blob: ProgramBlob, rv64: Bool, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let info = try ProgramDebugInfo(blob: blob)
        #expect(!info.isEmpty, sourceLocation: sourceLocation)
        let instructions = Disassembler.instructions(of: blob.code)
        var seen: Set<UInt32> = []
        for inst in instructions {
            let frames = try info.frames(at: inst.pc)
            let expectation: (line: UInt32, function: String)?
            switch inst.instruction.opcode {
            case .mul64, .mul32: expectation = (mulLine, "helper")
            case .divSigned64, .divSigned32: expectation = (divLine, "helper")
            case .xorImm: expectation = (xorLine, "entry")
            default: expectation = nil
            }
            guard let expectation else { continue }
            seen.insert(expectation.line)
            #expect(frames.first?.kind == .enter && frames.first?.functionName == expectation.function, "\(frames)", sourceLocation: sourceLocation)
            let line = frames.last
            #expect(line?.kind == .line && line?.line == expectation.line && line?.path?.hasSuffix("t.c") == true && line?.column != nil,
                    "pc \(inst.pc) \(inst.instruction.opcode): \(frames)", sourceLocation: sourceLocation)
        }
        #expect(seen == [mulLine, divLine, xorLine], sourceLocation: sourceLocation)
        // Each of the lines covers a contiguous pc range inside its function's range record.
        for region in try info.regions() where region.sourceFrame?.line == mulLine {
            let record = info.range(at: region.programIndex).pc
            #expect(record.lowerBound <= region.range.lowerBound && region.range.upperBound <= record.upperBound, sourceLocation: sourceLocation)
        }
        // Stripping drops every debug section.
    }

    @Test("clang -g: lines map to the instructions translated from them", .enabled(if: clangPath != nil, "clang not found"),
          arguments: [(true, ["-g"]), (false, ["-g"]), (true, ["-g", "-mno-relax"]), (false, ["-gdwarf-4"]), (true, ["-gline-tables-only", "-gdwarf-4", "-mno-relax"])])
    func clangLines(rv64: Bool, flags: [String]) throws {
        let object = try compileC(rv64: rv64, flags: flags)
        var warnings: [String] = []
        let blob = try Linker.link([object], configuration: LinkerConfiguration(), warnings: &warnings)
        #expect(warnings.isEmpty, "\(warnings)")
        try checkLines(blob, rv64: rv64)
        #expect(try Linker.link([object], configuration: LinkerConfiguration(strip: true)).customSections.isEmpty)
        // The line information does not change the code.
        let plain = try Linker.link([try compileC(rv64: rv64, flags: flags.contains("-mno-relax") ? ["-mno-relax"] : [])])
        #expect(plain.code == blob.code)
        // Deterministic.
        #expect(try Linker.link([object]).serialized() == blob.serialized())
    }

    @Test("ld.lld -shared --emit-relocs --unique: final addresses", .enabled(if: lldAvailable, "ld.lld not found"), arguments: [true, false])
    func lldShape(rv64: Bool) throws {
        let shared = try compileC(rv64: rv64, flags: ["-g"], lld: true)
        var warnings: [String] = []
        let blob = try Linker.link([shared], configuration: LinkerConfiguration(), warnings: &warnings)
        #expect(warnings.isEmpty, "\(warnings)")
        try checkLines(blob, rv64: rv64)
    }

    @Test("inlined calls become call frames: callee and call site, outermost first", .enabled(if: clangPath != nil, "clang not found"),
          arguments: [(true, ["-g"]), (false, ["-gline-tables-only"]), (true, ["-gdwarf-4"])])
    func inlineFrames(rv64: Bool, flags: [String]) throws {
        let source = """
            #include "polkavm.h"
            POLKAVM_EXPORT(int, entry, int);
            static inline int check(int x) {
                if (x > 3)
                    __builtin_trap();
                return x * 3;
            }
            static inline int twice(int x) {
                return check(x) + check(x + 1);
            }
            int entry(int n) {
                int s = 0;
                for (int i = 0; i < n; i++)
                    s += twice(i);
                return s;
            }
            """
        let blob = try Linker.link([try compileC(source, rv64: rv64, flags: flags)])
        let info = try ProgramDebugInfo(blob: blob)
        let traps = Disassembler.instructions(of: blob.code).filter { $0.instruction.opcode == .trap }
        var checked = 0
        for trap in traps {
            let frames = try info.frames(at: trap.pc)
            guard frames.last?.line == 5 else { continue }  // the __builtin_trap (not the end-of-code trap)
            checked += 1
            #expect(frames.map(\.kind) == [.enter, .call, .call, .line], "\(frames)")
            #expect(frames.map(\.functionName) == ["entry", "twice", "check", "check"])
            #expect(frames[1].location == "t.c:14:14" || frames[1].location?.hasSuffix("/t.c:14:14") == true, "\(frames)")
            #expect(frames[2].line == 9 && frames[3].column == 9)
        }
        #expect(checked >= 1)
    }

    @Test("unreadable .debug_info drops the inline frames only", .enabled(if: clangPath != nil, "clang not found"))
    func malformedInfo() throws {
        var object = try compileC(rv64: true, flags: ["-g"])
        let elf = try ELFFile(object)
        let abbrev = try #require(elf.sections.first { $0.name == ".debug_abbrev" })
        for k in 0..<Int(abbrev.size) { object[Int(abbrev.fileOffset) + k] = 0xFF }
        var warnings: [String] = []
        let blob = try Linker.link([object], configuration: LinkerConfiguration(), warnings: &warnings)
        #expect(warnings.count == 1 && warnings[0].contains("DWARF inline information ignored"), "\(warnings)")
        try checkLines(blob, rv64: true)
    }

    @Test("a malformed line table is a warning: the link goes on with function names only", .enabled(if: clangPath != nil, "clang not found"))
    func malformedDWARF() throws {
        var object = try compileC(rv64: true, flags: ["-g"])
        let elf = try ELFFile(object)
        let debugLine = try #require(elf.sections.first { $0.name == ".debug_line" })
        object[Int(debugLine.fileOffset) + 4] = 0x42  // version
        var warnings: [String] = []
        let blob = try Linker.link([object], configuration: LinkerConfiguration(), warnings: &warnings)
        #expect(warnings.count == 1 && warnings[0].contains("DWARF line information ignored"), "\(warnings)")
        let info = try ProgramDebugInfo(blob: blob)
        let regions = try info.regions()
        #expect(!regions.isEmpty && regions.allSatisfy { $0.frames.count == 1 && $0.frames[0].kind == .enter && $0.frames[0].path == nil })
        #expect(Set(regions.compactMap { $0.frames.first?.functionName }) == ["helper", "entry"])
    }
}
