/*
 * polkavm_libc.c — the freestanding C library of the PolkaVM guest SDK (see polkavm.h).
 *
 * `polkavm build` compiles this file with every program (with -fno-builtin, so that clang cannot turn
 * the loops below back into calls to memcpy/memset). Functions a program does not use are removed by
 * the linker's dead-code elimination.
 */
#define POLKAVM_NO_BUILTIN_MACROS
#include "polkavm.h"

#include <stdarg.h>
#include <stdbool.h>

/* ---------------------------------------------------------------------------------------------- */
/* Memory and strings.                                                                              */

void *memcpy(void *__restrict dst, const void *__restrict src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    /* Word copies when both pointers share alignment. */
    if ((((uintptr_t)d ^ (uintptr_t)s) & (sizeof(uintptr_t) - 1)) == 0) {
        while (n > 0 && ((uintptr_t)d & (sizeof(uintptr_t) - 1)) != 0) {
            *d++ = *s++;
            n--;
        }
        while (n >= sizeof(uintptr_t)) {
            *(uintptr_t *)(void *)d = *(const uintptr_t *)(const void *)s;
            d += sizeof(uintptr_t);
            s += sizeof(uintptr_t);
            n -= sizeof(uintptr_t);
        }
    }
    while (n > 0) {
        *d++ = *s++;
        n--;
    }
    return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d == s || n == 0) return dst;
    if (d < s || d >= s + n) return memcpy(dst, src, n);
    /* Overlapping with dst above src: copy backwards. */
    while (n > 0) {
        n--;
        d[n] = s[n];
    }
    return dst;
}

void *memset(void *dst, int c, size_t n) {
#ifdef POLKAVM_NO_MEMSET_INSTRUCTION
    unsigned char *d = dst;
    while (n > 0) {
        *d++ = (unsigned char)c;
        n--;
    }
#else
    /* PolkaVM's `memset`: writes a1 to [a0, a0 + a2), advancing a0 and counting a2 down. */
    register uintptr_t a0 __asm__("a0") = (uintptr_t)dst;
    register uintptr_t a1 __asm__("a1") = (unsigned char)c;
    register uintptr_t a2 __asm__("a2") = n;
    __asm__ volatile(".insn r 0x0b, 2, 0, x0, x0, x0" : "+r"(a0), "+r"(a2) : "r"(a1) : "memory");
#endif
    return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}

size_t strlen(const char *s) {
    size_t n = 0;
    while (s[n] != 0) n++;
    return n;
}

int strcmp(const char *a, const char *b) {
    while (*a != 0 && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

/* ---------------------------------------------------------------------------------------------- */
/* Compiler support routines. On rv32, clang lowers 64-bit division and remainder to these calls     */
/* (multiplication and shifts are inline). They follow the RISC-V M semantics for the cases C leaves */
/* undefined: x / 0 = all ones, x % 0 = x, INT64_MIN / -1 = INT64_MIN, INT64_MIN % -1 = 0.           */

#if __riscv_xlen == 32
/* 64-bit values as 32-bit halves; the shift and multiply helpers below use only 32-bit operations
 * (at -Oz clang may call them instead of inlining 64-bit shifts and multiplications). */
typedef union {
    uint64_t all;
    struct {
        uint32_t low, high;
    } s;
} polkavm_dword;

uint64_t __ashldi3(uint64_t a, int b) {
    polkavm_dword x = {a}, r;
    if (b & 32) {
        r.s.low = 0;
        r.s.high = x.s.low << (b & 31);
    } else if (b == 0) {
        return a;
    } else {
        r.s.low = x.s.low << b;
        r.s.high = (x.s.high << b) | (x.s.low >> (32 - b));
    }
    return r.all;
}

uint64_t __lshrdi3(uint64_t a, int b) {
    polkavm_dword x = {a}, r;
    if (b & 32) {
        r.s.high = 0;
        r.s.low = x.s.high >> (b & 31);
    } else if (b == 0) {
        return a;
    } else {
        r.s.high = x.s.high >> b;
        r.s.low = (x.s.low >> b) | (x.s.high << (32 - b));
    }
    return r.all;
}

int64_t __ashrdi3(int64_t a, int b) {
    polkavm_dword x = {(uint64_t)a}, r;
    if (b & 32) {
        r.s.high = (uint32_t)((int32_t)x.s.high >> 31);
        r.s.low = (uint32_t)((int32_t)x.s.high >> (b & 31));
    } else if (b == 0) {
        return a;
    } else {
        r.s.high = (uint32_t)((int32_t)x.s.high >> b);
        r.s.low = (x.s.low >> b) | (x.s.high << (32 - b));
    }
    return (int64_t)r.all;
}

uint64_t __muldi3(uint64_t a, uint64_t b) {
    polkavm_dword x = {a}, y = {b}, r;
    r.s.low = x.s.low * y.s.low;
    r.s.high = (uint32_t)(((uint64_t)x.s.low * y.s.low) >> 32) + x.s.low * y.s.high + x.s.high * y.s.low;
    return r.all;
}

/* Unsigned 64-bit division by shift-and-subtract, using only 32-bit divisions and 64-bit shifts. */
static uint64_t udivmod64(uint64_t n, uint64_t d, uint64_t *rem) {
    if (d == 0) {
        *rem = n;
        return ~(uint64_t)0;
    }
    if ((n >> 32) == 0 && (d >> 32) == 0) {
        uint32_t q = (uint32_t)n / (uint32_t)d;
        *rem = (uint32_t)n - q * (uint32_t)d;
        return q;
    }
    if (d > n) {
        *rem = n;
        return 0;
    }
    int shift = __builtin_clzll(d) - __builtin_clzll(n);
    d <<= shift;
    uint64_t q = 0;
    for (int i = 0; i <= shift; i++) {
        q <<= 1;
        if (n >= d) {
            n -= d;
            q |= 1;
        }
        d >>= 1;
    }
    *rem = n;
    return q;
}

uint64_t __udivdi3(uint64_t n, uint64_t d) {
    uint64_t r;
    return udivmod64(n, d, &r);
}

uint64_t __umoddi3(uint64_t n, uint64_t d) {
    uint64_t r;
    udivmod64(n, d, &r);
    return r;
}

int64_t __divdi3(int64_t n, int64_t d) {
    if (d == 0) return -1;
    uint64_t un = n < 0 ? -(uint64_t)n : (uint64_t)n;
    uint64_t ud = d < 0 ? -(uint64_t)d : (uint64_t)d;
    uint64_t r;
    uint64_t q = udivmod64(un, ud, &r);
    return (int64_t)((n < 0) != (d < 0) ? -q : q);
}

int64_t __moddi3(int64_t n, int64_t d) {
    if (d == 0) return n;
    uint64_t un = n < 0 ? -(uint64_t)n : (uint64_t)n;
    uint64_t ud = d < 0 ? -(uint64_t)d : (uint64_t)d;
    uint64_t r;
    udivmod64(un, ud, &r);
    return (int64_t)(n < 0 ? -r : r);
}
#endif

/* ---------------------------------------------------------------------------------------------- */
/* The allocator.                                                                                   */

/*
 * Every block starts with a header of ALIGN bytes holding its size class; the payload follows.
 * Class k holds 2^k bytes including the header (k = MIN_CLASS .. 31). Freed blocks go on a per-class
 * singly linked list (the link lives in the payload).
 */
#define ALIGN (2 * sizeof(void *))
#define MIN_CLASS (sizeof(void *) == 8 ? 5 : 4) /* 32 bytes on rv64, 16 on rv32 */
#define CLASSES 32

struct header {
    uintptr_t size_class;
    uintptr_t unused;
};

static void *free_lists[CLASSES];

static unsigned size_class_for(size_t size) {
    if (size > ((size_t)1 << 30)) return CLASSES; /* too large */
    size_t total = size + ALIGN;
    unsigned k = MIN_CLASS;
    while (((size_t)1 << k) < total) k++;
    return k;
}

void *malloc(size_t size) {
    unsigned k = size_class_for(size);
    if (k >= CLASSES) return NULL;
    void *block = free_lists[k];
    if (block != NULL) {
        free_lists[k] = *(void **)((char *)block + ALIGN);
        return (char *)block + ALIGN;
    }
    /* Grow the heap: align the current end, then take 2^k bytes. */
    uintptr_t end = polkavm_sbrk(0);
    if (end == 0) return NULL;
    uintptr_t pad = (ALIGN - (end & (ALIGN - 1))) & (ALIGN - 1);
    uintptr_t need = pad + ((uintptr_t)1 << k);
    if (need < pad) return NULL;
    uintptr_t top = polkavm_sbrk(need);
    if (top == 0) return NULL;
    struct header *h = (struct header *)(top - ((uintptr_t)1 << k));
    h->size_class = k;
    return (char *)h + ALIGN;
}

void free(void *ptr) {
    if (ptr == NULL) return;
    char *block = (char *)ptr - ALIGN;
    unsigned k = (unsigned)((struct header *)(void *)block)->size_class;
    *(void **)ptr = free_lists[k];
    free_lists[k] = block;
}

void *calloc(size_t count, size_t size) {
    if (size != 0 && count > (size_t)-1 / size) return NULL;
    size_t n = count * size;
    void *p = malloc(n);
    if (p != NULL) memset(p, 0, n); /* reused blocks are not zero */
    return p;
}

void *realloc(void *ptr, size_t size) {
    if (ptr == NULL) return malloc(size);
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    unsigned k = (unsigned)((struct header *)(void *)((char *)ptr - ALIGN))->size_class;
    size_t capacity = ((size_t)1 << k) - ALIGN;
    if (size <= capacity) return ptr;
    void *fresh = malloc(size);
    if (fresh == NULL) return NULL;
    memcpy(fresh, ptr, capacity);
    free(ptr);
    return fresh;
}

/* ---------------------------------------------------------------------------------------------- */
/* Output helpers.                                                                                  */

void polkavm_print(const char *s) { polkavm_write(POLKAVM_STDOUT, s, strlen(s)); }

/* The printf engine (format), its sinks and number formatting, and strtod/strtof/atof. */
#include "polkavm_format.c"

void polkavm_print_u64(uint64_t v) {
    char buf[24];
    char *p = format_unsigned(buf + sizeof buf, v, 10, false);
    polkavm_write(POLKAVM_STDOUT, p, (size_t)(buf + sizeof buf - p));
}

void polkavm_print_i64(int64_t v) {
    if (v < 0) {
        polkavm_write(POLKAVM_STDOUT, "-", 1);
        polkavm_print_u64(-(uint64_t)v);
    } else {
        polkavm_print_u64((uint64_t)v);
    }
}

void polkavm_print_hex(uint64_t v) {
    char buf[24];
    char *p = format_unsigned(buf + sizeof buf, v, 16, false);
    polkavm_write(POLKAVM_STDOUT, p, (size_t)(buf + sizeof buf - p));
}

int polkavm_printf(const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    int n = format_to_stream(format, POLKAVM_STDOUT, f, ap);
    va_end(ap);
    return n;
}

int polkavm_snprintf(char *buf, size_t size, const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    int n = format_to_buffer(format, buf, size, f, ap);
    va_end(ap);
    return n;
}

/* ---------------------------------------------------------------------------------------------- */
/* More of the C library, declared by the standard headers in guest/include (string.h, stdlib.h,   */
/* stdio.h, assert.h), which `polkavm build` puts on the include path.                             */

void *memchr(const void *s, int c, size_t n) {
    const unsigned char *p = s;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == (unsigned char)c) return (void *)(p + i);
    }
    return NULL;
}

size_t strnlen(const char *s, size_t max) {
    size_t n = 0;
    while (n < max && s[n] != 0) n++;
    return n;
}

int strncmp(const char *a, const char *b, size_t n) {
    for (; n > 0; n--, a++, b++) {
        if (*a != *b || *a == 0) return (unsigned char)*a - (unsigned char)*b;
    }
    return 0;
}

char *strcpy(char *__restrict dst, const char *__restrict src) {
    char *d = dst;
    while ((*d++ = *src++) != 0) {}
    return dst;
}

char *strncpy(char *__restrict dst, const char *__restrict src, size_t n) {
    size_t i = 0;
    for (; i < n && src[i] != 0; i++) dst[i] = src[i];
    for (; i < n; i++) dst[i] = 0;
    return dst;
}

char *strcat(char *__restrict dst, const char *__restrict src) {
    strcpy(dst + strlen(dst), src);
    return dst;
}

char *strchr(const char *s, int c) {
    for (;; s++) {
        if (*s == (char)c) return (char *)s;
        if (*s == 0) return NULL;
    }
}

char *strrchr(const char *s, int c) {
    const char *found = NULL;
    for (;; s++) {
        if (*s == (char)c) found = s;
        if (*s == 0) return (char *)found;
    }
}

char *strstr(const char *haystack, const char *needle) {
    size_t n = strlen(needle);
    for (; *haystack != 0 || n == 0; haystack++) {
        if (strncmp(haystack, needle, n) == 0) return (char *)haystack;
        if (*haystack == 0) break;
    }
    return NULL;
}

char *strncat(char *__restrict dst, const char *__restrict src, size_t n) {
    char *d = dst + strlen(dst);
    size_t i = 0;
    for (; i < n && src[i] != 0; i++) d[i] = src[i];
    d[i] = 0;
    return dst;
}

/* The length of the prefix of `s` made of bytes in (accept) or not in (reject) `set`. */
static size_t span(const char *s, const char *set, bool accept) {
    size_t n = 0;
    for (; s[n] != 0; n++) {
        if ((strchr(set, s[n]) != NULL) != accept) break;
    }
    return n;
}

size_t strspn(const char *s, const char *accept) { return span(s, accept, true); }
size_t strcspn(const char *s, const char *reject) { return span(s, reject, false); }

char *strpbrk(const char *s, const char *set) {
    s += span(s, set, false);
    return *s != 0 ? (char *)s : NULL;
}

char *strtok_r(char *__restrict s, const char *__restrict delimiters, char **__restrict state) {
    if (s == NULL) s = *state;
    if (s == NULL) return NULL;
    s += span(s, delimiters, true);
    if (*s == 0) {
        *state = NULL;
        return NULL;
    }
    char *end = s + span(s, delimiters, false);
    if (*end != 0) {
        *end = 0;
        *state = end + 1;
    } else {
        *state = NULL;
    }
    return s;
}

char *strtok(char *__restrict s, const char *__restrict delimiters) {
    static char *state;
    return strtok_r(s, delimiters, &state);
}

char *strndup(const char *s, size_t n) {
    size_t length = strnlen(s, n);
    char *copy = malloc(length + 1);
    if (copy == NULL) return NULL;
    memcpy(copy, s, length);
    copy[length] = 0;
    return copy;
}

char *strdup(const char *s) { return strndup(s, (size_t)-1); }

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

int strncasecmp(const char *a, const char *b, size_t n) {
    for (; n > 0; n--, a++, b++) {
        int x = lower((unsigned char)*a), y = lower((unsigned char)*b);
        if (x != y || x == 0) return x - y;
    }
    return 0;
}

int strcasecmp(const char *a, const char *b) { return strncasecmp(a, b, (size_t)-1); }

/* The "C" locale: collation is byte order. */
int strcoll(const char *a, const char *b) { return strcmp(a, b); }
size_t strxfrm(char *__restrict dst, const char *__restrict src, size_t n) {
    size_t length = strlen(src);
    if (n > 0) {
        size_t copy = length < n - 1 ? length : n - 1;
        memcpy(dst, src, copy);
        dst[copy] = 0;
    }
    return length;
}

void *memrchr(const void *s, int c, size_t n) {
    const unsigned char *p = s;
    while (n-- > 0) {
        if (p[n] == (unsigned char)c) return (void *)(p + n);
    }
    return NULL;
}

/* There is no errno; the messages name the values of the `polkavm run` host calls' errors. */
char *strerror(int error) {
    switch (error) {
    case 0: return (char *)"Success";
    case 9: return (char *)"Bad file descriptor";
    case 14: return (char *)"Bad address";
    case 22: return (char *)"Invalid argument";
    case 12: return (char *)"Cannot allocate memory";
    case 33: return (char *)"Numerical argument out of domain";
    case 34: return (char *)"Numerical result out of range";
    default: return (char *)"Unknown error";
    }
}

/* strtoull's digits with C's rules: leading space, a sign, 0x/0 prefixes for base 0 or 16, and the
 * value saturated at `limit` (with `negative` applied by the callers). */
static unsigned long long parse_integer(const char *s, char **end, int base, bool *negative, unsigned long long limit) {
    const char *p = s;
    while (*p == ' ' || (*p >= '\t' && *p <= '\r')) p++;
    *negative = false;
    if (*p == '+' || *p == '-') *negative = *p++ == '-';
    if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        int next = p[2];
        bool hex = (next >= '0' && next <= '9') || ((next | 0x20) >= 'a' && (next | 0x20) <= 'f');
        if (hex) {
            p += 2;
            base = 16;
        }
    }
    if (base == 0) base = p[0] == '0' ? 8 : 10;
    unsigned long long value = 0;
    bool any = false, overflow = false;
    for (;; p++) {
        int c = *p, digit;
        if (c >= '0' && c <= '9') digit = c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') digit = (c | 0x20) - 'a' + 10;
        else break;
        if (digit >= base) break;
        any = true;
        if (value > (limit - (unsigned long long)digit) / (unsigned long long)base) overflow = true;
        else value = value * (unsigned long long)base + (unsigned long long)digit;
    }
    if (end) *end = (char *)(any ? p : s);
    return overflow ? limit : value;
}

unsigned long long strtoull(const char *__restrict s, char **__restrict end, int base) {
    bool negative;
    unsigned long long v = parse_integer(s, end, base, &negative, ~0ull);
    return negative ? 0 - v : v;
}

long long strtoll(const char *__restrict s, char **__restrict end, int base) {
    bool negative;
    /* The magnitude may reach 2^63 for a negative value. */
    unsigned long long v = parse_integer(s, end, base, &negative, 0x8000000000000000ull);
    if (!negative && v > 0x7fffffffffffffffull) return 0x7fffffffffffffffll;
    return negative ? (long long)(0 - v) : (long long)v;
}

unsigned long strtoul(const char *__restrict s, char **__restrict end, int base) {
    bool negative;
    unsigned long long v = parse_integer(s, end, base, &negative, (unsigned long)-1);
    return (unsigned long)(negative ? 0 - v : v);
}

long strtol(const char *__restrict s, char **__restrict end, int base) {
    bool negative;
    unsigned long long max = (unsigned long)-1 >> 1;
    unsigned long long v = parse_integer(s, end, base, &negative, max + 1);
    if (!negative && v > max) return (long)max;
    return negative ? (long)(0 - v) : (long)v;
}

int atoi(const char *s) { return (int)strtol(s, NULL, 10); }
long atol(const char *s) { return strtol(s, NULL, 10); }
long long atoll(const char *s) { return strtoll(s, NULL, 10); }

static void swap_bytes(unsigned char *a, unsigned char *b, size_t size) {
    for (size_t i = 0; i < size; i++) {
        unsigned char t = a[i];
        a[i] = b[i];
        b[i] = t;
    }
}

/* Heapsort: O(n log n) in the worst case, no recursion and no allocation (not stable, as qsort
 * need not be). */
static void sift_down(unsigned char *base, size_t root, size_t count, size_t size, int (*compare)(const void *, const void *)) {
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= count) return;
        if (child + 1 < count && compare(base + child * size, base + (child + 1) * size) < 0) child++;
        if (compare(base + root * size, base + child * size) >= 0) return;
        swap_bytes(base + root * size, base + child * size, size);
        root = child;
    }
}

void qsort(void *base, size_t count, size_t size, int (*compare)(const void *, const void *)) {
    unsigned char *b = base;
    if (count < 2 || size == 0) return;
    for (size_t i = count / 2; i-- > 0;) sift_down(b, i, count, size, compare);
    for (size_t end = count - 1; end > 0; end--) {
        swap_bytes(b, b + end * size, size);
        sift_down(b, 0, end, size, compare);
    }
}

void *bsearch(const void *key, const void *base, size_t count, size_t size, int (*compare)(const void *, const void *)) {
    const unsigned char *b = base;
    while (count > 0) {
        const unsigned char *middle = b + (count / 2) * size;
        int c = compare(key, middle);
        if (c == 0) return (void *)middle;
        if (c > 0) {
            b = middle + size;
            count -= count / 2 + 1;
        } else {
            count /= 2;
        }
    }
    return NULL;
}

/* (As stdlib.h declares them; the headers are not included here, so that tools can compile this file
 * on its own with a stand-in polkavm.h.) */
typedef struct {
    int quot, rem;
} div_t;
typedef struct {
    long quot, rem;
} ldiv_t;
typedef struct {
    long long quot, rem;
} lldiv_t;

div_t div(int n, int d) {
    div_t r = {n / d, n % d};
    return r;
}
ldiv_t ldiv(long n, long d) {
    ldiv_t r = {n / d, n % d};
    return r;
}
lldiv_t lldiv(long long n, long long d) {
    lldiv_t r = {n / d, n % d};
    return r;
}

/* A guest has no environment. */
char *getenv(const char *name) {
    (void)name;
    return NULL;
}

/* exit runs the atexit handlers, last registered first, then ends the program through the host. */
#define ATEXIT_MAX 32
static void (*atexit_handlers[ATEXIT_MAX])(void);
static int atexit_count;

int atexit(void (*handler)(void)) {
    if (atexit_count == ATEXIT_MAX) return -1;
    atexit_handlers[atexit_count++] = handler;
    return 0;
}

__attribute__((noreturn)) void exit(int status) {
    while (atexit_count > 0) atexit_handlers[--atexit_count]();
    polkavm_exit(status);
}

static uint64_t rand_state = 1;
void srand(unsigned seed) { rand_state = seed; }
int rand(void) {
    /* A 64-bit LCG; the high bits are the result. */
    rand_state = rand_state * 6364136223846793005ull + 1442695040888963407ull;
    return (int)(rand_state >> 33);
}
long random(void) { return rand(); }
void srandom(unsigned seed) { srand(seed); }

/* The <stdio.h> family: all of C's conversions, floating point included (format_all). */
int vsnprintf(char *buf, size_t size, const char *f, va_list ap) { return format_to_buffer(format_all, buf, size, f, ap); }

int snprintf(char *buf, size_t size, const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(buf, size, f, ap);
    va_end(ap);
    return n;
}

int vsprintf(char *buf, const char *f, va_list ap) { return vsnprintf(buf, (size_t)-1 >> 1, f, ap); }

int sprintf(char *buf, const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    int n = vsprintf(buf, f, ap);
    va_end(ap);
    return n;
}

/* Streams are host file descriptors (stdio.h: stdout is 1, stderr 2). */
int vfprintf(void *stream, const char *f, va_list ap) { return format_to_stream(format_all, (int)(intptr_t)stream, f, ap); }

int vprintf(const char *f, va_list ap) { return vfprintf((void *)(intptr_t)POLKAVM_STDOUT, f, ap); }

int fprintf(void *stream, const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    int n = vfprintf(stream, f, ap);
    va_end(ap);
    return n;
}

int printf(const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    int n = vfprintf((void *)(intptr_t)POLKAVM_STDOUT, f, ap);
    va_end(ap);
    return n;
}

size_t fwrite(const void *data, size_t size, size_t count, void *stream) {
    if (size == 0 || count == 0) return 0;
    intptr_t written = polkavm_write((intptr_t)stream, data, size * count);
    return written < 0 ? 0 : (size_t)written / size;
}

int fputs(const char *s, void *stream) {
    size_t n = strlen(s);
    return polkavm_write((intptr_t)stream, s, n) == (intptr_t)n ? (int)n : -1;
}

int fputc(int c, void *stream) {
    char ch = (char)c;
    return polkavm_write((intptr_t)stream, &ch, 1) == 1 ? (unsigned char)ch : -1;
}

int putchar(int c) { return fputc(c, (void *)(intptr_t)POLKAVM_STDOUT); }

/* Input: stdin only. A `polkavm run` read waits for its whole count or the end of input, so the
 * character and line functions read one byte per host call (interactive input works line by line)
 * and fread asks for everything at once. One pushed-back character (ungetc) and the end-of-input
 * state are kept here. */
static int stdin_pushback = -1;
static bool stdin_ended;

static bool is_stdin(void *stream) { return (intptr_t)stream == POLKAVM_STDIN; }

int fgetc(void *stream) {
    if (!is_stdin(stream)) return -1;
    if (stdin_pushback >= 0) {
        int c = stdin_pushback;
        stdin_pushback = -1;
        return c;
    }
    unsigned char c;
    if (stdin_ended || polkavm_read(POLKAVM_STDIN, &c, 1) != 1) {
        stdin_ended = true;
        return -1;
    }
    return c;
}

int getchar(void) { return fgetc((void *)(intptr_t)POLKAVM_STDIN); }

int ungetc(int c, void *stream) {
    if (!is_stdin(stream) || c < 0 || stdin_pushback >= 0) return -1;
    stdin_pushback = (unsigned char)c;
    stdin_ended = false;
    return stdin_pushback;
}

char *fgets(char *buf, int size, void *stream) {
    if (size <= 0) return NULL;
    int n = 0;
    while (n < size - 1) {
        int c = fgetc(stream);
        if (c < 0) break;
        buf[n++] = (char)c;
        if (c == '\n') break;
    }
    if (n == 0) return NULL;
    buf[n] = 0;
    return buf;
}

size_t fread(void *data, size_t size, size_t count, void *stream) {
    if (!is_stdin(stream) || size == 0 || count == 0) return 0;
    unsigned char *p = data;
    size_t want = size * count, got = 0;
    if (stdin_pushback >= 0) {
        p[got++] = (unsigned char)stdin_pushback;
        stdin_pushback = -1;
    }
    while (got < want && !stdin_ended) {
        intptr_t n = polkavm_read(POLKAVM_STDIN, p + got, want - got);
        if (n <= 0) {
            stdin_ended = true;
            break;
        }
        got += (size_t)n;
        if (got < want) stdin_ended = true; /* a short read is the end of input */
    }
    return got / size;
}

int feof(void *stream) { return is_stdin(stream) && stdin_ended && stdin_pushback < 0; }
int ferror(void *stream) {
    (void)stream;
    return 0;
}

/* Output is not buffered across calls: each printf writes before it returns. */
int fflush(void *stream) {
    (void)stream;
    return 0;
}

int puts(const char *s) {
    if (fputs(s, (void *)(intptr_t)POLKAVM_STDOUT) < 0) return -1;
    return putchar('\n') < 0 ? -1 : 1;
}

/* setjmp/longjmp (setjmp.h): ra, sp, s0 and s1 are what a call preserves in the RISC-V E ABI. */
#if __riscv_xlen == 64
#define JMP_STORE "sd"
#define JMP_LOAD "ld"
#define JMP_WORD "8"
#else
#define JMP_STORE "sw"
#define JMP_LOAD "lw"
#define JMP_WORD "4"
#endif
#ifdef __riscv
__asm__(".section .text.setjmp,\"ax\",@progbits\n"
        ".globl setjmp\n"
        ".type setjmp,@function\n"
        "setjmp:\n"
        "  " JMP_STORE " ra, 0(a0)\n"
        "  " JMP_STORE " sp, " JMP_WORD "(a0)\n"
        "  " JMP_STORE " s0, 2*" JMP_WORD "(a0)\n"
        "  " JMP_STORE " s1, 3*" JMP_WORD "(a0)\n"
        "  li a0, 0\n"
        "  ret\n"
        ".size setjmp, .-setjmp\n"
        ".section .text.longjmp,\"ax\",@progbits\n"
        ".globl longjmp\n"
        ".type longjmp,@function\n"
        "longjmp:\n"
        "  " JMP_LOAD " ra, 0(a0)\n"
        "  " JMP_LOAD " sp, " JMP_WORD "(a0)\n"
        "  " JMP_LOAD " s0, 2*" JMP_WORD "(a0)\n"
        "  " JMP_LOAD " s1, 3*" JMP_WORD "(a0)\n"
        "  seqz a0, a1\n" /* a value of 0 returns 1 */
        "  add a0, a0, a1\n"
        "  ret\n"
        ".size longjmp, .-longjmp\n"
        ".text\n");
#endif

/* (Named arrays rather than string literals: literals share one section with the other functions'
 * strings, which the linker then keeps in every program.) */
static const char assert_failed[] = ": assertion failed: ";
static const char assert_newline[] = "\n";

__attribute__((noreturn)) void polkavm__assert_fail(const char *expression, const char *file, int line) {
    void *err = (void *)(intptr_t)POLKAVM_STDERR;
    char digits[12];
    char *number = format_unsigned(digits + sizeof digits - 1, (uint64_t)(line < 0 ? 0 : line), 10, false);
    digits[sizeof digits - 1] = 0;
    *--number = ':';
    fputs(file, err);
    fputs(number, err);
    fputs(assert_failed, err);
    fputs(expression, err);
    fputs(assert_newline, err);
    polkavm_trap();
}

/* ---------------------------------------------------------------------------------------------- */
/* Floating point, bit counting and 128-bit division: the helpers clang and GCC call on RISC-V.    */

#if defined(__riscv) || defined(POLKAVM_SOFTFLOAT_NATIVE_TEST)
#include "polkavm_softfloat.c"
#include "polkavm_libm.c"
#endif
