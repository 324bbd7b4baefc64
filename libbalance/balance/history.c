/*
 * history.c - the migration history (history.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/json.h"
#include "base/jsongen.h"
#include "base/loadtype.h"
#include "base/state.h"
#include "history.h"
#include "planner/planner.h"

/* How far ahead of this host's clock a record's date may be (the skew
 * between dom0s' clocks) before it is taken as made now. */
#define FUTURE_SLACK_S 60
/* Nesting a record line may have: a record is one flat object. */
#define MAX_DEPTH 16

/* ---- the history -------------------------------------------------------- */

/* h's rates, indexed by bal_resource. */
static void hist_rates(const bal__hist *h, double *before, double *after)
{
    before[BAL_RES_CPU] = h->cpu_pct_before;
    before[BAL_RES_IO] = h->disk_Bps_before;
    before[BAL_RES_NET] = h->net_Bps_before;
    after[BAL_RES_CPU] = h->cpu_pct_after;
    after[BAL_RES_IO] = h->disk_Bps_after;
    after[BAL_RES_NET] = h->net_Bps_after;
}

/* Each resource's rate keys, as bal__hist_rates_json writes them. */
static const struct {
    const char *before, *after;
    int decimals;
} rate_keys[BAL_NRES] = {
    [BAL_RES_CPU] = { "cpu_pct_before", "cpu_pct_after", 2 },
    [BAL_RES_IO] = { "disk_Bps_before", "disk_Bps_after", 0 },
    [BAL_RES_NET] = { "net_Bps_before", "net_Bps_after", 0 },
};

void bal__hist_rates_json(bal__jw *w, const double *before,
                          const double *after, double gain)
{
    int r;

    for (r = 0; r < BAL_NRES; r++) {
        bal__jw_key_num_opt(w, rate_keys[r].before, before[r],
                            rate_keys[r].decimals);
        bal__jw_key_num_opt(w, rate_keys[r].after, after[r],
                            rate_keys[r].decimals);
    }
    bal__jw_key_num_opt(w, "gain", gain, 4);
}

/* One record as a line of JSON (newline included); *line_r malloc'd.  A
 * number not known (not finite) is left out, key and all. */
static int hist_line(const bal__hist *h, char **line_r, size_t *len_r)
{
    bal__jw *w = NULL;
    char *json = NULL, *line;
    double before[BAL_NRES], after[BAL_NRES];
    size_t len;
    int rc;

    rc = bal__jw_doc(false, NULL, 0, &w);
    if (rc) return rc;
    bal__jw_key_num_opt(w, "time", h->time, 3);
    bal__jw_key_str(w, "uuid", h->uuid);
    bal__jw_key_str(w, "vm", h->vm);
    bal__jw_key_str(w, "from", h->from);
    bal__jw_key_str(w, "to", h->to);
    bal__jw_key_str(w, "type", bal_load_type_name(h->type));
    bal__jw_key_num_opt(w, "duration_s", h->duration_s, 3);
    bal__jw_key_num_opt(w, "downtime_s", h->downtime_s, 3);
    if (h->rates) {
        hist_rates(h, before, after);
        bal__hist_rates_json(w, before, after, h->gain);
    }
    bal__jw_key_num_opt(w, "predicted_gain", h->predicted, 4);
    if (h->mem_kb > 0) bal__jw_key_num(w, "mem_kb", (double)h->mem_kb, 0);
    if (h->predicted_s > 0)
        bal__jw_key_num_opt(w, "predicted_s", h->predicted_s, 3);
    if (h->observed_Bps > 0)
        bal__jw_key_num_opt(w, "observed_Bps", h->observed_Bps, 0);
    if (h->dirty_Bps > 0)
        bal__jw_key_num_opt(w, "dirty_Bps", h->dirty_Bps, 0);
    bal__jw_map_close(w);
    rc = bal__jw_finish(w, &json);
    if (rc) return rc;
    len = strlen(json);
    line = realloc(json, len + 2);
    if (!line) {
        free(json);
        return BAL_ENOMEM;
    }
    line[len] = '\n';
    line[len + 1] = '\0';
    *line_r = line;
    *len_r = len + 1;
    return 0;
}

/* Keeps the newest whole lines of at most half the limit: only that
 * tail is read, so that a history of any size is cut (one past the
 * reader's cap could not be read whole); the history replaced in one
 * step (bal__state_replace). */
static int history_cut(bal_ctx *ctx, int dirfd, const char *path)
{
    const size_t want = BAL__HISTORY_MAX_BYTES / 2 + 1;  /* + the byte
                                                          * before it */
    char *buf = NULL, *keep;
    struct stat st;
    ssize_t got;
    int fd = -1, rc;

    rc = bal__state_open(ctx, dirfd, path, BAL__HISTORY_FILE, "state file",
                         O_RDONLY, &fd);
    if (rc || fd < 0) goto out;
    if (fstat(fd, &st) || st.st_size <= BAL__HISTORY_MAX_BYTES) goto out;
    buf = malloc(want + 1);
    if (!buf) { rc = BAL_ENOMEM; goto out; }
    got = pread(fd, buf, want, st.st_size - (off_t)want);
    if (got != (ssize_t)want) {
        BAL__ERR(ctx, "%s: cannot read: %s", path,
                 got < 0 ? strerror(errno) : "the file shrank");
        rc = BAL_EIO;
        goto out;
    }
    buf[want] = '\0';
    /* From the first line that starts within the tail. */
    keep = memchr(buf, '\n', want);
    keep = keep ? keep + 1 : buf + want;
    rc = bal__state_replace(ctx, dirfd, path, BAL__HISTORY_FILE, keep,
                            (size_t)(buf + want - keep));

out:
    if (fd >= 0) close(fd);
    free(buf);
    return rc;
}

int bal__history_mend(bal_ctx *ctx, int dirfd, const char *dir)
{
    char path[4096];
    struct stat st;
    int fd = -1, rc;

    snprintf(path, sizeof(path), "%s/%s", dir, BAL__HISTORY_FILE);
    if (fstatat(dirfd, BAL__HISTORY_FILE, &st, AT_SYMLINK_NOFOLLOW) &&
        errno == ENOENT)
        return 0;
    rc = bal__state_open(ctx, dirfd, path, BAL__HISTORY_FILE, "state file",
                         O_RDWR, &fd);
    if (!rc) rc = bal__state_cut_torn(ctx, fd, path);
    if (!rc && fstat(fd, &st) == 0 && st.st_size > BAL__HISTORY_MAX_BYTES)
        rc = history_cut(ctx, dirfd, path);
    if (fd >= 0) close(fd);
    return rc;
}

int bal__history_append(bal_ctx *ctx, int dirfd, const char *dir,
                        const bal__hist *h, int n)
{
    char path[4096], *line = NULL;
    struct stat st;
    size_t len;
    int fd = -1, i, rc = 0;

    snprintf(path, sizeof(path), "%s/%s", dir, BAL__HISTORY_FILE);
    if (n <= 0) return 0;
    rc = bal__state_open(ctx, dirfd, path, BAL__HISTORY_FILE, "state file",
                         O_RDWR | O_APPEND | O_CREAT, &fd);
    if (rc) return rc;
    rc = bal__state_cut_torn(ctx, fd, path);
    if (rc) goto out;
    for (i = 0; i < n; i++) {
        rc = hist_line(&h[i], &line, &len);
        if (rc == BAL_EINVAL) {
            BAL__WARN(ctx, "%s: the migration of %s is not recorded: its "
                      "names are not UTF-8", path, h[i].uuid);
            continue;
        }
        if (rc) goto out;
        if (bal__write_all(fd, line, len)) {
            BAL__ERR(ctx, "%s: cannot write: %s", path, strerror(errno));
            rc = BAL_EIO;
            goto out;
        }
        free(line);
        line = NULL;
    }
    rc = 0;
    if (fsync(fd)) {
        BAL__ERR(ctx, "%s: cannot sync: %s", path, strerror(errno));
        rc = BAL_EIO;
        goto out;
    }
    rc = bal__state_sync_dir(ctx, dirfd, path);
    if (rc) goto out;
    /* The records are in: a cut that fails (logged) does not unsay it;
     * the next writer's bal__history_mend tries again. */
    if (fstat(fd, &st) == 0 && st.st_size > BAL__HISTORY_MAX_BYTES)
        history_cut(ctx, dirfd, path);

out:
    free(line);
    if (fd >= 0) close(fd);
    return rc;
}

/* A member's finite number; NAN when absent or anything else. */
static double num(yajl_val obj, const char *key)
{
    double d;

    return bal__json_num(bal__json_member(obj, key, yajl_t_any, NULL), &d) ?
           d : NAN;
}

/* A member's string of 1 to size - 1 bytes into out. */
static bool str(yajl_val obj, const char *key, char *out, size_t size)
{
    const char *s = bal__json_str(bal__json_member(obj, key, yajl_t_any,
                                                   NULL), size);

    if (s) strcpy(out, s);
    return s != NULL;
}

/* observed_Bps or dirty_Bps, which a planner learns from: absent is NAN;
 * anything but a positive finite number is NAN too, with *bad_r set. */
static double positive(yajl_val obj, const char *key, bool *bad_r)
{
    double d = num(obj, key);

    *bad_r = false;
    if (isfinite(d) && d > 0) return d;
    *bad_r = bal__json_member(obj, key, yajl_t_any, NULL) != NULL;
    return NAN;
}

/* The fields a bad value was dropped from, for the warning. */
#define BAD_OBSERVED 1u
#define BAD_DIRTY 2u

/* *jerr_r says why when the reader refused a string or a number. */
static int hist_parse(const char *line, bal__hist *h, unsigned *bad_r,
                      bal__json_err *jerr_r)
{
    char type[16];
    yajl_val top = NULL;
    double mem;
    bool bad;
    int rc;

    *bad_r = 0;
    rc = bal__json_parse(line, strlen(line), MAX_DEPTH, &top, jerr_r);
    if (rc) return rc;
    rc = BAL_EINVAL;
    memset(h, 0, sizeof(*h));
    if (!YAJL_IS_OBJECT(top)) goto out;
    h->time = num(top, "time");
    if (!isfinite(h->time)) goto out;
    if (!str(top, "uuid", h->uuid, sizeof(h->uuid)) ||
        !bal__uuid_valid(h->uuid) ||
        !str(top, "from", h->from, sizeof(h->from)) ||
        !str(top, "to", h->to, sizeof(h->to)))
        goto out;
    str(top, "vm", h->vm, sizeof(h->vm));
    /* A type this build does not know (a newer one's) reads as idle: the
     * record still counts for cooldowns and ping-pong. */
    if (!str(top, "type", type, sizeof(type)) ||
        bal__load_type_parse(type, &h->type))
        h->type = BAL_TYPE_IDLE;
    h->duration_s = num(top, "duration_s");
    h->downtime_s = num(top, "downtime_s");
    h->cpu_pct_before = num(top, "cpu_pct_before");
    h->cpu_pct_after = num(top, "cpu_pct_after");
    h->disk_Bps_before = num(top, "disk_Bps_before");
    h->disk_Bps_after = num(top, "disk_Bps_after");
    h->net_Bps_before = num(top, "net_Bps_before");
    h->net_Bps_after = num(top, "net_Bps_after");
    h->rates = isfinite(h->cpu_pct_before) && isfinite(h->cpu_pct_after);
    h->gain = num(top, "gain");
    h->predicted = num(top, "predicted_gain");
    mem = num(top, "mem_kb");
    h->mem_kb = mem >= 1 && mem < 1e18 ? (uint64_t)mem : 0;
    h->predicted_s = num(top, "predicted_s");
    if (!(h->predicted_s > 0)) h->predicted_s = NAN;
    h->observed_Bps = positive(top, "observed_Bps", &bad);
    if (bad) *bad_r |= BAD_OBSERVED;
    h->dirty_Bps = positive(top, "dirty_Bps", &bad);
    if (bad) *bad_r |= BAD_DIRTY;
    rc = 0;

out:
    yajl_tree_free(top);
    return rc;
}

int bal__history_load(bal_ctx *ctx, const char *path, bal__hist **h_r,
                      int *n_r)
{
    char *buf = NULL, *line, *next, *dir = NULL, *slash;
    bal__hist *v = NULL;
    size_t len = 0;
    int n = 0, cap = 0, lineno = 0, dirfd = -1, rc;
    bal__json_err jerr;
    unsigned bad;
    double now = bal__wall_time();

    /* Read through the directory, as the writer does. */
    dir = strdup(path);
    if (!dir) return BAL_ENOMEM;
    slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    dirfd = open(slash ? (*dir ? dir : "/") : ".",
                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dirfd < 0 && errno == ENOENT) {
        rc = 0;                 /* no directory: no history yet */
        goto done;
    }
    if (dirfd < 0) {
        BAL__ERR(ctx, "%s: cannot open its directory: %s", path,
                 strerror(errno));
        rc = BAL_EIO;
        goto out;
    }
    rc = bal__state_read_file(ctx, dirfd, path, slash ? slash + 1 : path, &buf,
                         &len);
    if (rc) goto out;
done:
    /* Lines by the file's length, not by C strings: a NUL byte would
     * cut its line short, and end the file there unsaid. */
    for (line = buf; buf && line < buf + len; line = next) {
        char *nl = memchr(line, '\n', (size_t)(buf + len - line));
        char *end = nl ? nl : buf + len;    /* buf[len] is a NUL */

        lineno++;
        *end = '\0';
        next = end + 1;
        if (line == end) continue;
        if (memchr(line, '\0', (size_t)(end - line))) {
            BAL__WARN(ctx, "%s:%d: NUL byte: not a migration record; "
                      "skipped", path, lineno);
            continue;
        }
        if (n == cap) {
            int ncap = cap ? cap * 2 : 64;
            bal__hist *nv = realloc(v, (size_t)ncap * sizeof(*nv));

            if (!nv) { rc = BAL_ENOMEM; goto out; }
            v = nv;
            cap = ncap;
        }
        if (hist_parse(line, &v[n], &bad, &jerr)) {
            bal__mask_controls(jerr.msg);   /* it quotes the file's keys */
            if (jerr.fault == BAL__JSON_VALUE)
                BAL__WARN(ctx, "%s:%d: not a migration record (%s); "
                          "skipped", path, lineno, jerr.msg);
            else
                BAL__WARN(ctx, "%s:%d: not a migration record; skipped",
                          path, lineno);
            continue;
        }
        /* Dated ahead of this clock (a peer's clock, or this one set
         * back): it would hold its VM in cooldown until that date, with
         * no reason shown.  Taken as made now. */
        if (v[n].time > now + FUTURE_SLACK_S) {
            BAL__WARN(ctx, "%s:%d: dated more than %d s ahead of this "
                      "host's clock; taken as made now", path, lineno,
                      FUTURE_SLACK_S);
            v[n].time = now;
            v[n].future = true;
        }
        if (bad & BAD_OBSERVED)
            BAL__WARN(ctx, "%s:%d: observed_Bps is not a positive number; "
                      "not learned from", path, lineno);
        if (bad & BAD_DIRTY)
            BAL__WARN(ctx, "%s:%d: dirty_Bps is not a positive number; "
                      "not learned from", path, lineno);
        n++;
    }
    *h_r = v;
    *n_r = n;
    v = NULL;
    rc = 0;

out:
    if (dirfd >= 0) close(dirfd);
    free(v);
    free(buf);
    free(dir);
    return rc;
}

/* ---- a record from a move ------------------------------------------------ */

void bal__hist_facts_init(bal__hist_facts *f)
{
    memset(f, 0, sizeof(*f));
    f->type = BAL_TYPE_IDLE;
    f->pred.gain_rate = f->pred.mig_s = f->pred.dirty_Bps = NAN;
}

/* Its progress rate after over before, minus 1: the mean over the
 * resources its type uses (base/loadtype.c) - CPU for cpu VMs, disk for
 * io ones, traffic for net ones, both halves of a mixed one - and CPU for
 * an idle one. */
static double realised_gain(const bal__hist *h)
{
    double before[BAL_NRES], after[BAL_NRES], sum = 0;
    int r, n = 0;

    hist_rates(h, before, after);
    for (r = 0; r < BAL_NRES; r++) {
        if (!bal__type_uses(h->type, r) &&
            (bal__type_nres(h->type) || r != BAL_RES_CPU))
            continue;
        sum += before[r] > 0 ? after[r] / before[r] - 1 : NAN;
        n++;
    }
    return sum / n;
}

/* The link's rate the migration showed, inverted with the rate the VM
 * dirtied memory at: the sender's measure beats any assumption. */
static double observed_Bps(const struct bal_config *cfg, const bal__hist *h,
                           double dirty_Bps)
{
    bal__pl_params p;

    if (!(h->mem_kb > 0 && h->duration_s > 0)) return NAN;
    /* stop_bytes, max_rounds and resume_s are the planner's defaults: no
     * key changes them, so this is what the plan was made with. */
    bal__pl_params_init(&p);
    if (h->dirty_Bps > 0 && isfinite(h->dirty_Bps)) dirty_Bps = h->dirty_Bps;
    if (!isfinite(dirty_Bps)) dirty_Bps = cfg->dirty_Bps;
    return bal__pl_observed_Bps(&p, (double)h->mem_kb * 1024, dirty_Bps,
                                h->duration_s);
}

void bal__hist_make(const struct bal_config *cfg, double time_s,
                    const bal__move *mv, const bal__move_result *res,
                    const bal__hist_facts *f, bal__hist *h_r)
{
    bal__hist *h = h_r;

    memset(h, 0, sizeof(*h));
    h->time = time_s;
    snprintf(h->uuid, sizeof(h->uuid), "%s", mv->uuid);
    snprintf(h->vm, sizeof(h->vm), "%s", mv->vm);
    snprintf(h->from, sizeof(h->from), "%s", mv->from);
    snprintf(h->to, sizeof(h->to), "%s", mv->to);
    h->type = f->type;
    h->duration_s = res->end_s - res->start_s;
    h->downtime_s = res->downtime_s;
    h->rates = f->rates;
    h->cpu_pct_before = f->cpu_pct_before;
    h->cpu_pct_after = f->cpu_pct_after;
    h->disk_Bps_before = f->disk_Bps_before;
    h->disk_Bps_after = f->disk_Bps_after;
    h->net_Bps_before = f->net_Bps_before;
    h->net_Bps_after = f->net_Bps_after;
    h->gain = f->rates ? realised_gain(h) : NAN;
    h->predicted = f->pred.gain_rate;
    h->mem_kb = f->mem_kb;
    h->predicted_s = f->pred.mig_s > 0 ? f->pred.mig_s : NAN;
    /* Measured: learned from, and the link's rate inverted with it. */
    h->dirty_Bps = res->dirty_Bps > 0 ? res->dirty_Bps : NAN;
    h->observed_Bps = observed_Bps(cfg, h, f->pred.dirty_Bps);
}

int bal__hist_latest(const bal__hist *hist, int nhist, bal__uuidmap *m)
{
    int k, j, rc;

    for (k = 0; k < nhist; k++) {
        if (!isfinite(hist[k].time)) continue;
        j = bal__uuidmap_get(m, hist[k].uuid);
        if (j >= 0 && hist[j].time >= hist[k].time) continue;
        rc = bal__uuidmap_put(m, hist[k].uuid, k);
        if (rc) return rc;
    }
    return 0;
}

/* ---- learning: each key's median of its newest k ------------------------- */

typedef struct lesson {
    size_t key;
    double time, value;
    int idx;                    /* its place in the history */
} lesson;

/* By key, then newest first (ties: the later line first). */
static int lesson_cmp(const void *a, const void *b)
{
    const lesson *x = a, *y = b;

    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    if (x->time != y->time) return x->time > y->time ? -1 : 1;
    return (x->idx < y->idx) - (x->idx > y->idx);
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

int bal__hist_learn(const bal__hist *hist, int nhist, int k, size_t nkeys,
                    bal__hist_teach_fn *teach, const void *opaque,
                    double *med_r, int *n_r)
{
    double *med = NULL;
    lesson *r = NULL;
    size_t key;
    double v;
    int nr = 0, i, j, m, rc = BAL_ENOMEM;

    for (key = 0; key < nkeys; key++) {
        med_r[key] = 0;
        if (n_r) n_r[key] = 0;
    }
    if (k <= 0 || nhist <= 0 || !nkeys) return 0;
    if (k > nhist) k = nhist;
    r = calloc((size_t)nhist, sizeof(*r));
    med = calloc((size_t)k, sizeof(*med));
    if (!r || !med) goto out;
    for (i = 0; i < nhist; i++) {
        if (!isfinite(hist[i].time) ||
            !teach(&hist[i], opaque, &key, &v) || key >= nkeys ||
            !(v > 0) || !isfinite(v))
            continue;
        r[nr].key = key;
        r[nr].time = hist[i].time;
        r[nr].value = v;
        r[nr].idx = i;
        nr++;
    }
    qsort(r, (size_t)nr, sizeof(*r), lesson_cmp);
    for (i = 0; i < nr; i = j) {
        for (m = 0, j = i; j < nr && r[j].key == r[i].key; j++)
            if (m < k) med[m++] = r[j].value;
        qsort(med, (size_t)m, sizeof(*med), dbl_cmp);
        med_r[r[i].key] = m % 2 ? med[m / 2]
                                : (med[m / 2 - 1] + med[m / 2]) / 2;
        if (n_r) n_r[r[i].key] = m;
    }
    rc = 0;

out:
    free(r);
    free(med);
    return rc;
}
