/* Micro benchmark guest: n host calls (ecalli on PolkaVM) to `host_add`, chained so that each
 * depends on the previous result. */
#include "../bench.h"

BENCH_IMPORT_U64_U64(host_add)

uint64_t bench(uint64_t n) {
    uint64_t x = n;
    for (uint64_t i = 0; i < n; i++) x = host_add(x);
    return x;
}
BENCH_EXPORT(bench)
