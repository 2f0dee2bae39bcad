/*
 * Checks guest/polkavm_softfloat.c against the host's IEEE 754 hardware (x86-64 SSE2 or any FPU that
 * rounds to nearest-even without flushing subnormals): every operation on random and special
 * operands must give the same bits, except that a NaN result must be the canonical NaN. Conversions
 * to integers are compared in range and against the documented saturation outside it.
 *
 *   cc -O2 -o check tools/softfloat/check.c && ./check [CASES] [SEED]     (tools/softfloat/run.sh)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

/* The SDK's math functions under other names, so that the host's libm stays the reference. */
#define sqrt polkavm_sqrt
#define sqrtf polkavm_sqrtf
#define fabs polkavm_fabs
#define fabsf polkavm_fabsf
#define copysign polkavm_copysign
#define copysignf polkavm_copysignf
#define trunc polkavm_trunc
#define floor polkavm_floor
#define ceil polkavm_ceil
#define round polkavm_round
#define truncf polkavm_truncf
#define floorf polkavm_floorf
#define ceilf polkavm_ceilf
#define roundf polkavm_roundf
#define fmin polkavm_fmin
#define fmax polkavm_fmax
#define fminf polkavm_fminf
#define fmaxf polkavm_fmaxf
#define POLKAVM_SOFTFLOAT_NATIVE_TEST
#include "../../guest/polkavm_softfloat.c"
#undef sqrt
#undef sqrtf
#undef fabs
#undef fabsf
#undef copysign
#undef copysignf
#undef trunc
#undef floor
#undef ceil
#undef round
#undef truncf
#undef floorf
#undef ceilf
#undef roundf
#undef fmin
#undef fmax
#undef fminf
#undef fmaxf

#include "random.h"

static const uint64_t special_doubles[] = {
    0, SF_SIGN, SF_INF, SF_INF | SF_SIGN, SF_QNAN, 0x7ff0000000000001ull, 0xfff8000000000123ull,
    1, 0x000fffffffffffffull, SF_IMPLICIT, 0x7fefffffffffffffull, 0x3ff0000000000000ull,
    0x3fefffffffffffffull, 0x3ff0000000000001ull, 0x4330000000000000ull, 0x43e0000000000000ull,
    0xc3e0000000000000ull, 0x41e0000000000000ull, 0xc1e0000000200000ull, 0x41efffffffe00000ull,
    0x3fe0000000000000ull, 0xbfe0000000000000ull, 0x0010000000000001ull, 0x8000000000000001ull,
};

/* A random double: random bits, a special value, or a value near another operand's exponent. */
static uint64_t random_double(uint64_t near) {
    uint64_t r = next_random();
    switch (r % 8) {
    case 0: return special_doubles[(r >> 8) % (sizeof special_doubles / sizeof *special_doubles)];
    case 1: case 2: { /* same or close exponent: cancellation and ties */
        uint64_t e = (near >> 52) & 0x7ff;
        e = (e + ((r >> 8) % 5) - 2) & 0x7ff;
        uint64_t frac = next_random() & SF_FRAC;
        if ((r >> 16) & 1) frac &= ~0ull << ((r >> 20) % 53); /* few significant bits */
        return ((r >> 30) & 1 ? SF_SIGN : 0) | (e << 52) | frac;
    }
    case 3: /* subnormal */
        return ((r >> 8) & 1 ? SF_SIGN : 0) | (next_random() & SF_FRAC) >> ((r >> 10) % 52);
    case 4: /* small integer */
        { double d = (double)(int64_t)((int64_t)(next_random() % 2000001) - 1000000); uint64_t b; memcpy(&b, &d, 8); return b; }
    default:
        return next_random();
    }
}

static double D(uint64_t b) { double d; memcpy(&d, &b, 8); return d; }
static uint64_t B(double d) { uint64_t b; memcpy(&b, &d, 8); return b; }
static float F(uint32_t b) { float f; memcpy(&f, &b, 4); return f; }
static uint32_t FB(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }

static long failures, checks;

static void expect(const char *what, uint64_t a, uint64_t b, uint64_t got, uint64_t want) {
    checks++;
    if (got == want) return;
    if (++failures <= 20)
        fprintf(stderr, "MISMATCH %s(0x%016llx, 0x%016llx): got 0x%016llx, want 0x%016llx\n", what,
                (unsigned long long)a, (unsigned long long)b, (unsigned long long)got, (unsigned long long)want);
}

static uint64_t canonical_double(double d) { return d != d ? SF_QNAN : B(d); }
static uint64_t canonical_float(float f) { return f != f ? SF_FLOAT_QNAN : FB(f); }

/* The documented saturating conversion, computed with the host's (in-range exact) conversions. */
static int64_t saturate_signed(double d, int bits) {
    double limit = bits == 64 ? 9223372036854775808.0 : 2147483648.0;
    int64_t max = bits == 64 ? INT64_MAX : INT32_MAX, min = bits == 64 ? INT64_MIN : INT32_MIN;
    if (d != d || d >= limit) return max;
    if (d <= -limit) return min;
    return (int64_t)d;
}
static uint64_t saturate_unsigned(double d, int bits) {
    double limit = bits == 64 ? 18446744073709551616.0 : 4294967296.0;
    if (d != d || d >= limit) return bits == 64 ? UINT64_MAX : UINT32_MAX;
    if (d <= 0) return 0;
    return (uint64_t)d;
}

/* Operands at the edges of the fast paths: products and sums whose exponent lands at the top or bottom
 * of the normal range (overflow to infinity, rounding up into it, underflow to subnormals), and square
 * roots of exact squares and of values whose root lies very near halfway between two doubles. */
static void boundary_cases(void) {
    uint64_t r = next_random();
    uint64_t fa = next_random() & SF_FRAC, fb = next_random() & SF_FRAC;
    if (r & 1) fa |= SF_FRAC & ~0xffull; /* significands near 2, so that rounding carries */
    if (r & 2) fb |= SF_FRAC & ~0xffull;
    uint64_t sign = (r & 4) ? SF_SIGN : 0, sign2 = (r & 8) ? SF_SIGN : 0;
    /* a product with biased exponent ea + eb - 1023 in {-2...3} or {0x7fb...0x800} */
    uint64_t ea = 1 + (next_random() % 0x7fe);
    int64_t target = (r & 16) ? (int64_t)((r >> 8) % 6) - 2 : 0x7fb + (int64_t)((r >> 8) % 6);
    int64_t eb = target + 1023 - (int64_t)ea;
    if (eb >= 1 && eb <= 0x7fe) {
        uint64_t a = sign | ea << 52 | fa, b = sign2 | (uint64_t)eb << 52 | fb;
        expect("mul/edge", a, b, B(__muldf3(D(a), D(b))), canonical_double(D(a) * D(b)));
        expect("div/edge", a, b, B(__divdf3(D(a), D(b))), canonical_double(D(a) / D(b)));
    }
    /* sums at the top of the range, and differences of nearby small values */
    uint64_t e1 = (r & 32) ? 0x7fe - (r >> 16) % 3 : 1 + (r >> 16) % 3, e2 = (r & 32) ? 0x7fe - (r >> 20) % 3 : 1 + (r >> 20) % 3;
    uint64_t a = sign | e1 << 52 | fa, b = sign2 | e2 << 52 | fb;
    expect("add/edge", a, b, B(__adddf3(D(a), D(b))), canonical_double(D(a) + D(b)));
    expect("sub/edge", a, b, B(__subdf3(D(a), D(b))), canonical_double(D(a) - D(b)));
    /* the same for floats: products and quotients with exponents near the ends of the normal range,
     * sums at the top and differences at the bottom */
    {
        uint32_t ga = (uint32_t)next_random() & 0x7fffffu, gb = (uint32_t)next_random() & 0x7fffffu;
        if (r & 1) ga |= 0x7fff00u;
        if (r & 2) gb |= 0x7fff00u;
        uint32_t fsign = (r & 4) ? 0x80000000u : 0, fsign2 = (r & 8) ? 0x80000000u : 0;
        uint32_t fe = 1 + (uint32_t)(next_random() % 0xfe);
        int32_t ftarget = (r & 16) ? (int32_t)((r >> 8) % 6) - 2 : 0xfb + (int32_t)((r >> 8) % 6);
        int32_t fe2 = ftarget + 127 - (int32_t)fe;
        if (fe2 >= 1 && fe2 <= 0xfe) {
            uint32_t p = fsign | fe << 23 | ga, q = fsign2 | (uint32_t)fe2 << 23 | gb;
            expect("mulsf/edge", p, q, FB(__mulsf3(F(p), F(q))), canonical_float(F(p) * F(q)));
        }
        int32_t fe3 = (int32_t)fe + 127 - ftarget; /* a quotient with exponent near the ends */
        if (fe3 >= 1 && fe3 <= 0xfe) {
            uint32_t p = fsign | fe << 23 | ga, q = fsign2 | (uint32_t)fe3 << 23 | gb;
            expect("divsf/edge", p, q, FB(__divsf3(F(p), F(q))), canonical_float(F(p) / F(q)));
        }
        uint32_t g1 = (r & 32) ? 0xfe - (uint32_t)((r >> 16) % 3) : 1 + (uint32_t)((r >> 16) % 3);
        uint32_t g2 = (r & 32) ? 0xfe - (uint32_t)((r >> 20) % 3) : 1 + (uint32_t)((r >> 20) % 3);
        uint32_t p = fsign | g1 << 23 | ga, q = fsign2 | g2 << 23 | gb;
        expect("addsf/edge", p, q, FB(__addsf3(F(p), F(q))), canonical_float(F(p) + F(q)));
        expect("subsf/edge", p, q, FB(__subsf3(F(p), F(q))), canonical_float(F(p) - F(q)));
    }
    /* sqrt of s^2 (exact when s has at most 26 significant bits) and of the doubles around
     * (s + 1/2)^2 for a 53-bit s (its root is within an ulp of a rounding boundary) */
    uint64_t s = (next_random() >> 11) | SF_IMPLICIT; /* 53 bits */
    uint64_t small = (next_random() >> 38) | 1; /* at most 26 bits */
    double sq = (double)small * (double)small;
    uint64_t scale = (uint64_t)((r >> 24) % 1500) << 52; /* any exponent (as far as the field allows) */
    uint64_t v = B(sq);
    if (((v >> 52) & 0x7ff) + (scale >> 52) < 0x7ff) {
        v += scale;
        expect("sqrt/square", v, 0, B(polkavm_sqrt(D(v))), B(sqrt(D(v))));
    }
#ifdef __SIZEOF_INT128__
    unsigned __int128 t = (unsigned __int128)(2 * s + 1) * (2 * s + 1); /* (2s + 1)^2 = 4 (s + 1/2)^2, in [2^106, 2^108) */
    int top = 127 - (int)(t >> 64 ? __builtin_clzll((uint64_t)(t >> 64)) : 64 + __builtin_clzll((uint64_t)t));
    uint64_t sig = (uint64_t)(t >> (top - 52)); /* its leading 53 bits, truncated */
    uint64_t e = (uint64_t)((r >> 40) % 1800) + 100;
    if ((e & 1) == (top & 1)) e++; /* w = t * 2^(even), so that its root is (s + 1/2) * 2^j */
    for (int k = -1; k <= 1; k++) {
        uint64_t w = (e << 52) | ((sig + (uint64_t)k) & SF_FRAC);
        expect("sqrt/halfway", w, 0, B(polkavm_sqrt(D(w))), B(sqrt(D(w))));
    }
#endif
}

int main(int argc, char **argv) {
    long cases = argc > 1 ? atol(argv[1]) : 2000000;
    seed_random(argc > 2 ? argv[2] : NULL);
    uint64_t previous = 0x3ff0000000000000ull;
    for (long i = 0; i < cases; i++) {
        uint64_t a = random_double(previous), b = random_double(a);
        previous = b;
        double x = D(a), y = D(b);
        expect("add", a, b, B(__adddf3(x, y)), canonical_double(x + y));
        expect("sub", a, b, B(__subdf3(x, y)), canonical_double(x - y));
        expect("mul", a, b, B(__muldf3(x, y)), canonical_double(x * y));
        expect("div", a, b, B(__divdf3(x, y)), canonical_double(x / y));
        expect("eq", a, b, __eqdf2(x, y) == 0, x == y);
        expect("ne", a, b, __nedf2(x, y) != 0, x != y);
        expect("lt", a, b, __ltdf2(x, y) < 0, x < y);
        expect("le", a, b, __ledf2(x, y) <= 0, x <= y);
        expect("gt", a, b, __gtdf2(x, y) > 0, x > y);
        expect("ge", a, b, __gedf2(x, y) >= 0, x >= y);
        expect("unord", a, b, __unorddf2(x, y) != 0, x != x || y != y);
        expect("fixdfsi", a, 0, (uint64_t)(int64_t)__fixdfsi(x), (uint64_t)saturate_signed(x, 32));
        expect("fixunsdfsi", a, 0, __fixunsdfsi(x), saturate_unsigned(x, 32));
        expect("fixdfdi", a, 0, (uint64_t)__fixdfdi(x), (uint64_t)saturate_signed(x, 64));
        expect("fixunsdfdi", a, 0, __fixunsdfdi(x), saturate_unsigned(x, 64));
        expect("truncdfsf2", a, 0, FB(__truncdfsf2(x)), canonical_float((float)x));
        int64_t n = (int64_t)next_random() >> (next_random() % 64);
        expect("floatdidf", (uint64_t)n, 0, B(__floatdidf(n)), B((double)n));
        expect("floatundidf", (uint64_t)n, 0, B(__floatundidf((uint64_t)n)), B((double)(uint64_t)n));
        expect("floatsidf", (uint64_t)n, 0, B(__floatsidf((int32_t)n)), B((double)(int32_t)n));
        expect("floatunsidf", (uint64_t)n, 0, B(__floatunsidf((uint32_t)n)), B((double)(uint32_t)n));
        expect("floatdisf", (uint64_t)n, 0, FB(__floatdisf(n)), FB((float)n));
        expect("floatundisf", (uint64_t)n, 0, FB(__floatundisf((uint64_t)n)), FB((float)(uint64_t)n));
        expect("floatsisf", (uint64_t)n, 0, FB(__floatsisf((int32_t)n)), FB((float)(int32_t)n));
        expect("floatunsisf", (uint64_t)n, 0, FB(__floatunsisf((uint32_t)n)), FB((float)(uint32_t)n));
        /* Floats: the same operands rounded to float, plus raw random float patterns. */
        uint32_t fa = (next_random() & 3) ? FB((float)x) : (uint32_t)next_random();
        uint32_t fb = (next_random() & 3) ? FB((float)y) : (uint32_t)next_random();
        float p = F(fa), q = F(fb);
        expect("addsf", fa, fb, FB(__addsf3(p, q)), canonical_float(p + q));
        expect("subsf", fa, fb, FB(__subsf3(p, q)), canonical_float(p - q));
        expect("mulsf", fa, fb, FB(__mulsf3(p, q)), canonical_float(p * q));
        expect("divsf", fa, fb, FB(__divsf3(p, q)), canonical_float(p / q));
        expect("ltsf", fa, fb, __ltsf2(p, q) < 0, p < q);
        expect("gesf", fa, fb, __gesf2(p, q) >= 0, p >= q);
        expect("eqsf", fa, fb, __eqsf2(p, q) == 0, p == q);
        expect("nesf", fa, fb, __nesf2(p, q) != 0, p != q);
        expect("lesf", fa, fb, __lesf2(p, q) <= 0, p <= q);
        expect("gtsf", fa, fb, __gtsf2(p, q) > 0, p > q);
        expect("unordsf", fa, fb, __unordsf2(p, q) != 0, p != p || q != q);
        expect("extendsfdf2", fa, 0, B(__extendsfdf2(p)), canonical_double((double)p));
        expect("fixsfsi", fa, 0, (uint64_t)(int64_t)__fixsfsi(p), (uint64_t)saturate_signed(p, 32));
        expect("fixunssfdi", fa, 0, __fixunssfdi(p), saturate_unsigned(p, 64));
        expect("sqrt", a, 0, B(polkavm_sqrt(x)), canonical_double(sqrt(x)));
        expect("sqrtf", fa, 0, FB(polkavm_sqrtf(p)), canonical_float(sqrtf(p)));
        expect("fabs", a, 0, B(polkavm_fabs(x)), B(fabs(x)));
        expect("copysign", a, b, B(polkavm_copysign(x, y)), B(copysign(x, y)));
        expect("trunc", a, 0, B(polkavm_trunc(x)), canonical_double(trunc(x)));
        expect("floor", a, 0, B(polkavm_floor(x)), canonical_double(floor(x)));
        expect("ceil", a, 0, B(polkavm_ceil(x)), canonical_double(ceil(x)));
        expect("round", a, 0, B(polkavm_round(x)), canonical_double(round(x)));
        expect("floorf", fa, 0, FB(polkavm_floorf(p)), canonical_float(floorf(p)));
        expect("roundf", fa, 0, FB(polkavm_roundf(p)), canonical_float(roundf(p)));
        if (x != 0 || y != 0) { /* (libm may return either zero for fmin(-0, +0)) */
            expect("fmin", a, b, B(polkavm_fmin(x, y)), canonical_double(fmin(x, y)));
            expect("fmax", a, b, B(polkavm_fmax(x, y)), canonical_double(fmax(x, y)));
        }
        uint64_t w = next_random() >> (next_random() % 64);
        expect("clzdi2", w, 0, __clzdi2(w), w ? __builtin_clzll(w) : 64);
        expect("ctzdi2", w, 0, __ctzdi2(w), w ? __builtin_ctzll(w) : 64);
        expect("popcountdi2", w, 0, __popcountdi2(w), __builtin_popcountll(w));
#ifdef __SIZEOF_INT128__
        sf_u128 u = ((sf_u128)next_random() << 64 | next_random()) >> (next_random() % 128);
        sf_u128 v = ((sf_u128)next_random() << 64 | next_random()) >> (next_random() % 128);
        if (v == 0) v = 3;
        expect("udivti3", (uint64_t)u, (uint64_t)v, (uint64_t)(__udivti3(u, v) >> 64) ^ (uint64_t)__udivti3(u, v), (uint64_t)((u / v) >> 64) ^ (uint64_t)(u / v));
        expect("umodti3", (uint64_t)u, (uint64_t)v, (uint64_t)(__umodti3(u, v) >> 64) ^ (uint64_t)__umodti3(u, v), (uint64_t)((u % v) >> 64) ^ (uint64_t)(u % v));
        sf_i128 s = (sf_i128)u, t = (sf_i128)v;
        if (!(t == -1 && s == (sf_i128)((sf_u128)1 << 127))) {
            expect("divti3", (uint64_t)u, (uint64_t)v, (uint64_t)__divti3(s, t) ^ (uint64_t)(__divti3(s, t) >> 64), (uint64_t)(s / t) ^ (uint64_t)((s / t) >> 64));
            expect("modti3", (uint64_t)u, (uint64_t)v, (uint64_t)__modti3(s, t) ^ (uint64_t)(__modti3(s, t) >> 64), (uint64_t)(s % t) ^ (uint64_t)((s % t) >> 64));
        }
        int k = (int)(next_random() % 128);
        expect("ashlti3", (uint64_t)u, (uint64_t)k, (uint64_t)(__ashlti3(u, k) >> 64) ^ (uint64_t)__ashlti3(u, k), (uint64_t)((u << k) >> 64) ^ (uint64_t)(u << k));
        expect("lshrti3", (uint64_t)u, (uint64_t)k, (uint64_t)(__lshrti3(u, k) >> 64) ^ (uint64_t)__lshrti3(u, k), (uint64_t)((u >> k) >> 64) ^ (uint64_t)(u >> k));
        expect("ashrti3", (uint64_t)u, (uint64_t)k, (uint64_t)(__ashrti3(s, k) >> 64) ^ (uint64_t)__ashrti3(s, k), (uint64_t)((s >> k) >> 64) ^ (uint64_t)(s >> k));
        expect("multi3", (uint64_t)u, (uint64_t)v, (uint64_t)(__multi3(u, v) >> 64) ^ (uint64_t)__multi3(u, v), (uint64_t)((u * v) >> 64) ^ (uint64_t)(u * v));
        expect("floatuntidf", (uint64_t)(u >> 64), (uint64_t)u, B(__floatuntidf(u)), B((double)u));
        expect("floattidf", (uint64_t)(u >> 64), (uint64_t)u, B(__floattidf(s)), B((double)s));
        if (x == x && x > -1.0e38 && x < 1.0e38) {
            expect("fixdfti", a, 0, (uint64_t)__fixdfti(x) ^ (uint64_t)(__fixdfti(x) >> 64), (uint64_t)(sf_i128)x ^ (uint64_t)((sf_i128)x >> 64));
            if (x >= 0) expect("fixunsdfti", a, 0, (uint64_t)__fixunsdfti(x) ^ (uint64_t)(__fixunsdfti(x) >> 64), (uint64_t)(sf_u128)x ^ (uint64_t)((sf_u128)x >> 64));
        }
#endif
        boundary_cases();
    }
    printf("softfloat check: %ld cases, %ld checks, %ld mismatches\n", cases, checks, failures);
    return failures != 0;
}
