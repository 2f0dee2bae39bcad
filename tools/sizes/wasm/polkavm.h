/*
 * A wasm32 stand-in for guest/polkavm.h, used only to compare code sizes (docs/SIZES.md): imports
 * become wasm imports from module "env" with the same names, exports become wasm exports, the heap
 * grows wasm memory. guest/polkavm_libc.c is compiled against this header too.
 */
#ifndef POLKAVM_H
#define POLKAVM_H

#include <stddef.h>
#include <stdint.h>

#define POLKAVM_NO_MEMSET_INSTRUCTION 1
#define POLKAVM_EXPORT(ret, name, ...) ret name() __attribute__((export_name(#name)))
#define POLKAVM_MIN_STACK_SIZE(bytes) extern int polkavm__wasm_unused
#define POLKAVM_STDIN 0
#define POLKAVM_STDOUT 1
#define POLKAVM_STDERR 2

#define POLKAVM__WASM_IMPORT(name) __attribute__((import_module("env"), import_name(#name)))
intptr_t polkavm_write(intptr_t, const void *, size_t) POLKAVM__WASM_IMPORT(polkavm_write);
intptr_t polkavm_read(intptr_t, void *, size_t) POLKAVM__WASM_IMPORT(polkavm_read);
intptr_t polkavm_arg_count(void) POLKAVM__WASM_IMPORT(polkavm_arg_count);
intptr_t polkavm_arg_len(size_t) POLKAVM__WASM_IMPORT(polkavm_arg_len);
intptr_t polkavm_arg_read(size_t, void *, size_t) POLKAVM__WASM_IMPORT(polkavm_arg_read);
__attribute__((noreturn)) void polkavm_exit(int) POLKAVM__WASM_IMPORT(polkavm_exit);
#define polkavm_trap() __builtin_trap()

extern unsigned char __heap_base;
static inline uintptr_t polkavm_heap_base(void) { return (uintptr_t)&__heap_base; }
/* sbrk over memory.grow: the heap starts at __heap_base. */
static inline uintptr_t polkavm_sbrk(uintptr_t size) {
    static uintptr_t top;
    if (top == 0) top = (uintptr_t)&__heap_base;
    uintptr_t end = __builtin_wasm_memory_size(0) * 65536u;
    if (size > 0xffffffffu - top) return 0;
    if (top + size > end) {
        uintptr_t pages = (top + size - end + 65535u) / 65536u;
        if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) return 0;
    }
    top += size;
    return top;
}

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
/* The math functions guest/polkavm.h declares are single wasm instructions. */
#define sqrt(x) __builtin_sqrt(x)
#define sqrtf(x) __builtin_sqrtf(x)
#define fabs(x) __builtin_fabs(x)
#define fabsf(x) __builtin_fabsf(x)
#define copysign(x, y) __builtin_copysign((x), (y))
#define copysignf(x, y) __builtin_copysignf((x), (y))
#define trunc(x) __builtin_trunc(x)
#define floor(x) __builtin_floor(x)
#define ceil(x) __builtin_ceil(x)
#define truncf(x) __builtin_truncf(x)
#define floorf(x) __builtin_floorf(x)
#define ceilf(x) __builtin_ceilf(x)
#define fmin(x, y) __builtin_fmin((x), (y))
#define fmax(x, y) __builtin_fmax((x), (y))

#endif
