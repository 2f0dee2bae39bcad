import PolkaVM
import PolkaVMLinker
import PolkaVMProgram
import Testing

/// Inputs in the shapes GNU ld gives (docs/LINKER.md, "GNU toolchain"), hand-crafted with ELFBuilder
/// so that the tests need no GNU tools. tools/difftest/run.sh --toolchain gnu checks the real thing.
@Suite("GNU ld input shapes")
struct GNUToolchainTests {
    /// R_RISCV_* numbers used here.
    static let none: UInt32 = 0, abs32: UInt32 = 1, abs64: UInt32 = 2, pcrelHi20: UInt32 = 23, pcrelLo12I: UInt32 = 24
    static let gprelI: UInt32 = 47, gprelS: UInt32 = 48, relax: UInt32 = 51

    /// Adds `.polkavm_metadata` and `.polkavm_exports` sections (at `meta` and `exports`) exporting the
    /// symbol `main`, with their relocations; `at(base, offset)` is a symbol value or relocation offset.
    static func exportMain(_ elf: inout ELFBuilder, meta: UInt64, exports: UInt64, at: (UInt64, UInt64) -> UInt64) {
        let p = elf.is64 ? 8 : 4
        func le(_ x: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: x >> UInt64(8 * $0)) } }
        let a = ELFBuilder.alloc, wr = ELFBuilder.write
        elf.sections += [
            .init(name: ".polkavm_metadata", flags: a | wr, address: meta, data: Array("main".utf8) + [1] + le(0, 4) + le(4, 4) + le(0, p) + [0, 1],
                  alignment: 1),
            .init(name: ".polkavm_exports", flags: a | wr, address: exports, data: [1] + le(0, 2 * p), alignment: 1),
        ]
        elf.symbols += [
            .init(name: "main_name", value: at(meta, 0), binding: 0, type: 1, section: ".polkavm_metadata"),
            .init(name: "main_meta", value: at(meta, 4), binding: 0, type: 1, section: ".polkavm_metadata"),
        ]
        let ptrType = elf.is64 ? abs64 : abs32
        elf.relocations[".polkavm_metadata"] = [.init(offset: at(meta, 4 + 9), type: ptrType, symbol: "main_name")]
        elf.relocations[".polkavm_exports"] = [.init(offset: at(exports, 1), type: ptrType, symbol: "main_meta"),
                                               .init(offset: at(exports, UInt64(1 + p)), type: ptrType, symbol: "main")]
    }

    /// A linked executable (or, with `relocatable`, an object) in the form GNU ld's gp relaxation leaves:
    /// `main` reaches `.sdata` through gp (`R_RISCV_GPREL_I/S` whose addend has gp subtracted, next to the
    /// `R_RISCV_NONE`/`RELAX` entries of the deleted `lui`) and a low `.srodata` word through x0.
    /// `main` returns w + (w + 1) + low + z-after-storing-zero = 1234 + 1235 + 7 + 0.
    static func gpRelaxed(rv64: Bool, relocatable: Bool = false, globalPointer: Bool = true,
                          replace: [Int: UInt32] = [:], extraText: [ELFBuilder.Relocation] = []) -> [UInt8] {
        let p = rv64 ? 8 : 4
        let dw = rv64
        let text: UInt64 = 0x10000, sdata: UInt64 = 0x11000, srodata: UInt64 = 0x200, meta: UInt64 = 0x12000, exports: UInt64 = 0x12100
        let gp: UInt64 = sdata + 0x800
        let (a0, a1, a2, a3, a4, a5): (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (10, 11, 12, 13, 14, 15)
        func rel(_ v: UInt64) -> Int32 { Int32(Int64(v) - Int64(gp)) }
        let v = sdata, w = sdata + UInt64(p), u = sdata + UInt64(2 * p), z = sdata + UInt64(3 * p)
        var words: [UInt32] = [
            RV.addi(a0, 3, rel(v)),                      // 0: addi a0, gp, %gprel(v)
            RV.load(a1, 3, rel(w), doubleword: dw),      // 4: l{w,d} a1, %gprel(w)(gp)
            RV.store(a1, a0, 0, doubleword: dw),         // 8
            RV.load(a2, a0, 0, doubleword: dw),          // 12
            RV.addi(a2, a2, 1),                          // 16
            RV.store(a2, 3, rel(u), doubleword: dw),     // 20: s{w,d} a2, %gprel(u)(gp)
            RV.load(a3, 3, rel(u), doubleword: dw),      // 24
            RV.load(a4, 0, Int32(srodata), doubleword: dw), // 28: x0 base
            RV.store(0, 3, rel(z), doubleword: dw),      // 32: s{w,d} zero, %gprel(z)(gp)
            RV.load(a5, 3, rel(z), doubleword: dw),      // 36
            RV.add(a0, a1, a3), RV.add(a0, a0, a4), RV.add(a0, a0, a5),
        ]
        for (k, word) in replace { words[k / 4] = word }
        let code = RV.bytes(words) + RV.ret
        func le(_ x: UInt64, _ n: Int) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: x >> UInt64(8 * $0)) } }
        let sdataBytes = le(0, p) + le(1234, p) + le(0, p) + le(99, p)

        var elf = ELFBuilder(is64: rv64, fileType: relocatable ? 1 : 2)
        let a = ELFBuilder.alloc, wr = ELFBuilder.write
        elf.sections = [
            .init(name: ".text", flags: a | ELFBuilder.exec, address: text, data: code, alignment: 2),
            .init(name: ".srodata", flags: a, address: srodata, data: le(7, p), alignment: UInt64(p)),
            .init(name: ".sdata", flags: a | wr, address: sdata, data: sdataBytes, alignment: UInt64(p)),
        ]
        // Addresses in a linked file; section offsets in an object.
        func at(_ base: UInt64, _ offset: UInt64) -> UInt64 { relocatable ? offset : base + offset }
        elf.symbols = [
            .init(name: "main", value: at(text, 0), size: UInt64(code.count), type: 2, section: ".text"),
            .init(name: "v", value: at(sdata, 0), size: UInt64(p), binding: 0, type: 1, section: ".sdata"),
            .init(name: "w", value: at(sdata, w - sdata), size: UInt64(p), binding: 0, type: 1, section: ".sdata"),
            .init(name: "u", value: at(sdata, u - sdata), size: UInt64(p), binding: 0, type: 1, section: ".sdata"),
            .init(name: "z", value: at(sdata, z - sdata), size: UInt64(p), binding: 0, type: 1, section: ".sdata"),
            .init(name: "low", value: at(srodata, 0), size: UInt64(p), binding: 0, type: 1, section: ".srodata"),
        ]
        if globalPointer { elf.symbols.append(.init(name: "__global_pointer$", value: at(sdata, 0x800), section: ".sdata")) }
        let minusGP = relocatable ? 0 : -Int64(gp)
        var textRelocs: [ELFBuilder.Relocation] = []
        for (offset, type, symbol, addend) in [(0, gprelI, "v", minusGP), (4, gprelI, "w", minusGP), (20, gprelS, "u", minusGP),
                                               (24, gprelI, "u", minusGP), (28, gprelI, "low", 0), (32, gprelS, "z", minusGP),
                                               (36, gprelI, "z", minusGP)] {
            let o = at(text, UInt64(offset))
            textRelocs += [.init(offset: o, type: none, symbol: nil, addend: 4), .init(offset: o, type: relax, symbol: nil),
                           .init(offset: o, type: type, symbol: symbol, addend: addend), .init(offset: o, type: relax, symbol: nil)]
        }
        elf.relocations[".text"] = textRelocs + extraText
        exportMain(&elf, meta: meta, exports: exports, at: at)
        return elf.build()
    }

    /// A shared object whose `main` loads `g` through a biased address, `auipc a0, %pcrel_hi(g - 8)` + `addi`
    /// + `lw a0, 8(a0)`, as GCC -O3 writes for pointers into arrays. `g - 8` lies in the section before `g`'s:
    /// `.dynamic` (not loaded) or `.rodata` (loaded, and placed elsewhere than `.data` in the blob).
    static func biasedAddress(rv64: Bool, neighbour: String) -> [UInt8] {
        let text: UInt64 = 0x1000, before: UInt64 = 0x2000, data: UInt64 = 0x2010
        let auipcA0: UInt32 = 10 << 7 | 0x17
        let code = RV.bytes([auipcA0, RV.addi(10, 10, 0), RV.load(10, 10, 8, doubleword: false)]) + RV.ret
        var elf = ELFBuilder(is64: rv64, fileType: 3)
        let a = ELFBuilder.alloc, wr = ELFBuilder.write
        elf.sections = [
            .init(name: ".text", flags: a | ELFBuilder.exec, address: text, data: code, alignment: 2),
            neighbour == ".dynamic"
                ? .init(name: ".dynamic", type: 6, flags: a | wr, address: before, data: [UInt8](repeating: 0, count: 16), alignment: 8)
                : .init(name: neighbour, flags: a, address: before, data: [UInt8](repeating: 0xEE, count: 16), alignment: 8),
            .init(name: ".data", flags: a | wr, address: data, data: [0x92, 0x10, 0, 0, 0, 0, 0, 0], alignment: 8), // g = 4242
        ]
        elf.symbols = [
            .init(name: "main", value: text, size: UInt64(code.count), type: 2, section: ".text"),
            .init(name: ".L0 ", value: text, binding: 0, section: ".text"),
            .init(name: "g", value: data, size: 8, binding: 0, type: 1, section: ".data"),
        ]
        elf.relocations[".text"] = [
            .init(offset: text, type: pcrelHi20, symbol: "g", addend: -8), .init(offset: text, type: relax, symbol: nil),
            .init(offset: text + 4, type: pcrelLo12I, symbol: ".L0 "), .init(offset: text + 4, type: relax, symbol: nil),
        ]
        exportMain(&elf, meta: 0x3000, exports: 0x3100, at: { $0 + $1 })
        return elf.build()
    }

    func run(_ elf: [UInt8]) throws -> UInt64 {
        let instance = try instantiate([elf])
        return try instance.call("main", []).a0
    }

    func linkError(_ elf: [UInt8]) -> LinkerError? {
        do { _ = try Linker.link([elf]); return nil } catch { return error }
    }

    @Test("GNU ld gp relaxation: R_RISCV_GPREL_I/S loads, stores and addresses (gp and x0 bases)", arguments: [false, true])
    func gpRelative(rv64: Bool) throws {
        #expect(try run(Self.gpRelaxed(rv64: rv64)) == 2476)
    }

    @Test("GPREL relocations without __global_pointer$, in objects, or on other instructions are errors")
    func gpRelativeErrors() throws {
        let noGP = linkError(Self.gpRelaxed(rv64: false, globalPointer: false))
        #expect(noGP?.kind == .unsupportedRelocation)
        #expect(noGP?.message.contains("__global_pointer$") == true)
        #expect(noGP?.message.contains("R_RISCV_GPREL_I") == true)

        let object = linkError(Self.gpRelaxed(rv64: true, relocatable: true))
        #expect(object?.kind == .unsupportedRelocation)
        #expect(object?.message.contains("relocatable object") == true)

        // `xori a0, gp, %gprel(v)` makes no sense.
        let xori = linkError(Self.gpRelaxed(rv64: false, replace: [0: RV.xori(10, 3, -2048)]))
        #expect(xori?.kind == .unsupportedRelocation)
        #expect(xori?.message.contains("other than addi") == true)

        // A base register other than gp or x0 is not GNU ld's form.
        let otherBase = linkError(Self.gpRelaxed(rv64: false, replace: [4: RV.load(11, 12, 0, doubleword: false)]))
        #expect(otherBase?.kind == .unsupportedRelocation)
        #expect(otherBase?.message.contains("neither gp nor zero") == true)
    }

    @Test("A symbol plus an addend outside its section stays relative to that section (GCC's g - 8)",
          arguments: [false, true], [".dynamic", ".rodata"])
    func biasedSymbolAddress(rv64: Bool, neighbour: String) throws {
        #expect(try run(Self.biasedAddress(rv64: rv64, neighbour: neighbour)) == 4242)
    }

    @Test("R_RISCV_NONE entries outside their section are skipped (ld.lld --gc-sections --emit-relocs leaves them at offset 0)")
    func noneAtOffsetZero() throws {
        let elf = Self.gpRelaxed(rv64: false, extraText: [.init(offset: 0, type: Self.none, symbol: nil)])
        #expect(try run(elf) == 2476)
    }
}
