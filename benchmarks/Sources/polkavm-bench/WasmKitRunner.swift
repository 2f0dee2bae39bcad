import WasmKit

/// Runs the wasm32 build of a program through WasmKit.
struct WasmKitRunner {
    /// Bytes to a callable function.
    func load(_ bytes: [UInt8]) throws -> (Instance, Function) {
        let module = try parseWasm(bytes: bytes)
        let engine = Engine()
        let store = Store(engine: engine)
        var imports = Imports()
        if module.imports.contains(where: { $0.name == "host_add" }) {
            imports.define(module: "env", name: "host_add",
                           Function(store: store, parameters: [.i64], results: [.i64]) { _, args in
                               [.i64(args[0].i64 &+ 1)]
                           })
        }
        let instance = try module.instantiate(store: store, imports: imports)
        guard let bench = instance.exports[function: "bench"] else {
            throw BenchError.message("no `bench` export")
        }
        return (instance, bench)
    }

    func run(path: String, n: UInt64, repeat count: Int) throws {
        let bytes = try readBytes(path)
        let t0 = nowNanoseconds()
        let (instance, bench) = try load(bytes)
        let loadNs = nowNanoseconds() - t0
        var first: UInt64 = 0, minNs = UInt64.max, checksum: UInt64 = 0
        for i in 0..<max(1, count) {
            let s = nowNanoseconds()
            let result = try bench([.i64(n)])
            let dt = nowNanoseconds() - s
            let r = result[0].i64
            if i == 0 { first = dt; checksum = r } else if r != checksum {
                throw BenchError.message("checksum changed between calls")
            }
            minNs = min(minNs, dt)
        }
        blackHole(instance)
        print("load_ns=\(loadNs) call_ns=\(first) checksum=\(checksum) min_ns=\(minNs)")
    }
}
