/* Native timing driver: linked with one benchmark program compiled for the host.
 * Usage: driver N [REPEAT]  -> prints "call_ns=<ns of the first call> checksum=<u64>" and, with
 * REPEAT > 1, "min_ns=..." over the repetitions. Also provides `host_add` for the host-call guest. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

uint64_t bench(uint64_t n);
uint64_t host_add(uint64_t x) { return x + 1; }

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s N [REPEAT]\n", argv[0]); return 2; }
    /* Parsed at run time so the argument cannot be constant-folded. */
    uint64_t n = strtoull(argv[1], NULL, 0);
    int repeat = argc > 2 ? atoi(argv[2]) : 1;
    uint64_t first_ns = 0, min_ns = UINT64_MAX, checksum = 0;
    for (int i = 0; i < repeat; i++) {
        uint64_t t0 = now_ns();
        uint64_t r = bench(n);
        uint64_t dt = now_ns() - t0;
        if (i == 0) { first_ns = dt; checksum = r; }
        else if (r != checksum) { fprintf(stderr, "checksum changed between calls\n"); return 1; }
        if (dt < min_ns) min_ns = dt;
    }
    printf("load_ns=0 call_ns=%llu checksum=%llu min_ns=%llu\n", (unsigned long long)first_ns,
           (unsigned long long)checksum, (unsigned long long)min_ns);
    return 0;
}
