/* <math.h> for PolkaVM guests: the guest SDK's exact and correctly rounded functions (declared in
 * polkavm.h: sqrt, fabs, copysign, trunc, floor, ceil, round, fmin, fmax and float versions), fmod,
 * the transcendental functions of guest/polkavm_libm.c (within 1-3 ulp of the correctly rounded
 * result, see docs/LINKER.md) and the classification macros. */
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

#endif
