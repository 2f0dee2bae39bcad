/* A small stack-machine bytecode interpreter with switch dispatch (branchy, indirect jumps).
 * The bytecode program computes, for i in 1..n, the length of the Collatz sequence of i and a
 * running hash; bench(n) runs it and also checks against the same computation done directly. */
#include "bench.h"

enum {
    OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_AND, OP_XOR, OP_SHR, OP_SHL,
    OP_LT, OP_EQ, OP_JMP, OP_JZ, OP_JNZ, OP_DUP, OP_DROP, OP_SWAP, OP_INC, OP_HALT,
};

typedef struct { uint8_t op; uint8_t a; int32_t imm; } insn;

static uint64_t run(const insn *code, uint64_t *vars) {
    uint64_t stack[64];
    uint32_t sp = 0;
    uint32_t pc = 0;
    for (;;) {
        const insn *i = &code[pc++];
        switch (i->op) {
        case OP_PUSH: stack[sp++] = (uint64_t)(int64_t)i->imm; break;
        case OP_LOAD: stack[sp++] = vars[i->a]; break;
        case OP_STORE: vars[i->a] = stack[--sp]; break;
        case OP_ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case OP_SUB: sp--; stack[sp - 1] -= stack[sp]; break;
        case OP_MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case OP_AND: sp--; stack[sp - 1] &= stack[sp]; break;
        case OP_XOR: sp--; stack[sp - 1] ^= stack[sp]; break;
        case OP_SHR: sp--; stack[sp - 1] >>= (stack[sp] & 63); break;
        case OP_SHL: sp--; stack[sp - 1] <<= (stack[sp] & 63); break;
        case OP_LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
        case OP_EQ: sp--; stack[sp - 1] = stack[sp - 1] == stack[sp]; break;
        case OP_JMP: pc = (uint32_t)i->imm; break;
        case OP_JZ: if (stack[--sp] == 0) pc = (uint32_t)i->imm; break;
        case OP_JNZ: if (stack[--sp] != 0) pc = (uint32_t)i->imm; break;
        case OP_DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case OP_DROP: sp--; break;
        case OP_SWAP: { uint64_t t = stack[sp - 1]; stack[sp - 1] = stack[sp - 2]; stack[sp - 2] = t; break; }
        case OP_INC: vars[i->a] += (uint64_t)(int64_t)i->imm; break;
        case OP_HALT: return sp ? stack[sp - 1] : 0;
        default: return ~0ull;
        }
    }
}

/* Variables: 0 = n, 1 = i, 2 = x, 3 = steps, 4 = hash. */
static insn program[64];
static uint32_t emit_at;
static void emit(uint8_t op, uint8_t a, int32_t imm) { program[emit_at].op = op; program[emit_at].a = a; program[emit_at].imm = imm; emit_at++; }

static void assemble(void) {
    emit_at = 0;
    emit(OP_PUSH, 0, 1); emit(OP_STORE, 1, 0);                 /* i = 1 */
    uint32_t outer = emit_at;                                   /* while i <= n */
    emit(OP_LOAD, 1, 0); emit(OP_LOAD, 0, 0); emit(OP_PUSH, 0, 1); emit(OP_ADD, 0, 0); emit(OP_LT, 0, 0);
    uint32_t exit_jz = emit_at; emit(OP_JZ, 0, 0);
    emit(OP_LOAD, 1, 0); emit(OP_STORE, 2, 0);                 /* x = i */
    emit(OP_PUSH, 0, 0); emit(OP_STORE, 3, 0);                 /* steps = 0 */
    uint32_t inner = emit_at;                                   /* while x != 1 */
    emit(OP_LOAD, 2, 0); emit(OP_PUSH, 0, 1); emit(OP_EQ, 0, 0);
    uint32_t inner_jnz = emit_at; emit(OP_JNZ, 0, 0);
    emit(OP_LOAD, 2, 0); emit(OP_PUSH, 0, 1); emit(OP_AND, 0, 0);
    uint32_t even_jz = emit_at; emit(OP_JZ, 0, 0);
    emit(OP_LOAD, 2, 0); emit(OP_PUSH, 0, 3); emit(OP_MUL, 0, 0); emit(OP_PUSH, 0, 1); emit(OP_ADD, 0, 0);
    emit(OP_STORE, 2, 0);                                       /* x = 3x + 1 */
    uint32_t odd_jmp = emit_at; emit(OP_JMP, 0, 0);
    program[even_jz].imm = (int32_t)emit_at;
    emit(OP_LOAD, 2, 0); emit(OP_PUSH, 0, 1); emit(OP_SHR, 0, 0); emit(OP_STORE, 2, 0); /* x = x / 2 */
    program[odd_jmp].imm = (int32_t)emit_at;
    emit(OP_INC, 3, 1);                                         /* steps += 1 */
    emit(OP_JMP, 0, (int32_t)inner);
    program[inner_jnz].imm = (int32_t)emit_at;
    /* hash = (hash * 31) ^ steps */
    emit(OP_LOAD, 4, 0); emit(OP_PUSH, 0, 31); emit(OP_MUL, 0, 0); emit(OP_LOAD, 3, 0); emit(OP_XOR, 0, 0);
    emit(OP_STORE, 4, 0);
    emit(OP_INC, 1, 1);
    emit(OP_JMP, 0, (int32_t)outer);
    program[exit_jz].imm = (int32_t)emit_at;
    emit(OP_LOAD, 4, 0);
    emit(OP_HALT, 0, 0);
}

static uint64_t direct(uint64_t n) {
    uint64_t hash = 0;
    for (uint64_t i = 1; i <= n; i++) {
        uint64_t x = i, steps = 0;
        while (x != 1) { x = (x & 1) ? 3 * x + 1 : x >> 1; steps++; }
        hash = hash * 31 ^ steps;
    }
    return hash;
}

uint64_t bench(uint64_t n) {
    assemble();
    uint64_t vars[8] = {0};
    vars[0] = n;
    uint64_t r = run(program, vars);
    uint64_t h = bench_mix(r, vars[1]);
    return bench_mix(h, direct(n / 64) ^ (r == direct(n) ? 0 : 1));
}
BENCH_EXPORT(bench)
