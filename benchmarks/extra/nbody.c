/* Five bodies under gravity in double precision (kept out of the main table: PolkaVM has no
 * floating-point instructions, so this measures the guest SDK's soft-float helpers against hardware
 * floating point). Run it with `benchmarks/run.sh --extra benchmarks/extra/nbody.c --only nbody`. */
#include "bench.h"

typedef struct { double x, y, z, vx, vy, vz, m; } body;
static body bodies[5];

static void init(void) {
    /* Sun and four planets: position (AU), velocity (AU/day * 365.24), mass (solar masses * 4 pi^2). */
    static const double start[5][7] = {
        {0, 0, 0, 0, 0, 0, 39.47841760435743},
        {4.84143144246472090, -1.16032004402742839, -0.103622044471123109, 0.606326392995832, 2.81198684491626, -0.02521836165988763, 0.03769367487038949},
        {8.34336671824457987, 4.12479856412430479, -0.403523417114321381, -1.01077434617730, 1.82566237123041, 0.008415761376584154, 0.011286326131968767},
        {12.8943695621391310, -15.1111514016986312, -0.223307578892655734, 1.08279100644154, 0.868713018169608, -0.010832637401363636, 0.0017237240570597112},
        {15.3796971148509165, -25.9193146099879641, 0.179258772950371181, 0.979090732243898, 0.594698998647676, -0.034755955504078104, 0.0020336868699246304},
    };
    for (int i = 0; i < 5; i++) {
        bodies[i] = (body){start[i][0], start[i][1], start[i][2], start[i][3], start[i][4], start[i][5], start[i][6]};
    }
}

static void advance(double dt) {
    for (int i = 0; i < 5; i++) {
        for (int j = i + 1; j < 5; j++) {
            double dx = bodies[i].x - bodies[j].x, dy = bodies[i].y - bodies[j].y, dz = bodies[i].z - bodies[j].z;
            double d2 = dx * dx + dy * dy + dz * dz;
            double mag = dt / (d2 * __builtin_sqrt(d2));
            double mi = bodies[i].m * mag, mj = bodies[j].m * mag;
            bodies[i].vx -= dx * mj; bodies[i].vy -= dy * mj; bodies[i].vz -= dz * mj;
            bodies[j].vx += dx * mi; bodies[j].vy += dy * mi; bodies[j].vz += dz * mi;
        }
    }
    for (int i = 0; i < 5; i++) {
        bodies[i].x += dt * bodies[i].vx;
        bodies[i].y += dt * bodies[i].vy;
        bodies[i].z += dt * bodies[i].vz;
    }
}

uint64_t bench(uint64_t n) {
    init();
    for (uint64_t k = 0; k < n; k++) advance(0.01);
    /* The positions' bit patterns: every target must round every operation the same way. */
    uint64_t h = 0;
    for (int i = 0; i < 5; i++) {
        union { double d; uint64_t u; } c = {bodies[i].x};
        h = bench_mix(h, c.u);
        c.d = bodies[i].y;
        h = bench_mix(h, c.u);
    }
    return h;
}
BENCH_EXPORT(bench)
