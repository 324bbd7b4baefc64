/*
 * backend_xen.c - the "xen" backend: this dom0's counters from libxenstat,
 * every VM's UUID from libxl, and the other dom0s' samples over the
 * configured transport (peer.c); moves from other dom0s run there
 * (remote.c).
 *
 * One of the two files of the library that include Xen headers: everything
 * Xen-specific stays here, the rest of the library sees bal__sample.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <xenstat.h>
#include <xentoollog.h>
#include <libxl.h>
#include <libxl_utils.h>

#include "backend.h"
#include "base/config.h"
#include "base/json.h"
#include "migrate/migrate_xl.h"
#include "peer.h"
#include "remote.h"

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
    .wait = bal__backend_sleep,
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
 * A live migration is sent from the dom0 the VM runs on: moves from this
 * host go through migrate_xl.c, moves from another dom0 are run there
 * (remote.c).  The transport is the peers' (bal__config_transport); the
 * receiver is xl migrate-receive, see migrate_xl.h.  Remote moves are
 * started first, the local ones run (in parallel, by migrate_xl.c), then
 * the remote ones are collected: the whole wave runs at once. */
static int xen_migrate(bal_backend *be, const bal__move *moves, int n,
                       bal__move_result *results)
{
    xen_priv *p = be->priv;
    char name[BAL__HOST_MAX];
    bal__mig_setup s;
    bal__remote_wave w;
    bal__move *lmoves = NULL;
    bal__move_result *lres = NULL;
    int *lidx = NULL;
    int i, nloc = 0, rc;

    memset(&w, 0, sizeof(w));
    rc = local_name(be->ctx, be->cfg, name, sizeof(name));
    if (rc) return rc;
    memset(&s, 0, sizeof(s));
    s.local_host = name;
    s.transport = be->cfg->transport;
    s.ntransport = be->cfg->ntransport;

    if (n <= 0 || !moves || !results)
        return bal__migrate_xl(be->ctx, p->xl, &s, moves, n, results);
    for (i = 0; i < n; i++)
        if (strncmp(moves[i].from, name, sizeof(moves[i].from))) break;
    if (i == n)
        return bal__migrate_xl(be->ctx, p->xl, &s, moves, n, results);

    lmoves = calloc((size_t)n, sizeof(*lmoves));
    lres = calloc((size_t)n, sizeof(*lres));
    lidx = calloc((size_t)n, sizeof(*lidx));
    if (!lmoves || !lres || !lidx) {
        BAL__ERR(be->ctx, "migrate: out of memory; nothing done");
        rc = BAL_ENOMEM;
        goto out;
    }
    /* Remote moves first: they run while the local ones do. */
    rc = bal__remote_wave_start(be, name, moves, n, results, &w);
    if (rc) goto out;
    for (i = 0; i < n; i++) {
        if (strncmp(moves[i].from, name, sizeof(moves[i].from))) continue;
        lmoves[nloc] = moves[i];
        lidx[nloc++] = i;
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

    bal__remote_wave_finish(be, moves, results, &w);
    rc = 0;

out:
    bal__remote_wave_dispose(&w);
    free(lmoves);
    free(lres);
    free(lidx);
    return rc;
}
