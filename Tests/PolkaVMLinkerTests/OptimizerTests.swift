import PolkaVM
import PolkaVMLinker
import PolkaVMProgram
import Testing

/// Constants the folding tests load (`li`; the large ones take several RISC-V instructions on RV64).
let foldConstants: [Int64] = [0, 1, -1, 5, 31, 32, 63, 64, 0x7FF, -2048, 0x7FFF_FFFF, -0x8000_0000, 0xFFFF_FFFF,
                              0x8000_0000, 0x1_0000_0000, 0x0123_4567_89AB_CDEF, Int64.min]

let foldRegOps = ["add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and", "mul", "mulh", "mulhu", "mulhsu",
                  "div", "divu", "rem", "remu", "andn", "orn", "xnor", "min", "max", "minu", "maxu", "rol", "ror"]
let foldRegOps64 = ["addw", "subw", "sllw", "srlw", "sraw", "mulw", "divw", "divuw", "remw", "remuw", "rolw", "rorw"]
let foldImmOps: [(String, [Int])] = [
    ("addi", [0, 1, -1, 2047, -2048]), ("slti", [0, 5, -1]), ("sltiu", [0, 5, -1]), ("xori", [0, -1, 0x555]),
    ("ori", [0, -1, 0x700]), ("andi", [0, -1, 0xF0]), ("slli", [0, 1, 31]), ("srli", [0, 1, 31]), ("srai", [0, 1, 31]), ("rori", [1, 17]),
]
let foldImmOps64: [(String, [Int])] = [
    ("addiw", [0, 1, -1, 2047]), ("slliw", [0, 1, 31]), ("srliw", [0, 1, 31]), ("sraiw", [0, 1, 31]), ("roriw", [1, 17]),
    ("slli", [32, 63]), ("srli", [32, 63]), ("srai", [32, 63]), ("rori", [33, 63]),
]
let foldBranches = ["beq", "bne", "blt", "bge", "bltu", "bgeu"]
let foldStores: [(store: String, load: String, bytes: Int)] = [("sb", "lbu", 1), ("sh", "lhu", 2), ("sw", "lw", 4), ("sd", "ld", 8)]

/// Functions f(a0, a1) -> a0 in which constants meet every foldable operation, in every operand position.
func foldingFunctions(rv64: Bool) -> [(name: String, body: String)] {
    let consts = rv64 ? foldConstants : Array(Set(foldConstants.map { Int64(Int32(truncatingIfNeeded: $0)) })).sorted()
    var fs: [(name: String, body: String)] = []
    func name(_ parts: Any...) -> String { "f_" + parts.map { "\($0)".replacingOccurrences(of: "-", with: "m") }.joined(separator: "_") }
    for op in foldRegOps + (rv64 ? foldRegOps64 : []) {
        for (k, c) in consts.enumerated() {
            let c2 = consts[(k * 7 + 3) % consts.count]
            fs.append((name(op, k, "b"), "li t0, \(c)\n\(op) a0, a0, t0\nli t0, 0\nret"))
            fs.append((name(op, k, "a"), "li t0, \(c)\n\(op) a0, t0, a0\nli t0, 0\nret"))
            fs.append((name(op, k, "ab"), "li t0, \(c)\nli t1, \(c2)\n\(op) a0, t0, t1\nli t0, 0\nli t1, 0\nret"))
        }
    }
    for (op, imms) in foldImmOps + (rv64 ? foldImmOps64 : []) {
        for (k, c) in consts.enumerated() {
            for imm in imms {
                fs.append((name(op, k, imm), "li t0, \(c)\n\(op) a0, t0, \(imm)\nli t0, 0\nret"))
            }
        }
    }
    for br in foldBranches {
        for (k, c) in consts.enumerated() {
            fs.append((name(br, k, "b"), "li t0, \(c)\n\(br) a0, t0, 1f\nli a0, 10\nli t0, 0\nret\n1: li a0, 20\nli t0, 0\nret"))
            fs.append((name(br, k, "a"), "li t0, \(c)\n\(br) t0, a0, 1f\nli a0, 10\nli t0, 0\nret\n1: li a0, 20\nli t0, 0\nret"))
        }
    }
    // Stores of constants to constant addresses, read back (the load's base is a constant too).
    for (st, ld, bytes) in foldStores where rv64 || bytes < 8 {
        for (k, c) in consts.enumerated() {
            fs.append((name(st, k), """
            lui t0, %hi(fold_buffer)
            li t1, \(c)
            \(st) t1, %lo(fold_buffer)(t0)
            \(st) a0, %lo(fold_buffer+8)(t0)
            \(ld) a0, %lo(fold_buffer)(t0)
            \(ld) t1, %lo(fold_buffer+8)(t0)
            add a0, a0, t1
            li t0, 0
            li t1, 0
            ret
            """))
        }
    }
    return fs
}

@Suite("Linker optimizations (constant folding, dead definitions)")
struct OptimizerTests {
    static let inputs: [UInt64] = [0, 1, 2, 5, 31, 32, 63, UInt64(bitPattern: -1), UInt64(bitPattern: -5), 0x7FFF_FFFF, 0x8000_0000,
                                   0xFFFF_FFFF, 0x1_0000_0000, 0x8000_0000_0000_0000, 0x0123_4567_89AB_CDEF]

    /// Every folded operation gives the result of the unoptimized translation.
    @Test("folding agrees with level 0 on every operation and operand position", arguments: [true, false])
    func foldingMatchesLevel0(rv64: Bool) throws {
        let functions = foldingFunctions(rv64: rv64)
        let source = program(functions, rv64: rv64, prelude: ".bss\n.p2align 3\nfold_buffer: .zero 16\n")
        let object = try assemble(source, rv64: rv64)
        let instances = try [0, 1, 2].map { opt in
            try Module(engine: Engine(), bytes: Linker.link([object], configuration: LinkerConfiguration(optimizationLevel: opt)).serialized(),
                       configuration: testModuleConfiguration).instantiate()
        }
        let o0 = try Linker.link([object], configuration: LinkerConfiguration(strip: true, optimizationLevel: 0))
        let o2 = try Linker.link([object], configuration: LinkerConfiguration(strip: true, optimizationLevel: 2))
        #expect(o2.code.code.count < o0.code.code.count * 4 / 5, "folding saved too little: \(o0.code.code.count) -> \(o2.code.code.count)")
        var mismatches = 0
        for f in functions {
            for input in Self.inputs {
                let a = rv64 ? input : input & 0xFFFF_FFFF
                let results = try instances.map { instance in
                    instance.gas = 1_000_000
                    return try instance.call(f.name, [a, 0]).a0 & (rv64 ? UInt64.max : 0xFFFF_FFFF)
                }
                if results[1] != results[0] || results[2] != results[0] {
                    mismatches += 1
                    if mismatches < 20 { Issue.record("\(f.name)(0x\(String(a, radix: 16))): O0 \(results[0]), O1 \(results[1]), O2 \(results[2])") }
                }
            }
        }
        #expect(mismatches == 0)
    }

    /// The instructions of the exported function `name` (up to its first `jump_indirect`).
    func instructions(_ blob: ProgramBlob, _ name: String) throws -> [Instruction] {
        let export = try #require(blob.exports.first { $0.symbol.description == name })
        var out: [Instruction] = []
        for d in blob.code.linearWalk() where d.pc >= export.pc {
            out.append(d.instruction)
            if d.instruction.opcode == .jumpIndirect { break }
        }
        return out
    }

    func link(_ functions: [(name: String, body: String)], rv64: Bool = true, opt: Int = 2, prelude: String = "") throws -> ProgramBlob {
        try Linker.link([try assemble(program(functions, rv64: rv64, prelude: prelude), rv64: rv64)],
                        configuration: LinkerConfiguration(strip: true, optimizationLevel: opt))
    }

    @Test("a lui/addi pair used once becomes one immediate operand; level 0 keeps the one-to-one translation")
    func luiAddiFolds() throws {
        let body = "lui a1, 0x18\naddi a1, a1, 0x6a1\nadd a0, a0, a1\nli a1, 0\nret"
        let o2 = try instructions(link([("f", body)]), "f")
        #expect(o2.map(\.opcode) == [.addImm64, .loadImm, .jumpIndirect])
        #expect(o2[0].imm1 == 0x186A1)
        let o0 = try instructions(link([("f", body)], opt: 0), "f")
        #expect(o0.map(\.opcode) == [.loadImm, .addImm64, .add64, .loadImm, .jumpIndirect])
        let module = try Module(engine: Engine(), bytes: link([("f", body)]).serialized(), configuration: testModuleConfiguration)
        #expect(try metered(module).call("f", [1, 0]).a0 == 0x186A2)
    }

    @Test("a constant stored through a constant address becomes store_imm; a loaded-then-overwritten register keeps its load")
    func memoryForms() throws {
        let prelude = ".bss\n.p2align 3\nbuf: .zero 8\n"
        let f = try instructions(link([("f", "lui t0, %hi(buf)\nli t1, 7\nsw t1, %lo(buf)(t0)\nlw a0, %lo(buf)(t0)\nli t0, 0\nli t1, 0\nret")], prelude: prelude), "f")
        #expect(f.contains { $0.opcode == .storeImmIndirectU32 || $0.opcode == .storeImmU32 })
        #expect(!f.contains { $0.opcode == .storeIndirectU32 || ($0.opcode == .loadImm && $0.imm1 == 7) })
        // The load may fault: it stays although its result is dead.
        let g = try link([("g", "lw a1, 0(a0)\nli a1, 3\nmv a0, a1\nret")])
        #expect(try instructions(g, "g").contains { $0.opcode == .loadIndirectI32 })
        let module = try Module(engine: Engine(), bytes: g.serialized(), configuration: testModuleConfiguration)
        #expect(throws: CallError.self) { try metered(module).call("g", [0, 0]) }
    }

    @Test("constants are not carried into a block with several predecessors; definitions live on another path stay", arguments: [true, false])
    func joins(rv64: Bool) throws {
        let blob = try link([
            ("join", "li a1, 5\nbeqz a0, 1f\nli a1, 7\n1: add a0, a0, a1\nli a1, 0\nret"),
            ("path", "li a1, 5\nbeqz a0, 1f\nli a1, 6\n1: mv a0, a1\nret"),
        ], rv64: rv64)
        let module = try Module(engine: Engine(), bytes: blob.serialized(), configuration: testModuleConfiguration)
        #expect(try metered(module).call("join", [0, 0]).a0 == 5)
        #expect(try metered(module).call("join", [3, 0]).a0 == 10)
        #expect(try metered(module).call("path", [0, 0]).a0 == 5)
        #expect(try metered(module).call("path", [3, 0]).a0 == 6)
        #expect(try instructions(blob, "path").filter { $0.opcode == .loadImm }.count == 2)
    }

    @Test("calls and host calls end what is known about registers", arguments: [true, false])
    func callsClobber(rv64: Bool) throws {
        let ptr = rv64 ? ".quad" : ".word"
        let prelude = importDecl("host", rv64: rv64) + """

        clobber:
          li a1, 100
          ret
        """
        let blob = try link([
            ("viaCall", "addi sp, sp, -16\n\(rv64 ? "sd" : "sw") ra, 0(sp)\nli a1, 5\ncall clobber\nadd a0, a0, a1\n\(rv64 ? "ld" : "lw") ra, 0(sp)\naddi sp, sp, 16\nret"),
            ("viaHost", "li a1, 5\n.word 0x0000000b\n\(ptr) .Limeta_host\nadd a0, a0, a1\nret"),
        ], rv64: rv64, prelude: prelude)
        let module = try Module(engine: Engine(), bytes: blob.serialized(), configuration: testModuleConfiguration)
        #expect(try metered(module).call("viaCall", [1, 0]).a0 == 101)
        var host = HostFunctions()
        host.defineRaw("host") { instance in instance.setRegister(.a1, 1000) }
        #expect(try metered(module).call("viaHost", [1, 0], host: host).a0 == 1001)
    }

    @Test("64-bit constants that no 32-bit immediate represents are not folded into immediates")
    func wideConstants() throws {
        let blob = try link([("f", "li a1, -1\nsrli a1, a1, 32\nand a0, a0, a1\nli a1, 0\nret"),
                             ("g", "li a1, 0x7fffffff\naddiw a0, a1, 1\nret")])
        let module = try Module(engine: Engine(), bytes: blob.serialized(), configuration: testModuleConfiguration)
        #expect(try metered(module).call("f", [UInt64.max, 0]).a0 == 0xFFFF_FFFF)
        #expect(try metered(module).call("g", [0, 0]).a0 == 0xFFFF_FFFF_8000_0000)
        #expect(try instructions(blob, "f").allSatisfy { $0.opcode != .andImm })
    }

    @Test("calls of host-call stubs become the ecalli when the link register is dead after the call", arguments: [true, false])
    func hostCallStubs(rv64: Bool) throws {
        let st = rv64 ? "sd" : "sw", ld = rv64 ? "ld" : "lw"
        let prelude = importDecl("twice", rv64: rv64, inputs: 1)
        let functions = [
            // ra is reloaded before it is read again: the call becomes `ecalli`, the stub and the return
            // block's jump-table entry go.
            ("f", "addi sp, sp, -16\n\(st) ra, 0(sp)\ncall twice\naddi a0, a0, 1\n\(ld) ra, 0(sp)\naddi sp, sp, 16\nret"),
            // ra (the return address) is read after the call: it stays a call.
            ("g", "mv t0, ra\ncall twice\nadd a0, a0, ra\nmv ra, t0\nret"),
        ]
        var host = HostFunctions()
        host.define("twice") { _, a0 in a0 &* 2 }
        let o0 = try link([functions[0]], rv64: rv64, opt: 0, prelude: prelude)
        let o2 = try link([functions[0]], rv64: rv64, prelude: prelude)
        #expect(try instructions(o2, "f").map(\.opcode) == [.addImm32, .storeIndirectU32, .ecalli, .addImm32, .loadIndirectI32, .addImm32, .jumpIndirect]
                    .map { rv64 ? [.addImm32: .addImm64, .storeIndirectU32: .storeIndirectU64, .loadIndirectI32: .loadIndirectU64][$0] ?? $0 : $0 })
        #expect(o2.code.jumpTable.count < o0.code.jumpTable.count)
        #expect(!o2.code.linearWalk().contains { $0.instruction.opcode == .loadImmAndJump })
        for blob in [o0, o2] {
            let module = try Module(engine: Engine(), bytes: blob.serialized(), configuration: testModuleConfiguration)
            #expect(try metered(module).call("f", [20, 0], host: host).a0 == 41)
        }
        let g = try link([functions[1]], rv64: rv64, prelude: prelude)
        #expect(try instructions(g, "g").contains { $0.opcode == .loadImmAndJump })
        let module = try Module(engine: Engine(), bytes: g.serialized(), configuration: testModuleConfiguration)
        let result = try metered(module).call("g", [20, 0], host: host).a0
        #expect(result > 40 && (result - 40) % 2 == 0, "a0 + the return address's jump-table address")
    }
}
