/*
 * bench_load.c - load: the library on a cluster far larger than a real
 * one, and a large rebalance with migrations failing at random.
 *
 *   1. status of a simulated 5,000-host, 50,000-VM cluster (a scenario
 *      file written to /tmp): the time of bal_status_collect (3 samples),
 *      of its JSON, and of planning it (bal__plan_make), and the peak RSS;
 *   2. bal_rebalance on 500 host pairs shaped like the paper's (two heavy
 *      io VMs on one host, two heavy cpu VMs on the other: a swap each,
 *      up to 500 moves), through a wrapper backend that makes 10% of the
 *      migrations handed to the simulator fail at a random point of their
 *      stream (bal__sim_inject_fault).  Afterwards every VM must run
 *      exactly once, by UUID, on a fresh sample of the simulator; every
 *      injected failure must be reported as a failed move; the outcome
 *      must be partial (exit code 3).
 *
 *   bench_load [HOSTS [PAIRS]]     defaults 5000 and 500
 *
 * Exits 1 if an invariant of part 2 does not hold.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backend/backend.h"
#include "run/rebalance.h"
#include "backend/sim.h"
#include "lib_scn.h"

#define VMS_PER_HOST BENCH_VMS_PER_HOST
#define FAIL_PCT 10

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double peak_rss_mib(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_load: %s\n", what);
    exit(1);
}

static char *write_file(const char *dir, const char *name, FILE **f_r)
{
    char *path;

    if (asprintf(&path, "%s/%s", dir, name) < 0) die("out of memory");
    *f_r = fopen(path, "w");
    if (!*f_r) die("cannot write in the temporary directory");
    return path;
}

/* ---- 1. status of a big cluster -------------------------------------------- */

static void bench_status(bal_ctx *ctx, bal_config *cfg, const char *dir,
                         int nhosts)
{
    bal_backend *be = NULL;
    bal_status *st = NULL;
    bal__plan_step step;
    bal__plan_opts po;
    double t0, t_open, t_status, t_json, t_plan;
    char *spec, *json = NULL, *path;
    FILE *f;
    int rc;

    path = write_file(dir, "big.scn", &f);
    bench_write_cluster(f, nhosts);
    fclose(f);
    if (asprintf(&spec, "sim:%s", path) < 0) die("out of memory");

    t0 = now_s();
    if (bal_backend_open(ctx, cfg, spec, &be)) die("cannot open the sim");
    t_open = now_s() - t0;
    t0 = now_s();
    if (bal_status_collect(ctx, be, cfg, &st)) die("status failed");
    t_status = now_s() - t0;
    t0 = now_s();
    if (bal_status_json(st, &json)) die("status JSON failed");
    t_json = now_s() - t0;
    printf("status: %d hosts, %d VMs (%d domains with dom0s): scenario "
           "loaded in %.2f s, %d samples in %.2f s, JSON (%.1f MiB) in "
           "%.2f s, peak RSS %.0f MiB\n", bal_status_num_hosts(st),
           nhosts * VMS_PER_HOST, bal_status_num_vms(st), t_open,
           bal_config_samples(cfg), t_status,
           (double)strlen(json) / 1048576.0, t_json, peak_rss_mib());

    bal__plan_step_init(&step);
    bal__plan_opts_init(&po);
    po.concurrent = true;
    po.max_moves = 10000;
    t0 = now_s();
    rc = bal__plan_make(ctx, cfg, st, &po, &step);
    t_plan = now_s() - t0;
    if (rc)
        printf("plan: failed (%s) after %.2f s\n", bal_strerror(rc), t_plan);
    else
        printf("plan: %d moves in %d waves for %d VMs in %.2f s, peak RSS "
               "%.0f MiB\n", step.plan.n, step.plan.nwaves, nhosts * VMS_PER_HOST,
               t_plan, peak_rss_mib());
    bal__plan_step_dispose(&step);
    free(json);
    bal_status_free(st);
    bal_backend_close(be);
    unlink(path);
    free(path);
    free(spec);
}

/* ---- 2. a big rebalance, 10% of the migrations failing ------------------------ */

typedef struct wrap {
    bal_backend *inner;
    bal__sim *sim;
    uint64_t seed;
    int handed, injected;
    char (*failed)[BAL__UUID_LEN + 1];  /* UUIDs whose migration we broke */
    int nfailed, afailed;
} wrap;

static int w_sample(bal_backend *be, bool local_only, bal__sample *out)
{
    wrap *w = be->priv;

    return w->inner->ops->sample(w->inner, local_only, out);
}

static int w_wait(bal_backend *be, double s)
{
    wrap *w = be->priv;

    return w->inner->ops->wait(w->inner, s);
}

/* Before handing the wave to the simulator, one migration in ten gets a
 * fault: after a random share of its memory has gone (0 to 99.9%: the
 * first round sends all of it, so every fault fires), with one of the
 * ways a stream breaks. */
static int w_migrate(bal_backend *be, const bal__move *moves, int n,
                     bal__move_result *results)
{
    static const int rcs[] = { BAL_ETRANSPORT, BAL_EXEN, BAL_EPEER };
    wrap *w = be->priv;
    const bal__scenario *scn = bal__sim_scenario(w->sim);
    int i;

    for (i = 0; i < n; i++) {
        int vm = bal__scenario_find_uuid(scn, moves[i].uuid);
        double after;

        w->handed++;
        if (vm < 0 || bench_lcg(&w->seed) % 100 >= FAIL_PCT) continue;
        after = (double)scn->vms[vm].mem_bytes *
                (double)(bench_lcg(&w->seed) % 1000) / 1000.0;
        if (bal__sim_inject_fault(w->sim, vm, after,
                                  rcs[bench_lcg(&w->seed) % 3]))
            die("cannot inject a fault");
        if (w->nfailed == w->afailed) {
            w->afailed = w->afailed ? 2 * w->afailed : 64;
            w->failed = realloc(w->failed, (size_t)w->afailed *
                                sizeof(*w->failed));
            if (!w->failed) die("out of memory");
        }
        snprintf(w->failed[w->nfailed++], BAL__UUID_LEN + 1, "%s",
                 moves[i].uuid);
        w->injected++;
    }
    return w->inner->ops->migrate(w->inner, moves, n, results);
}

static void w_close(bal_backend *be)
{
    wrap *w = be->priv;

    bal_backend_close(w->inner);
    free(w->failed);
    free(w);
}

static const bal__backend_ops wrap_ops = {
    .name = "wrap", .sample = w_sample, .wait = w_wait, .close = w_close,
    .migrate = w_migrate,
};

static void gen_pairs(FILE *f, int npairs)
{
    int p;

    fprintf(f, "option seed=1 interval=5\n");
    for (p = 0; p < npairs; p++) {
        fprintf(f, "host a%04d pcpus=1 mem=4092M disk=15.73MB/s "
                "net=840.2Mbit/s\n", p);
        fprintf(f, "host b%04d pcpus=1 mem=4092M disk=15.73MB/s "
                "net=840.2Mbit/s\n", p);
    }
    for (p = 0; p < npairs; p++) {
        fprintf(f, "vm io%04d-1 host=a%04d vcpus=1 mem=1024M load=io\n", p, p);
        fprintf(f, "vm io%04d-2 host=a%04d vcpus=1 mem=1024M load=io\n", p, p);
        fprintf(f, "vm cpu%04d-1 host=b%04d vcpus=1 mem=1024M load=cpu\n", p,
                p);
        fprintf(f, "vm cpu%04d-2 host=b%04d vcpus=1 mem=1024M load=cpu\n", p,
                p);
    }
}

/* Every VM of the scenario exactly once, by UUID, under its own name, on
 * a fresh sample of the simulator itself.  Returns how many are not. */
static int count_each_once(bal__sim *sim)
{
    const bal__scenario *scn = bal__sim_scenario(sim);
    bal__sample s;
    int *seen, i, h, k, bad = 0;

    seen = calloc((size_t)scn->nvms, sizeof(*seen));
    if (!seen) die("out of memory");
    bal__sample_init(&s);
    if (bal__sim_sample(sim, false, &s)) die("cannot sample");
    for (h = 0; h < s.nhosts; h++)
        for (k = 0; k < s.hosts[h].ndoms; k++) {
            const bal__dom *d = &s.hosts[h].doms[k];

            if (d->domid == 0) continue;
            i = bal__scenario_find_uuid(scn, d->uuid);
            if (i < 0 || strcmp(scn->vms[i].name, d->name)) bad++;
            else seen[i]++;
        }
    for (i = 0; i < scn->nvms; i++) bad += seen[i] != 1;
    bal__sample_dispose(&s);
    free(seen);
    return bad;
}

static int bench_rebalance(bal_ctx *ctx, bal_config *cfg, const char *dir,
                           int npairs)
{
    bal_backend *be, *inner = NULL;
    bal_rebalance_options o;
    bal_rebalance_report *r = NULL;
    wrap *w;
    char *spec, *path;
    FILE *f;
    double t0, t;
    int n, i, k, counts[16] = { 0 }, lost, unreported = 0, errors = 0;
    int exit_code;
    bal_rebalance_outcome out;

    path = write_file(dir, "pairs.scn", &f);
    gen_pairs(f, npairs);
    fclose(f);
    if (asprintf(&spec, "sim:%s", path) < 0) die("out of memory");
    if (bal_backend_open(ctx, cfg, spec, &inner)) die("cannot open the sim");

    be = calloc(1, sizeof(*be));
    w = calloc(1, sizeof(*w));
    if (!be || !w) die("out of memory");
    w->inner = inner;
    w->sim = bal__backend_sim_get(inner);
    w->seed = 2026;
    be->ops = &wrap_ops;
    be->ctx = ctx;
    be->cfg = cfg;
    be->spec = strdup("wrap");
    be->priv = w;

    bal_rebalance_options_init(&o, BAL_REBALANCE_OPTIONS_VERSION);
    o.max_moves = 2 * npairs;
    t0 = now_s();
    if (bal_rebalance(ctx, be, cfg, &o, &r)) die("rebalance did not start");
    t = now_s() - t0;

    out = bal_rebalance_report_outcome(r);
    n = bal_rebalance_report_num_moves(r);
    for (i = 0; i < n; i++) {
        const bal_rebalance_move *m = bal_rebalance_report_move(r, i);

        if ((int)m->state >= 0 && (int)m->state < 16) counts[m->state]++;
    }
    /* Every migration we broke is reported as failed, naming its VM. */
    for (k = 0; k < w->nfailed; k++) {
        bool found = false;

        for (i = 0; i < n; i++) {
            const bal_rebalance_move *m = bal_rebalance_report_move(r, i);

            if (!strcmp(m->uuid, w->failed[k]) &&
                m->state == BAL_MOVE_FAILED && m->rc != 0)
                found = true;
        }
        unreported += !found;
    }
    lost = count_each_once(w->sim);
    exit_code = out == BAL_REBALANCE_DONE || out == BAL_REBALANCE_NOTHING ? 0
              : out == BAL_REBALANCE_PARTIAL ? 3
              : out == BAL_REBALANCE_UNDEFINED ? 6 : 1;

    printf("rebalance: %d host pairs, %d VMs: %d moves planned, %d "
           "migrations run (%d with an injected fault) in %.2f s (%.0f s "
           "simulated): %d done, %d failed, %d skipped, %d refused, %d "
           "undefined; outcome %s (exit %d); peak RSS %.0f MiB\n",
           npairs, 4 * npairs, n, w->handed, w->injected, t,
           bal__sim_now(w->sim), counts[BAL_MOVE_DONE],
           counts[BAL_MOVE_FAILED], counts[BAL_MOVE_SKIPPED],
           counts[BAL_MOVE_REFUSED], counts[BAL_MOVE_UNDEFINED],
           bal_rebalance_outcome_name(out), exit_code, peak_rss_mib());
    printf("rebalance: VMs not running exactly once afterwards: %d; "
           "injected failures not reported as failed: %d\n", lost,
           unreported);

    if (lost) { fprintf(stderr, "bench_load: a VM was lost or "
                        "duplicated\n"); errors++; }
    if (unreported) { fprintf(stderr, "bench_load: an injected failure was "
                              "not reported\n"); errors++; }
    if (counts[BAL_MOVE_FAILED] != w->injected) {
        fprintf(stderr, "bench_load: %d moves failed, %d faults injected\n",
                counts[BAL_MOVE_FAILED], w->injected);
        errors++;
    }
    if (w->injected && exit_code != 3) {
        fprintf(stderr, "bench_load: outcome %s, not partial\n",
                bal_rebalance_outcome_name(out));
        errors++;
    }
    bal_rebalance_report_free(r);
    bal_backend_close(be);
    unlink(path);
    free(path);
    free(spec);
    return errors;
}

int main(int argc, char **argv)
{
    int nhosts = argc > 1 ? atoi(argv[1]) : 5000;
    int npairs = argc > 2 ? atoi(argv[2]) : 500;
    char dir[] = "/tmp/bench-load-XXXXXX", *cpath, *state;
    bal_ctx *ctx = NULL, *quiet = NULL;
    bal_config *cfg = NULL;
    FILE *f;
    int errors;

    if (nhosts < 1 || npairs < 1) die("usage: bench_load [HOSTS [PAIRS]]");
    if (!mkdtemp(dir)) die("cannot make a temporary directory");
    /* Errors are the bench's to print; the library's warnings about each
     * failed migration (hundreds) are not figures. */
    if (bal_ctx_alloc(bal_log_stderr, "bench_load", BAL_LOG_ERROR, &ctx) ||
        bal_ctx_alloc(NULL, NULL, BAL_LOG_ERROR, &quiet) ||
        bal_config_alloc(&cfg))
        die("out of memory");
    if (asprintf(&state, "%s/state", dir) < 0) die("out of memory");
    cpath = write_file(dir, "xl-balance.conf", &f);
    fprintf(f, "state_dir = \"%s\"\nlock_file = \"%s/lock\"\n", state, dir);
    fclose(f);
    chmod(cpath, 0600);
    if (bal_config_load(ctx, cfg, cpath, true)) die("bad configuration");

    bench_status(ctx, cfg, dir, nhosts);
    errors = bench_rebalance(quiet, cfg, dir, npairs);

    bal_config_free(cfg);
    bal_ctx_free(ctx);
    bal_ctx_free(quiet);
    /* The state directory: the journal is gone, the history stays. */
    unlink(cpath);
    {
        char *p;

        if (asprintf(&p, "%s/history", state) > 0) { unlink(p); free(p); }
        if (asprintf(&p, "%s/journal", state) > 0) { unlink(p); free(p); }
        if (asprintf(&p, "%s/lock", dir) > 0) { unlink(p); free(p); }
    }
    rmdir(state);
    rmdir(dir);
    free(state);
    free(cpath);
    return errors ? 1 : 0;
}
