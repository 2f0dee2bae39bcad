/* <stdio.h> for PolkaVM guests: formatted output to the `polkavm run` streams (docs/HOSTCALLS.md)
 * through the guest SDK's polkavm_printf (no floating-point conversions), and no files. */
#ifndef POLKAVM_STDIO_H
#define POLKAVM_STDIO_H
#include <stdarg.h>
#include "../polkavm.h"

#define EOF (-1)
/* A stream is a host file descriptor: stdout and stderr exist. */
typedef struct polkavm_stream FILE;
#define stdout ((FILE *)(intptr_t)POLKAVM_STDOUT)
#define stderr ((FILE *)(intptr_t)POLKAVM_STDERR)

#define printf polkavm_printf
#define snprintf polkavm_snprintf
#define sprintf(buf, ...) polkavm_snprintf((buf), (size_t)-1, __VA_ARGS__)
int vsnprintf(char *buf, size_t size, const char *format, va_list ap) __attribute__((format(printf, 3, 0)));
int vprintf(const char *format, va_list ap) __attribute__((format(printf, 1, 0)));
int vfprintf(FILE *stream, const char *format, va_list ap) __attribute__((format(printf, 2, 0)));
int fprintf(FILE *stream, const char *format, ...) __attribute__((format(printf, 2, 3)));
int fputs(const char *s, FILE *stream);
int fputc(int c, FILE *stream);
#define putc fputc
int puts(const char *s);
int putchar(int c);

#endif
