/* <math.h> for PolkaVM guests: the guest SDK's exact and correctly rounded functions (declared in
 * polkavm.h: sqrt, fabs, copysign, trunc, floor, ceil, round, fmin, fmax and float versions) and the
 * classification macros. There are no transcendental functions (sin, exp, log, pow, ...). */
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

#endif
