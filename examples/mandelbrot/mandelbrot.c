/* Floating point in a guest: an ASCII picture of the Mandelbrot set in double arithmetic, Newton's
 * square root against the SDK's sqrt, and a float sum. PolkaVM has no floating-point instructions:
 * clang compiles these operations into calls to the SDK's soft-float helpers (guest/polkavm_softfloat.c),
 * which give the same bits as IEEE 754 hardware. polkavm_printf has no %f, so values are printed
 * as scaled integers. */
#include "polkavm.h"

POLKAVM_EXPORT(int, main);

/* Iterations before z = z^2 + c leaves the radius-2 disc (at most `limit`). */
static int escape_time(double cr, double ci, int limit) {
    double zr = 0.0, zi = 0.0;
    for (int n = 0; n < limit; n++) {
        double zr2 = zr * zr, zi2 = zi * zi;
        if (zr2 + zi2 > 4.0) return n;
        zi = 2.0 * zr * zi + ci;
        zr = zr2 - zi2 + cr;
    }
    return limit;
}

/* Newton's method for sqrt(x), x > 0: iterate until the estimate stops changing. */
static double newton_sqrt(double x, int *steps) {
    double y = x > 1.0 ? x / 2.0 : 1.0;
    for (*steps = 0; *steps < 100; (*steps)++) {
        double next = 0.5 * (y + x / y);
        if (next == y) break;
        y = next;
    }
    return y;
}

int main(void) {
    static const char shades[] = " .:-=+*#%@";
    const int width = 64, height = 24, limit = 200;
    long total = 0;
    for (int row = 0; row < height; row++) {
        char line[80];
        for (int col = 0; col < width; col++) {
            double cr = -2.2 + 3.0 * col / (width - 1);
            double ci = -1.2 + 2.4 * row / (height - 1);
            int n = escape_time(cr, ci, limit);
            total += n;
            line[col] = n == limit ? '@' : shades[n % 9];
        }
        line[width] = 0;
        polkavm_printf("%s\n", line);
    }
    polkavm_printf("iterations: %ld\n", total);

    for (int k = 2; k <= 10; k += 4) {
        int steps;
        double y = newton_sqrt((double)k, &steps);
        polkavm_printf("sqrt(%d): newton %lld (%d steps), sqrt %lld, same bits: %s\n", k,
                       (long long)(y * 1e15), steps, (long long)(sqrt((double)k) * 1e15), y == sqrt((double)k) ? "yes" : "no");
    }

    float sum = 0.0f;
    for (int i = 1; i <= 1000; i++) sum += 1.0f / (float)i;
    polkavm_printf("harmonic(1000) as float: %d/1000000, floor(pi * 1e6) = %lld\n", (int)(sum * 1e6f),
                   (long long)floor(3.14159265358979 * 1e6));
    return 0;
}
