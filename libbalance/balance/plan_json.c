/*
 * plan_json.c - plans as files (rebalance.h): the reader for
 * `rebalance --apply', strict about what it uses and naming the file and
 * the JSON path of the first fault; the writer; and the rebalance
 * report, which is a plan file too (every move still has vm, uuid, from,
 * to, wave), so that a dry run's output can be applied as it is.
 *
 * Read as a tree (base/json.h): the file is local and bounded.
 */
#define _GNU_SOURCE             /* qsort_r */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "base/json.h"
#include "base/jsongen.h"
#include "plan_json.h"

#define MAX_DEPTH 32

typedef struct rd {
    bal_ctx *ctx;
    const char *what;
    char where[48];             /* "moves[3]" */
} rd;

/* "WHAT: moves[3].KEY: ...", "WHAT: moves[3]: ...", "WHAT: KEY: ...". */
static int fail(rd *r, const char *key, const char *fmt, ...)
    BAL__PRINTF(3, 4);
static int fail(rd *r, const char *key, const char *fmt, ...)
{
    char where[sizeof(r->where) + 64];
    va_list ap;

    snprintf(where, sizeof(where), "%s%s%s", r->where,
             r->where[0] && key ? "." : "", key ? key : "");
    va_start(ap, fmt);
    bal__json_verror(r->ctx, r->what, where, fmt, ap);
    va_end(ap);
    return BAL_EINVAL;
}

/* The member key of obj; NULL when absent; a key given twice is an
 * error (*rc_r). */
static yajl_val member(rd *r, yajl_val obj, const char *key, int *rc_r)
{
    bool twice;
    yajl_val v = bal__json_member(obj, key, yajl_t_any, &twice);

    if (twice) *rc_r = fail(r, key, "given twice");
    return twice ? NULL : v;
}

static int get_string(rd *r, yajl_val obj, const char *key, bool required,
                      const char **s_r)
{
    int rc = 0;
    yajl_val v = member(r, obj, key, &rc);

    *s_r = NULL;
    if (rc) return rc;
    if (!v) return required ? fail(r, key, "missing") : 0;
    if (!YAJL_IS_STRING(v))
        return fail(r, key, "expected a string, not %s",
                    bal__json_type_name(v->type));
    *s_r = (const char *)v->u.string;
    return 0;
}

static int parse_move(rd *r, yajl_val m, bal__plan *plan, double *pred)
{
    const char *vm, *uuid, *from, *to, *reason;
    yajl_val v;
    char b1[80];
    int rc = 0, i;
    long long wave;

    if (!YAJL_IS_OBJECT(m))
        return fail(r, NULL, "expected an object, not %s",
                    bal__json_type_name(m->type));
    if ((rc = get_string(r, m, "vm", true, &vm)) ||
        (rc = get_string(r, m, "uuid", true, &uuid)) ||
        (rc = get_string(r, m, "from", true, &from)) ||
        (rc = get_string(r, m, "to", true, &to)) ||
        (rc = get_string(r, m, "reason", false, &reason)))
        return rc;
    if (!bal__json_name_valid(vm, strlen(vm)) || strlen(vm) >= BAL__NAME_MAX)
        return fail(r, "vm", "`%s' is not a VM name (1 to %d bytes of "
                    "UTF-8, no control character)",
                    bal__shown(vm, b1, sizeof(b1)), BAL__NAME_MAX - 1);
    if (!bal__uuid_valid(uuid))
        return fail(r, "uuid", "`%s' is not a UUID (8-4-4-4-12 lower-case "
                    "hex digits)", bal__shown(uuid, b1, sizeof(b1)));
    if (!bal__config_host_valid(from))
        return fail(r, "from", "`%s' is not a host name",
                    bal__shown(from, b1, sizeof(b1)));
    if (!bal__config_host_valid(to))
        return fail(r, "to", "`%s' is not a host name",
                    bal__shown(to, b1, sizeof(b1)));
    if (!strcmp(from, to))
        return fail(r, NULL, "from and to are both %s", from);

    v = member(r, m, "wave", &rc);
    if (rc) return rc;
    if (!v) return fail(r, "wave", "missing");
    if (!YAJL_IS_INTEGER(v) || (wave = YAJL_GET_INTEGER(v)) < 0 ||
        wave > BAL__PLAN_MAX_WAVE)
        return fail(r, "wave", "expected a whole number from 0 to %d",
                    BAL__PLAN_MAX_WAVE);

    *pred = NAN;
    v = member(r, m, "gain_rate", &rc);
    if (rc) return rc;
    if (v) {
        if (!YAJL_IS_NUMBER(v))
            return fail(r, "gain_rate", "expected a number, not %s",
                        bal__json_type_name(v->type));
        if (!bal__json_num(v, pred))
            return fail(r, "gain_rate", "not a finite number");
    }

    /* A VM may migrate twice in a plan (doc/planner.md, "the plan's
     * migrations"): its second migration starts where the first ends,
     * in a later wave. */
    for (i = plan->n - 1; i >= 0; i--)
        if (!strcmp(plan->moves[i].mv.uuid, uuid)) break;
    if (i >= 0 && (strcmp(plan->moves[i].mv.to, from) ||
                   plan->moves[i].wave >= wave))
        return fail(r, "uuid", "%s is moved twice (also by the move of %s): "
                    "a second move must start where the first ends, in a "
                    "later wave", uuid, plan->moves[i].mv.vm);
    /* The reason is only shown: kept, but cut to what a move holds (at
     * a character's boundary) and without control characters or bytes
     * that are not UTF-8, which would reach the operator's terminal. */
    {
        char why[sizeof(plan->moves[0].reason)];

        snprintf(why, sizeof(why), "%s", reason ? reason : "");
        bal__json_name_sanitize(why);
        return bal__plan_add(plan, uuid, vm, from, to, (int)wave, why);
    }
}

/* Indices of moves (arg) by wave, then by index: a stable sort. */
static int by_wave(const void *a, const void *b, void *arg)
{
    const bal__plan_move *mv = arg;
    int x = *(const int *)a, y = *(const int *)b;
    int wx = mv[x].wave, wy = mv[y].wave;

    if (wx != wy) return wx < wy ? -1 : 1;
    return x < y ? -1 : x > y;
}

int bal__plan_json_parse(bal_ctx *ctx, const char *what, const char *text,
                         size_t len, bal__plan *out, double **predicted_r)
{
    yajl_val top = NULL, v, moves;
    bal__json_err jerr;
    bal__plan plan;
    double *pred = NULL, *sorted = NULL;
    rd r;
    size_t i;
    int rc = 0, k;

    bal__plan_init(&plan);
    memset(&r, 0, sizeof(r));
    r.ctx = ctx;
    r.what = what;

    if (len > BAL__PLAN_FILE_MAX) {
        rc = fail(&r, NULL, "larger than %u bytes, not a plan",
                  BAL__PLAN_FILE_MAX);
        goto out;
    }
    if (!text && len) { rc = BAL_EINVAL; goto out; }
    if (bal__json_blank(text, len)) {
        rc = fail(&r, NULL, "empty: not a plan");
        goto out;
    }
    rc = bal__json_parse(text, len, MAX_DEPTH, &top, &jerr);
    if (rc) {
        /* This file's older words for two of them. */
        if (jerr.fault == BAL__JSON_NUL)
            fail(&r, NULL, "NUL byte: not a JSON text");
        else if (jerr.fault == BAL__JSON_DEEP)
            fail(&r, NULL, "nested more than %d deep: not a plan", MAX_DEPTH);
        else if (jerr.fault != BAL__JSON_NOMEM)
            fail(&r, NULL, "%s", jerr.msg);
        goto out;
    }
    if (!YAJL_IS_OBJECT(top)) {
        rc = fail(&r, NULL, "expected an object at the top, not %s",
                  bal__json_type_name(top->type));
        goto out;
    }
    v = member(&r, top, "xl_balance_plan", &rc);
    if (rc) goto out;
    if (!v) {
        rc = fail(&r, "xl_balance_plan", "missing: not a plan file");
        goto out;
    }
    if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) != BAL__PLAN_VERSION) {
        rc = fail(&r, "xl_balance_plan", "version %s is not supported "
                  "(expected %d)", YAJL_IS_NUMBER(v) ? YAJL_GET_NUMBER(v) :
                  bal__json_type_name(v->type), BAL__PLAN_VERSION);
        goto out;
    }
    moves = member(&r, top, "moves", &rc);
    if (rc) goto out;
    if (!moves) { rc = fail(&r, "moves", "missing"); goto out; }
    if (!YAJL_IS_ARRAY(moves)) {
        rc = fail(&r, "moves", "expected an array, not %s",
                  bal__json_type_name(moves->type));
        goto out;
    }
    if (moves->u.array.len > BAL__PLAN_MAX_MOVES) {
        rc = fail(&r, "moves", "more than %d moves", BAL__PLAN_MAX_MOVES);
        goto out;
    }
    pred = calloc(moves->u.array.len + 1, sizeof(*pred));
    sorted = calloc(moves->u.array.len + 1, sizeof(*sorted));
    if (!pred || !sorted) { rc = BAL_ENOMEM; goto out; }
    for (i = 0; i < moves->u.array.len; i++) {
        snprintf(r.where, sizeof(r.where), "moves[%zu]", i);
        rc = parse_move(&r, moves->u.array.values[i], &plan, &pred[i]);
        if (rc) goto out;
    }

    /* By wave, keeping the file's order within one. */
    if (plan.n) {
        bal__plan_move *s = calloc((size_t)plan.n, sizeof(*s));
        int *idx = calloc((size_t)plan.n, sizeof(*idx));

        if (!s || !idx) {
            free(s);
            free(idx);
            rc = BAL_ENOMEM;
            goto out;
        }
        for (k = 0; k < plan.n; k++) idx[k] = k;
        qsort_r(idx, (size_t)plan.n, sizeof(*idx), by_wave, plan.moves);
        for (k = 0; k < plan.n; k++) {
            s[k] = plan.moves[idx[k]];
            sorted[k] = pred[idx[k]];
        }
        memcpy(plan.moves, s, (size_t)plan.n * sizeof(*s));
        free(s);
        free(idx);
    }

    *out = plan;
    bal__plan_init(&plan);
    *predicted_r = sorted;
    sorted = NULL;

out:
    yajl_tree_free(top);
    bal__plan_dispose(&plan);
    free(pred);
    free(sorted);
    return rc;
}

int bal__plan_json_load(bal_ctx *ctx, const char *path, bal__plan *out,
                        double **predicted_r)
{
    char *text = NULL;
    size_t len = 0;
    int rc;

    rc = bal__read_file(ctx, path, BAL__PLAN_FILE_MAX, &text, &len);
    if (rc) return rc == BAL_ENOMEM ? rc : BAL_EINVAL;
    rc = bal__plan_json_parse(ctx, path, text, len, out, predicted_r);
    free(text);
    return rc;
}

/* ---- writing ----------------------------------------------------------- */

void bal__plan_json_move(bal__jw *w, const bal__plan_move *m, double pred)
{
    bal__jw_key_move(w, m->mv.vm, m->mv.uuid, m->mv.from, m->mv.to);
    bal__jw_key_int(w, "wave", m->wave);
    bal__jw_key_str(w, "reason", m->reason);
    bal__jw_key_num_opt(w, "gain_rate", pred, 4);
}

int bal__plan_json_write(const bal__plan *p, const double *predicted,
                         char **json_r)
{
    bal__jw *w = NULL;
    int i, rc;

    rc = bal__jw_doc(true, "xl_balance_plan", BAL__PLAN_VERSION, &w);
    if (rc) return rc;
    bal__jw_str(w, "moves");
    bal__jw_array_open(w);
    for (i = 0; i < p->n; i++) {
        bal__jw_map_open(w);
        bal__plan_json_move(w, &p->moves[i], predicted ? predicted[i] : NAN);
        bal__jw_map_close(w);
    }
    bal__jw_array_close(w);
    bal__jw_map_close(w);
    return bal__jw_finish(w, json_r);
}
