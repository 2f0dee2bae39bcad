import Foundation

/// What a finished tool run left behind.
public struct ToolRun: Sendable {
    /// The exit status (or the terminating signal's number when `exitedNormally` is false).
    public var status: Int32
    /// Whether the tool exited rather than being killed by a signal.
    public var exitedNormally: Bool
    /// Everything the tool wrote to standard output.
    public var output: Data
    /// Everything the tool wrote to standard error.
    public var error: Data

    /// Standard output as UTF-8 text.
    public var outputText: String { String(decoding: output, as: UTF8.self) }
    /// Standard error as UTF-8 text.
    public var errorText: String { String(decoding: error, as: UTF8.self) }
}

/// A tool that exited with a nonzero status or was killed by a signal.
public struct ToolFailure: Error, CustomStringConvertible {
    /// The tool's path.
    public var executable: String
    /// How it ended.
    public var run: ToolRun

    /// The tool, how it ended, and what it wrote to standard error.
    public var description: String {
        let ending = run.exitedNormally ? "exit status \(run.status)" : "signal \(run.status)"
        return "\(executable) failed (\(ending)): \(run.errorText)"
    }
}

/// Runs `executable` like ``runTool(_:_:stdin:environment:)`` and throws ``ToolFailure`` unless it exits
/// with status 0.
@discardableResult
public func runSucceedingTool(_ executable: String, _ arguments: [String], stdin: Data? = nil,
                              environment: [String: String]? = nil) throws -> ToolRun {
    let run = try runTool(executable, arguments, stdin: stdin, environment: environment)
    guard run.exitedNormally, run.status == 0 else { throw ToolFailure(executable: executable, run: run) }
    return run
}

/// Runs `executable` with `arguments` to completion, for the tests that drive clang, ld.lld or the
/// `polkavm` executable.
///
/// Standard input, output and error are regular files in a fresh temporary directory, not pipes: the
/// tool never blocks on a full pipe, a tool that exits without reading its input cannot raise SIGPIPE
/// in the test process, and nothing is read while the tool runs (so no read can be interrupted by a
/// signal, which Foundation's pipe reads do not retry). The files are read once the tool has exited.
public func runTool(_ executable: String, _ arguments: [String], stdin: Data? = nil,
                    environment: [String: String]? = nil) throws -> ToolRun {
    let fileManager = FileManager.default
    let dir = fileManager.temporaryDirectory.appendingPathComponent("polkavm-tool-\(UUID().uuidString)")
    try fileManager.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? fileManager.removeItem(at: dir) }
    let inPath = dir.appendingPathComponent("stdin"), outPath = dir.appendingPathComponent("stdout")
    let errPath = dir.appendingPathComponent("stderr")
    try (stdin ?? Data()).write(to: inPath)
    try Data().write(to: outPath)
    try Data().write(to: errPath)
    let input = try FileHandle(forReadingFrom: inPath)
    let output = try FileHandle(forWritingTo: outPath)
    let error = try FileHandle(forWritingTo: errPath)
    defer {
        try? input.close()
        try? output.close()
        try? error.close()
    }

    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    process.standardInput = input
    process.standardOutput = output
    process.standardError = error
    try process.run()
    process.waitUntilExit()
    return ToolRun(status: process.terminationStatus, exitedNormally: process.terminationReason == .exit,
                   output: try Data(contentsOf: outPath), error: try Data(contentsOf: errPath))
}
