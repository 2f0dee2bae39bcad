/* Integer matrix multiply: C = A x B for 96x96 uint32 matrices, n times, feeding the result back
 * into A; checksums the final matrix. */
#include "bench.h"

#define DIM 96
static uint32_t A[DIM][DIM], B[DIM][DIM], C[DIM][DIM];

static void multiply(void) {
    for (uint32_t i = 0; i < DIM; i++) {
        for (uint32_t j = 0; j < DIM; j++) C[i][j] = 0;
        for (uint32_t k = 0; k < DIM; k++) {
            uint32_t a = A[i][k];
            for (uint32_t j = 0; j < DIM; j++) C[i][j] += a * B[k][j];
        }
    }
}

uint64_t bench(uint64_t n) {
    bench_rng rng;
    bench_rng_seed(&rng, n);
    for (uint32_t i = 0; i < DIM; i++)
        for (uint32_t j = 0; j < DIM; j++) {
            A[i][j] = (uint32_t)bench_rng_next(&rng) & 0xff;
            B[i][j] = (uint32_t)bench_rng_next(&rng) & 0xff;
        }
    uint64_t h = 0;
    for (uint64_t r = 0; r < n; r++) {
        multiply();
        for (uint32_t i = 0; i < DIM; i++)
            for (uint32_t j = 0; j < DIM; j++) A[i][j] = (C[i][j] >> 7) ^ (uint32_t)r;
        h = bench_mix(h, C[r % DIM][(r * 7) % DIM]);
    }
    for (uint32_t i = 0; i < DIM; i++)
        for (uint32_t j = 0; j < DIM; j++) h = bench_mix(h, C[i][j]);
    return h;
}
BENCH_EXPORT(bench)
