import Foundation
import PolkaVM
import PolkaVMLinker
import PolkaVMProgram
import Testing
import ToolRunner

/// The toolchain's clang, if any (`/opt/swift/usr/bin/clang`, or next to `swift` on PATH).
let clangPath: String? = {
    var candidates = ["/opt/swift/usr/bin/clang"]
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") { candidates.append("\(dir)/clang") }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// Assembles RISC-V source into a relocatable object with the toolchain's clang.
func assemble(_ source: String, rv64: Bool, extraFlags: [String] = []) throws -> [UInt8] {
    let clang = try #require(clangPath, "clang not found (looked in /opt/swift/usr/bin and PATH); these tests need it to assemble RISC-V snippets")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("polkavm-linker-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let src = dir.appendingPathComponent("t.s"), obj = dir.appendingPathComponent("t.o")
    try source.write(to: src, atomically: true, encoding: .utf8)
    let target = rv64
        ? ["--target=riscv64-unknown-elf", "-march=rv64emac_zbb_xtheadcondmov", "-mabi=lp64e"]
        : ["--target=riscv32-unknown-elf", "-march=rv32emac_zbb_xtheadcondmov", "-mabi=ilp32e"]
    try runSucceedingTool(clang, target + extraFlags + ["-c", src.path, "-o", obj.path])
    return [UInt8](try Data(contentsOf: obj))
}

/// Assembly declaring `name` as an export (metadata V1 + an export record), as the C header does.
func exportDecl(_ name: String, rv64: Bool, inputs: Int = 2, outputs: Int = 1) -> String {
    let ptr = rv64 ? ".quad" : ".word"
    return """
    .section .rodata.names,"a"
    .Lname_\(name): .ascii "\(name)"
    .section .polkavm_metadata,"aw"
    .Lmeta_\(name):
      .byte 1
      .word 0
      .word \(name.utf8.count)
      \(ptr) .Lname_\(name)
      .byte \(inputs), \(outputs)
    .section .polkavm_exports,"a"
      .byte 1
      \(ptr) .Lmeta_\(name)
      \(ptr) \(name)
    """
}

/// Assembly declaring the import `name` as the C header does: its metadata record (V1, or V2 with an
/// explicit `index`) at `.Limeta_<name>` and a stub function `name` (`ecalli` + `ret`) that calls it.
func importDecl(_ name: String, rv64: Bool, inputs: Int = 2, outputs: Int = 1, index: Int? = nil) -> String {
    let ptr = rv64 ? ".quad" : ".word"
    let tail = index.map { ".byte \(inputs), \(outputs), 1\n  .word \($0)" } ?? ".byte \(inputs), \(outputs)"
    return """
    .section .rodata.names,"a"
    .Liname_\(name): .ascii "\(name)"
    .section .polkavm_metadata,"aw"
    .Limeta_\(name):
      .byte \(index == nil ? 1 : 2)
      .word 0
      .word \(name.utf8.count)
      \(ptr) .Liname_\(name)
      \(tail)
    .text
    \(name):
      .word 0x0000000b
      \(ptr) .Limeta_\(name)
      ret
    """
}

/// Wraps function bodies into an assembly file exporting each one.
func program(_ functions: [(name: String, body: String)], rv64: Bool, prelude: String = "") -> String {
    var s = prelude + "\n"
    for f in functions {
        s += exportDecl(f.name, rv64: rv64) + "\n"
        s += ".text\n.globl \(f.name)\n.type \(f.name),@function\n.p2align 1\n\(f.name):\n\(f.body)\n.size \(f.name), .-\(f.name)\n"
    }
    return s
}

/// Links objects and instantiates the result.
func instantiate(_ objects: [[UInt8]], configuration: LinkerConfiguration = LinkerConfiguration()) throws -> Instance {
    let blob = try Linker.link(objects, configuration: configuration)
    let module = try Module(engine: Engine(), bytes: blob.serialized(), configuration: testModuleConfiguration)
    return metered(module)
}

/// Module settings for tests: gas metering so a broken translation cannot hang the test run.
let testModuleConfiguration = ModuleConfiguration(gasMetering: .sync)

/// A fresh instance with a generous gas budget.
func metered(_ module: Module) -> Instance {
    let instance = module.instantiate()
    instance.gas = 10_000_000
    return instance
}
