import PolkaVM
import PolkaVMLinker
import PolkaVMProgram
import Testing

let testInputs: [(UInt64, UInt64)] = [
    (0, 0), (1, 2), (UInt64(bitPattern: -1), 5), (0x8000_0000_0000_0000, UInt64(bitPattern: -1)),
    (0x1234_5678_9ABC_DEF0, 13), (7, 0), (UInt64(bitPattern: -7), 2), (0xFFFF_FFFF, 0x8000_0001),
    (0x8000_0000, UInt64(bitPattern: -1)), (0x00FF_0000_0100_0080, 0x0000_0001_0000_0021), (100, 100), (3, UInt64(bitPattern: -3)),
]

let helperPrelude = ".text\n.globl helper_double\nhelper_double:\nadd a0, a0, a0\nret\n"

/// The linked blob with every instruction case for one width (built once).
func instructionBlob(rv64: Bool, opt: Int) throws -> [UInt8] {
    let cases = instructionCases.filter { rv64 ? $0.ref64 != nil : $0.ref32 != nil }
    let functions = cases.map { c in
        (name: c.name, body: c.body.replacingOccurrences(of: "sd_or_sw", with: rv64 ? "sd" : "sw")
            .replacingOccurrences(of: "ld_or_lw", with: rv64 ? "ld" : "lw"))
    }
    let object = try assemble(program(functions, rv64: rv64, prelude: helperPrelude), rv64: rv64)
    return try Linker.link([object], configuration: LinkerConfiguration(optimizationLevel: opt)).serialized()
}

let rv64Blobs: [Int: Result<[UInt8], any Error>] = [0: Result { try instructionBlob(rv64: true, opt: 0) }, 2: Result { try instructionBlob(rv64: true, opt: 2) }]
let rv32Blobs: [Int: Result<[UInt8], any Error>] = [0: Result { try instructionBlob(rv64: false, opt: 0) }, 2: Result { try instructionBlob(rv64: false, opt: 2) }]

@Suite("RISC-V instructions, linked and run")
struct InstructionTests {
    @Test("RV64", arguments: instructionCases.filter { $0.ref64 != nil }, [0, 2])
    func rv64(_ c: InstructionCase, opt: Int) throws {
        let bytes = try rv64Blobs[opt]!.get()
        let module = try Module(engine: Engine(), bytes: bytes, configuration: testModuleConfiguration)
        #expect(module.isa == .latest64)
        for (a, b) in testInputs {
            let instance = metered(module)
            let result = try instance.call(c.name, [a, b])
            #expect(result.a0 == c.ref64!(a, b), "\(c.name)(0x\(String(a, radix: 16)), 0x\(String(b, radix: 16)))")
        }
    }

    @Test("RV32", arguments: instructionCases.filter { $0.ref32 != nil }, [0, 2])
    func rv32(_ c: InstructionCase, opt: Int) throws {
        let bytes = try rv32Blobs[opt]!.get()
        let module = try Module(engine: Engine(), bytes: bytes, configuration: testModuleConfiguration)
        #expect(module.isa == .latest32)
        for (a64, b64) in testInputs {
            let a = UInt32(truncatingIfNeeded: a64), b = UInt32(truncatingIfNeeded: b64)
            let instance = metered(module)
            let result = try instance.call(c.name, [UInt64(a), UInt64(b)])
            #expect(UInt32(truncatingIfNeeded: result.a0) == c.ref32!(a, b), "\(c.name)(0x\(String(a, radix: 16)), 0x\(String(b, radix: 16)))")
        }
    }

    @Test("A extension", arguments: atomicCases, [true, false])
    func atomics(_ c: AtomicCase, rv64: Bool) throws {
        if c.doubleword && !rv64 { return }
        let st = c.doubleword ? "sd" : "sw", ld = c.doubleword ? "ld" : "lw"
        let body = """
        addi sp, sp, -16
        \(st) a0, 0(sp)
        mv a2, sp
        \(c.mnemonic) a0, a1, (a2)
        \(ld) a1, 0(sp)
        addi sp, sp, 16
        ret
        """
        // Also: the destination equal to an input register, and the zero register as destination.
        let body2 = """
        addi sp, sp, -16
        \(st) a0, 0(sp)
        mv a2, sp
        \(c.mnemonic) a1, a1, (a2)
        \(ld) a0, 0(sp)
        addi sp, sp, 16
        ret
        """
        let object = try assemble(program([("f", body), ("g", body2)], rv64: rv64), rv64: rv64)
        let module = try Module(engine: Engine(), bytes: try Linker.link([object]).serialized(), configuration: testModuleConfiguration)
        for (a, b) in testInputs {
            let a = rv64 ? a : UInt64(lo(a)), b = rv64 ? b : UInt64(lo(b))
            let r = try metered(module).call("f", [a, b])
            let r2 = try metered(module).call("g", [a, b])
            let old = c.doubleword ? a : sx(lo(a))
            let new = c.doubleword ? c.op(a, b) : sx(lo(c.op(a, b)))
            if rv64 {
                #expect(r.a0 == old && r.a1 == new, "\(c.mnemonic) \(a) \(b)")
                #expect(r2.a1 == old && r2.a0 == new, "\(c.mnemonic) (rd = rs2) \(a) \(b)")
            } else {
                #expect(lo(r.a0) == lo(old) && lo(r.a1) == lo(new), "\(c.mnemonic) \(a) \(b)")
                #expect(lo(r2.a1) == lo(old) && lo(r2.a0) == lo(new), "\(c.mnemonic) (rd = rs2) \(a) \(b)")
            }
        }
    }

    @Test("LR/SC", arguments: [true, false])
    func lrsc(rv64: Bool) throws {
        let (st, ld) = rv64 ? ("sd", "d") : ("sw", "w")
        let body = """
        addi sp, sp, -16
        \(st) a0, 0(sp)
        mv a2, sp
        lr.\(ld) a0, (a2)
        sc.\(ld) a3, a1, (a2)
        l\(ld) a1, 0(sp)
        add a0, a0, a3
        addi sp, sp, 16
        ret
        """
        let object = try assemble(program([("f", body)], rv64: rv64), rv64: rv64)
        let module = try Module(engine: Engine(), bytes: try Linker.link([object]).serialized(), configuration: testModuleConfiguration)
        let r = try metered(module).call("f", [41, 77])
        #expect(lo(r.a0) == 41 && lo(r.a1) == 77)
    }

    @Test("unimp, ebreak and c.ebreak trap", arguments: ["unimp", "ebreak", "c.ebreak"], [true, false])
    func traps(_ mnemonic: String, rv64: Bool) throws {
        let object = try assemble(program([("f", "\(mnemonic)\nret")], rv64: rv64), rv64: rv64)
        let instance = try instantiate([object])
        #expect(throws: CallError.self) { try instance.call("f", []) }
    }
}
