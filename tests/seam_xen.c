/*
 * seam_xen.c - the xen backend against fake_xen.c: what it makes of
 * libxenstat's and libxl's answers, and how it fails when they fail.
 * Linked with no Xen library: every Xen call it makes must be faked.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "testutil.h"
#include "backend/backend.h"
#include "base/json.h"
#include "fake_xen.h"

#define NOT_DOM0_MSG \
    "this is not a Xen dom0 (no /dev/xen/privcmd); use -b sim:SCENARIO " \
    "for the simulated cluster"
#define GIB (1024ull * 1024 * 1024)

static const char *const real_paths[3] = {
    "/dev/xen/privcmd", "/proc/xen/privcmd", "/proc/xen/capabilities",
};
static const char *const missing = "/nonexistent/bal-seam-xen";

/* Temporary files standing in for /dev/xen/privcmd and
 * /proc/xen/capabilities, removed after each test. */
static char *tmp_privcmd, *tmp_caps;

static void set_paths(bool privcmd, bool proc_privcmd, const char *caps)
{
    if (privcmd || proc_privcmd) tmp_privcmd = tu_tmpfile("");
    if (caps) tmp_caps = tu_tmpfile(caps);
    bal__xen_privcmd_path = privcmd ? tmp_privcmd : missing;
    bal__xen_privcmd_proc_path = proc_privcmd ? tmp_privcmd : missing;
    bal__xen_caps_path = caps ? tmp_caps : missing;
}

static int teardown(void **state)
{
    if (tmp_privcmd) unlink(tmp_privcmd);
    if (tmp_caps) unlink(tmp_caps);
    free(tmp_privcmd);
    free(tmp_caps);
    tmp_privcmd = tmp_caps = NULL;
    bal__xen_privcmd_path = real_paths[0];
    bal__xen_privcmd_proc_path = real_paths[1];
    bal__xen_caps_path = real_paths[2];
    /* Whatever a test did, it gave back all it took. */
    assert_int_equal(fx.handles, 0);
    assert_int_equal(fx.nodes, 0);
    assert_int_equal(fx.ctxs, 0);
    assert_int_equal(fx.lists, 0);
    assert_int_equal(fx.sched_params, 0);
    fx_reset();
    return 0;
}

static int setup(void **state)
{
    fx_reset();
    set_paths(true, false, "control_d\n");
    return 0;
}

/* The configuration a dom0 named hostA alone in its cluster has. */
static char *one_host[] = { "hostA", NULL };

static void cfg_init(struct bal_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->hosts = one_host;
    cfg->nhosts = 1;
    cfg->local_host = "hostA";
    cfg->peer_timeout = 5;
    cfg->peer_parallel = 8;
    cfg->interval = 1;
    cfg->samples = 2;
}

static void be_init(bal_backend *be, bal_ctx *ctx,
                    const struct bal_config *cfg)
{
    memset(be, 0, sizeof(*be));
    be->ctx = ctx;
    be->cfg = cfg;
}

static void be_close(bal_backend *be)
{
    be->ops->close(be);
    assert_null(be->priv);
}

/* ---- is this a dom0? ------------------------------------------------- */

static void test_not_dom0(void **state)
{
    struct bal_config cfg;
    bal_backend be;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    teardown(state);
    set_paths(false, false, NULL);
    cfg_init(&cfg);
    be_init(&be, ctx, &cfg);

    assert_false(bal_xen_available());
    assert_int_equal(bal__backend_xen_open(&be, NULL), BAL_ENOXEN);
    /* Exactly one line, and libxenstat (which would perror) untouched. */
    assert_string_equal(lg.buf, NOT_DOM0_MSG);
    assert_int_equal(lg.nerrors, 1);
    assert_int_equal(fx.init_calls, 0);
    assert_null(be.ops);
    assert_null(be.priv);
    bal_ctx_free(ctx);
}

/* A domU has privcmd but is no dom0. */
static void test_domU(void **state)
{
    struct bal_config cfg;
    bal_backend be;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    teardown(state);
    set_paths(true, false, "\n");
    cfg_init(&cfg);
    be_init(&be, ctx, &cfg);

    assert_false(bal_xen_available());
    assert_int_equal(bal__backend_xen_open(&be, NULL), BAL_ENOXEN);
    assert_string_equal(lg.buf,
        "this is not a Xen dom0 (/proc/xen/capabilities lacks control_d); "
        "use -b sim:SCENARIO for the simulated cluster");
    assert_int_equal(fx.init_calls, 0);
    bal_ctx_free(ctx);
}

static void test_available(void **state)
{
    /* setup: /dev/xen/privcmd and control_d */
    assert_true(bal_xen_available());

    /* /proc/xen/privcmd (older kernels) will do as well... */
    teardown(state);
    set_paths(false, true, "control_d\n");
    assert_true(bal_xen_available());

    /* ...but not without the capabilities file. */
    teardown(state);
    set_paths(true, true, NULL);
    assert_false(bal_xen_available());
    assert_int_equal(fx.init_calls, 0);
}

static void test_arg_rejected(void **state)
{
    struct bal_config cfg;
    bal_backend be;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    cfg_init(&cfg);
    be_init(&be, ctx, &cfg);
    assert_int_equal(bal__backend_xen_open(&be, "foo"), BAL_EBACKEND);
    assert_string_equal(lg.buf, "backend `xen:foo': takes no argument");
    assert_int_equal(fx.init_calls, 0);
    bal_ctx_free(ctx);
}

/* ---- opening fails ---------------------------------------------------- */

static void test_xenstat_init_fails(void **state)
{
    struct bal_config cfg;
    bal_backend be;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    fx.init_fails = true;
    cfg_init(&cfg);
    be_init(&be, ctx, &cfg);
    assert_int_equal(bal__backend_xen_open(&be, NULL), BAL_EXEN);
    assert_string_equal(lg.buf, "xen: xenstat_init failed: cannot open "
                        "libxenstat (is xenstored running? are we root?)");
    assert_int_equal(lg.nerrors, 1);
    assert_null(be.ops);
    assert_null(be.priv);
    bal_ctx_free(ctx);
}

static void test_ctx_alloc_fails(void **state)
{
    struct bal_config cfg;
    bal_backend be;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    fx.ctx_alloc_fails = true;
    cfg_init(&cfg);
    be_init(&be, ctx, &cfg);
    assert_int_equal(bal__backend_xen_open(&be, NULL), BAL_EXEN);
    /* libxl's own error reaches the sink, as a warning; ours is last. */
    assert_string_equal(lg.buf,
        "libxl: cannot open libxc handle: Permission denied\n"
        "xen: libxl_ctx_alloc failed: cannot open libxl");
    assert_int_equal(lg.nerrors, 1);
    assert_null(be.priv);
    /* teardown checks the xenstat handle was given back */
    bal_ctx_free(ctx);
}

/* ---- sampling ---------------------------------------------------------- */

static const unsigned char uuid_a[16] = {
    0xAB, 0xCD, 0xEF, 0x01, 0x23, 0x45, 0x67, 0x89,
    0x0A, 0xBC, 0xDE, 0xF0, 0x12, 0x34, 0x56, 0x78,
};

/* dom0, one guest with every kind of device, and the domains the backend
 * must leave out. */
static void fill_host(void)
{
    struct xenstat_node *n = &fx.node;
    struct xenstat_domain *d;
    static char long_name[130];

    n->ncpus = 8;
    n->cpu_hz = 2400000000ull;
    n->tot_mem = 64 * GIB;
    n->free_mem = 10 * GIB + 1023;          /* rounds down */

    d = &n->doms[n->ndoms++];               /* dom0 */
    d->domid = 0;
    d->name = "Domain-0";
    d->uuid[15] = 0;                        /* all zero, as on real dom0s */
    d->cpu_ns = 5000000000ull;
    d->vcpus = 8;
    d->cur_mem = 4 * GIB;
    d->max_mem = ~0ull;                     /* no limit */
    d->nnets = 1;
    d->nets[0] = (struct xenstat_network){ .rbytes = 7, .tbytes = 9 };

    d = &n->doms[n->ndoms++];               /* the guest */
    d->domid = 3;
    d->name = "web";
    memcpy(d->uuid, uuid_a, 16);
    d->cpu_ns = 123456789012ull;
    d->vcpus = 2;
    d->cur_mem = 2 * GIB;
    d->max_mem = 3 * GIB;
    d->nvbds = 3;
    d->vbds[0] = (struct xenstat_vbd){ .rd_reqs = 10, .wr_reqs = 20,
        .rd_sects = 80, .wr_sects = 160, .oo_reqs = 1 };
    d->vbds[1] = (struct xenstat_vbd){ .error = true, .rd_reqs = 1000000,
        .wr_reqs = 1000000, .rd_sects = 1000000, .wr_sects = 1000000,
        .oo_reqs = 1000000 };
    d->vbds[2] = (struct xenstat_vbd){ .rd_reqs = 5, .wr_reqs = 6,
        .rd_sects = 40, .wr_sects = 48, .oo_reqs = 2 };
    d->nnets = 2;
    d->nets[0] = (struct xenstat_network){ .rbytes = 100, .tbytes = 200 };
    d->nets[1] = (struct xenstat_network){ .rbytes = 1000, .tbytes = 2000 };

    d = &n->doms[n->ndoms++];               /* being destroyed */
    d->domid = 4;
    d->name = "dying";
    d->uuid[0] = 4;
    d->dying = true;

    d = &n->doms[n->ndoms++];               /* gone before libxl looked */
    d->domid = 5;
    d->name = "raced";
    d->uuid[0] = 5;
    d->not_in_libxl = true;

    d = &n->doms[n->ndoms++];               /* no name in xenstore yet */
    d->domid = 6;
    d->name = NULL;
    d->uuid[0] = 6;

    /* 126 ASCII bytes then a two-byte character across the limit. */
    memset(long_name, 'a', 126);
    strcpy(long_name + 126, "\xc3\xa9x");
    d = &n->doms[n->ndoms++];
    d->domid = 7;
    d->name = long_name;
    d->uuid[0] = 7;
    d->vcpus = 1;
    d->cur_mem = 512 * 1024 * 1024 + 512;   /* rounds down */
    d->max_mem = 512 * 1024 * 1024;
}

static void open_ok(bal_backend *be, bal_ctx *ctx,
                    const struct bal_config *cfg)
{
    be_init(be, ctx, cfg);
    assert_int_equal(bal__backend_xen_open(be, NULL), 0);
    assert_non_null(be->ops);
    assert_string_equal(be->ops->name, "xen");
    assert_non_null(be->priv);
    assert_int_equal(fx.handles, 1);
    assert_int_equal(fx.ctxs, 1);
    /* libxl was given our logger, not a stdio one. */
    assert_non_null(fx.logger);
}

static void test_sample(void **state)
{
    struct bal_config cfg;
    bal_backend be;
    bal__sample s;
    bal__host *h;
    const bal__dom *d;
    uint64_t before, after;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    fill_host();
    cfg_init(&cfg);
    open_ok(&be, ctx, &cfg);

    bal__sample_init(&s);
    before = bal__now_ns();
    assert_int_equal(be.ops->sample(&be, false, &s), 0);
    after = bal__now_ns();
    assert_string_equal(lg.buf, "");
    assert_int_equal(fx.nodes, 0);
    assert_int_equal(fx.lists, 0);

    assert_int_equal(s.nhosts, 1);
    assert_int_equal(s.npeer_errors, 0);
    h = &s.hosts[0];
    assert_string_equal(h->name, "hostA");
    assert_true(h->time_ns >= before && h->time_ns <= after);
    assert_int_equal(h->pcpus, 8);
    assert_int_equal(h->cpu_hz, 2400000000ull);
    assert_int_equal(h->mem_kb, 64ull * 1024 * 1024);
    assert_int_equal(h->free_kb, 10ull * 1024 * 1024);
    /* unknown on a real dom0: the configuration supplies them */
    assert_true(h->disk_Bps == 0 && h->disk_iops == 0 && h->net_Bps == 0);

    /* dom0, the guest and the long name; not the dying, raced, nameless */
    assert_int_equal(h->ndoms, 3);

    d = &h->doms[0];
    assert_int_equal(d->domid, 0);
    assert_string_equal(d->name, "Domain-0");
    assert_string_equal(d->uuid, "00000000-0000-0000-0000-000000000000");
    assert_int_equal(d->vcpus, 8);
    assert_int_equal(d->cpu_ns, 5000000000ull);
    assert_int_equal(d->mem_kb, 4ull * 1024 * 1024);
    assert_int_equal(d->maxmem_kb, 64ull * 1024 * 1024);   /* clamped */
    /* The vif's counters as dom0 sees them, swapped: the guest's. */
    assert_int_equal(d->net_rx_bytes, 9);
    assert_int_equal(d->net_tx_bytes, 7);
    assert_int_equal(d->vbd_rd_reqs, 0);

    d = &h->doms[1];
    assert_int_equal(d->domid, 3);
    assert_string_equal(d->name, "web");
    assert_string_equal(d->uuid, "abcdef01-2345-6789-0abc-def012345678");
    assert_true(bal__uuid_valid(d->uuid));
    assert_int_equal(d->vcpus, 2);
    assert_int_equal(d->cpu_ns, 123456789012ull);
    assert_int_equal(d->mem_kb, 2ull * 1024 * 1024);
    assert_int_equal(d->maxmem_kb, 3ull * 1024 * 1024);
    /* the VBD with an error is left out of every sum */
    assert_int_equal(d->vbd_rd_reqs, 15);
    assert_int_equal(d->vbd_wr_reqs, 26);
    assert_int_equal(d->vbd_rd_sect, 120);
    assert_int_equal(d->vbd_wr_sect, 208);
    assert_int_equal(d->vbd_oo_reqs, 3);
    assert_int_equal(d->net_rx_bytes, 2200);
    assert_int_equal(d->net_tx_bytes, 1100);

    d = &h->doms[2];
    assert_int_equal(d->domid, 7);
    /* cut before the split character, NUL-terminated */
    assert_int_equal(strlen(d->name), 126);
    assert_int_equal(strspn(d->name, "a"), 126);
    assert_string_equal(d->uuid, "07000000-0000-0000-0000-000000000000");
    assert_int_equal(d->mem_kb, 512 * 1024);
    assert_int_equal(d->maxmem_kb, 512 * 1024);

    /* A second sample appends after what out holds. */
    assert_int_equal(be.ops->sample(&be, true, &s), 0);
    assert_int_equal(s.nhosts, 2);
    assert_int_equal(s.hosts[1].ndoms, 3);
    assert_true(s.hosts[1].time_ns >= s.hosts[0].time_ns);

    bal__sample_dispose(&s);
    be_close(&be);
    bal_ctx_free(ctx);
}

/* The scheduler weight libxl reports reaches the sample, and on to the
 * wire; a domain whose weight cannot be read (it failed, or its scheduler
 * has none) is sampled all the same, weight 0, the sample not failing. */
static void test_sample_weight(void **state)
{
    struct bal_config cfg;
    bal_backend be;
    bal__sample s, back;
    const bal__host *h;
    char *json = NULL;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    fill_host();
    fx.node.doms[0].weight = 1024;          /* dom0 */
    fx.node.doms[1].weight = 256;           /* web */
    fx.node.doms[5].sched_fails = true;     /* the long name */
    cfg_init(&cfg);
    open_ok(&be, ctx, &cfg);

    bal__sample_init(&s);
    assert_int_equal(be.ops->sample(&be, false, &s), 0);
    assert_int_equal(fx.sched_gets, 3);     /* only the domains kept */
    assert_int_equal(fx.sched_params, 0);
    h = &s.hosts[0];
    assert_int_equal(h->ndoms, 3);
    assert_int_equal(h->doms[0].weight, 1024);
    assert_int_equal(h->doms[1].weight, 256);
    assert_int_equal(h->doms[2].domid, 7);
    assert_int_equal(h->doms[2].weight, 0);
    /* libxl's own line about the failure, as a warning, not an error */
    assert_int_equal(lg.nerrors, 0);
    assert_non_null(strstr(lg.buf, "getting domain sched params"));

    /* Known weights are written, the unknown one is not. */
    assert_int_equal(bal__json_write_sample(&s, &json), 0);
    assert_non_null(strstr(json, "\"name\":\"Domain-0\""));
    assert_non_null(strstr(json, ",\"weight\":1024}"));
    assert_non_null(strstr(json, ",\"weight\":256}"));
    assert_null(strstr(json, "\"weight\":0"));
    bal__sample_init(&back);
    assert_int_equal(bal__json_parse_sample(ctx, "peer", BAL_EPEER, json,
                                            strlen(json), &back), 0);
    assert_int_equal(back.hosts[0].doms[0].weight, 1024);
    assert_int_equal(back.hosts[0].doms[1].weight, 256);
    assert_int_equal(back.hosts[0].doms[2].weight, 0);
    bal__sample_dispose(&back);
    free(json);

    /* A scheduler without weights: 0, and no call fails. */
    fx.node.doms[0].weight = fx.node.doms[1].weight = 0;
    fx.node.doms[5].sched_fails = false;
    bal__sample_dispose(&s);
    bal__sample_init(&s);
    memset(&lg, 0, sizeof(lg));
    assert_int_equal(be.ops->sample(&be, true, &s), 0);
    assert_int_equal(s.hosts[0].doms[0].weight, 0);
    assert_int_equal(s.hosts[0].doms[1].weight, 0);
    assert_string_equal(lg.buf, "");

    bal__sample_dispose(&s);
    be_close(&be);
    bal_ctx_free(ctx);
}

/* Without local_host the host is called what uname says. */
static void test_sample_uname(void **state)
{
    struct bal_config cfg;
    struct utsname u;
    bal_backend be;
    bal__sample s;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    fill_host();
    cfg_init(&cfg);
    cfg.local_host = NULL;
    cfg.hosts = NULL;
    cfg.nhosts = 0;
    open_ok(&be, ctx, &cfg);
    assert_int_equal(uname(&u), 0);

    bal__sample_init(&s);
    assert_int_equal(be.ops->sample(&be, false, &s), 0);
    assert_int_equal(s.nhosts, 1);
    assert_string_equal(s.hosts[0].name, u.nodename);

    bal__sample_dispose(&s);
    be_close(&be);
    bal_ctx_free(ctx);
}

/* An existing sample with one host, to see that failures leave it be. */
static void sample_with_one_host(bal__sample *s)
{
    bal__host *h;

    bal__sample_init(s);
    assert_int_equal(bal__sample_add_host(s, &h), 0);
    strcpy(h->name, "before");
}

static void test_get_node_fails(void **state)
{
    struct bal_config cfg;
    bal_backend be;
    bal__sample s;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    fill_host();
    cfg_init(&cfg);
    open_ok(&be, ctx, &cfg);
    fx.get_node_fails = true;

    sample_with_one_host(&s);
    assert_int_equal(be.ops->sample(&be, false, &s), BAL_EXEN);
    assert_string_equal(lg.buf, "xen: xenstat_get_node failed: cannot "
                        "read the domains' counters");
    assert_int_equal(s.nhosts, 1);
    assert_string_equal(s.hosts[0].name, "before");

    bal__sample_dispose(&s);
    be_close(&be);
    bal_ctx_free(ctx);
}

static void test_list_domain_fails(void **state)
{
    struct bal_config cfg;
    bal_backend be;
    bal__sample s;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    fill_host();
    cfg_init(&cfg);
    open_ok(&be, ctx, &cfg);
    fx.list_fails = true;

    sample_with_one_host(&s);
    assert_int_equal(be.ops->sample(&be, false, &s), BAL_EXEN);
    assert_string_equal(lg.buf,
        "libxl: getting domain info list: Permission denied\n"
        "xen: libxl_list_domain failed: cannot list the domains' UUIDs");
    assert_int_equal(lg.nerrors, 1);
    assert_int_equal(s.nhosts, 1);
    assert_int_equal(s.hosts[0].ndoms, 0);
    /* teardown checks the xenstat node was freed on this path too */

    bal__sample_dispose(&s);
    be_close(&be);
    bal_ctx_free(ctx);
}

/* ---- waiting ------------------------------------------------------------ */

static void on_alarm(int sig)
{
    (void)sig;
}

static void test_wait(void **state)
{
    struct bal_config cfg;
    struct sigaction sa, old;
    struct itimerval it = { .it_value = { .tv_usec = 10000 } };
    bal_backend be;
    uint64_t t0, t1;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    cfg_init(&cfg);
    open_ok(&be, ctx, &cfg);

    t0 = bal__now_ns();
    assert_int_equal(be.ops->wait(&be, 0.02), 0);
    t1 = bal__now_ns();
    assert_true(t1 - t0 >= 20000000ull);

    /* A signal 10 ms in does not cut a 60 ms wait short. */
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm;          /* no SA_RESTART: EINTR */
    assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
    assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
    t0 = bal__now_ns();
    assert_int_equal(be.ops->wait(&be, 0.06), 0);
    t1 = bal__now_ns();
    assert_int_equal(sigaction(SIGALRM, &old, NULL), 0);
    assert_true(t1 - t0 >= 60000000ull);

    assert_int_equal(be.ops->wait(&be, -1), BAL_ERANGE);
    assert_string_equal(tu_last(&lg), "xen: cannot wait -1 seconds");

    be_close(&be);
    bal_ctx_free(ctx);
}

/* ---- peers ---------------------------------------------------------------
 * The transport is a fixture: `sh -c SCRIPT JSONFILE` with the host and
 * the peer command appended; it answers for peerB only. */

static void test_peers(void **state)
{
    static char *hosts[] = { "hostA", "peerB", "peerC", NULL };
    static char *peer_cmd[] = { "xl", "balance", "sample", "--json",
                                "--local", NULL };
    char *transport[5];
    struct bal_config cfg;
    bal_backend be;
    bal__sample s, reply;
    bal__host *h;
    bal__dom *d;
    char *json = NULL, *jsonfile;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    /* What peerB answers: one host (named as it calls itself), one VM. */
    bal__sample_init(&reply);
    assert_int_equal(bal__sample_add_host(&reply, &h), 0);
    strcpy(h->name, "peerB.example.org");
    h->time_ns = 42;
    h->pcpus = 4;
    h->mem_kb = 1024 * 1024;
    assert_int_equal(bal__host_add_dom(h, &d), 0);
    d->domid = 0;
    strcpy(d->name, "Domain-0");
    strcpy(d->uuid, "00000000-0000-0000-0000-000000000000");
    assert_int_equal(bal__host_add_dom(h, &d), 0);
    d->domid = 9;
    strcpy(d->name, "db");
    strcpy(d->uuid, "11111111-2222-3333-4444-555555555555");
    d->cpu_ns = 777;
    d->vbd_wr_sect = 888;
    assert_int_equal(bal__json_write_sample(&reply, &json), 0);
    bal__sample_dispose(&reply);
    jsonfile = tu_tmpfile(json);
    free(json);

    transport[0] = "/bin/sh";
    transport[1] = "-c";
    transport[2] = "test \"$1\" = peerB && exec cat \"$0\"; exit 1";
    transport[3] = jsonfile;
    transport[4] = NULL;

    fill_host();
    cfg_init(&cfg);
    cfg.hosts = hosts;
    cfg.nhosts = 3;
    cfg.transport = transport;
    cfg.ntransport = 4;
    cfg.peer_command = peer_cmd;
    cfg.npeer_command = 5;
    open_ok(&be, ctx, &cfg);

    bal__sample_init(&s);
    assert_int_equal(be.ops->sample(&be, false, &s), 0);
    /* hostA itself, peerB renamed as configured, peerC counted */
    assert_int_equal(s.nhosts, 2);
    assert_int_equal(s.npeer_errors, 1);
    assert_string_equal(s.hosts[0].name, "hostA");
    assert_int_equal(s.hosts[0].ndoms, 3);
    assert_string_equal(s.hosts[1].name, "peerB");
    assert_int_equal(s.hosts[1].pcpus, 4);
    assert_int_equal(s.hosts[1].ndoms, 2);
    assert_string_equal(s.hosts[1].doms[1].uuid,
                        "11111111-2222-3333-4444-555555555555");
    assert_int_equal(s.hosts[1].doms[1].cpu_ns, 777);
    assert_int_equal(s.hosts[1].doms[1].vbd_wr_sect, 888);
    /* peerC's failure was logged (by peer.c), naming it */
    assert_int_equal(lg.nerrors, 1);
    assert_non_null(strstr(lg.buf, "peerC"));
    bal__sample_dispose(&s);

    /* What a peer answers: this host only, nobody asked. */
    memset(&lg, 0, sizeof(lg));
    bal__sample_init(&s);
    assert_int_equal(be.ops->sample(&be, true, &s), 0);
    assert_int_equal(s.nhosts, 1);
    assert_int_equal(s.npeer_errors, 0);
    assert_string_equal(lg.buf, "");
    bal__sample_dispose(&s);

    be_close(&be);
    bal_ctx_free(ctx);
    unlink(jsonfile);
    free(jsonfile);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_not_dom0, setup, teardown),
        cmocka_unit_test_setup_teardown(test_domU, setup, teardown),
        cmocka_unit_test_setup_teardown(test_available, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arg_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xenstat_init_fails, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ctx_alloc_fails, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sample, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sample_weight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sample_uname, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_node_fails, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_list_domain_fails, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_wait, setup, teardown),
        cmocka_unit_test_setup_teardown(test_peers, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
