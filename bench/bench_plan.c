/*
 * bench_plan.c - the planner against Ganeti's hbal on generated clusters
 * (bench/gen_cluster.h) of growing size.  For each size: the planner's
 * time, peak memory, moves and same-type collisions left; then hbal's on
 * the same cluster, run as `hbal -t FILE --exclusion-tags=load -S SAVE`
 * (fork/execvp, no shell), its time bounded, its memory from wait4.
 *
 *   bench_plan [--sizes H/V,H/V,...] [--seed N] [--hbal PATH | --no-hbal]
 *              [--timeout SECONDS]
 *
 * Each planner run is in a child process of its own so that its peak
 * resident memory (ru_maxrss) is its own: generating the cluster and
 * planning it.  Figures and commands: doc/planner.md, "Benchmark".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gen_cluster.h"

#define DEFAULT_HBAL "/usr/lib/ganeti/3.0/usr/bin/hbal"

typedef struct res {
    int ok;                     /* 1: ran; 0: failed; -1: timed out */
    double time_s;              /* planning (or hbal's whole run) */
    long rss_kb;                /* peak resident set */
    int moves, waves;
    int before, after, least;   /* collisions: start, end, least possible */
    double plan_s;              /* predicted duration of the plan */
} res;

static double mono(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- the planner, in a child ------------------------------------------- */

static void plan_child(int fd, int nh, int nv, uint64_t seed)
{
    bal__pl_input in;
    bal__pl_result r;
    bal_ctx *ctx = NULL;
    res out;
    double t0;

    memset(&out, 0, sizeof(out));
    bal__pl_input_init(&in);
    bal__pl_result_init(&r);
    if (bal_ctx_alloc(&ctx, bal_log_stderr, "bench_plan", BAL_LOG_WARN) ||
        gc_generate(nh, nv, seed, &in))
        _exit(2);
    in.params.max_moves = -1;
    t0 = mono();
    if (bal__planner_plan(ctx, &in, &r)) _exit(3);
    out.time_s = mono() - t0;
    out.ok = 1;
    out.moves = r.nmoves;
    out.waves = r.nwaves;
    out.before = r.collisions_before;
    out.after = r.collisions_after;
    out.least = gc_min_collisions(&in);
    out.plan_s = r.total_s;
    if (write(fd, &out, sizeof(out)) != (ssize_t)sizeof(out)) _exit(4);
    bal__pl_result_dispose(&r);
    bal__pl_input_dispose(&in);
    bal_ctx_free(ctx);
    _exit(0);
}

static int run_planner(int nh, int nv, uint64_t seed, res *r)
{
    int fds[2], st;
    pid_t pid;
    struct rusage ru;

    memset(r, 0, sizeof(*r));
    if (pipe(fds)) return -1;
    pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        close(fds[0]);
        plan_child(fds[1], nh, nv, seed);
    }
    close(fds[1]);
    if (read(fds[0], r, sizeof(*r)) != (ssize_t)sizeof(*r)) r->ok = 0;
    close(fds[0]);
    if (wait4(pid, &st, 0, &ru) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) r->ok = 0;
    r->rss_kb = ru.ru_maxrss;
    return 0;
}

/* ---- hbal ------------------------------------------------------------------ */

/* "Solution length=N" from hbal's output. */
static int hbal_moves(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    int n = -1;

    if (!f) return -1;
    while (fgets(line, sizeof(line), f))
        if (!strncmp(line, "Solution length=", 16)) n = atoi(line + 16);
    fclose(f);
    return n;
}

/* Collisions in the cluster hbal saved: heavy tagged instances beyond
 * the first of each tag, per primary node (nodes are named h%05d). */
static int hbal_collisions(const char *path, int nh)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    int section = 0, *cnt, n = 0, i;

    if (!f) return -1;
    cnt = calloc(2 * (size_t)nh, sizeof(int));
    if (!cnt) {
        fclose(f);
        return -1;
    }
    while (fgets(line, sizeof(line), f)) {
        char *fld[11], *p = line;
        int k, h;

        if (line[0] == '\n') {
            section++;
            continue;
        }
        if (section != 2) continue;
        for (k = 0; k < 11 && p; k++) {
            fld[k] = p;
            p = strchr(p, '|');
            if (p) *p++ = '\0';
        }
        if (k < 10 || fld[6][0] != 'h') continue;
        h = atoi(fld[6] + 1);
        if (h < 0 || h >= nh) continue;
        if (strstr(fld[9], "load:cpu")) cnt[2 * h]++;
        if (strstr(fld[9], "load:io")) cnt[2 * h + 1]++;
    }
    fclose(f);
    for (i = 0; i < 2 * nh; i++)
        if (cnt[i] > 1) n += cnt[i] - 1;
    free(cnt);
    return n;
}

static int run_hbal(const char *hbal, int nh, int nv, uint64_t seed,
                    double timeout, res *r)
{
    char dir[] = "/tmp/bench-hbal-XXXXXX", data[64], save[64], saved[80];
    char outp[64];
    bal__pl_input in;
    FILE *f;
    pid_t pid;
    int st = 0, rc = -1;
    struct rusage ru;
    double t0;

    memset(r, 0, sizeof(*r));
    memset(&ru, 0, sizeof(ru));
    bal__pl_input_init(&in);
    if (!mkdtemp(dir)) return -1;
    snprintf(data, sizeof(data), "%s/cluster.txt", dir);
    snprintf(save, sizeof(save), "%s/state", dir);
    snprintf(saved, sizeof(saved), "%s/state.balanced", dir);
    snprintf(outp, sizeof(outp), "%s/out.txt", dir);
    if (gc_generate(nh, nv, seed, &in)) goto out;
    f = fopen(data, "w");
    if (!f) goto out;
    if (gc_write_hbal(&in, f)) {
        fclose(f);
        goto out;
    }
    if (fclose(f)) goto out;

    t0 = mono();
    pid = fork();
    if (pid < 0) goto out;
    if (pid == 0) {
        char *argv[] = { (char *)hbal, "-t", data, "--exclusion-tags=load",
                         "-S", save, NULL };
        int fd = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0600);

        if (fd < 0) _exit(126);
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
        execvp(hbal, argv);
        _exit(127);
    }
    /* Bounded: polled, killed past the timeout. */
    for (;;) {
        pid_t w = wait4(pid, &st, WNOHANG, &ru);

        if (w == pid) break;
        if (w < 0 && errno != EINTR) goto out;
        if (mono() - t0 > timeout) {
            kill(pid, SIGKILL);
            wait4(pid, &st, 0, &ru);
            r->ok = -1;
            r->time_s = mono() - t0;
            r->rss_kb = ru.ru_maxrss;
            rc = 0;
            goto out;
        }
        usleep(20000);
    }
    r->time_s = mono() - t0;
    r->rss_kb = ru.ru_maxrss;
    r->ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
    r->moves = hbal_moves(outp);
    r->before = bal__pl_collisions(&in, NULL);
    r->after = hbal_collisions(saved, nh);
    r->least = gc_min_collisions(&in);
    if (r->moves < 0 || r->after < 0) r->ok = 0;
    rc = 0;
out:
    unlink(data);
    unlink(outp);
    unlink(saved);
    {
        char orig[80];

        snprintf(orig, sizeof(orig), "%s/state.original", dir);
        unlink(orig);
    }
    rmdir(dir);
    bal__pl_input_dispose(&in);
    return rc;
}

/* ---- main ------------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr, "usage: bench_plan [--sizes H/V,...] [--seed N] "
            "[--hbal PATH | --no-hbal] [--timeout SECONDS]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    static const char *defsizes = "10/100,100/1000,1000/10000,5000/50000";
    const char *sizes = defsizes, *hbal = DEFAULT_HBAL;
    uint64_t seed = 1;
    double timeout = 120;
    bool skip_hbal = false;    /* once hbal timed out, bigger sizes too */
    int i;
    char *list, *tok, *save = NULL;

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--sizes") && i + 1 < argc) sizes = argv[++i];
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--hbal") && i + 1 < argc) hbal = argv[++i];
        else if (!strcmp(argv[i], "--no-hbal")) hbal = NULL;
        else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
            timeout = atof(argv[++i]);
        else usage();
    }
    if (hbal && access(hbal, X_OK)) {
        printf("# hbal not found at %s (apt-get install ganeti-htools-3.0): "
               "planner only\n", hbal);
        hbal = NULL;
    }
    printf("# seed %llu; collisions: heavy same-type VMs beyond one per host "
           "(least possible in brackets)\n", (unsigned long long)seed);
    printf("%-6s %-7s | %-9s %-8s %-6s %-5s %-14s | %-9s %-8s %-6s %-5s\n",
           "hosts", "vms", "plan_ms", "peakMiB", "moves", "waves", "collisions",
           "hbal_s", "peakMiB", "moves", "coll");
    list = strdup(sizes);
    if (!list) return 1;
    for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int nh, nv;
        res p, h;
        char coll[32];

        if (sscanf(tok, "%d/%d", &nh, &nv) != 2 || nh < 1 || nv < 0) usage();
        if (run_planner(nh, nv, seed, &p) || !p.ok) {
            printf("%-6d %-7d | planner failed\n", nh, nv);
            continue;
        }
        snprintf(coll, sizeof(coll), "%d->%d [%d]", p.before, p.after, p.least);
        printf("%-6d %-7d | %-9.3f %-8.1f %-6d %-5d %-14s | ", nh, nv,
               p.time_s * 1e3, p.rss_kb / 1024.0, p.moves, p.waves, coll);
        fflush(stdout);
        if (!hbal) {
            printf("-\n");
        } else if (skip_hbal) {
            printf("skipped (a smaller size exceeded %.0f s)\n", timeout);
        } else if (run_hbal(hbal, nh, nv, seed, timeout, &h)) {
            printf("hbal could not be run\n");
        } else if (h.ok < 0) {
            printf("> %.0f s (killed; %.1f MiB so far)\n", timeout, h.rss_kb / 1024.0);
            skip_hbal = true;
        } else if (!h.ok) {
            printf("hbal failed\n");
        } else {
            printf("%-9.3f %-8.1f %-6d %-5d (planner %.0fx faster)\n", h.time_s,
                   h.rss_kb / 1024.0, h.moves, h.after,
                   p.time_s > 0 ? h.time_s / p.time_s : 0);
        }
        fflush(stdout);
    }
    free(list);
    return 0;
}
