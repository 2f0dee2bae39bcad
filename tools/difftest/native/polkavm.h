/*
 * A native stand-in for guest/polkavm.h, for differential testing: the same C programs compiled as
 * freestanding Linux executables (riscv64, riscv32 under qemu-user, or x86-64), with the I/O host
 * calls implemented by Linux system calls and the heap by a static arena. The SDK's
 * guest/polkavm_libc.c is compiled against this header too (without the memset instruction).
 */
#ifndef POLKAVM_H
#define POLKAVM_H

#include <stddef.h>
#include <stdint.h>

#define POLKAVM_NATIVE 1
#define POLKAVM_NO_MEMSET_INSTRUCTION 1

/* Exports and the stack size request mean nothing natively. */
#define POLKAVM_EXPORT(ret, name, ...) extern int polkavm__native_unused
#define POLKAVM_MIN_STACK_SIZE(bytes) extern int polkavm__native_unused

#define POLKAVM_STDIN 0
#define POLKAVM_STDOUT 1
#define POLKAVM_STDERR 2
#define POLKAVM_EBADF 9
#define POLKAVM_EFAULT 14
#define POLKAVM_EINVAL 22

#if defined(__riscv)
#define POLKAVM__SYS_READ 63
#define POLKAVM__SYS_WRITE 64
#define POLKAVM__SYS_EXIT_GROUP 94
static inline intptr_t polkavm__syscall3(intptr_t n, intptr_t a, intptr_t b, intptr_t c) {
    register intptr_t a0 __asm__("a0") = a;
    register intptr_t a1 __asm__("a1") = b;
    register intptr_t a2 __asm__("a2") = c;
    register intptr_t a7 __asm__("a7") = n;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
    return a0;
}
#elif defined(__x86_64__)
#define POLKAVM__SYS_READ 0
#define POLKAVM__SYS_WRITE 1
#define POLKAVM__SYS_EXIT_GROUP 231
static inline intptr_t polkavm__syscall3(intptr_t n, intptr_t a, intptr_t b, intptr_t c) {
    intptr_t r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}
#else
#error "unsupported native architecture"
#endif

/* Set by _start (start.c). */
extern intptr_t polkavm__argc;
extern char **polkavm__argv;

static inline intptr_t polkavm_write(intptr_t fd, const void *buf, size_t len) {
    if (fd != 1 && fd != 2) return -POLKAVM_EBADF;
    size_t done = 0;
    while (done < len) {
        intptr_t n = polkavm__syscall3(POLKAVM__SYS_WRITE, fd, (intptr_t)((const char *)buf + done), (intptr_t)(len - done));
        if (n <= 0) return n;
        done += (size_t)n;
    }
    return (intptr_t)len;
}
static inline intptr_t polkavm_read(intptr_t fd, void *buf, size_t len) {
    if (fd != 0) return -POLKAVM_EBADF;
    return polkavm__syscall3(POLKAVM__SYS_READ, 0, (intptr_t)buf, (intptr_t)len);
}
static inline intptr_t polkavm_arg_count(void) { return polkavm__argc > 0 ? polkavm__argc - 1 : 0; }
static inline intptr_t polkavm__strlen(const char *s) {
    intptr_t n = 0;
    while (s[n]) n++;
    return n;
}
static inline intptr_t polkavm_arg_len(size_t i) {
    return (intptr_t)i < polkavm_arg_count() ? polkavm__strlen(polkavm__argv[i + 1]) : -POLKAVM_EINVAL;
}
static inline intptr_t polkavm_arg_read(size_t i, void *buf, size_t len) {
    intptr_t n = polkavm_arg_len(i);
    if (n < 0) return n;
    for (size_t k = 0; k < len && (intptr_t)k < n; k++) ((char *)buf)[k] = polkavm__argv[i + 1][k];
    return n;
}
static inline __attribute__((noreturn)) void polkavm_exit(int code) {
    for (;;) polkavm__syscall3(POLKAVM__SYS_EXIT_GROUP, code, 0, 0);
}
#define polkavm_trap() __builtin_trap()

/* The heap: a static arena (start.c) with sbrk's semantics (returns the new end, 0 when full). */
uintptr_t polkavm_sbrk(uintptr_t size);
uintptr_t polkavm_heap_base(void);

void *memcpy(void *__restrict dst, const void *__restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
void *malloc(size_t size);
void free(void *ptr);
void *calloc(size_t count, size_t size);
void *realloc(void *ptr, size_t size);
void polkavm_print(const char *s);
void polkavm_print_i64(int64_t v);
void polkavm_print_u64(uint64_t v);
void polkavm_print_hex(uint64_t v);
int polkavm_printf(const char *format, ...) __attribute__((format(printf, 1, 2)));
int polkavm_snprintf(char *buf, size_t size, const char *format, ...) __attribute__((format(printf, 3, 4)));

#endif
