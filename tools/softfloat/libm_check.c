/*
 * Measures guest/polkavm_libm.c against the host's libm: the largest difference in units in the last
 * place (ulp) per function over random arguments in several ranges, and special values that must
 * match exactly. The functions added later (expm1 and after) are measured against the host's long
 * double versions rounded to double, which are nearer the correctly rounded result than glibc's own
 * double versions (glibc's cbrt, for one, is off by up to 3 ulp). Fails if a function's largest difference exceeds its bound (fmod: 0, exact).
 *
 *   cc -O2 -ffp-contract=off -o libm_check tools/softfloat/libm_check.c -lm && ./libm_check [CASES] [SEED]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#define exp polkavm_exp
#define log polkavm_log
#define log2 polkavm_log2
#define log10 polkavm_log10
#define sin polkavm_sin
#define cos polkavm_cos
#define tan polkavm_tan
#define atan polkavm_atan
#define atan2 polkavm_atan2
#define pow polkavm_pow
#define fmod polkavm_fmod
#define expf polkavm_expf
#define logf polkavm_logf
#define log2f polkavm_log2f
#define log10f polkavm_log10f
#define sinf polkavm_sinf
#define cosf polkavm_cosf
#define tanf polkavm_tanf
#define atanf polkavm_atanf
#define atan2f polkavm_atan2f
#define powf polkavm_powf
#define fmodf polkavm_fmodf
#define expm1 polkavm_expm1
#define log1p polkavm_log1p
#define exp2 polkavm_exp2
#define sinh polkavm_sinh
#define cosh polkavm_cosh
#define tanh polkavm_tanh
#define asinh polkavm_asinh
#define acosh polkavm_acosh
#define atanh polkavm_atanh
#define asin polkavm_asin
#define acos polkavm_acos
#define hypot polkavm_hypot
#define cbrt polkavm_cbrt
#define ldexp polkavm_ldexp
#define scalbn polkavm_scalbn
#define scalbln polkavm_scalbln
#define frexp polkavm_frexp
#define modf polkavm_modf
#define rint polkavm_rint
#define nearbyint polkavm_nearbyint
#define lrint polkavm_lrint
#define llrint polkavm_llrint
#define lround polkavm_lround
#define llround polkavm_llround
#define expm1f polkavm_expm1f
#define log1pf polkavm_log1pf
#define exp2f polkavm_exp2f
#define sinhf polkavm_sinhf
#define coshf polkavm_coshf
#define tanhf polkavm_tanhf
#define asinhf polkavm_asinhf
#define acoshf polkavm_acoshf
#define atanhf polkavm_atanhf
#define asinf polkavm_asinf
#define acosf polkavm_acosf
#define hypotf polkavm_hypotf
#define cbrtf polkavm_cbrtf
#define rintf polkavm_rintf
#define nearbyintf polkavm_nearbyintf
#define POLKAVM_SOFTFLOAT_NATIVE_TEST
#include "../../guest/polkavm_softfloat.c" /* the float versions use its conversions */
#include "../../guest/polkavm_libm.c"
#undef exp
#undef log
#undef log2
#undef log10
#undef sin
#undef cos
#undef tan
#undef atan
#undef atan2
#undef pow
#undef fmod
#undef expm1
#undef log1p
#undef exp2
#undef sinh
#undef cosh
#undef tanh
#undef asinh
#undef acosh
#undef atanh
#undef asin
#undef acos
#undef hypot
#undef cbrt
#undef ldexp
#undef scalbn
#undef scalbln
#undef frexp
#undef modf
#undef rint
#undef nearbyint
#undef lrint
#undef llrint
#undef lround
#undef llround
#undef expm1f
#undef log1pf
#undef exp2f
#undef sinhf
#undef coshf
#undef tanhf
#undef asinhf
#undef acoshf
#undef atanhf
#undef asinf
#undef acosf
#undef hypotf
#undef cbrtf
#undef rintf
#undef nearbyintf

#include "random.h"
static double uniform(double lo, double hi) { return lo + (hi - lo) * ((next_random() >> 11) * 0x1p-53); }
static double any_finite(void) {
    for (;;) {
        uint64_t b = next_random();
        if (((b >> 52) & 0x7ff) != 0x7ff) return sf_from_bits(b);
    }
}

/* Distance in ulps between two doubles (0 for two NaNs; huge for NaN vs number or different signs). */
static double ulps(double a, double b) {
    if (a != a || b != b) return (a != a && b != b) ? 0 : 1e300;
    if (a == b) return 0;
    int64_t ia = (int64_t)sf_bits(a), ib = (int64_t)sf_bits(b);
    if ((ia < 0) != (ib < 0)) return 1e300;
    double d = (double)(ia > ib ? ia - ib : ib - ia);
    return d;
}

struct stat { const char *name; double worst, worst_x, worst_y, bound; long count; };
static void note(struct stat *s, double got, double want, double x, double y) {
    double u = ulps(got, want);
    s->count++;
    if (u > s->worst) { s->worst = u; s->worst_x = x; s->worst_y = y; }
}

int main(int argc, char **argv) {
    long cases = argc > 1 ? atol(argv[1]) : 200000;
    seed_random(argc > 2 ? argv[2] : NULL);
    struct stat S[] = {
        {"exp", 0, 0, 0, 2}, {"log", 0, 0, 0, 1}, {"log2", 0, 0, 0, 2}, {"log10", 0, 0, 0, 2},
        {"sin", 0, 0, 0, 2}, {"cos", 0, 0, 0, 2}, {"tan", 0, 0, 0, 3}, {"atan", 0, 0, 0, 2},
        {"atan2", 0, 0, 0, 3}, {"pow", 0, 0, 0, 3}, {"pow (integer y)", 0, 0, 0, 1}, {"fmod", 0, 0, 0, 0},
        {"sin (huge)", 0, 0, 0, 2}, {"cos (huge)", 0, 0, 0, 2},
        /* (bounds one above the largest difference seen in 2 x 2,000,000 cases) */
        {"expm1", 0, 0, 0, 3}, {"log1p", 0, 0, 0, 3}, {"exp2", 0, 0, 0, 2}, {"sinh", 0, 0, 0, 3},
        {"cosh", 0, 0, 0, 3}, {"tanh", 0, 0, 0, 3}, {"asinh", 0, 0, 0, 4}, {"acosh", 0, 0, 0, 4},
        {"atanh", 0, 0, 0, 4}, {"asin", 0, 0, 0, 3}, {"acos", 0, 0, 0, 3}, {"hypot", 0, 0, 0, 2},
        {"cbrt", 0, 0, 0, 2}, {"ldexp/frexp/modf", 0, 0, 0, 0}, {"rint/lround", 0, 0, 0, 0},
        {"float versions (float ulp)", 0, 0, 0, 1},
    };
    enum { EXP, LOG, LOG2, LOG10, SIN, COS, TAN, ATAN, ATAN2, POW, POWI, FMOD, SINH, COSH,
           XEXPM1, XLOG1P, XEXP2, XSINH, XCOSH, XTANH, XASINH, XACOSH, XATANH, XASIN, XACOS, XHYPOT, XCBRT, XEXACT, XRINT, XFLOAT };
    for (long i = 0; i < cases; i++) {
        double x = uniform(-745.2, 709.8);
        note(&S[EXP], polkavm_exp(x), exp(x), x, 0);
        x = (next_random() & 1) ? fabs(any_finite()) : uniform(0.5, 2.0);
        note(&S[LOG], polkavm_log(x), log(x), x, 0);
        note(&S[LOG2], polkavm_log2(x), log2(x), x, 0);
        note(&S[LOG10], polkavm_log10(x), log10(x), x, 0);
        x = (next_random() & 1) ? uniform(-10, 10) : uniform(-1e6, 1e6);
        note(&S[SIN], polkavm_sin(x), sin(x), x, 0);
        note(&S[COS], polkavm_cos(x), cos(x), x, 0);
        note(&S[TAN], polkavm_tan(x), tan(x), x, 0);
        x = any_finite();
        note(&S[SINH], polkavm_sin(x), sin(x), x, 0);
        note(&S[COSH], polkavm_cos(x), cos(x), x, 0);
        x = (next_random() & 1) ? any_finite() : uniform(-4, 4);
        note(&S[ATAN], polkavm_atan(x), atan(x), x, 0);
        double y = (next_random() & 1) ? any_finite() : uniform(-4, 4);
        note(&S[ATAN2], polkavm_atan2(y, x), atan2(y, x), y, x);
        x = uniform(0, 10);
        y = uniform(-60, 60);
        note(&S[POW], polkavm_pow(x, y), pow(x, y), x, y);
        x = uniform(-20, 20);
        y = (double)((int64_t)(next_random() % 81) - 40);
        note(&S[POWI], polkavm_pow(x, y), pow(x, y), x, y);
        x = any_finite();
        y = (next_random() & 1) ? any_finite() : uniform(-100, 100);
        note(&S[FMOD], polkavm_fmod(x, y), fmod(x, y), x, y);

        /* Small arguments (where expm1, log1p and the hyperbolic functions need their care) half the time. */
        double small = uniform(-1, 1) * ldexp(1.0, -(int)(next_random() % 60));
        x = (next_random() & 1) ? small : uniform(-40, 709.7);
        note(&S[XEXPM1], polkavm_expm1(x), (double)expm1l(x), x, 0);
        x = (next_random() & 1) ? small : (next_random() & 1) ? uniform(-1, 10) : fabs(any_finite());
        note(&S[XLOG1P], polkavm_log1p(x), (double)log1pl(x), x, 0);
        x = (next_random() & 1) ? small : uniform(-1075, 1024);
        note(&S[XEXP2], polkavm_exp2(x), (double)exp2l(x), x, 0);
        x = (next_random() & 1) ? small : uniform(-711, 711);
        note(&S[XSINH], polkavm_sinh(x), (double)sinhl(x), x, 0);
        note(&S[XCOSH], polkavm_cosh(x), (double)coshl(x), x, 0);
        note(&S[XTANH], polkavm_tanh(x), (double)tanhl(x), x, 0);
        x = (next_random() & 1) ? small : any_finite();
        note(&S[XASINH], polkavm_asinh(x), (double)asinhl(x), x, 0);
        x = (next_random() & 1) ? 1.0 + fabs(small) : fabs(any_finite());
        note(&S[XACOSH], polkavm_acosh(x), (double)acoshl(x), x, 0);
        x = (next_random() & 1) ? small : uniform(-1, 1);
        note(&S[XATANH], polkavm_atanh(x), (double)atanhl(x), x, 0);
        note(&S[XASIN], polkavm_asin(x), (double)asinl(x), x, 0);
        note(&S[XACOS], polkavm_acos(x), (double)acosl(x), x, 0);
        x = any_finite();
        y = (next_random() & 1) ? any_finite() : x * uniform(-2, 2);
        note(&S[XHYPOT], polkavm_hypot(x, y), (double)hypotl(x, y), x, y);
        note(&S[XCBRT], polkavm_cbrt(x), (double)cbrtl(x), x, 0);
        /* exact functions: the same bits */
        int k = (int)(next_random() % 4401) - 2200, e1, e2;
        note(&S[XEXACT], polkavm_ldexp(x, k), ldexp(x, k), x, k);
        note(&S[XEXACT], polkavm_scalbn(x, k), scalbn(x, k), x, k);
        double m1 = polkavm_frexp(x, &e1), m2 = frexp(x, &e2);
        note(&S[XEXACT], e1 == e2 ? m1 : 1e300, m2, x, 0);
        double i1, i2;
        m1 = polkavm_modf(small * 1e6, &i1);
        m2 = modf(small * 1e6, &i2);
        note(&S[XEXACT], sf_bits(i1) == sf_bits(i2) && sf_bits(m1) == sf_bits(m2) ? 0 : 1e300, 0, small * 1e6, 0);
        x = (next_random() & 1) ? uniform(-10, 10) : (next_random() & 1) ? (double)(int64_t)(next_random() % 2001 - 1000) / 2 : any_finite();
        note(&S[XRINT], polkavm_rint(x), rint(x), x, 0);
        note(&S[XRINT], polkavm_nearbyint(x), nearbyint(x), x, 0);
        if (fabs(x) < 1e15) {
            note(&S[XRINT], (double)polkavm_lround(x), (double)lround(x), x, 0);
            note(&S[XRINT], (double)polkavm_llrint(x), (double)llrint(x), x, 0);
        }
        /* float versions: within one float ulp */
        float f = (float)((next_random() & 1) ? small : uniform(-20, 20)), g = (float)uniform(-20, 20);
        float fr[][2] = {{polkavm_expm1f(f), (float)expm1l(f)}, {polkavm_sinhf(f), (float)sinhl(f)},
                         {polkavm_tanhf(f), (float)tanhl(f)}, {polkavm_hypotf(f, g), (float)hypotl(f, g)},
                         {polkavm_cbrtf(f), (float)cbrtl(f)}, {polkavm_rintf(f), rintf(f)},
                         {polkavm_asinf(f / 20), (float)asinl(f / 20)}, {polkavm_log1pf(fabsf(f)), (float)log1pl(fabsf(f))}};
        for (unsigned j = 0; j < sizeof fr / sizeof *fr; j++) {
            uint32_t a, b;
            memcpy(&a, &fr[j][0], 4);
            memcpy(&b, &fr[j][1], 4);
            double d = a == b ? 0 : ((a ^ b) >> 31) ? 1e300 : (double)(a > b ? a - b : b - a);
            S[XFLOAT].count++;
            if (d > S[XFLOAT].worst) { S[XFLOAT].worst = d; S[XFLOAT].worst_x = f; S[XFLOAT].worst_y = j; }
        }
    }
    /* Special values: exact agreement. */
    static const double specials[] = {0.0, -0.0, 1.0, -1.0, 2.0, 0.5, 10.0, -2.0, 3.0, 1e300, -1e300, 1e-310, INFINITY, -INFINITY, NAN};
    int n = sizeof specials / sizeof *specials;
    long special_mismatches = 0;
    for (int a = 0; a < n; a++) {
        double x = specials[a];
        double pairs[][2] = {{polkavm_exp(x), exp(x)}, {polkavm_log(x), log(x)}, {polkavm_log2(x), log2(x)},
                             {polkavm_log10(x), log10(x)}, {polkavm_sin(x), sin(x)}, {polkavm_cos(x), cos(x)},
                             {polkavm_atan(x), atan(x)}, {polkavm_expm1(x), expm1(x)}, {polkavm_log1p(x), log1p(x)},
                             {polkavm_exp2(x), exp2(x)}, {polkavm_sinh(x), sinh(x)}, {polkavm_cosh(x), cosh(x)},
                             {polkavm_tanh(x), tanh(x)}, {polkavm_asinh(x), asinh(x)}, {polkavm_acosh(x), acosh(x)},
                             {polkavm_atanh(x), atanh(x)}, {polkavm_asin(x), asin(x)}, {polkavm_acos(x), acos(x)},
                             {polkavm_cbrt(x), cbrt(x)}, {polkavm_rint(x), rint(x)}, {polkavm_hypot(x, 3.0), hypot(x, 3.0)},
                             {polkavm_hypot(x, NAN), hypot(x, NAN)}};
        for (unsigned k = 0; k < sizeof pairs / sizeof *pairs; k++) {
            if (ulps(pairs[k][0], pairs[k][1]) > 1) {
                if (++special_mismatches <= 10) fprintf(stderr, "special: function %u of %g: %a vs %a\n", k, x, pairs[k][0], pairs[k][1]);
            }
        }
        for (int b = 0; b < n; b++) {
            double y = specials[b];
            double pw = polkavm_pow(x, y), pw_ref = pow(x, y);
            double at = polkavm_atan2(x, y), at_ref = atan2(x, y);
            double fm = polkavm_fmod(x, y), fm_ref = fmod(x, y);
            if (ulps(pw, pw_ref) > 1 || ulps(at, at_ref) > 1 || ulps(fm, fm_ref) > 0) {
                if (++special_mismatches <= 10) fprintf(stderr, "special: pow/atan2/fmod(%g, %g): %a/%a/%a vs %a/%a/%a\n", x, y, pw, at, fm, pw_ref, at_ref, fm_ref);
            }
        }
    }
    int failed = special_mismatches != 0;
    printf("libm check: %ld cases per function, special-value mismatches: %ld\n", cases, special_mismatches);
    for (unsigned k = 0; k < sizeof S / sizeof *S; k++) {
        int bad = S[k].worst > S[k].bound;
        failed |= bad;
        printf("  %-16s largest difference %g ulp (bound %g)%s  at (%a, %a)\n", S[k].name, S[k].worst, S[k].bound,
               bad ? "  FAIL" : "", S[k].worst_x, S[k].worst_y);
    }
    return failed;
}
