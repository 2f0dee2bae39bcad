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
char *strncat(char *__restrict dst, const char *__restrict src, size_t n);
size_t strspn(const char *s, const char *accept);
size_t strcspn(const char *s, const char *reject);
char *strpbrk(const char *s, const char *set);
char *strtok(char *__restrict s, const char *__restrict delimiters);
char *strtok_r(char *__restrict s, const char *__restrict delimiters, char **__restrict state);
char *strdup(const char *s);
char *strndup(const char *s, size_t n);
int strcasecmp(const char *a, const char *b);
int strncasecmp(const char *a, const char *b, size_t n);
int strcoll(const char *a, const char *b);
size_t strxfrm(char *__restrict dst, const char *__restrict src, size_t n);
void *memrchr(const void *s, int c, size_t n);
/* There is no errno; the messages cover the host calls' error values. */
char *strerror(int error);

#endif
