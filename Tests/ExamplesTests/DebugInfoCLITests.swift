import Foundation
import PolkaVM
import Testing

/// Source locations in `polkavm disasm`, `polkavm run --trace` and trap reports.
@Suite struct DebugInfoCLITests {
    @Test("disasm prints source locations of the committed hello blob; the listing still reassembles",
          .enabled(if: Toolchain.polkavm != nil, "the polkavm executable was not found"))
    func disasmLocations() throws {
        let blob = repositoryRoot.appendingPathComponent("examples/hello/hello.polkavm").path
        let listing = try Toolchain.polkavm(["disasm", blob])
        try #require(listing.status == 0, "\(listing.error)")
        #expect(listing.output.contains("// hello.c:12:5 (main)"), "\(listing.output)")
        #expect(listing.output.contains("// guest/polkavm_libc.c:"))
        let plain = try Toolchain.polkavm(["disasm", "--no-debug-info", blob])
        #expect(!plain.output.contains("hello.c"))

        let source = Toolchain.temporaryFile("hello-listing.s"), again = Toolchain.temporaryFile("hello-again.polkavm")
        defer { for f in [source, again] { try? FileManager.default.removeItem(atPath: f) } }
        try listing.output.write(toFile: source, atomically: true, encoding: .utf8)
        let asm = try Toolchain.polkavm(["asm", source, "-o", again])
        try #require(asm.status == 0, "\(asm.error)")
        let original = try Module(engine: Engine(), bytes: [UInt8](Data(contentsOf: URL(fileURLWithPath: blob))), configuration: ModuleConfiguration())
        let reassembled = try Module(engine: Engine(), bytes: [UInt8](Data(contentsOf: URL(fileURLWithPath: again))), configuration: ModuleConfiguration())
        #expect(original.code.code == reassembled.code.code)
    }

    @Test("run --profile counts every executed instruction (as many as gas units in the simple model without memset) and names source functions",
          .enabled(if: Toolchain.polkavm != nil, "the polkavm executable was not found"))
    func profile() throws {
        let blob = repositoryRoot.appendingPathComponent("examples/ackermann/ackermann.polkavm").path
        let counts = Toolchain.temporaryFile("ackermann-profile.txt")
        defer { try? FileManager.default.removeItem(atPath: counts) }
        let plain = try Toolchain.polkavm(["run", blob, "--call", "ackermann", "2", "3", "--gas", "100000000", "--stats"])
        try #require(plain.status == 0, "\(plain.error)")
        let profiled = try Toolchain.polkavm(["run", blob, "--call", "ackermann", "2", "3", "--profile", "--profile-out", counts])
        try #require(profiled.status == 0, "\(profiled.error)")
        #expect(profiled.output == plain.output)
        let gasUsed = try #require(plain.error.split(separator: " ").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        #expect(profiled.error.contains("profile: \(gasUsed) instructions executed"), "\(profiled.error)")
        #expect(profiled.error.contains("hottest functions") && profiled.error.contains("ackermann"), "\(profiled.error)")
        let lines = try String(contentsOfFile: counts, encoding: .utf8).split(separator: "\n")
        let total = lines.reduce(0) { $0 + Int($1.split(separator: " ")[1])! }
        #expect(total == gasUsed)
    }

    @Test("run reports the source location of a trap; --trace annotates instructions",
          .enabled(if: Toolchain.available, "clang or the polkavm executable not found"))
    func trapLocation() throws {
        let source = Toolchain.temporaryFile("trap.c"), blob = Toolchain.temporaryFile("trap.polkavm")
        defer { for f in [source, blob] { try? FileManager.default.removeItem(atPath: f) } }
        try """
            #include "polkavm.h"
            POLKAVM_EXPORT(int, main, int);
            static int __attribute__((noinline)) check(int x) {
                if (x > 3)
                    __builtin_trap();
                return x + 1;
            }
            int main(int n) {
                int s = 0;
                for (int i = 0; i < n; i++)
                    s += check(i);
                return s;
            }
            """.write(toFile: source, atomically: true, encoding: .utf8)
        let name = URL(fileURLWithPath: source).lastPathComponent
        for target in ["rv64", "rv32"] {
            let build = try Toolchain.polkavm(["build", "--target", target, source, "-o", blob])
            try #require(build.status == 0, "\(build.error)")
            let run = try Toolchain.polkavm(["run", blob, "--call", "main", "10"])
            #expect(run.status == 2)
            #expect(run.error.contains("guest trapped") && run.error.contains("at \(name):5:9 (check)"), "\(run.error)")
            let traced = try Toolchain.polkavm(["run", blob, "--call", "main", "2", "--trace"])
            #expect(traced.status == 0)
            #expect(traced.output.contains("// \(name):6:14 (check)"), "\(traced.output)")

            // A trap in inlined code: the call sites, innermost first.
            let inlined = Toolchain.temporaryFile("inlined.c")
            defer { try? FileManager.default.removeItem(atPath: inlined) }
            try """
                #include "polkavm.h"
                POLKAVM_EXPORT(int, main, int);
                static inline int check(int x) {
                    if (x > 3) __builtin_trap();
                    return x * 3;
                }
                int main(int n) {
                    int s = 0;
                    for (int i = 0; i < n; i++) s += check(i);
                    return s;
                }
                """.write(toFile: inlined, atomically: true, encoding: .utf8)
            let inlinedName = URL(fileURLWithPath: inlined).lastPathComponent
            try #require(try Toolchain.polkavm(["build", "--target", target, inlined, "-o", blob]).status == 0)
            let inlinedRun = try Toolchain.polkavm(["run", blob, "--call", "main", "10"])
            #expect(inlinedRun.error.contains("at \(inlinedName):4:16 (check)\n    inlined into main at \(inlinedName):9:38"), "\(inlinedRun.error)")

            let stripped = try Toolchain.polkavm(["build", "--strip", "--target", target, source, "-o", blob])
            try #require(stripped.status == 0)
            let plain = try Toolchain.polkavm(["run", blob, "--call", "main", "10"])
            #expect(plain.status == 2 && !plain.error.contains(name))
        }
    }
}
