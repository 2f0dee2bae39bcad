import Foundation

// polkavm-bench: the benchmark runner. The suite itself (rounds, medians, ratios, report) is driven
// by benchmarks/run.sh; this executable does one measured process run, or the micro measurements.
//
//   polkavm-bench run polkavm [--gas none|simple|full] FILE.polkavm N [--repeat R]
//   polkavm-bench run wasmkit FILE.wasm N [--repeat R]
//   polkavm-bench micro load FILE...                 (median ns bytes -> callable instance)
//   polkavm-bench micro instantiate TRIVIAL.polkavm  (instantiate + call a trivial export)
//   polkavm-bench micro instances [--reps R] FILE... (instantiate alone: maps and fills the data)
//   polkavm-bench micro memory TRIVIAL.polkavm [COUNT]
//   polkavm-bench micro hostcall HOSTCALL.polkavm [N]
//
// `run` prints one line: load_ns=... call_ns=... checksum=... min_ns=...; `micro` prints key=value lines.

func usage() -> Never {
    FileHandle.standardError.write("""
    usage:
      polkavm-bench run polkavm [--gas none|simple|full] FILE N [--repeat R]
      polkavm-bench run wasmkit FILE N [--repeat R]
      polkavm-bench micro load [--reps R] FILE...
      polkavm-bench micro instantiate FILE [--reps R]
      polkavm-bench micro instances [--reps R] FILE...
      polkavm-bench micro memory FILE [COUNT]
      polkavm-bench micro hostcall FILE [N]

    """.data(using: .utf8)!)
    exit(2)
}

/// Pulls `--name value` out of the argument list.
func option(_ args: inout [String], _ name: String) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    let v = args[i + 1]
    args.removeSubrange(i...(i + 1))
    return v
}

func main() throws {
    var args = Array(CommandLine.arguments.dropFirst())
    guard args.count >= 2 else { usage() }
    let command = args.removeFirst()
    let sub = args.removeFirst()
    switch (command, sub) {
    case ("run", "polkavm"):
        let gasName = option(&args, "--gas") ?? "none"
        let repeatCount = Int(option(&args, "--repeat") ?? "1") ?? 1
        guard let gas = PolkaVMRunner.Gas(rawValue: gasName), args.count == 2, let n = UInt64(args[1]) else { usage() }
        try PolkaVMRunner(gas: gas).run(path: args[0], n: n, repeat: repeatCount)
    case ("run", "wasmkit"):
        let repeatCount = Int(option(&args, "--repeat") ?? "1") ?? 1
        guard args.count == 2, let n = UInt64(args[1]) else { usage() }
        try WasmKitRunner().run(path: args[0], n: n, repeat: repeatCount)
    case ("micro", "load"):
        let reps = Int(option(&args, "--reps") ?? "9") ?? 9
        let runner = PolkaVMRunner(gas: .none)
        for path in args {
            let r = try runner.loadTime(path: path, reps: reps)
            print("file=\(path) blob_bytes=\(r.bytes) code_bytes=\(r.codeBytes) load_ns=\(Int(r.medianNs))")
        }
    case ("micro", "instantiate"):
        let reps = Int(option(&args, "--reps") ?? "2000") ?? 2000
        guard args.count == 1 else { usage() }
        let r = try PolkaVMRunner(gas: .none).instantiateAndCall(path: args[0], reps: reps)
        print("module_ns=\(Int(r.moduleNs)) instantiate_call_ns=\(Int(r.instantiateCallNs)) call_ns=\(Int(r.callNs))")
    case ("micro", "instances"):
        let reps = Int(option(&args, "--reps") ?? "200") ?? 200
        let runner = PolkaVMRunner(gas: .none)
        for path in args {
            let r = try runner.instantiateTime(path: path, reps: reps)
            print("file=\(path) data_bytes=\(r.dataBytes) instantiate_ns=\(Int(r.medianNs))")
        }
    case ("micro", "memory"):
        guard args.count >= 1 else { usage() }
        let count = args.count > 1 ? Int(args[1]) ?? 1000 : 1000
        let r = try PolkaVMRunner(gas: .none).memoryPerInstance(path: args[0], count: count)
        print("instances=\(count) rss_per_instance_bytes=\(Int(r.rssPerInstanceBytes)) rss_per_idle_instance_bytes=\(Int(r.rssPerIdleInstanceBytes)) guest_bytes_per_instance=\(Int(r.guestBytesPerInstance))")
    case ("micro", "hostcall"):
        guard args.count >= 1 else { usage() }
        let n = args.count > 1 ? UInt64(args[1]) ?? 1_000_000 : 1_000_000
        var results: [String] = []
        for gas in [PolkaVMRunner.Gas.none, .simple] {
            let ns = try PolkaVMRunner(gas: gas).hostCall(path: args[0], n: n, reps: 5)
            results.append("ns_per_call_gas_\(gas.rawValue)=\(String(format: "%.1f", ns))")
        }
        print("calls=\(n) " + results.joined(separator: " "))
    default:
        usage()
    }
}

do {
    try main()
} catch {
    FileHandle.standardError.write("polkavm-bench: error: \(error)\n".data(using: .utf8)!)
    exit(1)
}
