import ArgumentParser
import Foundation
import PolkaVM

@main
struct PolkaVMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "polkavm",
        abstract: "Run, inspect, assemble and test PolkaVM programs.",
        subcommands: [RunCommand.self, AsmCommand.self, DisasmCommand.self, StatsCommand.self, VectorsCommand.self, LinkCommand.self, BuildCommand.self]
    )
}

/// A failure while a command runs (a file that cannot be read, a tool or link that fails), as opposed
/// to a ``ValidationError`` for a bad option: printed as `Error: <description>`, with exit status 1 and
/// no usage text.
struct CommandFailure: Error, CustomStringConvertible {
    /// What went wrong, for the user.
    let description: String

    /// A failure described by `description`.
    init(_ description: String) { self.description = description }
}

/// Reads a whole file or throws a clean error.
func readFile(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CommandFailure("cannot read \(path)")
    }
    return [UInt8](data)
}

/// Parses a decimal, `0x` hexadecimal or negative integer argument.
func parseInteger(_ text: String) -> UInt64? {
    if text.hasPrefix("0x") || text.hasPrefix("0X") { return UInt64(text.dropFirst(2), radix: 16) }
    if text.hasPrefix("-"), let v = Int64(text) { return UInt64(bitPattern: v) }
    return UInt64(text)
}

struct VectorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vectors",
        abstract: "Run conformance vectors (JSON files, or directories searched recursively).",
        discussion: "Formats are detected per file: flat (w3f v0.4 and the oracle fuzzer's output), internally tagged steps (gas-model draft), externally tagged steps (v0.5), gas-only. Prints each failure and a last line 'N passed, N failed'."
    )

    @Argument(help: "Vector files or directories.")
    var paths: [String]

    @Option(help: "Force one preset for every file: w3f-v0.4, draft, v0.5, polkavm, gp-0.7.2.")
    var preset: String?

    @Flag(name: .shortAndLong, help: "Only print the summary line.")
    var quiet = false

    func run() throws {
        if let preset, VectorRunner.setup(forPreset: preset) == nil {
            throw ValidationError("unknown preset '\(preset)' (w3f-v0.4, draft, v0.5, polkavm, gp-0.7.2)")
        }
        let runner = VectorRunner(forcedPreset: preset, verbose: !quiet)
        let (passed, failed) = runner.runAll(paths)
        print("\(passed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
    }
}
