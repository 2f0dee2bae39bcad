import Testing

import PolkaVM

/// The embedding API: export calls by name, host functions bound to imports, call errors (SPEC §9).
@Suite struct HostCallTests {
    /// Exports: main (a0 ← sum3(double(a0), a1, a2)), six (a0 ← six args), missing (ecalli 2), unknown (ecalli 9),
    /// crash (trap), args (ecalli 3 to inspect registers), mem (ecalli 4, then load from the RW region).
    private func module(_ isa: InstructionSetKind = .latest64, gas: Bool = false) throws -> Module {
        let source = """
            %rw_data_size = 16
            %rw_data = 11 22 33 44
            %stack_size = 0x1000
            pub @main:
                ecalli 0
                ecalli 1
                ret
            pub @six:
                ecalli 5
                ret
            pub @missing:
                ecalli 2
                ret
            pub @unknown:
                ecalli 9
                ret
            pub @crash:
                a0 = 1
                trap
            pub @args:
                ecalli 3
                ret
            pub @mem:
                ecalli 4
                a0 = u16 [a0]
                ret
            pub @spin:
                jump @spin
            """
        var blob = try Assembler.assemble(source, isa: isa)
        blob.imports = ["double", "sum3", "missing", "inspect", "poke", "sum6"].map { ProgramSymbol($0) }
        var configuration = config(gas: gas, paging: false)
        configuration.strict = true
        return try Module(engine: testEngine, bytes: blob.serialized(), configuration: configuration)
    }

    private func host(_ log: Log = Log()) -> HostFunctions {
        var h = HostFunctions()
        h.define("double") { (_: Instance, x: UInt64) in x &* 2 }
        h.define("sum3") { (_: Instance, a: UInt64, b: UInt64, c: UInt64) in a &+ b &+ c }
        h.define("sum6") { (_: Instance, a: UInt64, b: UInt64, c: UInt64, d: UInt64, e: UInt64, f: UInt64) in a + b + c + d + e + f }
        h.defineRaw("inspect") { vm in log.registers = vm.registers }
        h.define("poke") { (vm: Instance) -> UInt64 in
            let address = vm.module.memoryMap!.rwDataAddress + 4
            try vm.write(UInt32(0xCAFE_F00D), at: address)
            return UInt64(address)
        }
        return h
    }

    final class Log: @unchecked Sendable { var registers: [UInt64] = [] }

    @Test(arguments: [InstructionSetKind.latest32, .latest64])
    func callExportsByName(isa: InstructionSetKind) throws {
        let m = try module(isa)
        #expect(m.exports.map(\.symbol.description).sorted() == ["args", "crash", "main", "mem", "missing", "six", "spin", "unknown"])
        let vm = m.instantiate()
        let (a0, a1) = try vm.call("main", [5, 10, 20], host: host())
        #expect(a0 == 40)
        #expect(a1 == 10)
        // ecalli 5 names import 5, "sum6".
        #expect(try vm.call("six", [1, 2, 3, 4, 5, 6], host: host()).a0 == 21)
        // Host memory access from a host function, then a guest load.
        #expect(try vm.call("mem", [], host: host()).a0 == 0xF00D)
        let rw = try #require(m.memoryMap).rwDataAddress
        #expect(rw == 0x20000)
        #expect(try vm.readMemory(at: rw, count: 8) == [0x11, 0x22, 0x33, 0x44, 0x0D, 0xF0, 0xFE, 0xCA])
    }

    @Test func callingConventionRegisters() throws {
        let m = try module()
        let vm = m.instantiate()
        let log = Log()
        try vm.call("args", [1, 2, 3, 4, 5, 6, 7, 8, 9], host: host(log))
        let r = log.registers
        #expect(r.count == 13)
        #expect(r[Int(Reg.ra.rawValue)] == 0xFFFF_0000)
        #expect(r[Int(Reg.sp.rawValue)] == UInt64(try #require(m.memoryMap).stackAddressHigh))
        #expect(Reg.argumentRegisters.map { r[Int($0.rawValue)] } == [1, 2, 3, 4, 5, 6, 7, 8, 9])
        #expect(r[Int(Reg.s0.rawValue)] == 0 && r[Int(Reg.s1.rawValue)] == 0)
        // A second call starts from zeroed registers again.
        vm[.s0] = 77
        try vm.call("args", [], host: host(log))
        #expect(log.registers[Int(Reg.s0.rawValue)] == 0)
        #expect(log.registers[Int(Reg.a0.rawValue)] == 0)
    }

    @Test func callErrors() throws {
        let m = try module()
        let vm = m.instantiate()
        do {
            let error = callError { _ = try vm.call("nope", [], host: host()) }
            var matched = false
            if case .unknownExport("nope")? = error { matched = true }
            #expect(matched, "unexpected: \(String(describing: error))")
        }
        do {
            let error = callError { _ = try vm.call("missing", [], host: host()) }
            var matched = false
            if case .unresolvedImport("missing")? = error { matched = true }
            #expect(matched, "unexpected: \(String(describing: error))")
        }
        do {
            let error = callError { _ = try vm.call("unknown", [], host: host()) }
            var matched = false
            if case .unknownImport(index: 9, _)? = error { matched = true }
            #expect(matched, "unexpected: \(String(describing: error))")
        }
        let crashPC = try #require(m.export(named: "crash")).pc
        do {
            let error = callError { _ = try vm.call("crash", [], host: host()) }
            if case .trap(pc: let pc)? = error { #expect(pc == crashPC + 3) } else { Issue.record("unexpected: \(String(describing: error))") }
        }
        #expect(vm[.a0] == 1, "the guest state is left as the trap left it")
        do {
            let error = callError { _ = try vm.call("main", Array(repeating: 1, count: 10), host: host()) }
            var matched = false
            if case .tooManyArguments(10)? = error { matched = true }
            #expect(matched, "unexpected: \(String(describing: error))")
        }
        struct Boom: Error {}
        var failing = HostFunctions()
        failing.defineRaw("double") { _ in throw Boom() }
        do {
            let error = callError { _ = try vm.call("main", [1], host: failing) }
            if case .hostFunctionFailed(name: "double", error: let e)? = error { #expect(e is Boom) } else { Issue.record("unexpected: \(String(describing: error))") }
        }
        // The module still works afterwards.
        #expect(try vm.call("main", [1, 1, 1], host: host()).a0 == 4)
    }

    @Test func outOfGasDuringACall() throws {
        let m = try module(gas: true)
        let vm = m.instantiate()
        vm.gas = 1000
        do {
            let error = callError { _ = try vm.call("spin", [], host: host()) }
            var matched = false
            if case .outOfGas? = error { matched = true }
            #expect(matched, "unexpected: \(String(describing: error))")
        }
        #expect(vm.gas == 0)
        vm.gas = 10
        #expect(try vm.call("main", [2, 0, 0], host: host()).a0 == 4)
        #expect(vm.gas == 7)
        // A host function may make the gas negative: the call stops with outOfGas.
        var h = host()
        h.define("double") { (vm: Instance, x: UInt64) in vm.gas = -1; return x }
        do {
            let error = callError { _ = try vm.call("main", [2, 0, 0], host: h) }
            var matched = false
            if case .outOfGas? = error { matched = true }
            #expect(matched, "unexpected: \(String(describing: error))")
        }
    }

    @Test func lowLevelPrepareCallAndRun() throws {
        let m = try module()
        let vm = m.instantiate()
        let main = try #require(m.export(named: "main"))
        try vm.prepareCall(pc: main.pc, arguments: [3, 4, 5])
        #expect(vm.nextProgramCounter == main.pc)
        #expect(vm.run() == .ecalli(0))
        vm[.a0] = vm[.a0] * 2
        #expect(vm.run() == .ecalli(1))
        vm[.a0] = vm[.a0] + vm[.a1] + vm[.a2]
        #expect(vm.run() == .finished)
        #expect(vm[.a0] == 15)
        #expect(throws: CallError.self) { try vm.prepareCall(pc: 0, arguments: Array(repeating: 0, count: 10)) }
    }

    @Test func unknownExportNameOnAModuleWithoutExports() throws {
        let m = try Module(engine: testEngine, code: try code([ret], isa: .jamV1).code)
        #expect(m.exports.isEmpty && m.imports.isEmpty)
        #expect(m.export(named: "main") == nil)
        let vm = m.instantiate()
        #expect(throws: CallError.self) { try vm.call("main") }
    }
}

/// The error a call throws, if any.
func callError(_ body: () throws -> Void) -> CallError? {
    do {
        try body()
        return nil
    } catch {
        if let e = error as? CallError { return e }
        Issue.record("not a CallError: \(error)")
        return nil
    }
}
