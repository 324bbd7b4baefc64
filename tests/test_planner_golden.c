/*
 * test_planner_golden.c - data-driven planner cases: every
 * tests/planner/NAME.json holds a planner input and, under "expected",
 * what the plan's JSON (bal__pl_result_json) must contain:
 *   - an object lists the keys that must be there and match (others may
 *     be there too);
 *   - an array must have exactly as many entries, each matching in order;
 *   - a number matches within 1e-6 relative; {"min": A, "max": B} matches
 *     a number in [A, B];
 *   - strings, booleans and null match exactly.
 * Or "expected": {"error": "LINE"}: reading or planning must fail with
 * exactly that line logged, either as it stands ("planner: ...") or after
 * "FILE: " (a reading error names the file).
 * One cmocka test per file; $BAL_PLANNER_CASES overrides the directory.
 */
#define _GNU_SOURCE             /* asprintf */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "testutil.h"
#include "planner/planner.h"
#include "planner/planner_json.h"

#define MAX_CASES 256

static const char *cases_dir(void)
{
    const char *d = getenv("BAL_PLANNER_CASES");

    return d ? d : "tests/planner";
}

/* Whether actual matches expected; on a mismatch, *why says where. */
static bool match(yajl_val exp, yajl_val act, char *path, size_t plen,
                  char *why, size_t wlen)
{
    size_t i, n = strlen(path);

    if (YAJL_IS_OBJECT(exp)) {
        const char *mn[] = { "min", NULL }, *mx[] = { "max", NULL };
        yajl_val lo = yajl_tree_get(exp, mn, yajl_t_number);
        yajl_val hi = yajl_tree_get(exp, mx, yajl_t_number);

        if (lo && hi && exp->u.object.len == 2) {
            double x;

            if (!YAJL_IS_NUMBER(act)) {
                snprintf(why, wlen, "%s: not a number", path);
                return false;
            }
            x = YAJL_GET_DOUBLE(act);
            if (x < YAJL_GET_DOUBLE(lo) || x > YAJL_GET_DOUBLE(hi)) {
                snprintf(why, wlen, "%s: %.17g not in [%g, %g]", path, x,
                         YAJL_GET_DOUBLE(lo), YAJL_GET_DOUBLE(hi));
                return false;
            }
            return true;
        }
        if (!YAJL_IS_OBJECT(act)) {
            snprintf(why, wlen, "%s: not an object", path);
            return false;
        }
        for (i = 0; i < exp->u.object.len; i++) {
            const char *k[] = { exp->u.object.keys[i], NULL };
            yajl_val a = yajl_tree_get(act, k, yajl_t_any);

            snprintf(path + n, plen - n, ".%s", k[0]);
            if (!a) {
                snprintf(why, wlen, "%s: missing", path);
                return false;
            }
            if (!match(exp->u.object.values[i], a, path, plen, why, wlen))
                return false;
            path[n] = '\0';
        }
        return true;
    }
    if (YAJL_IS_ARRAY(exp)) {
        if (!YAJL_IS_ARRAY(act) || act->u.array.len != exp->u.array.len) {
            snprintf(why, wlen, "%s: %zu entries expected, %zu there", path,
                     exp->u.array.len,
                     YAJL_IS_ARRAY(act) ? act->u.array.len : (size_t)0);
            return false;
        }
        for (i = 0; i < exp->u.array.len; i++) {
            snprintf(path + n, plen - n, "[%zu]", i);
            if (!match(exp->u.array.values[i], act->u.array.values[i], path,
                       plen, why, wlen))
                return false;
            path[n] = '\0';
        }
        return true;
    }
    if (YAJL_IS_NUMBER(exp)) {
        double e = YAJL_GET_DOUBLE(exp), a;

        if (!YAJL_IS_NUMBER(act)) {
            snprintf(why, wlen, "%s: not a number", path);
            return false;
        }
        a = YAJL_GET_DOUBLE(act);
        if (fabs(a - e) > 1e-6 * fmax(1, fabs(e))) {
            snprintf(why, wlen, "%s: %.17g, expected %.17g", path, a, e);
            return false;
        }
        return true;
    }
    if (YAJL_IS_STRING(exp)) {
        if (!YAJL_IS_STRING(act) || strcmp(act->u.string, exp->u.string)) {
            snprintf(why, wlen, "%s: \"%s\", expected \"%s\"", path,
                     YAJL_IS_STRING(act) ? act->u.string : "(not a string)",
                     exp->u.string);
            return false;
        }
        return true;
    }
    if (exp->type != act->type) {
        snprintf(why, wlen, "%s: wrong kind of value", path);
        return false;
    }
    return true;
}

static void run_case(void **state)
{
    const char *path = *state;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal__pl_input in;
    bal__pl_result r;
    char *text = NULL, *json = NULL, ebuf[256], jpath[512] = "", why[1024];
    size_t len = 0;
    yajl_val top, exp, err, act;
    const char *ep[] = { "expected", NULL }, *rp[] = { "error", NULL };
    int rc;

    bal__pl_input_init(&in);
    bal__pl_result_init(&r);
    assert_int_equal(bal__read_file(ctx, path, 64u << 20, &text, &len), 0);
    top = yajl_tree_parse(text, ebuf, sizeof(ebuf));
    if (!top) fail_msg("%s: not JSON: %s", path, ebuf);
    exp = yajl_tree_get(top, ep, yajl_t_object);
    if (!exp) fail_msg("%s: no \"expected\" object", path);
    err = yajl_tree_get(exp, rp, yajl_t_string);

    rc = bal__pl_input_parse_json(ctx, path, text, len, &in);
    if (!rc) rc = bal__planner_plan(ctx, &in, &r);
    if (err) {
        char withfile[1024];

        if (!rc) fail_msg("%s: planned, expected the error \"%s\"", path,
                          err->u.string);
        assert_int_equal(rc, BAL_EINVAL);
        assert_int_equal(lg.nerrors, 1);
        snprintf(withfile, sizeof(withfile), "%s: %s", path, err->u.string);
        if (strcmp(tu_last(&lg), err->u.string) && strcmp(tu_last(&lg), withfile))
            fail_msg("%s: logged \"%s\", expected \"%s\"", path, tu_last(&lg),
                     err->u.string);
        /* Nothing half-done: the result is as it was. */
        assert_int_equal(r.nmoves, 0);
        assert_null(r.moves);
    } else {
        if (rc) fail_msg("%s: failed: %s", path, tu_last(&lg));
        assert_int_equal(lg.nerrors, 0);
        assert_int_equal(bal__pl_result_json(&r, &in, &json), 0);
        act = yajl_tree_parse(json, ebuf, sizeof(ebuf));
        assert_non_null(act);
        if (!match(exp, act, jpath, sizeof(jpath), why, sizeof(why))) {
            fprintf(stderr, "%s\n", json);
            yajl_tree_free(act);
            fail_msg("%s: %s", path, why);
        }
        yajl_tree_free(act);
    }
    yajl_tree_free(top);
    free(json);
    free(text);
    bal__pl_result_dispose(&r);
    bal__pl_input_dispose(&in);
    bal_ctx_free(ctx);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    struct CMUnitTest tests[MAX_CASES];
    char *paths[MAX_CASES];
    const char *dir = cases_dir();
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0, i, rc;

    if (!d) {
        fprintf(stderr, "%s: cannot open\n", dir);
        return 1;
    }
    while ((e = readdir(d)) && n < MAX_CASES) {
        size_t l = strlen(e->d_name);

        if (l < 6 || strcmp(e->d_name + l - 5, ".json")) continue;
        if (asprintf(&paths[n], "%s/%s", dir, e->d_name) < 0) return 1;
        n++;
    }
    closedir(d);
    qsort(paths, (size_t)n, sizeof(paths[0]), cmp_str);
    for (i = 0; i < n; i++) {
        memset(&tests[i], 0, sizeof(tests[i]));
        tests[i].name = paths[i];
        tests[i].test_func = run_case;
        tests[i].initial_state = paths[i];
    }
    if (n == 0) {
        fprintf(stderr, "%s: no cases\n", dir);
        return 1;
    }
    rc = _cmocka_run_group_tests("planner golden cases", tests, (size_t)n,
                                 NULL, NULL);
    for (i = 0; i < n; i++) free(paths[i]);
    return rc;
}
