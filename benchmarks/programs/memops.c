/* memcpy/memset-heavy loop over a 256 KiB buffer: fills, block copies of varying sizes and
 * (mis)alignments, overlapping moves and compares; checksums samples of the buffer. */
#include "bench.h"

#define BUF (256 * 1024)
static uint8_t buf[BUF];
static uint8_t tmp[BUF];

uint64_t bench(uint64_t n) {
    bench_rng rng;
    bench_rng_seed(&rng, n);
    for (uint32_t i = 0; i < BUF; i++) { buf[i] = (uint8_t)(i * 131 + (i >> 9)); tmp[i] = (uint8_t)(i ^ (i >> 8)); }
    uint64_t h = 0;
    for (uint64_t r = 0; r < n; r++) {
        uint64_t x = bench_rng_next(&rng);
        uint32_t len = 1024 + (uint32_t)(x & 0x7fff);                 /* 1..33 KiB */
        uint32_t src = (uint32_t)(x >> 20) % (BUF - len);
        uint32_t dst = (uint32_t)(x >> 40) % (BUF - len);
        bench_memcpy(tmp + dst, buf + src, len);                      /* arbitrary alignment */
        bench_memset(buf + (src & ~7u), (int)(x >> 56), len / 2);     /* aligned fill */
        bench_memcpy(buf + (dst & ~7u), tmp + (dst & ~7u), len);      /* aligned copy */
        bench_memmove(buf + src + 3, buf + src, len / 4);             /* overlapping move */
        h = bench_mix(h, (uint64_t)bench_memcmp(buf + dst, tmp + dst, 64) + 1);
        h = bench_mix(h, buf[(x >> 8) % BUF] | ((uint64_t)tmp[(x >> 24) % BUF] << 8));
    }
    for (uint32_t i = 0; i < BUF; i += 4096) h = bench_mix(h, buf[i] + ((uint64_t)tmp[i + 17] << 8));
    return h;
}
BENCH_EXPORT(bench)
