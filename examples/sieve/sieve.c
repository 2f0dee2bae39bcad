/* A memory-heavy loop: the sieve of Eratosthenes over a heap-allocated byte array, then a 2D matrix
 * product over malloc'd matrices. Prints prime counts and checksums. */
#include "polkavm.h"

POLKAVM_EXPORT(uint32_t, count_primes, uint32_t);
POLKAVM_EXPORT(int, main);

uint32_t count_primes(uint32_t limit) {
    uint8_t *composite = calloc(limit + 1, 1);
    if (composite == NULL) return 0;
    uint32_t count = 0;
    for (uint32_t i = 2; i <= limit; i++) {
        if (composite[i]) continue;
        count++;
        for (uint64_t j = (uint64_t)i * i; j <= limit; j += i) composite[j] = 1;
    }
    free(composite);
    return count;
}

static uint32_t matrix_checksum(uint32_t n) {
    uint32_t *a = malloc(n * n * sizeof(uint32_t));
    uint32_t *b = malloc(n * n * sizeof(uint32_t));
    uint32_t *c = calloc(n * n, sizeof(uint32_t));
    for (uint32_t i = 0; i < n * n; i++) {
        a[i] = (i * 2654435761u) ^ (i >> 5);
        b[i] = (i * 40503u) ^ 0x9e37u;
    }
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t k = 0; k < n; k++) {
            uint32_t x = a[i * n + k];
            for (uint32_t j = 0; j < n; j++) c[i * n + j] += x * b[k * n + j];
        }
    uint32_t sum = 0;
    for (uint32_t i = 0; i < n * n; i++) sum = (sum ^ c[i]) * 16777619u;
    free(a);
    free(b);
    free(c);
    return sum;
}

int main(void) {
    for (uint32_t limit = 10; limit <= 1000000; limit *= 10) polkavm_printf("primes <= %u: %u\n", limit, count_primes(limit));
    polkavm_printf("matrix 64x64 checksum: %08x\n", matrix_checksum(64));
    return 0;
}
