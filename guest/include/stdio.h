/* <stdio.h> for PolkaVM guests: formatted output to the `polkavm run` streams and input from stdin
 * (docs/HOSTCALLS.md), with all of C's conversions (floating point included: exact, as glibc prints),
 * and no files. The SDK's own polkavm_printf (polkavm.h) is the smaller choice for programs that print
 * no floating point. */
#ifndef POLKAVM_STDIO_H
#define POLKAVM_STDIO_H
#include <stdarg.h>
#include "../polkavm.h"

#define EOF (-1)
/* A stream is a host file descriptor: stdin, stdout and stderr exist. */
typedef struct polkavm_stream FILE;
#define stdin ((FILE *)(intptr_t)POLKAVM_STDIN)
#define stdout ((FILE *)(intptr_t)POLKAVM_STDOUT)
#define stderr ((FILE *)(intptr_t)POLKAVM_STDERR)

int printf(const char *format, ...) __attribute__((format(printf, 1, 2)));
int fprintf(FILE *stream, const char *format, ...) __attribute__((format(printf, 2, 3)));
int snprintf(char *buf, size_t size, const char *format, ...) __attribute__((format(printf, 3, 4)));
int sprintf(char *buf, const char *format, ...) __attribute__((format(printf, 2, 3)));
int vprintf(const char *format, va_list ap) __attribute__((format(printf, 1, 0)));
int vfprintf(FILE *stream, const char *format, va_list ap) __attribute__((format(printf, 2, 0)));
int vsnprintf(char *buf, size_t size, const char *format, va_list ap) __attribute__((format(printf, 3, 0)));
int vsprintf(char *buf, const char *format, va_list ap) __attribute__((format(printf, 2, 0)));
size_t fwrite(const void *data, size_t size, size_t count, FILE *stream);
/* Reading formatted input from a string: %d %i %u %o %x %p, %f %e %g %a (float, or double with l),
 * %s %c %[set] and %n, with *, a width and the length modifiers; no %L. */
int sscanf(const char *__restrict input, const char *__restrict format, ...) __attribute__((format(scanf, 2, 3)));
int vsscanf(const char *__restrict input, const char *__restrict format, va_list ap) __attribute__((format(scanf, 2, 0)));
int fputs(const char *s, FILE *stream);
int fputc(int c, FILE *stream);
#define putc fputc
int puts(const char *s);
int putchar(int c);
/* Output is written by each call, so fflush has nothing to do. */
int fflush(FILE *stream);

/* Input from stdin: getchar, fgetc and fgets read a byte per host call (so that interactive input
 * works line by line); fread asks for its whole count at once. */
int fgetc(FILE *stream);
#define getc fgetc
int getchar(void);
int ungetc(int c, FILE *stream);
char *fgets(char *buf, int size, FILE *stream);
size_t fread(void *data, size_t size, size_t count, FILE *stream);
int feof(FILE *stream);
int ferror(FILE *stream);

#endif
