import Testing

import PolkaVM

/// Engines and modules are Sendable: one module is instantiated and run on many tasks at once, each
/// with its own instance, and every run gives the same result.
@Suite struct ConcurrencyTests {
    @Test func oneModuleManyConcurrentInstances() async throws {
        let blob = try Assembler.assemble("""
        %stack_size = 4096
        pub @sum:
            a1 = 0
            a2 = 0
            jump @done if a0 == 0
        @loop:
            a1 = a1 + a2
            a2 = a2 + 1
            jump @loop if a2 <u a0
        @done:
            a0 = a1
            ret
        """, isa: .latest64)
        let module = try Module(engine: testEngine, blob: blob, configuration: ModuleConfiguration(gasMetering: .sync))
        let results = try await withThrowingTaskGroup(of: (UInt64, UInt64).self) { group in
            for n in UInt64(1)...16 {
                group.addTask {
                    let vm = module.instantiate()
                    vm.gas = 1_000_000
                    return (n, try vm.call("sum", [n * 100]).a0)
                }
            }
            var all: [(UInt64, UInt64)] = []
            for try await r in group { all.append(r) }
            return all
        }
        #expect(results.count == 16)
        for (n, sum) in results {
            let m = n * 100
            #expect(sum == m * (m - 1) / 2)
        }
    }
}
