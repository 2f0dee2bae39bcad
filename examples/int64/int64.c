/* 64-bit arithmetic: multiplication, signed and unsigned division and remainder, shifts and
 * comparisons of 64-bit values. Built for rv32 too, where clang calls the SDK's __udivdi3 and
 * friends (guest/polkavm_libc.c). */
#include "polkavm.h"

POLKAVM_EXPORT(uint64_t, mulmod, uint64_t, uint64_t, uint64_t);
POLKAVM_EXPORT(int, main);

/* (a * b) mod m without 128-bit integers. */
uint64_t mulmod(uint64_t a, uint64_t b, uint64_t m) {
    uint64_t result = 0;
    a %= m;
    while (b != 0) {
        if (b & 1) result = result >= m - a ? result - (m - a) : result + a;
        a = a >= m - a ? a - (m - a) : a + a;
        b >>= 1;
    }
    return result;
}

static uint64_t powmod(uint64_t base, uint64_t exp, uint64_t m) {
    uint64_t r = 1 % m;
    while (exp != 0) {
        if (exp & 1) r = mulmod(r, base, m);
        base = mulmod(base, base, m);
        exp >>= 1;
    }
    return r;
}

/* Deterministic Miller-Rabin for 64-bit n. */
static int is_prime(uint64_t n) {
    if (n < 2) return 0;
    static const uint64_t bases[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
    for (unsigned i = 0; i < 12; i++) {
        if (n % bases[i] == 0) return n == bases[i];
    }
    uint64_t d = n - 1;
    unsigned s = 0;
    while ((d & 1) == 0) {
        d >>= 1;
        s++;
    }
    for (unsigned i = 0; i < 12; i++) {
        uint64_t x = powmod(bases[i], d, n);
        if (x == 1 || x == n - 1) continue;
        int composite = 1;
        for (unsigned r = 1; r < s && composite; r++) {
            x = mulmod(x, x, n);
            if (x == n - 1) composite = 0;
        }
        if (composite) return 0;
    }
    return 1;
}

int main(void) {
    uint64_t x = 0x9E3779B97F4A7C15ull;
    int64_t acc = 0;
    for (int i = 0; i < 1000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t s = (int64_t)x;
        int64_t d = (int64_t)((x >> 40) | 1) * ((x & 1) ? -1 : 1);
        acc += s / d + s % d;
        acc ^= (int64_t)((x * 0x2545F4914F6CDD1Dull) >> (x & 63));
        acc += (uint64_t)x / 1000003u - (int64_t)(x % 97u);
    }
    polkavm_printf("xorshift mix: %lld\n", (long long)acc);
    polkavm_printf("%lld / %lld = %lld rem %lld\n", -9000000000000000001ll, 7ll, -9000000000000000001ll / 7, -9000000000000000001ll % 7);
    polkavm_printf("%llu / %llu = %llu rem %llu\n", 18446744073709551615ull, 4294967311ull, 18446744073709551615ull / 4294967311ull,
                   18446744073709551615ull % 4294967311ull);
    uint64_t candidates[] = {1000000007ull, 4294967291ull, 4294967297ull, 1000000000000000003ull, 18446744073709551557ull, 18446744073709551559ull};
    for (unsigned i = 0; i < sizeof candidates / sizeof candidates[0]; i++)
        polkavm_printf("%llu is %s\n", (unsigned long long)candidates[i], is_prime(candidates[i]) ? "prime" : "composite");
    polkavm_printf("2^63 mod 1000000007 = %llu\n", (unsigned long long)powmod(2, 63, 1000000007ull));
    return 0;
}
