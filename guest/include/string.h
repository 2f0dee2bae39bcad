/* <string.h> for PolkaVM guests (the guest SDK's freestanding C library, guest/polkavm_libc.c). */
#ifndef POLKAVM_STRING_H
#define POLKAVM_STRING_H
#include "../polkavm.h" /* memcpy, memmove, memset, memcmp, strlen, strcmp */

void *memchr(const void *s, int c, size_t n);
size_t strnlen(const char *s, size_t max);
int strncmp(const char *a, const char *b, size_t n);
char *strcpy(char *__restrict dst, const char *__restrict src);
char *strncpy(char *__restrict dst, const char *__restrict src, size_t n);
char *strcat(char *__restrict dst, const char *__restrict src);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);

#endif
