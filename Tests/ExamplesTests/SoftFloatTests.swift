import Foundation
import PolkaVM
import Testing

/// guest/polkavm_softfloat.c inside the VM: C guests built with `polkavm build` do floating-point
/// arithmetic (and sqrt, floor, round, fmin) through it, and every result must be the host hardware's
/// (IEEE 754, round to nearest even), with NaN results canonical and integer conversions saturating (tools/softfloat checks the
/// same natively with far more cases).
@Suite struct SoftFloatTests {
    static let source = """
        #include <math.h>
        #include "polkavm.h"
        typedef union { double d; uint64_t u; } bits64;
        typedef union { float f; uint32_t u; } bits32;
        static double D(uint64_t u) { bits64 b; b.u = u; return b.d; }
        static uint64_t U(double d) { bits64 b; b.d = d; return b.u; }
        static float F(uint64_t u) { bits32 b; b.u = (uint32_t)u; return b.f; }
        static uint64_t UF(float f) { bits32 b; b.f = f; return b.u; }
        POLKAVM_EXPORT(uint64_t, op, uint32_t, uint64_t, uint64_t);
        uint64_t op(uint32_t which, uint64_t a, uint64_t b) {
            switch (which) {
            case 0: return U(D(a) + D(b));
            case 1: return U(D(a) - D(b));
            case 2: return U(D(a) * D(b));
            case 3: return U(D(a) / D(b));
            case 4: return (D(a) < D(b)) | (D(a) <= D(b)) << 1 | (D(a) == D(b)) << 2 | (D(a) != D(b)) << 3
                         | (D(a) > D(b)) << 4 | (D(a) >= D(b)) << 5;
            case 5: return UF(F(a) + F(b));
            case 6: return UF(F(a) - F(b));
            case 7: return UF(F(a) * F(b));
            case 8: return UF(F(a) / F(b));
            case 9: return UF((float)D(a));
            case 10: return U((double)F(a));
            case 11: return (uint64_t)(int64_t)D(a);
            case 12: return (uint64_t)(int32_t)D(a);
            case 13: return U((double)(int64_t)a);
            case 14: return U((double)a);
            case 15: return UF((float)(int64_t)a);
            case 16: return (F(a) < F(b)) | (F(a) <= F(b)) << 1 | (F(a) == F(b)) << 2 | (F(a) != F(b)) << 3;
            case 17: return U(sqrt(D(a)));
            case 18: return U(floor(D(a)));
            case 19: return U(round(D(a)));
            case 20: return U(fmin(D(a), D(b)));
            case 21: return UF(sqrtf(F(a)));
            case 22: return U(exp(D(a)));
            case 23: return U(log(D(a)));
            case 24: return U(sin(D(a)));
            case 25: return U(cos(D(a)));
            case 26: return U(atan2(D(a), D(b)));
            case 27: return U(pow(D(a), D(b)));
            case 28: return U(fmod(D(a), D(b)));
            case 29: return U(expm1(D(a)));
            case 30: return U(log1p(D(a)));
            case 31: return U(sinh(D(a)));
            case 32: return U(tanh(D(a)));
            case 33: return U(asin(D(a)));
            case 34: return U(acos(D(a)));
            case 35: return U(hypot(D(a), D(b)));
            case 36: return U(cbrt(D(a)));
            case 37: return U(atanh(D(a)));
            case 38: return U(ldexp(D(a), (int)(int64_t)D(b)));
            case 39: return U(rint(D(a)));
            default: return 0;
            }
        }
        """

    static func canonical(_ d: Double) -> UInt64 { d.isNaN ? 0x7FF8_0000_0000_0000 : d.bitPattern }
    static func canonical(_ f: Float) -> UInt64 { f.isNaN ? 0x7FC0_0000 : UInt64(f.bitPattern) }

    /// What the guest must return for `op(which, a, b)`.
    static func expected(_ which: UInt32, _ a: UInt64, _ b: UInt64) -> UInt64 {
        let x = Double(bitPattern: a), y = Double(bitPattern: b)
        let p = Float(bitPattern: UInt32(truncatingIfNeeded: a)), q = Float(bitPattern: UInt32(truncatingIfNeeded: b))
        func flags(_ bits: [Bool]) -> UInt64 { bits.enumerated().reduce(0) { $0 | ($1.element ? 1 << UInt64($1.offset) : 0) } }
        func saturating(_ d: Double, bits: Int) -> Int64 {
            let limit = bits == 64 ? 9_223_372_036_854_775_808.0 : 2_147_483_648.0
            if d.isNaN || d >= limit { return bits == 64 ? .max : Int64(Int32.max) }
            if d <= -limit { return bits == 64 ? .min : Int64(Int32.min) }
            return Int64(d.rounded(.towardZero))
        }
        switch which {
        case 0: return canonical(x + y)
        case 1: return canonical(x - y)
        case 2: return canonical(x * y)
        case 3: return canonical(x / y)
        case 4: return flags([x < y, x <= y, x == y, x != y, x > y, x >= y])
        case 5: return canonical(p + q)
        case 6: return canonical(p - q)
        case 7: return canonical(p * q)
        case 8: return canonical(p / q)
        case 9: return canonical(Float(x))
        case 10: return canonical(Double(p))
        case 11: return UInt64(bitPattern: saturating(x, bits: 64))
        case 12: return UInt64(bitPattern: saturating(x, bits: 32))
        case 13: return Double(Int64(bitPattern: a)).bitPattern
        case 14: return Double(a).bitPattern
        case 15: return UInt64(Float(Int64(bitPattern: a)).bitPattern)
        case 16: return flags([p < q, p <= q, p == q, p != q])
        case 17: return canonical(x.squareRoot())
        case 18: return canonical(x.rounded(.down))
        case 19: return canonical(x.rounded(.toNearestOrAwayFromZero))
        case 20: // RISC-V fmin: a NaN operand is ignored, -0 < +0
            if x.isNaN || y.isNaN { return canonical(x.isNaN ? y : x) }
            if x == y { return (x.sign == .minus ? x : y).bitPattern }
            return Swift.min(x, y).bitPattern
        case 21: return canonical(p.squareRoot())
        default: return 0
        }
    }

    /// Units in the last place between two doubles (0 for two NaNs, .max across signs or against NaN).
    static func ulps(_ a: Double, _ b: Double) -> UInt64 {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN ? 0 : .max }
        if a == b { return 0 }
        if (a.sign == .minus) != (b.sign == .minus) { return .max }
        let x = a.bitPattern, y = b.bitPattern
        return x > y ? x - y : y - x
    }

    @Test("exp, log, sin, cos, atan2, pow, fmod, the hyperbolic and inverse functions, hypot, cbrt, ldexp and rint in the VM stay within their bounds of the host's libm",
          .enabled(if: Toolchain.available, "clang or the polkavm executable not found"), arguments: ["rv64", "rv32"])
    func transcendentalFunctions(target: String) throws {
        let module = try GuestSDKTests().build(SoftFloatTests.source, target: target)
        let instance = module.instantiate()
        let is64 = module.isa.is64Bit
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; return seed }
        func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * Double(next() >> 11) * 0x1p-53 }
        // (op, arguments, reference, bound in ulps; tools/softfloat/libm_check.c measures the same with more cases)
        let cases: [(UInt32, () -> (Double, Double), (Double, Double) -> Double, UInt64)] = [
            (22, { (uniform(-745, 709), 0) }, { x, _ in Foundation.exp(x) }, 2),
            (23, { (Double(bitPattern: next() >> 1), 0) }, { x, _ in Foundation.log(x) }, 1),
            (24, { (uniform(-1e6, 1e6), 0) }, { x, _ in Foundation.sin(x) }, 2),
            (25, { (Double(bitPattern: next() & 0x7FEF_FFFF_FFFF_FFFF), 0) }, { x, _ in Foundation.cos(x) }, 2),
            (26, { (uniform(-4, 4), uniform(-4, 4)) }, { y, x in Foundation.atan2(y, x) }, 3),
            (27, { (uniform(0, 10), uniform(-60, 60)) }, { x, y in Foundation.pow(x, y) }, 3),
            (28, { (uniform(-1e9, 1e9), uniform(-100, 100)) }, { x, y in Foundation.fmod(x, y) }, 0),
            // (against glibc's double versions, whose own errors add to the bounds tools/softfloat measures)
            (29, { (uniform(-40, 700), 0) }, { x, _ in Foundation.expm1(x) }, 4),
            (30, { (uniform(-0.99, 100), 0) }, { x, _ in Foundation.log1p(x) }, 4),
            (31, { (uniform(-700, 700), 0) }, { x, _ in Foundation.sinh(x) }, 4),
            (32, { (uniform(-3, 3), 0) }, { x, _ in Foundation.tanh(x) }, 4),
            (33, { (uniform(-1, 1), 0) }, { x, _ in Foundation.asin(x) }, 4),
            (34, { (uniform(-1, 1), 0) }, { x, _ in Foundation.acos(x) }, 4),
            (35, { (Double(bitPattern: next() & 0x7FEF_FFFF_FFFF_FFFF), uniform(-1e6, 1e6)) }, { x, y in Foundation.hypot(x, y) }, 4),
            (36, { (Double(bitPattern: next() & 0xFFEF_FFFF_FFFF_FFFF), 0) }, { x, _ in Foundation.cbrt(x) }, 4),
            (37, { (uniform(-1, 1), 0) }, { x, _ in Foundation.atanh(x) }, 5),
            (38, { (uniform(-1e6, 1e6), uniform(-1100, 1100).rounded(.towardZero)) }, { x, y in Foundation.scalbn(x, Int(y)) }, 0),
            (39, { (uniform(-1e6, 1e6) / Double(1 << (next() % 20)), 0) }, { x, _ in x.rounded(.toNearestOrEven) }, 0),
        ]
        var worst: [UInt32: UInt64] = [:], failures: [String] = []
        for (op, arguments, reference, bound) in cases {
            for _ in 0..<300 {
                let (x, y) = arguments()
                let (a, b) = (x.bitPattern, y.bitPattern)
                let args: [UInt64] = is64 ? [UInt64(op), a, b] : [UInt64(op), a & 0xFFFF_FFFF, a >> 32, b & 0xFFFF_FFFF, b >> 32]
                let (lo, hi) = try instance.call("op", args)
                let got = Double(bitPattern: is64 ? lo : (lo & 0xFFFF_FFFF) | (hi << 32))
                let distance = SoftFloatTests.ulps(got, reference(x, y))
                worst[op] = max(worst[op] ?? 0, distance)
                if distance > bound { failures.append("op \(op)(\(x), \(y)) = \(got), libm \(reference(x, y))") }
            }
        }
        #expect(failures.count == 0, "\(failures.count) results out of bounds, first: \(failures.prefix(3)); worst: \(worst)")
    }

    @Test("double and float arithmetic, comparisons and conversions match the host's IEEE 754 hardware",
          .enabled(if: Toolchain.available, "clang or the polkavm executable not found"), arguments: ["rv64", "rv32"])
    func matchesHardware(target: String) throws {
        let module = try GuestSDKTests().build(SoftFloatTests.source, target: target)
        let instance = module.instantiate()
        let is64 = module.isa.is64Bit
        let specials: [UInt64] = [0, 1 << 63, 0x7FF0_0000_0000_0000, 0xFFF0_0000_0000_0000, 0x7FF8_0000_0000_0000, 1,
                                  0x000F_FFFF_FFFF_FFFF, 0x0010_0000_0000_0000, 0x7FEF_FFFF_FFFF_FFFF, 0x3FF0_0000_0000_0000,
                                  0x3FEF_FFFF_FFFF_FFFF, 0x3FF0_0000_0000_0001, 0x4340_0000_0000_0000, 0x7F80_0000, 0x0000_0001,
                                  0x3F80_0000, 0x0080_0000, 0x7F7F_FFFF, 0x43E0_0000_0000_0000, 0xC1E0_0000_0000_0000]
        var seed: UInt64 = 0x2545_F491_4F6C_DD1D
        func next() -> UInt64 { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; return seed }
        func operand(_ near: UInt64) -> UInt64 {
            let r = next()
            switch r % 6 {
            case 0: return specials[Int((r >> 8) % UInt64(specials.count))]
            case 1: // an exponent close to the other operand's: cancellation, ties
                let e = (((near >> 52) & 0x7FF) &+ (r >> 8) % 5 &- 2) & 0x7FF
                return (r & (1 << 63)) | (e << 52) | (next() & 0x000F_FFFF_FFFF_FFFF & (~0 << ((r >> 20) % 53)))
            case 2: return (next() & 0x000F_FFFF_FFFF_FFFF) >> ((r >> 10) % 52) // subnormal
            case 3: return UInt64(truncatingIfNeeded: next()) & 0xFFFF_FFFF // a float pattern
            default: return next()
            }
        }
        var checked = 0, mismatches: [String] = []
        for _ in 0..<1500 {
            let a = operand(0x3FF0_0000_0000_0000), b = operand(a)
            for which in UInt32(0)...21 {
                // Float operands also as the float rounding of the double (so both agree on magnitude).
                let (x, y) = (5...10).contains(which) || which == 16 || which == 21
                    ? (next() & 1 == 0 ? UInt64(Float(Double(bitPattern: a)).bitPattern) : a & 0xFFFF_FFFF,
                       next() & 1 == 0 ? UInt64(Float(Double(bitPattern: b)).bitPattern) : b & 0xFFFF_FFFF)
                    : (a, b)
                let args: [UInt64] = is64 ? [UInt64(which), x, y] : [UInt64(which), x & 0xFFFF_FFFF, x >> 32, y & 0xFFFF_FFFF, y >> 32]
                let (lo, hi) = try instance.call("op", args)
                let got = is64 ? lo : (lo & 0xFFFF_FFFF) | (hi << 32)
                let want = SoftFloatTests.expected(which, x, y)
                // 32-bit results come back sign- (rv64) or zero-extended (rv32): compare the low half.
                let narrow = [5, 6, 7, 8, 9, 12, 15, 21].contains(which)
                if narrow ? (got & 0xFFFF_FFFF) != (want & 0xFFFF_FFFF) : got != want {
                    mismatches.append("op \(which)(0x\(String(x, radix: 16)), 0x\(String(y, radix: 16))): got 0x\(String(got, radix: 16)), want 0x\(String(want, radix: 16))")
                }
                checked += 1
            }
        }
        #expect(mismatches.count == 0, "\(mismatches.count) of \(checked) results differ, first: \(mismatches.prefix(5))")
        #expect(checked == 1500 * 22)
    }
}
