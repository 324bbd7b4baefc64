/*
 * plan_json.c - plans as files (rebalance.h): the reader for
 * `rebalance --apply', strict about what it uses and naming the file and
 * the JSON path of the first fault; the writer; and the rebalance
 * report, which is a plan file too (every move still has vm, uuid, from,
 * to, wave), so that a dry run's output can be applied as it is.
 *
 * Read with yajl_tree: the file is local and bounded, its nesting is
 * checked before yajl sees it (yajl_tree frees recursively).
 */
#define _GNU_SOURCE             /* strtod_l, newlocale */
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

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

static int fail(rd *r, const char *key, const char *fmt, ...)
    BAL__PRINTF(3, 4);
static int fail(rd *r, const char *key, const char *fmt, ...)
{
    char msg[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (r->where[0] && key)
        BAL__ERR(r->ctx, "%s: %s.%s: %s", r->what, r->where, key, msg);
    else if (r->where[0] || key)
        BAL__ERR(r->ctx, "%s: %s: %s", r->what, r->where[0] ? r->where : key,
                 msg);
    else
        BAL__ERR(r->ctx, "%s: %s", r->what, msg);
    return BAL_EINVAL;
}

/* A string shown in a message: cut, control characters as '?'. */
static const char *shown(const char *s, char *buf, size_t size)
{
    size_t i;

    snprintf(buf, size, "%s", s);
    for (i = 0; buf[i]; i++)
        if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f) buf[i] = '?';
    if (strlen(s) >= size && size > 4) strcpy(buf + size - 4, "...");
    return buf;
}

static const char *type_name(yajl_val v)
{
    if (YAJL_IS_STRING(v)) return "a string";
    if (YAJL_IS_NUMBER(v)) return "a number";
    if (YAJL_IS_OBJECT(v)) return "an object";
    if (YAJL_IS_ARRAY(v)) return "an array";
    if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) return "a boolean";
    return "null";
}

/* The member key of obj; NULL when absent; a key given twice is an
 * error (*rc_r). */
static yajl_val member(rd *r, yajl_val obj, const char *key, int *rc_r)
{
    yajl_val v = NULL;
    size_t i;

    for (i = 0; i < obj->u.object.len; i++) {
        if (strcmp(obj->u.object.keys[i], key)) continue;
        if (v) {
            *rc_r = fail(r, key, "given twice");
            return NULL;
        }
        v = obj->u.object.values[i];
    }
    return v;
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
        return fail(r, key, "expected a string, not %s", type_name(v));
    *s_r = (const char *)v->u.string;
    return 0;
}

static int parse_move(rd *r, yajl_val m, locale_t cloc, bal__plan *plan,
                      double *pred)
{
    const char *vm, *uuid, *from, *to, *reason;
    yajl_val v;
    char b1[80];
    int rc = 0, i;
    long long wave;

    if (!YAJL_IS_OBJECT(m))
        return fail(r, NULL, "expected an object, not %s", type_name(m));
    if ((rc = get_string(r, m, "vm", true, &vm)) ||
        (rc = get_string(r, m, "uuid", true, &uuid)) ||
        (rc = get_string(r, m, "from", true, &from)) ||
        (rc = get_string(r, m, "to", true, &to)) ||
        (rc = get_string(r, m, "reason", false, &reason)))
        return rc;
    if (!bal__json_name_valid(vm, strlen(vm)) || strlen(vm) >= BAL__NAME_MAX)
        return fail(r, "vm", "`%s' is not a VM name (1 to %d bytes of "
                    "UTF-8, no control character)", shown(vm, b1, sizeof(b1)),
                    BAL__NAME_MAX - 1);
    if (!bal__uuid_valid(uuid))
        return fail(r, "uuid", "`%s' is not a UUID (8-4-4-4-12 lower-case "
                    "hex digits)", shown(uuid, b1, sizeof(b1)));
    if (!bal__config_host_valid(from))
        return fail(r, "from", "`%s' is not a host name",
                    shown(from, b1, sizeof(b1)));
    if (!bal__config_host_valid(to))
        return fail(r, "to", "`%s' is not a host name",
                    shown(to, b1, sizeof(b1)));
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
        char *end;
        double d;

        if (!YAJL_IS_NUMBER(v))
            return fail(r, "gain_rate", "expected a number, not %s",
                        type_name(v));
        d = strtod_l(YAJL_GET_NUMBER(v), &end, cloc);
        if (*end || !isfinite(d))
            return fail(r, "gain_rate", "not a finite number");
        *pred = d;
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
    char ebuf[256], *nl, *buf = NULL;
    yajl_val top = NULL, v, moves;
    bal__plan plan;
    double *pred = NULL, *sorted = NULL;
    locale_t cloc = (locale_t)0;
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
    if (len && memchr(text, '\0', len)) {
        rc = fail(&r, NULL, "NUL byte: not a JSON text");
        goto out;
    }
    /* yajl_tree_parse reads up to a NUL: text[0..len) need not have one. */
    buf = malloc(len + 1);
    if (!buf) { rc = BAL_ENOMEM; goto out; }
    if (len) memcpy(buf, text, len);
    buf[len] = '\0';
    text = buf;
    if (bal__json_too_deep(text, len, MAX_DEPTH)) {
        rc = fail(&r, NULL, "nested more than %d deep: not a plan",
                  MAX_DEPTH);
        goto out;
    }
    if (strspn(text, " \t\r\n") == len) {
        rc = fail(&r, NULL, "empty: not a plan");
        goto out;
    }
    top = yajl_tree_parse(text, ebuf, sizeof(ebuf));
    if (!top) {
        /* yajl's message spans lines (the text, a caret): its first. */
        nl = strchr(ebuf, '\n');
        if (nl) *nl = '\0';
        rc = fail(&r, NULL, "not JSON: %s", ebuf);
        goto out;
    }
    if (!YAJL_IS_OBJECT(top)) {
        rc = fail(&r, NULL, "expected an object at the top, not %s",
                  type_name(top));
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
                  type_name(v), BAL__PLAN_VERSION);
        goto out;
    }
    moves = member(&r, top, "moves", &rc);
    if (rc) goto out;
    if (!moves) { rc = fail(&r, "moves", "missing"); goto out; }
    if (!YAJL_IS_ARRAY(moves)) {
        rc = fail(&r, "moves", "expected an array, not %s",
                  type_name(moves));
        goto out;
    }
    if (moves->u.array.len > BAL__PLAN_MAX_MOVES) {
        rc = fail(&r, "moves", "more than %d moves", BAL__PLAN_MAX_MOVES);
        goto out;
    }
    cloc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    pred = calloc(moves->u.array.len + 1, sizeof(*pred));
    sorted = calloc(moves->u.array.len + 1, sizeof(*sorted));
    if (!cloc || !pred || !sorted) { rc = BAL_ENOMEM; goto out; }
    for (i = 0; i < moves->u.array.len; i++) {
        snprintf(r.where, sizeof(r.where), "moves[%zu]", i);
        rc = parse_move(&r, moves->u.array.values[i], cloc, &plan, &pred[i]);
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
    if (cloc) freelocale(cloc);
    yajl_tree_free(top);
    bal__plan_dispose(&plan);
    free(buf);
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

void bal__plan_json_move(yajl_gen g, const bal__plan_move *m, double pred)
{
    bal__jg_key_str(g, "vm", m->mv.vm);
    bal__jg_key_str(g, "uuid", m->mv.uuid);
    bal__jg_key_str(g, "from", m->mv.from);
    bal__jg_key_str(g, "to", m->mv.to);
    bal__jg_key_int(g, "wave", m->wave);
    bal__jg_key_str(g, "reason", m->reason);
    bal__jg_key_num_opt(g, "gain_rate", pred, 4);
}

int bal__plan_json_write(const bal__plan *p, const double *predicted,
                         char **json_r)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    int i, rc;

    if (!g) return BAL_ENOMEM;
    yajl_gen_config(g, yajl_gen_beautify, 1);
    yajl_gen_map_open(g);
    bal__jg_key_int(g, "xl_balance_plan", BAL__PLAN_VERSION);
    bal__jg_str(g, "moves");
    yajl_gen_array_open(g);
    for (i = 0; i < p->n; i++) {
        yajl_gen_map_open(g);
        bal__plan_json_move(g, &p->moves[i], predicted ? predicted[i] : NAN);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
    rc = bal__jg_finish(g, json_r);
    yajl_gen_free(g);
    return rc;
}
