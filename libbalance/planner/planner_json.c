/*
 * planner_json.c - the planner's input and result as JSON (format in
 * doc/planner.md, "JSON"): what the golden tests hold, and a way to
 * hand a planning problem around whole.  Read as a tree (base/json.h):
 * the input is a local file.  Every key is checked: a typo in a test
 * case is an error, not a silently different case.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "base/json.h"
#include "base/jsongen.h"
#include "base/uuidmap.h"
#include "planner.h"
#include "planner_json.h"

#define MAX_DEPTH 16
/* A string node's text (YAJL_GET_STRING's NULL branch confuses -Wnonnull). */
#define SVAL(v) ((const char *)(v)->u.string)
#define MAX_TEXT (256u << 20)

typedef struct rd {
    bal_ctx *ctx;
    const char *what;
    bal__pl_input *in;
    char where[96];             /* "vms[3] (vm4)" */
} rd;

#define FAIL(r, ...) do { err((r), __VA_ARGS__); return BAL_EINVAL; } while (0)

static void err(rd *r, const char *fmt, ...) BAL__PRINTF(2, 3);
static void err(rd *r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    bal__json_verror(r->ctx, r->what, r->where, fmt, ap);
    va_end(ap);
}


static int keep(rd *r, const char *s, const char **out)
{
    bal__pl_input *in = r->in;
    char *d;

    if (in->nowned == in->capowned) {
        int nc = in->capowned ? in->capowned * 2 : 64;
        char **no = realloc(in->owned, (size_t)nc * sizeof(*no));

        if (!no) FAIL(r, "out of memory");
        in->owned = no;
        in->capowned = nc;
    }
    d = bal__strdup(s);
    if (!d) FAIL(r, "out of memory");
    in->owned[in->nowned++] = d;
    *out = d;
    return 0;
}

/* ---- typed fields ---------------------------------------------------------- */

typedef enum { F_STR, F_NUM, F_NUMMAX, F_INT, F_I64, F_U32, F_U64, F_BOOL,
               F_TYPE, F_HOST } ftype;

typedef struct field {
    const char *key;
    ftype type;
    size_t off;
    bool required;
} field;

typedef struct ctxhosts {
    const bal__uuidmap *hmap;
} ctxhosts;

static int num_of(rd *r, const char *key, yajl_val v, double *d)
{
    if (!YAJL_IS_NUMBER(v)) FAIL(r, "%s: not a number", key);
    if (!bal__json_num(v, d)) FAIL(r, "%s %s: not a finite number", key,
                                   YAJL_GET_NUMBER(v));
    return 0;
}

static int int_of(rd *r, const char *key, yajl_val v, long long lo,
                  long long hi, long long *x)
{
    if (!YAJL_IS_INTEGER(v)) FAIL(r, "%s: not a whole number", key);
    *x = YAJL_GET_INTEGER(v);
    if (*x < lo && lo == 0 && (!strcmp(key, "mem_kb") || !strcmp(key, "free_kb")))
        FAIL(r, "%s %lld: negative memory", key, *x);
    if (*x < lo || *x > hi) FAIL(r, "%s %lld: out of range (%lld to %lld)", key,
                                 *x, lo, hi);
    return 0;
}

static int read_fields(rd *r, yajl_val obj, const field *t, int nt, void *base,
                       const bal__uuidmap *hmap)
{
    uint32_t seen = 0;          /* t's keys met so far */
    size_t i;
    int k;

    if (!YAJL_IS_OBJECT(obj)) FAIL(r, "not an object");
    for (i = 0; i < obj->u.object.len; i++) {
        const char *key = obj->u.object.keys[i];

        for (k = 0; k < nt; k++)
            if (!strcmp(t[k].key, key)) break;
        if (k == nt) FAIL(r, "unknown key `%s'", key);
        /* yajl_tree keeps both, and only the first would count: an
         * edited file's second value would be silently ignored. */
        if (seen & (1u << k)) FAIL(r, "key `%s' given twice", key);
        seen |= 1u << k;
    }
    for (k = 0; k < nt; k++) {
        yajl_val v = bal__json_member(obj, t[k].key, yajl_t_any, NULL);
        char *p = (char *)base + t[k].off;
        double d;
        long long x;

        if (!v) {
            if (t[k].required) FAIL(r, "missing key `%s'", t[k].key);
            continue;
        }
        switch (t[k].type) {
        case F_STR: {
            const char *sv = bal__json_str(v, SIZE_MAX);

            if (!sv) FAIL(r, "%s: not a non-empty string", t[k].key);
            if (keep(r, sv, (const char **)(void *)p)) return BAL_EINVAL;
            break;
        }
        case F_NUMMAX:
            if (YAJL_IS_STRING(v) && !strcmp(SVAL(v), "max")) {
                d = INFINITY;
                memcpy(p, &d, sizeof(d));
                break;
            }
            /* fall through */
        case F_NUM:
            if (num_of(r, t[k].key, v, &d)) return BAL_EINVAL;
            memcpy(p, &d, sizeof(d));
            break;
        case F_INT: {
            int iv;

            if (int_of(r, t[k].key, v, -1000000000LL, 1000000000LL, &x)) return BAL_EINVAL;
            iv = (int)x;
            memcpy(p, &iv, sizeof(iv));
            break;
        }
        case F_I64: {
            int64_t iv;

            if (int_of(r, t[k].key, v, 0, 1LL << 50, &x)) return BAL_EINVAL;
            iv = x;
            memcpy(p, &iv, sizeof(iv));
            break;
        }
        case F_U32: {
            uint32_t iv;

            if (int_of(r, t[k].key, v, 0, 0xffffffffLL, &x)) return BAL_EINVAL;
            iv = (uint32_t)x;
            memcpy(p, &iv, sizeof(iv));
            break;
        }
        case F_U64: {
            uint64_t iv;

            if (int_of(r, t[k].key, v, 0, 1LL << 50, &x)) return BAL_EINVAL;
            iv = (uint64_t)x;
            memcpy(p, &iv, sizeof(iv));
            break;
        }
        case F_BOOL: {
            bool b;

            if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
                FAIL(r, "%s: not true or false", t[k].key);
            b = YAJL_IS_TRUE(v);
            memcpy(p, &b, sizeof(b));
            break;
        }
        case F_TYPE: {
            char names[128];
            bal_load_type ty;

            if (!YAJL_IS_STRING(v)) FAIL(r, "%s: not a string", t[k].key);
            if (bal__load_type_parse(SVAL(v), &ty)) {
                bal__load_type_names(names, sizeof(names));
                FAIL(r, "%s `%s': not %s", t[k].key, SVAL(v), names);
            }
            memcpy(p, &ty, sizeof(ty));
            break;
        }
        case F_HOST: {
            int h;

            if (!YAJL_IS_STRING(v)) FAIL(r, "%s: not a string", t[k].key);
            h = bal__uuidmap_get(hmap, SVAL(v));
            if (h < 0) FAIL(r, "%s `%s' is not a host", t[k].key,
                            SVAL(v));
            memcpy(p, &h, sizeof(h));
            break;
        }
        }
    }
    return 0;
}

#define F(k, t, s, m, req) { k, t, offsetof(s, m), req }

static double net_default_Bps(void)
{
    const bal__config_key *k = bal__config_key_find("net_mbps");

    return k->defval * k->scale;
}

static const field param_fields[] = {
    F("now_s", F_NUM, bal__pl_params, now_s, false),
    F("horizon_s", F_NUM, bal__pl_params, horizon_s, false),
    F("max_moves", F_INT, bal__pl_params, max_moves, false),
    F("max_per_host", F_INT, bal__pl_params, max_per_host, false),
    F("max_per_link", F_INT, bal__pl_params, max_per_link, false),
    F("migcpu", F_NUM, bal__pl_params, migcpu, false),
    F("rtt_ms", F_NUM, bal__pl_params, rtt_ms, false),
    F("stop_bytes", F_NUM, bal__pl_params, stop_bytes, false),
    F("resume_s", F_NUM, bal__pl_params, resume_s, false),
    F("max_rounds", F_INT, bal__pl_params, max_rounds, false),
    F("margin", F_NUM, bal__pl_params, margin, false),
    F("alpha", F_NUM, bal__pl_params, alpha, false),
    F("iocpu", F_NUM, bal__pl_params, iocpu, false),
    F("dom0cpu", F_NUM, bal__pl_params, dom0cpu, false),
    F("reqsize", F_NUM, bal__pl_params, reqsize, false),
    F("pingpong_s", F_NUM, bal__pl_params, pingpong_s, false),
    F("search_k", F_INT, bal__pl_params, search_k, false),
};

static const field host_fields[] = {
    F("name", F_STR, bal__pl_host, name, true),
    F("pcpus", F_U32, bal__pl_host, pcpus, true),
    F("disk_Bps", F_NUM, bal__pl_host, disk_Bps, true),
    F("disk_iops", F_NUM, bal__pl_host, disk_iops, false),
    F("net_Bps", F_NUM, bal__pl_host, net_Bps, false),
    F("free_kb", F_I64, bal__pl_host, free_kb, true),
    F("drained", F_BOOL, bal__pl_host, drained, false),
    F("storage_mask", F_U32, bal__pl_host, storage_mask, false),
    F("must_mask", F_U32, bal__pl_host, must_mask, false),
    F("should_mask", F_U32, bal__pl_host, should_mask, false),
};

static const field vm_fields[] = {
    F("uuid", F_STR, bal__pl_vm, uuid, false),
    F("name", F_STR, bal__pl_vm, name, true),
    F("host", F_HOST, bal__pl_vm, host, true),
    F("type", F_TYPE, bal__pl_vm, type, true),
    F("heavy", F_BOOL, bal__pl_vm, heavy, false),
    F("cpu", F_NUM, bal__pl_vm, cpu, false),
    F("io_Bps", F_NUMMAX, bal__pl_vm, io_Bps, false),
    F("net_Bps", F_NUMMAX, bal__pl_vm, net_Bps, false),
    F("vcpus", F_U32, bal__pl_vm, vcpus, true),
    F("mem_kb", F_U64, bal__pl_vm, mem_kb, true),
    F("dirty_Bps", F_NUM, bal__pl_vm, dirty_Bps, false),
    F("wws_bytes", F_NUMMAX, bal__pl_vm, wws_bytes, false),
    F("remaining_s", F_NUM, bal__pl_vm, remaining_s, false),
    F("pinned", F_BOOL, bal__pl_vm, pinned, false),
    F("anti_group", F_INT, bal__pl_vm, anti_group, false),
    F("storage_mask", F_U32, bal__pl_vm, storage_mask, false),
    F("must_mask", F_U32, bal__pl_vm, must_mask, false),
    F("should_mask", F_U32, bal__pl_vm, should_mask, false),
    F("together_group", F_INT, bal__pl_vm, together_group, false),
    F("cooldown_until_s", F_NUM, bal__pl_vm, cooldown_until_s, false),
    F("trust", F_NUM, bal__pl_vm, trust, false),
};

static const field hist_fields[] = {
    F("uuid", F_STR, bal__pl_history, uuid, true),
    F("from", F_STR, bal__pl_history, from, true),
    F("to", F_STR, bal__pl_history, to, true),
    F("time_s", F_NUM, bal__pl_history, time_s, true),
};

typedef struct link_in {
    int from, to;
    double Bps, rtt_ms;
} link_in;

static const field link_fields[] = {
    F("from", F_HOST, link_in, from, true),
    F("to", F_HOST, link_in, to, true),
    F("Bps", F_NUM, link_in, Bps, false),
    F("rtt_ms", F_NUM, link_in, rtt_ms, false),
};

#define NF(t) ((int)(sizeof(t) / sizeof((t)[0])))

/* read_fields and parse_tree keep the keys met in a 32-bit mask. */
_Static_assert(NF(param_fields) <= 32 && NF(host_fields) <= 32 &&
               NF(vm_fields) <= 32 && NF(hist_fields) <= 32 &&
               NF(link_fields) <= 32, "more fields than a mask holds");

static yajl_val arr(rd *r, yajl_val top, const char *key, bool required,
                    int *err_r)
{
    yajl_val v = bal__json_member(top, key, yajl_t_any, NULL);

    *err_r = 0;
    if (!v) {
        if (required) {
            err(r, "missing key `%s'", key);
            *err_r = BAL_EINVAL;
        }
        return NULL;
    }
    if (!YAJL_IS_ARRAY(v)) {
        err(r, "%s: not an array", key);
        *err_r = BAL_EINVAL;
        return NULL;
    }
    if (v->u.array.len > 10000000) {
        err(r, "%s: more than 10^7 entries", key);
        *err_r = BAL_EINVAL;
        return NULL;
    }
    return v;
}

static int parse_tree(rd *r, yajl_val top, bal__pl_input *in)
{
    static const char *const top_keys[] = { "params", "hosts", "vms", "history",
                                            "links", "expected", "comment" };
    bal__uuidmap hmap;
    yajl_val hosts, vms, hist, links, params;
    uint32_t seen = 0;          /* top_keys met so far */
    size_t i, j;
    int rc = BAL_EINVAL, e;

    bal__uuidmap_init(&hmap);
    if (!YAJL_IS_OBJECT(top)) { err(r, "not a JSON object"); goto out; }
    for (i = 0; i < top->u.object.len; i++) {
        for (j = 0; j < sizeof(top_keys) / sizeof(top_keys[0]); j++)
            if (!strcmp(top->u.object.keys[i], top_keys[j])) break;
        if (j == sizeof(top_keys) / sizeof(top_keys[0])) {
            err(r, "unknown key `%s'", top->u.object.keys[i]);
            goto out;
        }
        if (seen & (1u << j)) {
            err(r, "key `%s' given twice", top->u.object.keys[i]);
            goto out;
        }
        seen |= 1u << j;
    }
    params = bal__json_member(top, "params", yajl_t_any, NULL);
    if (params) {
        snprintf(r->where, sizeof(r->where), "params");
        if (read_fields(r, params, param_fields, NF(param_fields),
                        &in->params, NULL))
            goto out;
        r->where[0] = '\0';
    }

    hosts = arr(r, top, "hosts", true, &e);
    if (e) goto out;
    in->nhosts = (int)hosts->u.array.len;
    in->hosts = calloc((size_t)in->nhosts + 1, sizeof(*in->hosts));
    if (!in->hosts) { err(r, "out of memory"); goto out; }
    for (i = 0; i < hosts->u.array.len; i++) {
        bal__pl_host *h = &in->hosts[i];

        snprintf(r->where, sizeof(r->where), "hosts[%zu]", i);
        /* Unless told, a host's NIC is what the configuration takes a
         * host's to be when it does not report one (net_mbps's default);
         * 0 says it has no limit. */
        h->net_Bps = net_default_Bps();
        if (read_fields(r, hosts->u.array.values[i], host_fields,
                        NF(host_fields), h, NULL))
            goto out;
        if (bal__uuidmap_get(&hmap, h->name) >= 0) {
            err(r, "host `%s' is declared twice", h->name);
            goto out;
        }
        if (bal__uuidmap_put(&hmap, h->name, (int)i)) { err(r, "out of memory"); goto out; }
    }

    vms = arr(r, top, "vms", true, &e);
    if (e) goto out;
    in->nvms = (int)vms->u.array.len;
    in->vms = calloc((size_t)in->nvms + 1, sizeof(*in->vms));
    if (!in->vms) { err(r, "out of memory"); goto out; }
    for (i = 0; i < vms->u.array.len; i++) {
        bal__pl_vm *v = &in->vms[i];
        yajl_val o = vms->u.array.values[i];
        yajl_val nm = bal__json_member(o, "name", yajl_t_string, NULL);

        if (nm) snprintf(r->where, sizeof(r->where), "vms[%zu] (%.60s)", i,
                         SVAL(nm));
        else snprintf(r->where, sizeof(r->where), "vms[%zu]", i);
        v->remaining_s = -1;
        v->anti_group = -1;
        v->trust = 1;
        if (read_fields(r, o, vm_fields, NF(vm_fields), v, &hmap)) goto out;
        /* 0 is "unknown" only to a caller building an input in C. */
        if (!(v->trust > 0 && v->trust <= 1)) {
            err(r, "trust %g: must be more than 0 and at most 1", v->trust);
            goto out;
        }
        if (!v->uuid) v->uuid = v->name;
        /* Unless told, a VM of a type is taken to be heavy in it. */
        if (!bal__json_member(o, "heavy", yajl_t_any, NULL))
            v->heavy = bal__load_types[v->type].uses != 0;
    }

    hist = arr(r, top, "history", false, &e);
    if (e) goto out;
    if (hist) {
        in->nhistory = (int)hist->u.array.len;
        in->history = calloc((size_t)in->nhistory + 1, sizeof(*in->history));
        if (!in->history) { err(r, "out of memory"); goto out; }
        for (i = 0; i < hist->u.array.len; i++) {
            snprintf(r->where, sizeof(r->where), "history[%zu]", i);
            if (read_fields(r, hist->u.array.values[i], hist_fields,
                            NF(hist_fields), &in->history[i], NULL))
                goto out;
        }
    }

    links = arr(r, top, "links", false, &e);
    if (e) goto out;
    if (links) {
        size_t n = links->u.array.len;

        /* Both ways of each; of a pair given again, the last. */
        in->links = calloc(2 * n + 1, sizeof(*in->links));
        if (!in->links) { err(r, "out of memory"); goto out; }
        for (i = 0; i < n; i++) {
            link_in l = { -1, -1, NAN, NAN };
            double bw;

            snprintf(r->where, sizeof(r->where), "links[%zu]", i);
            if (read_fields(r, links->u.array.values[i], link_fields,
                            NF(link_fields), &l, &hmap))
                goto out;
            if (isnan(l.Bps) == isnan(l.rtt_ms)) {
                err(r, "needs one of Bps and rtt_ms");
                goto out;
            }
            bw = isnan(l.Bps) ? bal__pl_link_from_rtt(l.rtt_ms) : l.Bps;
            /* A link carries both ways. */
            in->links[2 * i] = (bal__pl_pair){ .from = l.from, .to = l.to,
                                               .Bps = bw, .seq = (int)i };
            in->links[2 * i + 1] = (bal__pl_pair){ .from = l.to, .to = l.from,
                                                   .Bps = bw, .seq = (int)i };
        }
        in->params.links = in->links;
        in->params.nlinks = bal__pl_pairs_sort(in->links, (int)(2 * n));
    }
    r->where[0] = '\0';
    rc = 0;
out:
    bal__uuidmap_dispose(&hmap);
    return rc;
}

int bal__pl_input_parse_json(bal_ctx *ctx, const char *what, const char *text,
                             size_t len, bal__pl_input *out)
{
    rd r;
    bal__pl_input in;
    bal__json_err jerr;
    yajl_val top = NULL;
    int rc = BAL_EINVAL;

    memset(&r, 0, sizeof(r));
    r.ctx = ctx;
    r.what = what;
    r.in = &in;
    bal__pl_input_init(&in);
    if (len > MAX_TEXT) { err(&r, "larger than 256 MiB"); goto out; }
    rc = bal__json_parse(text, len, MAX_DEPTH, &top, &jerr);
    if (rc) {
        err(&r, "%s", jerr.msg);
        goto out;
    }
    rc = BAL_EINVAL;
    if (parse_tree(&r, top, &in)) goto out;
    *out = in;
    bal__pl_input_init(&in);
    rc = 0;
out:
    yajl_tree_free(top);
    bal__pl_input_dispose(&in);
    return rc;
}

/* ---- writer ---------------------------------------------------------------- */

int bal__pl_result_json(const bal__pl_result *r, const bal__pl_input *in,
                        char **json_r)
{
    bal__jw *w = NULL;
    int i, rc;

    rc = bal__jw_doc(true, NULL, 0, &w);
    if (rc) return rc;
    bal__jw_str(w, "moves");
    bal__jw_array_open(w);
    for (i = 0; i < r->nmoves; i++) {
        const bal__pl_move *m = &r->moves[i];

        bal__jw_map_open(w);
        bal__jw_key_str(w, "vm", in->vms[m->vm].name);
        bal__jw_key_str(w, "uuid", in->vms[m->vm].uuid);
        bal__jw_key_str(w, "type", bal_load_type_name(in->vms[m->vm].type));
        bal__jw_key_str(w, "from", in->hosts[m->from].name);
        bal__jw_key_str(w, "to", in->hosts[m->to].name);
        bal__jw_key_int(w, "wave", m->wave);
        bal__jw_key_int(w, "unit", m->unit);
        bal__jw_key_bool(w, "evacuation", m->evacuation);
        bal__jw_key_real(w, "gain", m->gain, false);
        bal__jw_key_real(w, "gain_rate", m->gain_rate, false);
        bal__jw_key_real(w, "loss", m->loss, false);
        bal__jw_key_real(w, "migration_s", m->mig_s, false);
        bal__jw_key_real(w, "wave_migration_s", m->wave_mig_s, false);
        bal__jw_key_real(w, "downtime_s", m->downtime_s, false);
        bal__jw_key_real(w, "bytes", m->bytes, false);
        bal__jw_key_int(w, "rounds", m->rounds);
        bal__jw_key_real(w, "break_even_s", m->break_even_s, false);
        bal__jw_key_str(w, "reason", m->reason);
        bal__jw_map_close(w);
    }
    bal__jw_array_close(w);

    bal__jw_str(w, "waves");
    bal__jw_array_open(w);
    for (i = 0; i < r->nwaves; i++) {
        int j, n = 0;

        for (j = 0; j < r->nmoves; j++) n += r->moves[j].wave == i;
        bal__jw_map_open(w);
        bal__jw_key_int(w, "wave", i);
        bal__jw_key_int(w, "moves", n);
        bal__jw_key_real(w, "duration_s", r->wave_s[i], false);
        bal__jw_map_close(w);
    }
    bal__jw_array_close(w);
    bal__jw_key_real(w, "duration_s", r->total_s, false);

    bal__jw_str(w, "rejected");
    bal__jw_array_open(w);
    for (i = 0; i < r->nrejects; i++) {
        const bal__pl_reject *j = &r->rejects[i];

        bal__jw_map_open(w);
        bal__jw_key_str(w, "vm", in->vms[j->vm].name);
        bal__jw_key_str(w, "reason", bal__pl_why_name(j->why));
        bal__jw_key_str(w, "to", j->to >= 0 ? in->hosts[j->to].name : NULL);
        bal__jw_key_str(w, "partner",
                        j->partner >= 0 ? in->vms[j->partner].name : NULL);
        bal__jw_key_real(w, "gain", j->gain, false);
        bal__jw_key_real(w, "gain_rate", j->gain_rate, false);
        bal__jw_key_real(w, "loss", j->loss, false);
        bal__jw_key_real(w, "migration_s", j->mig_s, false);
        bal__jw_key_real(w, "break_even_s", j->break_even_s, false);
        bal__jw_key_str(w, "detail", j->detail);
        bal__jw_map_close(w);
    }
    bal__jw_array_close(w);

    bal__jw_str(w, "objective");
    bal__jw_map_open(w);
    bal__jw_key_real(w, "before", r->objective_before, false);
    bal__jw_key_real(w, "after", r->objective_after, false);
    bal__jw_map_close(w);
    bal__jw_str(w, "utility");
    bal__jw_map_open(w);
    bal__jw_key_real(w, "before", r->utility_before, false);
    bal__jw_key_real(w, "after", r->utility_after, false);
    bal__jw_key_real(w, "floor", r->floor, false);
    bal__jw_key_real(w, "plain_floor", r->pfloor, false);
    bal__jw_map_close(w);
    bal__jw_str(w, "collisions");
    bal__jw_map_open(w);
    bal__jw_key_int(w, "before", r->collisions_before);
    bal__jw_key_int(w, "after", r->collisions_after);
    bal__jw_map_close(w);
    bal__jw_key_int(w, "stranded", r->stranded);
    bal__jw_map_close(w);

    return bal__jw_finish(w, json_r);
}
