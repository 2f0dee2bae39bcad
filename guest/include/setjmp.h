/* <setjmp.h> for PolkaVM guests. A jmp_buf holds the registers a call preserves in the RISC-V E ABI
 * (ra, sp, s0, s1); longjmp returns through the saved ra, which the linker made a jump-table address. */
#ifndef POLKAVM_SETJMP_H
#define POLKAVM_SETJMP_H

typedef long jmp_buf[4];

int setjmp(jmp_buf env) __attribute__((returns_twice));
__attribute__((noreturn)) void longjmp(jmp_buf env, int value);
#define _setjmp setjmp
#define _longjmp longjmp

#endif
