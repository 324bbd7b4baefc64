/*
 * test_backend_peers.c - the peers backend (a management host with no
 * Xen): every host of `hosts' sampled through the transport, none
 * locally, in the configuration's order; every move run on its source
 * dom0 through the transport.  The transports are tests/data/fake-peer
 * (gen-N plays a dom0) and tests/data/fake-remote-migrate (records its
 * argv, plays the remote command's outcome chosen by TO).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "backend/backend.h"

#define UUID1 "11111111-2222-3333-4444-555555555555"
#define UUID2 "22222222-3333-4444-5555-666666666666"
#define UUID3 "33333333-4444-5555-6666-777777777777"

static char fake_peer[512], fake_migrate[512];
static char *peer_cmd[] = { "xl-balance", "sample", "--json", "--local",
                            NULL };

static void cfg_init(struct bal_config *cfg, char **hosts, char *transport)
{
    static char *tv[2];

    tv[0] = transport;
    tv[1] = NULL;
    tu_peer_config(cfg, hosts, tv, peer_cmd);
}

/* ---- opening -------------------------------------------------------------- */

static void test_open_refused(void **state)
{
    static char *none[] = { NULL };
    struct bal_config cfg;
    bal_backend *be = NULL;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    /* Nobody to reach: refused at once, not an empty cluster. */
    cfg_init(&cfg, none, fake_peer);
    assert_int_equal(bal_backend_open(ctx, &cfg, "peers", &be),
                     BAL_ECONFIG);
    assert_null(be);
    assert_string_equal(lg.buf, "backend `peers': the configuration names "
                        "no hosts; list the dom0s to reach in hosts");
    cfg.source = "/etc/xen/xl-balance.conf";
    memset(&lg, 0, sizeof(lg));
    assert_int_equal(bal_backend_open(ctx, &cfg, "peers", &be),
                     BAL_ECONFIG);
    assert_string_equal(lg.buf, "backend `peers': the configuration "
                        "/etc/xen/xl-balance.conf names no hosts; list the "
                        "dom0s to reach in hosts");

    memset(&lg, 0, sizeof(lg));
    assert_int_equal(bal_backend_open(ctx, &cfg, "peers:x", &be),
                     BAL_EBACKEND);
    assert_string_equal(lg.buf, "backend `peers:x': takes no argument");
    assert_int_equal(lg.nerrors, 1);
    bal_ctx_free(ctx);
}

/* ---- sampling ------------------------------------------------------------- */

/* Every host through the transport, in the configuration's order, a
 * silent one counted; no local host (none is this one). */
static void test_sample(void **state)
{
    static char *hosts[] = { "gen-3", "gen-1", "fail", "gen-2", NULL };
    struct bal_config cfg;
    bal_backend *be = NULL;
    bal__sample s;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    char line[1024];

    cfg_init(&cfg, hosts, fake_peer);
    assert_int_equal(bal_backend_open(ctx, &cfg, "peers", &be), 0);
    assert_string_equal(bal_backend_name(be), "peers");
    /* A real host's state, not a private directory: it moves real VMs. */
    assert_false(be->ops->simulated);

    bal__sample_init(&s);
    assert_int_equal(be->ops->sample(be, false, &s), 0);
    assert_int_equal(s.nhosts, 3);
    assert_int_equal(s.npeer_errors, 1);
    assert_string_equal(s.hosts[0].name, "gen-3");
    assert_int_equal(s.hosts[0].pcpus, 3);
    assert_string_equal(s.hosts[1].name, "gen-1");
    assert_string_equal(s.hosts[2].name, "gen-2");
    assert_string_equal(s.hosts[2].doms[1].uuid,
                        "6f1c2a3b-4d5e-4f60-8172-000000000002");
    snprintf(line, sizeof(line), "peer fail: %s exited with status 1",
             fake_peer);
    assert_string_equal(lg.buf, line);
    bal__sample_dispose(&s);

    /* This host's own sample (`sample --local', `migrate'): it has none. */
    memset(&lg, 0, sizeof(lg));
    bal__sample_init(&s);
    assert_int_equal(be->ops->sample(be, true, &s), BAL_EBACKEND);
    assert_int_equal(s.nhosts, 0);
    assert_string_equal(lg.buf, "peers: this host is not sampled (the "
                        "peers backend reaches every dom0 of hosts through "
                        "the transport); run this on a dom0 with -b xen");
    bal__sample_dispose(&s);

    /* It waits in real time, as xen does. */
    assert_int_equal(bal_backend_wait(be, 0.01), 0);
    bal_backend_close(be);
    bal_ctx_free(ctx);
}

/* ---- moves ---------------------------------------------------------------- */

static char recdir[64];

/* What the transport got for uuid (then forgotten); NULL if it never
 * ran. */
static char *recorded(const char *uuid)
{
    char *got = tu_recorded(recdir, uuid);
    char path[200];

    snprintf(path, sizeof(path), "%s/%s", recdir, uuid);
    unlink(path);
    return got;
}

/* Every move's sender runs on its source dom0: one wave, all at once,
 * each answer read as the xen backend reads a remote move's. */
static void test_migrate(void **state)
{
    static char *hosts[] = { "hostB", "hostC", "fail", NULL };
    struct bal_config cfg;
    bal_backend *be = NULL;
    bal__move mv[3];
    bal__move_result res[3];
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    snprintf(recdir, sizeof(recdir), "/tmp/bal-peers-XXXXXX");
    assert_non_null(mkdtemp(recdir));
    setenv("FAKE_REMOTE_DIR", recdir, 1);
    cfg_init(&cfg, hosts, fake_migrate);
    assert_int_equal(bal_backend_open(ctx, &cfg, "peers", &be), 0);

    tu_move_init(&mv[0], "db", UUID1, "hostB", "hostC");
    tu_move_init(&mv[1], "web", UUID2, "hostC", "fail");
    /* Not a configured host: never reaches the transport. */
    tu_move_init(&mv[2], "mail", UUID3, "hostD", "hostB");
    memset(res, 0x55, sizeof(res));
    assert_int_equal(be->ops->migrate(be, mv, 3, res), 0);
    unsetenv("FAKE_REMOTE_DIR");

    assert_int_equal(res[0].rc, 0);
    assert_int_equal(res[0].rounds, 3);
    assert_true(res[0].end_s - res[0].start_s > 12.49 &&
                res[0].end_s - res[0].start_s < 12.51);
    assert_true(res[0].dirty_Bps > 0.0899e6 && res[0].dirty_Bps < 0.0901e6);
    assert_string_equal(recorded(UUID1), "hostB|xl-balance|migrate|--json|"
                        UUID1 "|hostC|");
    assert_int_equal(res[1].rc, BAL_EXEN);
    assert_string_equal(recorded(UUID2), "hostC|xl-balance|migrate|--json|"
                        UUID2 "|fail|");
    assert_int_equal(res[2].rc, BAL_EINVAL);
    assert_true(isnan(res[2].dirty_Bps));
    assert_null(recorded(UUID3));
    assert_int_equal(lg.nerrors, 2);
    assert_non_null(strstr(lg.buf, "migrate mail (" UUID3 ") hostD -> "
                           "hostB: a host name is not one of the configured "
                           "hosts (or begins with '-'); nothing done"));
    assert_non_null(strstr(lg.buf, "migrate web (" UUID2 ") hostC -> fail: "
                           "failed there (exit status 1); the VM still runs "
                           "on its source"));
    rmdir(recdir);
    bal_backend_close(be);
    bal_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_refused),
        cmocka_unit_test(test_sample),
        cmocka_unit_test(test_migrate),
    };

    snprintf(fake_peer, sizeof(fake_peer), "%s/fake-peer", tu_datadir());
    snprintf(fake_migrate, sizeof(fake_migrate), "%s/fake-remote-migrate",
             tu_datadir());
    return cmocka_run_group_tests(tests, NULL, NULL);
}
