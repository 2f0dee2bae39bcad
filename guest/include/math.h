/* <math.h> for PolkaVM guests: the guest SDK's exact and correctly rounded functions (declared in
 * polkavm.h: sqrt, fabs, copysign, trunc, floor, ceil, round, fmin, fmax and float versions), fmod,
 * ldexp, frexp, modf and the rint family, the transcendental functions of guest/polkavm_libm.c (within
 * 1-3 ulp of the correctly rounded result, see docs/LINKER.md) and the classification macros. */
#ifndef POLKAVM_MATH_H
#define POLKAVM_MATH_H
#include "../polkavm.h"

#define NAN __builtin_nanf("")
#define INFINITY __builtin_inff()
#define HUGE_VAL __builtin_huge_val()
#define HUGE_VALF __builtin_huge_valf()
#define isnan(x) __builtin_isnan(x)
#define isinf(x) __builtin_isinf(x)
#define isfinite(x) __builtin_isfinite(x)
#define signbit(x) __builtin_signbit(x)
#define M_E 2.71828182845904523536
#define M_LN2 0.693147180559945309417
#define M_PI 3.14159265358979323846
#define M_PI_2 1.57079632679489661923
#define M_SQRT2 1.41421356237309504880

double exp(double x);
double log(double x);
double log2(double x);
double log10(double x);
double sin(double x);
double cos(double x);
double tan(double x);
double atan(double x);
double atan2(double y, double x);
double pow(double x, double y);
double fmod(double x, double y);
float expf(float x);
float logf(float x);
float log2f(float x);
float log10f(float x);
float sinf(float x);
float cosf(float x);
float tanf(float x);
float atanf(float x);
float atan2f(float y, float x);
float powf(float x, float y);
float fmodf(float x, float y);
double expm1(double x);
double log1p(double x);
double exp2(double x);
double sinh(double x);
double cosh(double x);
double tanh(double x);
double asinh(double x);
double acosh(double x);
double atanh(double x);
double asin(double x);
double acos(double x);
double hypot(double x, double y);
double cbrt(double x);
float expm1f(float x);
float log1pf(float x);
float exp2f(float x);
float sinhf(float x);
float coshf(float x);
float tanhf(float x);
float asinhf(float x);
float acoshf(float x);
float atanhf(float x);
float asinf(float x);
float acosf(float x);
float hypotf(float x, float y);
float cbrtf(float x);
/* Exact: scaling by a power of two, splitting, and rounding to an integer (ties to even). */
double ldexp(double x, int e);
double scalbn(double x, int e);
double scalbln(double x, long e);
double frexp(double x, int *e);
double modf(double x, double *integral);
double rint(double x);
double nearbyint(double x);
float rintf(float x);
float nearbyintf(float x);
long lrint(double x);
long long llrint(double x);
long lround(double x);
long long llround(double x);

#endif
