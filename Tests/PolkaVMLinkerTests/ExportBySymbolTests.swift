import PolkaVM
import PolkaVMLinker
import PolkaVMProgram
import Testing

/// C with no SDK metadata at all: `twice` is global, `helper` is static (and kept: it has its address taken).
private let plainC = """
typedef unsigned long ulong;
static ulong helper(ulong x) { return x * 3 + 1; }
ulong (*volatile keep)(ulong) = helper;
ulong twice(ulong x) { return keep(x) * 2; }
int counter = 5;
"""

@Suite("Exporting functions by symbol name (LinkerConfiguration.exportedSymbols)")
struct ExportBySymbolTests {
    @Test("A global and a static function of plain C become callable exports", arguments: [true, false])
    func exportsBySymbol(rv64: Bool) throws {
        let object = try compileC(plainC, rv64: rv64)
        #expect(try Linker.link([object]).exports.isEmpty, "nothing is exported without metadata or names")
        let blob = try Linker.link([object], configuration: LinkerConfiguration(exportedSymbols: ["twice", "helper"]))
        #expect(blob.exports.map { String(decoding: $0.symbol.bytes, as: UTF8.self) } == ["twice", "helper"])
        let instance = try instantiate([object], configuration: LinkerConfiguration(exportedSymbols: ["twice", "helper"]))
        #expect(try instance.call("twice", [10]).a0 == 62)
        #expect(try instance.call("helper", [4]).a0 == 13)
    }

    @Test("A name also exported through .polkavm_exports is exported once; a clash with another function is an error")
    func duplicateNames() throws {
        let declared = try assemble(program([("f", "add a0, a0, a1\nret"), ("g", "sub a0, a0, a1\nret")], rv64: true), rv64: true)
        let blob = try Linker.link([declared], configuration: LinkerConfiguration(exportedSymbols: ["f", "f"]))
        #expect(blob.exports.count == 2)
        let renamed = try assemble(program([("f", "add a0, a0, a1\nret")], rv64: true)
                                   + "\n.text\n.globl h\n.type h,@function\nh:\nsub a0, a0, a1\nret\n", rv64: true)
        // `h` exported under its own name is fine; the metadata's `f` and the symbol `f` are the same function.
        #expect(try Linker.link([renamed], configuration: LinkerConfiguration(exportedSymbols: ["h", "f"])).exports.count == 2)
        // The metadata exports the name `f` for the function `h`: `--export f` means another function.
        let source = program([("f", "add a0, a0, a1\nret")], rv64: true)
        let clash = source.replacingOccurrences(of: "  .quad f\n", with: "  .quad h\n") + "\n.text\n.globl h\nh:\nsub a0, a0, a1\nret\n"
        try #require(clash.contains(".quad h"), "the export record's layout changed")
        #expect {
            try Linker.link([try assemble(clash, rv64: true)], configuration: LinkerConfiguration(exportedSymbols: ["f"]))
        } throws: { ($0 as? LinkerError)?.message.contains("exported twice") == true }
    }

    @Test("Unknown names, data symbols and ambiguous local names are errors that name the symbol")
    func errors() throws {
        let object = try compileC(plainC, rv64: true)
        for (name, expected) in [("nosuch", "no such symbol"), ("counter", "not in the code")] {
            #expect {
                try Linker.link([object], configuration: LinkerConfiguration(exportedSymbols: [name]))
            } throws: { error in
                let e = error as? LinkerError
                return e?.symbol == name && e?.message.contains(expected) == true
            }
        }
        // The same static name in two objects, and no global one: which to export is ambiguous.
        let other = try compileC("static long helper(long x) { return x; }\nlong (*volatile keep2)(long) = helper;\n", rv64: true)
        #expect {
            try Linker.link([object, other], configuration: LinkerConfiguration(exportedSymbols: ["helper"]))
        } throws: { ($0 as? LinkerError)?.message.contains("2 local functions") == true }
    }
}
