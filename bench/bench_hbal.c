/*
 * bench_hbal.c - the planner against Ganeti's hbal on generated regimes
 * (bench/gen_regimes.h: htools, under, near, over, hetero, memtight,
 * piled), every placement measured by one yardstick of our own that is
 * not the planner's model (bench/metrics.h).
 *
 *   bench_hbal [--sizes H/V,...] [--regimes R,...] [--seed N]
 *              [--timeout S] [--jobs N] [--hbal PATH | --no-hbal]
 *              [--hbal-arg ARG]... [--no-speed | --speed-only]
 *
 * For each regime and size (default 10/50, 20/100, 50/500, 100/1000):
 *   start         the generated placement, measured;
 *   planner       bal__planner_plan on it, in a child process of its own
 *                 (the planning time; the child's peak RSS from wait4:
 *                 generating and planning), and `again': the moves the
 *                 planner proposes when run on its own result;
 *   hbal          hbal on the same cluster (hbal_args below), its wall
 *                 time and peak RSS from wait4, its moves (`Solution
 *                 length'), its final placement from -S's SAVE.balanced;
 *                 past --timeout (300 s) it is killed and measured where
 *                 its printed steps had got (a `>' before the time);
 *   hbal+planner  where hbal finished: the planner started from hbal's
 *                 placement (what the planner would still change).
 * Then every regime at 1,000 hosts / 10,000 VMs, the planner alone: its
 * wall and CPU time and peak RSS against the targets (1 s of CPU, the
 * wall time on a core of its own; 256 MiB); --speed-only: that alone.
 *
 * The planner runs come first, one at a time, so that their times are
 * their own; then the hbal runs, --jobs at a time (default: the CPUs),
 * smaller sizes first, a regime's larger sizes skipped once one of its
 * smaller ones ran out of time; then the planner from hbal's results.
 * Everything but times, peak RSS and a killed hbal's progress is the
 * same on every run of one seed.  No shell anywhere: fork and execvp.
 * The figures and what they mean: doc/planner.md, "Benchmark".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gen_regimes.h"
#include "metrics.h"

#define DEFAULT_HBAL "/usr/lib/ganeti/3.0/usr/bin/hbal"
#define MAX_SIZES 16
#define SPEED_HOSTS 1000
#define SPEED_VMS 10000
#define TARGET_S 1.0
#define TARGET_MIB 256.0

typedef struct opts {
    const char *hbal;           /* NULL: not run */
    uint64_t seed;
    double timeout;
    int jobs;
    int sizes[MAX_SIZES][2];
    int nsizes;
    const char *regimes[8];
    int nregimes;
    const char *extra[8];       /* --hbal-arg: more of hbal's options */
    int nextra;
    bool speed;                 /* the speed section (--no-speed: not) */
    bool speed_only;            /* --speed-only: nothing else */
} opts;

/* A planner run, as its child reports it. */
typedef struct plan_run {
    bool ok;
    bool killed;                /* stopped after --timeout */
    double time_s;              /* bal__planner_plan alone, wall clock */
    double cpu_s;               /* its CPU time: the wall time on a core
                                 * of its own, whatever else runs */
    long rss_kb;                /* the child's peak */
    int moves;
    int *place;                 /* every VM's host after the plan */
} plan_run;

typedef enum { H_NONE, H_QUEUED, H_RUNNING, H_DONE, H_KILLED, H_FAILED,
               H_SKIPPED } hstate;

typedef struct hbal_run {
    hstate state;
    pid_t pid;
    double t0, time_s;
    long rss_kb;
    int moves;                  /* Solution length, or steps when killed */
    int *place;                 /* its final (or last printed) placement */
    bool saved;                 /* it wrote SAVE.balanced (it moved VMs) */
    char dir[200];              /* cluster.txt, util.txt, out.txt, save.*;
                                 * kept when hbal failed */
} hbal_run;

/* One regime at one size. */
typedef struct bcase {
    const char *regime;
    int nh, nv, size_idx;
    plan_run plan, again;       /* from the generated start */
    plan_run hplan, hagain;     /* from hbal's placement */
    hbal_run hb;
} bcase;

static double mono(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* This process's CPU time: the planner is single-threaded. */
static double cpu(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_hbal: %s\n", what);
    exit(1);
}

static int read_full(int fd, void *buf, size_t n)
{
    char *p = buf;

    while (n) {
        ssize_t k = read(fd, p, n);

        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static int write_full(int fd, const void *buf, size_t n)
{
    const char *p = buf;

    while (n) {
        ssize_t k = write(fd, p, n);

        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* ---- the planner, in a child --------------------------------------------- */

typedef struct plan_msg {
    double time_s, cpu_s;
    int moves, nvms;
} plan_msg;

/* The case's cluster, from hbal's saved placement when `start' is set. */
static int make_input(const char *regime, int nh, int nv, uint64_t seed,
                      const char *start, bal__pl_input *in)
{
    bal__pl_input_init(in);
    if (gr_generate(regime, nh, nv, seed, in)) return -1;
    if (start && gr_apply_hbal_placement(in, start)) return -1;
    return 0;
}

/* Generates, plans (timed) and sends the plan's moves and placement;
 * with `again', plans once more from where the first plan ends and
 * sends that second plan's instead.  Never returns. */
static void plan_child(int fd, const char *regime, int nh, int nv,
                       uint64_t seed, const char *start, bool again,
                       double timeout)
{
    bal__pl_input in;
    bal__pl_result r;
    bal_ctx *ctx = NULL;
    plan_msg msg;
    double t0, c0;

    /* A planner that never ends must not hang the bench: SIGALRM's
     * default action ends the child, which the parent reports. */
    alarm((unsigned)ceil(timeout));
    bal__pl_result_init(&r);
    if (bal_ctx_alloc(bal_log_stderr, "bench_hbal", BAL_LOG_WARN, &ctx) ||
        make_input(regime, nh, nv, seed, start, &in))
        _exit(2);
    t0 = mono();
    c0 = cpu();
    if (bal__planner_plan(ctx, &in, &r)) _exit(3);
    msg.time_s = mono() - t0;
    msg.cpu_s = cpu() - c0;
    if (again) {
        if (gr_apply_placement(&in, r.placement)) _exit(4);
        bal__pl_result_dispose(&r);
        bal__pl_result_init(&r);
        if (bal__planner_plan(ctx, &in, &r)) _exit(3);
    }
    msg.moves = r.nmoves;
    msg.nvms = in.nvms;
    if (write_full(fd, &msg, sizeof(msg)) ||
        write_full(fd, r.placement, (size_t)in.nvms * sizeof(int)))
        _exit(5);
    _exit(0);
}

static void plan_run_dispose(plan_run *p)
{
    free(p->place);
    memset(p, 0, sizeof(*p));
}

static void run_planner(const char *regime, int nh, int nv, uint64_t seed,
                        const char *start, bool again, double timeout,
                        plan_run *out)
{
    struct rusage ru;
    plan_msg msg;
    int fds[2], st = 0;
    pid_t pid;

    memset(out, 0, sizeof(*out));
    memset(&ru, 0, sizeof(ru));
    fflush(NULL);
    if (pipe(fds)) die("pipe failed");
    pid = fork();
    if (pid < 0) die("fork failed");
    if (pid == 0) {
        close(fds[0]);
        plan_child(fds[1], regime, nh, nv, seed, start, again, timeout);
    }
    close(fds[1]);
    if (!read_full(fds[0], &msg, sizeof(msg)) && msg.nvms == nv) {
        out->place = malloc(((size_t)nv + 1) * sizeof(int));
        if (!out->place) die("out of memory");
        out->ok = !read_full(fds[0], out->place, (size_t)nv * sizeof(int));
        out->time_s = msg.time_s;
        out->cpu_s = msg.cpu_s;
        out->moves = msg.moves;
    }
    close(fds[0]);
    while (wait4(pid, &st, 0, &ru) < 0)
        if (errno != EINTR) die("wait4 failed");
    if (!WIFEXITED(st) || WEXITSTATUS(st)) out->ok = false;
    out->rss_kb = ru.ru_maxrss;
    if (!out->ok) {
        bool killed = WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM;

        if (killed)
            fprintf(stderr, "bench_hbal: planner on %s %d/%d%s stopped after "
                    "%.0f s\n", regime, nh, nv, start ? " from hbal's placement" : "",
                    timeout);
        else
            fprintf(stderr, "bench_hbal: planner failed on %s %d/%d%s (status "
                    "%d)\n", regime, nh, nv, start ? " from hbal's placement" : "",
                    st);
        plan_run_dispose(out);
        out->killed = killed;
    }
}

/* ---- hbal ----------------------------------------------------------------- */

/* What hbal is asked, beyond its input, its -U loads and -S.  The
 * exclusion tags (load:cpu, load:io; also in the cluster tags).  And
 * --min-gain-limit=1e9: hbal stops when a step gains less than
 * --min-gain (0.01) only once its score is below --min-gain-limit
 * (0.1), and with loads in pCPUs and MB/s its score never gets there,
 * so by default it goes on with steps that each gain a ten-thousandth:
 * on near 20/100 (seed 1) 45 moves and 5,211 s of migration for min
 * share 0.569 / p10 0.838, against 30 moves, 3,636 s and 0.568 / 0.838
 * with the limit; on near 50/500, 251 steps in 550 s against 145 in
 * 219 s for scores 14.27 and 14.60 from 252.65.  The same result for
 * fewer moves, in time to finish: its best.  Lowering -g or -e gains
 * nothing measurable.  Not --ignore-soft-errors (it would break the
 * exclusion tags), nor --no-disk-moves (sharedfile instances only
 * have failover-to-any moves anyway). */
static const char *const hbal_args[] = { "--exclusion-tags=load",
                                         "--min-gain-limit=1e9", NULL };

static void path_in(char *buf, size_t n, const char *dir, const char *name)
{
    snprintf(buf, n, "%s/%s", dir, name);
}

static int write_with(const char *path, int (*w)(const bal__pl_input *, FILE *),
                      const bal__pl_input *in)
{
    FILE *f = fopen(path, "w");
    int rc = -1;

    if (!f) return -1;
    if (!w(in, f)) rc = 0;
    if (fclose(f)) rc = -1;
    return rc;
}

/* Writes the case's files and starts hbal; 0, or -1 (not started). */
static int start_hbal(const opts *o, bcase *c)
{
    char data[256], util[256], save[256], outp[256];
    const char *argv[32];
    bal__pl_input in;
    int k = 0, i, rc = -1;
    pid_t pid;

    snprintf(c->hb.dir, sizeof(c->hb.dir), "%s/bench-hbal-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(c->hb.dir)) {
        c->hb.dir[0] = '\0';
        return -1;
    }
    path_in(data, sizeof(data), c->hb.dir, "cluster.txt");
    path_in(util, sizeof(util), c->hb.dir, "util.txt");
    path_in(save, sizeof(save), c->hb.dir, "save");
    path_in(outp, sizeof(outp), c->hb.dir, "out.txt");
    if (make_input(c->regime, c->nh, c->nv, o->seed, NULL, &in) ||
        write_with(data, gr_write_hbal, &in) ||
        write_with(util, gr_write_hbal_util, &in))
        goto out;
    argv[k++] = o->hbal;
    argv[k++] = "-t";
    argv[k++] = data;
    argv[k++] = "-U";
    argv[k++] = util;
    argv[k++] = "-S";
    argv[k++] = save;
    for (i = 0; hbal_args[i]; i++) argv[k++] = hbal_args[i];
    for (i = 0; i < o->nextra; i++) argv[k++] = o->extra[i];
    argv[k] = NULL;
    fflush(NULL);
    c->hb.t0 = mono();
    pid = fork();
    if (pid < 0) goto out;
    if (pid == 0) {
        int fd = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0600);

        if (fd < 0) _exit(126);
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
        execvp(o->hbal, (char *const *)argv);
        _exit(127);
    }
    c->hb.pid = pid;
    c->hb.state = H_RUNNING;
    rc = 0;
out:
    bal__pl_input_dispose(&in);
    return rc;
}

/* Reads hbal's output: `Solution length=N' when it finished, and each
 * step `  N. INST OLD => NEW SCORE a=...' (NEW: primary[:secondary])
 * applied to *place, which is how a killed run's progress is known. */
static int read_hbal_out(const char *path, const bal__pl_input *in,
                         int *place, int *steps_r, int *solution_r)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    int h, v;

    *steps_r = 0;
    *solution_r = -1;
    if (!f) return -1;
    while (getline(&line, &cap, f) >= 0) {
        char inst[128], from[256], to[256];
        int n;

        if (!strncmp(line, "Solution length=", 16)) *solution_r = atoi(line + 16);
        if (sscanf(line, " %d. %127s %255s => %255s", &n, inst, from, to) != 4)
            continue;
        to[strcspn(to, ":")] = '\0';
        for (v = 0; v < in->nvms && strcmp(in->vms[v].name, inst); v++) {}
        for (h = 0; h < in->nhosts && strcmp(in->hosts[h].name, to); h++) {}
        if (v == in->nvms || h == in->nhosts) continue;
        place[v] = h;
        ++*steps_r;
    }
    free(line);
    fclose(f);
    return 0;
}

/* Where a finished or killed run left the cluster. */
static void finish_hbal(const opts *o, bcase *c, int st)
{
    char outp[256], saved[256];
    bal__pl_input in;
    int steps, solution, v;

    path_in(outp, sizeof(outp), c->hb.dir, "out.txt");
    path_in(saved, sizeof(saved), c->hb.dir, "save.balanced");
    if (make_input(c->regime, c->nh, c->nv, o->seed, NULL, &in)) die("out of memory");
    c->hb.place = malloc(((size_t)c->nv + 1) * sizeof(int));
    if (!c->hb.place) die("out of memory");
    for (v = 0; v < c->nv; v++) c->hb.place[v] = in.vms[v].host;
    if (read_hbal_out(outp, &in, c->hb.place, &steps, &solution)) {
        c->hb.state = H_FAILED;
    } else if (c->hb.state == H_KILLED) {
        c->hb.moves = steps;
    } else if (WIFEXITED(st) && !WEXITSTATUS(st) && !steps && access(saved, F_OK)) {
        /* "Cluster is already well balanced" (or empty): no SAVE.balanced. */
        c->hb.moves = 0;
        c->hb.state = H_DONE;
    } else if (!WIFEXITED(st) || WEXITSTATUS(st) || solution < 0 ||
               gr_apply_hbal_placement(&in, saved)) {
        fprintf(stderr, "bench_hbal: hbal failed on %s %d/%d: see %s\n",
                c->regime, c->nh, c->nv, outp);
        c->hb.state = H_FAILED;
    } else {
        /* The saved placement is the answer; the steps read from the
         * output (a killed run's only record) must agree with it. */
        c->hb.saved = true;
        for (v = 0; v < c->nv; v++)
            if (c->hb.place[v] != in.vms[v].host) {
                fprintf(stderr, "bench_hbal: %s %d/%d: hbal's steps and its "
                        "saved placement differ at %s\n", c->regime, c->nh,
                        c->nv, in.vms[v].name);
                c->hb.place[v] = in.vms[v].host;
            }
        c->hb.moves = solution;
        c->hb.state = H_DONE;
    }
    if (c->hb.state == H_FAILED) {
        free(c->hb.place);
        c->hb.place = NULL;
    }
    bal__pl_input_dispose(&in);
}

static bool timed_out_smaller(const bcase *cs, int n, const bcase *c)
{
    int i;

    for (i = 0; i < n; i++)
        if (cs[i].regime == c->regime && cs[i].size_idx < c->size_idx &&
            (cs[i].hb.state == H_KILLED || cs[i].hb.state == H_SKIPPED))
            return true;
    return false;
}

static int by_size(const void *a, const void *b, void *arg)
{
    const bcase *cs = arg;
    const bcase *x = &cs[*(const int *)a], *y = &cs[*(const int *)b];

    if (x->size_idx != y->size_idx) return x->size_idx - y->size_idx;
    return *(const int *)a - *(const int *)b;
}

/* Every case's hbal, o->jobs at a time, smaller sizes first. */
static void run_hbals(const opts *o, bcase *cs, int n)
{
    int *order = malloc(((size_t)n + 1) * sizeof(int)), next = 0, running = 0, i;

    if (!order) die("out of memory");
    for (i = 0; i < n; i++) order[i] = i;
    qsort_r(order, (size_t)n, sizeof(int), by_size, cs);
    for (;;) {
        while (running < o->jobs && next < n) {
            bcase *c = &cs[order[next++]];

            if (timed_out_smaller(cs, n, c)) {
                c->hb.state = H_SKIPPED;
            } else if (start_hbal(o, c)) {
                fprintf(stderr, "bench_hbal: cannot start hbal for %s %d/%d\n",
                        c->regime, c->nh, c->nv);
                c->hb.state = H_FAILED;
            } else {
                running++;
            }
        }
        if (!running) break;
        for (i = 0; i < n; i++) {
            bcase *c = &cs[i];
            struct rusage ru;
            int st = 0;
            pid_t w;

            if (c->hb.state != H_RUNNING) continue;
            memset(&ru, 0, sizeof(ru));
            w = wait4(c->hb.pid, &st, WNOHANG, &ru);
            if (w == 0 && mono() - c->hb.t0 > o->timeout) {
                kill(c->hb.pid, SIGKILL);
                while (wait4(c->hb.pid, &st, 0, &ru) < 0 && errno == EINTR) {}
                c->hb.state = H_KILLED;
            } else if (w == 0 || (w < 0 && errno == EINTR)) {
                continue;
            } else if (w < 0) {
                die("wait4 failed");
            }
            c->hb.time_s = mono() - c->hb.t0;
            c->hb.rss_kb = ru.ru_maxrss;
            finish_hbal(o, c, st);
            running--;
            fprintf(stderr, "bench_hbal: hbal %s %d/%d: %s in %.1f s\n",
                    c->regime, c->nh, c->nv,
                    c->hb.state == H_DONE ? "done" :
                    c->hb.state == H_KILLED ? "killed" : "failed", c->hb.time_s);
        }
        usleep(20000);
    }
    free(order);
}

static void remove_dir(const char *dir)
{
    static const char *const files[] = { "cluster.txt", "util.txt", "out.txt",
                                         "save.original", "save.balanced", NULL };
    char p[256];
    int i;

    if (!dir[0]) return;
    for (i = 0; files[i]; i++) {
        path_in(p, sizeof(p), dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

/* ---- the table ------------------------------------------------------------- */

static void print_header(void)
{
    printf("%-8s %5s %6s  %-12s %9s %7s %5s %5s %8s %5s %5s %9s %10s %5s %5s %5s\n",
           "regime", "hosts", "VMs", "placement", "time_s", "peakMiB", "moves",
           "again", "mig_s", "cont", "plain", "unmet_cpu", "unmet_MBps",
           "min", "p10", "jain");
}

static void fmt_share(char *buf, size_t n, double x)
{
    if (isnan(x)) snprintf(buf, n, "-");
    else snprintf(buf, n, "%.3f", x);
}

/* One row: the placement's figures, and what produced it (time NAN: -). */
static void print_row(const bcase *c, const bal__pl_input *in, const char *label,
                      const int *from, const int *place, const char *time,
                      double rss_kb, int moves, int again)
{
    gm_result m;
    char mn[16], p10[16], jn[16], mv[16], ag[16], rss[16], mig[16];

    gm_measure(in, place, &m);
    if (m.nheavy < 0) die("out of memory");
    fmt_share(mn, sizeof(mn), m.min_share);
    fmt_share(p10, sizeof(p10), m.p10_share);
    fmt_share(jn, sizeof(jn), m.jain);
    snprintf(mv, sizeof(mv), moves < 0 ? "-" : "%d", moves);
    snprintf(ag, sizeof(ag), again < 0 ? "-" : "%d", again);
    snprintf(rss, sizeof(rss), rss_kb < 0 ? "-" : "%.1f", rss_kb / 1024.0);
    snprintf(mig, sizeof(mig), place ? "%.0f" : "-",
             place ? gm_migration_s(in, from, place) : 0.0);
    printf("%-8s %5d %6d  %-12s %9s %7s %5s %5s %8s %5ld %5ld %9.2f %10.1f %5s %5s %5s\n",
           c->regime, c->nh, c->nv, label, time, rss, mv, ag, mig,
           m.contended_pairs, m.plain_pairs, m.unmet_cpu, m.unmet_io_MBps,
           mn, p10, jn);
}

static void print_case(const opts *o, const bcase *c)
{
    bal__pl_input in;
    char t[32];

    if (make_input(c->regime, c->nh, c->nv, o->seed, NULL, &in)) die("out of memory");
    print_row(c, &in, "start", NULL, NULL, "-", -1, -1, -1);
    if (c->plan.ok) {
        snprintf(t, sizeof(t), "%.4f", c->plan.time_s);
        print_row(c, &in, "planner", NULL, c->plan.place, t, (double)c->plan.rss_kb,
                  c->plan.moves, c->again.ok ? c->again.moves : -1);
    } else {
        printf("%-8s %5d %6d  %-12s %s\n", c->regime, c->nh, c->nv, "planner",
               c->plan.killed ? "stopped at the timeout" : "failed");
    }
    switch (c->hb.state) {
    case H_DONE:
    case H_KILLED:
        snprintf(t, sizeof(t), "%s%.2f", c->hb.state == H_KILLED ? ">" : "",
                 c->hb.time_s);
        print_row(c, &in, "hbal", NULL, c->hb.place, t, (double)c->hb.rss_kb,
                  c->hb.moves, -1);
        break;
    case H_SKIPPED:
        printf("%-8s %5d %6d  %-12s skipped (a smaller size ran out of time)\n",
               c->regime, c->nh, c->nv, "hbal");
        break;
    case H_FAILED:
        printf("%-8s %5d %6d  %-12s failed\n", c->regime, c->nh, c->nv, "hbal");
        break;
    default:
        break;
    }
    if (c->hb.state == H_DONE && c->hplan.ok) {
        snprintf(t, sizeof(t), "%.4f", c->hplan.time_s);
        print_row(c, &in, "hbal+planner", c->hb.place, c->hplan.place, t,
                  (double)c->hplan.rss_kb, c->hplan.moves,
                  c->hagain.ok ? c->hagain.moves : -1);
    }
    bal__pl_input_dispose(&in);
}

/* ---- main -------------------------------------------------------------------- */

static void usage(void)
{
    fprintf(stderr, "usage: bench_hbal [--sizes H/V,...] [--regimes R,...] "
            "[--seed N] [--timeout S] [--jobs N] [--hbal PATH | --no-hbal]\n"
            "                  [--hbal-arg ARG]... [--no-speed | --speed-only]\n");
    exit(2);
}

static void parse_sizes(opts *o, const char *arg)
{
    char *list = strdup(arg), *tok, *save = NULL;

    if (!list) die("out of memory");
    o->nsizes = 0;
    for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int h, v;
        char end;

        if (o->nsizes == MAX_SIZES || sscanf(tok, "%d/%d%c", &h, &v, &end) != 2 ||
            h < 1 || v < 0)
            usage();
        o->sizes[o->nsizes][0] = h;
        o->sizes[o->nsizes++][1] = v;
    }
    free(list);
    if (!o->nsizes) usage();
}

static void parse_regimes(opts *o, const char *arg)
{
    char *list = strdup(arg), *tok, *save = NULL;

    if (!list) die("out of memory");
    o->nregimes = 0;
    for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int k = gr_regime_index(tok);

        if (k < 0 || o->nregimes == 8) usage();
        o->regimes[o->nregimes++] = gr_regime_names[k];   /* static: outlives list */
    }
    free(list);
    if (!o->nregimes) usage();
}

static void parse_opts(opts *o, int argc, char **argv)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int i;

    memset(o, 0, sizeof(*o));
    o->hbal = DEFAULT_HBAL;
    o->seed = 1;
    o->timeout = 300;
    o->jobs = ncpu > 0 ? (int)ncpu : 1;
    o->speed = true;
    parse_sizes(o, "10/50,20/100,50/500,100/1000");
    for (i = 0; gr_regime_names[i]; i++) o->regimes[o->nregimes++] = gr_regime_names[i];
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end;

        if (!strcmp(a, "--speed-only")) {
            o->speed_only = o->speed = true;
            continue;
        }
        if (!strcmp(a, "--no-hbal") || !strcmp(a, "--no-speed")) {
            if (a[5] == 'h') o->hbal = NULL;
            else o->speed = false;
            continue;
        }
        if (!v) usage();
        i++;
        if (!strcmp(a, "--sizes")) parse_sizes(o, v);
        else if (!strcmp(a, "--regimes")) parse_regimes(o, v);
        else if (!strcmp(a, "--hbal")) o->hbal = v;
        else if (!strcmp(a, "--hbal-arg") && o->nextra < 8) o->extra[o->nextra++] = v;
        else if (!strcmp(a, "--seed")) {
            o->seed = strtoull(v, &end, 10);
            if (*end || !*v) usage();
        } else if (!strcmp(a, "--timeout")) {
            o->timeout = strtod(v, &end);
            if (*end || !(o->timeout > 0)) usage();
        } else if (!strcmp(a, "--jobs")) {
            o->jobs = (int)strtol(v, &end, 10);
            if (*end || o->jobs < 1 || o->jobs > 64) usage();
        } else usage();
    }
}

static void speed_section(const opts *o)
{
    int k;

    printf("\n# speed: the planner alone at %d hosts / %d VMs (targets: under "
           "%.0f s of CPU and %.0f MiB;\n# time_s: wall clock, cpu_s: the "
           "planning's CPU time, its wall time on an idle core)\n",
           SPEED_HOSTS, SPEED_VMS, TARGET_S, TARGET_MIB);
    printf("%-8s %5s %6s  %9s %9s %7s %5s  %s\n", "regime", "hosts", "VMs",
           "time_s", "cpu_s", "peakMiB", "moves", "targets");
    for (k = 0; k < o->nregimes; k++) {
        plan_run p;

        run_planner(o->regimes[k], SPEED_HOSTS, SPEED_VMS, o->seed, NULL, false,
                    o->timeout, &p);
        if (!p.ok) {
            printf("%-8s %5d %6d  %s\n", o->regimes[k], SPEED_HOSTS, SPEED_VMS,
                   p.killed ? "stopped at the timeout" : "failed");
            continue;
        }
        printf("%-8s %5d %6d  %9.4f %9.4f %7.1f %5d  %s\n", o->regimes[k],
               SPEED_HOSTS, SPEED_VMS, p.time_s, p.cpu_s, p.rss_kb / 1024.0,
               p.moves,
               p.cpu_s < TARGET_S && p.rss_kb / 1024.0 < TARGET_MIB ? "met" : "MISSED");
        fflush(stdout);
        plan_run_dispose(&p);
    }
}

int main(int argc, char **argv)
{
    opts o;
    bcase *cs;
    int n, i, k, s;

    parse_opts(&o, argc, argv);
    if (o.speed_only) {
        speed_section(&o);
        return 0;
    }
    if (o.hbal && access(o.hbal, X_OK)) {
        printf("# hbal not found at %s (apt-get install ganeti-htools-3.0): "
               "the planner alone\n", o.hbal);
        o.hbal = NULL;
    }
    n = o.nregimes * o.nsizes;
    cs = calloc((size_t)n + 1, sizeof(*cs));
    if (!cs) die("out of memory");
    for (k = 0, i = 0; k < o.nregimes; k++)
        for (s = 0; s < o.nsizes; s++, i++) {
            cs[i].regime = o.regimes[k];
            cs[i].nh = o.sizes[s][0];
            cs[i].nv = o.sizes[s][1];
            cs[i].size_idx = s;
        }

    /* 1. The planner, alone on the machine. */
    for (i = 0; i < n; i++) {
        bcase *c = &cs[i];

        fprintf(stderr, "bench_hbal: planner %s %d/%d\n", c->regime, c->nh, c->nv);
        run_planner(c->regime, c->nh, c->nv, o.seed, NULL, false, o.timeout,
                    &c->plan);
        if (c->plan.ok)
            run_planner(c->regime, c->nh, c->nv, o.seed, NULL, true, o.timeout,
                        &c->again);
    }
    /* 2. hbal, in parallel. */
    if (o.hbal) run_hbals(&o, cs, n);
    /* 3. The planner from where hbal ended. */
    for (i = 0; i < n; i++) {
        bcase *c = &cs[i];
        char saved[256];

        if (c->hb.state != H_DONE) continue;
        path_in(saved, sizeof(saved), c->hb.dir, "save.balanced");
        run_planner(c->regime, c->nh, c->nv, o.seed, c->hb.saved ? saved : NULL,
                    false, o.timeout, &c->hplan);
        if (c->hplan.ok)
            run_planner(c->regime, c->nh, c->nv, o.seed, c->hb.saved ? saved : NULL,
                        true, o.timeout, &c->hagain);
    }

    printf("# seed %llu; ", (unsigned long long)o.seed);
    if (o.hbal) printf("hbal %s, killed after %.0f s", o.hbal, o.timeout);
    else printf("hbal not run");
    printf("; the measures: bench/metrics.h\n");
    print_header();
    for (i = 0; i < n; i++) {
        print_case(&o, &cs[i]);
        fflush(stdout);
    }
    if (o.speed) speed_section(&o);

    for (i = 0; i < n; i++) {
        if (cs[i].hb.state != H_FAILED) remove_dir(cs[i].hb.dir);
        plan_run_dispose(&cs[i].plan);
        plan_run_dispose(&cs[i].again);
        plan_run_dispose(&cs[i].hplan);
        plan_run_dispose(&cs[i].hagain);
        free(cs[i].hb.place);
    }
    free(cs);
    return 0;
}
