/*
 * polkavm_softfloat.c — the runtime helpers clang calls for floating point and 128-bit integer
 * arithmetic on PolkaVM guests, which have no floating-point instructions (RV32E/RV64E soft-float ABI).
 *
 * Included by polkavm_libc.c when compiling for RISC-V (or for a native test with
 * POLKAVM_SOFTFLOAT_NATIVE_TEST); like the rest of the library, functions a program does not call are
 * removed by the linker.
 *
 * Semantics (IEEE 754 binary32/binary64, the RISC-V F/D rules where C leaves a choice):
 *   - every operation rounds to nearest, ties to even; there are no exception flags;
 *   - an operation whose result is NaN returns the canonical quiet NaN (0x7ff8000000000000 for double,
 *     0x7fc00000 for float), whatever NaNs its inputs held;
 *   - conversions to integers truncate toward zero and saturate: out-of-range values give the
 *     nearest representable integer, and NaN gives the largest (C leaves these cases undefined);
 *   - comparisons return the libgcc/compiler-rt values (an unordered pair makes <, <=, >, >=, ==
 *     false and != true).
 *
 * Everything here works on the bit patterns with integer operations only: a floating-point operation
 * in this file would call itself. Floats use double arithmetic where that is exact or provably
 * rounds the same way: a product of two 24-bit significands fits in 53 bits, and for +, -, and /
 * rounding first to double (53 >= 2 * 24 + 2 bits) and then to float gives the correctly rounded
 * float result.
 */

#define SF_SIGN 0x8000000000000000ull
#define SF_INF 0x7ff0000000000000ull
#define SF_FRAC 0x000fffffffffffffull
#define SF_IMPLICIT 0x0010000000000000ull
#define SF_QNAN 0x7ff8000000000000ull
#define SF_FLOAT_QNAN 0x7fc00000u

/* On 64-bit targets the arithmetic cores are inlined into the functions clang calls, so that each of
 * those is one leaf function (no nested call, no stack frame) on the hot path. On rv32, where every
 * 64-bit operation is several instructions, the compiler decides (forced inlining costs ~10% code). */
#if __riscv_xlen == 64 || !defined(__riscv)
#define SF_INLINE static inline __attribute__((always_inline))
#else
#define SF_INLINE static
#endif

/* 64x64-bit products and 64-bit division as single instructions (rv64, and native tests). A native
 * test can define POLKAVM_SOFTFLOAT_TEST_NARROW to exercise the rv32 code paths on a 64-bit host. */
#if (__riscv_xlen == 64 || !defined(__riscv)) && defined(__SIZEOF_INT128__) && !defined(POLKAVM_SOFTFLOAT_TEST_NARROW)
#define SF_WIDE 1
#else
#define SF_WIDE 0
#endif

/* Fast paths for double sums, products and quotients of normal numbers with normal results. Only on
 * 64-bit targets: on rv32 every 64-bit step is several instructions and the duplicated code costs more
 * than it saves (a native test can set POLKAVM_SOFTFLOAT_TEST_NARROW and SF_FAST_PATHS as it likes).
 * The float fast paths (sf_float_add, __mulsf3, __divsf3) are 32-bit arithmetic and on both widths. */
#ifndef SF_FAST_PATHS
#if __riscv_xlen == 64 || !defined(__riscv)
#define SF_FAST_PATHS 1
#else
#define SF_FAST_PATHS 0
#endif
#endif

/* The general cases behind a fast path are out of line, so that the fast path needs no stack frame.
 * (Without fast paths the compiler decides, as for SF_INLINE.) */
#if SF_FAST_PATHS
#define SF_NOINLINE __attribute__((noinline))
#else
#define SF_NOINLINE
#endif
/* A branch hint for the paths of ordinary operands. */
#define SF_LIKELY(c) __builtin_expect(!!(c), 1)

typedef union {
    double value;
    uint64_t bits;
} sf_double;

typedef union {
    float value;
    uint32_t bits;
} sf_float;

static inline uint64_t sf_bits(double x) { sf_double c; c.value = x; return c.bits; }
static inline double sf_from_bits(uint64_t b) { sf_double c; c.bits = b; return c.value; }
static inline uint32_t sf_float_bits(float x) { sf_float c; c.value = x; return c.bits; }
static inline float sf_float_from_bits(uint32_t b) { sf_float c; c.bits = b; return c.value; }

static inline int sf_is_nan(uint64_t a) { return (a & ~SF_SIGN) > SF_INF; }

/* Shifts right by `shift` (>= 0), ORing the bits shifted out into bit 0 (the sticky bit). */
SF_INLINE uint64_t sf_shift_right_sticky(uint64_t m, int shift) {
    if (shift <= 0) return m;
    if (shift >= 64) return m != 0;
    return (m >> shift) | ((m << (64 - shift)) != 0);
}

/*
 * Rounds and packs a double. `m` is the significand with three extra low bits (guard, round,
 * sticky); for a normal value its leading one is at bit 55. `e` is the biased exponent of that
 * leading bit; e <= 0 denormalizes first. A value whose leading one lies below bit 55 with e == 1
 * is a subnormal and packs as one.
 */
SF_INLINE uint64_t sf_round_pack(uint64_t sign, int e, uint64_t m) {
    if (e >= 0x7ff) return sign | SF_INF;
    if (e <= 0) {
        m = sf_shift_right_sticky(m, 1 - e);
        e = 1;
    }
    uint64_t low = m & 7;
    m >>= 3;
    if (low > 4 || (low == 4 && (m & 1))) m++;
    /* m is at most 2^53 here; adding it to (e - 1) << 52 carries a rounding overflow into the exponent
     * (up to infinity), and a subnormal (e == 1, m < 2^52) keeps exponent field 0. */
    return sign | (((uint64_t)(e - 1) << 52) + m);
}

/* Unpacks a finite nonzero double's magnitude into a significand with its leading one at bit 52 and
 * the biased exponent that goes with it (below 1 for subnormals). */
SF_INLINE uint64_t sf_unpack(uint64_t abs, int *e) {
    int exponent = (int)(abs >> 52);
    uint64_t m = abs & SF_FRAC;
    if (exponent) {
        *e = exponent;
        return m | SF_IMPLICIT;
    }
    int shift = __builtin_clzll(m) - 11;
    *e = 1 - shift;
    return m << shift;
}

/*
 * Rounds a significand whose leading one is at bit 52 + `extra` (the `extra` low bits being guard,
 * round and sticky bits) to nearest, ties to even, and packs it with biased exponent `e` (1...0x7fe).
 * Adding half a unit minus one, plus the kept part's lowest bit, carries exactly when the value rounds
 * up; a carry out of the significand moves into the exponent (up to infinity).
 */
SF_INLINE uint64_t sf_round_pack_normal(uint64_t sign, uint64_t e, uint64_t m, int extra) {
    uint64_t half = (uint64_t)1 << (extra - 1);
    m = (m + (half - 1) + ((m >> extra) & 1)) >> extra;
    return sign | (((e - 1) << 52) + m);
}

/* Every case of a sum: NaNs, infinities, zeros, subnormal operands and results. Out of line, so that
 * the common case (sf_add) needs no stack frame. */
static SF_NOINLINE uint64_t sf_add_general(uint64_t a, uint64_t b) {
    uint64_t absA = a & ~SF_SIGN, absB = b & ~SF_SIGN;
    if (absA > SF_INF || absB > SF_INF) return SF_QNAN;
    if (absA == SF_INF) return (absB == SF_INF && ((a ^ b) & SF_SIGN)) ? SF_QNAN : a;
    if (absB == SF_INF) return b;
    if (absA == 0) return absB == 0 ? (a & b) : b;
    if (absB == 0) return a;
    if (absB > absA) {
        uint64_t t = a; a = b; b = t;
        t = absA; absA = absB; absB = t;
    }
    int ea = (int)(absA >> 52), eb = (int)(absB >> 52);
    uint64_t ma = absA & SF_FRAC, mb = absB & SF_FRAC;
    if (ea) ma |= SF_IMPLICIT; else ea = 1;
    if (eb) mb |= SF_IMPLICIT; else eb = 1;
    ma <<= 3;
    mb = sf_shift_right_sticky(mb << 3, ea - eb);
    uint64_t sign = a & SF_SIGN;
    if ((a ^ b) & SF_SIGN) {
        ma -= mb;
        if (ma == 0) return 0; /* x - x is +0 when rounding to nearest */
        /* Normalize, but not below exponent 1 (what stays unnormalized there is a subnormal). */
        int shift = __builtin_clzll(ma) - 8;
        if (shift > ea - 1) shift = ea - 1;
        if (shift > 0) {
            ma <<= shift;
            ea -= shift;
        }
    } else {
        ma += mb;
        if (ma >> 56) {
            ma = sf_shift_right_sticky(ma, 1);
            ea++;
        }
    }
    return sf_round_pack(sign, ea, ma);
}

/* The sum of two normal doubles (biased exponents in 1...0x7fe). Written to keep few values live:
 * rv64e has nine scratch registers, and a tenth would cost a stack frame. */
SF_INLINE uint64_t sf_add_normal(uint64_t a, uint64_t b) {
    if ((b << 1) > (a << 1)) { /* order by magnitude */
        uint64_t t = a; a = b; b = t;
    }
    uint64_t ea = (a << 1) >> 53, d = ea - ((b << 1) >> 53);
    /* The significands with their leading ones at bit 61: nine bits below for guard, round and sticky. */
    uint64_t ma = ((a << 11) | SF_SIGN) >> 2, mb = ((b << 11) | SF_SIGN) >> 2;
    if (d) mb = d < 64 ? (mb >> d) | ((mb << (64 - d)) != 0) : 1;
    if ((int64_t)(a ^ b) >= 0) {
        ma += mb;
        if (ma >> 62) {
            ma = (ma >> 1) | (ma & 1);
            if (++ea == 0x7ff) return (a & SF_SIGN) | SF_INF;
        }
    } else {
        ma -= mb;
        if (ma == 0) return 0; /* x - x is +0 when rounding to nearest */
        /* Normalize, but not below exponent 1: what stays unnormalized there packs as a subnormal. A
         * shift of more than one bit only follows an exact subtraction (d <= 1), and so does every
         * subnormal result. */
        uint64_t shift = (uint64_t)__builtin_clzll(ma) - 2;
        if (shift >= ea) shift = ea - 1;
        ma <<= shift;
        ea -= shift;
    }
    return sf_round_pack_normal(a & SF_SIGN, ea, ma, 9);
}

SF_INLINE uint64_t sf_add(uint64_t a, uint64_t b) {
#if SF_FAST_PATHS
    if (SF_LIKELY(((a >> 52) & 0x7ff) - 1 < 0x7fe && ((b >> 52) & 0x7ff) - 1 < 0x7fe)) return sf_add_normal(a, b);
#endif
    return sf_add_general(a, b);
}

/* The 128-bit product of two 64-bit values (on rv32 from 32-bit halves). */
SF_INLINE void sf_mul_64x64(uint64_t a, uint64_t b, uint64_t *high, uint64_t *low) {
#if SF_WIDE
    unsigned __int128 p = (unsigned __int128)a * b;
    *high = (uint64_t)(p >> 64);
    *low = (uint64_t)p;
#else
    uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t middle = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
    *low = (middle << 32) | (uint32_t)p00;
    *high = p11 + (p01 >> 32) + (p10 >> 32) + (middle >> 32);
#endif
}

/* Every case of a product (see sf_mul). */
static SF_NOINLINE uint64_t sf_mul_general(uint64_t a, uint64_t b);

SF_INLINE uint64_t sf_mul(uint64_t a, uint64_t b) {
    uint64_t sign = (a ^ b) & SF_SIGN;
#if SF_FAST_PATHS
    uint64_t fa = (a >> 52) & 0x7ff, fb = (b >> 52) & 0x7ff;
    if (SF_LIKELY(fa - 1 < 0x7fe && fb - 1 < 0x7fe)) {
        /* Both normal: the product of the 53-bit significands, times 2^21, is in [2^125, 2^127). */
        uint64_t high, low;
        sf_mul_64x64(((a & SF_FRAC) | SF_IMPLICIT) << 10, ((b & SF_FRAC) | SF_IMPLICIT) << 11, &high, &low);
        uint64_t e = fa + fb - 1023;
        if (high >> 62) {
            e++;
        } else {
            high = (high << 1) | (low >> 63);
            low <<= 1;
        }
        /* The leading one is at bit 62; a normal result rounds here, anything else goes the long way. */
        if (SF_LIKELY(e - 1 < 0x7fe)) return sf_round_pack_normal(sign, e, high | (low != 0), 10);
    }
#endif
    return sf_mul_general(a, b);
}

static SF_NOINLINE uint64_t sf_mul_general(uint64_t a, uint64_t b) {
    uint64_t sign = (a ^ b) & SF_SIGN;
    uint64_t absA = a & ~SF_SIGN, absB = b & ~SF_SIGN;
    if (absA > SF_INF || absB > SF_INF) return SF_QNAN;
    if (absA == SF_INF || absB == SF_INF) return (absA == 0 || absB == 0) ? SF_QNAN : sign | SF_INF;
    if (absA == 0 || absB == 0) return sign;
    int ea, eb;
    uint64_t ma = sf_unpack(absA, &ea), mb = sf_unpack(absB, &eb);
    /* ma * mb lies in [2^104, 2^106); keep 56 bits and the rest as sticky. */
    uint64_t high, low;
    sf_mul_64x64(ma, mb, &high, &low);
    int e = ea + eb - 1023;
    int shift = 49;
    if (high >> 41) { /* product >= 2^105 */
        shift = 50;
        e++;
    }
    uint64_t m = (high << (64 - shift)) | (low >> shift) | ((low << (64 - shift)) != 0);
    return sf_round_pack(sign, e, m);
}

/* The quotient of two significands with ma / mb in [1, 2) (mb with its leading one at bit 52): the
 * leading one and five 11-bit digits, 56 bits in all. The remainder is left in *dividend (nonzero
 * means the quotient is inexact: the sticky bit). */
SF_INLINE uint64_t sf_divide_significands(uint64_t *dividend, uint64_t mb) {
    uint64_t ma = *dividend, q = 1;
    ma -= mb;
#if SF_WIDE
    /* With 64-bit division (the remainder stays below mb < 2^53, so shifting it by 11 cannot
     * overflow). */
    for (int i = 0; i < 5; i++) {
        ma <<= 11;
        uint64_t digit = ma / mb;
        q = (q << 11) | digit;
        ma -= digit * mb;
    }
#else
    /* The same digits with 32-bit division only (64-bit division is itself a library call on rv32):
     * each is estimated from the top 32 bits of the shifted remainder and the top 21 bits of mb. The
     * estimate is never too small and at most one too large (mb differs from its top bits by less than
     * 2^-20 of itself, and a digit is below 2^11), so one correction step is enough. */
    uint32_t mbHigh = (uint32_t)(mb >> 32); /* mb < 2^53: in [2^20, 2^21) */
    for (int i = 0; i < 5; i++) {
        ma <<= 11;
        uint32_t digit = (uint32_t)(ma >> 32) / mbHigh;
        if (digit > 0x7ff) digit = 0x7ff;
        uint64_t product = (uint64_t)digit * mb;
        if (product > ma) {
            digit--;
            product -= mb;
        }
        q = (q << 11) | digit;
        ma -= product;
    }
#endif
    *dividend = ma;
    return q;
}

/* Every case of a quotient (see sf_div). */
static SF_NOINLINE uint64_t sf_div_general(uint64_t a, uint64_t b);

SF_INLINE uint64_t sf_div(uint64_t a, uint64_t b) {
#if SF_FAST_PATHS && SF_WIDE
    uint64_t fa = (a >> 52) & 0x7ff, fb = (b >> 52) & 0x7ff;
    if (SF_LIKELY(fa - 1 < 0x7fe && fb - 1 < 0x7fe)) {
        /* Both normal. */
        uint64_t ma = (a & SF_FRAC) | SF_IMPLICIT, mb = (b & SF_FRAC) | SF_IMPLICIT;
        uint64_t e = fa - fb + 1023;
        if (ma < mb) {
            ma <<= 1;
            e--;
        }
        uint64_t q = sf_divide_significands(&ma, mb);
        if (SF_LIKELY(e - 1 < 0x7fe)) return sf_round_pack_normal((a ^ b) & SF_SIGN, e, q | (ma != 0), 3);
    }
#endif
    return sf_div_general(a, b);
}

static SF_NOINLINE uint64_t sf_div_general(uint64_t a, uint64_t b) {
    uint64_t sign = (a ^ b) & SF_SIGN;
    uint64_t absA = a & ~SF_SIGN, absB = b & ~SF_SIGN;
    if (absA > SF_INF || absB > SF_INF) return SF_QNAN;
    if (absA == SF_INF) return absB == SF_INF ? SF_QNAN : sign | SF_INF;
    if (absB == SF_INF) return sign;
    if (absB == 0) return absA == 0 ? SF_QNAN : sign | SF_INF;
    if (absA == 0) return sign;
    int ea, eb;
    uint64_t ma = sf_unpack(absA, &ea), mb = sf_unpack(absB, &eb);
    int e = ea - eb + 1023;
    if (ma < mb) {
        ma <<= 1;
        e--;
    }
    uint64_t q = sf_divide_significands(&ma, mb);
    return sf_round_pack(sign, e, q | (ma != 0));
}

/* -1, 0 or 1 for a < b, a == b, a > b; `unordered` when either is NaN. */
SF_INLINE long sf_compare(uint64_t a, uint64_t b, long unordered) {
    if (sf_is_nan(a) || sf_is_nan(b)) return unordered;
    if (((a | b) & ~SF_SIGN) == 0) return 0; /* +0 == -0 */
    int64_t sa = (int64_t)a, sb = (int64_t)b;
    if ((sa & sb) < 0) return sa > sb ? -1 : sa < sb; /* both negative: the larger pattern is smaller */
    return sa < sb ? -1 : sa > sb;
}

/* An unsigned 64-bit magnitude with a sign to double, rounded. */
SF_INLINE uint64_t sf_from_u64(uint64_t sign, uint64_t v) {
    if (v == 0) return sign;
    int n = __builtin_clzll(v);
    v <<= n;
    return sf_round_pack(sign, 1023 + 63 - n, (v >> 8) | ((v & 0xff) != 0));
}

/* A double truncated toward zero to an integer of `bits` bits (signed or not), saturating. */
static uint64_t sf_to_integer(uint64_t a, int bits, int is_signed) {
    uint64_t max = is_signed ? (bits == 64 ? 0x7fffffffffffffffull : 0x7fffffffull)
                             : (bits == 64 ? ~0ull : 0xffffffffull);
    uint64_t min = is_signed ? (bits == 64 ? SF_SIGN : 0xffffffff80000000ull) : 0;
    if (sf_is_nan(a)) return max;
    int negative = (a & SF_SIGN) != 0;
    int e = (int)((a >> 52) & 0x7ff) - 1023; /* the value is below 2^(e + 1) */
    if (e < 0) return 0;
    if (negative && !is_signed) return 0;
    int limit = is_signed ? bits - 1 : bits; /* magnitudes below 2^limit fit */
    if (e >= limit) return negative ? min : max;
    uint64_t m = (a & SF_FRAC) | SF_IMPLICIT;
    uint64_t magnitude = e >= 52 ? m << (e - 52) : m >> (52 - e);
    return negative ? (uint64_t)0 - magnitude : magnitude;
}

/* Rounds and packs a float; like sf_round_pack with the leading one of a normal `m` at bit 26. */
SF_INLINE uint32_t sf_float_round_pack(uint32_t sign, int e, uint64_t m) {
    if (e >= 0xff) return sign | 0x7f800000u;
    if (e <= 0) {
        m = sf_shift_right_sticky(m, 1 - e);
        e = 1;
    }
    uint32_t low = (uint32_t)m & 7;
    uint32_t r = (uint32_t)(m >> 3);
    if (low > 4 || (low == 4 && (r & 1))) r++;
    return sign | (((uint32_t)(e - 1) << 23) + r);
}

SF_INLINE uint64_t sf_extend(uint32_t a) {
    uint64_t sign = (uint64_t)(a & 0x80000000u) << 32;
    uint32_t abs = a & 0x7fffffffu;
    if (abs > 0x7f800000u) return SF_QNAN;
    if (abs == 0x7f800000u) return sign | SF_INF;
    if (abs == 0) return sign;
    int e = (int)(abs >> 23);
    uint64_t m = abs & 0x7fffffu;
    if (e == 0) { /* subnormal float: normalize (every float is a normal double) */
        int shift = __builtin_clzll(m) - 40;
        m = (m << shift) & 0x7fffffu;
        e = 1 - shift;
    }
    return sign | ((uint64_t)(e - 127 + 1023) << 52) | (m << 29);
}

SF_INLINE uint32_t sf_truncate(uint64_t a) {
    uint32_t sign = (uint32_t)(a >> 32) & 0x80000000u;
    uint64_t abs = a & ~SF_SIGN;
    if (abs > SF_INF) return SF_FLOAT_QNAN;
    if (abs == SF_INF) return sign | 0x7f800000u;
    if (abs == 0) return sign;
    int e;
    uint64_t m = sf_unpack(abs, &e);
    /* 53 significand bits to 24 plus guard, round and sticky: drop 26 bits into the sticky bit. */
    return sf_float_round_pack(sign, e - 1023 + 127, sf_shift_right_sticky(m, 26));
}

static uint32_t sf_float_from_u64(uint32_t sign, uint64_t v) {
    if (v == 0) return sign;
    int n = __builtin_clzll(v);
    v <<= n;
    return sf_float_round_pack(sign, 127 + 63 - n, sf_shift_right_sticky(v, 37));
}

/* ---- The functions clang calls (their names and ABI are those of libgcc and compiler-rt). ---- */

double __adddf3(double a, double b) { return sf_from_bits(sf_add(sf_bits(a), sf_bits(b))); }
double __subdf3(double a, double b) { return __adddf3(a, sf_from_bits(sf_bits(b) ^ SF_SIGN)); }
double __muldf3(double a, double b) { return sf_from_bits(sf_mul(sf_bits(a), sf_bits(b))); }
double __divdf3(double a, double b) { return sf_from_bits(sf_div(sf_bits(a), sf_bits(b))); }
double __negdf2(double a) { return sf_from_bits(sf_bits(a) ^ SF_SIGN); }

long __eqdf2(double a, double b) { return sf_compare(sf_bits(a), sf_bits(b), 1); }
long __nedf2(double a, double b) { return sf_compare(sf_bits(a), sf_bits(b), 1); }
long __ltdf2(double a, double b) { return sf_compare(sf_bits(a), sf_bits(b), 1); }
long __ledf2(double a, double b) { return sf_compare(sf_bits(a), sf_bits(b), 1); }
long __gtdf2(double a, double b) { return sf_compare(sf_bits(a), sf_bits(b), -1); }
long __gedf2(double a, double b) { return sf_compare(sf_bits(a), sf_bits(b), -1); }
long __unorddf2(double a, double b) { return sf_is_nan(sf_bits(a)) || sf_is_nan(sf_bits(b)); }

double __floatsidf(int a) { return sf_from_bits(sf_from_u64(a < 0 ? SF_SIGN : 0, a < 0 ? -(uint64_t)(int64_t)a : (uint64_t)a)); }
double __floatunsidf(unsigned a) { return sf_from_bits(sf_from_u64(0, a)); }
double __floatdidf(int64_t a) { return sf_from_bits(sf_from_u64(a < 0 ? SF_SIGN : 0, a < 0 ? -(uint64_t)a : (uint64_t)a)); }
double __floatundidf(uint64_t a) { return sf_from_bits(sf_from_u64(0, a)); }
int __fixdfsi(double a) { return (int)(int64_t)sf_to_integer(sf_bits(a), 32, 1); }
unsigned __fixunsdfsi(double a) { return (unsigned)sf_to_integer(sf_bits(a), 32, 0); }
int64_t __fixdfdi(double a) { return (int64_t)sf_to_integer(sf_bits(a), 64, 1); }
uint64_t __fixunsdfdi(double a) { return sf_to_integer(sf_bits(a), 64, 0); }

/*
 * How a float crosses a call to the functions below. Under the soft-float ABI, clang calls them with
 * its libcall convention for a float: its 32 bits as an integer, which on rv64 is sign-extended to the
 * register, and it assumes the same of their float results, whereas a C `float` parameter or result
 * leaves the upper bits unspecified. So there they take the register whole (sf_freg, truncated here,
 * whatever the caller put above bit 31) and return the bits sign-extended (sf_fret). Under a hard-float
 * ABI (a RISC-V program with an FPU that still calls the 64-bit conversions, or a native test) a float
 * is a float.
 */
#if defined(__riscv) && defined(__riscv_float_abi_soft)
typedef unsigned long sf_freg;
typedef long sf_fret;
#define SF_FREG_BITS(a) ((uint32_t)(a))
static inline sf_fret sf_float_result(uint32_t bits) { return (sf_fret)(int32_t)bits; }
#else
typedef float sf_freg;
typedef float sf_fret;
#define SF_FREG_BITS(a) sf_float_bits(a)
static inline sf_fret sf_float_result(uint32_t bits) { return sf_float_from_bits(bits); }
#endif

/* A float function of the C library (sqrtf, floorf, ...) is defined the same way, under the name
 * polkavm__<name>, with <name> a weak alias of it: clang calls some of them as libcalls too (for
 * example __builtin_sqrtf), and C callers do not depend on the upper bits. X is the argument's bits. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wattribute-alias"
#endif
#define SF_FLOAT_ENTRY1(impl, name) float name(float) __attribute__((weak, alias(#impl)));
#define SF_FLOAT_ENTRY2(impl, name) float name(float, float) __attribute__((weak, alias(#impl)));
#define SF_FLOAT_FUNCTION1(name, expression)                                                        \
    sf_fret polkavm__##name(sf_freg x_) {                                                          \
        uint32_t X = SF_FREG_BITS(x_);                                                              \
        return sf_float_result(expression);                                                          \
    }                                                                                               \
    SF_FLOAT_ENTRY1(polkavm__##name, name)
#define SF_FLOAT_FUNCTION2(name, expression)                                                        \
    sf_fret polkavm__##name(sf_freg x_, sf_freg y_) {                                              \
        uint32_t X = SF_FREG_BITS(x_), Y = SF_FREG_BITS(y_);                                        \
        return sf_float_result(expression);                                                          \
    }                                                                                               \
    SF_FLOAT_ENTRY2(polkavm__##name, name)

double __extendsfdf2(sf_freg a) { return sf_from_bits(sf_extend(SF_FREG_BITS(a))); }
sf_fret __truncdfsf2(double a) { return sf_float_result(sf_truncate(sf_bits(a))); }

/* Float arithmetic through double, for the cases the fast paths below leave out (see the top of the
 * file for why this rounds correctly). */
static inline uint32_t sf_float_through_double(double (*op)(double, double), uint32_t a, uint32_t b) {
    return sf_truncate(sf_bits(op(sf_from_bits(sf_extend(a)), sf_from_bits(sf_extend(b)))));
}

/*
 * Fast paths for floats, on both widths (their arithmetic is 32-bit but for one 32x32-bit product):
 * normal operands with a normal result are computed directly; every other case goes through double.
 */
static inline int sf_float_is_normal(uint32_t x) { return ((x >> 23) & 0xff) - 1 < 0xfe; }

/* Rounds a float significand whose leading one is at bit 23 + `extra` (1 <= extra <= 8), like
 * sf_round_pack_normal, and packs it with biased exponent `e` (1...0xfe). */
SF_INLINE uint32_t sf_float_round_normal(uint32_t sign, uint32_t e, uint32_t m, int extra) {
    uint32_t kept = m >> extra;
    kept += ((m & ((1u << extra) - 1)) + (1u << (extra - 1)) - 1 + (kept & 1)) >> extra;
    return sign | (((e - 1) << 23) + kept);
}

/* The sum of two normal floats (as sf_add_normal for doubles). */
SF_INLINE uint32_t sf_float_add_normal(uint32_t a, uint32_t b) {
    if ((b << 1) > (a << 1)) { /* order by magnitude */
        uint32_t t = a; a = b; b = t;
    }
    uint32_t ea = (a << 1) >> 24, d = ea - ((b << 1) >> 24);
    /* Leading ones at bit 29: six bits below the significand for guard, round and sticky. */
    uint32_t ma = ((a << 8) | 0x80000000u) >> 2, mb = ((b << 8) | 0x80000000u) >> 2;
    if (d) mb = d < 32 ? (mb >> d) | ((mb << (32 - d)) != 0) : 1;
    if ((int32_t)(a ^ b) >= 0) {
        ma += mb;
        if (ma >> 30) {
            ma = (ma >> 1) | (ma & 1);
            if (++ea == 0xff) return (a & 0x80000000u) | 0x7f800000u;
        }
    } else {
        ma -= mb;
        if (ma == 0) return 0; /* x - x is +0 */
        uint32_t shift = (uint32_t)__builtin_clz(ma) - 2;
        if (shift >= ea) shift = ea - 1; /* a subnormal result (exact) */
        ma <<= shift;
        ea -= shift;
    }
    return sf_float_round_normal(a & 0x80000000u, ea, ma, 6);
}

SF_INLINE uint32_t sf_float_add(uint32_t a, uint32_t b) {
    if (SF_LIKELY(sf_float_is_normal(a) && sf_float_is_normal(b))) return sf_float_add_normal(a, b);
    return sf_float_through_double(__adddf3, a, b);
}

sf_fret __addsf3(sf_freg a, sf_freg b) { return sf_float_result(sf_float_add(SF_FREG_BITS(a), SF_FREG_BITS(b))); }
sf_fret __subsf3(sf_freg a, sf_freg b) { return sf_float_result(sf_float_add(SF_FREG_BITS(a), SF_FREG_BITS(b) ^ 0x80000000u)); }

sf_fret __mulsf3(sf_freg a, sf_freg b) {
    uint32_t x = SF_FREG_BITS(a), y = SF_FREG_BITS(b);
    if (SF_LIKELY(sf_float_is_normal(x) && sf_float_is_normal(y))) {
        /* The 24-bit significands with their leading ones at bit 31; their product is in [2^62, 2^64). */
        uint64_t p = (uint64_t)((x << 8) | 0x80000000u) * ((y << 8) | 0x80000000u);
        uint32_t high = (uint32_t)(p >> 32), low = (uint32_t)p;
        uint32_t e = ((x >> 23) & 0xff) + ((y >> 23) & 0xff) - 127;
        if (high >> 31) {
            e++;
        } else {
            high = (high << 1) | (low >> 31);
            low <<= 1;
        }
        if (SF_LIKELY(e - 1 < 0xfe)) return sf_float_result(sf_float_round_normal((x ^ y) & 0x80000000u, e, high | (low != 0), 8));
    }
    return sf_float_result(sf_float_through_double(__muldf3, x, y));
}

sf_fret __divsf3(sf_freg a, sf_freg b) {
    uint32_t x = SF_FREG_BITS(a), y = SF_FREG_BITS(b);
    if (SF_LIKELY(sf_float_is_normal(x) && sf_float_is_normal(y))) {
        uint32_t ma = (x & 0x7fffffu) | 0x800000u, mb = (y & 0x7fffffu) | 0x800000u;
        uint32_t e = ((x >> 23) & 0xff) - ((y >> 23) & 0xff) + 127;
        if (ma < mb) {
            ma <<= 1;
            e--;
        }
#if SF_WIDE
        /* ma / mb is in [1, 2): a 40-bit quotient with its leading one at bit 39, the remainder as sticky. */
        uint64_t n = (uint64_t)ma << 39, q = n / mb;
        uint32_t m = (uint32_t)(q >> 8) | ((q & 0xff) != 0) | (n - q * mb != 0);
        int extra = 8;
#else
        /* With 32-bit division: the leading one, then three 8-bit digits (the remainder stays below
         * mb < 2^24, so shifting it by 8 cannot overflow); the last bit is the guard bit, and the
         * remainder becomes the sticky bit below it. */
        uint32_t q = 1, remainder = ma - mb;
        for (int i = 0; i < 3; i++) {
            remainder <<= 8;
            uint32_t digit = remainder / mb;
            q = (q << 8) | digit;
            remainder -= digit * mb;
        }
        uint32_t m = (q << 1) | (remainder != 0);
        int extra = 2;
#endif
        if (SF_LIKELY(e - 1 < 0xfe)) return sf_float_result(sf_float_round_normal((x ^ y) & 0x80000000u, e, m, extra));
    }
    return sf_float_result(sf_float_through_double(__divdf3, x, y));
}
sf_fret __negsf2(sf_freg a) { return sf_float_result(SF_FREG_BITS(a) ^ 0x80000000u); }

/* sf_compare for floats' bits (no widening needed: the same order on 32-bit patterns). */
SF_INLINE long sf_float_compare(uint32_t a, uint32_t b, long unordered) {
    if ((a & 0x7fffffffu) > 0x7f800000u || (b & 0x7fffffffu) > 0x7f800000u) return unordered;
    if (((a | b) & 0x7fffffffu) == 0) return 0; /* +0 == -0 */
    int32_t sa = (int32_t)a, sb = (int32_t)b;
    if ((sa & sb) < 0) return sa > sb ? -1 : sa < sb; /* both negative: the larger pattern is smaller */
    return sa < sb ? -1 : sa > sb;
}

#define SF_FLOAT_COMPARE(name, unordered)                                                            \
    long name(sf_freg a, sf_freg b) { return sf_float_compare(SF_FREG_BITS(a), SF_FREG_BITS(b), unordered); }
SF_FLOAT_COMPARE(__eqsf2, 1)
SF_FLOAT_COMPARE(__nesf2, 1)
SF_FLOAT_COMPARE(__ltsf2, 1)
SF_FLOAT_COMPARE(__lesf2, 1)
SF_FLOAT_COMPARE(__gtsf2, -1)
SF_FLOAT_COMPARE(__gesf2, -1)
long __unordsf2(sf_freg a, sf_freg b) {
    return (SF_FREG_BITS(a) & 0x7fffffffu) > 0x7f800000u || (SF_FREG_BITS(b) & 0x7fffffffu) > 0x7f800000u;
}

sf_fret __floatsisf(int a) { return sf_float_result(sf_float_from_u64(a < 0 ? 0x80000000u : 0, a < 0 ? -(uint64_t)(int64_t)a : (uint64_t)a)); }
sf_fret __floatunsisf(unsigned a) { return sf_float_result(sf_float_from_u64(0, a)); }
sf_fret __floatdisf(int64_t a) { return sf_float_result(sf_float_from_u64(a < 0 ? 0x80000000u : 0, a < 0 ? -(uint64_t)a : (uint64_t)a)); }
sf_fret __floatundisf(uint64_t a) { return sf_float_result(sf_float_from_u64(0, a)); }
int __fixsfsi(sf_freg a) { return (int)(int64_t)sf_to_integer(sf_extend(SF_FREG_BITS(a)), 32, 1); }
unsigned __fixunssfsi(sf_freg a) { return (unsigned)sf_to_integer(sf_extend(SF_FREG_BITS(a)), 32, 0); }
int64_t __fixsfdi(sf_freg a) { return (int64_t)sf_to_integer(sf_extend(SF_FREG_BITS(a)), 64, 1); }
uint64_t __fixunssfdi(sf_freg a) { return sf_to_integer(sf_extend(SF_FREG_BITS(a)), 64, 0); }

/* ---- A small libm: the functions whose results are exact or correctly rounded (polkavm.h). ---- */

/* Weak, so that a program's own definition of one of these names takes precedence. */
#define SF_WEAK __attribute__((weak))

/* The high 64 bits of a 64x64-bit product (one instruction on rv64; a call on rv32, where it is long). */
#if SF_WIDE
SF_INLINE
#else
static __attribute__((noinline))
#endif
uint64_t sf_mul_high(uint64_t a, uint64_t b) {
    uint64_t high, low;
    sf_mul_64x64(a, b, &high, &low);
    return high;
}

/* The correctly rounded square root of a double's bits. */
static uint64_t sf_sqrt(uint64_t a) {
    uint64_t abs = a & ~SF_SIGN;
    if (abs > SF_INF) return SF_QNAN;
    if (abs == 0) return a; /* sqrt(-0) = -0 */
    if (a & SF_SIGN) return SF_QNAN;
    if (abs == SF_INF) return a;
    int e;
    uint64_t m = sf_unpack(abs, &e);
    int exponent = e - 1075; /* the value is m * 2^exponent */
    if (exponent & 1) {
        m <<= 1;
        exponent--;
    }
    /*
     * m is in [2^52, 2^54); the result's significand is root = floor(sqrt(m * 2^58)), in [2^55, 2^56),
     * with a nonzero remainder as the sticky bit. In fixed point, x = m * 2^10 stands for x / 2^62 in
     * [1, 4) and y for y / 2^63, an estimate of 1 / sqrt(x / 2^62) in (1/2, 1]: first a chord of
     * 1/sqrt over [1, 2) or [2, 4) (within 3.5 %, above the curve), then Newton steps
     * y' = y (3 - x y^2) / 2, each doubling the correct bits and never overshooting. Four steps leave
     * y a few units of 2^-60 below the true value, so x * y underestimates the root by at most a
     * few units; exact integer steps then find the root and its remainder.
     */
    uint64_t x = m << 10, y;
    if (x >> 63) /* [2, 4): from 1/sqrt(2) down to 1/2 */
        y = 0x5a827999fcef3242ull - sf_mul_high(x - 0x8000000000000000ull, 0x3504f333f9de6484ull);
    else /* [1, 2): from 1 down to 1/sqrt(2) */
        y = 0x8000000000000000ull - sf_mul_high(x - 0x4000000000000000ull, 0x95f619980c4336f7ull);
#if !SF_WIDE && defined(__clang__)
#pragma clang loop unroll(disable) /* (each step is three calls on rv32) */
#endif
    for (int i = 0; i < 4; i++) {
        uint64_t xyy = sf_mul_high(x, sf_mul_high(y, y)); /* x y^2, as / 2^60 */
        y = sf_mul_high(y, 0x3000000000000000ull - xyy) << 3;
    }
    uint64_t root = sf_mul_high(x, y) >> 6; /* sqrt(x / 2^62) * 2^55, rounded down */
    /* remainder = m * 2^58 - root^2, which is small, so its low 64 bits are all of it. */
    uint64_t remainder = (m << 58) - root * root;
    while ((int64_t)remainder < 0) { /* (not expected: root was an underestimate) */
        root--;
        remainder += 2 * root + 1;
    }
    while (remainder >= 2 * root + 1) {
        remainder -= 2 * root + 1;
        root++;
    }
    return sf_round_pack(0, exponent / 2 + 1049, root | (remainder != 0));
}

/* Rounds a double's bits to an integral value: mode 0 toward zero, 1 down, 2 up, 3 to nearest with
 * ties away from zero (C's round). */
static uint64_t sf_round_integral(uint64_t a, int mode) {
    uint64_t abs = a & ~SF_SIGN, sign = a & SF_SIGN;
    if (abs > SF_INF) return SF_QNAN;
    int e = (int)(abs >> 52) - 1023;
    if (e >= 52) return a; /* already integral (or infinite) */
    if (e < 0) { /* |a| < 1 */
        if (abs == 0) return a;
        if (mode == 1) return sign ? (SF_SIGN | 0x3ff0000000000000ull) : 0;
        if (mode == 2) return sign ? SF_SIGN : 0x3ff0000000000000ull;
        if (mode == 3 && e == -1) return sign | 0x3ff0000000000000ull;
        return sign;
    }
    uint64_t fraction = SF_FRAC >> e; /* the bits below the binary point */
    if ((abs & fraction) == 0) return a;
    uint64_t truncated = abs & ~fraction;
    int away = mode == 3 ? (abs & (fraction + 1) >> 1) != 0 : (mode == 1 && sign) || (mode == 2 && !sign);
    /* Adding one unit of the lowest integral bit carries into the exponent when needed. */
    return sign | (away ? truncated + fraction + 1 : truncated);
}

SF_WEAK double sqrt(double x) { return sf_from_bits(sf_sqrt(sf_bits(x))); }
SF_FLOAT_FUNCTION1(sqrtf, sf_truncate(sf_sqrt(sf_extend(X))))
SF_WEAK double fabs(double x) { return sf_from_bits(sf_bits(x) & ~SF_SIGN); }
SF_FLOAT_FUNCTION1(fabsf, X & 0x7fffffffu)
SF_WEAK double copysign(double x, double y) { return sf_from_bits((sf_bits(x) & ~SF_SIGN) | (sf_bits(y) & SF_SIGN)); }
SF_FLOAT_FUNCTION2(copysignf, (X & 0x7fffffffu) | (Y & 0x80000000u))
SF_WEAK double trunc(double x) { return sf_from_bits(sf_round_integral(sf_bits(x), 0)); }
SF_WEAK double floor(double x) { return sf_from_bits(sf_round_integral(sf_bits(x), 1)); }
SF_WEAK double ceil(double x) { return sf_from_bits(sf_round_integral(sf_bits(x), 2)); }
SF_WEAK double round(double x) { return sf_from_bits(sf_round_integral(sf_bits(x), 3)); }
/* Float versions through double: every float is a double, and the integral result is again a float.
 * (SF_FLOAT_FUNCTION1/2: see sf_freg.) */
SF_FLOAT_FUNCTION1(truncf, sf_truncate(sf_round_integral(sf_extend(X), 0)))
SF_FLOAT_FUNCTION1(floorf, sf_truncate(sf_round_integral(sf_extend(X), 1)))
SF_FLOAT_FUNCTION1(ceilf, sf_truncate(sf_round_integral(sf_extend(X), 2)))
SF_FLOAT_FUNCTION1(roundf, sf_truncate(sf_round_integral(sf_extend(X), 3)))

/* fmin/fmax: a NaN operand is ignored (the other is returned); -0 counts as less than +0. */
static uint64_t sf_min_max(uint64_t a, uint64_t b, int want_max) {
    if (sf_is_nan(a)) return sf_is_nan(b) ? SF_QNAN : b;
    if (sf_is_nan(b)) return a;
    long c = sf_compare(a, b, 0);
    if (c == 0) c = (a & SF_SIGN) ? ((b & SF_SIGN) ? 0 : -1) : ((b & SF_SIGN) ? 1 : 0);
    return (want_max ? c >= 0 : c <= 0) ? a : b;
}
SF_WEAK double fmin(double x, double y) { return sf_from_bits(sf_min_max(sf_bits(x), sf_bits(y), 0)); }
SF_WEAK double fmax(double x, double y) { return sf_from_bits(sf_min_max(sf_bits(x), sf_bits(y), 1)); }
SF_FLOAT_FUNCTION2(fminf, sf_truncate(sf_min_max(sf_extend(X), sf_extend(Y), 0)))
SF_FLOAT_FUNCTION2(fmaxf, sf_truncate(sf_min_max(sf_extend(X), sf_extend(Y), 1)))

/* ---- Bit counting (calls GCC emits without Zbb); written without the builtins they implement. ---- */

int __clzdi2(uint64_t x) {
    int n = 0;
    if (x == 0) return 64;
    for (int step = 32; step > 0; step >>= 1) {
        if ((x >> (64 - step)) == 0) {
            n += step;
            x <<= step;
        }
    }
    return n;
}
int __clzsi2(uint32_t x) { return x == 0 ? 32 : __clzdi2(x) - 32; }
int __ctzdi2(uint64_t x) { return x == 0 ? 64 : 63 - __clzdi2(x & -x); }
int __ctzsi2(uint32_t x) { return x == 0 ? 32 : __ctzdi2(x); }
int __popcountdi2(uint64_t x) {
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (int)((x * 0x0101010101010101ull) >> 56);
}
int __popcountsi2(uint32_t x) { return __popcountdi2(x); }

/* ---- 128-bit integers (rv64 only: C has no 128-bit type on rv32). ---- */

#ifdef __SIZEOF_INT128__
typedef unsigned __int128 sf_u128;
typedef __int128 sf_i128;

/* 128-bit shifts and multiplication (calls GCC emits at -Os), from 64-bit halves only. */
typedef union {
    sf_u128 all;
    struct {
        uint64_t low, high;
    } s;
} sf_qword;

sf_u128 __ashlti3(sf_u128 a, int b) {
    sf_qword x = {a}, r;
    if (b & 64) {
        r.s.low = 0;
        r.s.high = x.s.low << (b & 63);
    } else if (b == 0) {
        return a;
    } else {
        r.s.low = x.s.low << b;
        r.s.high = (x.s.high << b) | (x.s.low >> (64 - b));
    }
    return r.all;
}

sf_u128 __lshrti3(sf_u128 a, int b) {
    sf_qword x = {a}, r;
    if (b & 64) {
        r.s.high = 0;
        r.s.low = x.s.high >> (b & 63);
    } else if (b == 0) {
        return a;
    } else {
        r.s.high = x.s.high >> b;
        r.s.low = (x.s.low >> b) | (x.s.high << (64 - b));
    }
    return r.all;
}

sf_i128 __ashrti3(sf_i128 a, int b) {
    sf_qword x = {(sf_u128)a}, r;
    if (b & 64) {
        r.s.high = (uint64_t)((int64_t)x.s.high >> 63);
        r.s.low = (uint64_t)((int64_t)x.s.high >> (b & 63));
    } else if (b == 0) {
        return a;
    } else {
        r.s.high = (uint64_t)((int64_t)x.s.high >> b);
        r.s.low = (x.s.low >> b) | (x.s.high << (64 - b));
    }
    return (sf_i128)r.all;
}

sf_u128 __multi3(sf_u128 a, sf_u128 b) {
    sf_qword x = {a}, y = {b}, r;
    sf_mul_64x64(x.s.low, y.s.low, &r.s.high, &r.s.low);
    r.s.high += x.s.low * y.s.high + x.s.high * y.s.low;
    return r.all;
}

/* Unsigned 128-bit division (x / 0 = all ones, x % 0 = x, as the RISC-V division instructions). */
static sf_u128 sf_udivmod128(sf_u128 n, sf_u128 d, sf_u128 *remainder) {
    if (d == 0) {
        *remainder = n;
        return ~(sf_u128)0;
    }
    if ((n >> 64) == 0 && (d >> 64) == 0) {
        *remainder = (uint64_t)n % (uint64_t)d;
        return (uint64_t)n / (uint64_t)d;
    }
    if (d > n) {
        *remainder = n;
        return 0;
    }
    /* Restoring division from the highest quotient bit that can be set. */
    int nBits = 128 - ((n >> 64) ? __builtin_clzll((uint64_t)(n >> 64)) : 64 + __builtin_clzll((uint64_t)n));
    int dBits = 128 - ((d >> 64) ? __builtin_clzll((uint64_t)(d >> 64)) : 64 + __builtin_clzll((uint64_t)d));
    int shift = nBits - dBits;
    sf_u128 q = 0;
    d <<= shift;
    for (int i = 0; i <= shift; i++) {
        q <<= 1;
        if (n >= d) {
            n -= d;
            q |= 1;
        }
        d >>= 1;
    }
    *remainder = n;
    return q;
}

sf_u128 __udivti3(sf_u128 n, sf_u128 d) { sf_u128 r; return sf_udivmod128(n, d, &r); }
sf_u128 __umodti3(sf_u128 n, sf_u128 d) { sf_u128 r; sf_udivmod128(n, d, &r); return r; }
sf_i128 __divti3(sf_i128 n, sf_i128 d) {
    if (d == 0) return -1;
    sf_u128 un = n < 0 ? -(sf_u128)n : (sf_u128)n, ud = d < 0 ? -(sf_u128)d : (sf_u128)d, r;
    sf_u128 q = sf_udivmod128(un, ud, &r);
    return (sf_i128)((n < 0) != (d < 0) ? -q : q);
}
sf_i128 __modti3(sf_i128 n, sf_i128 d) {
    if (d == 0) return n;
    sf_u128 un = n < 0 ? -(sf_u128)n : (sf_u128)n, ud = d < 0 ? -(sf_u128)d : (sf_u128)d, r;
    sf_udivmod128(un, ud, &r);
    return (sf_i128)(n < 0 ? -r : r);
}

/* A 128-bit magnitude to 64 bits that round the same way (the bits below folded into a sticky bit). */
static inline uint64_t sf_fold128(sf_u128 v, int *extra) {
    uint64_t high = (uint64_t)(v >> 64);
    if (high == 0) {
        *extra = 0;
        return (uint64_t)v;
    }
    int n = 64 - __builtin_clzll(high); /* bits above the low 64 */
    *extra = n;
    return (uint64_t)(v >> n) | (((uint64_t)v << (64 - n)) != 0);
}

double __floatuntidf(sf_u128 a) {
    int extra;
    uint64_t v = sf_fold128(a, &extra);
    if (v == 0) return sf_from_bits(0);
    int n = __builtin_clzll(v);
    v <<= n;
    return sf_from_bits(sf_round_pack(0, 1023 + 63 - n + extra, (v >> 8) | ((v & 0xff) != 0)));
}
double __floattidf(sf_i128 a) {
    double m = __floatuntidf(a < 0 ? -(sf_u128)a : (sf_u128)a);
    return a < 0 ? sf_from_bits(sf_bits(m) ^ SF_SIGN) : m;
}
sf_u128 __fixunsdfti(double a) {
    uint64_t bits = sf_bits(a);
    if (sf_is_nan(bits)) return ~(sf_u128)0;
    if (bits & SF_SIGN) return 0;
    int e = (int)(bits >> 52) - 1023;
    if (e < 0) return 0;
    if (e >= 128) return ~(sf_u128)0;
    sf_u128 m = (bits & SF_FRAC) | SF_IMPLICIT;
    return e >= 52 ? m << (e - 52) : m >> (52 - e);
}
sf_i128 __fixdfti(double a) {
    uint64_t bits = sf_bits(a);
    sf_u128 max = ~(sf_u128)0 >> 1;
    if (sf_is_nan(bits)) return (sf_i128)max;
    int e = (int)((bits >> 52) & 0x7ff) - 1023;
    if (e >= 127) return (bits & SF_SIGN) ? (sf_i128)(max + 1) : (sf_i128)max;
    sf_u128 magnitude = __fixunsdfti(sf_from_bits(bits & ~SF_SIGN));
    return (bits & SF_SIGN) ? (sf_i128)(0 - magnitude) : (sf_i128)magnitude;
}
#endif
