import Foundation
import PolkaVM

/// Runs PVM conformance vectors in the four formats: flat (w3f v0.4, and the oracle fuzzer's output
/// with `oracle-config`), internally tagged `steps` (koute's gas-model draft), externally tagged
/// `steps` (v0.5 / spectool), and gas-only integration tests. Every expected field is checked,
/// including `block-gas-costs`.
struct VectorRunner {
    /// The behaviour a vector is checked against.
    struct Setup {
        var isa: InstructionSetKind
        var costModel: GasCostModel
        var semantics: ExecutionSemantics
        var hostResumes = false
    }

    enum Format { case flat, internallyTagged, externallyTagged, gasOnly }

    let engine = Engine()
    var forcedPreset: String?
    var verbose = true

    static func setup(forPreset name: String) -> Setup? {
        switch name {
        case "w3f-v0.4": return Setup(isa: .latest64, costModel: .simple, semantics: .w3fV04)
        case "draft": return Setup(isa: .latest64, costModel: .upstreamFull, semantics: .gasModelDraft)
        case "v0.5": return Setup(isa: .jamV1, costModel: .grayPaper080, semantics: .grayPaper080)
        case "polkavm": return Setup(isa: .jamV1, costModel: .upstreamFull, semantics: .polkavm)
        case "gp-0.7.2": return Setup(isa: .latest64, costModel: .simple, semantics: .grayPaper072)
        default: return nil
        }
    }

    static func detect(_ v: JSONValue) -> Format? {
        if let steps = v["steps"]?.array {
            return steps.contains { $0["kind"] != nil } ? .internallyTagged : .externallyTagged
        }
        if v["initial-regs"] != nil { return .flat }
        if v["program"] != nil && v["block-gas-costs"] != nil { return .gasOnly }
        return nil
    }

    /// Builds the setup from a fuzz vector's `oracle-config`; throws a message for knobs we do not model.
    static func setup(fromOracleConfig c: JSONValue) throws -> Setup {
        guard let isaName = c["isa"]?.string, let isa = InstructionSetKind(name: isaName) else {
            throw VectorError("oracle-config: unknown isa")
        }
        let granularity: ExecutionSemantics.GasGranularity
        switch c["gas_granularity"]?.string ?? "block" {
        case "block": granularity = .block
        case "instruction": granularity = .instruction
        case let g: throw VectorError("oracle-config: unknown gas_granularity '\(g)'")
        }
        if let m = c["memory_faults"]?.string, m != "page-fault" {
            throw VectorError("oracle-config: memory_faults '\(m)' is not supported by raw-program vectors")
        }
        let options = PipelineCostOptions(
            loadLatency: Int(c["load_latency"]?.uint64 ?? 25),
            cmovDestinationIsSource: c["cmov_dest_is_source"]?.bool ?? false,
            fastForward: c["fast_forward"]?.bool ?? true)
        let costModel: GasCostModel = c["gas_model"]?.string == "full" ? .full(options) : .simple
        let semantics = ExecutionSemantics(
            branchChecksBothEdges: c["branch_check_both_edges"]?.bool ?? true,
            fallthroughOffEnd: c["fallthrough_off_end"]?.string == "self" ? .trapAtFallthrough : .trapAtCodeEnd,
            readOnlyWrite: c["readonly_write"]?.string == "panic" ? .trap : .pageFault,
            straddlingFaultRule: c["fault_rule"]?.string == "gp" ? .grayPaper : .upstream,
            trapFaultsBelow: UInt32(truncatingIfNeeded: c["fault_panic_below"]?.uint64 ?? 0x10000),
            validatesWholeProgram: c["validate"]?.bool ?? false,
            reportsZeroPCOnExit: c["exit_pc_zero"]?.bool ?? false,
            gasGranularity: granularity,
            chargesFaultingInstruction: c["charge_faulting_instruction"]?.bool ?? true)
        return Setup(isa: isa, costModel: costModel, semantics: semantics)
    }

    struct VectorError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// Runs one vector and returns its failures (empty when it passes).
    func run(_ v: JSONValue) throws -> [String] {
        guard let format = VectorRunner.detect(v) else { throw VectorError("unknown vector format") }
        var setup: Setup
        if let preset = forcedPreset {
            guard let s = VectorRunner.setup(forPreset: preset) else { throw VectorError("unknown preset \(preset)") }
            setup = s
        } else if let c = v["oracle-config"] {
            setup = try VectorRunner.setup(fromOracleConfig: c)
        } else {
            switch format {
            case .flat: setup = VectorRunner.setup(forPreset: "w3f-v0.4")!
            case .internallyTagged: setup = VectorRunner.setup(forPreset: "draft")!
            case .externallyTagged: setup = VectorRunner.setup(forPreset: "v0.5")!
            case .gasOnly: setup = VectorRunner.setup(forPreset: v["block-gas-costs"]?.object != nil ? "draft" : "v0.5")!
            }
        }
        setup.hostResumes = v["oracle-host"]?.string == "resume"
        guard let program = v["program"]?.bytes else { throw VectorError("missing program") }
        let config = ModuleConfiguration(gasMetering: .sync, costModel: setup.costModel, semantics: setup.semantics, dynamicPaging: true)
        let module: Module
        do {
            module = try Module(engine: engine, rawProgram: program, isa: setup.isa, configuration: config)
        } catch {
            return ["the program failed to load: \(error)"]
        }
        var errors: [String] = []
        if let expected = v["block-gas-costs"] {
            checkBlockCosts(module, expected, &errors)
        }
        if format == .gasOnly { return errors }
        let instance = module.instantiate()
        instance.gas = v["initial-gas"]?.int64 ?? 0
        instance.setNextProgramCounter(UInt32(truncatingIfNeeded: v["initial-pc"]?.uint64 ?? 0))
        let is64 = setup.isa.is64Bit
        var last: Interrupt?
        func runOnce() {
            last = instance.run()
            while case .ecalli(let n) = last!, setup.hostResumes {
                let mask: UInt64 = is64 ? .max : 0xFFFF_FFFF
                instance.setRegister(.a0, (instance.register(.a0) &+ UInt64(n) &+ 1) & mask)
                last = instance.run()
            }
        }
        if format == .flat {
            for page in v["initial-page-map"]?.array ?? [] {
                instance.mapMemory(address: UInt32(truncatingIfNeeded: page["address"]?.uint64 ?? 0),
                                   length: page["length"]?.uint64 ?? 0, writable: page["is-writable"]?.bool ?? false)
            }
            for chunk in v["initial-memory"]?.array ?? [] {
                try? instance.writeMemory(chunk["contents"]?.bytes ?? [], at: UInt32(truncatingIfNeeded: chunk["address"]?.uint64 ?? 0))
            }
            for (i, r) in (v["initial-regs"]?.array ?? []).enumerated() where i < 13 {
                instance.setRegister(Reg(rawValue: UInt8(i))!, r.uint64 ?? 0)
            }
            runOnce()
            var expected: [String: JSONValue] = [:]
            for (k, value) in v.object ?? [:] where k.hasPrefix("expected-") { expected[String(k.dropFirst(9))] = value }
            check(instance, last, expected, "", &errors)
            return errors
        }
        for (n, step) in (v["steps"]?.array ?? []).enumerated() {
            var kind: String
            var body: [String: JSONValue] = [:]
            if format == .internallyTagged {
                kind = step["kind"]?.string ?? ""
                for (k, value) in step.object ?? [:] { body[k.replacingOccurrences(of: "_", with: "-")] = value }
            } else {
                guard let (k, b) = step.object?.first else { errors.append("step \(n): empty"); continue }
                kind = k
                for (key, value) in b.object ?? [:] { body[key.replacingOccurrences(of: "_", with: "-")] = value }
            }
            switch kind {
            case "map":
                instance.mapMemory(address: UInt32(truncatingIfNeeded: body["address"]?.uint64 ?? 0),
                                   length: body["length"]?.uint64 ?? 0, writable: body["is-writable"]?.bool ?? false)
            case "write":
                try? instance.writeMemory(body["contents"]?.bytes ?? [], at: UInt32(truncatingIfNeeded: body["address"]?.uint64 ?? 0))
            case "set-reg":
                instance.setRegister(Reg(rawValue: UInt8(body["reg"]?.uint64 ?? 0)) ?? .ra, body["value"]?.uint64 ?? 0)
            case "run":
                runOnce()
            case "assert":
                check(instance, last, body, "step \(n): ", &errors)
            default:
                errors.append("step \(n): unknown step kind '\(kind)'")
            }
        }
        return errors
    }

    func checkBlockCosts(_ module: Module, _ expected: JSONValue, _ errors: inout [String]) {
        var want: [Int: UInt64] = [:]
        if let map = expected.object {
            for (pc, cost) in map { if let p = Int(pc), let c = cost.uint64 { want[p] = c } }
        } else {
            for entry in expected.array ?? [] {
                if let p = entry["pc"]?.uint64, let c = entry["cost"]?.uint64 { want[Int(p)] = c }
            }
        }
        var got: [Int: UInt64] = [:]
        for (pc, cost) in module.blockGasCosts() { got[pc] = UInt64(cost) }
        let differing = Set(want.keys).union(got.keys).filter { want[$0] != got[$0] }.sorted()
        if let first = differing.first {
            errors.append("block-gas-costs: \(differing.count) of \(want.count) differ, e.g. pc \(first) expected \(want[first].map(String.init) ?? "none") got \(got[first].map(String.init) ?? "none")")
        }
    }

    func check(_ instance: Instance, _ interrupt: Interrupt?, _ exp: [String: JSONValue], _ at: String, _ errors: inout [String]) {
        let status = interrupt?.statusName ?? "none"
        if let s = exp["status"]?.string, s != status { errors.append("\(at)status: expected \(s), got \(status)") }
        if let pc = exp["pc"]?.uint64, UInt64(instance.programCounter ?? 0) != pc {
            errors.append("\(at)pc: expected \(pc), got \(instance.programCounter.map(String.init) ?? "none")")
        }
        if let gas = exp["gas"]?.int64, gas != instance.gas { errors.append("\(at)gas: expected \(gas), got \(instance.gas)") }
        if let regs = exp["regs"]?.array {
            for (i, r) in regs.enumerated() where i < 13 {
                guard let want = r.uint64 else { continue }
                let got = instance.register(Reg(rawValue: UInt8(i))!)
                if want != got { errors.append("\(at)r\(i): expected \(want), got \(got)") }
            }
        }
        var faultAddress: UInt32?
        if case .pageFault(let a) = interrupt { faultAddress = a }
        if let want = exp["page-fault-address"], !want.isNull || faultAddress != nil {
            if want.uint64 != faultAddress.map(UInt64.init) {
                errors.append("\(at)page-fault-address: expected \(want.uint64.map(String.init) ?? "none"), got \(faultAddress.map(String.init) ?? "none")")
            }
        }
        var hostcall: UInt32?
        if case .ecalli(let n) = interrupt { hostcall = n }
        if let want = exp["hostcall"], !want.isNull || hostcall != nil {
            if want.uint64 != hostcall.map(UInt64.init) {
                errors.append("\(at)hostcall: expected \(want.uint64.map(String.init) ?? "none"), got \(hostcall.map(String.init) ?? "none")")
            }
        }
        if let chunks = exp["memory"]?.array {
            var expected: [UInt32: UInt8] = [:]
            for chunk in chunks {
                let base = UInt32(truncatingIfNeeded: chunk["address"]?.uint64 ?? 0)
                for (k, b) in (chunk["contents"]?.bytes ?? []).enumerated() { expected[base &+ UInt32(k)] = b }
            }
            var actual: [UInt32: UInt8] = [:]
            instance.forEachMappedPage { address, bytes, _ in
                for (k, b) in bytes.enumerated() where b != 0 { actual[address + UInt32(k)] = b }
            }
            let bad = Set(expected.keys).union(actual.keys).filter { (actual[$0] ?? 0) != (expected[$0] ?? 0) }.sorted()
            if let first = bad.first {
                errors.append("\(at)memory differs at \(bad.count) address(es), first 0x\(String(first, radix: 16)): expected \(expected[first] ?? 0), got \(actual[first] ?? 0)")
            }
        }
    }

    /// Runs every vector under `paths`; prints failures and returns (passed, failed).
    func runAll(_ paths: [String]) -> (passed: Int, failed: Int) {
        var files: [String] = []
        let fm = FileManager.default
        for path in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
                print("FAIL \(path): no such file or directory")
                continue
            }
            if isDir.boolValue {
                let e = fm.enumerator(atPath: path)
                while let f = e?.nextObject() as? String {
                    if f.hasSuffix(".json") { files.append((path as NSString).appendingPathComponent(f)) }
                }
            } else {
                files.append(path)
            }
        }
        var passed = 0, failed = paths.filter { !fm.fileExists(atPath: $0) }.count
        let decoder = JSONDecoder()
        for file in files.sorted() {
            guard let data = fm.contents(atPath: file), let v = try? decoder.decode(JSONValue.self, from: data),
                  v["program"] != nil else { continue }  // schema.json and other non-vector files
            let errors: [String]
            do { errors = try run(v) } catch { errors = ["\(error)"] }
            if errors.isEmpty {
                passed += 1
            } else {
                failed += 1
                if verbose {
                    print("FAIL \(v["name"]?.string ?? file) (\(file))")
                    for e in errors.prefix(8) { print("    \(e)") }
                }
            }
        }
        return (passed, failed)
    }
}
