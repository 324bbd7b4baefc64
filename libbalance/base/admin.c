/*
 * admin.c - the admin's drains and pins in the state directory
 * (admin.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin.h"
#include "config.h"
#include "json.h"
#include "jsongen.h"
#include "state.h"

#define MAX_DEPTH 8
#define MAX_ITEMS 100000        /* far more hosts or VMs than a pool has */

void bal__admin_init(bal__admin *a)
{
    memset(a, 0, sizeof(*a));
}

void bal__admin_dispose(bal__admin *a)
{
    int i;

    for (i = 0; i < a->ndrained; i++) free(a->drained[i]);
    for (i = 0; i < a->npinned; i++) {
        free(a->pinned[i]);
        free(a->pinned_names[i]);
    }
    free(a->drained);
    free(a->pinned);
    free(a->pinned_names);
    bal__admin_init(a);
}

static int find(char *const *v, int n, const char *s)
{
    int i;

    for (i = 0; i < n; i++)
        if (!strcmp(v[i], s)) return i;
    return -1;
}

/* Appends s (and name, when names) to v[0..*n). */
static int push(char ***v, char ***names, int *n, const char *s,
                const char *name)
{
    char **nv = realloc(*v, ((size_t)*n + 1) * sizeof(**v));

    if (!nv) return BAL_ENOMEM;
    *v = nv;
    if (names) {
        char **nn = realloc(*names, ((size_t)*n + 1) * sizeof(**names));

        if (!nn) return BAL_ENOMEM;
        *names = nn;
        nn[*n] = strdup(name ? name : "");
        if (!nn[*n]) return BAL_ENOMEM;
    }
    nv[*n] = strdup(s);
    if (!nv[*n]) {
        if (names) free((*names)[*n]);
        return BAL_ENOMEM;
    }
    (*n)++;
    return 0;
}

/* Removes item i of v[0..*n) (and of names). */
static void drop(char **v, char **names, int *n, int i)
{
    free(v[i]);
    if (names) free(names[i]);
    (*n)--;
    memmove(v + i, v + i + 1, (size_t)(*n - i) * sizeof(*v));
    if (names)
        memmove(names + i, names + i + 1, (size_t)(*n - i) * sizeof(*names));
}

int bal__admin_set_drained(bal__admin *a, const char *host, bool on,
                           bool *changed_r)
{
    int i = find(a->drained, a->ndrained, host);

    *changed_r = on ? i < 0 : i >= 0;
    if (!*changed_r) return 0;
    if (!on) {
        drop(a->drained, NULL, &a->ndrained, i);
        return 0;
    }
    return push(&a->drained, NULL, &a->ndrained, host, NULL);
}

int bal__admin_set_pinned(bal__admin *a, const char *uuid, const char *name,
                          bool on, bool *changed_r)
{
    int i = find(a->pinned, a->npinned, uuid);

    *changed_r = on ? i < 0 : i >= 0;
    if (!*changed_r) return 0;
    if (!on) {
        drop(a->pinned, a->pinned_names, &a->npinned, i);
        return 0;
    }
    return push(&a->pinned, &a->pinned_names, &a->npinned, uuid, name);
}

/* ---- reading ------------------------------------------------------------- */

/* The array key of top, each item checked by one of the two. */
static int read_list(bal_ctx *ctx, const char *path, yajl_val top,
                     const char *key, bal__admin *a)
{
    bool twice = false, pins = !strcmp(key, "pinned");
    yajl_val arr = bal__json_member(top, key, yajl_t_any, &twice);
    char where[64];
    size_t i;
    int rc;

    if (twice) {
        bal__json_error(ctx, path, key, "given twice");
        return BAL_ECONFIG;
    }
    if (!arr) return 0;
    if (!YAJL_IS_ARRAY(arr) || arr->u.array.len > MAX_ITEMS) {
        bal__json_error(ctx, path, key, "expected an array of at most %d",
                        MAX_ITEMS);
        return BAL_ECONFIG;
    }
    for (i = 0; i < arr->u.array.len; i++) {
        yajl_val e = arr->u.array.values[i];
        const char *s, *name = NULL;

        snprintf(where, sizeof(where), "%s[%zu]", key, i);
        if (pins) {
            s = bal__json_str(bal__json_member(e, "uuid", yajl_t_string,
                                               NULL), SIZE_MAX);
            name = bal__json_str(bal__json_member(e, "name", yajl_t_string,
                                                  NULL), BAL__NAME_MAX);
            if (!s || !bal__uuid_valid(s)) {
                bal__json_error(ctx, path, where, "expected {\"uuid\": "
                                "UUID, \"name\": NAME}");
                return BAL_ECONFIG;
            }
            if (find(a->pinned, a->npinned, s) >= 0) continue;
            rc = push(&a->pinned, &a->pinned_names, &a->npinned, s, name);
        } else {
            s = bal__json_str(e, BAL__HOST_MAX);
            if (!s || !bal__config_host_valid(s)) {
                bal__json_error(ctx, path, where, "expected a host name");
                return BAL_ECONFIG;
            }
            if (find(a->drained, a->ndrained, s) >= 0) continue;
            rc = push(&a->drained, NULL, &a->ndrained, s, NULL);
        }
        if (rc) return rc;
    }
    return 0;
}

int bal__admin_read(bal_ctx *ctx, int dirfd, const char *dir, bal__admin *a)
{
    char path[4200], *text = NULL;
    bal__admin got;
    bal__json_err jerr;
    yajl_val top = NULL, v;
    size_t len;
    int rc;

    bal__admin_init(&got);
    snprintf(path, sizeof(path), "%s/%s", dir, BAL__ADMIN_FILE);
    rc = bal__state_read_file(ctx, dirfd, path, BAL__ADMIN_FILE, &text, &len);
    if (rc || !text) goto out;
    rc = bal__json_parse(text, len, MAX_DEPTH, &top, &jerr);
    if (rc) {
        if (rc != BAL_ENOMEM) {
            bal__json_error(ctx, path, NULL, "%s", jerr.msg);
            rc = BAL_ECONFIG;
        }
        goto out;
    }
    v = bal__json_member(top, "xl_balance_admin", yajl_t_number, NULL);
    if (!YAJL_IS_OBJECT(top) || !v || !YAJL_IS_INTEGER(v) ||
        YAJL_GET_INTEGER(v) != BAL__ADMIN_VERSION) {
        bal__json_error(ctx, path, NULL, "not an admin state file of "
                        "version %d (\"xl_balance_admin\": %d)",
                        BAL__ADMIN_VERSION, BAL__ADMIN_VERSION);
        rc = BAL_ECONFIG;
        goto out;
    }
    if ((rc = read_list(ctx, path, top, "drained", &got)) ||
        (rc = read_list(ctx, path, top, "pinned", &got)))
        goto out;
    bal__admin_dispose(a);
    *a = got;
    bal__admin_init(&got);

out:
    if (rc == BAL_ENOMEM) BAL__ERR(ctx, "%s: out of memory", path);
    if (top) yajl_tree_free(top);
    free(text);
    bal__admin_dispose(&got);
    return rc;
}

int bal__admin_load(bal_ctx *ctx, const struct bal_config *cfg,
                    bal__admin *a)
{
    const char *dir = bal__config_state_dir(cfg);
    struct stat st;
    int dirfd = -1, rc;

    /* Status and plan create nothing: a dom0 that never ran rebalance
     * has no state directory, and no admin said anything. */
    if (lstat(dir, &st) && errno == ENOENT) return 0;
    rc = bal__state_dir_open(ctx, dir, &dirfd);
    if (rc) return rc;
    rc = bal__admin_read(ctx, dirfd, dir, a);
    close(dirfd);
    return rc;
}

int bal__admin_write(bal_ctx *ctx, int dirfd, const char *dir,
                     const bal__admin *a)
{
    char path[4200], *json = NULL;
    bal__jw *w = NULL;
    int i, rc;

    snprintf(path, sizeof(path), "%s/%s", dir, BAL__ADMIN_FILE);
    rc = bal__jw_doc(true, "xl_balance_admin", BAL__ADMIN_VERSION, &w);
    if (rc) goto out;
    bal__jw_str(w, "drained");
    bal__jw_array_open(w);
    for (i = 0; i < a->ndrained; i++) bal__jw_str(w, a->drained[i]);
    bal__jw_array_close(w);
    bal__jw_str(w, "pinned");
    bal__jw_array_open(w);
    for (i = 0; i < a->npinned; i++) {
        bal__jw_map_open(w);
        bal__jw_key_str(w, "uuid", a->pinned[i]);
        bal__jw_key_str(w, "name", a->pinned_names[i]);
        bal__jw_map_close(w);
    }
    bal__jw_array_close(w);
    bal__jw_map_close(w);
    rc = bal__jw_finish(w, &json);
    if (rc) goto out;
    rc = bal__state_replace(ctx, dirfd, path, BAL__ADMIN_FILE, json,
                            strlen(json));

out:
    if (rc == BAL_ENOMEM) BAL__ERR(ctx, "%s: out of memory", path);
    free(json);
    return rc;
}
