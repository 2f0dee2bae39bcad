/* The native entry point for differential testing: records the arguments, calls main() (or the
 * function named by -DENTRY=...), exits with its result. */
#include "polkavm.h"

#ifndef ENTRY
#define ENTRY main
#endif

int ENTRY(void);

intptr_t polkavm__argc;
char **polkavm__argv;

#define ARENA_SIZE (64u << 20)
static unsigned char arena[ARENA_SIZE] __attribute__((aligned(16)));
static uintptr_t heap_size;

/* Like PolkaVM, the heap base is not aligned (1 byte in), so the allocator's alignment code runs. */
uintptr_t polkavm_heap_base(void) { return (uintptr_t)arena + 1; }

uintptr_t polkavm_sbrk(uintptr_t size) {
    if (size > ARENA_SIZE - 1 - heap_size) return 0;
    heap_size += size;
    return polkavm_heap_base() + heap_size;
}

__attribute__((used)) void polkavm__start_c(uintptr_t *sp) {
    polkavm__argc = (intptr_t)sp[0];
    polkavm__argv = (char **)(sp + 1);
    polkavm_exit(ENTRY());
}

#if defined(__riscv)
__asm__(".globl _start\n_start:\n  mv a0, sp\n  andi sp, sp, -16\n  call polkavm__start_c\n  unimp\n");
#else
__asm__(".globl _start\n_start:\n  mov %rsp, %rdi\n  and $-16, %rsp\n  call polkavm__start_c\n  ud2\n");
#endif
