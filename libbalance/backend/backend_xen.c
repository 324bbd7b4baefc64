/*
 * backend_xen.c - the "xen" backend: this dom0's counters from libxenstat,
 * every VM's UUID from libxl, and the other dom0s' samples over the
 * configured transport (peer.c).
 *
 * One of the two files of the library that include Xen headers: everything
 * Xen-specific stays here, the rest of the library sees bal__sample.
 */
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xenstat.h>
#include <xentoollog.h>
#include <libxl.h>
#include <libxl_utils.h>

#include "backend.h"
#include "base/child.h"
#include "base/config.h"
#include "base/json.h"
#include "base/migrate_json.h"
#include "migrate/migrate_xl.h"
#include "peer.h"

const char *bal__xen_privcmd_path = "/dev/xen/privcmd";
const char *bal__xen_privcmd_proc_path = "/proc/xen/privcmd";
const char *bal__xen_caps_path = "/proc/xen/capabilities";

/* ---- is this a dom0? -------------------------------------------------- */

/* Reads the start of path into buf (NUL-terminated); false if unreadable.
 * Not bal__read_file: this check logs nothing, it only answers. */
static bool read_small(const char *path, char *buf, size_t size)
{
    size_t len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0) return false;
    while (len < size - 1) {
        ssize_t got = read(fd, buf + len, size - 1 - len);

        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        len += (size_t)got;
    }
    close(fd);
    buf[len] = '\0';
    return true;
}

/* Why this machine cannot use the xen backend, or NULL if it can.  Looks
 * only at files: xenstat_init() would perror() to stderr on a machine
 * without Xen, and cron output must stay clean. */
static const char *not_dom0_reason(void)
{
    char caps[256];

    if (access(bal__xen_privcmd_path, F_OK) &&
        access(bal__xen_privcmd_proc_path, F_OK))
        return "no /dev/xen/privcmd";
    /* A domU has privcmd too; only a dom0's capabilities say control_d. */
    if (!read_small(bal__xen_caps_path, caps, sizeof(caps)) ||
        !strstr(caps, "control_d"))
        return "/proc/xen/capabilities lacks control_d";
    return NULL;
}

bool bal_xen_available(void)
{
    return !not_dom0_reason();
}

/* ---- the backend ------------------------------------------------------- */

typedef struct xen_priv {
    bal__xl_logger lg;             /* libxl's log, to the context's sink */
    xenstat_handle *xs;
    libxl_ctx *xl;
} xen_priv;

static void xen_priv_free(xen_priv *p)
{
    if (!p) return;
    if (p->xs) xenstat_uninit(p->xs);
    /* libxl may still log while it shuts down: free it before its logger. */
    libxl_ctx_free(p->xl);
    free(p);
}

/* Copies a name into dst[size], cutting one too long at a character
 * boundary so that a truncated UTF-8 name stays valid UTF-8. */
static void copy_name(char *dst, size_t size, const char *src)
{
    size_t n = strnlen(src, size);

    if (n == size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80) n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* This dom0's name as the configuration knows it. */
static int local_name(bal_ctx *ctx, const struct bal_config *cfg,
                      char *buf, size_t size)
{
    struct utsname u;
    const char *name;

    if (cfg->local_host) {
        name = cfg->local_host;
    } else {
        if (uname(&u)) {
            BAL__ERR(ctx, "xen: cannot read this host's name: %s",
                     strerror(errno));
            return BAL_EIO;
        }
        name = u.nodename;
    }
    if (strlen(name) >= size) {
        BAL__ERR(ctx, "xen: host name `%.40s...' is longer than %zu bytes",
                 name, size - 1);
        return BAL_ERANGE;
    }
    strcpy(buf, name);
    return 0;
}

static const libxl_dominfo *find_dominfo(const libxl_dominfo *info, int n,
                                         uint32_t domid)
{
    int i;

    for (i = 0; i < n; i++)
        if (info[i].domid == domid) return &info[i];
    return NULL;
}

static uint64_t bytes_to_kb(unsigned long long b)
{
    return (uint64_t)(b / 1024);
}

/* A domain's credit/credit2 weight, 0 when it cannot be known: another
 * scheduler (RTDS, ARINC 653, null) leaves it at its default, and a
 * domain destroyed since libxl listed it fails the call.  Neither is an
 * error for the sample: 0 makes the planner take weights as equal (libxl
 * has logged the detail of a failure as a warning). */
static uint32_t sched_weight(libxl_ctx *xl, uint32_t domid)
{
    libxl_domain_sched_params sp;
    uint32_t w = 0;

    libxl_domain_sched_params_init(&sp);
    if (!libxl_domain_sched_params_get(xl, domid, &sp) &&
        sp.weight != LIBXL_DOMAIN_SCHED_PARAM_WEIGHT_DEFAULT &&
        sp.weight > 0 && sp.weight <= BAL__WEIGHT_MAX)
        w = (uint32_t)sp.weight;
    libxl_domain_sched_params_dispose(&sp);
    return w;
}

/* One domain's counters from xenstat; false if the domain is skipped. */
static bool fill_dom(bal__dom *dom, xenstat_domain *d,
                     const libxl_dominfo *di, const char *name,
                     uint64_t host_mem_kb)
{
    unsigned long long maxmem = xenstat_domain_max_mem(d);
    unsigned j, n;

    snprintf(dom->uuid, sizeof(dom->uuid), LIBXL_UUID_FMT,
             LIBXL_UUID_BYTES(di->uuid));
    if (!bal__uuid_valid(dom->uuid)) return false;
    copy_name(dom->name, sizeof(dom->name), name);
    /* xenstore will hold any bytes as a name; a control character or bad
     * UTF-8 in one VM's name must not make the whole sample unreadable
     * to peers (json.c refuses such names), nor reach a terminal. */
    bal__json_name_sanitize(dom->name);
    dom->domid = xenstat_domain_id(d);
    dom->vcpus = xenstat_domain_num_vcpus(d);
    dom->cpu_ns = xenstat_domain_cpu_ns(d);
    dom->mem_kb = bytes_to_kb(xenstat_domain_cur_mem(d));
    /* xenstat reports "no limit" (dom0, typically) as all ones: the host's
     * memory is the most such a domain can have. */
    dom->maxmem_kb = maxmem == ~0ull ? host_mem_kb : bytes_to_kb(maxmem);

    n = xenstat_domain_num_vbds(d);
    for (j = 0; j < n; j++) {
        xenstat_vbd *v = xenstat_domain_vbd(d, j);

        /* A VBD whose statistics could not be read has zeros, which would
         * look like the counters went backwards. */
        if (!v || xenstat_vbd_error(v)) continue;
        dom->vbd_rd_reqs += xenstat_vbd_rd_reqs(v);
        dom->vbd_wr_reqs += xenstat_vbd_wr_reqs(v);
        dom->vbd_rd_sect += xenstat_vbd_rd_sects(v);
        dom->vbd_wr_sect += xenstat_vbd_wr_sects(v);
        dom->vbd_oo_reqs += xenstat_vbd_oo_reqs(v);
    }
    n = xenstat_domain_num_networks(d);
    for (j = 0; j < n; j++) {
        xenstat_network *net = xenstat_domain_network(d, j);

        if (!net) continue;
        /* libxenstat reads the vifs in dom0's /proc/net/dev: what dom0
         * receives on vifD.N is what the guest sent, and the other way
         * round.  Swapped here, so that rx and tx are the guest's, as the
         * simulator reports them. */
        dom->net_rx_bytes += xenstat_network_tbytes(net);
        dom->net_tx_bytes += xenstat_network_rbytes(net);
    }
    return true;
}

/* This host's sample, appended to out. */
static int sample_local(bal_backend *be, const char *name, bal__sample *out)
{
    xen_priv *p = be->priv;
    bal_ctx *ctx = be->ctx;
    xenstat_node *node = NULL;
    libxl_dominfo *info = NULL;
    int ninfo = 0;
    uint64_t now;
    bal__host *h;
    unsigned i, n;
    int rc;

    node = xenstat_get_node(p->xs, XENSTAT_ALL);
    if (!node) {
        BAL__ERR(ctx, "xen: xenstat_get_node failed: cannot read the "
                 "domains' counters");
        rc = BAL_EXEN;
        goto out;
    }
    /* Right after the counters were read: rates divide by this. */
    now = bal__now_ns();

    /* After xenstat, so that a domain created in between is merely missing
     * from this sample rather than present without its UUID. */
    info = libxl_list_domain(p->xl, &ninfo);
    if (!info) {
        BAL__ERR(ctx, "xen: libxl_list_domain failed: cannot list the "
                 "domains' UUIDs");
        rc = BAL_EXEN;
        goto out;
    }

    rc = bal__sample_add_host(out, &h);
    if (rc) goto out;
    strcpy(h->name, name);     /* local_name checked its length */
    h->time_ns = now;
    h->pcpus = xenstat_node_num_cpus(node);
    h->cpu_hz = xenstat_node_cpu_hz(node);
    h->mem_kb = bytes_to_kb(xenstat_node_tot_mem(node));
    h->free_kb = bytes_to_kb(xenstat_node_free_mem(node));
    /* A dom0 cannot measure its disk path's or NIC's ceiling: 0 says
     * "unknown", the configuration's capacities are used. */

    n = xenstat_node_num_domains(node);
    for (i = 0; i < n; i++) {
        xenstat_domain *d = xenstat_node_domain_by_index(node, i);
        const libxl_dominfo *di;
        const char *dname;
        bal__dom *dom;

        if (!d || xenstat_domain_dying(d)) continue;
        /* Gone from libxl's list: destroyed since xenstat looked. */
        di = find_dominfo(info, ninfo, xenstat_domain_id(d));
        if (!di || di->dying) continue;
        /* No name in xenstore: being built or torn down right now. */
        dname = xenstat_domain_name(d);
        if (!dname) continue;

        rc = bal__host_add_dom(h, &dom);
        if (rc) goto out;
        if (!fill_dom(dom, d, di, dname, h->mem_kb)) h->ndoms--;
        else dom->weight = sched_weight(p->xl, dom->domid);
    }
    rc = 0;

out:
    if (info) libxl_dominfo_list_free(info, ninfo);
    if (node) xenstat_free_node(node);
    return rc;
}

static int xen_sample(bal_backend *be, bool local_only, bal__sample *out)
{
    const struct bal_config *cfg = be->cfg;
    char name[BAL__HOST_MAX];
    char **peers = NULL;
    bal__sample s;
    int i, n = 0, rc;

    bal__sample_init(&s);

    rc = local_name(be->ctx, cfg, name, sizeof(name));
    if (rc) goto out;
    rc = sample_local(be, name, &s);
    if (rc) goto out;

    if (!local_only && cfg->nhosts > 0) {
        peers = calloc((size_t)cfg->nhosts, sizeof(*peers));
        if (!peers) {
            BAL__ERR(be->ctx, "xen: out of memory");
            rc = BAL_ENOMEM;
            goto out;
        }
        for (i = 0; i < cfg->nhosts; i++)
            if (strcmp(cfg->hosts[i], name)) peers[n++] = cfg->hosts[i];
        /* All at once, merged in the configuration's order after this
         * host; a silent one is counted in s.npeer_errors. */
        rc = n ? bal__peer_sample_all(be->ctx, cfg, peers, n, &s) : 0;
        if (rc) goto out;
    }

    /* Built aside so that out is untouched on failure. */
    rc = bal__sample_append(out, &s);

out:
    free(peers);
    bal__sample_dispose(&s);
    return rc;
}

static int xen_wait(bal_backend *be, double interval_s)
{
    struct timespec ts, rem;

    if (!(interval_s >= 0) || interval_s > 1e9) {
        BAL__ERR(be->ctx, "xen: cannot wait %g seconds", interval_s);
        return BAL_ERANGE;
    }
    ts.tv_sec = (time_t)interval_s;
    ts.tv_nsec = (long)((interval_s - (double)ts.tv_sec) * 1e9);
    if (ts.tv_nsec > 999999999) ts.tv_nsec = 999999999;
    while (nanosleep(&ts, &rem)) {
        if (errno != EINTR) {
            BAL__ERR(be->ctx, "xen: nanosleep: %s", strerror(errno));
            return BAL_EIO;
        }
        ts = rem;
    }
    return 0;
}

static void xen_close(bal_backend *be)
{
    xen_priv_free(be->priv);
    be->priv = NULL;
}

static int xen_migrate(bal_backend *be, const bal__move *moves, int n,
                       bal__move_result *results);

static const bal__backend_ops xen_ops = {
    .name = "xen",
    .sample = xen_sample,
    .wait = xen_wait,
    .close = xen_close,
    .migrate = xen_migrate,
};

int bal__backend_xen_open(bal_backend *be, const char *arg)
{
    xen_priv *p = NULL;
    const char *why;
    int rc;

    if (arg) {
        BAL__ERR(be->ctx, "backend `xen:%s': takes no argument", arg);
        rc = BAL_EBACKEND;
        goto out;
    }
    why = not_dom0_reason();
    if (why) {
        BAL__ERR(be->ctx, "this is not a Xen dom0 (%s); use -b sim:SCENARIO "
                 "for the simulated cluster", why);
        rc = BAL_ENOXEN;
        goto out;
    }

    p = calloc(1, sizeof(*p));
    if (!p) { rc = BAL_ENOMEM; goto out; }
    bal__xl_logger_init(&p->lg, be->ctx, NULL);

    p->xs = xenstat_init();
    if (!p->xs) {
        BAL__ERR(be->ctx, "xen: xenstat_init failed: cannot open "
                 "libxenstat (is xenstored running? are we root?)");
        rc = BAL_EXEN;
        goto out;
    }
    if (libxl_ctx_alloc(&p->xl, LIBXL_VERSION, 0, &p->lg.vtable)) {
        p->xl = NULL;
        BAL__ERR(be->ctx, "xen: libxl_ctx_alloc failed: cannot open libxl");
        rc = BAL_EXEN;
        goto out;
    }

    be->ops = &xen_ops;
    be->priv = p;
    p = NULL;
    rc = 0;

out:
    xen_priv_free(p);
    return rc;
}

/* ---- live migration ------------------------------------------------------
 * A live migration is sent from the dom0 the VM runs on.  Moves from this
 * host go through migrate_xl.c; a move from another dom0 (a rebalance run
 * on A plans B -> A too) is run on that host as `xl-balance migrate
 * --json UUID TO` through the transport, like a peer's sample, and its
 * answer read as base/migrate_json.h says (doc/migration.md, "Moves whose
 * source is another dom0"). */

/* For a remote migration: transport, ssh and the remote sender's own
 * timeouts are inside.  0: max(peer_timeout, REMOTE_TIMEOUT_MIN_S). */
double bal__xen_remote_timeout_s = 0;
#define REMOTE_TIMEOUT_MIN_S 3600.0
#define REMOTE_REPLY_MAX 65536

/* The remote command's exit statuses (xl-plugin/xl_balance.h). */
#define REMOTE_EXIT_OK 0
#define REMOTE_EXIT_FAIL 1
#define REMOTE_EXIT_LOCKED 5
#define REMOTE_EXIT_UNDEFINED 6

typedef struct remote_mig {
    int idx;                    /* in the wave */
    char **argv;                /* borrowed strings */
    bal__child child;
    double start_s;
} remote_mig;

static bool is_configured_host(const struct bal_config *cfg,
                               const char *local, const char *host)
{
    int i;

    if (!strcmp(host, local)) return true;
    for (i = 0; i < cfg->nhosts; i++)
        if (!strcmp(cfg->hosts[i], host)) return true;
    return false;
}

/* A name that goes into the transport's argv: configured (ssh joins the
 * remote command's words for the remote shell, so only the admin's own
 * names may go there), printable, not an option. */
static bool host_ok(const struct bal_config *cfg, const char *local,
                    const char *host, size_t size)
{
    size_t n = strnlen(host, size);

    return n > 0 && n < size && host[0] != '-' &&
           bal__json_name_valid(host, n) &&
           is_configured_host(cfg, local, host);
}

/* Checks the move and starts `TRANSPORT FROM XL-BALANCE migrate --json
 * UUID TO`.  On failure nothing runs (the VM still runs on `from`). */
static int remote_start(bal_backend *be, const char *local,
                        const bal__move *mv, const char *what,
                        remote_mig *r)
{
    const struct bal_config *cfg = be->cfg;
    int nt;
    char *const *t = bal__config_transport(cfg, &nt);
    double timeout = bal__xen_remote_timeout_s > 0
        ? bal__xen_remote_timeout_s
        : (cfg->peer_timeout > REMOTE_TIMEOUT_MIN_S ? cfg->peer_timeout
                                                     : REMOTE_TIMEOUT_MIN_S);
    int i, n = 0;

    if (!bal__uuid_valid(mv->uuid)) {
        BAL__ERR(be->ctx, "%s: not a UUID; nothing done", what);
        return BAL_EINVAL;
    }
    if (!host_ok(cfg, local, mv->from, sizeof(mv->from)) ||
        !host_ok(cfg, local, mv->to, sizeof(mv->to))) {
        BAL__ERR(be->ctx, "%s: a host name is not one of the configured "
                 "hosts (or begins with '-'); nothing done", what);
        return BAL_EINVAL;
    }
    r->argv = calloc((size_t)nt + 7, sizeof(*r->argv));
    if (!r->argv) {
        BAL__ERR(be->ctx, "%s: out of memory; nothing done", what);
        return BAL_ENOMEM;
    }
    for (i = 0; i < nt; i++) r->argv[n++] = t[i];
    r->argv[n++] = (char *)mv->from;
    r->argv[n++] = cfg->npeer_command > 0 ? cfg->peer_command[0]
                                          : "xl-balance";
    r->argv[n++] = "migrate";
    r->argv[n++] = "--json";
    r->argv[n++] = (char *)mv->uuid;
    r->argv[n++] = (char *)mv->to;
    r->argv[n] = NULL;
    r->start_s = (double)bal__now_ns() / 1e9;
    return bal__child_start(be->ctx, what, r->argv, 0, -1, timeout,
                            &r->child);
}

/* The outcome the remote command's exit status stands for, or NULL for
 * one it never exits with (ssh's 255, a usage error...). */
static const char *exit_outcome(int code)
{
    switch (code) {
    case REMOTE_EXIT_OK: return "done";
    case REMOTE_EXIT_FAIL: case REMOTE_EXIT_LOCKED: return "failed";
    case REMOTE_EXIT_UNDEFINED: return "undefined";
    default: return NULL;
    }
}

/* Reads the answer of the command run on mv->from, which exited with
 * code: 0 and *a, or BAL_EPEER with why (the answer is malformed, or
 * says something else than its exit status or another move). */
static int read_answer(const bal__move *mv, int code, const char *out,
                       size_t len, bal__migrate_answer *a, char *why,
                       size_t size)
{
    const char *want = exit_outcome(code);
    const char *got;
    int rc;

    rc = bal__migrate_json_parse(out, len, a, why, size);
    if (rc) return rc;
    got = !a->rc ? "done" : a->rc == BAL_EUNDEFINED ? "undefined" : "failed";
    if (strcmp(got, want)) {
        snprintf(why, size, "the answer says %s, the exit status %s", got,
                 want);
        return BAL_EPEER;
    }
    if (!a->rc && (strcmp(a->uuid, mv->uuid) || strcmp(a->to, mv->to))) {
        /* The names are checked printable by the parser. */
        snprintf(why, size, "the answer is about %s to %.100s, not this "
                 "move", a->uuid, a->to);
        return BAL_EPEER;
    }
    return 0;
}

/* Waits for a started remote migration and says how it went. */
static void remote_finish(bal_ctx *ctx, const char *what,
                          const bal__move *mv, remote_mig *r,
                          bal__move_result *res)
{
    bal__migrate_answer a;
    char why[512];
    char *out = NULL;
    size_t len = 0;
    int status = 0, code, rc;

    rc = bal__child_finish(ctx, what, &r->child, REMOTE_REPLY_MAX, &status,
                           &out, &len);
    res->end_s = (double)bal__now_ns() / 1e9;
    if (rc) goto unknown;           /* base/child.c said what went wrong */
    if (!WIFEXITED(status)) {
        BAL__ERR(ctx, "%s: the transport was killed by signal %d", what,
                 WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        goto unknown;
    }
    code = WEXITSTATUS(status);
    if (!exit_outcome(code)) {
        BAL__ERR(ctx, "%s: the transport exited with status %d", what,
                 code);
        goto unknown;
    }
    if (read_answer(mv, code, out, len, &a, why, sizeof(why))) {
        /* Never taken for a success: the verification sample says where
         * the VM is.  Exit status 6 alone says an admin must look. */
        res->rc = code == REMOTE_EXIT_UNDEFINED ? BAL_EUNDEFINED : BAL_EPEER;
        BAL__ERR(ctx, "%s: bad answer from %s (exit status %d): %s; %s",
                 what, mv->from, code, why,
                 code == REMOTE_EXIT_UNDEFINED
                 ? "STATE UNDEFINED there: the VM may run on neither host "
                   "or on both"
                 : "taken as failed, the verification sample will show "
                   "where the VM runs");
        goto out;
    }
    res->rc = a.rc;
    if (a.rc == BAL_EUNDEFINED) {
        BAL__ERR(ctx, "%s: STATE UNDEFINED there (exit status 6): the VM "
                 "may run on neither host or on both", what);
    } else if (a.rc) {
        BAL__ERR(ctx, "%s: failed there (exit status %d); the VM still runs "
                 "on its source", what, code);
    } else {
        res->end_s = res->start_s + a.duration_s;
        res->rounds = a.rounds;
        res->downtime_s = a.downtime_s;
        res->bytes = a.bytes;
        /* The peer's sender measured how fast the VM dirtied its memory:
         * this host's history learns it (doc/planner.md). */
        res->dirty_Bps = a.dirty_Bps;
    }
    goto out;

unknown:
    res->rc = BAL_ETRANSPORT;
    BAL__ERR(ctx, "%s: outcome unknown; the verification sample will show "
             "where the VM runs", what);
out:
    free(out);
}

static void move_what(char *buf, size_t size, const bal__move *mv)
{
    snprintf(buf, size, "migrate %.*s (%.*s) %.*s -> %.*s",
             (int)sizeof(mv->vm), mv->vm, (int)sizeof(mv->uuid), mv->uuid,
             (int)sizeof(mv->from), mv->from, (int)sizeof(mv->to), mv->to);
}

/* The transport is the peers' (bal__config_transport); the receiver is
 * xl migrate-receive, see migrate_xl.h.  Remote moves are started first,
 * the local ones run (in parallel, by migrate_xl.c), then the remote ones
 * are collected: the whole wave runs at once. */
static int xen_migrate(bal_backend *be, const bal__move *moves, int n,
                       bal__move_result *results)
{
    xen_priv *p = be->priv;
    char name[BAL__HOST_MAX];
    char what[BAL__NAME_MAX + BAL__UUID_LEN + 2 * BAL__HOST_MAX + 32];
    bal__mig_setup s;
    remote_mig *rem = NULL;
    bal__move *lmoves = NULL;
    bal__move_result *lres = NULL;
    int *lidx = NULL;
    int i, nrem = 0, nloc = 0, rc;

    rc = local_name(be->ctx, be->cfg, name, sizeof(name));
    if (rc) return rc;
    memset(&s, 0, sizeof(s));
    s.local_host = name;
    s.transport = be->cfg->transport;
    s.ntransport = be->cfg->ntransport;

    if (n <= 0 || !moves || !results)
        return bal__migrate_xl(be->ctx, p->xl, &s, moves, n, results);
    for (i = 0; i < n; i++)
        if (strncmp(moves[i].from, name, sizeof(moves[i].from))) nrem++;
    if (!nrem)
        return bal__migrate_xl(be->ctx, p->xl, &s, moves, n, results);

    rem = calloc((size_t)nrem, sizeof(*rem));
    if (rem)
        for (i = 0; i < nrem; i++) bal__child_init(&rem[i].child);
    lmoves = calloc((size_t)n, sizeof(*lmoves));
    lres = calloc((size_t)n, sizeof(*lres));
    lidx = calloc((size_t)n, sizeof(*lidx));
    if (!rem || !lmoves || !lres || !lidx) {
        BAL__ERR(be->ctx, "migrate: out of memory; nothing done");
        rc = BAL_ENOMEM;
        goto out;
    }
    /* Remote moves first: they run while the local ones do. */
    nrem = 0;
    for (i = 0; i < n; i++) {
        const bal__move *mv = &moves[i];
        remote_mig *r;

        if (!strncmp(mv->from, name, sizeof(mv->from))) {
            lmoves[nloc] = *mv;
            lidx[nloc++] = i;
            continue;
        }
        r = &rem[nrem++];
        r->idx = i;
        memset(&results[i], 0, sizeof(results[i]));
        results[i].start_s = results[i].end_s =
            (double)bal__now_ns() / 1e9;
        results[i].dirty_Bps = NAN;     /* until its answer says */
        move_what(what, sizeof(what), mv);
        results[i].rc = remote_start(be, name, mv, what, r);
        if (results[i].rc) {
            results[i].end_s = (double)bal__now_ns() / 1e9;
            continue;
        }
        results[i].start_s = r->start_s;
        BAL__INFO(be->ctx, "%s: sent to %s, run there by its xl-balance",
                  what, mv->from);
    }

    if (nloc) {
        rc = bal__migrate_xl(be->ctx, p->xl, &s, lmoves, nloc, lres);
        for (i = 0; i < nloc; i++) {
            if (rc) {
                /* The local part could not start (logged): those VMs
                 * stay; the remote ones are under way regardless. */
                memset(&lres[i], 0, sizeof(lres[i]));
                lres[i].rc = rc;
                lres[i].start_s = lres[i].end_s =
                    (double)bal__now_ns() / 1e9;
            }
            results[lidx[i]] = lres[i];
        }
    }

    for (i = 0; i < nrem; i++) {
        if (rem[i].child.pid <= 0) continue;
        move_what(what, sizeof(what), &moves[rem[i].idx]);
        remote_finish(be->ctx, what, &moves[rem[i].idx], &rem[i],
                      &results[rem[i].idx]);
    }
    rc = 0;

out:
    if (rem)
        for (i = 0; i < nrem; i++) {
            bal__child_dispose(&rem[i].child);
            free(rem[i].argv);
        }
    free(rem);
    free(lmoves);
    free(lres);
    free(lidx);
    return rc;
}
