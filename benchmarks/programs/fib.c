/* Naive doubly-recursive Fibonacci: call/return heavy. bench(n) computes fib(n) and a few
 * neighbours. */
#include "bench.h"

static BENCH_NOINLINE uint64_t fib(uint64_t n) {
    if (n < 2) return n;
    return fib(n - 1) + fib(n - 2);
}

uint64_t bench(uint64_t n) {
    uint64_t h = fib(n);
    h = bench_mix(h, fib(n / 2));
    return bench_mix(h, n);
}
BENCH_EXPORT(bench)
