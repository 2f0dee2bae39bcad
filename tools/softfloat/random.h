/* The checks' random numbers (check.c, libm_check.c): xorshift64, seeded from the command line. */
#ifndef SOFTFLOAT_CHECK_RANDOM_H
#define SOFTFLOAT_CHECK_RANDOM_H
#include <stdint.h>
#include <stdlib.h>

static uint64_t state;

static uint64_t next_random(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

/* Seeds from `text` (strtoull syntax), or with a fixed default when it is NULL; never 0. */
static void seed_random(const char *text) {
    state = text ? strtoull(text, 0, 0) : 0x9E3779B97F4A7C15ull;
    if (!state) state = 1;
}
#endif
