/*
 * bench_sim.c - the simulated cluster at scale, driven as the balancer
 * drives it: through the backend ops, a sample and a wait every 5 s for
 * an hour of cluster time, with a wave of live migrations every 10
 * minutes.  The scenario is generated: 10 VMs a host, a mix of CPU jobs,
 * I/O jobs (starting at spread times) and steady loads.
 *
 *   bench_sim           100 hosts / 1,000 VMs, then 1,000 / 10,000
 *   bench_sim HOSTS     that many hosts (10 VMs each) only
 *
 * Prints, per size:
 *   bench_sim: 100 hosts, 1000 VMs, 3600 s simulated in X s, peak RSS Y MiB
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "backend/backend.h"
#include "backend/sim.h"
#include "lib_scn.h"

#define VMS_PER_HOST 10
#define HOUR 3600.0
#define SAMPLE_S 5.0
#define WAVE_EVERY_S 600.0
#define WAVE_MOVES 10

static char *gen_scenario(int nhosts, size_t *len_r)
{
    size_t cap = (size_t)nhosts * (VMS_PER_HOST + 1) * 160 + 4096, n = 0;
    char *t = malloc(cap);
    uint64_t seed = 42;
    int h, v;

    if (!t) return NULL;
    n += (size_t)snprintf(t + n, cap - n, "option seed=7 interval=5 "
                          "noise=0.02 rtt=1\n");
    for (h = 0; h < nhosts; h++)
        n += (size_t)snprintf(t + n, cap - n, "host h%d pcpus=8 mem=64G "
                              "disk=200MB/s net=1Gbit/s speed=100Mops/s\n", h);
    for (v = 0; v < nhosts * VMS_PER_HOST; v++) {
        int kind = (int)(bench_lcg(&seed) % 6);
        unsigned start = (unsigned)(bench_lcg(&seed) % 1800);
        const char *host_fmt = "vm v%d host=h%d vcpus=2 mem=2G ";

        n += (size_t)snprintf(t + n, cap - n, host_fmt, v, v % nhosts);
        switch (kind) {
        case 0: case 1:     /* a CPU job: 2e10..2.2e11 operations */
            n += (size_t)snprintf(t + n, cap - n, "load=cpu cpuwork=%llue9 "
                                  "start=%u dirty=1MB/s\n",
                                  (unsigned long long)(20 + bench_lcg(&seed) % 200),
                                  start);
            break;
        case 2: case 3:     /* an I/O job: 1..40 GiB */
            n += (size_t)snprintf(t + n, cap - n, "load=io iowork=%lluG "
                                  "start=%u\n",
                                  (unsigned long long)(1 + bench_lcg(&seed) % 40),
                                  start);
            break;
        case 4:             /* steady CPU */
            n += (size_t)snprintf(t + n, cap - n, "load=cpu cpu=0.5\n");
            break;
        default:            /* steady mixed, with network */
            n += (size_t)snprintf(t + n, cap - n, "load=mixed cpu=0.2 "
                                  "io=5MB/s net=10Mbit/s netrx=1MB/s\n");
            break;
        }
    }
    *len_r = n;
    return t;
}

static double wall_s(void)
{
    return (double)bal__now_ns() / 1e9;
}

static int bench(int nhosts)
{
    bal_ctx *ctx = NULL;
    bal_config *cfg = NULL;
    bal_backend *be = NULL;
    char path[] = "/tmp/bench_sim-XXXXXX", spec[64];
    char *text = NULL;
    size_t len = 0;
    int fd = -1, rc = 1, nvms = nhosts * VMS_PER_HOST, moves = 0;
    double t0, t, next_wave = WAVE_EVERY_S;
    bal__sim *sim;
    struct rusage ru;

    text = gen_scenario(nhosts, &len);
    if (!text) goto out;
    fd = mkstemp(path);
    if (fd < 0 || write(fd, text, len) != (ssize_t)len) goto out;
    close(fd);
    fd = -1;
    snprintf(spec, sizeof(spec), "sim:%s", path);
    if (bal_ctx_alloc(NULL, NULL, BAL_LOG_ERROR, &ctx) ||
        bal_config_alloc(&cfg))
        goto out;

    t0 = wall_s();
    if (bal_backend_open(ctx, cfg, spec, &be)) goto out;
    sim = bal__backend_sim_get(be);
    /* Until the simulated clock reads an hour: waits and migrations. */
    while ((t = bal__sim_now(sim)) < HOUR) {
        bal__sample s;

        bal__sample_init(&s);
        if (be->ops->sample(be, false, &s)) {
            bal__sample_dispose(&s);
            goto out;
        }
        /* A wave: WAVE_MOVES VMs of the first host each to another host,
         * named from the sample, as a balancer would. */
        if (t >= next_wave && s.nhosts > 1) {
            bal__move mv[WAVE_MOVES];
            bal__move_result res[WAVE_MOVES];
            int k, src = (int)(next_wave / WAVE_EVERY_S) % s.nhosts, n = 0;
            const bal__host *h = &s.hosts[src];

            for (k = 1; k < h->ndoms && n < WAVE_MOVES; k++, n++) {
                memset(&mv[n], 0, sizeof(mv[n]));
                memcpy(mv[n].uuid, h->doms[k].uuid, sizeof(mv[n].uuid));
                snprintf(mv[n].vm, sizeof(mv[n].vm), "%s", h->doms[k].name);
                snprintf(mv[n].from, sizeof(mv[n].from), "%s", h->name);
                snprintf(mv[n].to, sizeof(mv[n].to), "%s",
                         s.hosts[(src + 1 + k) % s.nhosts].name);
            }
            if (be->ops->migrate(be, mv, n, res) == 0)
                for (k = 0; k < n; k++) moves += res[k].rc == 0;
            next_wave += WAVE_EVERY_S;
        }
        bal__sample_dispose(&s);
        if (bal_backend_wait(be, SAMPLE_S)) goto out;
    }
    t = wall_s() - t0;
    getrusage(RUSAGE_SELF, &ru);
    printf("bench_sim: %d hosts, %d VMs, %.0f s simulated in %.2f s, peak "
           "RSS %.1f MiB\n", nhosts, nvms, HOUR, t,
           (double)ru.ru_maxrss / 1024.0);
    printf("bench_sim:   %d live migrations in %d waves; sampled every "
           "%.0f s\n", moves, (int)(HOUR / WAVE_EVERY_S) - 1, SAMPLE_S);
    rc = 0;

out:
    if (rc) fprintf(stderr, "bench_sim: %d hosts: failed\n", nhosts);
    if (fd >= 0) close(fd);
    unlink(path);
    bal_backend_close(be);
    bal_config_free(cfg);
    bal_ctx_free(ctx);
    free(text);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        int n = atoi(argv[1]);

        if (n < 1 || n > 100000) {
            fprintf(stderr, "usage: bench_sim [HOSTS]\n");
            return 2;
        }
        return bench(n);
    }
    if (bench(100)) return 1;
    return bench(1000);
}
