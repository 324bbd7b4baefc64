/*
 * migrate_json.c - see migrate_json.h.  Written with the one JSON writer
 * (jsongen.h), read with the one reader (json.h) as a tree: an answer is
 * one small object of scalars (its size bounded by the caller, its
 * nesting checked before yajl sees it), so the tree costs nothing and
 * lets the reader look at the keys as a whole: which ones belong to the
 * outcome, none twice.
 *
 * One check (answer_check) serves both sides: what the writer would
 * write, the reader accepts, and nothing else.
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "json.h"
#include "jsongen.h"
#include "migrate_json.h"

#define MAX_DEPTH 2             /* the object, and a stray array in it */
#define DURATION_MAX 1e7        /* seconds: four months */
#define ROUNDS_MAX 1000000
#define DIRTY_MAX 1e15          /* bytes/s */
#define ERROR_MAX 1024          /* bytes of the failure's text */

/* The outcomes a key belongs to. */
#define IN_DONE 1u
#define IN_FAILED 2u            /* "failed" and "undefined" */
#define IN_ALL (IN_DONE | IN_FAILED)

typedef enum {
    K_VERSION, K_OUTCOME, K_RC, K_ERROR, K_VM, K_UUID, K_FROM, K_TO,
    K_DURATION, K_ROUNDS, K_DOWNTIME, K_BYTES, K_MEM, K_DIRTY, K_PRED,
    K_PROUNDS, K_LEARNED, NKEYS
} key_id;

/* In the order they are written; `since': the first version with it (0:
 * every version). */
static const struct {
    const char *name;
    unsigned in;
    int since;
} keys[NKEYS] = {
    [K_VERSION] = { "xl_balance_migrate", IN_ALL },
    [K_OUTCOME] = { "outcome", IN_ALL },
    [K_RC] = { "rc", IN_ALL },
    [K_ERROR] = { "error", IN_FAILED },
    [K_VM] = { "vm", IN_DONE },
    [K_UUID] = { "uuid", IN_DONE },
    [K_FROM] = { "from", IN_DONE },
    [K_TO] = { "to", IN_DONE },
    [K_DURATION] = { "duration_s", IN_DONE },
    [K_ROUNDS] = { "rounds", IN_DONE },
    [K_DOWNTIME] = { "downtime_s", IN_DONE },
    [K_BYTES] = { "bytes", IN_DONE },
    [K_MEM] = { "mem_kb", IN_DONE },
    [K_DIRTY] = { "dirty_Bps", IN_DONE },
    [K_PRED] = { "predicted_s", IN_DONE, 2 },
    [K_PROUNDS] = { "predicted_rounds", IN_DONE, 2 },
    [K_LEARNED] = { "learned", IN_DONE, 2 },
};

/* A BAL_E* this library knows (bal_strerror's default is one literal). */
static bool known_rc(int rc)
{
    return rc < 0 && bal_strerror(rc) != bal_strerror(INT_MIN);
}

static const char *outcome_name(int rc)
{
    return !rc ? "done" : rc == BAL_EUNDEFINED ? "undefined" : "failed";
}

static bool name_ok(const char *s, size_t size)
{
    size_t n = strnlen(s, size);

    return n > 0 && n < size && bal__json_name_valid(s, n);
}

/* What both sides hold an answer to. */
static int answer_check(const bal__migrate_answer *a, char *why,
                        size_t size)
{
    if (a->rc && !known_rc(a->rc)) {
        bal__sfmt(why, size, "rc %d is no error code", a->rc);
        return BAL_EINVAL;
    }
    if (a->rc) return 0;
    if (!name_ok(a->vm, sizeof(a->vm)) || !name_ok(a->from, sizeof(a->from))
        || !name_ok(a->to, sizeof(a->to))) {
        bal__sfmt(why, size, "vm, from or to is not a name of printable UTF-8 "
            "that fits");
        return BAL_EINVAL;
    }
    if (!bal__uuid_valid(a->uuid)) {
        bal__sfmt(why, size, "uuid `%.40s' is not a UUID", a->uuid);
        return BAL_EINVAL;
    }
    if (!(a->duration_s >= 0 && a->duration_s <= DURATION_MAX)) {
        bal__sfmt(why, size, "duration_s %g is out of range (0 to %g)",
            a->duration_s, DURATION_MAX);
        return BAL_EINVAL;
    }
    if (!(a->downtime_s >= 0 && a->downtime_s <= a->duration_s)) {
        bal__sfmt(why, size, "downtime_s %g is out of range (0 to duration_s)",
            a->downtime_s);
        return BAL_EINVAL;
    }
    if (a->rounds < 0 || a->rounds > ROUNDS_MAX) {
        bal__sfmt(why, size, "rounds %d is out of range (0 to %d)", a->rounds,
            ROUNDS_MAX);
        return BAL_EINVAL;
    }
    if (a->bytes > (uint64_t)LLONG_MAX || a->mem_kb > (uint64_t)LLONG_MAX) {
        bal__sfmt(why, size, "bytes or mem_kb is out of range");
        return BAL_EINVAL;
    }
    if (!isnan(a->predicted_s) &&
        !(a->predicted_s >= 0 && a->predicted_s <= DURATION_MAX)) {
        bal__sfmt(why, size, "predicted_s %g is out of range (0 to %g, or "
            "null)", a->predicted_s, DURATION_MAX);
        return BAL_EINVAL;
    }
    if (a->predicted_rounds < 0 || a->predicted_rounds > ROUNDS_MAX) {
        bal__sfmt(why, size, "predicted_rounds %d is out of range (0 to %d)",
            a->predicted_rounds, ROUNDS_MAX);
        return BAL_EINVAL;
    }
    if (!isnan(a->dirty_Bps) &&
        !(a->dirty_Bps >= 0 && a->dirty_Bps <= DIRTY_MAX)) {
        bal__sfmt(why, size, "dirty_Bps %g is out of range (0 to %g, or null)",
            a->dirty_Bps, DIRTY_MAX);
        return BAL_EINVAL;
    }
    return 0;
}

/* ---- writing ------------------------------------------------------------ */

int bal__migrate_json_write(const bal__migrate_answer *a, char **json_r)
{
    char why[256];
    bal__jw *w = NULL;
    int rc;

    if (!a || !json_r) return BAL_EINVAL;
    /* A name that is not printable UTF-8 fails the whole answer, not its
     * reader. */
    rc = answer_check(a, why, sizeof(why));
    if (rc) return rc;
    rc = bal__jw_doc(false, keys[K_VERSION].name, BAL__MIGRATE_JSON_VERSION,
                     &w);
    if (rc) return rc;
    bal__jw_key_str(w, keys[K_OUTCOME].name, outcome_name(a->rc));
    bal__jw_key_int(w, keys[K_RC].name, a->rc);
    if (a->rc) {
        bal__jw_key_str(w, keys[K_ERROR].name, bal_strerror(a->rc));
    } else {
        bal__jw_key_str(w, keys[K_VM].name, a->vm);
        bal__jw_key_str(w, keys[K_UUID].name, a->uuid);
        bal__jw_key_str(w, keys[K_FROM].name, a->from);
        bal__jw_key_str(w, keys[K_TO].name, a->to);
        /* The same decimals for both: downtime <= duration survives. */
        bal__jw_key_num(w, keys[K_DURATION].name, a->duration_s, 6);
        bal__jw_key_int(w, keys[K_ROUNDS].name, a->rounds);
        bal__jw_key_num(w, keys[K_DOWNTIME].name, a->downtime_s, 6);
        bal__jw_key_int(w, keys[K_BYTES].name, (long long)a->bytes);
        bal__jw_key_int(w, keys[K_MEM].name, (long long)a->mem_kb);
        bal__jw_key_num(w, keys[K_DIRTY].name, a->dirty_Bps, 0);
        bal__jw_key_num(w, keys[K_PRED].name, a->predicted_s, 3);
        bal__jw_key_int(w, keys[K_PROUNDS].name, a->predicted_rounds);
        bal__jw_key_bool(w, keys[K_LEARNED].name, a->learned);
    }
    bal__jw_map_close(w);
    return bal__jw_finish(w, json_r);
}

/* ---- reading ------------------------------------------------------------ */

typedef struct rd {
    char *why;
    size_t size;
} rd;

static int bad(rd *r, const char *fmt, ...) BAL__PRINTF(2, 3);

static int bad(rd *r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(r->why, r->size, fmt, ap);
    va_end(ap);
    bal__json_name_sanitize(r->why);
    return BAL_EPEER;
}

static int get_str(rd *r, key_id k, yajl_val v, char *out, size_t size)
{
    const char *s = YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;

    if (!s || !*s || strlen(s) >= size)
        return bad(r, "%s: not a string of 1 to %zu bytes", keys[k].name,
                   size - 1);
    memcpy(out, s, strlen(s) + 1);
    return 0;
}

static int get_num(rd *r, key_id k, yajl_val v, double *d_r)
{
    if (!YAJL_IS_NUMBER(v)) return bad(r, "%s: not a number", keys[k].name);
    if (!bal__json_num(v, d_r))
        return bad(r, "%s: not a finite number", keys[k].name);
    return 0;
}

static int get_int(rd *r, key_id k, yajl_val v, long long lo, long long hi,
                   long long *x_r)
{
    if (!YAJL_IS_INTEGER(v))
        return bad(r, "%s: not a whole number of at most 19 digits",
                   keys[k].name);
    *x_r = YAJL_GET_INTEGER(v);
    if (*x_r < lo || *x_r > hi)
        return bad(r, "%s %lld: out of range (%lld to %lld)", keys[k].name,
                   *x_r, lo, hi);
    return 0;
}

/* The values of a "done" answer into a. */
static int read_done(rd *r, yajl_val *v, int version,
                     bal__migrate_answer *a)
{
    long long x;

    if (get_str(r, K_VM, v[K_VM], a->vm, sizeof(a->vm)) ||
        get_str(r, K_UUID, v[K_UUID], a->uuid, sizeof(a->uuid)) ||
        get_str(r, K_FROM, v[K_FROM], a->from, sizeof(a->from)) ||
        get_str(r, K_TO, v[K_TO], a->to, sizeof(a->to)) ||
        get_num(r, K_DURATION, v[K_DURATION], &a->duration_s) ||
        get_num(r, K_DOWNTIME, v[K_DOWNTIME], &a->downtime_s))
        return BAL_EPEER;
    if (get_int(r, K_ROUNDS, v[K_ROUNDS], 0, ROUNDS_MAX, &x))
        return BAL_EPEER;
    a->rounds = (int)x;
    if (get_int(r, K_BYTES, v[K_BYTES], 0, LLONG_MAX, &x)) return BAL_EPEER;
    a->bytes = (uint64_t)x;
    if (get_int(r, K_MEM, v[K_MEM], 0, LLONG_MAX, &x)) return BAL_EPEER;
    a->mem_kb = (uint64_t)x;
    a->dirty_Bps = NAN;
    if (!YAJL_IS_NULL(v[K_DIRTY]) &&
        get_num(r, K_DIRTY, v[K_DIRTY], &a->dirty_Bps))
        return BAL_EPEER;
    /* Version 1 predicted nothing. */
    a->predicted_s = NAN;
    if (version < 2) return 0;
    if (!YAJL_IS_NULL(v[K_PRED]) &&
        get_num(r, K_PRED, v[K_PRED], &a->predicted_s))
        return BAL_EPEER;
    if (get_int(r, K_PROUNDS, v[K_PROUNDS], 0, ROUNDS_MAX, &x))
        return BAL_EPEER;
    a->predicted_rounds = (int)x;
    if (!YAJL_IS_TRUE(v[K_LEARNED]) && !YAJL_IS_FALSE(v[K_LEARNED]))
        return bad(r, "%s: not true or false", keys[K_LEARNED].name);
    a->learned = YAJL_IS_TRUE(v[K_LEARNED]);
    return 0;
}

static int read_answer(rd *r, yajl_val top, bal__migrate_answer *a)
{
    yajl_val v[NKEYS] = { NULL };
    const char *outcome;
    unsigned in;
    long long x;
    size_t i;
    int k, version;

    if (!YAJL_IS_OBJECT(top)) return bad(r, "not a JSON object");
    for (i = 0; i < top->u.object.len; i++) {
        const char *key = top->u.object.keys[i];

        for (k = 0; k < NKEYS && strcmp(keys[k].name, key); k++)
            ;
        if (k == NKEYS) return bad(r, "unknown key `%.40s'", key);
        /* yajl_tree keeps both, and only the first would be seen. */
        if (v[k]) return bad(r, "key `%s' given twice", key);
        v[k] = top->u.object.values[i];
    }

    if (!v[K_VERSION]) return bad(r, "missing key `%s'", keys[K_VERSION].name);
    /* Version 1 (xl-balance before predictions) is still read: a
     * cluster upgraded one host at a time. */
    if (!YAJL_IS_INTEGER(v[K_VERSION]) ||
        YAJL_GET_INTEGER(v[K_VERSION]) < 1 ||
        YAJL_GET_INTEGER(v[K_VERSION]) > BAL__MIGRATE_JSON_VERSION)
        return bad(r, "%s: not version 1 to %d", keys[K_VERSION].name,
                   BAL__MIGRATE_JSON_VERSION);
    version = (int)YAJL_GET_INTEGER(v[K_VERSION]);
    if (!v[K_OUTCOME]) return bad(r, "missing key `%s'", keys[K_OUTCOME].name);
    outcome = YAJL_IS_STRING(v[K_OUTCOME]) ? YAJL_GET_STRING(v[K_OUTCOME])
                                           : "";
    if (!strcmp(outcome, "done")) {
        in = IN_DONE;
    } else if (!strcmp(outcome, "failed") || !strcmp(outcome, "undefined")) {
        in = IN_FAILED;
    } else {
        return bad(r, "outcome `%.40s': not done, failed or undefined",
                   outcome);
    }
    for (k = 0; k < NKEYS; k++) {
        if (v[k] && keys[k].since > version)
            return bad(r, "key `%s' in a version %d answer", keys[k].name,
                       version);
        if (v[k] && !(keys[k].in & in))
            return bad(r, "key `%s' in a `%s' answer", keys[k].name,
                       outcome);
        if (!v[k] && (keys[k].in & in) && keys[k].since <= version)
            return bad(r, "missing key `%s'", keys[k].name);
    }

    if (get_int(r, K_RC, v[K_RC], INT_MIN, 0, &x)) return BAL_EPEER;
    a->rc = (int)x;
    if (strcmp(outcome_name(a->rc), outcome) || (a->rc && !known_rc(a->rc)))
        return bad(r, "rc %d does not go with outcome `%s'", a->rc,
                   outcome);
    if (a->rc) {
        yajl_val ev = v[K_ERROR];
        const char *e = YAJL_IS_STRING(ev) ? YAJL_GET_STRING(ev) : NULL;

        if (!e || !*e || strlen(e) > ERROR_MAX ||
            !bal__json_name_valid(e, strlen(e)))
            return bad(r, "error: not a line of 1 to %d bytes of printable "
                       "UTF-8", ERROR_MAX);
        return 0;
    }
    return read_done(r, v, version, a);
}

int bal__migrate_json_parse(const char *text, size_t len,
                            bal__migrate_answer *a, char *why, size_t size)
{
    rd r = { why, size };
    yajl_val top = NULL;
    bal__json_err err;
    int rc;

    memset(a, 0, sizeof(*a));
    if (!text || bal__json_blank(text, len)) {
        rc = bad(&r, "empty answer");
        goto out;
    }
    rc = bal__json_parse(text, len, MAX_DEPTH, &top, &err);
    if (rc) {
        if (err.fault == BAL__JSON_NUL) rc = bad(&r, "a NUL byte in the answer");
        else if (err.fault == BAL__JSON_NOMEM) snprintf(why, size, "out of memory");
        else rc = bad(&r, "%s", err.msg);
        goto out;
    }
    rc = read_answer(&r, top, a);
    if (rc) goto out;
    if (answer_check(a, why, size)) {
        /* why may quote the other host's bytes: no control character,
         * valid UTF-8 (a cut one included) into our log. */
        bal__json_name_sanitize(why);
        rc = BAL_EPEER;
        goto out;
    }
    rc = 0;

out:
    if (rc) memset(a, 0, sizeof(*a));
    if (top) yajl_tree_free(top);
    return rc;
}
