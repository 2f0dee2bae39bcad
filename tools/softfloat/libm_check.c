/*
 * Measures guest/polkavm_libm.c against the host's libm: the largest difference in units in the last
 * place (ulp) per function over random arguments in several ranges, and special values that must
 * match exactly. Fails if a function's largest difference exceeds its bound (fmod: 0, exact).
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
    };
    enum { EXP, LOG, LOG2, LOG10, SIN, COS, TAN, ATAN, ATAN2, POW, POWI, FMOD, SINH, COSH };
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
    }
    /* Special values: exact agreement. */
    static const double specials[] = {0.0, -0.0, 1.0, -1.0, 2.0, 0.5, 10.0, -2.0, 3.0, 1e300, -1e300, 1e-310, INFINITY, -INFINITY, NAN};
    int n = sizeof specials / sizeof *specials;
    long special_mismatches = 0;
    for (int a = 0; a < n; a++) {
        double x = specials[a];
        double pairs[][2] = {{polkavm_exp(x), exp(x)}, {polkavm_log(x), log(x)}, {polkavm_log2(x), log2(x)},
                             {polkavm_log10(x), log10(x)}, {polkavm_sin(x), sin(x)}, {polkavm_cos(x), cos(x)},
                             {polkavm_atan(x), atan(x)}};
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
