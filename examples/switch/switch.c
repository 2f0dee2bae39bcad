/* A dense switch statement: clang compiles it to a jump table in read-only data (code addresses
 * that the linker turns into PolkaVM jump-table indices). A small bytecode interpreter. */
#include "polkavm.h"

POLKAVM_EXPORT(int64_t, run_program, uint32_t);
POLKAVM_EXPORT(int, main);

enum { PUSH, ADD, SUB, MUL, DIV, MOD, DUP, SWAP, OVER, DROP, JNZ, DEC, NEG, AND, OR, XOR, SHL, SHR, PRINT, HALT };

static int64_t interpret(const int32_t *code) {
    int64_t stack[32];
    int sp = 0;
    uint32_t pc = 0;
    for (;;) {
        int32_t op = code[pc++];
        switch (op) {
        case PUSH: stack[sp++] = code[pc++]; break;
        case ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case DIV: sp--; stack[sp - 1] = stack[sp] ? stack[sp - 1] / stack[sp] : 0; break;
        case MOD: sp--; stack[sp - 1] = stack[sp] ? stack[sp - 1] % stack[sp] : 0; break;
        case DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case SWAP: { int64_t t = stack[sp - 1]; stack[sp - 1] = stack[sp - 2]; stack[sp - 2] = t; break; }
        case OVER: stack[sp] = stack[sp - 2]; sp++; break;
        case DROP: sp--; break;
        case JNZ: { int32_t target = code[pc++]; if (stack[--sp] != 0) pc = (uint32_t)target; break; }
        case DEC: stack[sp - 1]--; break;
        case NEG: stack[sp - 1] = -stack[sp - 1]; break;
        case AND: sp--; stack[sp - 1] &= stack[sp]; break;
        case OR: sp--; stack[sp - 1] |= stack[sp]; break;
        case XOR: sp--; stack[sp - 1] ^= stack[sp]; break;
        case SHL: sp--; stack[sp - 1] <<= (stack[sp] & 63); break;
        case SHR: sp--; stack[sp - 1] = (int64_t)((uint64_t)stack[sp - 1] >> (stack[sp] & 63)); break;
        case PRINT: polkavm_printf("%lld\n", (long long)stack[sp - 1]); break;
        case HALT: return sp > 0 ? stack[sp - 1] : 0;
        default: return -1;
        }
    }
}

/* factorial(n), printing the partial products: stack [acc n]. */
int64_t run_program(uint32_t n) {
    if (n == 0) return 1;
    const int32_t code[] = {PUSH, 1, PUSH, (int32_t)n,
                            /* 4: loop */ SWAP, OVER, MUL, PRINT, SWAP, DEC, DUP, JNZ, 4,
                            DROP, HALT};
    return interpret(code);
}

/* A mixing loop over every other operation: stack [h i], 200 iterations. */
static const int32_t mixer[] = {
    PUSH, 12345, PUSH, 200,
    /* 4: loop */ SWAP, PUSH, 31, MUL, OVER, XOR, DUP, PUSH, 3, SHR, ADD,
    PUSH, 1000003, MOD, OVER, PUSH, 2, ADD, DIV, NEG, PUSH, 0x7fff, AND, PUSH, 0x10000, OR,
    OVER, PUSH, 5, SHL, SUB, SWAP, DEC, DUP, JNZ, 4,
    DROP, PRINT, HALT,
};

/* Maps a number to a name with another dense switch. */
static const char *digit_name(unsigned d) {
    switch (d) {
    case 0: return "zero";
    case 1: return "one";
    case 2: return "two";
    case 3: return "three";
    case 4: return "four";
    case 5: return "five";
    case 6: return "six";
    case 7: return "seven";
    case 8: return "eight";
    case 9: return "nine";
    default: return "?";
    }
}

static uint32_t classify(uint32_t x) {
    switch (x % 16) {
    case 0: return x * 3;
    case 1: return x + 17;
    case 2: return x ^ 0x5a5a;
    case 3: return x >> 2;
    case 4: return x << 3;
    case 5: return ~x;
    case 6: return x * x;
    case 7: return x - 1000;
    case 8: return x | 0x100;
    case 9: return x & 0xff;
    case 10: return x / 3;
    case 11: return x % 7;
    case 12: return x + x / 2;
    case 13: return (x << 5) | (x >> 27);
    case 14: return x * 2654435761u;
    default: return 0;
    }
}

int main(void) {
    polkavm_printf("10! = %lld\n", (long long)run_program(10));
    polkavm_printf("mixer = %lld\n", (long long)interpret(mixer));
    for (unsigned d = 0; d <= 10; d++) polkavm_printf("%s ", digit_name(d));
    polkavm_print("\n");
    uint32_t h = 0;
    for (uint32_t x = 0; x < 100000; x++) h = h * 33 + classify(x ^ h);
    polkavm_printf("classify hash: %u\n", h);
    return 0;
}
