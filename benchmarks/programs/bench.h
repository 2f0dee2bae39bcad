/* Shared helpers for the benchmark programs: fixed-width types, a few freestanding memory
 * routines, a PRNG, and the export/import boilerplate for each target.
 *
 * The programs are compiled three ways from the same source:
 *   - RISC-V (rv64/rv32) for PolkaVM, linked into a .polkavm blob;
 *   - wasm32 for WasmKit/Wasmtime (clang --target=wasm32 -nostdlib, `bench` exported by the linker);
 *   - x86-64 natively, linked with benchmarks/native/driver.c.
 * Everything that feeds a checksum uses explicit-width integer types so that all targets agree.
 *
 * The PolkaVM export/import records live only here. When the guest SDK header guest/polkavm.h
 * exists, the __riscv branch below can be replaced by an include of it.
 */
#ifndef BENCH_H
#define BENCH_H

typedef unsigned char uint8_t;
typedef signed char int8_t;
typedef unsigned short uint16_t;
typedef short int16_t;
typedef unsigned int uint32_t;
typedef int int32_t;
typedef unsigned long long uint64_t;
typedef long long int64_t;
typedef __SIZE_TYPE__ size_t;
typedef __UINTPTR_TYPE__ uintptr_t;

#define BENCH_NOINLINE __attribute__((noinline))
#define BENCH_UNUSED __attribute__((unused))

#if defined(__riscv)
/* ---- PolkaVM: `.polkavm_metadata` / `.polkavm_exports` records (upstream-format.md §7.3) ---- */
struct bench_polkavm_metadata {
    uint8_t version;        /* 1 */
    uint32_t flags;         /* 0 */
    uint32_t symbol_length;
    const char *symbol;     /* pointer-sized, carries an absolute relocation */
    uint8_t input_regs;
    uint8_t output_regs;
} __attribute__((packed));

#if __riscv_xlen == 64
#define BENCH_PTR_DIRECTIVE ".quad "
#else
#define BENCH_PTR_DIRECTIVE ".word "
#endif

/* Registers used by a uint64_t argument/result: one on rv64, a register pair on rv32. */
#if __riscv_xlen == 64
#define BENCH_U64_REGS 1
#else
#define BENCH_U64_REGS 2
#endif

/* Export `fn` taking `in_regs` argument registers and returning in `out_regs` registers. */
#define BENCH_EXPORT_RAW(fn, in_regs, out_regs)                                                   \
    static struct bench_polkavm_metadata bench_export_meta_##fn                                   \
        __attribute__((section(".polkavm_metadata"), used)) = {1, 0, sizeof(#fn) - 1, #fn,        \
                                                                in_regs, out_regs};               \
    __attribute__((naked, used)) static void bench_export_record_##fn(void) {                     \
        __asm__(".pushsection .polkavm_exports,\"R\",@note\n"                                     \
                ".byte 1\n" BENCH_PTR_DIRECTIVE "%[meta]\n" BENCH_PTR_DIRECTIVE "%[func]\n"       \
                ".popsection\n"                                                                   \
                :                                                                                 \
                : [meta] "i"(&bench_export_meta_##fn), [func] "i"(fn)                             \
                : "memory");                                                                      \
    }

/* Import `name` as `static uint64_t name(uint64_t)` (used by the host-call micro benchmark).
 * The call site is the custom instruction 0x0000000b followed by a pointer to the metadata;
 * the linker turns it into `ecalli <index>`. */
#define BENCH_IMPORT_U64_U64(name)                                                                \
    static struct bench_polkavm_metadata bench_import_meta_##name                                 \
        __attribute__((section(".polkavm_metadata"), used)) = {1, 0, sizeof(#name) - 1, #name,    \
                                                                BENCH_U64_REGS, BENCH_U64_REGS};  \
    __attribute__((naked, noinline)) static uint64_t name(uint64_t x) {                           \
        __asm__(".word 0x0000000b\n" BENCH_PTR_DIRECTIVE "%[meta]\n"                              \
                "ret\n"                                                                           \
                :                                                                                 \
                : [meta] "i"(&bench_import_meta_##name)                                           \
                : "memory");                                                                      \
    }

/* Minimum stack size, read by the linker from `.polkavm_min_stack_size`. */
#define BENCH_MIN_STACK_SIZE(bytes)                                                               \
    static const uint32_t bench_min_stack_size                                                    \
        __attribute__((section(".polkavm_min_stack_size"), used)) = (bytes);

#define BENCH_EXPORT(fn) BENCH_EXPORT_RAW(fn, BENCH_U64_REGS, BENCH_U64_REGS) BENCH_MIN_STACK_SIZE(256 * 1024)

#elif defined(__wasm__)
/* ---- wasm32: `bench` is exported by the linker (-Wl,--export=bench). ---- */
#define BENCH_EXPORT(fn)
#define BENCH_IMPORT_U64_U64(name)                                                                \
    __attribute__((import_module("env"), import_name(#name))) uint64_t name(uint64_t);

#else
/* ---- native: linked with benchmarks/native/driver.c. ---- */
#define BENCH_EXPORT(fn)
#define BENCH_IMPORT_U64_U64(name) uint64_t name(uint64_t);
#endif

/* Freestanding memory routines. The programs call these explicitly (all targets run the same
 * code); the C names below exist for calls the compiler itself emits (struct copies) on the
 * targets without a libc. */
static inline void *bench_memset(void *dst, int c, size_t n) {
    uint8_t *d = (uint8_t *)dst;
    uint8_t b = (uint8_t)c;
    while (n && ((uintptr_t)d & 7)) { *d++ = b; n--; }
    uint64_t w = b * 0x0101010101010101ull;
    while (n >= 8) { *(uint64_t *)d = w; d += 8; n -= 8; }
    while (n) { *d++ = b; n--; }
    return dst;
}

static inline void *bench_memcpy(void *dst, const void *src, size_t n) {
    uint8_t *d = (uint8_t *)dst;
    const uint8_t *s = (const uint8_t *)src;
    if ((((uintptr_t)d ^ (uintptr_t)s) & 7) == 0) {
        while (n && ((uintptr_t)d & 7)) { *d++ = *s++; n--; }
        while (n >= 32) {
            uint64_t a = ((const uint64_t *)s)[0], b = ((const uint64_t *)s)[1];
            uint64_t c = ((const uint64_t *)s)[2], e = ((const uint64_t *)s)[3];
            ((uint64_t *)d)[0] = a; ((uint64_t *)d)[1] = b; ((uint64_t *)d)[2] = c; ((uint64_t *)d)[3] = e;
            d += 32; s += 32; n -= 32;
        }
        while (n >= 8) { *(uint64_t *)d = *(const uint64_t *)s; d += 8; s += 8; n -= 8; }
    } else {
        while (n >= 4) { d[0] = s[0]; d[1] = s[1]; d[2] = s[2]; d[3] = s[3]; d += 4; s += 4; n -= 4; }
    }
    while (n) { *d++ = *s++; n--; }
    return dst;
}

static inline void *bench_memmove(void *dst, const void *src, size_t n) {
    uint8_t *d = (uint8_t *)dst;
    const uint8_t *s = (const uint8_t *)src;
    if (d == s || n == 0) return dst;
    if (d < s || d >= s + n) return bench_memcpy(dst, src, n);
    while (n) { n--; d[n] = s[n]; }
    return dst;
}

static inline int bench_memcmp(const void *a, const void *b, size_t n) {
    const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;
    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}

#if defined(__riscv) || defined(__wasm__)
void *memset(void *dst, int c, size_t n) { return bench_memset(dst, c, n); }
void *memcpy(void *dst, const void *src, size_t n) { return bench_memcpy(dst, src, n); }
void *memmove(void *dst, const void *src, size_t n) { return bench_memmove(dst, src, n); }
int memcmp(const void *a, const void *b, size_t n) { return bench_memcmp(a, b, n); }
#endif

/* xorshift64* PRNG. */
typedef struct { uint64_t s; } bench_rng;
static inline void bench_rng_seed(bench_rng *r, uint64_t seed) { r->s = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull; if (!r->s) r->s = 1; }
static inline uint64_t bench_rng_next(bench_rng *r) {
    uint64_t x = r->s;
    x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
    r->s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

/* Mix a value into a running checksum. */
static inline uint64_t bench_mix(uint64_t h, uint64_t v) {
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    return h * 0x100000001B3ull;
}

#endif
