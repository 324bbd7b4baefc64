/*
 * obsfile.c - STATE_DIR/observations (obsfile.h): written through the
 * one JSON writer (jsongen.c) and the sample format, read through the
 * one JSON reader (json.c), opened only through state.c.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/config.h"
#include "base/json.h"
#include "base/jsongen.h"
#include "base/state.h"
#include "obsfile.h"

#define MAX_DEPTH 8
#define NRATE 7                 /* the rate fields kept, in file order */

/* The smoothed rates of r in the file's order. */
static double *rate_field(bal__rate *r, int i)
{
    double *f[NRATE] = { &r->cpu, &r->rd_Bps, &r->wr_Bps, &r->rd_iops,
                         &r->wr_iops, &r->net_rx_Bps, &r->net_tx_Bps };

    return f[i];
}

void bal__obs_kept_init(bal__obs_kept *k)
{
    memset(k, 0, sizeof(*k));
    bal__sample_init(&k->last);
}

void bal__obs_kept_dispose(bal__obs_kept *k)
{
    bal__sample_dispose(&k->last);
    free(k->v);
    bal__obs_kept_init(k);
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const bal__obs_entry *)a)->key,
                  ((const bal__obs_entry *)b)->key);
}

const bal__obs_entry *bal__obs_kept_find(const bal__obs_kept *k,
                                         const char *key)
{
    bal__obs_entry probe;

    if (!k->n || strlen(key) >= sizeof(probe.key)) return NULL;
    strcpy(probe.key, key);
    return bsearch(&probe, k->v, (size_t)k->n, sizeof(*k->v), entry_cmp);
}

/* ---- writing --------------------------------------------------------------- */

int bal__obs_format(const bal__observer *o, const bal__sample *last,
                    double wall_s, char **text_r)
{
    char *head = NULL, *sample = NULL, *text = NULL, key[sizeof(
        ((bal__obs_entry *)0)->key)];
    bal__jw *w = NULL;
    int i, j, r, rc;

    *text_r = NULL;
    rc = bal__jw_doc(false, "xl_balance_observations", BAL__OBS_VERSION, &w);
    if (rc) goto out;
    bal__jw_key_real(w, "wall_s", wall_s, false);
    bal__jw_str(w, "vms");
    bal__jw_array_open(w);
    for (i = 0; i < last->nhosts; i++)
        for (j = 0; j < last->hosts[i].ndoms; j++) {
            const bal__track *tr;
            int k;

            bal__track_key(&last->hosts[i], &last->hosts[i].doms[j], key);
            k = bal__uuidmap_get(&o->map, key);
            /* Without a usable rate there is no level to keep: its
             * counters, in the sample, are enough to start from. */
            if (k < 0 || !(tr = o->v[k])->valid || !tr->cls.init) continue;
            bal__jw_map_open(w);
            bal__jw_key_str(w, "key", key);
            bal__jw_key_real(w, "seen_s", tr->cls.seen_s, false);
            bal__jw_key_str(w, "type", bal_load_type_name(tr->cls.type));
            bal__jw_key_str(w, "pending",
                            bal_load_type_name(tr->cls.pending));
            bal__jw_key_int(w, "pending_n", tr->cls.pending_n);
            bal__jw_str(w, "level");
            bal__jw_array_open(w);
            for (r = 0; r < BAL_NRES; r++)
                bal__jw_real(w, tr->cls.level[r], false);
            bal__jw_array_close(w);
            bal__jw_str(w, "rate");
            bal__jw_array_open(w);
            for (r = 0; r < NRATE; r++)
                bal__jw_real(w, *rate_field((bal__rate *)&tr->rate, r),
                             false);
            bal__jw_array_close(w);
            bal__jw_map_close(w);
        }
    bal__jw_array_close(w);
    bal__jw_map_close(w);
    rc = bal__jw_finish(w, &head);
    w = NULL;
    if (rc) goto out;
    rc = bal__json_write_sample(last, &sample);
    if (rc) goto out;
    text = malloc(strlen(head) + strlen(sample) + 3);
    if (!text) { rc = BAL_ENOMEM; goto out; }
    sprintf(text, "%s\n%s\n", head, sample);
    *text_r = text;
    rc = 0;

out:
    free(head);
    free(sample);
    return rc;
}

int bal__obs_save(bal_ctx *ctx, int dirfd, const char *dir,
                  const char *text)
{
    char path[4200];

    snprintf(path, sizeof(path), "%s/%s", dir, BAL__OBS_FILE);
    return bal__state_replace(ctx, dirfd, path, BAL__OBS_FILE, text,
                              strlen(text));
}

/* ---- reading ----------------------------------------------------------------- */

#define WHY(...) (snprintf(why, size, __VA_ARGS__), BAL_EINVAL)

/* n finite numbers of arr, each in [0, max], into out. */
static bool numbers(yajl_val arr, int n, double max, double *out)
{
    int i;

    if (!YAJL_IS_ARRAY(arr) || arr->u.array.len != (size_t)n) return false;
    for (i = 0; i < n; i++)
        if (!bal__json_num(arr->u.array.values[i], &out[i]) ||
            !(out[i] >= 0 && out[i] <= max))
            return false;
    return true;
}

/* A key as bal__track_key makes them: a UUID, or UUID@HOST. */
static bool key_valid(const char *s)
{
    char uuid[BAL__UUID_LEN + 1];

    if (strlen(s) < BAL__UUID_LEN) return false;
    memcpy(uuid, s, BAL__UUID_LEN);
    uuid[BAL__UUID_LEN] = '\0';
    if (!bal__uuid_valid(uuid)) return false;
    return s[BAL__UUID_LEN] == '\0' ||
           (s[BAL__UUID_LEN] == '@' &&
            bal__config_host_valid(s + BAL__UUID_LEN + 1));
}

static int read_entry(yajl_val e, bal__obs_entry *out, char *why,
                      size_t size)
{
    const char *key, *type, *pending;
    double seen, n, rate[NRATE];
    int r;

    memset(out, 0, sizeof(*out));
    bal__class_state_init(&out->cls);
    key = bal__json_str(bal__json_member(e, "key", yajl_t_string, NULL),
                        sizeof(out->key));
    if (!key || !key_valid(key))
        return WHY("expected \"key\": a UUID or UUID@HOST");
    strcpy(out->key, key);
    type = bal__json_str(bal__json_member(e, "type", yajl_t_string, NULL),
                         32);
    pending = bal__json_str(bal__json_member(e, "pending", yajl_t_string,
                                             NULL), 32);
    if (!type || bal__load_type_parse(type, &out->cls.type) ||
        !pending || bal__load_type_parse(pending, &out->cls.pending))
        return WHY("%s: expected \"type\" and \"pending\": load types", key);
    if (!bal__json_num(bal__json_member(e, "seen_s", yajl_t_number, NULL),
                       &seen) || !(seen >= 0 && seen <= 1e9))
        return WHY("%s: expected \"seen_s\": seconds, 0 to 1e9", key);
    if (!bal__json_num(bal__json_member(e, "pending_n", yajl_t_number,
                                        NULL), &n) ||
        !(n >= 0 && n <= 100) || n != floor(n))
        return WHY("%s: expected \"pending_n\": 0 to 100", key);
    if (!numbers(bal__json_member(e, "level", yajl_t_array, NULL), BAL_NRES,
                 1, out->cls.level))
        return WHY("%s: expected \"level\": %d numbers, 0 to 1", key,
                   BAL_NRES);
    if (!numbers(bal__json_member(e, "rate", yajl_t_array, NULL), NRATE,
                 1e15, rate))
        return WHY("%s: expected \"rate\": %d numbers, 0 to 1e15", key,
                   NRATE);
    for (r = 0; r < NRATE; r++) *rate_field(&out->rate, r) = rate[r];
    out->cls.seen_s = seen;
    out->cls.pending_n = (int)n;
    out->cls.init = true;
    out->cls.windowed = true;
    out->cls.weight = 1;
    return 0;
}

/* A sink that keeps the first message (the sample parser's one line). */
static void keep_first(void *opaque, bal_log_level level, const char *msg)
{
    char *buf = opaque;

    (void)level;
    if (!buf[0]) snprintf(buf, 256, "%s", msg);
}

int bal__obs_parse(bal_ctx *ctx, const char *text, size_t len,
                   bal__obs_kept *out, char *why, size_t size)
{
    bal__obs_kept got;
    bal__json_err jerr;
    yajl_val top = NULL, v, vms;
    const char *nl = memchr(text, '\n', len);
    char msg[256] = "";
    bal_ctx quiet = { .log_fn = keep_first, .log_opaque = msg,
                      .log_min = BAL_LOG_ERROR };
    size_t i;
    int rc;

    bal__obs_kept_init(&got);
    if (!nl || len < 2 || text[len - 1] != '\n') {
        rc = WHY("not two whole lines (cut short?)");
        goto out;
    }
    rc = bal__json_parse(text, (size_t)(nl - text), MAX_DEPTH, &top, &jerr);
    if (rc) {
        if (rc != BAL_ENOMEM) rc = WHY("line 1: %s", jerr.msg);
        goto out;
    }
    v = bal__json_member(top, "xl_balance_observations", yajl_t_number,
                         NULL);
    if (!YAJL_IS_OBJECT(top) || !v || !YAJL_IS_INTEGER(v) ||
        YAJL_GET_INTEGER(v) != BAL__OBS_VERSION) {
        rc = WHY("line 1: not observations of version %d "
                 "(\"xl_balance_observations\": %d)", BAL__OBS_VERSION,
                 BAL__OBS_VERSION);
        goto out;
    }
    if (!bal__json_num(bal__json_member(top, "wall_s", yajl_t_number, NULL),
                       &got.wall_s) || !(got.wall_s >= 0 && got.wall_s <= 1e11)) {
        rc = WHY("line 1: expected \"wall_s\": seconds since the epoch");
        goto out;
    }
    vms = bal__json_member(top, "vms", yajl_t_array, NULL);
    if (!vms || vms->u.array.len > (size_t)BAL__JSON_MAX_HOSTS) {
        rc = WHY("line 1: expected \"vms\": an array");
        goto out;
    }
    got.v = calloc(vms->u.array.len + 1, sizeof(*got.v));
    if (!got.v) { rc = BAL_ENOMEM; goto out; }
    for (i = 0; i < vms->u.array.len; i++) {
        char inner[200];

        rc = read_entry(vms->u.array.values[i], &got.v[got.n], inner,
                        sizeof(inner));
        if (rc) {
            rc = WHY("line 1: vms[%zu]: %s", i, inner);
            goto out;
        }
        got.n++;
    }
    qsort(got.v, (size_t)got.n, sizeof(*got.v), entry_cmp);
    for (i = 1; i < (size_t)got.n; i++)
        if (!strcmp(got.v[i].key, got.v[i - 1].key)) {
            rc = WHY("line 1: %s is kept twice", got.v[i].key);
            goto out;
        }
    rc = bal__json_parse_sample(&quiet, "line 2", BAL_EINVAL, nl + 1,
                                len - (size_t)(nl + 1 - text), &got.last);
    if (rc) {
        if (rc != BAL_ENOMEM) rc = WHY("%s", msg[0] ? msg : "line 2: bad");
        goto out;
    }
    bal__obs_kept_dispose(out);
    *out = got;
    bal__obs_kept_init(&got);

out:
    if (rc == BAL_ENOMEM) BAL__ERR(ctx, "observations: out of memory");
    if (top) yajl_tree_free(top);
    bal__obs_kept_dispose(&got);
    return rc;
}

int bal__obs_load(bal_ctx *ctx, const struct bal_config *cfg,
                  bal__obs_kept *out)
{
    const char *dir = bal__config_state_dir(cfg);
    char path[4200], why[320], *text = NULL;
    struct stat st;
    size_t len;
    int dirfd = -1, rc;

    if (!(cfg->classify.window > 0)) return 0;
    /* Read-only verbs create nothing: no directory, nothing kept. */
    if (lstat(dir, &st) && errno == ENOENT) return 0;
    rc = bal__state_dir_open(ctx, dir, &dirfd);
    if (rc) return rc;
    snprintf(path, sizeof(path), "%s/%s", dir, BAL__OBS_FILE);
    rc = bal__state_read_file(ctx, dirfd, path, BAL__OBS_FILE, &text, &len);
    if (rc || !text) goto out;
    rc = bal__obs_parse(ctx, text, len, out, why, sizeof(why));
    if (rc == BAL_EINVAL) {
        /* Never fatal: what is lost is minutes of observation. */
        bal__mask_controls(why);
        BAL__WARN(ctx, "%s: %s; ignored: every VM's type starts afresh",
                  path, why);
        rc = 0;
    }

out:
    free(text);
    close(dirfd);
    return rc;
}
