import Foundation
import PolkaVM
import Testing
import ToolRunner

/// The repository root (this file is Tests/ExamplesTests/ExamplesTests.swift).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The examples and the target each committed blob is built for (examples/build.sh).
let examples: [(name: String, target: String)] = [
    ("hello", "rv64"), ("ackermann", "rv64"), ("sieve", "rv64"), ("int64", "rv32"), ("funcptr", "rv32"), ("switch", "rv64"),
    ("mandelbrot", "rv32"),
]

/// Runs `export` of a blob in-process with the I/O host calls of docs/HOSTCALLS.md (stdout captured)
/// and returns the output and the exit status (`polkavm_exit`'s, or the export's result).
func runGuest(_ bytes: [UInt8], export: String = "main", arguments: [String] = []) throws -> (output: String, status: Int64) {
    let module = try Module(engine: Engine(), bytes: bytes, configuration: ModuleConfiguration())
    let instance = module.instantiate()
    let is64 = module.isa.is64Bit
    func word(_ v: UInt64) -> UInt64 { is64 ? v : v & 0xFFFF_FFFF }
    struct Exit: Error { var code: Int64 }
    var output: [UInt8] = []
    var host = HostFunctions()
    host.define("polkavm_write") { instance, fd, address, length in
        guard fd == 1 || fd == 2 else { return UInt64(bitPattern: -9) }
        let bytes = try instance.readMemory(at: UInt32(word(address)), count: Int(word(length)))
        if fd == 1 { output += bytes }
        return word(length)
    }
    host.define("polkavm_read") { _, _, _, _ in 0 }
    host.define("polkavm_arg_count") { _ in UInt64(arguments.count) }
    host.define("polkavm_arg_len") { _, index in
        Int(word(index)) < arguments.count ? UInt64(arguments[Int(word(index))].utf8.count) : UInt64(bitPattern: -22)
    }
    host.define("polkavm_arg_read") { instance, index, address, length in
        guard Int(word(index)) < arguments.count else { return UInt64(bitPattern: -22) }
        let arg = Array(arguments[Int(word(index))].utf8)
        try instance.writeMemory(Array(arg.prefix(Int(word(length)))), at: UInt32(word(address)))
        return UInt64(arg.count)
    }
    host.defineRaw("polkavm_exit") { instance in throw Exit(code: Int64(Int32(truncatingIfNeeded: instance.register(.a0)))) }
    do {
        let (a0, _) = try instance.call(export, [], host: host)
        return (String(decoding: output, as: UTF8.self), Int64(Int32(truncatingIfNeeded: a0)))
    } catch .hostFunctionFailed(_, let exit as Exit) {
        return (String(decoding: output, as: UTF8.self), exit.code)
    }
}

/// The C toolchain and the `polkavm` executable, when available (else the rebuild tests are skipped).
enum Toolchain {
    /// clang: `$CLANG`, or next to the resolved `swift` on PATH.
    static let clang: String? = {
        if let c = ProcessInfo.processInfo.environment["CLANG"], FileManager.default.isExecutableFile(atPath: c) { return c }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let swift = URL(fileURLWithPath: String(dir)).appendingPathComponent("swift")
            guard FileManager.default.isExecutableFile(atPath: swift.path) else { continue }
            let clang = swift.resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("clang").path
            return FileManager.default.isExecutableFile(atPath: clang) ? clang : nil
        }
        return nil
    }()

    /// The `polkavm` executable built alongside the tests.
    static let polkavm: String? = {
        var dirs = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        dirs.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for dir in dirs {
            var d = dir
            for _ in 0..<4 {
                let candidate = d.appendingPathComponent("polkavm").path
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
                d = d.deletingLastPathComponent()
            }
        }
        return nil
    }()

    static var available: Bool { clang != nil && polkavm != nil }

    /// Runs `polkavm` with `arguments`; returns the exit status and stdout.
    @discardableResult
    static func polkavm(_ arguments: [String], stdin: Data? = nil) throws -> (status: Int32, output: String, error: String) {
        var environment = ProcessInfo.processInfo.environment
        if let clang { environment["CLANG"] = clang }
        let run = try runTool(polkavm!, arguments, stdin: stdin, environment: environment)
        // A crash is never an exit status a test expects: report it as a status no command exits with.
        return (run.exitedNormally ? run.status : 128 + run.status, run.outputText, run.errorText)
    }

    /// Builds C `source` for `target` with `polkavm build` and runs its `main` export with `polkavm run`.
    static func buildAndRunMain(_ source: String, name: String, target: String, stdin: Data? = nil) throws -> (status: Int32, output: String, error: String) {
        let file = temporaryFile("\(name)-\(target).c"), blob = temporaryFile("\(name)-\(target).polkavm")
        defer { for f in [file, blob] { try? FileManager.default.removeItem(atPath: f) } }
        try source.write(toFile: file, atomically: true, encoding: .utf8)
        let build = try polkavm(["build", "--target", target, file, "-o", blob])
        try #require(build.status == 0, "polkavm build failed: \(build.error)")
        return try polkavm(["run", blob, "--call", "main"], stdin: stdin)
    }

    static func temporaryFile(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("examples-tests-\(ProcessInfo.processInfo.processIdentifier)-\(name)").path
    }
}

@Suite struct ExamplesTests {
    @Test("committed example blobs run and print their expected output", arguments: examples.map(\.name))
    func runs(name: String) throws {
        let dir = repositoryRoot.appendingPathComponent("examples/\(name)")
        let blob = try [UInt8](Data(contentsOf: dir.appendingPathComponent("\(name).polkavm")))
        let expected = try String(contentsOf: dir.appendingPathComponent("expected.txt"), encoding: .utf8)
        let (output, status) = try runGuest(blob)
        #expect(status == 0)
        #expect(output == expected)
    }

    @Test("polkavm build reproduces the committed example blobs byte for byte", .enabled(if: Toolchain.available, "clang or the polkavm executable not found: skipping the rebuild"),
          arguments: examples)
    func rebuilds(name: String, target: String) throws {
        let source = repositoryRoot.appendingPathComponent("examples/\(name)/\(name).c").path
        let committed = try Data(contentsOf: repositoryRoot.appendingPathComponent("examples/\(name)/\(name).polkavm"))
        let output = Toolchain.temporaryFile("\(name).polkavm")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = try Toolchain.polkavm(["build", "--target", target, source, "-o", output])
        try #require(result.status == 0, "polkavm build failed: \(result.error)")
        let rebuilt = try Data(contentsOf: URL(fileURLWithPath: output))
        #expect(rebuilt == committed, "examples/\(name)/\(name).polkavm differs from a fresh build (if the toolchain changed on purpose, run examples/build.sh)")
    }

    @Test("the example hello prints its arguments")
    func helloArguments() throws {
        let blob = try [UInt8](Data(contentsOf: repositoryRoot.appendingPathComponent("examples/hello/hello.polkavm")))
        let (output, status) = try runGuest(blob, arguments: ["Alice", "Bob"])
        #expect(status == 0)
        #expect(output == "Hello, world!\nHello, Alice!\nHello, Bob!\n")
    }

    @Test("polkavm run: program arguments after --, stdin, stderr, exit status", .enabled(if: Toolchain.available, "clang or the polkavm executable not found"))
    func runCommandIO() throws {
        let source = Toolchain.temporaryFile("io.c")
        let blob = Toolchain.temporaryFile("io.polkavm")
        defer { for f in [source, blob] { try? FileManager.default.removeItem(atPath: f) } }
        try """
            #include "polkavm.h"
            POLKAVM_EXPORT(int, main, int);
            int main(int x) {
                char buf[100];
                intptr_t n = polkavm_read(POLKAVM_STDIN, buf, sizeof buf);
                polkavm_printf("x=%d args=%d read=%d\\n", x, (int)polkavm_arg_count(), (int)n);
                polkavm_write(POLKAVM_STDOUT, buf, (size_t)n);
                for (intptr_t i = 0; i < polkavm_arg_count(); i++) {
                    intptr_t len = polkavm_arg_read((size_t)i, buf, sizeof buf);
                    polkavm_printf("<%d:", (int)len);
                    polkavm_write(POLKAVM_STDOUT, buf, (size_t)len);
                    polkavm_print(">");
                }
                polkavm_write(POLKAVM_STDERR, "err\\n", 4);
                polkavm_printf("\\nbad fd %d, bad arg %d, bad buffer %d\\n", (int)polkavm_write(7, buf, 1),
                               (int)polkavm_arg_len(99), (int)polkavm_write(1, (void *)0x10, 4));
                if (x == 5) polkavm_exit(42);
                return x + 1;
            }
            """.write(toFile: source, atomically: true, encoding: .utf8)
        for target in ["rv64", "rv32"] {
            let build = try Toolchain.polkavm(["build", "--target", target, "-Os", source, "-o", blob])
            try #require(build.status == 0, "polkavm build failed: \(build.error)")
            let run = try Toolchain.polkavm(["run", blob, "--call", "main", "5", "--", "a b", "", "ü"], stdin: Data("input!".utf8))
            #expect(run.status == 42)
            #expect(run.output == "x=5 args=3 read=6\ninput!<3:a b><0:><2:ü>\nbad fd -9, bad arg -22, bad buffer -14\n")
            #expect(run.error == "err\n")
            let plain = try Toolchain.polkavm(["run", blob, "--call", "main", "1"])
            #expect(plain.status == 0)
            #expect(plain.output.hasSuffix("\n2\n"))
        }
    }
}

/// guest/polkavm.h's macros, end to end through `polkavm build`.
@Suite struct GuestSDKTests {
    /// Builds C source for `target` and loads the module.
    func build(_ source: String, target: String, extra: [String] = []) throws -> Module {
        let file = Toolchain.temporaryFile("sdk-\(target).c"), blob = Toolchain.temporaryFile("sdk-\(target).polkavm")
        defer { for f in [file, blob] { try? FileManager.default.removeItem(atPath: f) } }
        try source.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try Toolchain.polkavm(["build", "--target", target] + extra + [file, "-o", blob])
        try #require(result.status == 0, "polkavm build failed: \(result.error)")
        return try Module(engine: Engine(), bytes: [UInt8](Data(contentsOf: URL(fileURLWithPath: blob))), configuration: ModuleConfiguration())
    }

    @Test("imports (V1 sorted by name, V2 by index), 64-bit values in register pairs on rv32, heap",
          .enabled(if: Toolchain.available, "clang or the polkavm executable not found"), arguments: ["rv64", "rv32"])
    func imports(target: String) throws {
        let v1 = try build("""
            #include "polkavm.h"
            POLKAVM_IMPORT(uint64_t, zeta, uint64_t, uint32_t)
            POLKAVM_IMPORT(void, alpha, const char *, size_t)
            POLKAVM_IMPORT(uint32_t, unused_import)
            POLKAVM_EXPORT(uint64_t, entry, uint64_t, uint32_t);
            uint64_t entry(uint64_t a, uint32_t b) {
                char *p = malloc(3);
                p[0] = 'h'; p[1] = 'i'; p[2] = 0;
                alpha(p, strlen(p));
                free(p);
                return zeta(a, b) + 1;
            }
            """, target: target, extra: ["-D", "UNUSED=1", "-Os"])
        #expect(v1.imports.map(\.description) == ["alpha", "zeta"])
        let is64 = v1.isa.is64Bit
        var seen = ""
        var host = HostFunctions()
        host.define("alpha") { instance, address, length in
            seen = String(decoding: try instance.readMemory(at: UInt32(truncatingIfNeeded: address), count: Int(length)), as: UTF8.self)
            return 0
        }
        host.defineRaw("zeta") { instance in
            // rv32: the 64-bit argument is (a0, a1), the 32-bit one a2; the result is (a0, a1).
            let a = is64 ? instance.register(.a0) : (instance.register(.a0) & 0xFFFF_FFFF) | (instance.register(.a1) << 32)
            let b = is64 ? instance.register(.a1) : instance.register(.a2)
            let r = a &* 3 &+ (b & 0xFFFF_FFFF)
            instance.setRegister(.a0, is64 ? r : r & 0xFFFF_FFFF)
            instance.setRegister(.a1, is64 ? 0 : r >> 32)
        }
        let a: UInt64 = 0x1_2345_6789
        let args: [UInt64] = is64 ? [a, 7] : [a & 0xFFFF_FFFF, a >> 32, 7]
        let (lo, hi) = try v1.instantiate().call("entry", args, host: host)
        #expect((is64 ? lo : (lo & 0xFFFF_FFFF) | (hi << 32)) == a * 3 + 7 + 1)
        #expect(seen == "hi")

        let v2 = try build("""
            #include "polkavm.h"
            POLKAVM_IMPORT_WITH_INDEX(3, uint32_t, three, uint32_t)
            POLKAVM_IMPORT_WITH_INDEX(1, uint32_t, one, uint32_t)
            POLKAVM_MIN_STACK_SIZE(100000);
            POLKAVM_EXPORT(uint32_t, entry, uint32_t);
            uint32_t entry(uint32_t x) { return three(one(x)); }
            """, target: target)
        #expect(v2.imports.map(\.description) == ["", "one", "", "three"])
        #expect((v2.memoryMap?.stackSize ?? 0) >= 100000)
        var host2 = HostFunctions()
        host2.define("one") { _, x in x + 1 }
        host2.define("three") { _, x in x * 3 }
        #expect(try v2.instantiate().call("entry", [5], host: host2).a0 == 18)
    }
}

/// A fast subset of tools/difftest: generated programs (tools/difftest/gen.py --seed N, integer and
/// floating-point arithmetic) whose expected output was computed by running the same C as rv64gc and
/// rv32gc Linux executables (hardware floating point) under qemu-user; both agree.
@Suite struct DifferentialSubsetTests {
    /// Seed and the optimization level run.sh uses for it (seed % 6 over 2, s, 1, 3, z, 0).
    /// Seed 1795300256 (-O1) is a regression test: its float results crossed libcalls with the upper
    /// register bits clang's libcall convention assumes (guest/polkavm_softfloat.c, sf_freg).
    static let programs: [(seed: Int, level: String)] = [(1002, "2"), (1003, "s"), (1004, "1"), (1005, "3"), (1006, "z"), (1007, "0"),
                                                         (1795300256, "1")]

    @Test("generated programs give the natively computed output on rv64 and rv32", .enabled(if: Toolchain.available, "clang or the polkavm executable not found: skipping"),
          arguments: programs)
    func generated(seed: Int, level: String) throws {
        let dir = repositoryRoot.appendingPathComponent("tools/difftest/subset")
        let source = dir.appendingPathComponent("seed-\(seed).c").path
        let expected = try String(contentsOf: dir.appendingPathComponent("seed-\(seed).expected"), encoding: .utf8)
        for target in ["rv64", "rv32"] {
            let blob = Toolchain.temporaryFile("seed-\(seed)-\(target).polkavm")
            defer { try? FileManager.default.removeItem(atPath: blob) }
            let build = try Toolchain.polkavm(["build", "--target", target, "-O\(level)", "--cflag=-w", source, "-o", blob])
            try #require(build.status == 0, "polkavm build --target \(target) -O\(level) failed: \(build.error)")
            let (output, status) = try runGuest(try [UInt8](Data(contentsOf: URL(fileURLWithPath: blob))))
            #expect(status == 0)
            #expect(output == expected, "seed \(seed), \(target), -O\(level)")
        }
    }
}

/// The standard C headers of the guest SDK (guest/include) with the C library behind them.
@Suite struct StandardHeadersTests {
    static let program = """
        #include <assert.h>
        #include <ctype.h>
        #include <math.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include "polkavm.h"
        POLKAVM_EXPORT(int, main);
        static int compare(const void *a, const void *b) {
            int x = *(const int *)a, y = *(const int *)b;
            return (x > y) - (x < y);
        }
        int main(void) {
            int v[10] = {5, -3, 9, 0, 9, 2, -8, 7, 1, 4};
            qsort(v, 10, sizeof v[0], compare);
            for (int i = 0; i < 10; i++) printf("%d%c", v[i], i == 9 ? '\\n' : ' ');
            int key = 7;
            int *found = bsearch(&key, v, 10, sizeof v[0], compare);
            printf("found 7 at %d\\n", (int)(found - v));
            char buf[64];
            strcpy(buf, "Hello");
            strcat(buf, ", world");
            printf("%s %zu %s %s\\n", buf, strlen(buf), strchr(buf, 'w'), strstr(buf, "lo,") ? "yes" : "no");
            char *end;
            long x = strtol("  -0x1F rest", &end, 0);
            printf("%ld [%s] %d %lld %lu\\n", x, end, atoi("123abc"), strtoll("-9223372036854775808", 0, 10), strtoul("077", 0, 0));
            for (const char *p = "aZ3 !"; *p; p++) putchar(isalpha(*p) ? toupper(*p) : isdigit(*p) ? '#' : '_');
            puts("");
            fprintf(stderr, "to stderr %d\\n", 42);
            printf("%d %d %d\\n", isnan(NAN), isinf(INFINITY), (int)(sqrt(2.0) * 1000));
            srand(7);
            int r1 = rand();
            srand(7);
            assert(rand() == r1);
            printf("%s\\n", strncmp("abcd", "abcz", 3) == 0 && memchr("xyz", 'z', 3) != NULL ? "ok" : "bad");
            assert(abs(-2) + 1 == 2);
            return 0;
        }
        """

    @Test("string.h, stdlib.h, stdio.h, math.h, ctype.h and assert.h work in guests",
          .enabled(if: Toolchain.available, "clang or the polkavm executable not found"), arguments: ["rv64", "rv32"])
    func headers(target: String) throws {
        let file = Toolchain.temporaryFile("headers-\(target).c"), blob = Toolchain.temporaryFile("headers-\(target).polkavm")
        defer { for f in [file, blob] { try? FileManager.default.removeItem(atPath: f) } }
        try StandardHeadersTests.program.write(toFile: file, atomically: true, encoding: .utf8)
        let build = try Toolchain.polkavm(["build", "--target", target, file, "-o", blob])
        try #require(build.status == 0, "polkavm build failed: \(build.error)")
        let run = try Toolchain.polkavm(["run", blob, "--call", "main"])
        #expect(run.output == """
            -8 -3 0 1 2 4 5 7 9 9
            found 7 at 7
            Hello, world 12 world yes
            -31 [ rest] 123 -9223372036854775808 63
            AZ#__
            1 1 1414
            ok

            """)
        #expect(run.error.contains("to stderr 42\n"))
        // The last assertion fails: its expression and location go to stderr, then the program traps.
        #expect(run.error.contains("assertion failed: abs(-2) + 1 == 2"))
        #expect(run.status != 0)
    }
}
