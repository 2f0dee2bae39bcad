/* Quicksort (median-of-three, insertion sort for short ranges) of a 64Ki-element xorshift
 * pseudo-random array, n times with different seeds; verifies order and checksums the result. */
#include "bench.h"

#define COUNT 65536
static uint32_t data[COUNT];

static void insertion_sort(uint32_t *a, int32_t lo, int32_t hi) {
    for (int32_t i = lo + 1; i <= hi; i++) {
        uint32_t v = a[i];
        int32_t j = i - 1;
        while (j >= lo && a[j] > v) { a[j + 1] = a[j]; j--; }
        a[j + 1] = v;
    }
}

static inline void swap(uint32_t *a, int32_t i, int32_t j) { uint32_t t = a[i]; a[i] = a[j]; a[j] = t; }

static void quicksort(uint32_t *a, int32_t lo, int32_t hi) {
    while (hi - lo > 16) {
        int32_t mid = lo + (hi - lo) / 2;
        if (a[mid] < a[lo]) swap(a, mid, lo);
        if (a[hi] < a[lo]) swap(a, hi, lo);
        if (a[hi] < a[mid]) swap(a, hi, mid);
        uint32_t pivot = a[mid];
        int32_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) { swap(a, i, j); i++; j--; }
        }
        /* Recurse into the smaller half, loop over the larger one (bounded stack depth). */
        if (j - lo < hi - i) { quicksort(a, lo, j); lo = i; }
        else { quicksort(a, i, hi); hi = j; }
    }
    insertion_sort(a, lo, hi);
}

uint64_t bench(uint64_t n) {
    uint64_t h = 0;
    for (uint64_t r = 0; r < n; r++) {
        bench_rng rng;
        bench_rng_seed(&rng, r + 1);
        for (uint32_t i = 0; i < COUNT; i++) data[i] = (uint32_t)(bench_rng_next(&rng) >> 32);
        quicksort(data, 0, COUNT - 1);
        uint64_t sorted = 1;
        for (uint32_t i = 1; i < COUNT; i++) sorted &= data[i - 1] <= data[i];
        h = bench_mix(h, sorted);
        h = bench_mix(h, data[0]);
        h = bench_mix(h, data[COUNT / 2]);
        h = bench_mix(h, data[COUNT - 1]);
        h = bench_mix(h, data[(r * 40503) % COUNT]);
    }
    return h;
}
BENCH_EXPORT(bench)
