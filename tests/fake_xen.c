/*
 * fake_xen.c - see fake_xen.h.  Only what backend_xen.c calls is here, on
 * purpose: a new real Xen call in the adapter must show up as a link error
 * in the seam tests until it is faked (and tested) too.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fake_xen.h"

fx_state fx;

void fx_reset(void)
{
    memset(&fx, 0, sizeof(fx));
}

/* ---- libxenstat ---------------------------------------------------------- */

struct xenstat_handle {
    int unused;
};

xenstat_handle *xenstat_init(void)
{
    xenstat_handle *h;

    fx.init_calls++;
    if (fx.init_fails) return NULL;
    h = calloc(1, sizeof(*h));
    if (h) fx.handles++;
    return h;
}

void xenstat_uninit(xenstat_handle *handle)
{
    if (!handle) return;
    fx.handles--;
    free(handle);
}

xenstat_node *xenstat_get_node(xenstat_handle *handle, unsigned int flags)
{
    xenstat_node *n;

    if (!handle || fx.get_node_fails) return NULL;
    n = malloc(sizeof(*n));
    if (!n) return NULL;
    *n = fx.node;          /* a snapshot, as the real one takes */
    fx.nodes++;
    return n;
}

void xenstat_free_node(xenstat_node *node)
{
    if (!node) return;
    fx.nodes--;
    free(node);
}

xenstat_domain *xenstat_node_domain_by_index(xenstat_node *node,
                                             unsigned index)
{
    return index < node->ndoms ? &node->doms[index] : NULL;
}

unsigned long long xenstat_node_tot_mem(xenstat_node *node)
{
    return node->tot_mem;
}

unsigned long long xenstat_node_free_mem(xenstat_node *node)
{
    return node->free_mem;
}

unsigned int xenstat_node_num_domains(xenstat_node *node)
{
    return node->ndoms;
}

unsigned int xenstat_node_num_cpus(xenstat_node *node)
{
    return node->ncpus;
}

unsigned long long xenstat_node_cpu_hz(xenstat_node *node)
{
    return node->cpu_hz;
}

unsigned xenstat_domain_id(xenstat_domain *d)
{
    return d->domid;
}

char *xenstat_domain_name(xenstat_domain *d)
{
    return (char *)d->name;
}

unsigned long long xenstat_domain_cpu_ns(xenstat_domain *d)
{
    return d->cpu_ns;
}

unsigned int xenstat_domain_num_vcpus(xenstat_domain *d)
{
    return d->vcpus;
}

unsigned long long xenstat_domain_cur_mem(xenstat_domain *d)
{
    return d->cur_mem;
}

unsigned long long xenstat_domain_max_mem(xenstat_domain *d)
{
    return d->max_mem;
}

unsigned int xenstat_domain_dying(xenstat_domain *d)
{
    return d->dying;
}

unsigned int xenstat_domain_num_networks(xenstat_domain *d)
{
    return d->nnets;
}

xenstat_network *xenstat_domain_network(xenstat_domain *d,
                                        unsigned int network)
{
    return network < d->nnets ? &d->nets[network] : NULL;
}

unsigned int xenstat_domain_num_vbds(xenstat_domain *d)
{
    return d->nvbds;
}

xenstat_vbd *xenstat_domain_vbd(xenstat_domain *d, unsigned int vbd)
{
    return vbd < d->nvbds ? &d->vbds[vbd] : NULL;
}

unsigned long long xenstat_network_rbytes(xenstat_network *n)
{
    return n->rbytes;
}

unsigned long long xenstat_network_tbytes(xenstat_network *n)
{
    return n->tbytes;
}

unsigned long long xenstat_vbd_oo_reqs(xenstat_vbd *v)
{
    return v->oo_reqs;
}

unsigned long long xenstat_vbd_rd_reqs(xenstat_vbd *v)
{
    return v->rd_reqs;
}

unsigned long long xenstat_vbd_wr_reqs(xenstat_vbd *v)
{
    return v->wr_reqs;
}

unsigned long long xenstat_vbd_rd_sects(xenstat_vbd *v)
{
    return v->rd_sects;
}

unsigned long long xenstat_vbd_wr_sects(xenstat_vbd *v)
{
    return v->wr_sects;
}

bool xenstat_vbd_error(xenstat_vbd *v)
{
    return v->error;
}

/* ---- libxl --------------------------------------------------------------- */

struct libxl__ctx {
    xentoollog_logger *lg;
};

/* Logs through the caller's logger, as libxl does on its failures. */
static void fx_log(xentoollog_logger *lg, xentoollog_level level,
                   int errnoval, const char *fmt, ...)
{
    va_list ap;

    if (!lg || !lg->vmessage) return;
    va_start(ap, fmt);
    lg->vmessage(lg, level, errnoval, "libxl", fmt, ap);
    va_end(ap);
}

int libxl_ctx_alloc(libxl_ctx **pctx, int version, unsigned flags,
                    xentoollog_logger *lg)
{
    libxl_ctx *c;

    fx.logger = lg;
    if (fx.ctx_alloc_fails || version != LIBXL_VERSION) {
        fx_log(lg, XTL_ERROR, EACCES, "cannot open libxc handle");
        return ERROR_FAIL;
    }
    c = calloc(1, sizeof(*c));
    if (!c) return ERROR_NOMEM;
    c->lg = lg;
    fx.ctxs++;
    *pctx = c;
    return 0;
}

int libxl_ctx_free(libxl_ctx *ctx)
{
    if (!ctx) return 0;
    /* The real one may log while shutting down: its logger must live. */
    fx_log(ctx->lg, XTL_DEBUG, -1, "freeing context");
    fx.ctxs--;
    free(ctx);
    return 0;
}

libxl_dominfo *libxl_list_domain(libxl_ctx *ctx, int *nb_domain_out)
{
    libxl_dominfo *info;
    unsigned i;
    int n = 0;

    if (fx.list_fails) {
        fx_log(ctx->lg, XTL_ERROR, EACCES, "getting domain info list");
        return NULL;
    }
    info = calloc(FX_MAX_DOMS, sizeof(*info));
    if (!info) return NULL;
    for (i = 0; i < fx.node.ndoms; i++) {
        const struct xenstat_domain *d = &fx.node.doms[i];

        if (d->not_in_libxl) continue;
        memcpy(info[n].uuid.uuid, d->uuid, sizeof(d->uuid));
        info[n].domid = d->domid;
        info[n].dying = d->dying;
        info[n].current_memkb = d->cur_mem / 1024;
        n++;
    }
    fx.lists++;
    *nb_domain_out = n;
    return info;
}

void libxl_dominfo_list_free(libxl_dominfo *list, int nb_domain)
{
    if (!list) return;
    fx.lists--;
    free(list);
}

void libxl_domain_sched_params_init(libxl_domain_sched_params *p)
{
    /* As the generated one: every field at its "default" sentinel. */
    memset(p, 0, sizeof(*p));
    p->weight = LIBXL_DOMAIN_SCHED_PARAM_WEIGHT_DEFAULT;
    p->cap = LIBXL_DOMAIN_SCHED_PARAM_CAP_DEFAULT;
    p->period = LIBXL_DOMAIN_SCHED_PARAM_PERIOD_DEFAULT;
    p->budget = LIBXL_DOMAIN_SCHED_PARAM_BUDGET_DEFAULT;
    p->extratime = LIBXL_DOMAIN_SCHED_PARAM_EXTRATIME_DEFAULT;
    p->slice = LIBXL_DOMAIN_SCHED_PARAM_SLICE_DEFAULT;
    p->latency = LIBXL_DOMAIN_SCHED_PARAM_LATENCY_DEFAULT;
    fx.sched_params++;
}

void libxl_domain_sched_params_dispose(libxl_domain_sched_params *p)
{
    memset(p, 0, sizeof(*p));
    fx.sched_params--;
}

int libxl_domain_sched_params_get(libxl_ctx *ctx, uint32_t domid,
                                  libxl_domain_sched_params *params)
{
    unsigned i;

    fx.sched_gets++;
    for (i = 0; i < fx.node.ndoms; i++) {
        const struct xenstat_domain *d = &fx.node.doms[i];

        if (d->domid != domid || d->not_in_libxl) continue;
        if (d->sched_fails) break;
        params->sched = LIBXL_SCHEDULER_CREDIT2;
        if (d->weight) params->weight = d->weight;
        return 0;
    }
    fx_log(ctx->lg, XTL_ERROR, ESRCH, "getting domain sched params");
    return ERROR_FAIL;
}
