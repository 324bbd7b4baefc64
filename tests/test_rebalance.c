/*
 * test_rebalance.c - `xl-balance rebalance' (bal_rebalance) on the
 * simulated paper cluster: the swap done and verified; a dry run; every
 * way a migration can fail (at its start, mid-stream, at the handshake,
 * past the point of no return with the VM on either side, a leftover
 * copy, an unreachable destination, a VM gone between plan and move);
 * the lock held; a journal left by a run that died; saved plans gone
 * stale; and the plan file's reader.  After each: no VM lost, none
 * duplicated, counted by UUID on a fresh sample of the simulator itself.
 *
 * Faults the simulator cannot make itself (a migration that succeeded but
 * reports an undefined state, a copy left behind, a VM that vanishes) come
 * from a wrapper backend whose ops call the simulator's and rewrite what
 * they return: the same seam the balancer drives Xen through.
 */
#define _GNU_SOURCE             /* asprintf */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "backend/backend.h"
#include "run/journal.h"
#include "run/rebalance.h"
#include "backend/sim.h"

#define PAPER "sim:scenarios/paper.scn"
#define UUID1 "6a5392d4-674b-819d-9eda-d84a8adf302c"   /* vm1, io, HostA */
#define UUID2 "1e536497-5e7b-8e82-83c0-401ab9a80a6a"   /* vm2, cpu, HostB */
#define NOSUCH "00000000-1111-2222-3333-444444444444"

/* ---- fixture: a context, a configuration, a state directory ------------- */

typedef struct fx {
    tu_log lg;
    bal_ctx *ctx;
    bal_config *cfg;
    char *dir, *state, *lock;
} fx;

static char *join(const char *a, const char *b)
{
    char *p = NULL;

    assert_true(asprintf(&p, "%s/%s", a, b) > 0);
    return p;
}

static void fx_init(fx *f)
{
    memset(f, 0, sizeof(*f));
    f->ctx = tu_ctx(&f->lg);
    assert_int_equal(bal_config_alloc(&f->cfg), 0);
    f->dir = strdup("/tmp/bal-rebalance-XXXXXX");
    assert_non_null(f->dir);
    assert_non_null(mkdtemp(f->dir));
    f->state = join(f->dir, "state");
    f->lock = join(f->dir, "lock");
    f->cfg->state_dir = strdup(f->state);
    f->cfg->lock_file = strdup(f->lock);
}

static void fx_dispose(fx *f)
{
    static const char *const names[] = {
        "state/journal", "state/history", "state/counters",
        "state/observations", "state", "lock",
        "plan.json", NULL,
    };
    int i;

    for (i = 0; names[i]; i++) {
        char *p = join(f->dir, names[i]);

        if (remove(p) && errno != ENOENT) fail_msg("cannot remove %s", p);
        free(p);
    }
    assert_int_equal(rmdir(f->dir), 0);
    free(f->dir);
    free(f->state);
    free(f->lock);
    bal_config_free(f->cfg);
    bal_ctx_free(f->ctx);
}

static bool exists(const char *dir, const char *name)
{
    char *p = join(dir, name);
    bool e = access(p, F_OK) == 0;

    free(p);
    return e;
}

static char *slurp(const char *path)
{
    char *buf = NULL;
    size_t len;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    assert_int_equal(bal__read_file(ctx, path, 1 << 20, &buf, &len), 0);
    bal_ctx_free(ctx);
    return buf;
}

static int history_len(fx *f)
{
    char *p = join(f->state, "history");
    bal__hist *h = NULL;
    int n = -1;

    assert_int_equal(bal__history_load(f->ctx, p, &h, &n), 0);
    free(h);
    free(p);
    return n;
}

/* ---- the wrapper backend --------------------------------------------------- */

typedef struct wrap {
    bal_backend *inner;
    bal__sim *sim;
    int nsamples;
    /* Samples numbered hide_from and later (1 is the first) leave it
     * out: the VM is gone, as far as anyone can see. */
    const char *hide_uuid;
    int hide_from;
    /* Its migration fails at once with BAL_ENOENT, the sim untouched. */
    const char *enoent_uuid;
    /* Migrations to this host fail at once: BAL_ETRANSPORT. */
    const char *unreachable;
    /* A migration of it that succeeded reports this instead. */
    const char *rewrite_uuid;
    int rewrite_rc;
    /* Samples also show a copy of it on ghost_host named NAME + suffix:
     * from the start, or once it has migrated (ghost_after_move). */
    const char *ghost_uuid, *ghost_host, *ghost_suffix;
    bool ghost_after_move, ghost_on;
    int migrations;             /* moves handed to the simulator */
    /* > 0: a migration that succeeded reports it as the dirty rate the
     * sender measured (the simulator measures none). */
    double dirty_Bps;
} wrap;

static const char *sim_vm_name(const bal__sim *sim, const char *uuid)
{
    const bal__scenario *scn = bal__sim_scenario(sim);
    int i = bal__scenario_find_uuid(scn, uuid);

    return i >= 0 ? scn->vms[i].name : "?";
}

static int w_sample(bal_backend *be, bool local_only, bal__sample *out)
{
    wrap *w = be->priv;
    bal__sample s;
    int rc, h, k;

    bal__sample_init(&s);
    rc = w->inner->ops->sample(w->inner, local_only, &s);
    if (rc) goto out;
    w->nsamples++;
    for (h = 0; h < s.nhosts; h++) {
        bal__host *hs = &s.hosts[h];

        for (k = 0; w->hide_uuid && w->nsamples >= w->hide_from &&
                    k < hs->ndoms; k++)
            if (!strcmp(hs->doms[k].uuid, w->hide_uuid)) {
                memmove(&hs->doms[k], &hs->doms[k + 1],
                        (size_t)(hs->ndoms - k - 1) * sizeof(*hs->doms));
                hs->ndoms--;
                k--;
            }
        if (w->ghost_on && !strcmp(hs->name, w->ghost_host)) {
            bal__dom *d;

            rc = bal__host_add_dom(hs, &d);
            if (rc) goto out;
            snprintf(d->uuid, sizeof(d->uuid), "%s", w->ghost_uuid);
            snprintf(d->name, sizeof(d->name), "%s%s",
                     sim_vm_name(w->sim, w->ghost_uuid), w->ghost_suffix);
            d->domid = 99;
            d->vcpus = 1;
            d->mem_kb = d->maxmem_kb = 1024 * 1024;
        }
    }
    rc = bal__sample_append(out, &s);

out:
    bal__sample_dispose(&s);
    return rc;
}

static int w_wait(bal_backend *be, double s)
{
    wrap *w = be->priv;

    return w->inner->ops->wait(w->inner, s);
}

static int w_migrate(bal_backend *be, const bal__move *moves, int n,
                     bal__move_result *results)
{
    wrap *w = be->priv;
    bal__move sub[8];
    bal__move_result res[8];
    int slot[8], k = 0, i, rc;
    double now = bal__sim_now(w->sim);

    assert_true(n <= 8);
    for (i = 0; i < n; i++) {
        memset(&results[i], 0, sizeof(results[i]));
        results[i].start_s = results[i].end_s = now;
        results[i].dirty_Bps = NAN;
        if (w->unreachable && !strcmp(moves[i].to, w->unreachable)) {
            BAL__ERR(be->ctx, "migrate %s: cannot reach %s", moves[i].vm,
                     moves[i].to);
            results[i].rc = BAL_ETRANSPORT;
        } else if (w->enoent_uuid && !strcmp(moves[i].uuid, w->enoent_uuid)) {
            BAL__ERR(be->ctx, "migrate %s: no such domain on %s",
                     moves[i].vm, moves[i].from);
            results[i].rc = BAL_ENOENT;
        } else {
            slot[k] = i;
            sub[k++] = moves[i];
        }
    }
    w->migrations += k;
    rc = k ? w->inner->ops->migrate(w->inner, sub, k, res) : 0;
    if (rc) return rc;
    for (i = 0; i < k; i++) {
        bal__move_result *r = &results[slot[i]];

        *r = res[i];
        if (r->rc) continue;
        if (w->dirty_Bps > 0) r->dirty_Bps = w->dirty_Bps;
        if (w->rewrite_uuid && !strcmp(sub[i].uuid, w->rewrite_uuid))
            r->rc = w->rewrite_rc;
        if (w->ghost_after_move && !strcmp(sub[i].uuid, w->ghost_uuid))
            w->ghost_on = true;
    }
    return 0;
}

static void w_close(bal_backend *be)
{
    wrap *w = be->priv;

    bal_backend_close(w->inner);
    free(w);
}

static const bal__backend_ops wrap_ops = {
    .name = "wrap",
    .sample = w_sample,
    .wait = w_wait,
    .close = w_close,
    .migrate = w_migrate,
};

static bal_backend *wrap_open(fx *f, wrap **w_r)
{
    bal_backend *be = calloc(1, sizeof(*be));
    wrap *w = calloc(1, sizeof(*w));

    assert_non_null(be);
    assert_non_null(w);
    assert_int_equal(bal_backend_open(f->ctx, f->cfg, PAPER, &w->inner), 0);
    w->sim = bal__backend_sim_get(w->inner);
    assert_non_null(w->sim);
    be->ops = &wrap_ops;
    be->ctx = f->ctx;
    be->cfg = f->cfg;
    be->spec = strdup("wrap");
    be->priv = w;
    *w_r = w;
    return be;
}

/* ---- what must hold after every run ------------------------------------- */

static int vm_index(const wrap *w, const char *name)
{
    const bal__scenario *scn = bal__sim_scenario(w->sim);
    int i;

    for (i = 0; i < scn->nvms; i++)
        if (!strcmp(scn->vms[i].name, name)) return i;
    fail_msg("no vm %s", name);
    return -1;
}

static const char *host_of(const wrap *w, const char *name)
{
    const bal__scenario *scn = bal__sim_scenario(w->sim);

    return scn->hosts[bal__sim_vm_host(w->sim, vm_index(w, name))].name;
}

/* Every VM of the scenario, by UUID, exactly once in a fresh sample of
 * the simulator, under its own name: none lost, none duplicated. */
static void assert_each_once(const wrap *w)
{
    const bal__scenario *scn = bal__sim_scenario(w->sim);
    bal__sample s;
    int i, h, k, n;

    bal__sample_init(&s);
    assert_int_equal(bal__sim_sample(w->sim, false, &s), 0);
    for (i = 0; i < scn->nvms; i++) {
        for (n = 0, h = 0; h < s.nhosts; h++)
            for (k = 0; k < s.hosts[h].ndoms; k++)
                if (!strcmp(s.hosts[h].doms[k].uuid, scn->vms[i].uuid)) {
                    assert_string_equal(s.hosts[h].doms[k].name,
                                        scn->vms[i].name);
                    n++;
                }
        if (n != 1) fail_msg("%s runs %d times", scn->vms[i].name, n);
    }
    bal__sample_dispose(&s);
}

static const bal_rebalance_move *move_of(const bal_rebalance_report *r,
                                         const char *vm)
{
    int i;

    for (i = 0; i < bal_rebalance_report_num_moves(r); i++)
        if (!strcmp(bal_rebalance_report_move(r, i)->vm, vm))
            return bal_rebalance_report_move(r, i);
    fail_msg("no move of %s", vm);
    return NULL;
}

static bal_rebalance_report *run(fx *f, bal_backend *be,
                                 const bal_rebalance_options *o)
{
    bal_rebalance_report *r = NULL;

    assert_int_equal(bal_rebalance(f->ctx, be, f->cfg, o, &r), 0);
    assert_non_null(r);
    return r;
}

static bool has_line(const tu_log *lg, const char *text)
{
    return strstr(lg->buf, text) != NULL;
}

/* ---- the paper's swap ---------------------------------------------------- */

static void test_swap(void **state)
{
    fx f;
    wrap *w;
    bal_backend *be;
    bal_rebalance_options o;
    bal_rebalance_report *r;
    const bal_rebalance_move *m1, *m2;
    char *json = NULL;
    struct stat st;

    fx_init(&f);
    be = wrap_open(&f, &w);
    bal_rebalance_options_init(&o, BAL_REBALANCE_OPTIONS_VERSION);
    r = run(&f, be, &o);
    assert_int_equal(bal_rebalance_report_outcome(r), BAL_REBALANCE_DONE);
    assert_int_equal(f.lg.nerrors, 0);
    assert_int_equal(bal_rebalance_report_num_moves(r), 2);
    m1 = bal_rebalance_report_move(r, 0);
    m2 = bal_rebalance_report_move(r, 1);
    assert_string_equal(m1->vm, "vm1");
    assert_string_equal(m1->uuid, UUID1);
    assert_string_equal(m1->from, "HostA");
    assert_string_equal(m1->to, "HostB");
    assert_int_equal(m1->state, BAL_MOVE_DONE);
    assert_string_equal(m1->detail, "");
    assert_int_equal(m1->type, BAL_TYPE_IO);
    assert_string_equal(m2->vm, "vm2");
    assert_int_equal(m2->state, BAL_MOVE_DONE);
    assert_true(m1->wave < m2->wave);
    /* The paper: vm1's migration took about 40 s. */
    assert_true(m1->duration_s > 35 && m1->duration_s < 45);
    assert_true(m1->bytes >= 1024ull << 20);
    /* Each VM gains once it has a host of its own kind to itself: the I/O
     * VM about doubles its disk rate, the CPU VM runs about 50% faster
     * (the paper's section 3). */
    assert_true(m1->rates_valid && m2->rates_valid);
    assert_true(m1->gain > 0.8 && m1->gain < 1.2);
    assert_true(m2->gain > 0.3 && m2->gain < 0.7);
    /* The planner's prediction, the swap's throughput gain once done:
     * both moves carry it (doc/planner.md: about 1.5 VM-equivalents). */
    assert_true(m1->predicted_gain > 1.2 && m1->predicted_gain < 1.8);
    assert_true(m2->predicted_gain == m1->predicted_gain);

    assert_string_equal(host_of(w, "vm1"), "HostB");
    assert_string_equal(host_of(w, "vm2"), "HostA");
    assert_int_equal(w->migrations, 2);
    assert_each_once(w);

    /* The run leaves its history, no journal, the lock free and empty,
     * the state directory 0700. */
    assert_int_equal(history_len(&f), 2);
    assert_false(exists(f.state, "journal"));
    assert_int_equal(stat(f.state, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(stat(f.lock, &st), 0);
    assert_int_equal(st.st_size, 0);

    assert_int_equal(bal_rebalance_report_json(r, &json), 0);
    assert_non_null(strstr(json, "\"outcome\": \"done\""));
    assert_non_null(strstr(json, "\"state\": \"done\""));
    free(json);
    bal_rebalance_report_free(r);

    /* Run again on the balanced cluster: nothing to do, silently. */
    r = run(&f, be, &o);
    assert_int_equal(bal_rebalance_report_outcome(r), BAL_REBALANCE_NOTHING);
    assert_int_equal(bal_rebalance_report_num_moves(r), 0);
    assert_int_equal(w->migrations, 2);
    bal_rebalance_report_free(r);

    bal_backend_close(be);
    fx_dispose(&f);
}

/* The dirty rate the sender measured goes into the history, and the
 * link's rate is inverted with it; without one, neither. */
static void test_history_dirty(void **state)
{
    fx f;
    wrap *w;
    bal_backend *be;
    bal_rebalance_options o;
    bal_rebalance_report *r;
    bal__hist *h = NULL;
    bal__pl_params pp;
    char *p, *text;
    int n = 0, i;

    fx_init(&f);
    be = wrap_open(&f, &w);
    w->dirty_Bps = 409600;
    bal_rebalance_options_init(&o, BAL_REBALANCE_OPTIONS_VERSION);
    r = run(&f, be, &o);
    assert_int_equal(bal_rebalance_report_outcome(r), BAL_REBALANCE_DONE);
    bal_rebalance_report_free(r);
    p = join(f.state, "history");
    text = slurp(p);
    assert_non_null(strstr(text, "\"dirty_Bps\":409600}"));
    free(text);
    assert_int_equal(bal__history_load(f.ctx, p, &h, &n), 0);
    assert_int_equal(n, 2);
    for (i = 0; i < n; i++) {
        double want;

        assert_true(h[i].dirty_Bps == 409600);
        assert_true(h[i].observed_Bps > 0);
        /* observed_Bps is the inversion at the measured rate. */
        bal__pl_params_init(&pp);
        want = bal__pl_observed_Bps(&pp, (double)h[i].mem_kb * 1024, 409600,
                                    h[i].duration_s);
        assert_true(fabs(want / h[i].observed_Bps - 1) < 1e-3);
    }
    free(h);
    free(p);
    assert_int_equal(f.lg.nerrors, 0);
    bal_backend_close(be);
    fx_dispose(&f);

    /* Not measured: no dirty_Bps in the history. */
    fx_init(&f);
    be = wrap_open(&f, &w);
    r = run(&f, be, &o);
    assert_int_equal(bal_rebalance_report_outcome(r), BAL_REBALANCE_DONE);
    bal_rebalance_report_free(r);
    p = join(f.state, "history");
    text = slurp(p);
    assert_null(strstr(text, "dirty_Bps"));
    free(text);
    free(p);
    bal_backend_close(be);
    fx_dispose(&f);
}

/* `xl-balance migrate' records the measured dirty rate too. */
static void test_migrate_history_dirty(void **state)
{
    fx f;
    wrap *w;
    bal_backend *be;
    bal_migrate_result out;
    bal__hist *h = NULL;
    char *p;
    int n = 0;

    fx_init(&f);
    be = wrap_open(&f, &w);
    w->dirty_Bps = 123456;
    bal_migrate_result_init(&out, BAL_MIGRATE_RESULT_VERSION);
    assert_int_equal(bal_migrate(f.ctx, be, "vm1", "HostB", &out), 0);
    p = join(f.state, "history");
    assert_int_equal(bal__history_load(f.ctx, p, &h, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(h[0].vm, "vm1");
    assert_true(h[0].dirty_Bps == 123456);
    assert_true(h[0].observed_Bps > 0);
    free(h);
    free(p);
    assert_int_equal(f.lg.nerrors, 0);
    bal_backend_close(be);
    fx_dispose(&f);
}

static void test_dry_run(void **state)
{
    fx f;
    wrap *w;
    bal_backend *be;
    bal_rebalance_options o;
    bal_rebalance_report *r;

    fx_init(&f);
    be = wrap_open(&f, &w);
    bal_rebalance_options_init(&o, BAL_REBALANCE_OPTIONS_VERSION);
    o.dry_run = true;
    r = run(&f, be, &o);
    assert_int_equal(bal_rebalance_report_outcome(r), BAL_REBALANCE_PLANNED);
    assert_int_equal(bal_rebalance_report_num_moves(r), 2);
    assert_int_equal(move_of(r, "vm1")->state, BAL_MOVE_PLANNED);
    assert_int_equal(move_of(r, "vm2")->state, BAL_MOVE_PLANNED);
    /* Touches nothing: no migration, no state directory, no lock. */
    assert_int_equal(w->migrations, 0);
    assert_string_equal(host_of(w, "vm1"), "HostA");
    assert_int_equal(access(f.state, F_OK), -1);
    assert_int_equal(access(f.lock, F_OK), -1);
    bal_rebalance_report_free(r);
    bal_backend_close(be);
    fx_dispose(&f);
}

static int nconfirm;

static bool say_no(void *opaque, const bal_rebalance_report *r)
{
    nconfirm++;
    assert_ptr_equal(opaque, &nconfirm);
    assert_int_equal(bal_rebalance_report_num_moves(r), 2);
    assert_int_equal(bal_rebalance_report_move(r, 0)->state,
                     BAL_MOVE_PLANNED);
    return false;
}

static void test_not_confirmed(void **state)
{
    fx f;
    wrap *w;
    bal_backend *be;
    bal_rebalance_options o;
    bal_rebalance_report *r;

    fx_init(&f);
    be = wrap_open(&f, &w);
    bal_rebalance_options_init(&o, BAL_REBALANCE_OPTIONS_VERSION);
    o.confirm = say_no;
    o.confirm_opaque = &nconfirm;
    nconfirm = 0;
    r = run(&f, be, &o);
    assert_int_equal(nconfirm, 1);
    assert_int_equal(bal_rebalance_report_outcome(r),
                     BAL_REBALANCE_UNCONFIRMED);
    assert_int_equal(w->migrations, 0);
    assert_false(exists(f.state, "journal"));
    bal_rebalance_report_free(r);
    bal_backend_close(be);
    fx_dispose(&f);
}

/* --max-moves: never half a swap.  The planner counts a swap as two
 * moves: with room for one, it plans the best single move that pays on
 * its own (vm2 to HostA: both CPU VMs get a core to themselves), not the
 * swap's first half; with none, nothing. */
static void test_max_moves(void **state)
{
    fx f;
    wrap *w;
    bal_backend *be;
    bal_rebalance_options o;
    bal_rebalance_report *r;
    const bal_rebalance_move *m;

    fx_init(&f);
    be = wrap_open(&f, &w);
    bal_rebalance_options_init(&o, BAL_REBALANCE_OPTIONS_VERSION);
    o.dry_run = true;
    o.max_moves = 0;
    r = run(&f, be, &o);
    assert_int_equal(bal_rebalance_report_outcome(r), BAL_REBALANCE_NOTHING);
    assert_int_equal(bal_rebalance_report_num_moves(r), 0);
    bal_rebalance_report_free(r);
    o.max_moves = 1;
    r = run(&f, be, &o);
    assert_int_equal(bal_rebalance_report_num_moves(r), 1);
    m = bal_rebalance_report_move(r, 0);
    assert_string_equal(m->vm, "vm2");
    assert_string_equal(m->to, "HostA");
    /* A unit of its own: its predicted gain is its alone, and positive. */
    assert_true(m->predicted_gain > 0.1);
    bal_rebalance_report_free(r);
    o.max_moves = 2;
    r = run(&f, be, &o);
    assert_int_equal(bal_rebalance_report_num_moves(r), 2);
    assert_string_equal(bal_rebalance_report_move(r, 0)->vm, "vm1");
    assert_string_equal(bal_rebalance_report_move(r, 1)->vm, "vm2");
    bal_rebalance_report_free(r);
    bal_backend_close(be);
    fx_dispose(&f);
}

/* ---- failures the simulator makes --------------------------------------- */

/* vm1's migration fails with rc after `after' bytes: vm1 stays on HostA,
 * vm2's move (which assumed it) is skipped, nothing is lost. */
static void fault_case(double after, int rc)
{
    fx f;
    wrap *w;
    bal_backend *be;
    bal_rebalance_options o;
    bal_rebalance_report *r;
    const bal_rebalance_move *m1, *m2;
    char want[300];

    fx_init(&f);
    be = wrap_open(&f, &w);
    assert_int_equal(bal__sim_inject_fault(w->sim, vm_index(w, "vm1"), after,
                                           rc), 0);
    bal_rebalance_options_init(&o, BAL_REBALANCE_OPTIONS_VERSION);
    r = run(&f, be, &o);
    assert_int_equal(bal_rebalance_report_outcome(r), BAL_REBALANCE_PARTIAL);
    m1 = move_of(r, "vm1");
    m2 = move_of(r, "vm2");
    assert_int_equal(m1->state, BAL_MOVE_FAILED);
    assert_int_equal(m1->rc, rc);
    snprintf(want, sizeof(want), "%s; vm1 still runs on HostA",
             bal_strerror(rc));
    assert_string_equal(m1->detail, want);
    assert_int_equal(m2->state, BAL_MOVE_SKIPPED);
    assert_string_equal(m2->detail, "not started: the move of vm1 failed and "
                        "the rest of the plan assumed it");
    snprintf(want, sizeof(want), "migration of vm1 from HostA to HostB "
             "failed: %s", bal_strerror(rc));
    assert_true(has_line(&f.lg, want));
    assert_string_equal(host_of(w, "vm1"), "HostA");
    assert_string_equal(host_of(w, "vm2"), "HostB");
    assert_int_equal(w->migrations, 1);
    assert_each_once(w);
    /* No history (nothing moved), no journal (nothing in doubt). */
    assert_int_equal(history_len(&f), 0);
    assert_false(exists(f.state, "journal"));
    bal_rebalance_report_free(r);
    bal_backend_close(be);
    fx_dispose(&f);
}

static void test_fail_at_start(void **state)
{
    fault_case(0, BAL_ETRANSPORT);
}

static void test_fail_mid_stream(void **state)
{
    fault_case(512.0 * 1024 * 1024, BAL_EXEN);
}

/* At the handshake: every byte of the last round sent, the receiver's
 * "ready" missing: the sender takes the VM back.  The byte count comes
 * from a first, clean run of the same migration. */
static void test_fail_at_handshake(void **state)
{
    fx f;
    wrap *w;
    bal_backend *be;
    bal__move mv;
    bal__move_result res;
    const bal__sim_mig_rec *recs;
    int n;
    double total;

    fx_init(&f);
    be = wrap_open(&f, &w);
    assert_int_equal(bal__sim_advance(w->sim, 10), 0);
    memset(&mv, 0, sizeof(mv));
    strcpy(mv.uuid, UUID1);
    strcpy(mv.vm, "vm1");
    strcpy(mv.from, "HostA");
    strcpy(mv.to, "HostB");
    assert_int_equal(be->ops->migrate(be, &mv, 1, &res), 0);
    assert_int_equal(res.rc, 0);
    assert_int_equal(bal__sim_migrations(w->sim, &recs, &n), 0);
    assert_int_equal(n, 1);
    total = (double)recs[0].bytes;
    assert_true(total >= 1024.0 * 1024 * 1024);
    bal_backend_close(be);
    fx_dispose(&f);

    fault_case(total - 4096, BAL_EPEER);
}

/* Past the point of no return, the simulator leaving vm1 on its source:
 * the sender could not know; the run stops, the journal stays; the next
 * run (the scenario reloaded: vm1 on HostA, as the journal's check will
 * find) reports it, closes the entry and does the swap. */
static void test_undefined_then_recovered(void **state)
{
    fx f;
    wrap *w;
    bal_backend *be;
    bal_rebalance_options o;
    bal_rebalance_report *r;
    const bal_rebalance_move *m1;
    const bal_rebalance_recovery *c;
    char *jpath, *text;

    fx_init(&f);
    be = wrap_open(&f, &w);
    assert_int_equal(bal__sim_inject_fault(w->sim, vm_index(w, "vm1"),
                                           800.0 * 1024 * 1024,
                                           BAL_EUNDEFINED), 0);
    bal_rebalance_options_init(&o, BAL_REBALANCE_OPTIONS_VERSION);
    r = run(&f, be, &o);
    assert_int_equal(bal_rebalance_report_outcome(r),
                     BAL_REBALANCE_UNDEFINED);
    m1 = move_of(r, "vm1");
    assert_int_equal(m1->state, BAL_MOVE_UNDEFINED);
    assert_int_equal(m1->rc, BAL_EUNDEFINED);
    assert_string_equal(m1->detail, "the migration ended past its point of "
                        "no return without confirmation; found vm1 on HostA; "
                        "check `xl list' on HostA and HostB, keep exactly one "
                        "copy named vm1");
    assert_true(has_line(&f.lg, "migrate vm1 (" UUID1 ") HostA -> HostB: "
                         "STATE UNDEFINED: the migration ended past"));
    assert_int_equal(move_of(r, "vm2")->state, BAL_MOVE_SKIPPED);
    assert_string_equal(move_of(r, "vm2")->detail, "not started: the run "
                        "stopped on vm1, whose state is undefined");
    assert_each_once(w);
    bal_rebalance_report_free(r);
    bal_backend_close(be);

    /* The journal stays, halted, vm1 in it. */
    jpath = join(f.state, "journal");
    text = slurp(jpath);
    assert_non_null(strstr(text, "\nverified "));
    assert_non_null(strstr(text, " undefined vm1\n"));
    assert_non_null(strstr(text, "\nhalted "));
    free(text);

    /* The next run checks vm1 before anything else. */
    be = wrap_open(&f, &w);
    memset(&f.lg, 0, sizeof(f.lg));     /* f.ctx logs there still */
    r = run(&f, be, &o);
    assert_int_equal(bal_rebalance_report_num_recovered(r), 1);
    c = bal_rebalance_report_recovered(r, 0);
    assert_string_equal(c->vm, "vm1");
    assert_string_equal(c->found, "source");
    assert_false(c->problem);
    assert_non_null(strstr(c->detail, "stopped with the migration of vm1 ("
                           UUID1 ") HostA -> HostB: it runs on HostA (the "
                           "source); journal entry closed"));
    assert_true(has_line(&f.lg, c->detail));
    assert_int_equal(bal_rebalance_report_outcome(r), BAL_REBALANCE_DONE);
    assert_false(exists(f.state, "journal"));
    assert_each_once(w);
    bal_rebalance_report_free(r);
    bal_backend_close(be);
    free(jpath);
    fx_dispose(&f);
}

/* ---- failures of the wrapper ------------------------------------------------ */

/* Past the point of no return with vm1 in fact on HostB: reported, the
 * run stops, and vm1 is still there once. */
static void test_undefined_on_destination(void **state)
{
    fx f;
    wrap *w;
    bal_backend *be;
    bal_rebalance_options o;
    bal_rebalance_report *r;

    fx_init(&f);
    be = wrap_open(&f, &w);
    w->rewrite_uuid = UUID1;
    w->rewrite_rc = BAL_EUNDEFINED;
    bal_rebalance_options_init(&o, BAL_REBALANCE_OPTIONS_VERSION);
    r = run(&f, be, &o);
    assert_int_equal(bal_rebalance_report_outcome(r),
                     BAL_REBALANCE_UNDEFINED);
    assert_int_equal(move_of(r, "vm1")->state, BAL_MOVE_UNDEFINED);
    assert_non_null(strstr(move_of(r, "vm1")->detail, "found vm1 on HostB"));
    assert_int_equal(move_of(r, "vm2")->state, BAL_MOVE_SKIPPED);
    assert_string_equal(host_of(w, "vm1"), "HostB");
    assert_int_equal(w->migrations, 1);
    assert_each_once(w);
    /* Not verified: not in the history; the journal stays. */
    assert_int_equal(history_len(&f), 0);
    assert_true(exists(f.state, "journal"));
    bal_rebalance_report_free(r);
    bal_backend_close(be);
    fx_dispose(&f);
}

/* The migration says it worked, but the source's copy stayed behind
 * (xl's step 8a: destroy failed): seen twice, undefined. */
static void test_leftover_copy(void **state)
{
    fx f;
    wrap *w;
    bal_backend *be;
    bal_rebalance_options o;
    bal_rebalance_report *r;

    fx_init(&f);
    be = wrap_open(&f, &w);
    w->ghost_uuid = UUID1;
    w->ghost_host = "HostA";
    w->ghost_suffix = "--migratedaway";
    w->ghost_after_move = true;
    bal_rebalance_options_init(&o, BAL_REBALANCE_OPTIONS_VERSION);
    r = run(&f, be, &o);
    assert_int_equal(bal_rebalance_report_outcome(r),
                     BAL_REBALANCE_UNDEFINED);
    assert_string_equal(move_of(r, "vm1")->detail, "the migration reported "
                        "success, but the VM is found vm1--migratedaway on "
                        "HostA and vm1 on HostB");
    assert_true(has_line(&f.lg, "migrate vm1 (" UUID1 ") HostA -> HostB: "
                         "STATE UNDEFINED: the migration reported success, "
                         "but the VM is found vm1--migratedaway on HostA and "
                         "vm1 on HostB; an admin must look, nothing more is "
                         "moved"));
    assert_int_equal(move_of(r, "vm2")->state, BAL_MOVE_SKIPPED);
    assert_each_once(w);    /* the simulator itself holds it once */
    bal_rebalance_report_free(r);

    /* While the leftover is there, no run moves anything. */
    r = run(&f, be, &o);
    assert_int_equal(bal_rebalance_report_outcome(r),
                     BAL_REBALANCE_UNDEFINED);
    assert_int_equal(bal_rebalance_report_num_recovered(r), 1);
    assert_string_equal(bal_rebalance_report_recovered(r, 0)->found, "both");
    assert_true(bal_rebalance_report_recovered(r, 0)->problem);
    assert_int_equal(w->migrations, 1);
    bal_rebalance_report_free(r);

    /* The admin removes it: the next run closes the entry. */
    w->ghost_on = false;
    w->ghost_after_move = false;
    r = run(&f, be, &o);
    assert_string_equal(bal_rebalance_report_recovered(r, 0)->found,
                        "destination");
    assert_false(exists(f.state, "journal"));
    bal_rebalance_report_free(r);
    bal_backend_close(be);
    fx_dispose(&f);
}

/* A copy of another VM is there before the run: nothing is planned. */
static void test_unclean_cluster(void **state)
{
    fx f;
    wrap *w;
    bal_backend *be;
    bal_rebalance_options o;
    bal_rebalance_report *r;

    fx_init(&f);
    be = wrap_open(&f, &w);
    w->ghost_uuid = UUID2;
    w->ghost_host = "HostA";
    w->ghost_suffix = "--incoming";
    w->ghost_on = true;
    bal_rebalance_options_init(&o, BAL_REBALANCE_OPTIONS_VERSION);
    r = run(&f, be, &o);
    assert_int_equal(bal_rebalance_report_outcome(r),
                     BAL_REBALANCE_UNDEFINED);
    assert_string_equal(tu_last(&f.lg), "the cluster is not clean: "
                        "vm2--incoming (" UUID2 ") on HostA is the copy a "
                        "migration leaves (one under way, or one that ended "
                        "badly); an admin must look; nothing moved");
    assert_int_equal(w->migrations, 0);
    assert_false(exists(f.state, "journal"));
    bal_rebalance_report_free(r);
    bal_backend_close(be);
    fx_dispose(&f);
}

/* The destination cannot be reached: the VM stays where it is. */
static void test_unreachable(void **state)
{
    fx f;
    wrap *w;
    bal_backend *be;
    bal_rebalance_options o;
    bal_rebalance_report *r;

    fx_init(&f);
    be = wrap_open(&f, &w);
    w->unreachable = "HostB";
    bal_rebalance_options_init(&o, BAL_REBALANCE_OPTIONS_VERSION);
    r = run(&f, be, &o);
    assert_int_equal(bal_rebalance_report_outcome(r), BAL_REBALANCE_PARTIAL);
    assert_int_equal(move_of(r, "vm1")->state, BAL_MOVE_FAILED);
    assert_string_equal(move_of(r, "vm1")->detail, "transport to a peer "
                        "failed; vm1 still runs on HostA");
    assert_true(has_line(&f.lg, "migrate vm1: cannot reach HostB"));
    assert_int_equal(move_of(r, "vm2")->state, BAL_MOVE_SKIPPED);
    assert_int_equal(w->migrations, 0);
    assert_each_once(w);
    bal_rebalance_report_free(r);
    bal_backend_close(be);
    fx_dispose(&f);
}

/* vm1 vanishes after the plan, before its wave: refused on the check
 * before the wave, nothing started. */
static void test_vanished_before_wave(void **state)
{
    fx f;
    wrap *w;
    bal_backend *be;
    bal_rebalance_options o;
    bal_rebalance_report *r;

    fx_init(&f);
    be = wrap_open(&f, &w);
    w->hide_uuid = UUID1;
    /* The status takes sample_count (3) samples; the 4th is the wave's. */
    w->hide_from = 4;
    bal_rebalance_options_init(&o, BAL_REBALANCE_OPTIONS_VERSION);
    r = run(&f, be, &o);
    assert_int_equal(bal_rebalance_report_outcome(r), BAL_REBALANCE_PARTIAL);
    assert_int_equal(move_of(r, "vm1")->state, BAL_MOVE_REFUSED);
    assert_string_equal(move_of(r, "vm1")->detail, "vm1 is on no host now "
                        "(gone since the plan was made)");
    assert_string_equal(tu_last(&f.lg), "vm1 HostA -> HostB refused: vm1 is "
                        "on no host now (gone since the plan was made)");
    assert_int_equal(move_of(r, "vm2")->state, BAL_MOVE_SKIPPED);
    assert_int_equal(w->migrations, 0);
    assert_false(exists(f.state, "journal"));
    bal_rebalance_report_free(r);
    bal_backend_close(be);
    fx_dispose(&f);
}

/* vm1 vanishes in the instant between the check and its migration: the
 * sender finds no such domain; the sample after says it is gone. */
static void test_vanished_at_migration(void **state)
{
    fx f;
    wrap *w;
    bal_backend *be;
    bal_rebalance_options o;
    bal_rebalance_report *r;

    fx_init(&f);
    be = wrap_open(&f, &w);
    w->hide_uuid = UUID1;
    w->hide_from = 5;
    w->enoent_uuid = UUID1;
    bal_rebalance_options_init(&o, BAL_REBALANCE_OPTIONS_VERSION);
    r = run(&f, be, &o);
    assert_int_equal(bal_rebalance_report_outcome(r), BAL_REBALANCE_PARTIAL);
    assert_int_equal(move_of(r, "vm1")->state, BAL_MOVE_FAILED);
    assert_string_equal(move_of(r, "vm1")->detail, "vm1 is on no host: it "
                        "was gone before its migration started");
    assert_int_equal(move_of(r, "vm2")->state, BAL_MOVE_SKIPPED);
    assert_int_equal(w->migrations, 0);
    assert_false(exists(f.state, "journal"));
    bal_rebalance_report_free(r);
    bal_backend_close(be);
    fx_dispose(&f);
}

/* ---- the lock, the state directory ------------------------------------------- */

static void test_locked(void **state)
{
    fx f;
    wrap *w;
    bal_backend *be;
    bal_rebalance_options o;
    bal_rebalance_report *r;
    char want[400];
    int fd;

    fx_init(&f);
    be = wrap_open(&f, &w);
    fd = open(f.lock, O_RDWR | O_CREAT, 0600);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX), 0);
    bal_rebalance_options_init(&o, BAL_REBALANCE_OPTIONS_VERSION);
    r = run(&f, be, &o);
    assert_int_equal(bal_rebalance_report_outcome(r), BAL_REBALANCE_LOCKED);
    snprintf(want, sizeof(want), "another process holds the lock %s; "
             "nothing done", f.lock);
    assert_string_equal(tu_last(&f.lg), want);
    assert_int_equal(w->nsamples, 0);       /* not even sampled */
    assert_int_equal(w->migrations, 0);
    bal_rebalance_report_free(r);

    /* Freed: the next run goes ahead. */
    close(fd);
    r = run(&f, be, &o);
    assert_int_equal(bal_rebalance_report_outcome(r), BAL_REBALANCE_DONE);
    bal_rebalance_report_free(r);
    bal_backend_close(be);
    fx_dispose(&f);
}

static void test_bad_state_dir(void **state)
{
    fx f;
    wrap *w;
    bal_backend *be;
    bal_rebalance_options o;
    bal_rebalance_report *r = NULL;
    char want[400];

    fx_init(&f);
    be = wrap_open(&f, &w);
    assert_int_equal(mkdir(f.state, 0700), 0);
    assert_int_equal(chmod(f.state, 0777), 0);
    bal_rebalance_options_init(&o, BAL_REBALANCE_OPTIONS_VERSION);
    assert_int_equal(bal_rebalance(f.ctx, be, f.cfg, &o, &r), BAL_ECONFIG);
    assert_null(r);
    snprintf(want, sizeof(want), "%s: state directory is writable by group "
             "or others (mode 0777); refused: chmod 700 it", f.state);
    assert_string_equal(tu_last(&f.lg), want);
    assert_int_equal(f.lg.nerrors, 1);
    assert_int_equal(w->migrations, 0);
    assert_int_equal(access(f.lock, F_OK), -1);
    bal_backend_close(be);
    fx_dispose(&f);
}

/* ---- a journal left by a run that died ------------------------------------ */

/* The journal of a run (pid 4242) that died in the middle of moving vm1
 * from `from' to `to' (plus a planned move it never started). */
static void write_journal(fx *f, const char *uuid, const char *from,
                          const char *to)
{
    char *p, *text = NULL;
    int fd;

    assert_int_equal(mkdir(f->state, 0700), 0);
    p = join(f->state, "journal");
    assert_true(asprintf(&text,
        "xl-balance-journal 1 4242 1767225600.000\n"
        "planned 1767225601.000 %s %s %s 0 vm1\n"
        "planned 1767225601.000 %s HostB HostA 1 vm2\n"
        "started 1767225602.000 %s %s %s - vm1\n",
        uuid, from, to, UUID2, uuid, from, to) > 0);
    fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    free(text);
    free(p);
}

static void crashed_case(const char *uuid, const char *from, const char *to,
                         const char *found, const char *sentence)
{
    fx f;
    wrap *w;
    bal_backend *be;
    bal_rebalance_options o;
    bal_rebalance_report *r;
    const bal_rebalance_recovery *c;
    char want[1200];
    bool problem = !strcmp(found, "neither") || !strcmp(found, "unknown");

    fx_init(&f);
    write_journal(&f, uuid, from, to);
    be = wrap_open(&f, &w);
    bal_rebalance_options_init(&o, BAL_REBALANCE_OPTIONS_VERSION);
    r = run(&f, be, &o);
    assert_int_equal(bal_rebalance_report_num_recovered(r), 1);
    c = bal_rebalance_report_recovered(r, 0);
    assert_string_equal(c->uuid, uuid);
    assert_string_equal(c->found, found);
    assert_int_equal(c->problem, problem);
    snprintf(want, sizeof(want), "an earlier run (pid 4242, started "
             "2026-01-01 00:00:00 UTC) did not finish the migration of vm1 "
             "(%s) %s -> %s: %s", uuid, from, to, sentence);
    assert_string_equal(c->detail, want);
    assert_true(has_line(&f.lg, want));
    if (problem) {
        /* Stopped before sampling for a plan; the journal stays. */
        assert_int_equal(bal_rebalance_report_outcome(r),
                         BAL_REBALANCE_UNDEFINED);
        assert_int_equal(bal_rebalance_report_num_moves(r), 0);
        assert_int_equal(w->migrations, 0);
        assert_true(exists(f.state, "journal"));
    } else {
        /* Closed, then the run does its work. */
        assert_int_equal(bal_rebalance_report_outcome(r),
                         BAL_REBALANCE_DONE);
        assert_false(exists(f.state, "journal"));
    }
    if (!strcmp(found, "destination")) {
        /* It moved: recorded now, once, so that it keeps its cooldown
         * (the run that moved it died before writing the record). */
        char *p = join(f.state, "history"), *text = slurp(p), *at;
        int i;

        snprintf(want, sizeof(want), "\"uuid\":\"%s\",\"vm\":\"vm1\","
                 "\"from\":\"%s\",\"to\":\"%s\"", uuid, from, to);
        at = strstr(text, want);
        assert_non_null(at);
        assert_null(strstr(at + 1, want));
        assert_true(has_line(&f.lg, "made by an earlier run (pid 4242), was "
                             "not recorded; recorded now"));
        for (i = 0; i < bal_rebalance_report_num_moves(r); i++)
            assert_string_not_equal(bal_rebalance_report_move(r, i)->vm,
                                    "vm1");
        free(text);
        free(p);
    }
    assert_each_once(w);
    bal_rebalance_report_free(r);
    bal_backend_close(be);
    fx_dispose(&f);
}

static void test_crashed_run(void **state)
{
    crashed_case(UUID1, "HostA", "HostB", "source",
                 "it runs on HostA (the source); journal entry closed");
    crashed_case(UUID1, "HostB", "HostA", "destination",
                 "it runs on HostA (the destination); journal entry closed");
    crashed_case(NOSUCH, "HostA", "HostB", "neither",
                 "found on no host: an admin must look (keep exactly one "
                 "copy, named vm1), then run again; nothing done");
    crashed_case(UUID1, "HostZ", "HostB", "unknown",
                 "cannot tell where it runs: HostZ did not answer; nothing "
                 "done");
}

/* A journal that cannot be read stops the run before anything moves. */
static void test_bad_journal(void **state)
{
    fx f;
    wrap *w;
    bal_backend *be;
    bal_rebalance_options o;
    bal_rebalance_report *r = NULL;
    char *p, want[400];
    FILE *fp;

    fx_init(&f);
    assert_int_equal(mkdir(f.state, 0700), 0);
    p = join(f.state, "journal");
    fp = fopen(p, "w");
    assert_non_null(fp);
    fputs("garbage\n", fp);
    fclose(fp);
    be = wrap_open(&f, &w);
    bal_rebalance_options_init(&o, BAL_REBALANCE_OPTIONS_VERSION);
    assert_int_equal(bal_rebalance(f.ctx, be, f.cfg, &o, &r), BAL_EIO);
    snprintf(want, sizeof(want), "%s:1: not a journal of xl-balance", p);
    assert_string_equal(tu_last(&f.lg), want);
    assert_int_equal(w->migrations, 0);
    bal_backend_close(be);
    free(p);
    fx_dispose(&f);
}

/* ---- saved plans ------------------------------------------------------------ */

static char *plan_file(fx *f, const char *text)
{
    char *p = join(f->dir, "plan.json");
    FILE *fp = fopen(p, "w");

    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    return p;
}

/* A plan gone stale: each bad move refused with its reason, the good one
 * made. */
static void test_apply_stale(void **state)
{
    fx f;
    wrap *w;
    bal_backend *be;
    bal_rebalance_options o;
    bal_rebalance_report *r;
    const bal__scenario *scn;
    char *text = NULL, *path;

    fx_init(&f);
    be = wrap_open(&f, &w);
    scn = bal__sim_scenario(w->sim);
    assert_true(asprintf(&text,
        "{\"xl_balance_plan\": 1, \"moves\": ["
        "{\"vm\": \"vm1\", \"uuid\": \"%s\", \"from\": \"HostB\", "
        " \"to\": \"HostA\", \"wave\": 0},"
        "{\"vm\": \"ghost\", \"uuid\": \"%s\", \"from\": \"HostA\", "
        " \"to\": \"HostB\", \"wave\": 0},"
        "{\"vm\": \"vm3\", \"uuid\": \"%s\", \"from\": \"HostA\", "
        " \"to\": \"HostC\", \"wave\": 0},"
        "{\"vm\": \"vm2\", \"uuid\": \"%s\", \"from\": \"HostB\", "
        " \"to\": \"HostA\", \"wave\": 0, \"gain_rate\": 0.5, "
        " \"reason\": \"by hand\", \"extra\": [1, {\"x\": null}]},"
        "{\"vm\": \"vm4\", \"uuid\": \"%s\", \"from\": \"HostB\", "
        " \"to\": \"HostA\", \"wave\": 0}]}\n",
        UUID1, NOSUCH, scn->vms[vm_index(w, "vm3")].uuid, UUID2,
        scn->vms[vm_index(w, "vm4")].uuid) > 0);
    path = plan_file(&f, text);
    bal_rebalance_options_init(&o, BAL_REBALANCE_OPTIONS_VERSION);
    o.apply = path;
    r = run(&f, be, &o);
    assert_int_equal(bal_rebalance_report_outcome(r), BAL_REBALANCE_PARTIAL);
    assert_int_equal(bal_rebalance_report_num_moves(r), 5);
    assert_int_equal(move_of(r, "vm1")->state, BAL_MOVE_REFUSED);
    assert_string_equal(move_of(r, "vm1")->detail, "vm1 runs on HostA, not "
                        "on HostB (the plan is stale)");
    assert_int_equal(move_of(r, "ghost")->state, BAL_MOVE_REFUSED);
    assert_string_equal(move_of(r, "ghost")->detail, "ghost (" NOSUCH ") is "
                        "on no host (gone since the plan was made)");
    assert_string_equal(move_of(r, "vm3")->detail, "no host HostC in the "
                        "cluster");
    /* HostA has 1532 MiB free: vm2 fits, vm4 then does not. */
    assert_int_equal(move_of(r, "vm2")->state, BAL_MOVE_DONE);
    assert_string_equal(move_of(r, "vm2")->reason, "by hand");
    assert_true(move_of(r, "vm2")->predicted_gain == 0.5);
    assert_int_equal(move_of(r, "vm4")->state, BAL_MOVE_REFUSED);
    assert_string_equal(move_of(r, "vm4")->detail, "HostA has 508 MiB free, "
                        "vm4 needs 1024 MiB");
    assert_true(has_line(&f.lg, "vm1 HostB -> HostA refused: vm1 runs on "
                         "HostA, not on HostB (the plan is stale)"));
    assert_string_equal(host_of(w, "vm2"), "HostA");
    assert_string_equal(host_of(w, "vm4"), "HostB");
    assert_int_equal(w->migrations, 1);
    assert_each_once(w);
    assert_int_equal(history_len(&f), 1);
    bal_rebalance_report_free(r);
    r = NULL;
    free(path);

    /* The UUID decides what moves: a "vm" that is another VM's name is
     * refused with both names, before any question is asked or anything
     * moves, dry run or not. */
    path = plan_file(&f,
        "{\"xl_balance_plan\": 1, \"moves\": ["
        "{\"vm\": \"vm2\", \"uuid\": \"" UUID1 "\", \"from\": \"HostA\", "
        " \"to\": \"HostB\", \"wave\": 0}]}\n");
    o.apply = path;
    o.confirm = say_no;         /* never asked: counts, says no */
    o.confirm_opaque = &nconfirm;
    nconfirm = 0;
    assert_int_equal(bal_rebalance(f.ctx, be, f.cfg, &o, &r), BAL_EINVAL);
    assert_null(r);
    assert_true(has_line(&f.lg, ": the move of " UUID1 " names it `vm2', "
                         "but that VM is `vm1'; nothing moved"));
    o.dry_run = true;
    assert_int_equal(bal_rebalance(f.ctx, be, f.cfg, &o, &r), BAL_EINVAL);
    assert_null(r);
    assert_int_equal(f.lg.nerrors, 2);
    assert_int_equal(nconfirm, 0);
    assert_int_equal(w->migrations, 1);
    assert_string_equal(host_of(w, "vm1"), "HostA");
    assert_int_equal(history_len(&f), 1);
    bal_backend_close(be);
    free(text);
    free(path);
    fx_dispose(&f);
}

/* A VM may migrate twice in a plan (the planner does in a memory-tight
 * corner, doc/planner.md "the plan's migrations"): its second move
 * starts where the first ends, in a later wave, and runs after it; when
 * the first does not run, neither does the second. */
static void test_apply_chain(void **state)
{
    fx f;
    wrap *w;
    bal_backend *be;
    bal_rebalance_options o;
    bal_rebalance_report *r;
    char *text = NULL, *path;
    int k;

    for (k = 0; k < 2; k++) {
        fx_init(&f);
        be = wrap_open(&f, &w);
        /* k = 1: stale, vm1 is on HostA, not on HostB. */
        assert_true(asprintf(&text,
            "{\"xl_balance_plan\": 1, \"moves\": ["
            "{\"vm\": \"vm1\", \"uuid\": \"%s\", \"from\": \"%s\", "
            " \"to\": \"%s\", \"wave\": 0},"
            "{\"vm\": \"vm1\", \"uuid\": \"%s\", \"from\": \"%s\", "
            " \"to\": \"%s\", \"wave\": 1}]}\n", UUID1,
            k ? "HostB" : "HostA", k ? "HostA" : "HostB", UUID1,
            k ? "HostA" : "HostB", k ? "HostB" : "HostA") > 0);
        path = plan_file(&f, text);
        bal_rebalance_options_init(&o, BAL_REBALANCE_OPTIONS_VERSION);
        o.apply = path;
        r = run(&f, be, &o);
        assert_int_equal(bal_rebalance_report_num_moves(r), 2);
        if (!k) {
            assert_int_equal(bal_rebalance_report_outcome(r), BAL_REBALANCE_DONE);
            assert_int_equal(bal_rebalance_report_move(r, 0)->state, BAL_MOVE_DONE);
            assert_int_equal(bal_rebalance_report_move(r, 1)->state, BAL_MOVE_DONE);
            assert_int_equal(w->migrations, 2);
            assert_int_equal(history_len(&f), 2);
        } else {
            /* Stale: vm1 is not on HostB, so its first move is refused,
             * and the second with it. */
            assert_int_equal(bal_rebalance_report_move(r, 0)->state, BAL_MOVE_REFUSED);
            assert_int_equal(bal_rebalance_report_move(r, 1)->state, BAL_MOVE_REFUSED);
            assert_string_equal(bal_rebalance_report_move(r, 1)->detail,
                                "vm1's earlier move of the plan does not run");
            assert_int_equal(w->migrations, 0);
        }
        assert_string_equal(host_of(w, "vm1"), "HostA");
        assert_each_once(w);
        bal_rebalance_report_free(r);
        bal_backend_close(be);
        free(text);
        free(path);
        fx_dispose(&f);
    }
}

/* A dry run's JSON is a plan: applied as it is, it does the swap. */
static void test_apply_own_plan(void **state)
{
    fx f;
    wrap *w;
    bal_backend *be;
    bal_rebalance_options o;
    bal_rebalance_report *r;
    char *json = NULL, *path;

    fx_init(&f);
    be = wrap_open(&f, &w);
    bal_rebalance_options_init(&o, BAL_REBALANCE_OPTIONS_VERSION);
    o.dry_run = true;
    r = run(&f, be, &o);
    assert_int_equal(bal_rebalance_report_json(r, &json), 0);
    bal_rebalance_report_free(r);
    path = plan_file(&f, json);
    o.dry_run = false;
    o.apply = path;
    r = run(&f, be, &o);
    assert_int_equal(bal_rebalance_report_outcome(r), BAL_REBALANCE_DONE);
    assert_string_equal(host_of(w, "vm1"), "HostB");
    assert_string_equal(host_of(w, "vm2"), "HostA");
    bal_rebalance_report_free(r);
    /* Applied again, it is stale: both refused, nothing moves. */
    r = run(&f, be, &o);
    assert_int_equal(bal_rebalance_report_outcome(r), BAL_REBALANCE_PARTIAL);
    assert_int_equal(move_of(r, "vm1")->state, BAL_MOVE_REFUSED);
    assert_int_equal(move_of(r, "vm2")->state, BAL_MOVE_REFUSED);
    assert_int_equal(w->migrations, 2);
    bal_rebalance_report_free(r);
    bal_backend_close(be);
    free(json);
    free(path);
    fx_dispose(&f);
}

/* ---- the plan file's reader ------------------------------------------------- */

static void expect_plan(const char *text, const char *msg)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal__plan p;
    double *pred = NULL;
    char want[600];

    bal__plan_init(&p);
    assert_int_equal(bal__plan_json_parse(ctx, "p.json", text, strlen(text),
                                          &p, &pred), BAL_EINVAL);
    snprintf(want, sizeof(want), "p.json: %s", msg);
    assert_string_equal(tu_last(&lg), want);
    assert_int_equal(lg.nerrors, 1);
    assert_int_equal(p.n, 0);
    assert_null(pred);
    bal_ctx_free(ctx);
}

#define MV(body) "{\"xl_balance_plan\":1,\"moves\":[" body "]}"
#define GOOD "\"vm\":\"vm1\",\"uuid\":\"" UUID1 "\",\"from\":\"HostA\"," \
             "\"to\":\"HostB\",\"wave\":0"

static void test_plan_json(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal__plan p;
    double *pred = NULL;
    char *json = NULL;
    const char *two = MV("{\"vm\":\"b\",\"uuid\":\"" UUID2 "\",\"from\":"
                         "\"HostB\",\"to\":\"HostA\",\"wave\":3},"
                         "{" GOOD ",\"gain_rate\":0.25}");

    /* Sorted by wave; predictions follow; written and read back. */
    bal__plan_init(&p);
    assert_int_equal(bal__plan_json_parse(ctx, "p.json", two, strlen(two),
                                          &p, &pred), 0);
    assert_int_equal(p.n, 2);
    assert_int_equal(p.nwaves, 4);
    assert_string_equal(p.moves[0].mv.vm, "vm1");
    assert_int_equal(p.moves[0].wave, 0);
    assert_true(pred[0] == 0.25);
    assert_string_equal(p.moves[1].mv.vm, "b");
    assert_true(isnan(pred[1]));
    assert_int_equal(bal__plan_json_write(&p, pred, &json), 0);
    bal__plan_dispose(&p);
    free(pred);
    pred = NULL;
    assert_int_equal(bal__plan_json_parse(ctx, "w.json", json, strlen(json),
                                          &p, &pred), 0);
    assert_int_equal(p.n, 2);
    assert_string_equal(p.moves[1].mv.uuid, UUID2);
    assert_true(pred[0] == 0.25);
    bal__plan_dispose(&p);
    free(pred);
    free(json);
    assert_int_equal(lg.nerrors, 0);
    bal_ctx_free(ctx);

    expect_plan("", "empty: not a plan");
    expect_plan(" \n", "empty: not a plan");
    expect_plan("{\"xl_balance_plan\":1,", "not JSON: parse error: premature "
                "EOF");
    expect_plan("[]", "expected an object at the top, not an array");
    expect_plan("{\"moves\":[]}", "xl_balance_plan: missing: not a plan file");
    expect_plan("{\"xl_balance_plan\":2,\"moves\":[]}",
                "xl_balance_plan: version 2 is not supported (expected 1)");
    expect_plan("{\"xl_balance_plan\":1}", "moves: missing");
    expect_plan("{\"xl_balance_plan\":1,\"moves\":{}}",
                "moves: expected an array, not an object");
    expect_plan(MV("3"), "moves[0]: expected an object, not a number");
    expect_plan(MV("{" GOOD "},{\"uuid\":\"" UUID2 "\"}"),
                "moves[1].vm: missing");
    expect_plan(MV("{\"vm\":1}"), "moves[0].vm: expected a string, not a "
                "number");
    expect_plan(MV("{\"vm\":\"a\",\"uuid\":\"xyz\",\"from\":\"A\",\"to\":"
                   "\"B\",\"wave\":0}"),
                "moves[0].uuid: `xyz' is not a UUID (8-4-4-4-12 lower-case "
                "hex digits)");
    expect_plan(MV("{\"vm\":\"a\",\"uuid\":\"" UUID1 "\",\"from\":\"-oX\","
                   "\"to\":\"B\",\"wave\":0}"),
                "moves[0].from: `-oX' is not a host name");
    expect_plan(MV("{\"vm\":\"a\\n\",\"uuid\":\"" UUID1 "\",\"from\":\"A\","
                   "\"to\":\"B\",\"wave\":0}"),
                "moves[0].vm: `a?' is not a VM name (1 to 127 bytes of "
                "UTF-8, no control character)");
    expect_plan(MV("{\"vm\":\"a\",\"uuid\":\"" UUID1 "\",\"from\":\"A\","
                   "\"to\":\"A\",\"wave\":0}"),
                "moves[0]: from and to are both A");
    expect_plan(MV("{\"vm\":\"a\",\"uuid\":\"" UUID1 "\",\"from\":\"A\","
                   "\"to\":\"B\",\"wave\":-1}"),
                "moves[0].wave: expected a whole number from 0 to 9999");
    expect_plan(MV("{\"vm\":\"a\",\"uuid\":\"" UUID1 "\",\"from\":\"A\","
                   "\"to\":\"B\",\"wave\":1.5}"),
                "moves[0].wave: expected a whole number from 0 to 9999");
    expect_plan(MV("{\"vm\":\"a\",\"uuid\":\"" UUID1 "\",\"from\":\"A\","
                   "\"to\":\"B\"}"), "moves[0].wave: missing");
    expect_plan(MV("{" GOOD ",\"wave\":1}"), "moves[0].wave: given twice");
    expect_plan(MV("{" GOOD ",\"gain_rate\":\"x\"}"),
                "moves[0].gain_rate: expected a number, not a string");
    expect_plan(MV("{" GOOD "},{" GOOD "}"),
                "moves[1].uuid: " UUID1 " is moved twice (also by the move "
                "of vm1): a second move must start where the first ends, in "
                "a later wave");
    expect_plan("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]"
                "]]]]]]]", "nested more than 32 deep: not a plan");
}

/* The file reader names the file. */
static void test_plan_file(void **state)
{
    fx f;
    bal__plan p;
    double *pred = NULL;
    char *path, want[400];

    fx_init(&f);
    bal__plan_init(&p);
    path = plan_file(&f, MV("{\"vm\":\"a\",\"uuid\":\"nope\",\"from\":"
                            "\"A\",\"to\":\"B\",\"wave\":0}"));
    assert_int_equal(bal__plan_json_load(f.ctx, path, &p, &pred), BAL_EINVAL);
    snprintf(want, sizeof(want), "%s: moves[0].uuid: `nope' is not a UUID "
             "(8-4-4-4-12 lower-case hex digits)", path);
    assert_string_equal(tu_last(&f.lg), want);
    unlink(path);
    assert_int_equal(bal__plan_json_load(f.ctx, path, &p, &pred), BAL_EINVAL);
    snprintf(want, sizeof(want), "%s: cannot open: No such file or "
             "directory", path);
    assert_string_equal(tu_last(&f.lg), want);
    free(path);
    fx_dispose(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_swap),
        cmocka_unit_test(test_history_dirty),
        cmocka_unit_test(test_migrate_history_dirty),
        cmocka_unit_test(test_dry_run),
        cmocka_unit_test(test_not_confirmed),
        cmocka_unit_test(test_max_moves),
        cmocka_unit_test(test_fail_at_start),
        cmocka_unit_test(test_fail_mid_stream),
        cmocka_unit_test(test_fail_at_handshake),
        cmocka_unit_test(test_undefined_then_recovered),
        cmocka_unit_test(test_undefined_on_destination),
        cmocka_unit_test(test_leftover_copy),
        cmocka_unit_test(test_unclean_cluster),
        cmocka_unit_test(test_unreachable),
        cmocka_unit_test(test_vanished_before_wave),
        cmocka_unit_test(test_vanished_at_migration),
        cmocka_unit_test(test_locked),
        cmocka_unit_test(test_bad_state_dir),
        cmocka_unit_test(test_crashed_run),
        cmocka_unit_test(test_bad_journal),
        cmocka_unit_test(test_apply_stale),
        cmocka_unit_test(test_apply_own_plan),
        cmocka_unit_test(test_apply_chain),
        cmocka_unit_test(test_plan_json),
        cmocka_unit_test(test_plan_file),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
