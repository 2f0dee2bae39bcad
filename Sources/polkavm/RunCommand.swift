import ArgumentParser
import Foundation
import PolkaVM

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Call an exported function of a .polkavm program and print its result (a0).",
        discussion: "Arguments go to a0...a5, t0...t2 (decimal, 0x-hex, or negative). With --gas, gas is metered; the remaining gas is reported by --stats."
    )

    @Argument(help: "The .polkavm program blob.")
    var blob: String

    @Option(help: "The export to call.")
    var call: String

    @Argument(help: "Arguments for the export (up to 9).")
    var arguments: [String] = []

    @Option(help: "Meter gas, starting with this much.")
    var gas: Int64?

    @Option(name: .customLong("cost-model"), help: "Gas cost model: simple (1 per instruction) or full (the GP 0.8.0 pipeline model).")
    var costModel: String = "simple"

    @Option(help: "How many result registers to print: 1 (a0) or 2 (a0 a1).")
    var returns: Int = 1

    @Flag(help: "Print every executed instruction with the registers.")
    var trace = false

    @Flag(help: "Print load time, execution time (ns) and gas used on stderr.")
    var stats = false

    @Flag(help: "Count every executed instruction and print the hottest instructions and source functions on stderr (runs stepwise, so slower).")
    var profile = false

    @Option(name: .customLong("profile-top"), help: "How many entries each --profile table shows.")
    var profileTop = 20

    @Option(name: .customLong("profile-out"), help: "With --profile, also write 'pc count opcode next-pc' lines for every executed instruction to this file.")
    var profileOut: String?

    @Option(name: .customLong("dump"), help: ArgumentHelp(
        "After the call, print guest memory ADDRESS:LENGTH (decimal or 0x-hex) as hex bytes; repeatable.",
        valueName: "address:length"))
    var dumps: [String] = []

    func run() throws {
        let bytes = try readFile(blob)
        let (exportArguments, programArguments) = GuestIO.splitAtTerminator(arguments)
        let values = try exportArguments.map { text -> UInt64 in
            guard let v = parseInteger(text) else { throw ValidationError("argument '\(text)' is not an integer") }
            return v
        }
        var config = ModuleConfiguration(gasMetering: gas == nil ? .none : .sync, stepTracing: trace || profile)
        switch costModel {
        case "simple": config.costModel = .simple
        case "full": config.costModel = .upstreamFull
        default: throw ValidationError("unknown cost model '\(costModel)' (simple, full)")
        }
        let loadStart = DispatchTime.now().uptimeNanoseconds
        let module: Module
        do {
            module = try Module(engine: Engine(), bytes: bytes, configuration: config)
        } catch {
            throw CommandFailure("\(blob): \(error)")
        }
        if module.isa == .jamV1 && costModel == "full" {
            config.costModel = .grayPaper080
        }
        let instance = module.instantiate()
        let loadEnd = DispatchTime.now().uptimeNanoseconds
        if let gas { instance.gas = gas }
        guard let export = module.export(named: call) else {
            let names = module.exports.map { $0.symbol.description }.joined(separator: ", ")
            throw CommandFailure("no export named '\(call)' (exports: \(names))")
        }
        let host = GuestIO.hostFunctions(arguments: programArguments)
        let execStart = DispatchTime.now().uptimeNanoseconds
        let result: (a0: UInt64, a1: UInt64)
        do {
            try instance.prepareCall(pc: export.pc, arguments: values)
            if trace || profile {
                result = try runStepwise(instance, module, host)
            } else {
                result = try instance.continueCall(host: host)
            }
        } catch {
            if case .hostFunctionFailed(_, let exit as GuestIO.Exit) = error as? CallError { throw ExitCode(exit.code) }
            var message = "error: \(error)\n"
            var pc: UInt32?
            switch error as? CallError {
            case .trap(let p)?, .outOfGas(let p)?, .pageFault(_, let p)?, .unknownImport(_, let p)?: pc = p
            default: break
            }
            if let pc {
                for line in SourceLocations(blob: module.blob).report(at: pc) { message += "  \(line)\n" }
            }
            FileHandle.standardError.write(Data(message.utf8))
            throw ExitCode(2)
        }
        let execEnd = DispatchTime.now().uptimeNanoseconds
        print(returns >= 2 ? "\(result.a0) \(result.a1)" : "\(result.a0)")
        for dump in dumps {
            let parts = dump.split(separator: ":").map(String.init)
            guard parts.count == 2, let address = parseInteger(parts[0]), let length = parseInteger(parts[1]),
                  address <= UInt64(UInt32.max), length <= 1 << 20 else {
                throw ValidationError("--dump expects ADDRESS:LENGTH with a 32-bit address and at most 1 MiB (got '\(dump)')")
            }
            do {
                let bytes = try instance.readMemory(at: UInt32(address), count: Int(length))
                print(bytes.map { String(format: "%02x", $0) }.joined())
            } catch {
                throw CommandFailure("--dump \(dump): \(error)")
            }
        }
        if stats {
            var line = "load: \(loadEnd - loadStart) ns, execution: \(execEnd - execStart) ns"
            if let gas { line += ", gas used: \(gas - instance.gas)" }
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    /// Runs with step tracing: prints each instruction before it executes (--trace) and/or counts it
    /// (--profile, reported when the run ends, however it ends).
    private func runStepwise(_ instance: Instance, _ module: Module, _ host: HostFunctions) throws -> (a0: UInt64, a1: UInt64) {
        let code = module.code
        let locations = SourceLocations(blob: module.blob)
        var counts = GuestProfile(codeLength: code.code.count)
        defer {
            if profile {
                let lines = counts.report(code: code, locations: locations, top: profileTop)
                FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
                if let profileOut {
                    do { try counts.write(to: profileOut, code: code) } catch {
                        FileHandle.standardError.write(Data("error: cannot write \(profileOut): \(error)\n".utf8))
                    }
                }
            }
        }
        while true {
            switch instance.run() {
            case .step:
                let pc = Int(instance.programCounter ?? 0)
                if profile { counts.record(UInt32(pc)) }
                guard trace else { continue }
                let text = code.isInstructionStart(pc)
                    ? Disassembler.text(for: code.decode(at: pc).instruction, isa: code.isa, jumpTarget: { "@\($0)" })
                    : "invalid"
                let regs = Reg.allCases.map { "\($0)=\(String(instance.register($0), radix: 16))" }.joined(separator: " ")
                let note = locations.note(at: UInt32(pc)).map { "  // " + $0 } ?? ""
                print(String(format: "%6d: ", pc) + text + "    [" + regs + "]" + note)
            case .finished:
                return (instance.register(.a0), instance.register(.a1))
            case .ecalli(let n):
                try instance.dispatchHostCall(n, host: host)
            case .trap:
                throw CallError.trap(pc: instance.programCounter)
            case .outOfGas:
                throw CallError.outOfGas(pc: instance.programCounter)
            case .pageFault(let a):
                throw CallError.pageFault(address: a, pc: instance.programCounter)
            }
        }
    }
}
