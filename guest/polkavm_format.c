/*
 * polkavm_format.c — formatted output (the printf family's engine) and decimal-to-binary conversion
 * (strtod, strtof, atof) for the guest C library. polkavm_libc.c includes it; tools/libc/check.c
 * compiles it natively and compares every result with the host's C library.
 *
 * Floating-point conversions are exact: a double is expanded to all of its decimal digits with big
 * integers before it is rounded (to nearest, ties to even, as glibc does), and strtod/strtof round the
 * exact value of their input. Nothing here uses floating-point arithmetic except the exact fast path
 * of the decimal parser, so the soft-float helpers are not pulled in by formatting alone.
 *
 * The includer provides memcpy and polkavm_write (for sinks that flush to a stream).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

size_t strnlen(const char *s, size_t max);

/* Formatting and parsing are not hot paths: this code is compiled for size. */
#ifdef __clang__
#pragma clang attribute push(__attribute__((minsize)), apply_to = function)
#endif

/* ---------------------------------------------------------------------------------------------- */
/* Output sinks.                                                                                    */

/* A formatting sink: a buffer, flushed to a stream when full (fd >= 0) or truncated (fd < 0). */
struct sink {
    char *buf;
    size_t size;
    size_t used;
    size_t total;
    int fd;
};

static void sink_put(struct sink *s, const char *p, size_t n) {
    s->total += n;
    while (n > 0) {
        if (s->used == s->size) {
            if (s->fd < 0) return;
            polkavm_write(s->fd, s->buf, s->used);
            s->used = 0;
        }
        size_t chunk = s->size - s->used < n ? s->size - s->used : n;
        memcpy(s->buf + s->used, p, chunk);
        s->used += chunk;
        p += chunk;
        n -= chunk;
    }
}

static void sink_char(struct sink *s, char c) {
    if (s->used < s->size) {
        s->buf[s->used++] = c;
        s->total++;
    } else {
        sink_put(s, &c, 1);
    }
}

static void sink_pad(struct sink *s, char c, size_t n) {
    while (n-- > 0) sink_char(s, c);
}

/* Writes the digits of `v` in `base` right-aligned so that they end at `end`; returns the first digit. */
static char *format_unsigned(char *end, uint64_t v, unsigned base, bool upper) {
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *p = end;
    do {
        *--p = digits[v % base];
        v /= base;
    } while (v != 0);
    return p;
}

/* ---------------------------------------------------------------------------------------------- */
/* Exact decimal expansion of a double.                                                             */

/* A non-negative integer in base 10^9, least significant limb first. The largest is a 53-bit
 * significand times 5^1074 (the smallest subnormal's fraction), just under 10^767: 86 limbs. */
#define DEC_LIMBS 88
#define DEC_BASE 1000000000u

struct decimal {
    uint32_t limb[DEC_LIMBS];
    int count;  /* limbs in use, at least 1 */
    int digits; /* decimal digits of the number (1 for zero) */
    int point;  /* decimal exponent of the most significant digit */
};

/* t / 10^9 and t % 10^9, for t < 2^32 * 10^9. A 32-bit target has no 64-bit division instruction,
 * so there the quotient comes from a multiplication by 2^64 / 10^9 (too small by at most one). */
static uint32_t divide_by_base(uint64_t t, uint32_t *remainder) {
#if UINTPTR_MAX > 0xffffffffu && !defined(POLKAVM_FORMAT_TEST_NARROW) /* (the narrow path is tested natively too) */
    uint64_t q = t / DEC_BASE;
#else
    const uint64_t inverse = 18446744073ull; /* floor(2^64 / 10^9) */
    uint64_t t0 = (uint32_t)t, t1 = t >> 32, i0 = (uint32_t)inverse, i1 = inverse >> 32;
    uint64_t low = t0 * i0, cross1 = t0 * i1, cross2 = t1 * i0;
    uint64_t middle = (low >> 32) + (uint32_t)cross1 + (uint32_t)cross2;
    uint64_t q = t1 * i1 + (cross1 >> 32) + (cross2 >> 32) + (middle >> 32);
    if (t - q * DEC_BASE >= DEC_BASE) q++;
#endif
    *remainder = (uint32_t)(t - q * DEC_BASE);
    return (uint32_t)q;
}

static void decimal_multiply(struct decimal *d, uint32_t factor) {
    uint32_t carry = 0;
    for (int i = 0; i < d->count; i++) {
        carry = divide_by_base((uint64_t)d->limb[i] * factor + carry, &d->limb[i]);
    }
    while (carry != 0) {
        uint32_t next = carry / DEC_BASE;
        d->limb[d->count++] = carry - next * DEC_BASE;
        carry = next;
    }
}

/* The decimal digit `i` places below the most significant one (0 outside the number). */
static int decimal_digit(const struct decimal *d, int i) {
    if (i < 0 || i >= d->digits) return 0;
    int from_bottom = d->digits - 1 - i;
    uint32_t v = d->limb[from_bottom / 9];
    for (int k = from_bottom % 9; k > 0; k--) v /= 10;
    return (int)(v % 10);
}

/* Expands |value| (the bits of a finite double) into d: value = digits * 10^(point - digits + 1). */
static void decimal_from_double(struct decimal *d, uint64_t bits) {
    int exponent = (int)((bits >> 52) & 0x7ff);
    uint64_t significand = bits & 0x000fffffffffffffull;
    if (exponent != 0) significand |= 1ull << 52;
    int e2 = exponent == 0 ? -1074 : exponent - 1075;
    d->limb[1] = divide_by_base(significand, &d->limb[0]); /* < 2^53 / 10^9: one limb */
    d->count = d->limb[1] != 0 ? 2 : 1;
    int fraction_digits = 0;
    if (significand == 0) {
        e2 = 0;
    } else if (e2 > 0) {
        for (; e2 >= 29; e2 -= 29) decimal_multiply(d, 1u << 29);
        if (e2 > 0) decimal_multiply(d, 1u << e2);
    } else {
        /* m * 2^-k = m * 5^k / 10^k */
        fraction_digits = -e2;
        int k = -e2;
        for (; k >= 13; k -= 13) decimal_multiply(d, 1220703125u); /* 5^13 */
        uint32_t rest = 1;
        while (k-- > 0) rest *= 5;
        if (rest != 1) decimal_multiply(d, rest);
    }
    uint32_t top = d->limb[d->count - 1];
    int top_digits = 1;
    while (top >= 10) {
        top /= 10;
        top_digits++;
    }
    d->digits = 9 * (d->count - 1) + top_digits;
    d->point = d->digits - 1 - fraction_digits;
}

/* The digits of a decimal rounded (to nearest, ties to even) to its first `keep` digits. */
struct rounded {
    const struct decimal *d;
    int keep;  /* digits kept from d; later ones are 0 */
    int bump;  /* index of the kept digit that rounding incremented, or -1 */
    bool one;  /* rounding carried out of every kept digit: the value is a single 1 at `point` */
    int point; /* decimal exponent of digit 0 */
};

static bool decimal_tail_nonzero(const struct decimal *d, int from) {
    for (int i = from; i < d->digits; i++) {
        if (decimal_digit(d, i) != 0) return true;
    }
    return false;
}

static void round_decimal(struct rounded *r, const struct decimal *d, int keep) {
    r->d = d;
    r->keep = keep;
    r->bump = -1;
    r->one = false;
    r->point = d->point;
    if (keep >= d->digits || keep < 0) return;
    int next = decimal_digit(d, keep);
    bool up = next > 5 || (next == 5 && (decimal_tail_nonzero(d, keep + 1) || (keep > 0 && (decimal_digit(d, keep - 1) & 1))));
    if (!up) return;
    int i = keep - 1;
    while (i >= 0 && decimal_digit(d, i) == 9) i--;
    if (i >= 0) {
        r->bump = i;
    } else {
        /* 99.9 -> 100, or a value below the last kept place rounding up to one unit of it */
        r->one = true;
        int unit = d->point - keep + 1;
        r->point = unit > d->point + 1 ? unit : d->point + 1;
    }
}

/* Digit `i` (decimal exponent r->point - i) of a rounded value. */
static int rounded_digit(const struct rounded *r, int i) {
    if (i < 0) return 0;
    if (r->one) return i == 0;
    if (i >= r->keep) return 0;
    if (r->bump >= 0 && i >= r->bump) return i == r->bump ? decimal_digit(r->d, i) + 1 : 0;
    return decimal_digit(r->d, i);
}

/* ---------------------------------------------------------------------------------------------- */
/* Binary rounding, shared by the parsers and the long double conversion.                          */

/*
 * Rounds (q + a little, if `sticky`) * 2^e to the nearest value of a binary format with `bits`
 * significand bits (including the implicit one) and normal exponents from `min_exponent`, ties to
 * even; returns the encoding without sign (the infinity's encoding on overflow). q must not be 0.
 */
static uint64_t round_to_binary(uint64_t q, int e, bool sticky, int bits, int min_exponent, uint64_t infinity) {
    while (!(q >> 63)) {
        q <<= 1;
        e--;
    }
    int top = e + 63; /* exponent of q's leading bit */
    if (top > 100000) return infinity;
    int kept = top >= min_exponent ? bits : bits - (min_exponent - top);
    if (kept < 0) return 0;
    uint64_t mantissa, rest, half;
    if (kept == 0) {
        mantissa = 0;
        rest = q;
        half = 1ull << 63;
    } else {
        int drop = 64 - kept;
        mantissa = q >> drop;
        rest = q & ((1ull << drop) - 1);
        half = 1ull << (drop - 1);
    }
    if (rest > half || (rest == half && (sticky || (mantissa & 1)))) mantissa++;
    uint64_t encoded;
    if (top >= min_exponent) {
        /* (biased exponent - 1) above the significand with its leading bit: a carry out of the
         * significand moves into the exponent. */
        encoded = ((uint64_t)(top - min_exponent) << (bits - 1)) + mantissa;
    } else {
        encoded = mantissa; /* subnormal; a carry makes it the smallest normal */
    }
    return encoded >= infinity ? infinity : encoded;
}

#define DOUBLE_INFINITY 0x7ff0000000000000ull
#define FLOAT_INFINITY 0x7f800000ull

#if __LDBL_MANT_DIG__ == 113
/* The bits of a long double (IEEE binary128: RISC-V's long double) rounded to a double. */
static uint64_t double_from_quad(uint64_t low, uint64_t high) {
    uint64_t sign = high & (1ull << 63);
    int exponent = (int)((high >> 48) & 0x7fff);
    uint64_t fraction_high = high & 0x0000ffffffffffffull;
    if (exponent == 0x7fff) {
        return sign | DOUBLE_INFINITY | ((fraction_high | low) != 0 ? 1ull << 51 : 0);
    }
    if (exponent == 0 && fraction_high == 0 && low == 0) return sign;
    /* the top 64 of the 113 significand bits, and whether any below them are set */
    uint64_t lead = exponent != 0 ? 1ull << 48 : 0;
    uint64_t q = (lead | fraction_high) << 15 | low >> 49;
    bool sticky = (low & ((1ull << 49) - 1)) != 0;
    int e = (exponent == 0 ? 1 : exponent) - 16383 - 112 + 49;
    if (q == 0) { /* a tiny binary128 subnormal: far below the double range */
        return sign;
    }
    return sign | round_to_binary(q, e, sticky, 53, -1022, DOUBLE_INFINITY);
}
#endif

/* ---------------------------------------------------------------------------------------------- */
/* printf conversions.                                                                              */

struct spec {
    bool left, plus, space, alt, zero;
    int width;
    int precision; /* -1 when not given */
    char conversion;
};

/* Pads to the width around a body of `length` bytes that follows `prefix`: spaces before (right
 * aligned) or zeros between prefix and body (the 0 flag); returns the padding still owed after the
 * body (left aligned). */
static size_t pad_before(struct sink *s, const struct spec *f, const char *prefix, size_t prefix_length, size_t length, bool zeros) {
    size_t total = prefix_length + length;
    size_t pad = (size_t)f->width > total ? (size_t)f->width - total : 0;
    if (!f->left && !(zeros && f->zero)) sink_pad(s, ' ', pad);
    sink_put(s, prefix, prefix_length);
    if (!f->left && zeros && f->zero) sink_pad(s, '0', pad);
    return f->left ? pad : 0;
}

static void format_integer(struct sink *s, const struct spec *f, uint64_t magnitude, bool negative) {
    char digits[64]; /* 64 binary digits at most */
    char c = f->conversion;
    unsigned base = c == 'o' ? 8 : (c == 'x' || c == 'X' || c == 'p') ? 16 : (c == 'b' || c == 'B') ? 2 : 10;
    char *text = format_unsigned(digits + sizeof digits, magnitude, base, c == 'X');
    size_t length = (size_t)(digits + sizeof digits - text);
    if (f->precision == 0 && magnitude == 0) length = 0;
    size_t zeros = f->precision > 0 && (size_t)f->precision > length ? (size_t)f->precision - length : 0;
    if (c == 'o' && f->alt && zeros == 0 && (length == 0 || text[0] != '0')) zeros = 1;
    char prefix[3] = {0, 0, 0};
    size_t prefix_length = 0;
    if (c == 'd' || c == 'i' || c == 'p') { /* (%p takes the sign flags too, as in glibc) */
        if (negative) prefix[prefix_length++] = '-';
        else if (f->plus) prefix[prefix_length++] = '+';
        else if (f->space) prefix[prefix_length++] = ' ';
    }
    if (((c == 'x' || c == 'X' || c == 'b' || c == 'B') && f->alt && magnitude != 0) || c == 'p') {
        prefix[prefix_length++] = '0';
        prefix[prefix_length++] = c == 'p' ? 'x' : c;
    }
    size_t after = pad_before(s, f, prefix, prefix_length, zeros + length, f->precision < 0);
    sink_pad(s, '0', zeros);
    sink_put(s, text + (size_t)(digits + sizeof digits - text) - length, length);
    sink_pad(s, ' ', after);
}

static void format_text(struct sink *s, const struct spec *f, const char *text, size_t length) {
    size_t after = pad_before(s, f, "", 0, length, false);
    sink_put(s, text, length);
    sink_pad(s, ' ', after);
}

/* %f and %e bodies of a rounded decimal. Returns the body's length when `s` is NULL. */
static size_t emit_fixed(struct sink *s, const struct rounded *r, int precision, bool point) {
    size_t n = 0;
    int integer_digits = r->point >= 0 ? r->point + 1 : 1;
    for (int i = 0; i < integer_digits; i++, n++) {
        if (s) sink_char(s, (char)('0' + (r->point >= 0 ? rounded_digit(r, i) : 0)));
    }
    if (point) {
        n++;
        if (s) sink_char(s, '.');
    }
    for (int j = 1; j <= precision; j++, n++) {
        if (s) sink_char(s, (char)('0' + rounded_digit(r, r->point + j)));
    }
    return n;
}

static size_t emit_exponential(struct sink *s, const struct rounded *r, int precision, bool point, int exponent, char e) {
    size_t n = 0;
    if (s) sink_char(s, (char)('0' + rounded_digit(r, 0)));
    n++;
    if (point) {
        n++;
        if (s) sink_char(s, '.');
    }
    for (int j = 1; j <= precision; j++, n++) {
        if (s) sink_char(s, (char)('0' + rounded_digit(r, j)));
    }
    char digits[8];
    unsigned magnitude = (unsigned)(exponent < 0 ? -exponent : exponent);
    char *text = format_unsigned(digits + sizeof digits, magnitude, 10, false);
    if (magnitude < 10) *--text = '0';
    *--text = exponent < 0 ? '-' : '+';
    *--text = e;
    size_t length = (size_t)(digits + sizeof digits - text);
    if (s) sink_put(s, text, length);
    return n + length;
}

/* %a: the significand in hexadecimal, rounded to `precision` digits (all needed ones if < 0). */
static void format_hex_float(struct sink *s, const struct spec *f, const char *sign, uint64_t bits) {
    bool upper = f->conversion == 'A';
    int exponent = (int)((bits >> 52) & 0x7ff);
    uint64_t fraction = bits & 0x000fffffffffffffull;
    uint64_t lead = exponent != 0 ? 1 : 0;
    int e = exponent == 0 ? (fraction == 0 ? 0 : -1022) : exponent - 1023;
    int precision = f->precision;
    if (precision < 0) {
        precision = 13;
        while (precision > 0 && ((fraction >> (4 * (13 - precision))) & 0xf) == 0) precision--;
    } else if (precision < 13) {
        int drop = 4 * (13 - precision);
        uint64_t rest = fraction & ((1ull << drop) - 1), half = 1ull << (drop - 1);
        uint64_t kept = (lead << 52 | fraction) >> drop;
        if (rest > half || (rest == half && (kept & 1))) kept++;
        lead = kept >> (52 - drop);
        fraction = (kept << drop) & 0x000fffffffffffffull;
    }
    char body[48];
    size_t n = 0;
    body[n++] = (char)('0' + lead);
    if (precision > 0 || f->alt) body[n++] = '.';
    const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    for (int i = 0; i < precision; i++) body[n++] = i < 13 ? hex[(fraction >> (48 - 4 * i)) & 0xf] : '0';
    body[n++] = upper ? 'P' : 'p';
    body[n++] = e < 0 ? '-' : '+';
    char digits[8];
    char *text = format_unsigned(digits + sizeof digits, (uint64_t)(e < 0 ? -e : e), 10, false);
    size_t elength = (size_t)(digits + sizeof digits - text);
    char prefix[3] = {sign[0], '0', upper ? 'X' : 'x'};
    size_t prefix_length = sign[0] != 0 ? 3 : 2;
    const char *p = sign[0] != 0 ? prefix : prefix + 1;
    size_t after = pad_before(s, f, p, prefix_length, n + elength, true);
    sink_put(s, body, n);
    sink_put(s, text, elength);
    sink_pad(s, ' ', after);
}

static void format_double(struct sink *s, const struct spec *f, uint64_t bits) {
    char c = f->conversion;
    bool upper = c == 'F' || c == 'E' || c == 'G' || c == 'A';
    char sign[2] = {0, 0};
    if (bits >> 63) sign[0] = '-';
    else if (f->plus) sign[0] = '+';
    else if (f->space) sign[0] = ' ';
    size_t sign_length = sign[0] != 0 ? 1 : 0;
    bits &= ~(1ull << 63);
    if (bits >= DOUBLE_INFINITY) {
        const char *word = bits == DOUBLE_INFINITY ? (upper ? "INF" : "inf") : (upper ? "NAN" : "nan");
        size_t after = pad_before(s, f, sign, sign_length, 3, false);
        sink_put(s, word, 3);
        sink_pad(s, ' ', after);
        return;
    }
    if (c == 'a' || c == 'A') {
        format_hex_float(s, f, sign, bits);
        return;
    }
    struct decimal d;
    decimal_from_double(&d, bits);
    int precision = f->precision < 0 ? 6 : f->precision;
    struct rounded r;
    bool fixed = c == 'f' || c == 'F';
    bool strip = false;
    if (c == 'g' || c == 'G') {
        if (precision == 0) precision = 1;
        round_decimal(&r, &d, precision);
        int x = bits == 0 ? 0 : r.point;
        if (precision > x && x >= -4) {
            fixed = true;
            precision = precision - 1 - x;
        } else {
            precision = precision - 1;
        }
        strip = !f->alt;
    }
    if (fixed) round_decimal(&r, &d, bits == 0 ? 0 : d.point + 1 + precision);
    else round_decimal(&r, &d, precision + 1);
    int exponent = bits == 0 ? 0 : r.point;
    if (bits == 0) r.point = 0;
    if (strip) {
        /* %g drops trailing zeros of the fraction, and the point with them */
        int first = fixed ? r.point + 1 : 1;
        while (precision > 0 && rounded_digit(&r, first + precision - 1) == 0) precision--;
    }
    bool point = precision > 0 || f->alt;
    char e = upper ? 'E' : 'e';
    size_t length = fixed ? emit_fixed(NULL, &r, precision, point) : emit_exponential(NULL, &r, precision, point, exponent, e);
    size_t after = pad_before(s, f, sign, sign_length, length, true);
    if (fixed) emit_fixed(s, &r, precision, point);
    else emit_exponential(s, &r, precision, point, exponent, e);
    sink_pad(s, ' ', after);
}

/* The printf engine: %d %i %u %o %x %X %b %B %c %s %p %n %% and, with `floats`, %f %F %e %E %g %G
 * %a %A; the flags - + space # 0, a width and a precision (either may be *), and the length modifiers
 * hh h l ll j z t L (a long double is rounded to double first). Without `floats` (the SDK's small
 * polkavm_printf, which spares programs the floating-point code) a floating-point directive is
 * written as it stands and its argument skipped. */
static inline __attribute__((always_inline)) void format_engine(struct sink *s, const char *f, va_list ap, bool floats) {
    while (*f != 0) {
        if (*f != '%') {
            const char *start = f;
            while (*f != 0 && *f != '%') f++;
            sink_put(s, start, (size_t)(f - start));
            continue;
        }
        const char *directive = f++;
        struct spec spec = {false, false, false, false, false, 0, -1, 0};
        for (;; f++) {
            if (*f == '-') spec.left = true;
            else if (*f == '+') spec.plus = true;
            else if (*f == ' ') spec.space = true;
            else if (*f == '#') spec.alt = true;
            else if (*f == '0') spec.zero = true;
            else if (*f != '\'') break;
        }
        if (*f == '*') {
            f++;
            int width = va_arg(ap, int);
            if (width < 0) {
                spec.left = true;
                width = width < -0x7fffffff ? 0x7fffffff : -width;
            }
            spec.width = width;
        } else {
            while (*f >= '0' && *f <= '9') spec.width = spec.width * 10 + (*f++ - '0');
        }
        if (*f == '.') {
            f++;
            if (*f == '*') {
                f++;
                int precision = va_arg(ap, int);
                spec.precision = precision < 0 ? -1 : precision;
            } else {
                spec.precision = 0;
                while (*f >= '0' && *f <= '9') spec.precision = spec.precision * 10 + (*f++ - '0');
            }
        }
        int length = 0; /* -2 hh, -1 h, 0 int, 1 long, 2 long long, 3 long double */
        for (;; f++) {
            if (*f == 'h') length--;
            else if (*f == 'l') length++;
            else if (*f == 'z' || *f == 't') length = sizeof(size_t) == 8 ? 2 : 0;
            else if (*f == 'j' || *f == 'q') length = 2;
            else if (*f == 'L') length = 3;
            else break;
        }
        if (sizeof(long) == 8 && length == 1) length = 2;
        spec.conversion = *f;
        if (spec.conversion == 0) {
            sink_put(s, directive, (size_t)(f - directive));
            break;
        }
        f++;
        switch (spec.conversion) {
        case 'd':
        case 'i': {
            int64_t v = length >= 2 ? va_arg(ap, long long) : length == 1 ? va_arg(ap, long) : va_arg(ap, int);
            if (length == -1) v = (short)v;
            if (length <= -2) v = (signed char)v;
            format_integer(s, &spec, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0);
            break;
        }
        case 'u':
        case 'o':
        case 'x':
        case 'X':
        case 'b':
        case 'B': {
            uint64_t v = length >= 2 ? va_arg(ap, unsigned long long) : length == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
            if (length == -1) v = (unsigned short)v;
            if (length <= -2) v = (unsigned char)v;
            format_integer(s, &spec, v, false);
            break;
        }
        case 'p': {
            uintptr_t v = (uintptr_t)va_arg(ap, void *);
            if (v == 0) {
                format_text(s, &spec, "(nil)", 5);
            } else {
                format_integer(s, &spec, v, false);
            }
            break;
        }
        case 'c': {
            char ch = (char)va_arg(ap, int);
            format_text(s, &spec, &ch, 1);
            break;
        }
        case 's': {
            const char *text = va_arg(ap, const char *);
            if (text == NULL) text = spec.precision < 0 || spec.precision >= 6 ? "(null)" : "";
            format_text(s, &spec, text, strnlen(text, spec.precision < 0 ? (size_t)-1 : (size_t)spec.precision));
            break;
        }
        case 'f':
        case 'F':
        case 'e':
        case 'E':
        case 'g':
        case 'G':
        case 'a':
        case 'A': {
            union {
                double d;
                uint64_t u;
            } value = {0};
            if (length == 3) {
                union {
                    long double ld;
                    uint64_t w[2];
                } wide;
                wide.ld = va_arg(ap, long double);
                if (floats) {
#if __LDBL_MANT_DIG__ == 113
                    value.u = double_from_quad(wide.w[0], wide.w[1]);
#elif __LDBL_MANT_DIG__ == 53
                    value.u = wide.w[0];
#else /* x87 extended precision: only in native tests of this file */
                    value.d = (double)wide.ld;
#endif
                }
            } else {
                value.d = va_arg(ap, double);
            }
            if (floats) format_double(s, &spec, value.u);
            else sink_put(s, directive, (size_t)(f - directive));
            break;
        }
        case 'n': {
            void *target = va_arg(ap, void *);
            size_t n = s->total;
            if (length <= -2) *(signed char *)target = (signed char)n;
            else if (length == -1) *(short *)target = (short)n;
            else if (length == 0) *(int *)target = (int)n;
            else if (length == 1) *(long *)target = (long)n;
            else *(long long *)target = (long long)n;
            break;
        }
        case '%':
            sink_char(s, '%');
            break;
        default:
            /* not a conversion: written as it stands */
            sink_put(s, directive, (size_t)(f - directive));
            break;
        }
    }
}

/* Integers, characters and strings: polkavm_printf and polkavm_snprintf. */
static void format(struct sink *s, const char *f, va_list ap) { format_engine(s, f, ap, false); }

/* All of C's conversions: the <stdio.h> functions. */
static void format_all(struct sink *s, const char *f, va_list ap) { format_engine(s, f, ap, true); }

/* The printf family's two destinations, for either engine: a buffer (truncated, NUL-terminated if
 * `size` > 0; the result is the full length, as snprintf's) and a stream (through a 128-byte buffer;
 * the result is the bytes written). */
typedef void (*format_engine_function)(struct sink *, const char *, va_list);

static int format_to_buffer(format_engine_function engine, char *buf, size_t size, const char *f, va_list ap) {
    struct sink s = {buf, size > 0 ? size - 1 : 0, 0, 0, -1};
    engine(&s, f, ap);
    if (size > 0) buf[s.used] = 0;
    return (int)s.total;
}

static __attribute__((unused)) int format_to_stream(format_engine_function engine, int fd, const char *f, va_list ap) {
    char buf[128];
    struct sink s = {buf, sizeof buf, 0, 0, fd};
    engine(&s, f, ap);
    if (s.used > 0) polkavm_write(fd, buf, s.used);
    return (int)s.total;
}

/* ---------------------------------------------------------------------------------------------- */
/* strtod, strtof: decimal and hexadecimal text to the nearest double or float.                    */

/* A non-negative integer in base 2^32, least significant limb first: up to 800 decimal digits times
 * 10^1150, or the same digits shifted into place for the division (about 3,900 bits). */
#define BIN_LIMBS 128
struct binary {
    uint32_t limb[BIN_LIMBS];
    int count;
};

static void binary_multiply_add(struct binary *b, uint32_t factor, uint32_t addend) {
    uint64_t carry = addend;
    for (int i = 0; i < b->count; i++) {
        uint64_t t = (uint64_t)b->limb[i] * factor + carry;
        b->limb[i] = (uint32_t)t;
        carry = t >> 32;
    }
    if (carry != 0) b->limb[b->count++] = (uint32_t)carry;
}

static void binary_multiply_pow10(struct binary *b, int k) {
    for (; k >= 9; k -= 9) binary_multiply_add(b, 1000000000u, 0);
    uint32_t rest = 1;
    while (k-- > 0) rest *= 10;
    if (rest != 1) binary_multiply_add(b, rest, 0);
}

static int binary_bit_length(const struct binary *b) {
    if (b->count == 0) return 0;
    uint32_t top = b->limb[b->count - 1];
    int n = 0;
    while (top != 0) {
        top >>= 1;
        n++;
    }
    return 32 * (b->count - 1) + n;
}

static void binary_shift_left(struct binary *b, int shift) {
    int words = shift / 32, bits = shift % 32;
    int count = b->count + words + 1;
    for (int i = count - 1; i >= 0; i--) {
        int from = i - words;
        uint32_t high = from >= 0 && from < b->count ? b->limb[from] : 0;
        uint32_t low = from - 1 >= 0 && from - 1 < b->count ? b->limb[from - 1] : 0;
        b->limb[i] = bits == 0 ? high : high << bits | low >> (32 - bits);
    }
    b->count = count;
    while (b->count > 0 && b->limb[b->count - 1] == 0) b->count--;
}

static void binary_shift_right_one(struct binary *b) {
    for (int i = 0; i < b->count; i++) {
        uint32_t next = i + 1 < b->count ? b->limb[i + 1] : 0;
        b->limb[i] = b->limb[i] >> 1 | next << 31;
    }
    while (b->count > 0 && b->limb[b->count - 1] == 0) b->count--;
}

static int binary_compare(const struct binary *a, const struct binary *b) {
    if (a->count != b->count) return a->count < b->count ? -1 : 1;
    for (int i = a->count - 1; i >= 0; i--) {
        if (a->limb[i] != b->limb[i]) return a->limb[i] < b->limb[i] ? -1 : 1;
    }
    return 0;
}

static void binary_subtract(struct binary *a, const struct binary *b) {
    uint64_t borrow = 0;
    for (int i = 0; i < a->count; i++) {
        uint64_t t = (uint64_t)a->limb[i] - (i < b->count ? b->limb[i] : 0) - borrow;
        a->limb[i] = (uint32_t)t;
        borrow = (t >> 32) & 1;
    }
    while (a->count > 0 && a->limb[a->count - 1] == 0) a->count--;
}

/* The top 64 bits of b (b != 0) and the exponent of their lowest; *sticky |= any bit below them. */
static uint64_t binary_top(const struct binary *b, int *exponent, bool *sticky) {
    int length = binary_bit_length(b);
    int low = length > 64 ? length - 64 : 0;
    uint64_t q = 0;
    for (int i = 63; i >= 0; i--) {
        int bit = low + i;
        if (bit < length) q |= (uint64_t)((b->limb[bit / 32] >> (bit % 32)) & 1) << i;
    }
    for (int bit = 0; bit < low && !*sticky; bit++) {
        if ((b->limb[bit / 32] >> (bit % 32)) & 1) *sticky = true;
    }
    *exponent = low;
    return q;
}

/* Significant decimal digits kept: enough that any halfway point between doubles (at most 767
 * significant digits) is decided by them; later nonzero digits only make the value "above". */
#define MAX_DIGITS 800

/* The nearest binary value to digits * 10^e10 (digits: `count` ASCII digits, no leading zeros;
 * `sticky` if nonzero digits were dropped after them), as round_to_binary encodes it. */
static uint64_t decimal_to_binary(const char *digits, int count, int e10, bool sticky, int bits, int min_exponent, uint64_t infinity) {
    if (count == 0) return 0;
    /* value < 10^(count + e10): beyond the range of a double (and so of a float) on either side */
    if (count + e10 > 311) return infinity;
    if (count + e10 < -326) return 0;
    static struct binary a, b; /* 512 bytes each: kept off the guest's small stack */
    a.count = 0;
    for (int i = 0; i < count;) {
        uint32_t chunk = 0, scale = 1;
        for (int j = 0; j < 9 && i < count; j++, i++) {
            chunk = chunk * 10 + (uint32_t)(digits[i] - '0');
            scale *= 10;
        }
        binary_multiply_add(&a, scale, chunk);
    }
    if (a.count == 0) return 0;
    int e2;
    uint64_t q;
    if (e10 >= 0) {
        binary_multiply_pow10(&a, e10);
        q = binary_top(&a, &e2, &sticky);
    } else {
        /* q = floor(a * 2^s / 10^-e10) with 63 or 64 bits; the remainder is sticky */
        b.count = 1;
        b.limb[0] = 1;
        binary_multiply_pow10(&b, -e10);
        int s = 63 + binary_bit_length(&b) - binary_bit_length(&a);
        if (s > 0) binary_shift_left(&a, s);
        else if (s < 0) binary_shift_left(&b, -s);
        binary_shift_left(&b, 63);
        q = 0;
        for (int i = 63; i >= 0; i--) {
            if (binary_compare(&a, &b) >= 0) {
                binary_subtract(&a, &b);
                q |= 1ull << i;
            }
            binary_shift_right_one(&b);
        }
        if (a.count != 0) sticky = true;
        e2 = -s;
    }
    return round_to_binary(q, e2, sticky, bits, min_exponent, infinity);
}

static bool is_digit(int c) { return c >= '0' && c <= '9'; }
static int hex_value(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* An exponent part at p ('e' or 'p' in either case, an optional sign, digits; the value capped at
 * 100000) added to *exponent; returns where it ends, or p when there is none. */
static const char *parse_exponent(const char *p, char marker, int *exponent) {
    if ((*p | 0x20) != marker) return p;
    const char *q = p + 1;
    bool negative = false;
    if (*q == '+' || *q == '-') negative = *q++ == '-';
    if (!is_digit(*q)) return p;
    int value = 0;
    for (; is_digit(*q); q++) {
        if (value < 100000) value = value * 10 + (*q - '0');
    }
    *exponent += negative ? -value : value;
    return q;
}

/* Case-insensitive prefix test against a lowercase word. */
static bool starts_with_word(const char *p, const char *word) {
    for (; *word != 0; p++, word++) {
        if ((*p | 0x20) != *word) return false;
    }
    return true;
}

/* Parses a floating-point number as strtod does and returns its nearest value in the format
 * (`bits` significand bits, normal exponents from `min_exponent`), sign included at bit `sign_bit`. */
static uint64_t parse_float(const char *s, char **end, int bits, int min_exponent, uint64_t infinity, int sign_bit) {
    const char *p = s;
    while (*p == ' ' || (*p >= '\t' && *p <= '\r')) p++;
    uint64_t sign = 0;
    if (*p == '+' || *p == '-') sign = *p++ == '-' ? 1ull << sign_bit : 0;
    if (starts_with_word(p, "inf")) {
        p += starts_with_word(p, "infinity") ? 8 : 3;
        if (end) *end = (char *)p;
        return sign | infinity;
    }
    if (starts_with_word(p, "nan")) {
        p += 3;
        if (*p == '(') {
            const char *q = p + 1;
            while (is_digit(*q) || ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z') || *q == '_') q++;
            if (*q == ')') p = q + 1;
        }
        if (end) *end = (char *)p;
        return sign | infinity | 1ull << (bits - 2); /* the quiet NaN */
    }
    if (p[0] == '0' && (p[1] | 0x20) == 'x' && (hex_value(p[2]) >= 0 || (p[2] == '.' && hex_value(p[3]) >= 0))) {
        p += 2;
        uint64_t q = 0;
        int e2 = 0;
        bool sticky = false;
        for (bool fraction = false;; p++) {
            if (*p == '.' && !fraction) {
                fraction = true;
                continue;
            }
            int v = hex_value(*p);
            if (v < 0) break;
            if (q >> 60) {
                if (v != 0) sticky = true;
                if (!fraction) e2 += 4;
            } else {
                q = q << 4 | (uint64_t)v;
                if (fraction) e2 -= 4;
            }
        }
        p = parse_exponent(p, 'p', &e2);
        if (end) *end = (char *)p;
        if (q == 0) return sign;
        return sign | round_to_binary(q, e2, sticky, bits, min_exponent, infinity);
    }
    static char digits[MAX_DIGITS];
    int count = 0, e10 = 0;
    bool sticky = false, any = false, fraction = false;
    for (;; p++) {
        if (*p == '.' && !fraction) {
            fraction = true;
            continue;
        }
        if (!is_digit(*p)) break;
        any = true;
        if (*p == '0' && count == 0) {
            if (fraction) e10--;
            continue;
        }
        if (count < MAX_DIGITS) {
            digits[count++] = *p;
            if (fraction) e10--;
        } else {
            if (*p != '0') sticky = true;
            if (!fraction) e10++;
        }
    }
    if (!any) {
        if (end) *end = (char *)s;
        return 0;
    }
    p = parse_exponent(p, 'e', &e10);
    if (end) *end = (char *)p;
    return sign | decimal_to_binary(digits, count, e10, sticky, bits, min_exponent, infinity);
}

double strtod(const char *__restrict s, char **__restrict end) {
    union {
        uint64_t u;
        double d;
    } v = {parse_float(s, end, 53, -1022, DOUBLE_INFINITY, 63)};
    return v.d;
}

float strtof(const char *__restrict s, char **__restrict end) {
    union {
        uint32_t u;
        float f;
    } v = {(uint32_t)parse_float(s, end, 24, -126, FLOAT_INFINITY, 31)};
    return v.f;
}

double atof(const char *s) { return strtod(s, NULL); }

/* ---------------------------------------------------------------------------------------------- */
/* sscanf.                                                                                          */

unsigned long long strtoull(const char *__restrict s, char **__restrict end, int base);

static bool scan_space(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* Stores an integer through the pointer for the length modifier (-2 hh, -1 h, 0 int, 1 long, 2 long long). */
static void scan_store_integer(void *p, int length, unsigned long long v) {
    if (length <= -2) *(signed char *)p = (signed char)v;
    else if (length == -1) *(short *)p = (short)v;
    else if (length == 0) *(int *)p = (int)v;
    else if (length == 1) *(long *)p = (long)v;
    else *(long long *)p = (long long)v;
}

/* The scanf engine over a string: whitespace in the format skips any in the input, other characters
 * must match; %d %i %u %o %x %X %p (through strtoull's rules), %f %e %g %a and their capitals (float,
 * or double with l), %s %c %[set] (ranges and ^ included) and %n, with * (no assignment), a maximum
 * width and the length modifiers hh h l ll j z t. %L (long double) is not supported: it stops the scan.
 * A number ends where strtod/strtoull stop ("1.5e" leaves the "e"; glibc, which can push back only one
 * character, consumes it). Returns the number of assignments, or EOF (-1) if the input ended before
 * the first conversion. */
int vsscanf(const char *__restrict input, const char *__restrict f, va_list ap) {
    const char *s = input;
    int assigned = 0;
    bool converted = false;
    while (*f != 0) {
        if (scan_space(*f)) {
            while (scan_space(*f)) f++;
            while (scan_space(*s)) s++;
            continue;
        }
        if (*f != '%' || f[1] == '%') {
            if (*f == '%') {
                f++;
                while (scan_space(*s)) s++;
            }
            if (*s == 0) return converted ? assigned : -1;
            if (*s != *f) return assigned;
            s++;
            f++;
            continue;
        }
        f++;
        bool suppress = *f == '*';
        if (suppress) f++;
        size_t width = 0;
        while (*f >= '0' && *f <= '9') width = width * 10 + (size_t)(*f++ - '0');
        int length = 0;
        for (;; f++) {
            if (*f == 'h') length--;
            else if (*f == 'l') length++;
            else if (*f == 'j' || *f == 'q') length = 2;
            else if (*f == 'z' || *f == 't') length = sizeof(size_t) == 8 ? 2 : 0;
            else if (*f == 'L') length = 3;
            else break;
        }
        if (sizeof(long) == 8 && length == 1) length = 2;
        char c = *f++;
        if (c == 0 || length == 3) return assigned;
        if (c == 'n') {
            if (!suppress) scan_store_integer(va_arg(ap, void *), length, (unsigned long long)(s - input));
            continue;
        }
        if (c != 'c' && c != '[') {
            while (scan_space(*s)) s++;
        }
        if (*s == 0) return converted ? assigned : -1;
        switch (c) {
        case 'd':
        case 'i':
        case 'u':
        case 'o':
        case 'x':
        case 'X':
        case 'p':
        case 'f':
        case 'F':
        case 'e':
        case 'E':
        case 'g':
        case 'G':
        case 'a':
        case 'A': {
            /* A width limits the characters the number may take: parse a copy of that many. */
            static char field[512];
            const char *source = s;
            if (width > 0) {
                size_t n = 0;
                while (n < width && n < sizeof field - 1 && s[n] != 0) {
                    field[n] = s[n];
                    n++;
                }
                field[n] = 0;
                source = field;
            }
            char *end;
            bool is_float = !(c == 'd' || c == 'i' || c == 'u' || c == 'o' || c == 'x' || c == 'X' || c == 'p');
            if (is_float) {
                bool wide = length >= 1;
                uint64_t bits = wide ? parse_float(source, &end, 53, -1022, DOUBLE_INFINITY, 63)
                                     : parse_float(source, &end, 24, -126, FLOAT_INFINITY, 31);
                if (end == source) return assigned;
                if (!suppress) {
                    void *p = va_arg(ap, void *);
                    if (wide) memcpy(p, &bits, 8);
                    else {
                        uint32_t narrow = (uint32_t)bits;
                        memcpy(p, &narrow, 4);
                    }
                }
            } else {
                int base = c == 'd' || c == 'u' ? 10 : c == 'i' ? 0 : c == 'o' ? 8 : 16;
                unsigned long long v = strtoull(source, &end, base);
                if (end == source) return assigned;
                if (!suppress) {
                    if (c == 'p') *(void **)va_arg(ap, void *) = (void *)(uintptr_t)v;
                    else scan_store_integer(va_arg(ap, void *), length, v);
                }
            }
            s += end - source;
            break;
        }
        case 's':
        case 'c':
        case '[': {
            /* %[: the set, with ^ for its complement, a leading ] as a member, and a-z ranges */
            const char *set = f;
            bool negate = false;
            if (c == '[') {
                if (*f == '^') {
                    negate = true;
                    f++;
                    set = f;
                }
                if (*f == ']') f++;
                while (*f != 0 && *f != ']') f++;
                if (*f == 0) return assigned;
                f++;
            }
            size_t limit = width > 0 ? width : c == 'c' ? 1 : (size_t)-1;
            char *out = suppress ? NULL : va_arg(ap, char *);
            size_t n = 0;
            while (n < limit && s[n] != 0) {
                unsigned char ch = (unsigned char)s[n];
                if (c == 's' && scan_space(ch)) break;
                if (c == '[') {
                    bool member = false;
                    for (const char *q = set; q < f - 1; q++) {
                        if (q != set && *q == '-' && q + 1 < f - 1) {
                            if (ch >= (unsigned char)q[-1] && ch <= (unsigned char)q[1]) member = true;
                        } else if ((unsigned char)*q == ch) {
                            member = true;
                        }
                    }
                    if (member == negate) break;
                }
                if (out) out[n] = (char)ch;
                n++;
            }
            /* (%5c at the end of the input takes what there is, as glibc does) */
            if (n == 0) return s[0] == 0 && !converted ? -1 : assigned;
            if (out && c != 'c') out[n] = 0;
            s += n;
            break;
        }
        default:
            return assigned;
        }
        converted = true;
        if (!suppress) assigned++;
    }
    return assigned;
}

int sscanf(const char *__restrict input, const char *__restrict f, ...) {
    va_list ap;
    va_start(ap, f);
    int n = vsscanf(input, f, ap);
    va_end(ap);
    return n;
}

#ifdef __clang__
#pragma clang attribute pop
#endif
