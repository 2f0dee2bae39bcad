/*
 * polkavm_libm.c — the transcendental part of the guest SDK's math library (math.h): exp, log, log2,
 * log10, sin, cos, tan, atan, atan2, pow and fmod; expm1, log1p, exp2, the hyperbolic functions and
 * their inverses, asin, acos, hypot and cbrt built on them; the exact ldexp/scalbn, frexp, modf and
 * rint family; with float versions of the one- and two-argument functions.
 *
 * Included by polkavm_libc.c (see polkavm_softfloat.c for the arithmetic underneath). The algorithms
 * are the classic ones: argument reduction by multiples of ln 2 or pi/2 (an exact reduction against a
 * 1408-bit table of 2/pi for large arguments), then a polynomial on the reduced interval. Results are
 * deterministic (integer and IEEE arithmetic only) but not always correctly rounded: tools/softfloat
 * measures the largest error against the host's libm over millions of arguments (docs/LINKER.md).
 * fmod is exact. The functions are weak, so a program's own definitions take precedence.
 */

#define LM_WEAK __attribute__((weak))

/* (Bit patterns through polkavm_softfloat.c's sf_bits and sf_from_bits, which is included first.) */

/* x * 2^k for any k, rounding once at most in the subnormal range. */
static double lm_scale(double x, int k) {
    /* (Beyond +-2200 every finite nonzero x overflows or underflows: no need to loop further.) */
    if (k > 2200) k = 2200;
    if (k < -2200) k = -2200;
    while (k > 1023) {
        x *= sf_from_bits(0x7fe0000000000000ull); /* 2^1023 */
        k -= 1023;
    }
    while (k < -1022) {
        /* Two steps so that only the last multiplication can round. */
        int step = k < -1022 - 960 ? -960 : k + 1022;
        if (step == 0) break;
        x *= sf_from_bits((uint64_t)(1023 + step) << 52);
        k -= step;
        if (x == 0) return x;
    }
    return x * sf_from_bits((uint64_t)(1023 + k) << 52);
}

/* ln 2 split so that k * LN2_HI is exact for |k| < 2^20, and 1 / ln 2. */
#define LN2_HI 0x1.62e42ff000000p-1
#define LN2_LO (-0x1.718432a1b0e26p-35)
#define INV_LN2 0x1.71547652b82fep+0

/* x = k ln2 + r with |r| <= ln2 / 2: returns r and sets *k. */
static double lm_exp_reduce(double x, int *k) {
    double kf = x * INV_LN2;
    *k = (int)(kf < 0 ? kf - 0.5 : kf + 0.5);
    return (x - *k * LN2_HI) - *k * LN2_LO;
}

/* e^r - 1 for |r| <= ln2 / 2, by the Taylor series of e^r to r^13 (the next term is below 2^-60
 * relative), without adding the leading 1. */
static double lm_expm1_reduced(double r) {
    double p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    return r + r * r * p;
}

LM_WEAK double exp(double x) {
    if (x != x) return x + x;
    if (x > 709.782712893384) return sf_from_bits(SF_INF);
    if (x < -745.1332191019412) return 0.0;
    int k;
    double r = lm_exp_reduce(x, &k);
    return lm_scale(1.0 + lm_expm1_reduced(r), k);
}

/* 2/3 + 2z/5 + 2z^2/7 + ... by Horner's rule, from `high`, the terms from 2/23 z^10 up already summed
 * (2 atanh(s) = 2s + s^3 times this, with z = s^2). */
static double lm_atanh_series(double z, double high) {
    double R = high;
    R = R * z + 2.0 / 21.0;
    R = R * z + 2.0 / 19.0;
    R = R * z + 2.0 / 17.0;
    R = R * z + 2.0 / 15.0;
    R = R * z + 2.0 / 13.0;
    R = R * z + 2.0 / 11.0;
    R = R * z + 2.0 / 9.0;
    R = R * z + 2.0 / 7.0;
    R = R * z + 2.0 / 5.0;
    R = R * z + 2.0 / 3.0;
    return R;
}

/* ln(1 + f) for f in [sqrt(1/2) - 1, sqrt(2) - 1]: with s = f / (2 + f), ln(1 + f) = 2 atanh(s) =
 * f - s (f - R) where R = 2 (s^2/3 + s^4/5 + ...); |s| < 0.172. */
static double lm_log1p_reduced(double f) {
    double s = f / (2.0 + f);
    double z = s * s;
    double R = lm_atanh_series(z, 2.0 / 23.0) * z;
    return f - s * (f - R);
}

/* Splits a positive finite x into 2^k * m with m in [sqrt(1/2), sqrt(2)). */
static double lm_split_exponent(double x, int *k) {
    uint64_t b = sf_bits(x);
    int e = (int)(b >> 52);
    int adjust = 0;
    if (e == 0) { /* subnormal: scale up by 2^54 first */
        b = sf_bits(x * 0x1p54);
        e = (int)(b >> 52);
        adjust = -54;
    }
    double m = sf_from_bits((b & 0x000fffffffffffffull) | 0x3ff0000000000000ull);
    e = e - 1023 + adjust;
    if (m > 1.4142135623730951) {
        m *= 0.5;
        e++;
    }
    *k = e;
    return m;
}

/* The logarithms of NaN, negative numbers, zero and infinity (true, with the result), else false. */
static int lm_log_special(double x, double *result) {
    if (x != x) *result = x + x;
    else if (x < 0) *result = sf_from_bits(SF_QNAN);
    else if (x == 0) *result = -sf_from_bits(SF_INF);
    else if (sf_bits(x) == SF_INF) *result = x;
    else return 0;
    return 1;
}

LM_WEAK double log(double x) {
    double special;
    if (lm_log_special(x, &special)) return special;
    int k;
    double m = lm_split_exponent(x, &k);
    double l = lm_log1p_reduced(m - 1.0);
    return k * LN2_HI + (l + k * LN2_LO);
}

LM_WEAK double log2(double x) {
    double special;
    if (lm_log_special(x, &special)) return special;
    int k;
    double m = lm_split_exponent(x, &k);
    if (m == 1.0) return k; /* exact for powers of two */
    /* log2(m) = ln(m) / ln 2, with 1 / ln 2 split for the product. */
    double l = lm_log1p_reduced(m - 1.0);
    return k + (l * 0x1.7154760000000p+0 + l * 0x1.4ae0bf85ddf44p-26);
}

LM_WEAK double log10(double x) {
    double special;
    if (lm_log_special(x, &special)) return special;
    int k;
    double m = lm_split_exponent(x, &k);
    double l = lm_log1p_reduced(m - 1.0);
    /* log10(x) = (k ln2 + l) / ln 10, with log10(2) and 1 / ln 10 split. */
    return k * 0x1.3441360000000p-2 + (k * -0x1.ec10c0219dc1ep-27 + l * 0x1.bcb7b1526e50ep-2);
}

/* ---- Trigonometric functions ---- */

/* 2/pi as a binary fraction, 32 bits a word, most significant first (1408 bits). */
static const uint32_t lm_two_over_pi[44] = {
    0xa2f9836e, 0x4e441529, 0xfc2757d1, 0xf534ddc0, 0xdb629599, 0x3c439041, 0xfe5163ab, 0xdebbc561,
    0xb7246e3a, 0x424dd2e0, 0x06492eea, 0x09d1921c, 0xfe1deb1c, 0xb129a73e, 0xe88235f5, 0x2ebb4484,
    0xe99c7026, 0xb45f7e41, 0x3991d639, 0x835339f4, 0x9c845f8b, 0xbdf9283b, 0x1ff897ff, 0xde05980f,
    0xef2f118b, 0x5a0a6d1f, 0x6d367ecf, 0x27cb09b7, 0x4f463f66, 0x9e5fea2d, 0x7527bac7, 0xebe5f17b,
    0x3d0739f7, 0x8a5292ea, 0x6bfb5fb1, 0x1f8d5d08, 0x56033046, 0xfc7b6bab, 0xf0cfbc20, 0x9af4361d,
    0xa9e39161, 0x5ee61b08, 0x6599855f, 0x14a06840,
};

/* pi/2 split for the reduction of moderate arguments (n * PIO2_1 and n * PIO2_2 exact for n < 2^20). */
#define PIO2_1 0x1.921fb54400000p+0
#define PIO2_2 0x1.0b4611a600000p-34
#define PIO2_3 0x1.3198a2e037073p-69
#define PIO2_HI 0x1.921fb54442d18p+0
#define PIO2_LO 0x1.1a62633145c07p-54

/* Reduces a finite x to r = x - n pi/2 with |r| <= about pi/4, as r_hi + r_lo; returns n mod 4. */
static int lm_reduce(double x, double *r_hi, double *r_lo) {
    double ax = x < 0 ? -x : x;
    if (ax <= 0x1.921fb54442d18p-1) { /* |x| <= pi/4 */
        *r_hi = x;
        *r_lo = 0;
        return 0;
    }
    if (ax < 0x1p20) {
        double nf = x * 0x1.45f306dc9c883p-1; /* x * 2/pi */
        int n = (int)(nf < 0 ? nf - 0.5 : nf + 0.5);
        /* Three-part subtraction: each product is exact, and r keeps about 100 bits. */
        double a = x - n * PIO2_1;
        double w = n * PIO2_2;
        double b = a - w;
        double t = n * PIO2_3 - ((a - b) - w); /* what b lost, plus the third part */
        double r = b - t;
        *r_hi = r;
        *r_lo = (b - r) - t;
        return n & 3;
    }
    /* Large |x| (2^20 and up): x = M * 2^E exactly; take the bits of 2/pi that matter for
     * M * 2^E * 2/pi modulo 4 and multiply in integers (Payne and Hanek's method). */
    uint64_t bits = sf_bits(ax);
    uint64_t M = (bits & 0x000fffffffffffffull) | 0x0010000000000000ull;
    int E = (int)(bits >> 52) - 1075; /* ax = M * 2^E, E >= -32 here */
    /* Table bit j (from 1) has weight 2^-j; M * 2^E * 2^-j is a multiple of 4 once E - j >= 2, so
     * start at the word holding bit E - 54 (or the first) and take NW words: the bits after them
     * change y by less than 2^-149, far below the closest a double comes to a multiple of pi/2. */
    enum { NW = 9 };
    int first_bit = E - 54 < 1 ? 1 : E - 54;
    int w0 = (first_bit - 1) / 32;
    /* The window as an integer W; 2/pi's part here is W * 2^-(32 (w0 + NW)). */
    uint32_t W[NW];
    for (int i = 0; i < NW; i++) W[i] = lm_two_over_pi[w0 + i];
    /* P = M * W as NW + 2 words, most significant first. */
    uint32_t P[NW + 2] = {0};
    uint64_t m_parts[2] = {M >> 32, M & 0xffffffffu};
    for (int mi = 1; mi >= 0; mi--) {
        uint64_t carry = 0;
        /* Multiply W by the 32-bit part and add at the right place (mi = 1 is the low part). */
        for (int i = NW - 1; i >= 0; i--) {
            int at = i + mi + 1; /* P index this product term lands in */
            uint64_t t = (uint64_t)W[i] * m_parts[mi] + P[at] + carry;
            P[at] = (uint32_t)t;
            carry = t >> 32;
        }
        int at = mi;
        while (carry != 0 && at >= 0) {
            uint64_t t = (uint64_t)P[at] + carry;
            P[at] = (uint32_t)t;
            carry = t >> 32;
            at--;
        }
    }
    /* y = M * 2^E * 2/pi = P * 2^(E - 32 (w0 + NW)). The binary point lies `point` bits from the
     * least significant end of P. */
    int point = 32 * (w0 + NW) - E;
    /* Extract 2 integer bits and 128 fraction bits around the point. */
    uint64_t integer = 0, f_hi = 0, f_lo = 0;
    for (int bit = point + 1; bit >= point - 128; bit--) {
        /* bit index from the least significant end; bits outside P read as 0 */
        uint64_t v = 0;
        if (bit >= 0 && bit < 32 * (NW + 2)) v = (P[NW + 1 - bit / 32] >> (bit % 32)) & 1;
        if (bit >= point) integer = (integer << 1) | v;
        else if (bit >= point - 64) f_hi = (f_hi << 1) | v;
        else f_lo = (f_lo << 1) | v;
    }
    int n = (int)(integer & 3);
    /* Round to the nearest multiple: a fraction of 1/2 or more goes to n + 1 with f - 1 < 0. */
    int negative = 0;
    if (f_hi >> 63) {
        n = (n + 1) & 3;
        /* 1 - f as a 128-bit value */
        f_lo = ~f_lo + 1;
        f_hi = ~f_hi + (f_lo == 0);
        negative = 1;
    }
    /* r = f * pi/2 with f = f_hi 2^-64 + f_lo 2^-128 < 1/2. */
    double fh = (double)(f_hi >> 11) * 0x1p-53;            /* top 53 bits */
    double fl = ((double)(f_hi & 0x7ff) * 0x1p-64) + (double)(f_lo >> 11) * 0x1p-117;
    double r = fh * PIO2_HI;
    /* r_lo: the error of that product (by splitting), and the terms of the lower parts. */
    double ch = fh * 0x1.0000002p27;
    double fh_hi = ch - (ch - fh), fh_lo = fh - fh_hi;
    double cp = PIO2_HI * 0x1.0000002p27;
    double p_hi = cp - (cp - PIO2_HI), p_lo = PIO2_HI - p_hi;
    double err = ((fh_hi * p_hi - r) + fh_hi * p_lo + fh_lo * p_hi) + fh_lo * p_lo;
    double rl = err + (fh * PIO2_LO + fl * PIO2_HI);
    double s = r + rl;
    rl = rl - (s - r);
    r = s;
    if (negative) {
        r = -r;
        rl = -rl;
    }
    if (x < 0) {
        r = -r;
        rl = -rl;
        n = (4 - n) & 3;
    }
    *r_hi = r;
    *r_lo = rl;
    return n;
}

/* sin(x + y) for |x| <= about pi/4 and |y| tiny, by the Taylor series to x^17. */
static double lm_sin_kernel(double x, double y) {
    double z = x * x;
    /* p = 1/5! - z/7! + z^2/9! - ... + z^6/17! */
    double p = 1.0 / 355687428096000.0;
    p = p * z - 1.0 / 1307674368000.0;
    p = p * z + 1.0 / 6227020800.0;
    p = p * z - 1.0 / 39916800.0;
    p = p * z + 1.0 / 362880.0;
    p = p * z - 1.0 / 5040.0;
    p = p * z + 1.0 / 120.0;
    /* x - x^3/6 + x^5 p: the cubic term split so the sum stays accurate, plus y cos(x) ~ y (1 - z/2). */
    double x3 = z * x;
    return x + ((x3 * (z * p) - x3 * (1.0 / 6.0)) + (y - 0.5 * z * y));
}

/* cos(x + y) for |x| <= about pi/4 and |y| tiny, by the Taylor series to x^18. */
static double lm_cos_kernel(double x, double y) {
    double z = x * x;
    double p = 1.0 / 6402373705728000.0;           /*  1/18! */
    p = p * z - 1.0 / 20922789888000.0;            /* -1/16! */
    p = p * z + 1.0 / 87178291200.0;               /*  1/14! */
    p = p * z - 1.0 / 479001600.0;                 /* -1/12! */
    p = p * z + 1.0 / 3628800.0;                   /*  1/10! */
    p = p * z - 1.0 / 40320.0;                     /* -1/8!  */
    p = p * z + 1.0 / 720.0;                       /*  1/6!  */
    p = p * z - 1.0 / 24.0;                        /* -1/4!  */
    double hz = 0.5 * z;
    double w = 1.0 - hz;
    /* 1 - z/2 + z^2 (1/24 - ...), with what 1 - hz lost put back, minus x y (= y sin x). */
    return w + (((1.0 - w) - hz) + (z * z * -p - x * y));
}

/* Whether x is neither infinite nor NaN (where the trigonometric functions are NaN). */
static inline int lm_is_finite(double x) { return (sf_bits(x) & ~SF_SIGN) < SF_INF; }

LM_WEAK double sin(double x) {
    if (!lm_is_finite(x)) return sf_from_bits(SF_QNAN);
    if (x == 0) return x;
    double r, rl;
    switch (lm_reduce(x, &r, &rl)) {
    case 0: return lm_sin_kernel(r, rl);
    case 1: return lm_cos_kernel(r, rl);
    case 2: return -lm_sin_kernel(r, rl);
    default: return -lm_cos_kernel(r, rl);
    }
}

LM_WEAK double cos(double x) {
    if (!lm_is_finite(x)) return sf_from_bits(SF_QNAN);
    double r, rl;
    switch (lm_reduce(x, &r, &rl)) {
    case 0: return lm_cos_kernel(r, rl);
    case 1: return -lm_sin_kernel(r, rl);
    case 2: return -lm_cos_kernel(r, rl);
    default: return lm_sin_kernel(r, rl);
    }
}

LM_WEAK double tan(double x) {
    if (!lm_is_finite(x)) return sf_from_bits(SF_QNAN);
    if (x == 0) return x;
    double r, rl;
    int n = lm_reduce(x, &r, &rl);
    double s = lm_sin_kernel(r, rl), c = lm_cos_kernel(r, rl);
    return n & 1 ? -c / s : s / c;
}

/* atan(t) for |t| <= 0.3 by its series to t^37. */
static double lm_atan_kernel(double t) {
    double z = t * t;
    double p = 1.0 / 37.0;
    p = p * z - 1.0 / 35.0;
    p = p * z + 1.0 / 33.0;
    p = p * z - 1.0 / 31.0;
    p = p * z + 1.0 / 29.0;
    p = p * z - 1.0 / 27.0;
    p = p * z + 1.0 / 25.0;
    p = p * z - 1.0 / 23.0;
    p = p * z + 1.0 / 21.0;
    p = p * z - 1.0 / 19.0;
    p = p * z + 1.0 / 17.0;
    p = p * z - 1.0 / 15.0;
    p = p * z + 1.0 / 13.0;
    p = p * z - 1.0 / 11.0;
    p = p * z + 1.0 / 9.0;
    p = p * z - 1.0 / 7.0;
    p = p * z + 1.0 / 5.0;
    p = p * z - 1.0 / 3.0;
    return t + t * z * p;
}

/* k pi/8 for k = 0, 1, 2 as hi + lo, and tan(pi/8). */
static const double lm_k_pi_8_hi[3] = {0, 0x1.921fb54442d18p-2, 0x1.921fb54442d18p-1};
static const double lm_k_pi_8_lo[3] = {0, 0x1.1a62633145c07p-56, 0x1.1a62633145c07p-55};
#define TAN_PI_8 0x1.a827999fcef32p-2

/* atan(a) for 0 <= a <= 1, as hi + lo. */
static double lm_atan_01(double a, double *lo) {
    /* atan(a) = k pi/8 + atan((a - c) / (1 + a c)) with c = tan(k pi/8). Small arguments (up to 0.3)
     * go to the series directly, so that the sum never cancels much; then the nearest k. */
    int k = a <= 0.3 ? 0 : a <= 0x1.561b82ab7f990p-1 ? 1 : 2; /* 0.3, tan(3pi/16) */
    double c = k == 0 ? 0 : k == 1 ? TAN_PI_8 : 1.0;
    double t = k == 0 ? a : (a - c) / (1.0 + a * c);
    double kernel = lm_atan_kernel(t);
    double hi = lm_k_pi_8_hi[k] + kernel;
    *lo = ((lm_k_pi_8_hi[k] - hi) + kernel) + lm_k_pi_8_lo[k];
    return hi;
}

/* atan(a) for a >= 0 (any size), as hi + lo. */
static double lm_atan_positive(double a, double *lo) {
    if (a <= 1.0) return lm_atan_01(a, lo);
    if (a > 0x1p60) {
        *lo = PIO2_LO;
        return PIO2_HI;
    }
    /* atan(a) = pi/2 - atan(1/a) */
    double l;
    double h = lm_atan_01(1.0 / a, &l);
    double r = PIO2_HI - h;
    *lo = ((PIO2_HI - r) - h) + (PIO2_LO - l);
    return r;
}

LM_WEAK double atan(double x) {
    if (x != x) return x + x;
    double lo;
    double h = lm_atan_positive(x < 0 ? -x : x, &lo);
    double r = h + lo;
    return x < 0 ? -r : r;
}

#define PI_HI 0x1.921fb54442d18p+1
#define PI_LO 0x1.1a62633145c07p-53

LM_WEAK double atan2(double y, double x) {
    if (x != x || y != y) return x + y;
    int ny = sf_bits(y) >> 63, nx = sf_bits(x) >> 63;
    double ay = ny ? -y : y, ax = nx ? -x : x;
    double inf = sf_from_bits(SF_INF);
    double r;
    if (ay == 0) {
        r = nx ? PI_HI + PI_LO : 0.0;
    } else if (ax == 0) {
        r = PIO2_HI + PIO2_LO;
    } else if (ax == inf) {
        if (ay == inf) r = nx ? 3 * (0x1.921fb54442d18p-1) : 0x1.921fb54442d18p-1;
        else r = nx ? PI_HI + PI_LO : 0.0;
    } else if (ay == inf) {
        r = PIO2_HI + PIO2_LO;
    } else {
        double lo;
        double h = lm_atan_positive(ay / ax, &lo);
        if (nx) { /* pi - atan(|y / x|) */
            double d = PI_HI - h;
            r = d + (((PI_HI - d) - h) + (PI_LO - lo));
        } else {
            r = h + lo;
        }
    }
    return ny ? -r : r;
}

/* ---- pow ---- */

/* Double-double helpers: exact products by splitting (no fused multiply-add needed). */
static inline void lm_two_sum(double a, double b, double *s, double *e) {
    *s = a + b;
    double v = *s - a;
    *e = (a - (*s - v)) + (b - v);
}
static inline void lm_split(double a, double *hi, double *lo) {
    double c = a * 0x1.0000002p27; /* 2^27 + 1 */
    *hi = c - (c - a);
    *lo = a - *hi;
}
static inline void lm_two_product(double a, double b, double *p, double *e) {
    double ah, al, bh, bl;
    *p = a * b;
    lm_split(a, &ah, &al);
    lm_split(b, &bh, &bl);
    *e = ((ah * bh - *p) + ah * bl + al * bh) + al * bl;
}
/* (ah + al) * (bh + bl) */
static inline void lm_dd_mul(double ah, double al, double bh, double bl, double *h, double *l) {
    double p, e;
    lm_two_product(ah, bh, &p, &e);
    if (p - p != 0) { /* overflowed (the error terms would be NaN) */
        *h = p;
        *l = 0;
        return;
    }
    e += ah * bl + al * bh;
    lm_two_sum(p, e, h, l);
}

/* ln(x) for finite x > 0 as hi + lo, with about 2^-100 relative error. */
static double lm_log_dd(double x, double *lo) {
    int k;
    double m = lm_split_exponent(x, &k);
    double f = m - 1.0; /* exact */
    double d = 2.0 + f;
    double d_lo = f - (d - 2.0); /* what the sum lost: 2 + f = d + d_lo exactly */
    double s = f / d;
    /* s's remainder f - s (d + d_lo), so that s + s_lo is f / (2 + f) to double-double precision. */
    double p, e;
    lm_two_product(s, d, &p, &e);
    double s_lo = (((f - p) - e) - s * d_lo) / d;
    double z = s * s;
    double R = lm_atanh_series(z, 2.0 / 25.0 * z + 2.0 / 23.0);
    /* ln(m) = 2 atanh(s) = 2 s + s^3 R (R ~ 2/3 + ...); with s = s + s_lo. */
    double tail = s * z * R + 2.0 * s_lo;
    double h1, e1;
    lm_two_sum(k * LN2_HI, 2.0 * s, &h1, &e1); /* k LN2_HI and 2 s are exact */
    double h, l;
    lm_two_sum(h1, e1 + (tail + k * LN2_LO), &h, &l);
    *lo = l;
    return h;
}

/* x^n for an integer n with |n| < 2^31, by squaring in double-double (exact results stay exact). */
static double lm_pow_integer(double x, int64_t n) {
    uint64_t u = n < 0 ? (uint64_t)(-n) : (uint64_t)n;
    double rh = 1.0, rl = 0.0, bh = x, bl = 0.0;
    while (u != 0) {
        if (u & 1) lm_dd_mul(rh, rl, bh, bl, &rh, &rl);
        u >>= 1;
        if (u != 0) lm_dd_mul(bh, bl, bh, bl, &bh, &bl);
    }
    if (n >= 0) return rh + rl;
    /* 1 / (rh + rl) with one correction step. */
    double q = 1.0 / rh;
    if (q == 0 || q - q != 0) return q; /* 0, infinite or NaN */
    double p, e;
    lm_two_product(q, rh, &p, &e);
    double r = ((1.0 - p) - e) - q * rl;
    return q + q * r;
}

LM_WEAK double pow(double x, double y) {
    uint64_t bx = sf_bits(x), by = sf_bits(y);
    if ((by << 1) == 0) return 1.0;            /* x^0 = 1, even for NaN */
    if (bx == 0x3ff0000000000000ull) return 1.0; /* 1^y = 1, even for NaN */
    if (x != x || y != y) return x + y;
    double ax = x < 0 ? -x : x, ay = y < 0 ? -y : y;
    double inf = sf_from_bits(SF_INF);
    /* Whether y is an integer, and an odd one. */
    int y_integer = ay >= 0x1p53 || (ay < 0x1p53 && (double)(int64_t)ay == ay);
    int y_odd = y_integer && ay < 0x1p53 && ((int64_t)ay & 1);
    if (ay == inf) {
        if (ax == 1.0) return 1.0;                     /* (-1)^inf */
        return (ax > 1.0) == (y > 0) ? inf : 0.0;
    }
    if (ax == 0 || ax == inf) {
        /* 0^y and inf^y: 0 or inf, negative only for a negative base and an odd y. */
        int big = (ax == inf) == (y > 0);
        double r = big ? inf : 0.0;
        return (x < 0 || (sf_bits(x) >> 63)) && y_odd ? -r : r;
    }
    if (x < 0 && !y_integer) return sf_from_bits(SF_QNAN);
    double result;
    if (y_integer && ay < 0x1p31) {
        result = lm_pow_integer(ax, (int64_t)y);
    } else {
        /* |x|^y = exp(y ln|x|), with ln|x| and the product in double-double. */
        double l_lo;
        double l_hi = lm_log_dd(ax, &l_lo);
        double p_hi, p_lo;
        lm_two_product(y, l_hi, &p_hi, &p_lo);
        p_lo += y * l_lo;
        double t_hi, t_lo;
        lm_two_sum(p_hi, p_lo, &t_hi, &t_lo);
        if (t_hi > 709.8) return x < 0 && y_odd ? -inf : inf;
        if (t_hi < -745.2) return x < 0 && y_odd ? -0.0 : 0.0;
        double e = exp(t_hi);
        result = e + e * t_lo;
    }
    return x < 0 && y_odd ? -result : result;
}

/* ---- fmod (exact) ---- */

LM_WEAK double fmod(double x, double y) {
    uint64_t bx = sf_bits(x), by = sf_bits(y);
    uint64_t ax = bx & ~(1ull << 63), ay = by & ~(1ull << 63);
    if (ax >= SF_INF || ay > SF_INF || ay == 0) {
        return ax > SF_INF || ay > SF_INF ? x + y : sf_from_bits(SF_QNAN);
    }
    if (ax < ay) return x;
    /* x = mx 2^ex, y = my 2^ey with integer significands. */
    int ex = (int)(ax >> 52), ey = (int)(ay >> 52);
    uint64_t mx = ax & 0x000fffffffffffffull, my = ay & 0x000fffffffffffffull;
    if (ex) mx |= 0x0010000000000000ull; else ex = 1;
    if (ey) my |= 0x0010000000000000ull; else ey = 1;
    /* (mx 2^(ex - ey)) mod my, a bit at a time. */
    uint64_t r = mx % my;
    for (int e = ex; e > ey; e--) {
        r <<= 1;
        if (r >= my) r -= my;
    }
    /* r 2^(ey - 1075) is exact (it lies on y's grid, below |y|). */
    double result = r == 0 ? 0.0 : lm_scale((double)r, ey - 1075);
    return (bx >> 63) ? -result : result;
}

/* ---- Scaling, decomposition and rounding to integers (exact) ---- */

LM_WEAK double ldexp(double x, int e) { return lm_scale(x, e); }
LM_WEAK double scalbn(double x, int e) { return lm_scale(x, e); }
LM_WEAK double scalbln(double x, long e) { return lm_scale(x, e > 2200 ? 2200 : e < -2200 ? -2200 : (int)e); }

/* x = m * 2^e with 0.5 <= |m| < 1 (0, infinities and NaN are returned as they are, with e = 0). */
LM_WEAK double frexp(double x, int *e) {
    uint64_t b = sf_bits(x);
    int exponent = (int)((b >> 52) & 0x7ff);
    *e = 0;
    if (exponent == 0x7ff || (b << 1) == 0) return x;
    if (exponent == 0) { /* subnormal: normalize first */
        b = sf_bits(x * 0x1p64);
        exponent = (int)((b >> 52) & 0x7ff) - 64;
    }
    *e = exponent - 1022;
    return sf_from_bits((b & ~(0x7ffull << 52)) | (1022ull << 52));
}

/* The integral part in *integral and the fraction (with x's sign) as the result. */
LM_WEAK double modf(double x, double *integral) {
    double t = trunc(x);
    *integral = t;
    if (t == x) return copysign(0.0, x); /* integral, or infinite */
    return x - t;                       /* exact (NaN stays NaN) */
}

/* To the nearest integer, ties to even (the only rounding mode there is). */
LM_WEAK double rint(double x) {
    uint64_t a = sf_bits(x), abs = a & ~SF_SIGN, sign = a & SF_SIGN;
    if (abs > SF_INF) return x + x;
    int e = (int)(abs >> 52) - 1023;
    if (e >= 52) return x;
    if (e < -1) return sf_from_bits(sign);
    if (e == -1) return sf_from_bits(abs > 0x3fe0000000000000ull ? sign | 0x3ff0000000000000ull : sign);
    uint64_t fraction = SF_FRAC >> e, rest = abs & fraction, half = (fraction + 1) >> 1;
    uint64_t truncated = abs & ~fraction;
    int away = rest > half || (rest == half && (abs & (fraction + 1)) != 0);
    return sf_from_bits(sign | (away ? truncated + fraction + 1 : truncated));
}
LM_WEAK double nearbyint(double x) { return rint(x); }
/* (Out of range, these give what the conversion gives: the saturated value.) */
LM_WEAK long lrint(double x) { return (long)rint(x); }
LM_WEAK long long llrint(double x) { return (long long)rint(x); }
LM_WEAK long lround(double x) { return (long)round(x); }
LM_WEAK long long llround(double x) { return (long long)round(x); }

/* ---- More elementary functions, built on the ones above ---- */

#define LM_PI_2 0x1.921fb54442d18p+0

/* e^x - 1, accurate near 0: exp's reduction and polynomial, without adding 1 first. */
LM_WEAK double expm1(double x) {
    if (x != x) return x + x;
    if (x > 709.782712893384) return sf_from_bits(SF_INF);
    if (x < -38.0) return -1.0; /* e^x is below half an ulp of 1 */
    if ((sf_bits(x) & ~SF_SIGN) < 0x3c90000000000000ull) return x; /* |x| < 2^-54 */
    int k;
    double r = lm_exp_reduce(x, &k); /* (r is x itself when k is 0) */
    double u = lm_expm1_reduced(r);
    if (k == 0) return u;
    if (k > 56) return lm_scale(1.0 + u, k);
    /* 2^k (1 + u) - 1 = 2^k (u + (1 - 2^-k)), and 1 - 2^-k is exact */
    if (k > 0) return lm_scale(u + (1.0 - lm_scale(1.0, -k)), k);
    if (k >= -52) return lm_scale(u, k) - (1.0 - lm_scale(1.0, k));
    return lm_scale(1.0 + u, k) - 1.0;
}

/* ln(1 + x), accurate near 0: log(u) * x / (u - 1) with u = 1 + x corrects u's rounding. */
LM_WEAK double log1p(double x) {
    if (x != x) return x + x;
    if (x == -1.0) return -sf_from_bits(SF_INF);
    if (x < -1.0) return sf_from_bits(SF_QNAN);
    if (x == sf_from_bits(SF_INF)) return x;
    double u = 1.0 + x;
    if (u == 1.0) return x;
    return log(u) * (x / (u - 1.0));
}

LM_WEAK double exp2(double x) { return pow(2.0, x); }

LM_WEAK double sinh(double x) {
    if (x != x) return x + x;
    double a = fabs(x), r;
    if (a < 0x1p-28) return x;
    if (a < 22.0) {
        double e = expm1(a);
        r = 0.5 * (e + e / (e + 1.0));
    } else if (a < 709.0) {
        r = 0.5 * exp(a);
    } else { /* e^a / 2 overflows only where the result does */
        double h = exp(0.5 * a);
        r = (0.5 * h) * h;
    }
    return copysign(r, x);
}

LM_WEAK double cosh(double x) {
    if (x != x) return x + x;
    double a = fabs(x);
    if (a < 0x1p-27) return 1.0;
    if (a < 22.0) {
        double e = exp(a);
        return 0.5 * e + 0.5 / e;
    }
    if (a < 709.0) return 0.5 * exp(a);
    double h = exp(0.5 * a);
    return (0.5 * h) * h;
}

LM_WEAK double tanh(double x) {
    if (x != x) return x + x;
    double a = fabs(x), r;
    if (a < 0x1p-28) return x;
    if (a > 22.0) {
        r = 1.0;
    } else {
        double e = expm1(2.0 * a);
        r = e / (e + 2.0);
    }
    return copysign(r, x);
}

/* sqrt((1 - x)(1 + x)), accurate for |x| near 1 where 1 - |x| is exact. */
static double lm_cosine_of_asin(double x) { return sqrt((1.0 - x) * (1.0 + x)); }

LM_WEAK double asin(double x) {
    if (x != x) return x + x;
    if (fabs(x) > 1.0) return sf_from_bits(SF_QNAN);
    if (fabs(x) < 0x1p-27) return x;
    return atan2(x, lm_cosine_of_asin(x));
}

LM_WEAK double acos(double x) {
    if (x != x) return x + x;
    if (fabs(x) > 1.0) return sf_from_bits(SF_QNAN);
    if (x == 1.0) return 0.0;
    return atan2(lm_cosine_of_asin(x), x);
}

LM_WEAK double asinh(double x) {
    if (x != x) return x + x;
    double a = fabs(x), r;
    if (a < 0x1p-28) return x;
    if (a > 0x1p28) {
        r = log(a) + LN2_HI + LN2_LO;
    } else {
        /* asinh(a) = log1p(a + a^2 / (1 + sqrt(1 + a^2))) */
        r = log1p(a + a * a / (1.0 + sqrt(1.0 + a * a)));
    }
    return copysign(r, x);
}

LM_WEAK double acosh(double x) {
    if (x != x) return x + x;
    if (x < 1.0) return sf_from_bits(SF_QNAN);
    if (x > 0x1p28) return log(x) + LN2_HI + LN2_LO;
    double t = x - 1.0; /* exact for x in [1, 2] */
    return log1p(t + sqrt(2.0 * t + t * t));
}

LM_WEAK double atanh(double x) {
    if (x != x) return x + x;
    double a = fabs(x);
    if (a > 1.0) return sf_from_bits(SF_QNAN);
    if (a < 0x1p-28) return x;
    /* atanh(a) = log1p(2a / (1 - a)) / 2 */
    return copysign(0.5 * log1p((a + a) / (1.0 - a)), x);
}

/* sqrt(x^2 + y^2) without intermediate overflow or underflow: both scaled next to 1, the sum of the
 * squares in double-double. */
LM_WEAK double hypot(double x, double y) {
    double a = fabs(x), b = fabs(y), inf = sf_from_bits(SF_INF);
    if (a == inf || b == inf) return inf;
    if (a != a || b != b) return a + b;
    if (a < b) {
        double t = a;
        a = b;
        b = t;
    }
    if (b == 0) return a;
    int e;
    (void)frexp(a, &e);
    int eb;
    (void)frexp(b, &eb);
    if (e - eb > 60) return a + b;
    a = lm_scale(a, -e);
    b = lm_scale(b, -e);
    double h1, l1, h2, l2, s, t;
    lm_two_product(a, a, &h1, &l1);
    lm_two_product(b, b, &h2, &l2);
    lm_two_sum(h1, h2, &s, &t);
    t += l1 + l2;
    double r = sqrt(s + t);
    /* one Newton step against the double-double sum: r + (s + t - r^2) / 2r */
    double rh, rl;
    lm_two_product(r, r, &rh, &rl);
    r += ((s - rh) + (t - rl)) / (2.0 * r);
    return lm_scale(r, e);
}

/* The real cube root: Newton's iteration on the reduced argument, then a correction against the
 * exact cube. */
LM_WEAK double cbrt(double x) {
    if (x != x) return x + x;
    double a = fabs(x);
    if (a == 0 || a == sf_from_bits(SF_INF)) return x;
    int e;
    double m = frexp(a, &e); /* a = m 2^e, m in [0.5, 1) */
    int q = e >= 0 ? e / 3 : -((-e + 2) / 3);
    m = lm_scale(m, e - 3 * q); /* m in [0.5, 4), a = m 2^3q */
    double y = 0.7 + 0.25 * m;
    for (int i = 0; i < 5; i++) y -= (y * y * y - m) / (3.0 * y * y);
    double y2h, y2l, y3h, y3l;
    lm_two_product(y, y, &y2h, &y2l);
    lm_dd_mul(y2h, y2l, y, 0.0, &y3h, &y3l);
    y += ((m - y3h) - y3l) / (3.0 * y * y);
    return copysign(lm_scale(y, q), x);
}

/* ---- float versions, through double (defined like polkavm_softfloat.c's float functions) ---- */

static inline double lm_widen(uint32_t bits) { return sf_from_bits(sf_extend(bits)); }
static inline uint32_t lm_narrow(double x) { return sf_truncate(sf_bits(x)); }
SF_FLOAT_FUNCTION1(expf, lm_narrow(exp(lm_widen(X))))
SF_FLOAT_FUNCTION1(logf, lm_narrow(log(lm_widen(X))))
SF_FLOAT_FUNCTION1(log2f, lm_narrow(log2(lm_widen(X))))
SF_FLOAT_FUNCTION1(log10f, lm_narrow(log10(lm_widen(X))))
SF_FLOAT_FUNCTION1(sinf, lm_narrow(sin(lm_widen(X))))
SF_FLOAT_FUNCTION1(cosf, lm_narrow(cos(lm_widen(X))))
SF_FLOAT_FUNCTION1(tanf, lm_narrow(tan(lm_widen(X))))
SF_FLOAT_FUNCTION1(atanf, lm_narrow(atan(lm_widen(X))))
SF_FLOAT_FUNCTION2(atan2f, lm_narrow(atan2(lm_widen(X), lm_widen(Y))))
SF_FLOAT_FUNCTION2(powf, lm_narrow(pow(lm_widen(X), lm_widen(Y))))
SF_FLOAT_FUNCTION2(fmodf, lm_narrow(fmod(lm_widen(X), lm_widen(Y))))
SF_FLOAT_FUNCTION1(expm1f, lm_narrow(expm1(lm_widen(X))))
SF_FLOAT_FUNCTION1(log1pf, lm_narrow(log1p(lm_widen(X))))
SF_FLOAT_FUNCTION1(exp2f, lm_narrow(exp2(lm_widen(X))))
SF_FLOAT_FUNCTION1(sinhf, lm_narrow(sinh(lm_widen(X))))
SF_FLOAT_FUNCTION1(coshf, lm_narrow(cosh(lm_widen(X))))
SF_FLOAT_FUNCTION1(tanhf, lm_narrow(tanh(lm_widen(X))))
SF_FLOAT_FUNCTION1(asinf, lm_narrow(asin(lm_widen(X))))
SF_FLOAT_FUNCTION1(acosf, lm_narrow(acos(lm_widen(X))))
SF_FLOAT_FUNCTION1(asinhf, lm_narrow(asinh(lm_widen(X))))
SF_FLOAT_FUNCTION1(acoshf, lm_narrow(acosh(lm_widen(X))))
SF_FLOAT_FUNCTION1(atanhf, lm_narrow(atanh(lm_widen(X))))
SF_FLOAT_FUNCTION1(cbrtf, lm_narrow(cbrt(lm_widen(X))))
SF_FLOAT_FUNCTION1(rintf, lm_narrow(rint(lm_widen(X))))
SF_FLOAT_FUNCTION1(nearbyintf, lm_narrow(rint(lm_widen(X))))
SF_FLOAT_FUNCTION2(hypotf, lm_narrow(hypot(lm_widen(X), lm_widen(Y))))
