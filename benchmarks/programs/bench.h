/* Shared helpers for the benchmark programs: fixed-width types, a few freestanding memory
 * routines, a PRNG, and the export/import boilerplate for each target.
 *
 * The programs are compiled three ways from the same source:
 *   - RISC-V (rv64/rv32) for PolkaVM, linked into a .polkavm blob;
 *   - wasm32 for WasmKit/Wasmtime (clang --target=wasm32 -nostdlib, `bench` exported by the linker);
 *   - x86-64 natively, linked with benchmarks/native/driver.c.
 * Everything that feeds a checksum uses explicit-width integer types so that all targets agree.
 *
 * On RISC-V the export/import records and the C library (memcpy, ...) come from the guest SDK,
 * guest/polkavm.h and guest/polkavm_libc.c, which `polkavm build` compiles in.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdint.h>

#define BENCH_NOINLINE __attribute__((noinline))
#define BENCH_UNUSED __attribute__((unused))

#if defined(__riscv)
/* ---- PolkaVM: exports, imports and the C library come from the guest SDK (`polkavm build`). ---- */
#include "../../guest/polkavm.h"

/* Export `uint64_t fn(uint64_t)` (a register pair on rv32). */
#define BENCH_EXPORT(fn) POLKAVM_EXPORT(uint64_t, fn, uint64_t);
/* Import `uint64_t name(uint64_t)` (used by the host-call micro benchmark). */
#define BENCH_IMPORT_U64_U64(name) POLKAVM_IMPORT(uint64_t, name, uint64_t);

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
 * code); the C names below exist for calls the compiler itself emits (struct copies) in the
 * wasm32 build, which has no libc (the RISC-V build gets them from the guest SDK). */
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

#if defined(__wasm__)
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
