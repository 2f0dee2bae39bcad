/*
 * Checks guest/polkavm_format.c (the guest SDK's printf engine, strtod and strtof) natively against
 * the host's C library (glibc, whose conversions are exact): the same output text and return value
 * for random format directives and values, and the same bits and end pointer for random numerals.
 *
 *   cc -O2 -o check tools/libc/check.c && ./check [CASES] [SEED]     (tools/libc/run.sh)
 */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The SDK's functions under other names, so that the host's stay the reference. */
static long polkavm_write(long fd, const void *p, size_t n) {
    (void)fd;
    (void)p;
    return (long)n;
}
#define strtod polkavm_strtod
#define strtof polkavm_strtof
#define atof polkavm_atof
#define sscanf polkavm_sscanf
#define vsscanf polkavm_vsscanf
#include "../../guest/polkavm_format.c"
#undef strtod
#undef strtof
#undef atof
#undef sscanf
#undef vsscanf

/* <stdio.h>'s snprintf (every directive) and the SDK's small polkavm_snprintf (no floating point). */
static int guest_snprintf(char *buf, size_t size, const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    int n = format_to_buffer(format_all, buf, size, f, ap);
    va_end(ap);
    return n;
}

static int small_snprintf(char *buf, size_t size, const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    int n = format_to_buffer(format, buf, size, f, ap);
    va_end(ap);
    return n;
}

#include "../softfloat/random.h"
static unsigned below(unsigned n) { return (unsigned)(next_random() % n); }

static double from_bits(uint64_t u) {
    double d;
    memcpy(&d, &u, 8);
    return d;
}
static uint64_t bits_of(double d) {
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

static long failures, checked;
static void failed(const char *what, const char *detail, const char *want, const char *got) {
    if (failures++ < 20) fprintf(stderr, "MISMATCH %s %s\n  host:  %s\n  guest: %s\n", what, detail, want, got);
}

#define OUT 4096

/* A random directive for conversion `c`: flags, maybe a width, maybe a precision up to `max_precision`. */
static void random_directive(char *out, const char *length, char c, int max_precision) {
    char *p = out;
    *p++ = '%';
    const char *flags = "-+ #0";
    for (int i = 0; i < 5; i++) {
        if (below(4) == 0) *p++ = flags[i];
    }
    if (below(2)) p += sprintf(p, "%u", below(3) == 0 ? below(40) : below(12));
    if (below(3)) p += sprintf(p, ".%u", below(4) == 0 ? below((unsigned)max_precision + 1) : below(20));
    p += sprintf(p, "%s%c", length, c);
    *p = 0;
}

/* A double worth formatting: random bits, short decimals, ties, subnormals, powers, extremes. */
static double random_double(void) {
    static const double specials[] = {0.0, -0.0, INFINITY, -INFINITY, NAN, DBL_MAX, DBL_MIN, DBL_TRUE_MIN, 1.0, 0.5, 2.5, 0.125,
                                      9.5, 0.05, 1e15, 1e16, 1e17, 1e22, 1e23, 123456789012345678.0, 0.1, 0.3, 9.999999, 99.5, 1e-5, 1e-4};
    switch (below(9)) {
    case 0: return specials[below(sizeof specials / sizeof specials[0])];
    case 1: return from_bits(next_random());
    case 2: return from_bits(next_random() >> (12 + below(52))); /* subnormal or tiny */
    case 3: { /* k / 10^j: short decimals, whose roundings sit near ties */
        double v = (double)(int64_t)(next_random() % 2000001) - 1000000.0;
        for (unsigned j = below(8); j > 0; j--) v /= 10.0;
        return v;
    }
    case 4: return ldexp((double)(next_random() % 1000) + 0.5, -(int)below(12)); /* exact ties in binary */
    case 5: return pow(10.0, (double)((int)below(640) - 320)) * (below(2) ? 1.0 : 9.999999999);
    case 6: return ldexp(1.0, (int)below(2100) - 1074);
    case 7: return (double)(next_random() >> below(64)) * (below(2) ? 1 : -1);
    default: return from_bits(next_random() & 0x7fffffffffffffffull) * (below(2) ? 1 : -1);
    }
}

static void check_doubles(long cases) {
    const char *conversions = "fFeEgGaA";
    char directive[64], want[OUT], got[OUT], detail[160];
    for (long i = 0; i < cases; i++) {
        double v = random_double();
        char c = conversions[below(8)];
        int max_precision = c == 'f' || c == 'F' ? 1100 : c == 'a' || c == 'A' ? 20 : 800;
        /* (%La: x87 long doubles print differently on x86-64 hosts; RISC-V formats them as doubles) */
        bool wide = below(10) == 0 && c != 'a' && c != 'A';
        random_directive(directive, wide ? "L" : "", c, max_precision);
        int n1, n2;
        if (wide) {
            n1 = snprintf(want, sizeof want, directive, (long double)v);
            n2 = guest_snprintf(got, sizeof got, directive, (long double)v);
        } else {
            n1 = snprintf(want, sizeof want, directive, v);
            n2 = guest_snprintf(got, sizeof got, directive, v);
        }
        checked++;
        /* glibc's one known departure from C: %#g whose rounding carries into a new leading digit
         * and so switches to exponential style keeps the fixed style's digit count ("1.e+02" for
         * %#.2g of 99.7, where C asks for "1.0e+02"). */
        bool glibc_carry = (c == 'g' || c == 'G') && strchr(directive, '#') && (strstr(want, ".e") || strstr(want, ".E"));
        if ((n1 != n2 || strcmp(want, got) != 0) && !glibc_carry) {
            snprintf(detail, sizeof detail, "\"%s\" of %a (bits 0x%016llx), returned %d/%d", directive, v, (unsigned long long)bits_of(v), n1, n2);
            failed("double", detail, want, got);
        }
    }
}

static void check_integers(long cases) {
    const char *conversions = "diuoxXbBcsp%";
    static const char *lengths[] = {"", "hh", "h", "l", "ll", "j", "z", "t"};
    static const char *strings[] = {"", "a", "hello", "PolkaVM guest", NULL};
    char directive[64], want[OUT], got[OUT], detail[160];
    for (long i = 0; i < cases; i++) {
        /* both printf engines: <stdio.h>'s and the small polkavm_snprintf */
        int (*guest)(char *, size_t, const char *, ...) = i & 1 ? small_snprintf : guest_snprintf;
        char c = conversions[below(12)];
        const char *length = c == 'c' || c == 's' || c == 'p' || c == '%' ? "" : lengths[below(8)];
        random_directive(directive, length, c, 30);
        uint64_t r = next_random() >> below(64);
        if (below(8) == 0) r = 0;
        int n1, n2;
        if (c == 's') {
            const char *text = strings[below(5)];
            if (text == NULL && strchr(directive, '.') == NULL) text = strings[2]; /* glibc's NULL rules differ by precision */
            n1 = snprintf(want, sizeof want, directive, text);
            n2 = guest(got, sizeof got, directive, text);
        } else if (c == 'p') {
            void *ptr = (void *)(uintptr_t)r;
            n1 = snprintf(want, sizeof want, directive, ptr);
            n2 = guest(got, sizeof got, directive, ptr);
        } else if (c == '%') {
            n1 = snprintf(want, sizeof want, "%%");
            n2 = guest(got, sizeof got, "%%");
            strcpy(directive, "%%");
        } else if (strcmp(length, "") == 0 || strcmp(length, "hh") == 0 || strcmp(length, "h") == 0) {
            n1 = snprintf(want, sizeof want, directive, (int)r);
            n2 = guest(got, sizeof got, directive, (int)r);
        } else {
            n1 = snprintf(want, sizeof want, directive, (long long)r);
            n2 = guest(got, sizeof got, directive, (long long)r);
        }
        checked++;
        if (n1 != n2 || strcmp(want, got) != 0) {
            snprintf(detail, sizeof detail, "\"%s\" of 0x%llx, returned %d/%d", directive, (unsigned long long)r, n1, n2);
            failed("integer", detail, want, got);
        }
    }
    /* * width and precision, %n, truncation, and text that is not a directive */
    int w = (int)below(20) - 10, p = (int)below(12) - 2;
    {
        int a = 0, b = 0;
        int n1 = snprintf(want, 7, "x%*.*dy%nz%%", w, p, 42, &a);
        int n2 = guest_snprintf(got, 7, "x%*.*dy%nz%%", w, p, 42, &b);
        checked++;
        if (n1 != n2 || a != b || strcmp(want, got) != 0) failed("star/n/truncation", "", want, got);
        /* the small engine writes a floating-point directive as it stands and skips its argument */
        n2 = small_snprintf(got, sizeof got, "<%-8.3f|%d|%Le|%s>", 2.5, 7, (long double)1, "x");
        checked++;
        if (n2 != (int)strlen("<%-8.3f|7|%Le|x>") || strcmp(got, "<%-8.3f|7|%Le|x>") != 0) failed("small engine, float directive", "", "<%-8.3f|7|%Le|x>", got);
    }
}

/* A numeral for strtod/strtof. */
static void random_numeral(char *out, size_t size) {
    static const char *words[] = {"inf", "-Infinity", "INFINITY", "nan", "-nan", "nan(123)", "nan(", "  +1e5x", ".5", "5.", "e5", "-.e1", "0x",
                                  "0x.p1", "0x1p", "1e", "1e+", "0x1.fffffffffffff8p1023", "0x1.fffffffffffff7ffp1023", "0x.00001p-1060",
                                  "1e-400", "1e400", "-0", "0.0000", "00012.500e-1", "2.4703282292062327e-324", "2.4703282292062328e-324",
                                  "1.7976931348623158e308", "1.7976931348623159e308", "\t\n 42", "+-1", "0x1P-1074", "0X1.8p+1"};
    double v = random_double();
    switch (below(8)) {
    case 0: snprintf(out, size, "%s", words[below(sizeof words / sizeof words[0])]); return;
    case 1: snprintf(out, size, "%.*e", (int)below(26), v); return;
    case 2: snprintf(out, size, "%.*g", (int)below(26), v); return;
    case 3: snprintf(out, size, "%a", v); return;
    case 4: { /* the exact midpoint between two neighbouring doubles, or just above or below it */
        if (!isfinite(v) || v == 0) v = 1.5;
        long double lo = fabs(v), hi = nextafter(fabs(v), INFINITY);
        long double mid = (lo + hi) / 2;
        int n = snprintf(out, size, "%.*Le", 760, mid);
        char *e = strchr(out, 'e');
        unsigned what = below(3);
        if (what != 0 && e != NULL && n + 2 < (int)size) {
            /* strip trailing zeros of the mantissa, then step up or down in the last digit */
            char *end = e;
            while (end[-1] == '0') end--;
            char exponent[16];
            snprintf(exponent, sizeof exponent, "%s", e);
            if (what == 1) {
                *end++ = '0';
                *end++ = '1';
            } else {
                char *d = end - 1;
                if (*d != '.' && *d > '0') (*d)--;
            }
            strcpy(end, exponent);
        }
        return;
    }
    case 5: { /* float-sized values and their float midpoints */
        float f = (float)v;
        if (!isfinite(f) || f == 0) f = 3.0f;
        double mid = ((double)fabsf(f) + (double)nextafterf(fabsf(f), INFINITY)) / 2;
        snprintf(out, size, "%.*e", (int)below(3) == 0 ? 120 : (int)below(12), below(2) ? mid : (double)f);
        return;
    }
    default: { /* random digits, point and exponent */
        char *p = out;
        if (below(3) == 0) *p++ = '-';
        unsigned digits = 1 + (below(6) == 0 ? below(900) : below(30));
        unsigned point = below(digits + 2);
        for (unsigned i = 0; i < digits && p < out + size - 16; i++) {
            if (i == point) *p++ = '.';
            *p++ = (char)('0' + (below(5) == 0 ? 0 : below(10)));
        }
        if (below(3)) p += sprintf(p, "e%d", (int)below(800) - 400);
        *p = 0;
        return;
    }
    }
}

static void check_parsing(long cases) {
    static char text[2048];
    char detail[2300], want[64], got[64];
    for (long i = 0; i < cases; i++) {
        random_numeral(text, sizeof text);
        char *end1, *end2;
        double d1 = strtod(text, &end1), d2 = polkavm_strtod(text, &end2);
        checked++;
        bool same = (isnan(d1) && isnan(d2) && signbit(d1) == signbit(d2)) || bits_of(d1) == bits_of(d2);
        if (!same || end1 != end2) {
            snprintf(detail, sizeof detail, "strtod(\"%.300s\")", text);
            snprintf(want, sizeof want, "%a end +%ld", d1, (long)(end1 - text));
            snprintf(got, sizeof got, "%a end +%ld", d2, (long)(end2 - text));
            failed("strtod", detail, want, got);
        }
        float f1 = strtof(text, &end1), f2 = polkavm_strtof(text, &end2);
        uint32_t u1, u2;
        memcpy(&u1, &f1, 4);
        memcpy(&u2, &f2, 4);
        checked++;
        if (!((isnan(f1) && isnan(f2) && signbit(f1) == signbit(f2)) || u1 == u2) || end1 != end2) {
            snprintf(detail, sizeof detail, "strtof(\"%.300s\")", text);
            snprintf(want, sizeof want, "%a end +%ld", (double)f1, (long)(end1 - text));
            snprintf(got, sizeof got, "%a end +%ld", (double)f2, (long)(end2 - text));
            failed("strtof", detail, want, got);
        }
    }
}

/* sscanf: the same return value and the same bytes stored, case by case. */
struct scanned {
    int i[3];
    long long ll;
    unsigned u;
    short h;
    signed char hh;
    double d;
    float f[2];
    char text[3][24];
    int n;
    void *p;
};
#define SCAN_CASE(input, format, ...)                                                                  \
    do {                                                                                             \
        struct scanned host, guest;                                                                  \
        memset(&host, 0x5a, sizeof host);                                                            \
        memset(&guest, 0x5a, sizeof guest);                                                          \
        int r1, r2;                                                                                  \
        {                                                                                            \
            struct scanned *X = &host;                                                               \
            r1 = sscanf(input, format, __VA_ARGS__);                                                 \
        }                                                                                            \
        {                                                                                            \
            struct scanned *X = &guest;                                                              \
            r2 = polkavm_sscanf(input, format, __VA_ARGS__);                                         \
        }                                                                                            \
        checked++;                                                                                   \
        if (r1 != r2 || memcmp(&host, &guest, sizeof host) != 0) {                                   \
            char detail[200], want[32], got[32];                                                     \
            snprintf(detail, sizeof detail, "sscanf(\"%s\", \"%s\")", input, format);                \
            snprintf(want, sizeof want, "returned %d", r1);                                          \
            snprintf(got, sizeof got, "returned %d", r2);                                            \
            failed("sscanf", detail, want, got);                                                     \
        }                                                                                            \
    } while (0)

static void check_scanning(void) {
    SCAN_CASE("42", "%d", &X->i[0]);
    SCAN_CASE("  -17 abc", "%d %s", &X->i[0], X->text[0]);
    SCAN_CASE("0x1F 017 19", "%i %i %i", &X->i[0], &X->i[1], &X->i[2]);
    SCAN_CASE("ff 777 12345678901234", "%x %o %lld", &X->i[0], &X->i[1], &X->ll);
    SCAN_CASE("3.25 -1e-3 0x1.8p1", "%lf %f %f", &X->d, &X->f[0], &X->f[1]);
    SCAN_CASE("inf nan", "%f %f", &X->f[0], &X->f[1]);
    SCAN_CASE("12345", "%3d%d", &X->i[0], &X->i[1]);
    SCAN_CASE("abc", "%d", &X->i[0]);
    SCAN_CASE("", "%d", &X->i[0]);
    SCAN_CASE("   ", "%d", &X->i[0]);
    SCAN_CASE("7 8", "%d%n %d", &X->i[0], &X->n, &X->i[1]);
    SCAN_CASE("key=value;rest", "%[^=]=%[a-z];%s", X->text[0], X->text[1], X->text[2]);
    SCAN_CASE("]x-y", "%[]x-]%s", X->text[0], X->text[1]);
    SCAN_CASE("hello world", "%5c%*c%s", X->text[0], X->text[1]);
    SCAN_CASE("ab", "%3c", X->text[0]);
    SCAN_CASE("1,2,,3", "%d,%d,%d", &X->i[0], &X->i[1], &X->i[2]);
    SCAN_CASE("100%", "%d%%", &X->i[0]);
    SCAN_CASE("5 -3 200", "%hhd %hd %u", &X->hh, &X->h, &X->u);
    SCAN_CASE("skip 9", "%*s %d", &X->i[0]);
    SCAN_CASE("12abc", "%d%s", &X->i[0], X->text[0]);
    /* (not "1.5e" with "%lf%s": glibc consumes the "e", this engine leaves it, see vsscanf) */
    SCAN_CASE("  x", " %c", X->text[0]);
    SCAN_CASE("  x", "%c", X->text[0]);
    SCAN_CASE("0x10 -0", "%p %d", &X->p, &X->i[0]);
    SCAN_CASE("12 34", "%d-%d", &X->i[0], &X->i[1]);
    SCAN_CASE("3.14159265358979323846264338327950288", "%lf", &X->d);
    SCAN_CASE("  +0x1.fffffffffffffp1023 4.9e-324", "%la %le", &X->d, &X->f[0]);
    SCAN_CASE("tabs\tand\nnewlines", "%s %s %s", X->text[0], X->text[1], X->text[2]);
}

int main(int argc, char **argv) {
    long cases = argc > 1 ? atol(argv[1]) : 200000;
    seed_random(argc > 2 ? argv[2] : NULL);
    check_doubles(cases);
    check_integers(cases / 2);
    check_parsing(cases / 2);
    check_scanning();
    printf("libc formatting and parsing: %ld checks, %ld mismatches\n", checked, failures);
    return failures == 0 ? 0 : 1;
}
