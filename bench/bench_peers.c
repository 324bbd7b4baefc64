/*
 * bench_peers.c - asking many dom0s for their samples over the transport.
 *
 * PEERS dom0s are played by tests/data/fake-peer (host gen-N), each
 * answering DELAY_S seconds after it is asked, as a dom0 does over ssh.
 * A status of 2 samples 1 s apart is taken through the peers backend (a
 * management host; the xen backend asks its peers the same way, through
 * peer.c), from a configuration file with peer_parallel 8 (the default)
 * and then 1 (one peer after another, as the sample loop did before).
 *
 * Target (60 peers, 0.3 s each): under 8 s with peer_parallel 8; one at
 * a time needs at least 2 x 60 x 0.3 s + 1 s = 37 s.
 *
 *   bench_peers [PEERS [DELAY_S]]     defaults 60 and 0.3
 *
 * Run from the source tree (make bench does).  Exits 1 when a peer is
 * missing from a status.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "libbalance.h"

#define FAKE_PEER "tests/data/fake-peer"
#define TARGET_S 8.0

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_peers: %s\n", what);
    exit(1);
}

static void log_fn(void *opaque, bal_log_level level, const char *msg)
{
    (void)opaque;
    (void)level;
    fprintf(stderr, "bench_peers: %s\n", msg);
}

/* A configuration of npeers hosts gen-1.. reached through fake. */
static void write_conf(const char *path, const char *fake, int npeers,
                       int parallel)
{
    FILE *f = fopen(path, "w");
    int i;

    if (!f) die("cannot write the configuration");
    fprintf(f, "hosts = [");
    for (i = 1; i <= npeers; i++)
        fprintf(f, "%s\"gen-%d\"", i > 1 ? ", " : "", i);
    fprintf(f, "]\ntransport = [\"%s\"]\npeer_parallel = %d\n"
            "sample_count = 2\nsample_interval = 1\n", fake, parallel);
    if (fclose(f)) die("cannot write the configuration");
    chmod(path, 0600);
}

/* Wall time of one status with peer_parallel = parallel. */
static double one_status(bal_ctx *ctx, const char *dir, const char *fake,
                         int npeers, int parallel, int *hosts_r,
                         int *errors_r)
{
    char path[4200];
    bal_config *cfg = NULL;
    bal_backend *be = NULL;
    bal_status *st = NULL;
    double t0, t;

    snprintf(path, sizeof(path), "%s/peers-%d.conf", dir, parallel);
    write_conf(path, fake, npeers, parallel);
    if (bal_config_alloc(&cfg) || bal_config_load(ctx, cfg, path, true))
        die("cannot load the configuration");
    if (bal_backend_open(ctx, cfg, "peers", &be))
        die("cannot open the peers backend");
    t0 = now_s();
    if (bal_status_collect(ctx, be, cfg, &st)) die("status failed");
    t = now_s() - t0;
    *hosts_r = bal_status_num_hosts(st);
    *errors_r = bal_status_peer_errors(st);
    bal_status_free(st);
    bal_backend_close(be);
    bal_config_free(cfg);
    unlink(path);
    return t;
}

int main(int argc, char **argv)
{
    static const int parallel[] = { 8, 1 };
    char dir[] = "/tmp/bench-peers-XXXXXX";
    char delay[32];
    char *fake;
    int npeers = argc > 1 ? atoi(argv[1]) : 60;
    double delay_s = argc > 2 ? atof(argv[2]) : 0.3;
    bal_ctx *ctx = NULL;
    int bad = 0;
    size_t i;

    if (npeers < 1 || npeers > 256 || !(delay_s >= 0 && delay_s <= 10))
        die("usage: bench_peers [PEERS (1 to 256) [DELAY_S (0 to 10)]]");
    fake = realpath(FAKE_PEER, NULL);
    if (!fake) die("run from the source tree: no " FAKE_PEER);
    snprintf(delay, sizeof(delay), "%g", delay_s);
    setenv("FAKE_PEER_DELAY", delay, 1);
    if (!mkdtemp(dir)) die("cannot make a temporary directory");
    if (bal_ctx_alloc(log_fn, NULL, BAL_LOG_WARN, &ctx))
        die("cannot make a context");

    for (i = 0; i < sizeof(parallel) / sizeof(parallel[0]); i++) {
        int hosts = 0, errors = 0;
        double t = one_status(ctx, dir, fake, npeers, parallel[i], &hosts,
                              &errors);
        double floor_s = 2 * npeers * delay_s + 1;

        if (parallel[i] > 1)
            printf("peers: %d peers answering in %g s, 2 samples 1 s apart, "
                   "peer_parallel %d: %.2f s (target under %g s: %s); "
                   "%d hosts, %d peer errors\n", npeers, delay_s,
                   parallel[i], t, TARGET_S,
                   t < TARGET_S ? "met" : "MISSED", hosts, errors);
        else
            printf("peers: %d peers answering in %g s, 2 samples 1 s apart, "
                   "peer_parallel 1 (one after another): %.2f s (at least "
                   "%g s); %d hosts, %d peer errors\n", npeers, delay_s, t,
                   floor_s, hosts, errors);
        fflush(stdout);
        if (hosts != npeers || errors) bad = 1;
    }

    rmdir(dir);
    bal_ctx_free(ctx);
    free(fake);
    return bad;
}
