/* Recursion: the Ackermann function and naive Fibonacci, plus an export the host can call with
 * arguments directly (`polkavm run ackermann.polkavm --call ackermann 2 3`). */
#include "polkavm.h"

POLKAVM_MIN_STACK_SIZE(256 * 1024); /* ackermann(2, n) recurses about 2n deep, ackermann(3, n) 2^(n+3) */

POLKAVM_EXPORT(uint32_t, ackermann, uint32_t, uint32_t);
POLKAVM_EXPORT(uint64_t, fib, uint32_t);
POLKAVM_EXPORT(int, main);

uint32_t ackermann(uint32_t m, uint32_t n) {
    if (m == 0) return n + 1;
    if (n == 0) return ackermann(m - 1, 1);
    return ackermann(m - 1, ackermann(m, n - 1));
}

uint64_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(void) {
    for (uint32_t m = 0; m <= 3; m++) {
        for (uint32_t n = 0; n <= 4; n++) polkavm_printf("A(%u,%u)=%u ", m, n, ackermann(m, n));
        polkavm_print("\n");
    }
    polkavm_printf("A(3,6)=%u\n", ackermann(3, 6));
    for (uint32_t n = 0; n <= 25; n += 5) polkavm_printf("fib(%u)=%llu\n", n, (unsigned long long)fib(n));
    return 0;
}
