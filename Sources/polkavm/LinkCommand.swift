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

    func run() throws {
        var config = LinkerConfiguration(strip: strip, optimizationLevel: optLevel, minimumStackSize: minStackSize)
        if let isa {
            guard let kind = InstructionSetKind(name: isa) else { throw ValidationError("unknown instruction set '\(isa)'") }
            config.isa = kind
        }
        let files = try inputs.map { try readFile($0) }
        let blob: ProgramBlob
        var warnings: [String] = []
        do { blob = try Linker.link(files, configuration: config, warnings: &warnings) } catch {
            throw ValidationError("link failed: \(error)")
        }
        for warning in warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        let bytes = blob.serialized()
        guard FileManager.default.createFile(atPath: output, contents: Data(bytes)) else {
            throw ValidationError("cannot write \(output)")
        }
    }
}
