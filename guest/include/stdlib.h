/* <stdlib.h> for PolkaVM guests (the guest SDK's freestanding C library, guest/polkavm_libc.c). */
#ifndef POLKAVM_STDLIB_H
#define POLKAVM_STDLIB_H
#include "../polkavm.h" /* malloc, calloc, realloc, free, polkavm_exit */

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
#define RAND_MAX 0x7fffffff

/* Ends the program with `status` (the `polkavm_exit` host call of docs/HOSTCALLS.md). */
/* Runs the atexit handlers (last registered first), then ends the program with `status`. */
__attribute__((noreturn)) void exit(int status);
int atexit(void (*handler)(void));
/* Stops the program with a trap. */
static inline __attribute__((noreturn, unused)) void abort(void) { polkavm_trap(); }

static inline __attribute__((unused)) int abs(int x) { return x < 0 ? -x : x; }
static inline __attribute__((unused)) long labs(long x) { return x < 0 ? -x : x; }
static inline __attribute__((unused)) long long llabs(long long x) { return x < 0 ? -x : x; }

long strtol(const char *__restrict s, char **__restrict end, int base);
unsigned long strtoul(const char *__restrict s, char **__restrict end, int base);
long long strtoll(const char *__restrict s, char **__restrict end, int base);
unsigned long long strtoull(const char *__restrict s, char **__restrict end, int base);
/* The nearest double / float to a decimal or hexadecimal numeral (also inf, infinity, nan); exact
 * (round to nearest, ties to even). No errno: check for infinity or zero instead. */
double strtod(const char *__restrict s, char **__restrict end);
float strtof(const char *__restrict s, char **__restrict end);
double atof(const char *s);
int atoi(const char *s);
long atol(const char *s);
long long atoll(const char *s);

typedef struct {
    int quot, rem;
} div_t;
typedef struct {
    long quot, rem;
} ldiv_t;
typedef struct {
    long long quot, rem;
} lldiv_t;
div_t div(int n, int d);
ldiv_t ldiv(long n, long d);
lldiv_t lldiv(long long n, long long d);

/* A guest has no environment: always NULL. */
char *getenv(const char *name);

void qsort(void *base, size_t count, size_t size, int (*compare)(const void *, const void *));
void *bsearch(const void *key, const void *base, size_t count, size_t size, int (*compare)(const void *, const void *));

/* A deterministic generator (the same sequence on every run, from seed 1 unless srand is called). */
int rand(void);
void srand(unsigned seed);
long random(void);
void srandom(unsigned seed);

#endif
