import ArgumentParser
import Foundation
import PolkaVMLinker
import PolkaVMProgram

struct LinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link",
        abstract: "Link RISC-V ELF files (one shared object, or relocatable objects) into a .polkavm program blob."
    )

    @Argument(help: "Input ELF files.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "The output .polkavm file.")
    var output: String

    @Flag(help: "Drop debug information.")
    var strip = false

    @Option(name: .customLong("opt-level"), help: "Optimization level: 0, 1 or 2.")
    var optLevel: Int = 2

    @Option(name: .customLong("min-stack-size"), help: "Minimum stack size in bytes.")
    var minStackSize: UInt32 = 8192

    @Option(help: "Instruction set: jam, latest64, latest32, revive (default: by ELF class).")
    var isa: String?

    @Option(name: .customLong("export"), help: ArgumentHelp("Also export this function by its ELF symbol name, for C code without POLKAVM_EXPORT (repeatable).", valueName: "symbol"))
    var exportedSymbols: [String] = []

    func run() throws {
        var config = LinkerConfiguration(strip: strip, optimizationLevel: optLevel, minimumStackSize: minStackSize,
                                         exportedSymbols: exportedSymbols)
        if let isa {
            guard let kind = InstructionSetKind(name: isa) else { throw ValidationError("unknown instruction set '\(isa)'") }
            config.isa = kind
        }
        try linkAndWrite(try inputs.map { try readFile($0) }, configuration: config, output: output)
    }
}

/// Links `inputs` into a blob, prints the linker's warnings (and one for a blob without exports, which
/// no host can call) on stderr, and writes the blob to `output`: the last step of `link` and `build`.
func linkAndWrite(_ inputs: [[UInt8]], configuration: LinkerConfiguration, output: String) throws {
    let blob: ProgramBlob
    var warnings: [String] = []
    do { blob = try Linker.link(inputs, configuration: configuration, warnings: &warnings) } catch {
        throw CommandFailure("link failed: \(error)")
    }
    if blob.exports.isEmpty {
        warnings.append("the program exports no function, so nothing can call it "
                        + "(declare exports with POLKAVM_EXPORT from polkavm.h, or name them with --export SYMBOL)")
    }
    for warning in warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
    guard FileManager.default.createFile(atPath: output, contents: Data(blob.serialized())) else {
        throw CommandFailure("cannot write \(output)")
    }
}
