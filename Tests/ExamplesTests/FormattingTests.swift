import Foundation
import PolkaVM
import Testing

/// The guest SDK's printf engine and strtod/strtof (guest/polkavm_format.c) inside the VM, on rv64 and
/// rv32: the text must be what the host's C library prints, and the parsed bits what it parses
/// (tools/libc checks the same natively with far more cases).
@Suite struct FormattingTests {
    static let source = """
        #include <stdio.h>
        #include <stdlib.h>
        #include "polkavm.h"
        POLKAVM_IMPORT(void, emit, const char *, size_t)
        static char text[2048];
        static char input[512];
        POLKAVM_EXPORT(uintptr_t, input_buffer);
        uintptr_t input_buffer(void) { return (uintptr_t)input; }
        typedef union { double d; uint64_t u; } bits64;
        /* Formats the double with the directive in `input`, through <stdio.h>'s snprintf. */
        POLKAVM_EXPORT(int, format_double, uint64_t);
        int format_double(uint64_t bits) {
            bits64 b; b.u = bits;
            int n = snprintf(text, sizeof text, input, b.d);
            emit(text, n < (int)sizeof text ? (size_t)n : sizeof text - 1);
            return n;
        }
        /* Formats the integer with the directive in `input`, through the small polkavm_snprintf
         * (small = 1) or snprintf. */
        POLKAVM_EXPORT(int, format_integer, uint64_t, uint32_t);
        int format_integer(uint64_t value, uint32_t small) {
            int n = small ? polkavm_snprintf(text, sizeof text, input, (long long)value)
                          : snprintf(text, sizeof text, input, (long long)value);
            emit(text, (size_t)n);
            return n;
        }
        /* strtod of `input`: the bits, with the number of characters read in the second result
         * (rv64: a1 is set by hand below; rv32: the high half of the 64-bit result is bits >> 32, so
         * the end offset comes back through parse_end). */
        static uint32_t end_offset;
        POLKAVM_EXPORT(uint64_t, parse_double);
        uint64_t parse_double(void) {
            char *end; bits64 b; b.d = strtod(input, &end);
            end_offset = (uint32_t)(end - input);
            return b.u;
        }
        POLKAVM_EXPORT(uint32_t, parse_float);
        uint32_t parse_float(void) {
            char *end; union { float f; uint32_t u; } b; b.f = strtof(input, &end);
            end_offset = (uint32_t)(end - input);
            return b.u;
        }
        POLKAVM_EXPORT(uint32_t, parse_end);
        uint32_t parse_end(void) { return end_offset; }
        """

    /// What the host's C library prints for `directive` with one argument.
    static func host(_ directive: String, _ argument: CVarArg) -> String {
        var buffer = [CChar](repeating: 0, count: 2048)
        _ = withVaList([argument]) { vsnprintf(&buffer, buffer.count, directive, $0) }
        return String(cString: buffer)
    }

    struct Guest {
        let instance: Instance
        let is64: Bool
        let input: UInt32

        init(_ module: Module) throws {
            instance = module.instantiate()
            is64 = module.isa.is64Bit
            input = UInt32(truncatingIfNeeded: try instance.call("input_buffer").a0)
        }

        func setInput(_ text: String) throws {
            try instance.writeMemory(Array(text.utf8) + [0], at: input)
        }

        func host() -> (HostFunctions, () -> String) {
            final class Box: @unchecked Sendable { var text = "" }
            let box = Box()
            var host = HostFunctions()
            host.define("emit") { instance, address, length in
                box.text = String(decoding: try instance.readMemory(at: UInt32(truncatingIfNeeded: address), count: Int(length)), as: UTF8.self)
                return 0
            }
            return (host, { box.text })
        }

        /// The guest's formatting of one argument (64 bits, split into a register pair on rv32).
        func format(_ export: String, _ directive: String, _ value: UInt64, _ extra: [UInt64] = []) throws -> String {
            try setInput(directive)
            let (host, text) = host()
            let arguments = (is64 ? [value] : [value & 0xFFFF_FFFF, value >> 32]) + extra
            _ = try instance.call(export, arguments, host: host)
            return text()
        }
    }

    @Test("printf's floating-point and integer conversions print what the host's C library prints",
          .enabled(if: Toolchain.available, "clang or the polkavm executable not found"), arguments: ["rv64", "rv32"])
    func printing(target: String) throws {
        let guest = try Guest(GuestSDKTests().build(FormattingTests.source, target: target))
        var seed: UInt64 = 0x5DEE_CE66_D1CE_4E5B
        func next() -> UInt64 { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; return seed }
        let values: [Double] = [0, -0.0, 1, 0.5, 2.5, 0.1, 1.0 / 3, 123.456, 1e21, 1e-7, 99.5, 0.125, 9.995, 1e300, 5e-324,
                                Double.greatestFiniteMagnitude, Double.leastNormalMagnitude, .infinity, -.infinity, .nan, -12345.678]
        let directives = ["%f", "%.0f", "%.2f", "%10.3f", "%-12.1e", "%e", "%E", "%.15g", "%.17g", "%g", "%G", "%#.3g", "%+.4e",
                          "% 09.2f", "%a", "%.3A", "%.0e", "%.30f", "%.1100f", "%08.3g"]
        var mismatches: [String] = [], checked = 0
        for value in values + (0..<40).map({ _ in Double(bitPattern: next()) }) {
            for directive in directives {
                let want = FormattingTests.host(directive, value)
                let got = try guest.format("format_double", directive, value.bitPattern)
                if got != want { mismatches.append("\(directive) of \(value): guest \"\(got.prefix(80))\", host \"\(want.prefix(80))\"") }
                checked += 1
            }
        }
        let integerDirectives = ["%lld", "%+lld", "% 20lld", "%-20lld|", "%.25lld", "%llx", "%#llX", "%#llo", "%llu", "%020llu",
                                 "%#llb", "%hhd", "%hu", "%5.3lld", "%.0lld"]
        let integers: [UInt64] = [0, 1, 0xFF, 0x8000_0000_0000_0000, .max, 1234567890123] + (0..<20).map { _ in next() >> (next() % 64) }
        for value in integers {
            for directive in integerDirectives {
                let want = FormattingTests.host(directive, Int64(bitPattern: value))
                for small: UInt64 in [0, 1] {
                    let got = try guest.format("format_integer", directive, value, [small])
                    if got != want { mismatches.append("\(directive) (small \(small)) of \(value): guest \"\(got)\", host \"\(want)\"") }
                    checked += 1
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(checked) differ, first: \(mismatches.prefix(4))")
        // The small engine has no floating point: the directive is written as it stands.
        #expect(try guest.format("format_integer", "<%5.1f>", 0, [1]) == "<%5.1f>")
    }

    @Test("strtod and strtof give the host's bits and stop where it stops",
          .enabled(if: Toolchain.available, "clang or the polkavm executable not found"), arguments: ["rv64", "rv32"])
    func parsing(target: String) throws {
        let guest = try Guest(GuestSDKTests().build(FormattingTests.source, target: target))
        var seed: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> UInt64 { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; return seed }
        var inputs = ["0", "-0", "1", "3.14159", "  +2.5e3xyz", ".5", "5.", "e5", "inf", "-Infinity", "nan", "nan(1)", "0x1.8p3",
                      "0x.8", "0X1P-1074", "1e-400", "1e400", "2.4703282292062327e-324", "2.4703282292062328e-324",
                      "1.7976931348623157e308", "1.7976931348623159e308", "123456789012345678901234567890",
                      "0.000000000000000000000000000001", "9007199254740993", "9007199254740992.9999999999999999999999",
                      "1.00000005960464477550", "3.4028235677973366e38", "1.1754942807573643e-38", "0x", "-.e1"]
        for _ in 0..<80 {
            let value = Double(bitPattern: next())
            inputs.append(String(format: "%.\(next() % 20)e", value))
            inputs.append(String(format: "%.\(next() % 25)g", Double(Float(bitPattern: UInt32(truncatingIfNeeded: next())))))
        }
        var mismatches: [String] = []
        for input in inputs {
            try guest.setInput(input)
            var end: UnsafeMutablePointer<CChar>? = nil
            let (wantDouble, wantDoubleEnd): (Double, Int) = input.withCString { p in
                let d = strtod(p, &end)
                return (d, end! - UnsafeMutablePointer(mutating: p))
            }
            let (wantFloat, wantFloatEnd): (Float, Int) = input.withCString { p in
                let f = strtof(p, &end)
                return (f, end! - UnsafeMutablePointer(mutating: p))
            }
            let (lo, hi) = try guest.instance.call("parse_double")
            let gotDouble = Double(bitPattern: guest.is64 ? lo : (lo & 0xFFFF_FFFF) | (hi << 32))
            let gotDoubleEnd = Int(try guest.instance.call("parse_end").a0)
            let gotFloat = Float(bitPattern: UInt32(truncatingIfNeeded: try guest.instance.call("parse_float").a0))
            let gotFloatEnd = Int(try guest.instance.call("parse_end").a0)
            let sameDouble = gotDouble.bitPattern == wantDouble.bitPattern || (gotDouble.isNaN && wantDouble.isNaN && gotDouble.sign == wantDouble.sign)
            let sameFloat = gotFloat.bitPattern == wantFloat.bitPattern || (gotFloat.isNaN && wantFloat.isNaN && gotFloat.sign == wantFloat.sign)
            if !sameDouble || gotDoubleEnd != wantDoubleEnd {
                mismatches.append("strtod(\"\(input)\"): guest \(gotDouble) +\(gotDoubleEnd), host \(wantDouble) +\(wantDoubleEnd)")
            }
            if !sameFloat || gotFloatEnd != wantFloatEnd {
                mismatches.append("strtof(\"\(input)\"): guest \(gotFloat) +\(gotFloatEnd), host \(wantFloat) +\(wantFloatEnd)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(inputs.count * 2) differ, first: \(mismatches.prefix(4))")
    }

    @Test("<stdio.h> input: getchar, ungetc, fgets, fread and feof over polkavm run's stdin",
          .enabled(if: Toolchain.available, "clang or the polkavm executable not found"), arguments: ["rv64", "rv32"])
    func reading(target: String) throws {
        let run = try Toolchain.buildAndRunMain("""
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            POLKAVM_EXPORT(int, main);
            int main(void) {
                int c = getchar();
                ungetc(c, stdin);
                printf("first '%c'\\n", c);
                char line[8];
                long total = 0;
                while (fgets(line, sizeof line, stdin) && strcmp(line, "--\\n") != 0) {
                    printf("line \\"%s\\" (%zu)\\n", strchr(line, '\\n') ? "full" : line, strlen(line));
                    total += strtol(line, NULL, 10);
                }
                char rest[64];
                size_t n = fread(rest, 1, sizeof rest, stdin);
                printf("total %ld, rest %zu \\"%.*s\\", eof %d, getchar %d, fgets %s\\n", total, n, (int)n, rest,
                       feof(stdin) != 0, getchar(), fgets(line, sizeof line, stdin) ? "line" : "NULL");
                fflush(stdout);
                return 0;
            }
            """, name: "stdin", target: target, stdin: Data("12\n30\n123456789\n--\nthe rest".utf8))
        #expect(run.status == 0)
        #expect(run.output == """
            first '1'
            line "full" (3)
            line "full" (3)
            line "1234567" (7)
            line "full" (3)
            total 1234698, rest 8 "the rest", eof 1, getchar -1, fgets NULL
            0

            """)
    }

    @Test("setjmp/longjmp, atexit, strtok and the other string, stdlib and inttypes functions",
          .enabled(if: Toolchain.available, "clang or the polkavm executable not found"), arguments: ["rv64", "rv32"])
    func library(target: String) throws {
        let run = try Toolchain.buildAndRunMain(#"""
            #include <ctype.h>
            #include <inttypes.h>
            #include <setjmp.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            static jmp_buf env;
            static int depth;
            static void dive(int n) { if (n == 0) longjmp(env, 42); depth++; dive(n - 1); }
            static void first(void) { printf("atexit first (runs last) %d\n", depth); }
            static void second(void) { printf("atexit second\n"); }
            POLKAVM_EXPORT(int, main);
            int main(void) {
                char text[] = "  alpha, beta;;gamma  ";
                for (char *t = strtok(text, " ,;"); t; t = strtok(NULL, " ,;")) printf("<%s>", t);
                printf("\n%zu %zu %s %d %d\n", strspn("aabbc", "ab"), strcspn("hello", "lo"), strpbrk("hello", "xl"),
                       strcasecmp("HeLLo", "hello"), strncasecmp("abcX", "ABCy", 3) == 0);
                char *d = strdup("dup"), *nd = strndup("abcdef", 3), cat[16] = "ab";
                strncat(cat, "cdefg", 2);
                printf("%s %s %s %s %s\n", d, nd, cat, strerror(22), (char *)memrchr("abcabc", 'b', 6));
                int v = setjmp(env);
                if (v == 0) { dive(10); printf("not reached\n"); }
                printf("longjmp %d depth %d\n", v, depth);
                jmp_buf again;
                volatile int count = 0;
                if (setjmp(again) < 3) { count++; longjmp(again, count); }
                printf("count %d\n", count);
                div_t q = div(-7, 2);
                lldiv_t lq = lldiv(100000000000LL, 7);
                printf("%d %d %lld %lld %" PRId64 " %" PRIx32 " %d %s\n", q.quot, q.rem, lq.quot, lq.rem, (int64_t)-5,
                       (uint32_t)255, isblank('\t') != 0, getenv("HOME") ? "env" : "no environment");
                printf("%jd %ju\n", strtoimax("-99", NULL, 10), strtoumax("0x10", NULL, 0));
                int a = 0, used = 0;
                char word[8], rest[8];
                double x = 0;
                int r = sscanf("12 wordy 2.5e1 [key]", "%d %7s %lf [%[^]]%n", &a, word, &x, rest, &used);
                printf("sscanf %d: %d %s %.1f %s %d\n", r, a, word, x, rest, used);
                atexit(first);
                atexit(second);
                exit(3);
            }
            """#, name: "libc", target: target)
        #expect(run.status == 3)
        #expect(run.output == """
            <alpha><beta><gamma>
            4 2 llo 0 1
            dup abc abcd Invalid argument bc
            longjmp 42 depth 10
            count 3
            -3 -1 14285714285 5 -5 ff 1 no environment
            -99 16
            sscanf 4: 12 wordy 25.0 key 19
            atexit second
            atexit first (runs last) 10

            """)
    }
}
