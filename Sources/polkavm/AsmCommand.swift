import ArgumentParser
import Foundation
import PolkaVM

struct AsmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "asm",
        abstract: "Assemble PolkaVM assembly (upstream's syntax) into a .polkavm blob."
    )

    @Argument(help: "The assembly source file.")
    var input: String

    @Option(name: .shortAndLong, help: "The output .polkavm file.")
    var output: String

    @Option(help: "Instruction set: jam, latest64, latest32 or revive (default latest64; a %isa directive in the source is overridden).")
    var isa: String = "latest64"

    func run() throws {
        guard let set = InstructionSetKind(name: isa) else {
            throw ValidationError("unknown instruction set '\(isa)' (jam, latest64, latest32, revive)")
        }
        let source = try readFile(input)
        let blob: ProgramBlob
        do {
            blob = try Assembler.assemble(String(decoding: source, as: UTF8.self), isa: set)
        } catch {
            throw CommandFailure("\(input):\(error)")
        }
        guard FileManager.default.createFile(atPath: output, contents: Data(blob.serialized())) else {
            throw CommandFailure("cannot write \(output)")
        }
    }
}

struct DisasmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disasm",
        abstract: "Disassemble a .polkavm blob."
    )

    @Argument(help: "The .polkavm program blob.")
    var blob: String

    @Flag(help: "Print re-assemblable source instead of a listing.")
    var source = false

    @Flag(name: .customLong("show-raw-bytes"), help: "Print each instruction's bytes.")
    var showRawBytes = false

    @Flag(name: .customLong("no-offsets"), help: "Do not print code offsets.")
    var noOffsets = false

    @Option(name: .customLong("gas"), help: "Show block gas costs with this model: simple or full.")
    var gasModel: String?

    @Flag(name: .customLong("no-debug-info"), help: "Do not print source locations from the blob's debug sections.")
    var noDebugInfo = false

    func run() throws {
        let bytes = try readFile(blob)
        let parsed: ProgramBlob
        do { parsed = try ProgramBlob(parsing: bytes) } catch { throw CommandFailure("\(blob): \(error)") }
        var options = Disassembler.Options()
        options.style = source ? .source : .listing
        options.showRawBytes = showRawBytes
        options.showOffsets = !noOffsets
        options.emitDebugInfo = !noDebugInfo
        var gasCost: ((UInt32) -> UInt32?)?
        if let gasModel {
            let model: GasCostModel
            switch gasModel {
            case "simple": model = .simple
            case "full": model = parsed.isa == .jamV1 ? .grayPaper080 : .upstreamFull
            default: throw ValidationError("unknown gas model '\(gasModel)' (simple, full)")
            }
            var costs: [UInt32: UInt32] = [:]
            for (pc, cost) in parsed.code.blockGasCosts(model: model) { costs[UInt32(pc)] = cost }
            gasCost = { costs[$0] }
        }
        print(Disassembler(blob: parsed, options: options, gasCost: gasCost).disassemble(), terminator: "")
    }
}
