import Foundation
import PolkaVM
import PolkaVMLinker
import PolkaVMProgram
import Testing
import ToolRunner

func compileC(_ source: String, rv64: Bool) throws -> [UInt8] {
    let clang = try #require(clangPath, "clang not found")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("polkavm-linker-c-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let src = dir.appendingPathComponent("t.c"), obj = dir.appendingPathComponent("t.o")
    try source.write(to: src, atomically: true, encoding: .utf8)
    let arguments = (rv64 ? ["--target=riscv64-unknown-elf", "-march=rv64emac_zbb_xtheadcondmov", "-mabi=lp64e"]
                          : ["--target=riscv32-unknown-elf", "-march=rv32emac_zbb_xtheadcondmov", "-mabi=ilp32e"])
        + ["-O2", "-fPIC", "-ffreestanding", "-nostdlib", "-fno-common", "-c", src.path, "-o", obj.path]
    try runSucceedingTool(clang, arguments)
    return [UInt8](try Data(contentsOf: obj))
}

/// Links objects into a shared object with ld.lld (`-shared --emit-relocs`).
func linkShared(_ objects: [[UInt8]]) throws -> [UInt8] {
    let clang = try #require(clangPath, "clang not found")
    let lld = URL(fileURLWithPath: clang).deletingLastPathComponent().appendingPathComponent("ld.lld").path
    try #require(FileManager.default.isExecutableFile(atPath: lld), "ld.lld not found next to clang")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("polkavm-linker-so-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    var paths: [String] = []
    for (i, o) in objects.enumerated() {
        let path = dir.appendingPathComponent("\(i).o").path
        FileManager.default.createFile(atPath: path, contents: Data(o))
        paths.append(path)
    }
    let out = dir.appendingPathComponent("out.elf").path
    try runSucceedingTool(lld, ["-shared", "--emit-relocs", "-Bsymbolic", "-z", "notext", "--apply-dynamic-relocs"] + paths + ["-o", out])
    return [UInt8](try Data(contentsOf: URL(fileURLWithPath: out)))
}

let cProgram = """
typedef unsigned long ulong;
static int table_a(int x) { return x * 3; }
static int table_b(int x) { return x + 100; }
static int table_c(int x) { return x ^ 0x55; }
int (*const ops[3])(int) = { table_a, table_b, table_c };
int counter = 7;
int zeroes[64];
const char message[] = "hello, polkavm";
__attribute__((noinline)) int classify(int x) {
    switch (x & 7) {
    case 0: return 11; case 1: return 23; case 2: return 37; case 3: return 41;
    case 4: return 53; case 5: return 67; case 6: return 71; default: return 89;
    }
}
ulong compute(ulong a, ulong b) {
    counter += (int)a;
    zeroes[a & 63] += (int)b;
    ulong sum = 0;
    for (int i = 0; message[i]; i++) sum += (ulong)message[i] * (ulong)(i + 1);
    return sum + (ulong)ops[b % 3]((int)a) + (ulong)classify((int)(a + b)) + (ulong)counter + (ulong)zeroes[a & 63];
}
"""

func cReference(_ a: UInt64, _ b: UInt64, rv64: Bool) -> UInt64 {
    var sum: UInt64 = 0
    for (i, ch) in "hello, polkavm".utf8.enumerated() { sum &+= UInt64(ch) &* UInt64(i + 1) }
    let x = Int32(truncatingIfNeeded: a)
    let op: Int32 = [x &* 3, x &+ 100, x ^ 0x55][Int(b % 3)]
    let classes: [UInt64] = [11, 23, 37, 41, 53, 67, 71, 89]
    let counter = Int32(7) &+ Int32(truncatingIfNeeded: a)
    let z = Int32(truncatingIfNeeded: b)
    func ext(_ v: Int32) -> UInt64 { rv64 ? UInt64(bitPattern: Int64(v)) : UInt64(UInt32(bitPattern: v)) }
    let r = sum &+ ext(op) &+ classes[Int((a &+ b) & 7)] &+ ext(counter) &+ ext(z)
    return rv64 ? r : r & 0xFFFF_FFFF
}

@Suite("Linking C, data, relocations, metadata")
struct LinkTests {
    @Test("C program: switch tables, function pointers, data and BSS", arguments: [true, false], [0, 2])
    func cProgramRuns(rv64: Bool, opt: Int) throws {
        let object = try compileC(cProgram, rv64: rv64)
        let exports = try assemble(exportDecl("compute", rv64: rv64), rv64: rv64)
        let instance = try instantiate([object, exports], configuration: LinkerConfiguration(optimizationLevel: opt))
        for (a, b) in [(UInt64(1), UInt64(2)), (5, 9), (63, 100), (12345, 3)] {
            let r = try instance.call("compute", [a, b])
            #expect(r.a0 & (rv64 ? UInt64.max : 0xFFFF_FFFF) == cReference(a, b, rv64: rv64), "compute(\(a), \(b))")
            _ = try? instance.call("compute", [UInt64(0) &- a, 0]) // undo counter change for the next call
        }
    }

    @Test("Shared object input (ld.lld -shared --emit-relocs)", arguments: [true, false])
    func sharedObject(rv64: Bool) throws {
        let object = try compileC(cProgram, rv64: rv64)
        let asm = try assemble(exportDecl("compute", rv64: rv64), rv64: rv64)
        let so = try linkShared([object, asm])
        let instance = try instantiate([so])
        let r = try instance.call("compute", [5, 9])
        #expect(r.a0 & (rv64 ? UInt64.max : 0xFFFF_FFFF) == cReference(5, 9, rv64: rv64))
    }

    @Test("Multiple objects resolve each other's symbols", arguments: [true, false])
    func multipleObjects(rv64: Bool) throws {
        let a = try assemble(program([("entry", "mv t0, ra\ncall other_add\nlla a2, shared_value\nlw a2, 0(a2)\nadd a0, a0, a2\nmv ra, t0\nret")], rv64: rv64), rv64: rv64)
        let b = try assemble("""
        .data
        .globl shared_value
        shared_value: .word 1000
        .text
        .globl other_add
        other_add:
          add a0, a0, a1
          ret
        """, rv64: rv64)
        let instance = try instantiate([a, b])
        #expect(try instance.call("entry", [3, 4]).a0 == 1007)
    }

    @Test("Undefined symbols are errors")
    func undefinedSymbol() throws {
        let a = try assemble(program([("entry", "call missing_function\nret")], rv64: true), rv64: true)
        #expect { try Linker.link([a]) } throws: { error in
            guard let e = error as? LinkerError else { return false }
            return e.kind == .undefinedSymbol && e.symbol == "missing_function" && e.description.contains("undefined symbol 'missing_function'")
        }
        // Every missing symbol is named at once, each with its first reference.
        let b = try assemble(program([("entry", "call first_missing\ncall second_missing\ncall first_missing\nret")], rv64: true), rv64: true)
        #expect { try Linker.link([b]) } throws: { error in
            guard let e = error as? LinkerError else { return false }
            return e.kind == .undefinedSymbol && e.description.hasPrefix("2 undefined symbols: 'first_missing' (from section")
                && e.description.contains("'second_missing' (from section")
        }
    }

    @Test("Mergeable string sections keep only the strings in use, identical strings once", arguments: [true, false])
    func stringPieces(rv64: Bool) throws {
        // Two objects with string sections: "second" is used through an offset into its section, "unused"
        // by nobody, and "shared" by both objects (stored once).
        let strings = """
            .section .rodata.str1.1,"aMS",@progbits,1
            .Lfirst: .asciz "first string, long enough to see"
            .Lunused: .asciz "an unused string, also long enough to see"
            .Lsecond: .asciz "second"
            .Lshared: .asciz "shared"
            """
        let a = try assemble(program([("f", """
            lla a0, .Lsecond
            lbu a0, 1(a0)
            lla a1, .Lshared
            lbu a1, 0(a1)
            add a0, a0, a1
            lla a1, .Lfirst
            lbu a1, 0(a1)
            add a0, a0, a1
            ret
            """)], rv64: rv64) + strings, rv64: rv64)
        let b = try assemble(program([("g", "lla a0, .Lshared2\nlbu a0, 5(a0)\nret")], rv64: rv64) + """
            .section .rodata.str1.1,"aMS",@progbits,1
            .Lshared2: .asciz "shared"
            .Lother: .asciz "never referenced either"
            """, rv64: rv64)
        let blob = try Linker.link([a, b])
        let text = String(decoding: blob.roData, as: UTF8.self)
        #expect(text.contains("first string") && text.contains("second") && !text.contains("unused") && !text.contains("never"))
        #expect(text.components(separatedBy: "shared").count == 2, "one copy of \"shared\": \(text)")
        let module = try Module(engine: Engine(), bytes: blob.serialized(), configuration: testModuleConfiguration)
        let instance = metered(module)
        #expect(try instance.call("f").a0 == UInt64(UInt8(ascii: "e") + UInt8(ascii: "s")) + UInt64(UInt8(ascii: "f")))
        #expect(try instance.call("g").a0 == UInt64(UInt8(ascii: "d")))
    }

    @Test("Data layout: RO, RW, BSS, stack size", arguments: [true, false])
    func dataLayout(rv64: Bool) throws {
        let ptr = rv64 ? ".quad" : ".word"
        let source = program([("f", """
        lla a2, ro_value
        lw a0, 0(a2)
        lla a2, rw_value
        lw a3, 0(a2)
        add a0, a0, a3
        addi a3, a3, 1
        sw a3, 0(a2)
        lla a2, bss_area
        lw a3, 400(a2)
        add a0, a0, a3
        li a3, 9
        sw a3, 400(a2)
        ret
        """)], rv64: rv64) + """
        .section .rodata
        .p2align 2
        ro_value: .word 40000
        .data
        .p2align 2
        rw_value: .word 200
        .bss
        .p2align 2
        bss_area: .zero 4096
        .section .polkavm_min_stack_size,"",@progbits
        .word 20000
        .section .data.ptr,"aw"
        .p2align \(rv64 ? 3 : 2)
        \(ptr) rw_value
        """
        let object = try assemble(source, rv64: rv64)
        let blob = try Linker.link([object], configuration: LinkerConfiguration(optimizationLevel: 0))
        #expect(blob.roDataSize == 8) // the export name "f" (kept at O0), then ro_value
        #expect(blob.roData.suffix(2) == [0x40, 0x9C]) // trailing zeros trimmed
        #expect(blob.rwDataSize >= 4096 + 4)
        #expect(blob.stackSize == 20480)
        let module = try Module(engine: Engine(), bytes: blob.serialized(), configuration: testModuleConfiguration)
        let map = try #require(module.memoryMap)
        #expect(map.rwDataAddress == 0x30000)
        let instance = metered(module)
        #expect(lo(try instance.call("f").a0) == 40200)
        #expect(lo(try instance.call("f").a0) == 40210)
        // The pointer in .data.ptr holds rw_value's new address.
        let pointerBytes = try instance.readMemory(at: 0x30000 + UInt32(rv64 ? 8 : 4), count: 4)
        #expect(pointerBytes == [0x00, 0x00, 0x03, 0x00])
    }

    @Test("Imports: V1 sorted by name; host functions get arguments", arguments: [true, false])
    func importsV1(rv64: Bool) throws {
        let source = importDecl("zeta", rv64: rv64) + "\n" + importDecl("alpha", rv64: rv64) + "\n" + program([("f", """
        addi sp, sp, -16
        \(rv64 ? "sd" : "sw") ra, 0(sp)
        \(rv64 ? "sd" : "sw") s0, 8(sp)
        call zeta
        mv s0, a0
        li a0, 5
        li a1, 6
        call alpha
        add a0, a0, s0
        \(rv64 ? "ld" : "lw") ra, 0(sp)
        \(rv64 ? "ld" : "lw") s0, 8(sp)
        addi sp, sp, 16
        ret
        """)], rv64: rv64)
        let object = try assemble(source, rv64: rv64)
        let blob = try Linker.link([object])
        #expect(blob.imports.map(\.description) == ["alpha", "zeta"])
        let module = try Module(engine: Engine(), bytes: blob.serialized(), configuration: testModuleConfiguration)
        var host = HostFunctions()
        host.define("zeta") { _, a0, a1 in a0 * 1000 + a1 }
        host.define("alpha") { _, a0, a1 in a0 * 10 + a1 }
        #expect(try metered(module).call("f", [2, 3], host: host).a0 == 2003 + 56)
    }

    @Test("Imports: V2 explicit indices with holes")
    func importsV2() throws {
        let source = importDecl("second", rv64: true, inputs: 0, index: 3) + "\n" + importDecl("first", rv64: true, inputs: 0, index: 1) + "\n" + program([("f", """
        mv s0, ra
        call second
        mv s1, a0
        call first
        add a0, a0, s1
        mv ra, s0
        ret
        """)], rv64: true)
        let blob = try Linker.link([try assemble(source, rv64: true)])
        #expect(blob.imports.map(\.description) == ["", "first", "", "second"])
        var host = HostFunctions()
        host.define("first") { _ in 1 }
        host.define("second") { _ in 20 }
        let module = try Module(engine: Engine(), bytes: blob.serialized(), configuration: testModuleConfiguration)
        #expect(try metered(module).call("f", host: host).a0 == 21)
    }

    @Test("Function pointers in data go through the jump table", arguments: [true, false])
    func functionPointers(rv64: Bool) throws {
        let (ptr, ld, sz) = rv64 ? (".quad", "ld", 8) : (".word", "lw", 4)
        let source = program([("f", """
        lla a2, fn_table
        slli a0, a0, \(sz == 8 ? 3 : 2)
        add a2, a2, a0
        \(ld) a2, 0(a2)
        mv a0, a1
        jr a2
        """)], rv64: rv64) + """
        .text
        twice: add a0, a0, a0
          ret
        thrice: add a1, a0, a0
          add a0, a0, a1
          ret
        .section .data.rel.ro,"aw"
        fn_table: \(ptr) twice, thrice
        """
        let blob = try Linker.link([try assemble(source, rv64: rv64)])
        #expect(blob.code.jumpTable.count >= 2)
        let module = try Module(engine: Engine(), bytes: blob.serialized(), configuration: testModuleConfiguration)
        #expect(lo(try metered(module).call("f", [0, 21]).a0) == 42)
        #expect(lo(try metered(module).call("f", [1, 21]).a0) == 63)
        // Addresses stored in data are jump-table addresses 2 * (index + 1).
        let table = try metered(module).readMemory(at: module.memoryMap!.rwDataAddress, count: 2 * sz)
        let first = table[0], second = table[sz]
        #expect(first % 2 == 0 && second % 2 == 0 && first != second)
    }

    @Test("Metadata records in a non-allocated section, packed export records, GOT-based addresses", arguments: [true, false])
    func metadataOutsidePolkaVMSections(rv64: Bool) throws {
        // Hand-written assembly (as in upstream's own asm tests) keeps export metadata in an arbitrary
        // non-allocated section and packs the export records without alignment.
        let ptr = rv64 ? ".quad" : ".word"
        let source = """
        .text
        .globl pick
        pick:
          slli a0, a0, 2
          la a1, offsets
          add a0, a0, a1
          lw a0, 0(a0)
          add a0, a0, a1
          lw a0, 0(a0)
          ret
        .section .exportinfo,"",@progbits
        .Lname: .ascii "pick"
        .Lmeta:
          .byte 1
          .word 0
          .word 4
          \(ptr) .Lname
          .byte 1, 1
        .section .polkavm_exports,"R",@note
          .byte 1
          \(ptr) .Lmeta
          \(ptr) pick
        .section .rodata.values,"a"
        v0: .word 0x11111111
        v1: .word 0x22222222
        .section .rodata.offsets,"a"
        offsets: .word v0 - offsets, v1 - offsets
        """
        let object = try assemble(source, rv64: rv64, extraFlags: ["-fPIC"])
        let blob = try Linker.link([object])
        #expect(blob.exports.map { String(decoding: $0.symbol.bytes, as: UTF8.self) } == ["pick"])
        let module = try Module(engine: Engine(), bytes: blob.serialized(), configuration: testModuleConfiguration)
        #expect(lo(try metered(module).call("pick", [0]).a0) == 0x1111_1111)
        #expect(lo(try metered(module).call("pick", [1]).a0) == 0x2222_2222)
    }

    @Test("PolkaVM custom instructions: heap base and sbrk")
    func customInstructions() throws {
        // heap_base a0 = custom-0 funct3=3 rd=a0; sbrk a0, a1 = funct3=1 rd=a0 rs1=a1.
        let heapBase = 0x0B | (10 << 7) | (3 << 12)
        let sbrk = 0x0B | (10 << 7) | (1 << 12) | (11 << 15)
        let object = try assemble(program([("base", ".word \(heapBase)\nret"), ("grow", ".word \(sbrk)\nret")], rv64: true), rv64: true)
        let blob = try Linker.link([object])
        let module = try Module(engine: Engine(), bytes: blob.serialized(), configuration: testModuleConfiguration)
        let map = try #require(module.memoryMap)
        #expect(try metered(module).call("base").a0 == UInt64(map.heapBase))
        #expect(try metered(module).call("grow", [0, 16]).a0 == UInt64(map.heapBase) + 16)
        #expect { try Linker.link([object], configuration: LinkerConfiguration(isa: .jamV1)) } throws: { _ in true }
    }

    @Test("Forbidden registers are errors naming the symbol")
    func forbiddenRegister() throws {
        let object = try assemble(program([("f", "add a0, a0, a1\n.word \((16 << 20) | (10 << 15) | (10 << 7) | 0x33) // add a0, a0, a6\nret")], rv64: true), rv64: true)
        do {
            _ = try Linker.link([object])
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .forbiddenRegister)
            #expect(error.symbol == "f")
            #expect(error.section == ".text")
        }
    }

    @Test("Debug function names unless stripped")
    func debugNames() throws {
        let object = try assemble(program([("f", "ret"), ("g", "li a0, 1\nret")], rv64: true), rv64: true)
        let blob = try Linker.link([object])
        let strings = try #require(blob.customSections.first { $0.id == 128 })
        #expect(String(decoding: strings.payload, as: UTF8.self).contains("g"))
        #expect(blob.customSections.contains { $0.id == 129 } && blob.customSections.contains { $0.id == 130 })
        #expect(try Linker.link([object], configuration: LinkerConfiguration(strip: true)).customSections.isEmpty)
    }

    @Test("Dead code is removed at O1+, kept at O0")
    func deadCode() throws {
        let source = program([("f", "li a0, 1\nret")], rv64: true) + "\n.text\nunused: li a0, 2\nli a1, 3\nli a2, 4\nret\n"
        let object = try assemble(source, rv64: true)
        let o0 = try Linker.link([object], configuration: LinkerConfiguration(optimizationLevel: 0))
        let o2 = try Linker.link([object], configuration: LinkerConfiguration(optimizationLevel: 2))
        #expect(o2.code.code.count < o0.code.code.count)
    }

    @Test("Malformed ELF input gives errors, never crashes")
    func malformed() throws {
        let good = try assemble(program([("f", "add a0, a0, a1\nret")], rv64: true), rv64: true)
        #expect(throws: LinkerError.self) { try Linker.link([[]]) }
        #expect(throws: LinkerError.self) { try Linker.link([Array("not an elf file at all, really".utf8)]) }
        #expect(throws: LinkerError.self) { try Linker.link([]) }
        // Every truncation.
        for length in stride(from: 0, to: good.count, by: 7) {
            _ = try? Linker.link([Array(good[0..<length])])
        }
        // Random corruption (deterministic).
        var seed: UInt64 = 0x1234_5678
        for _ in 0..<300 {
            var bytes = good
            for _ in 0..<4 {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                let pos = Int((seed >> 33) % UInt64(bytes.count))
                bytes[pos] = UInt8(truncatingIfNeeded: seed >> 17)
            }
            _ = try? Linker.link([bytes])
        }
        // Export records whose pointers are moved before their sections (found by mutation fuzzing:
        // these used to trap converting the negative offset for the error message).
        for (field, expected) in [(".quad f - 8", "points 8 bytes before its section"), (".quad .Lmeta_f - 64", "metadata record out of bounds")] {
            let source = program([("f", "add a0, a0, a1\nret")], rv64: true)
            let shifted = field.hasPrefix(".quad f") ? source.replacingOccurrences(of: "  .quad f\n", with: "  \(field)\n")
                                                     : source.replacingOccurrences(of: "  .quad .Lmeta_f\n", with: "  \(field)\n")
            try #require(shifted != source, "the export record's layout changed")
            #expect { try Linker.link([try assemble(shifted, rv64: true)]) } throws: { ($0 as? LinkerError)?.message.contains(expected) == true }
        }
        // Wrong machine.
        var wrong = good
        wrong[18] = 0x3E
        #expect { try Linker.link([wrong]) } throws: { ($0 as? LinkerError)?.kind == .invalidELF }
    }
}
