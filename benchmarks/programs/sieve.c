/* Prime sieve of Eratosthenes over a 1 MiB byte array, repeated n times with a slightly varying
 * limit; the checksum mixes the prime count and a sum over the primes found. */
#include "bench.h"

#define SIEVE_SIZE (1u << 20)
static uint8_t composite[SIEVE_SIZE];

static uint64_t sieve_once(uint32_t limit) {
    bench_memset(composite, 0, limit);
    for (uint32_t i = 2; (uint64_t)i * i < limit; i++) {
        if (composite[i]) continue;
        for (uint32_t j = i * i; j < limit; j += i) composite[j] = 1;
    }
    uint64_t count = 0, sum = 0;
    for (uint32_t i = 2; i < limit; i++) {
        if (!composite[i]) { count++; sum += i ^ (i >> 3); }
    }
    return bench_mix(count, sum);
}

uint64_t bench(uint64_t n) {
    uint64_t h = 0;
    for (uint64_t r = 0; r < n; r++) {
        uint32_t limit = SIEVE_SIZE - (uint32_t)((r * 7919) & 1023);
        h = bench_mix(h, sieve_once(limit));
    }
    return h;
}
BENCH_EXPORT(bench)
