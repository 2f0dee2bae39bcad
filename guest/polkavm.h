/*
 * polkavm.h — the guest SDK for C programs that run on PolkaVM.
 *
 * Build guests with `polkavm build prog.c -o prog.polkavm` (which adds this directory and, for the
 * standard headers string.h, stdlib.h, stdio.h, math.h, ctype.h and assert.h, guest/include to the
 * include path, and links `polkavm_libc.c`), or by hand:
 *
 *   clang --target=riscv64-unknown-none-elf -march=rv64emac_zbb_xtheadcondmov -mabi=lp64e \
 *         -ffreestanding -nostdlib -fPIC -fvisibility=hidden -ffunction-sections -fdata-sections -Os \
 *         -I guest -isystem guest/include -c prog.c guest/polkavm_libc.c
 *   polkavm link prog.o polkavm_libc.o -o prog.polkavm
 *
 * (32-bit: --target=riscv32-unknown-none-elf -march=rv32emac_zbb_xtheadcondmov -mabi=ilp32e.)
 *
 * What this header gives you:
 *
 *   POLKAVM_IMPORT(ret, name, argtypes...)                  a host function the guest calls (`ecalli`)
 *   POLKAVM_IMPORT_WITH_INDEX(index, ret, name, argtypes...)  ... with a fixed import index
 *   POLKAVM_EXPORT(ret, name, argtypes...)                  an entry point the host calls
 *   POLKAVM_MIN_STACK_SIZE(bytes)                           ask for at least this much stack
 *   polkavm_sbrk, polkavm_heap_base                         the heap custom instructions
 *   memcpy, memmove, memset, memcmp, strlen, malloc, ...    a freestanding C library (polkavm_libc.c)
 *   float, double, __int128                                 work: the soft-float and 128-bit helpers
 *                                                           the compiler calls are in polkavm_softfloat.c
 *                                                           (IEEE 754, round to nearest even; no libm)
 *   polkavm_write, polkavm_read, polkavm_arg_*, polkavm_exit  the `polkavm run` I/O host calls
 *                                                           (docs/HOSTCALLS.md)
 *   polkavm_print*, polkavm_printf                          small formatting helpers on top of them
 *
 * Everything the macros emit follows upstream PolkaVM's binary conventions, so the resulting ELF files
 * can also be linked by upstream's `polkatool link`:
 *
 *   - `.polkavm_metadata` holds packed, little-endian extern-function records:
 *       V1: u8 version=1, u32 flags=0, u32 symbol_length, ptr symbol, u8 input_regs, u8 output_regs
 *       V2: the V1 fields (version=2), then u8 has_index, u32 index
 *     where `ptr` is pointer-sized (4 bytes on rv32, 8 on rv64) and carries an absolute relocation.
 *   - `.polkavm_exports` holds records `u8 version=1, ptr metadata, ptr function`.
 *   - an import call site is the 4-byte word 0x0000000B (RISC-V custom-0, all registers x0) followed by
 *     a pointer-sized slot relocated to the import's metadata, then `ret`; the linker turns it into
 *     `ecalli <index>`.
 *   - `.polkavm_min_stack_size` holds u32 values; the linker takes the maximum.
 *
 * Register limits. A value takes one register if it fits in a pointer, else two (the low half first):
 * on rv32 a 64-bit argument or result takes two. PolkaVM passes up to 9 argument registers
 * (a0..a5, t0..t2) and 2 result registers (a0, a1), but the C calling convention of the E ABIs
 * (ilp32e/lp64e) only passes 6 in registers (a0..a5), so C imports and exports are limited to 6
 * argument registers and 2 result registers; the macros check this at compile time.
 */
#ifndef POLKAVM_H
#define POLKAVM_H

#include <stddef.h>
#include <stdint.h>

#if !defined(__riscv)
#error "polkavm.h is for RISC-V guest code (--target=riscv64-unknown-none-elf or riscv32-unknown-none-elf)"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------- */
/* Internal helpers (names starting with POLKAVM__ are not part of the API).                       */

#define POLKAVM__CAT_(a, b) a##b
#define POLKAVM__CAT(a, b) POLKAVM__CAT_(a, b)
#define POLKAVM__STR_(x) #x
#define POLKAVM__STR(x) POLKAVM__STR_(x)

#if __riscv_xlen == 64
#define POLKAVM__PTR_DIRECTIVE ".8byte"
#else
#define POLKAVM__PTR_DIRECTIVE ".4byte"
#endif

/* The number of arguments, 0..6. */
#define POLKAVM__NARGS(...) POLKAVM__NARGS_(__VA_ARGS__ __VA_OPT__(,) 6, 5, 4, 3, 2, 1, 0)
#define POLKAVM__NARGS_(a1, a2, a3, a4, a5, a6, n, ...) n

/* How many registers a value of type T occupies. */
#define POLKAVM__REGS(T) (sizeof(T) > sizeof(void *) ? 2 : 1)
/* How many result registers a return type needs (void: 0). */
#define POLKAVM__RET_REGS(T) (__builtin_types_compatible_p(T, void) ? 0 : POLKAVM__REGS(T))

#define POLKAVM__REGSUM_0() 0
#define POLKAVM__REGSUM_1(a) POLKAVM__REGS(a)
#define POLKAVM__REGSUM_2(a, b) POLKAVM__REGS(a) + POLKAVM__REGS(b)
#define POLKAVM__REGSUM_3(a, b, c) POLKAVM__REGSUM_2(a, b) + POLKAVM__REGS(c)
#define POLKAVM__REGSUM_4(a, b, c, d) POLKAVM__REGSUM_3(a, b, c) + POLKAVM__REGS(d)
#define POLKAVM__REGSUM_5(a, b, c, d, e) POLKAVM__REGSUM_4(a, b, c, d) + POLKAVM__REGS(e)
#define POLKAVM__REGSUM_6(a, b, c, d, e, f) POLKAVM__REGSUM_5(a, b, c, d, e) + POLKAVM__REGS(f)
/* The number of argument registers for a list of parameter types. */
#define POLKAVM__ARG_REGS(...) (POLKAVM__CAT(POLKAVM__REGSUM_, POLKAVM__NARGS(__VA_ARGS__))(__VA_ARGS__))

#define POLKAVM__PARAMS_0() void
#define POLKAVM__PARAMS_1(a) a p1
#define POLKAVM__PARAMS_2(a, b) a p1, b p2
#define POLKAVM__PARAMS_3(a, b, c) a p1, b p2, c p3
#define POLKAVM__PARAMS_4(a, b, c, d) a p1, b p2, c p3, d p4
#define POLKAVM__PARAMS_5(a, b, c, d, e) a p1, b p2, c p3, d p4, e p5
#define POLKAVM__PARAMS_6(a, b, c, d, e, f) a p1, b p2, c p3, d p4, e p5, f p6
/* A named parameter list `T1 p1, T2 p2, ...` (or `void`). */
#define POLKAVM__PARAMS(...) POLKAVM__CAT(POLKAVM__PARAMS_, POLKAVM__NARGS(__VA_ARGS__))(__VA_ARGS__)
/* An unnamed parameter list `T1, T2, ...` (or `void`). */
#define POLKAVM__TYPES(...) __VA_OPT__(__VA_ARGS__) POLKAVM__TYPES_VOID_IF_EMPTY(__VA_ARGS__)
#define POLKAVM__TYPES_VOID_IF_EMPTY(...) POLKAVM__CAT(POLKAVM__TYPES_VOID_, POLKAVM__NARGS(__VA_ARGS__))
#define POLKAVM__TYPES_VOID_0 void
#define POLKAVM__TYPES_VOID_1
#define POLKAVM__TYPES_VOID_2
#define POLKAVM__TYPES_VOID_3
#define POLKAVM__TYPES_VOID_4
#define POLKAVM__TYPES_VOID_5
#define POLKAVM__TYPES_VOID_6

/* Attributes for the records nothing references: `used` keeps them in the object file, `retain`
 * (SHF_GNU_RETAIN, where the compiler knows it) keeps them through GNU ld's --gc-sections. */
#if defined(__has_attribute)
#if __has_attribute(retain)
#define POLKAVM__KEEP used, retain
#endif
#endif
#ifndef POLKAVM__KEEP
#define POLKAVM__KEEP used
#endif

/* The extern-function metadata records (see the top of this file). */
struct polkavm_metadata_v1 {
    uint8_t version;
    uint32_t flags;
    uint32_t symbol_length;
    const char *symbol;
    uint8_t input_regs;
    uint8_t output_regs;
} __attribute__((packed));

struct polkavm_metadata_v2 {
    uint8_t version;
    uint32_t flags;
    uint32_t symbol_length;
    const char *symbol;
    uint8_t input_regs;
    uint8_t output_regs;
    uint8_t has_index;
    uint32_t index;
} __attribute__((packed));

/* One `.polkavm_exports` record. */
struct polkavm_export_record {
    uint8_t version;
    const void *metadata;
    const void *function;
} __attribute__((packed));

#define POLKAVM__CHECK_REGS(what, name, in, out)                                                        \
    _Static_assert((in) <= 6, what " '" #name "' needs more than 6 argument registers");                 \
    _Static_assert((out) <= 2, what " '" #name "' needs more than 2 result registers")

/* The import stub: `0x0000000B`, a pointer to the metadata, `ret`. It is a naked function, so a call
 * to it passes the arguments in a0..a5 exactly as the host expects them and gets a0/a1 back. */
#define POLKAVM__IMPORT_STUB(ret, cname, meta, ...)                                                     \
    static ret __attribute__((naked, noinline, unused)) cname(POLKAVM__PARAMS(__VA_ARGS__)) {          \
        __asm__ volatile(".4byte 0x0000000b\n\t" POLKAVM__PTR_DIRECTIVE " %0\n\tret" : : "i"(&meta));   \
    }

#define POLKAVM__IMPORT_V1(ret, cname, symbol, ...)                                                     \
    POLKAVM__CHECK_REGS("import", cname, POLKAVM__ARG_REGS(__VA_ARGS__), POLKAVM__RET_REGS(ret));       \
    static const char cname##__polkavm_symbol[] __attribute__((section(".polkavm_metadata"))) = symbol;  \
    static const struct polkavm_metadata_v1 cname##__polkavm_metadata                                    \
        __attribute__((section(".polkavm_metadata"), aligned(1))) = {                                    \
            1, 0, sizeof(symbol) - 1, cname##__polkavm_symbol,                                          \
            POLKAVM__ARG_REGS(__VA_ARGS__), POLKAVM__RET_REGS(ret)};                                    \
    POLKAVM__IMPORT_STUB(ret, cname, cname##__polkavm_metadata, __VA_ARGS__)

#define POLKAVM__IMPORT_V2(index, ret, cname, symbol, ...)                                              \
    POLKAVM__CHECK_REGS("import", cname, POLKAVM__ARG_REGS(__VA_ARGS__), POLKAVM__RET_REGS(ret));       \
    static const char cname##__polkavm_symbol[] __attribute__((section(".polkavm_metadata"))) = symbol;  \
    static const struct polkavm_metadata_v2 cname##__polkavm_metadata                                    \
        __attribute__((section(".polkavm_metadata"), aligned(1))) = {                                    \
            2, 0, sizeof(symbol) - 1, cname##__polkavm_symbol,                                          \
            POLKAVM__ARG_REGS(__VA_ARGS__), POLKAVM__RET_REGS(ret), 1, (index)};                        \
    POLKAVM__IMPORT_STUB(ret, cname, cname##__polkavm_metadata, __VA_ARGS__)

/* ---------------------------------------------------------------------------------------------- */
/* Imports and exports.                                                                             */

/*
 * POLKAVM_IMPORT(ret, name, argtypes...)
 *
 * Declares the host function `name` (the import's symbol is the same string) as a static C function
 * `ret name(argtypes...)`. Calling it executes `ecalli <index>`; the linker numbers the imports the
 * program actually uses by sorting their symbols (metadata V1). Example:
 *
 *   POLKAVM_IMPORT(uint64_t, get_number, uint64_t)
 *   ... uint64_t n = get_number(41); ...
 *
 * Up to 6 argument registers and 2 result registers (see the top of this file). Argument and result
 * types should be integers or pointers (a pointer is a guest address, which the host reads with
 * `readMemory`). Unused imports cost nothing: they are not emitted.
 */
#define POLKAVM_IMPORT(ret, name, ...) POLKAVM__IMPORT_V1(ret, name, #name, __VA_ARGS__)

/*
 * POLKAVM_IMPORT_WITH_INDEX(index, ret, name, argtypes...)
 *
 * Like POLKAVM_IMPORT, but the import always gets `ecalli index` (metadata V2). If any import of a
 * program has an index, all of them must; gaps are filled with unnamed imports.
 */
#define POLKAVM_IMPORT_WITH_INDEX(index, ret, name, ...) POLKAVM__IMPORT_V2(index, ret, name, #name, __VA_ARGS__)

/*
 * POLKAVM_IMPORT_AS(ret, cname, "symbol", argtypes...)
 *
 * Like POLKAVM_IMPORT, but the C name and the import's symbol differ.
 */
#define POLKAVM_IMPORT_AS(ret, cname, symbol, ...) POLKAVM__IMPORT_V1(ret, cname, symbol, __VA_ARGS__)

/*
 * POLKAVM_EXPORT(ret, name, argtypes...)
 *
 * Declares `ret name(argtypes...)` and makes it an entry point the host can call by the name `name`
 * (arguments in a0..a5, results in a0/a1). Define the function as usual, before or after:
 *
 *   POLKAVM_EXPORT(uint64_t, add, uint64_t, uint64_t)
 *   uint64_t add(uint64_t a, uint64_t b) { return a + b; }
 *
 * Exported functions must not be `static`.
 */
#define POLKAVM_EXPORT(ret, name, ...)                                                                  \
    ret name(POLKAVM__TYPES(__VA_ARGS__));                                                              \
    POLKAVM__CHECK_REGS("export", name, POLKAVM__ARG_REGS(__VA_ARGS__), POLKAVM__RET_REGS(ret));        \
    static const char name##__polkavm_export_symbol[] __attribute__((section(".polkavm_metadata"))) = #name; \
    static const struct polkavm_metadata_v1 name##__polkavm_export_metadata                             \
        __attribute__((section(".polkavm_metadata"), aligned(1))) = {                                    \
            1, 0, sizeof(#name) - 1, name##__polkavm_export_symbol,                                     \
            POLKAVM__ARG_REGS(__VA_ARGS__), POLKAVM__RET_REGS(ret)};                                    \
    static const struct polkavm_export_record name##__polkavm_export                                     \
        __attribute__((POLKAVM__KEEP, section(".polkavm_exports"), aligned(1))) = {                      \
            1, &name##__polkavm_export_metadata, (const void *)&name}

/*
 * POLKAVM_MIN_STACK_SIZE(bytes)
 *
 * Asks for a stack of at least `bytes` (the linker takes the maximum over all requests and its own
 * minimum, rounded up to 4 KiB). Use at file scope, once or more.
 */
#define POLKAVM_MIN_STACK_SIZE(bytes)                                                                   \
    static const uint32_t POLKAVM__CAT(polkavm__min_stack_size_, __COUNTER__)                          \
        __attribute__((POLKAVM__KEEP, section(".polkavm_min_stack_size"), aligned(4))) = (bytes)

/* ---------------------------------------------------------------------------------------------- */
/* Heap custom instructions (RISC-V custom-0, lowered by the linker; latest32/latest64 only).       */

/*
 * Grows the heap by `size` bytes and returns the NEW end of the heap (so the new bytes are
 * `[result - size, result)`), or 0 if the heap cannot grow (nothing changes then). `polkavm_sbrk(0)`
 * returns the current end. New memory reads as zero. The heap starts right after the program's
 * writable data (not page-aligned).
 */
static inline uintptr_t polkavm_sbrk(uintptr_t size) {
    uintptr_t result;
    __asm__ volatile(".insn r 0x0b, 1, 0, %0, %1, x0" : "=r"(result) : "r"(size) : "memory");
#if __riscv_xlen == 64
    result &= 0xffffffffu; /* a top >= 2 GiB comes back sign-extended on 64-bit targets */
#endif
    return result;
}

/* The address where the heap starts (the end of the program's writable data). */
static inline uintptr_t polkavm_heap_base(void) {
    uintptr_t result;
    __asm__(".insn r 0x0b, 3, 0, %0, x0, x0" : "=r"(result));
    return result;
}

/* Stops the program with a trap (PolkaVM `trap`). */
#define polkavm_trap() __builtin_trap()

/* ---------------------------------------------------------------------------------------------- */
/* The freestanding C library (guest/polkavm_libc.c).                                               */

void *memcpy(void *__restrict dst, const void *__restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
/* Uses PolkaVM's `memset` instruction. */
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

/*
 * Guests are compiled freestanding, where clang does not treat these names as builtins; these macros
 * let it inline small fixed-size copies and fills (define POLKAVM_NO_BUILTIN_MACROS to opt out).
 */
#ifndef POLKAVM_NO_BUILTIN_MACROS
#define memcpy(d, s, n) __builtin_memcpy((d), (s), (n))
#define memmove(d, s, n) __builtin_memmove((d), (s), (n))
#define memset(d, c, n) __builtin_memset((d), (c), (n))
#define memcmp(a, b, n) __builtin_memcmp((a), (b), (n))
#define strlen(s) __builtin_strlen((s))
#endif

/*
 * Floating point: `float` and `double` arithmetic, comparisons and conversions work through the
 * soft-float helpers in polkavm_softfloat.c (IEEE 754, round to nearest even, canonical NaNs; see
 * docs/LINKER.md). The math functions below are the ones whose results are exact or correctly
 * rounded; they are weak definitions, so a program may define its own. exp, log, sin, cos, tan, atan,
 * atan2, pow, fmod and friends are in polkavm_libm.c, declared by <math.h> (guest/include).
 * Each operation is a call of a few dozen guest instructions (normal operands: a double +/- about 60
 * on rv64, * 45, / 75, sqrt 110; float +, -, *, / 50 to 80 on either target; double arithmetic on
 * rv32 several times as much), so floating-point-heavy code runs one to two orders of magnitude
 * slower than integer code of the same shape.
 */
double sqrt(double x);
float sqrtf(float x);
double fabs(double x);
float fabsf(float x);
double copysign(double x, double y);
float copysignf(float x, float y);
double trunc(double x);
double floor(double x);
double ceil(double x);
double round(double x); /* halfway cases away from zero */
float truncf(float x);
float floorf(float x);
float ceilf(float x);
float roundf(float x);
double fmin(double x, double y); /* a NaN operand is ignored; -0 < +0 */
double fmax(double x, double y);
float fminf(float x, float y);
float fmaxf(float x, float y);

/*
 * A size-class allocator on top of `polkavm_sbrk`: blocks are rounded up to a power of two (at least
 * 16 bytes of payload) and freed blocks are reused for requests of the same class; memory is never
 * returned to the host. Alignment: 16 bytes on rv64, 8 on rv32. malloc returns NULL when the heap
 * cannot grow (the host's maximum heap size, or the 4 GiB address space).
 */
void *malloc(size_t size);
void free(void *ptr);
void *calloc(size_t count, size_t size);
void *realloc(void *ptr, size_t size);

/* ---------------------------------------------------------------------------------------------- */
/* The `polkavm run` I/O interface (docs/HOSTCALLS.md). Other hosts may not provide these.          */

/* File descriptors understood by polkavm_write/polkavm_read. */
#define POLKAVM_STDIN 0
#define POLKAVM_STDOUT 1
#define POLKAVM_STDERR 2

/* Error results (negated, like Linux errno values). */
#define POLKAVM_EBADF 9   /* not a descriptor the host supports for this operation */
#define POLKAVM_EFAULT 14 /* the buffer is not accessible guest memory */
#define POLKAVM_EINVAL 22 /* an argument index out of range */

/* Writes `len` bytes at `buf` to stdout (fd 1) or stderr (fd 2). Returns `len`, or -EBADF/-EFAULT. */
POLKAVM_IMPORT(intptr_t, polkavm_write, intptr_t, const void *, size_t)
/* Reads up to `len` bytes from stdin (fd 0) into `buf`. Returns the count (0 at end of input), or
 * -EBADF/-EFAULT. */
POLKAVM_IMPORT(intptr_t, polkavm_read, intptr_t, void *, size_t)
/* The number of program arguments (the words after `--` on the `polkavm run` command line). */
POLKAVM_IMPORT(intptr_t, polkavm_arg_count)
/* The length in bytes of argument `index`, or -EINVAL. */
POLKAVM_IMPORT(intptr_t, polkavm_arg_len, size_t)
/* Copies min(len, length of argument `index`) bytes of the argument to `buf` (no terminating NUL)
 * and returns the argument's full length, or -EINVAL/-EFAULT. */
POLKAVM_IMPORT(intptr_t, polkavm_arg_read, size_t, void *, size_t)
/* The raw exit host call; use polkavm_exit. */
POLKAVM_IMPORT_AS(void, polkavm__exit_import, "polkavm_exit", intptr_t)

/* Ends the program with the exit status `code` (the host does not resume the guest). */
static inline __attribute__((noreturn, unused)) void polkavm_exit(int code) {
    polkavm__exit_import(code);
    __builtin_trap();
}

/* ---------------------------------------------------------------------------------------------- */
/* Output helpers (guest/polkavm_libc.c), all writing to stdout.                                   */

/* Writes a NUL-terminated string. */
void polkavm_print(const char *s);
/* Writes a signed / unsigned decimal number, or a hexadecimal number (no prefix). */
void polkavm_print_i64(int64_t v);
void polkavm_print_u64(uint64_t v);
void polkavm_print_hex(uint64_t v);
/*
 * A small printf: %d %i %u %o %x %X %b %B %c %s %p %n %%, the flags - + space # 0, a width and a
 * precision (either may be *), and the length modifiers hh h l ll j z t. No floating point: a %f, %e,
 * %g or %a directive is written as it stands and its argument skipped. <stdio.h>'s printf, snprintf
 * and friends add the floating-point conversions (exact, as glibc prints them) for 3-4 KB more
 * code. Returns the number of bytes written.
 * polkavm_snprintf formats into a buffer (always NUL-terminated if `size` > 0) and returns the length
 * the full output would have.
 */
int polkavm_printf(const char *format, ...) __attribute__((format(printf, 1, 2)));
int polkavm_snprintf(char *buf, size_t size, const char *format, ...) __attribute__((format(printf, 3, 4)));

#ifdef __cplusplus
}
#endif

#endif /* POLKAVM_H */
