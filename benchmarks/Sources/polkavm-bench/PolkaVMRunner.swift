import PolkaVM

/// Runs `.polkavm` blobs through the embedding API.
struct PolkaVMRunner {
    enum Gas: String { case none, simple, full }

    let gas: Gas

    var configuration: ModuleConfiguration {
        switch gas {
        case .none: return ModuleConfiguration(gasMetering: .none)
        case .simple: return ModuleConfiguration(gasMetering: .sync, costModel: .simple)
        case .full: return ModuleConfiguration(gasMetering: .sync, costModel: .upstreamFull)
        }
    }

    /// Bytes to a callable instance.
    func load(_ bytes: [UInt8], engine: Engine) throws -> Instance {
        let module = try Module(engine: engine, bytes: bytes, configuration: configuration)
        return module.instantiate()
    }

    /// Calls `name(n)` with a `uint64_t` argument and result (a register pair on 32-bit programs).
    func call(_ instance: Instance, _ name: String = "bench", _ n: UInt64, host: HostFunctions = HostFunctions()) throws -> UInt64 {
        if gas != .none { instance.gas = Int64.max / 2 }
        if instance.module.isa.is64Bit {
            return try instance.call(name, [n], host: host).a0
        }
        let (lo, hi) = try instance.call(name, [n & 0xffff_ffff, n >> 32], host: host)
        return (lo & 0xffff_ffff) | (hi << 32)
    }

    /// One measured run: load, then `bench(n)` `repeat` times. Prints the standard result line.
    func run(path: String, n: UInt64, repeat count: Int) throws {
        let bytes = try readBytes(path)
        let engine = Engine()
        let t0 = nowNanoseconds()
        let instance = try load(bytes, engine: engine)
        let loadNs = nowNanoseconds() - t0
        var first: UInt64 = 0, minNs = UInt64.max, checksum: UInt64 = 0
        for i in 0..<max(1, count) {
            let s = nowNanoseconds()
            let r = try call(instance, "bench", n)
            let dt = nowNanoseconds() - s
            if i == 0 { first = dt; checksum = r } else if r != checksum {
                throw BenchError.message("checksum changed between calls")
            }
            minNs = min(minNs, dt)
        }
        let gasLine = gas == .none ? "" : " gas_used=\(Int64.max / 2 - instance.gas)"
        print("load_ns=\(loadNs) call_ns=\(first) checksum=\(checksum) min_ns=\(minNs)\(gasLine)")
    }

    // MARK: Micro measurements

    /// Median ns of bytes -> callable instance, over `reps` repetitions.
    func loadTime(path: String, reps: Int) throws -> (bytes: Int, codeBytes: Int, medianNs: Double) {
        let bytes = try readBytes(path)
        let engine = Engine()
        var times: [Double] = []
        var codeBytes = 0
        for _ in 0..<reps {
            let t0 = nowNanoseconds()
            let instance = try load(bytes, engine: engine)
            times.append(Double(nowNanoseconds() - t0))
            codeBytes = instance.module.code.code.count
            blackHole(instance)
        }
        return (bytes.count, codeBytes, median(times))
    }

    /// Median ns of `instantiate()` + a call of the trivial export, and of the call alone.
    func instantiateAndCall(path: String, reps: Int) throws -> (instantiateCallNs: Double, callNs: Double, moduleNs: Double) {
        let bytes = try readBytes(path)
        let engine = Engine()
        var moduleTimes: [Double] = []
        var module: Module! = nil
        for _ in 0..<max(1, reps / 10) {
            let t0 = nowNanoseconds()
            module = try Module(engine: engine, bytes: bytes, configuration: configuration)
            moduleTimes.append(Double(nowNanoseconds() - t0))
        }
        var both: [Double] = [], callOnly: [Double] = []
        for i in 0..<reps {
            let t0 = nowNanoseconds()
            let instance = module.instantiate()
            let r = try call(instance, "bench", UInt64(i))
            let t1 = nowNanoseconds()
            guard r == UInt64(i) &* 3 &+ 1 else { throw BenchError.message("trivial export returned \(r)") }
            let r2 = try call(instance, "bench", UInt64(i))
            let t2 = nowNanoseconds()
            blackHole(r2)
            both.append(Double(t1 - t0))
            callOnly.append(Double(t2 - t1))
        }
        return (median(both), median(callOnly), median(moduleTimes))
    }

    /// Median ns of `instantiate()` alone (guest memory mapped, RO and RW data copied in), and the
    /// program's RO plus RW data size.
    func instantiateTime(path: String, reps: Int) throws -> (dataBytes: Int, medianNs: Double) {
        let bytes = try readBytes(path)
        let module = try Module(engine: Engine(), bytes: bytes, configuration: configuration)
        blackHole(module.instantiate())
        var times: [Double] = []
        for _ in 0..<reps {
            let t0 = nowNanoseconds()
            let instance = module.instantiate()
            times.append(Double(nowNanoseconds() - t0))
            blackHole(instance)
        }
        return ((module.blob?.roData.count ?? 0) + (module.blob?.rwData.count ?? 0), median(times))
    }

    /// RSS added per live instance, over `count` instances that each ran the trivial export once.
    func memoryPerInstance(path: String, count: Int) throws -> (rssPerInstanceBytes: Double, guestBytesPerInstance: Double, rssPerIdleInstanceBytes: Double) {
        let bytes = try readBytes(path)
        let module = try Module(engine: Engine(), bytes: bytes, configuration: configuration)
        // Warm up allocator and code paths.
        do { let i = module.instantiate(); _ = try call(i, "bench", 1) }
        let before = residentSetBytes()
        var idle: [Instance] = []
        idle.reserveCapacity(count)
        for _ in 0..<count { idle.append(module.instantiate()) }
        let afterIdle = residentSetBytes()
        var live: [Instance] = []
        live.reserveCapacity(count)
        var guest = 0
        for i in 0..<count {
            let instance = module.instantiate()
            _ = try call(instance, "bench", UInt64(i))
            guest += instance.allocatedMemoryBytes
            live.append(instance)
        }
        let afterLive = residentSetBytes()
        blackHole(idle); blackHole(live)
        return (Double(afterLive - afterIdle) / Double(count), Double(guest) / Double(count), Double(afterIdle - before) / Double(count))
    }

    /// ns per host call: the guest calls `host_add` n times.
    func hostCall(path: String, n: UInt64, reps: Int) throws -> Double {
        let bytes = try readBytes(path)
        let instance = try load(bytes, engine: Engine())
        var host = HostFunctions()
        host.define("host_add") { _, x in x &+ 1 }
        var times: [Double] = []
        for _ in 0..<reps {
            let t0 = nowNanoseconds()
            let r = try call(instance, "bench", n, host: host)
            times.append(Double(nowNanoseconds() - t0))
            guard r == n &* 2 else { throw BenchError.message("host_add loop returned \(r), expected \(n * 2)") }
        }
        return median(times) / Double(n)
    }
}
