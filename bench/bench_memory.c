/*
 * bench_memory.c - bounded memory (issue 14, item 7): the xl-balance
 * command itself, run as a child (base/child.c) and measured with wait4:
 * its peak RSS and its CPU time (user + system: other jobs on the machine
 * slow the wall clock, not that).  Each figure is printed beside its
 * target, "met" or "MISSED":
 *
 *   1. simulate: the paper's scenario at a 1 ms interval (a million
 *      sub-steps a run), at 10 ms with jobs 20 times longer, and 200 VMs
 *      at 50 ms: under 128 MiB whatever the length, interval and VMs;
 *   2. status of 200,000 VMs (20,000 simulated hosts): the table within
 *      2x of --json's CPU time;
 *   3. plan of 100,000 VMs (10,000 simulated hosts), with a history of
 *      migrations between 400 host pairs to learn links from: under
 *      1 GiB.
 *
 *   bench_memory [XL_BALANCE]    default: the xl-balance beside this
 *                                program's directory (build/)
 * Run from the source tree (it reads scenarios/paper.scn).  Exits 1 when
 * a child fails, not when a target is missed: the figures are the point.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/child.h"
#include "balance/history.h"
#include "lib_scn.h"

#define MIB (1024.0 * 1024.0)
#define HIST_RECORDS 400

typedef struct usage {
    double peak_mib, cpu_s, wall_s;
} usage;

static const char *g_cli;
static char g_dir[] = "/tmp/bench-memory-XXXXXX";
static char g_conf[64];
static bal_ctx *g_ctx;

static void die(const char *what)
{
    fprintf(stderr, "bench_memory: %s\n", what);
    exit(1);
}

static double now_s(void)
{
    return (double)bal__now_ns() / 1e9;
}

/* Runs the command with args (after `-c CONF'), its output read and
 * dropped; its peak RSS and CPU from wait4.  Dies when it fails. */
static usage run(const char *const *args)
{
    char *argv[16];
    char buf[65536];
    bal__child c;
    struct rusage ru;
    usage u;
    double t0 = now_s();
    int n = 0, status;

    argv[n++] = (char *)g_cli;
    argv[n++] = "-c";
    argv[n++] = g_conf;
    while (*args && n < 15) argv[n++] = (char *)*args++;
    argv[n] = NULL;
    bal__child_init(&c);
    if (bal__child_start(g_ctx, "bench_memory", argv, 0, -1, 0, &c) ||
        bal__child_ran(g_ctx, "bench_memory", &c))
        die("cannot run xl-balance");
    while (read(c.out_fd, buf, sizeof(buf)) > 0) {}
    if (wait4(c.pid, &status, 0, &ru) != c.pid) die("wait4 failed");
    c.pid = -1;                 /* reaped here, for its rusage */
    bal__child_dispose(&c);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_memory: %s %s ... exited %d\n", argv[0],
                argv[3], WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        exit(1);
    }
    u.wall_s = now_s() - t0;
    u.cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
              (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    u.peak_mib = (double)ru.ru_maxrss / 1024.0;
    return u;
}

static char *path_in(const char *name)
{
    char *p;

    if (asprintf(&p, "%s/%s", g_dir, name) < 0) die("out of memory");
    return p;
}

static const char *met(int ok)
{
    return ok ? "met" : "MISSED";
}

/* The paper's scenario with another interval. */
static char *paper_at(const char *interval)
{
    FILE *in = fopen("scenarios/paper.scn", "r"), *out;
    char line[4096], *path, *p;
    char name[64];

    if (!in) die("run from the source tree: no scenarios/paper.scn");
    snprintf(name, sizeof(name), "paper-%s.scn", interval);
    path = path_in(name);
    out = fopen(path, "w");
    if (!out) die("cannot write a scenario");
    while (fgets(line, sizeof(line), in)) {
        if (!strncmp(line, "option ", 7) && (p = strstr(line, "interval=5 "))) {
            *p = '\0';
            fprintf(out, "%sinterval=%s %s", line, interval, p + 11);
        } else {
            fputs(line, out);
        }
    }
    fclose(in);
    if (fclose(out)) die("cannot write a scenario");
    return path;
}

/* 20 hosts, 200 VMs (two thirds with a job) at a 50 ms interval: the
 * timelines' budget shared among many VMs. */
static char *many_vms(void)
{
    char *path = path_in("many.scn");
    FILE *f = fopen(path, "w");
    uint64_t seed = 3;
    int h, v;

    if (!f) die("cannot write a scenario");
    fprintf(f, "option seed=7 interval=0.05 rtt=1 balance_at=50\n");
    for (h = 0; h < 20; h++)
        fprintf(f, "host h%d pcpus=8 mem=64G disk=200MB/s net=1Gbit/s "
                "speed=100Mops/s\n", h);
    for (v = 0; v < 200; v++) {
        unsigned start = (unsigned)(bench_lcg(&seed) % 60);

        fprintf(f, "vm v%d host=h%d vcpus=2 mem=2G ", v, v % 20);
        switch (bench_lcg(&seed) % 3) {
        case 0:
            fprintf(f, "load=cpu cpuwork=%llue9 start=%u\n",
                    (unsigned long long)(5 + bench_lcg(&seed) % 15), start);
            break;
        case 1:
            fprintf(f, "load=io iowork=%lluG start=%u\n",
                    (unsigned long long)(1 + bench_lcg(&seed) % 2), start);
            break;
        default:
            fprintf(f, "load=cpu cpu=0.5\n");
            break;
        }
    }
    if (fclose(f)) die("cannot write a scenario");
    return path;
}

static void bench_simulate(void)
{
    char *fine = paper_at("0.001"), *svg = path_in("p.svg");
    char *longer = paper_at("0.01");
    const char *a1[] = { "simulate", fine, "--plot", svg, NULL };
    const char *a2[] = { "simulate", longer, "--scale", "20", NULL };
    char *many = many_vms();
    const char *a3[] = { "simulate", many, NULL };
    usage u;

    u = run(a1);
    printf("simulate paper, interval 1 ms (2 runs of ~1.1M sub-steps), "
           "--plot: peak RSS %.1f MiB (target < 128 MiB: %s), %.1f s CPU\n",
           u.peak_mib, met(u.peak_mib < 128), u.cpu_s);
    u = run(a2);
    printf("simulate paper, interval 10 ms, --scale 20 (2 runs of ~2.2M "
           "sub-steps): peak RSS %.1f MiB (target < 128 MiB: %s), %.1f s "
           "CPU\n", u.peak_mib, met(u.peak_mib < 128), u.cpu_s);
    u = run(a3);
    printf("simulate 20 hosts, 200 VMs, interval 50 ms: peak RSS %.1f MiB "
           "(target < 128 MiB: %s), %.1f s CPU\n", u.peak_mib,
           met(u.peak_mib < 128), u.cpu_s);
    unlink(many);
    free(many);
    unlink(fine);
    unlink(longer);
    unlink(svg);
    free(fine);
    free(longer);
    free(svg);
}

static char *cluster(int nhosts)
{
    char name[64], *path;
    FILE *f;

    snprintf(name, sizeof(name), "cluster-%d.scn", nhosts);
    path = path_in(name);
    f = fopen(path, "w");
    if (!f) die("cannot write a scenario");
    bench_write_cluster(f, nhosts);
    if (fclose(f)) die("cannot write a scenario");
    return path;
}

static void bench_status(void)
{
    char *scn = cluster(20000), spec[256];
    const char *table[] = { "-b", spec, "status", NULL };
    const char *json[] = { "-b", spec, "status", "--json", NULL };
    usage t, j;

    snprintf(spec, sizeof(spec), "sim:%s", scn);
    j = run(json);
    t = run(table);
    printf("status, 200000 VMs: table %.1f s CPU (%.1f s wall, %.0f MiB), "
           "--json %.1f s CPU (%.1f s wall, %.0f MiB): %.2fx (target "
           "<= 2x: %s)\n", t.cpu_s, t.wall_s, t.peak_mib, j.cpu_s,
           j.wall_s, j.peak_mib, t.cpu_s / j.cpu_s,
           met(t.cpu_s <= 2 * j.cpu_s));
    unlink(scn);
    free(scn);
}

/* Migrations between HIST_RECORDS random pairs of the first nhosts
 * hosts, in the last hour: what plan learns links from. */
static void write_history(const char *state, int nhosts)
{
    bal__hist h[HIST_RECORDS];
    uint64_t seed = 14;
    double now = (double)time(NULL);
    int i, fd;

    memset(h, 0, sizeof(h));
    for (i = 0; i < HIST_RECORDS; i++) {
        int a = (int)(bench_lcg(&seed) % (uint64_t)nhosts);
        int b = (a + 1 + (int)(bench_lcg(&seed) % (uint64_t)(nhosts - 1))) %
                nhosts;

        h[i].time = now - 3600 + i;
        snprintf(h[i].uuid, sizeof(h[i].uuid),
                 "00000000-0000-0000-0000-%012d", i);
        snprintf(h[i].vm, sizeof(h[i].vm), "gone%d", i);
        snprintf(h[i].from, sizeof(h[i].from), "h%05d", a);
        snprintf(h[i].to, sizeof(h[i].to), "h%05d", b);
        h[i].type = BAL_TYPE_CPU;
        h[i].duration_s = 40;
        h[i].downtime_s = 0.1;
        h[i].gain = h[i].predicted = h[i].predicted_s = NAN;
        h[i].net_Bps_before = h[i].net_Bps_after = NAN;
        h[i].dirty_Bps = NAN;
        h[i].mem_kb = 4 << 20;
        h[i].observed_Bps = 50e6 + 1e5 * i;
    }
    if (mkdir(state, 0700)) die("cannot make the state directory");
    fd = open(state, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || bal__history_append(g_ctx, fd, state, h, HIST_RECORDS))
        die("cannot write the history");
    close(fd);
}

static void bench_plan(void)
{
    char *scn = cluster(10000), spec[256];
    const char *plan[] = { "-b", spec, "plan", NULL };
    usage u;

    snprintf(spec, sizeof(spec), "sim:%s", scn);
    u = run(plan);
    printf("plan, 100000 VMs, links learned from %d migrations: peak RSS "
           "%.0f MiB (target < 1024 MiB: %s), %.1f s CPU\n", HIST_RECORDS,
           u.peak_mib, met(u.peak_mib < 1024), u.cpu_s);
    unlink(scn);
    free(scn);
}

int main(int argc, char **argv)
{
    char *self, *state, *lock, *hist, *ld, *cli = NULL;
    FILE *f;

    if (argc > 2) die("usage: bench_memory [XL_BALANCE]");
    self = strdup(argv[0]);
    if (!self) die("out of memory");
    /* build/bench/bench_memory: build/xl-balance, build/libbalance.so. */
    if (asprintf(&ld, "%s/..", dirname(self)) < 0) die("out of memory");
    if (argc > 1) g_cli = argv[1];
    else if (asprintf(&cli, "%s/xl-balance", ld) < 0) die("out of memory");
    else g_cli = cli;
    setenv("LD_LIBRARY_PATH", ld, 1);
    if (!mkdtemp(g_dir)) die("cannot make a temporary directory");
    if (bal_ctx_alloc(bal_log_stderr, "bench_memory", BAL_LOG_ERROR, &g_ctx))
        die("out of memory");
    /* A private configuration: the state directory (the history plan
     * learns from) and the lock here. */
    snprintf(g_conf, sizeof(g_conf), "%s/xl-balance.conf", g_dir);
    state = path_in("state");
    lock = path_in("lock");
    f = fopen(g_conf, "w");
    if (!f) die("cannot write the configuration");
    fprintf(f, "state_dir = \"%s\"\nlock_file = \"%s\"\n", state, lock);
    if (fclose(f) || chmod(g_conf, 0600)) die("cannot write the configuration");
    write_history(state, 10000);

    bench_simulate();
    bench_status();
    bench_plan();

    hist = path_in("state/history");
    unlink(hist);
    rmdir(state);
    unlink(lock);
    unlink(g_conf);
    rmdir(g_dir);
    free(hist);
    free(state);
    free(lock);
    free(ld);
    free(cli);
    free(self);
    bal_ctx_free(g_ctx);
    return 0;
}
