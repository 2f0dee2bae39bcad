/* Micro benchmark guest: a trivial export (instantiate + call cost, memory per instance). */
#include "../bench.h"

uint64_t bench(uint64_t n) { return n * 3 + 1; }
BENCH_EXPORT(bench)
