/*
 * json.c - the one JSON reader (json.h) and the sample format, version 1,
 * written with the one writer (jsongen.h) and read with yajl's callback
 * parser.
 *
 *   {"xl_balance_sample":1,"hosts":[{"name":"hostA","time_ns":N,...,
 *    "domains":[{"uuid":"...","name":"vm1","domid":N,...}]}]}
 *
 * Why the callback parser and not yajl_tree: a peer's reply is untrusted.
 * The callbacks see every value once, in order, so a wrong type or a
 * value out of range is reported with its path ("hosts[0].domains[2].
 * cpu_ns") as soon as it is seen, nothing is built for keys we ignore,
 * nesting is bounded by us (yajl_tree frees recursively), and numbers
 * arrive as text so that integers and floats can be told apart exactly.
 *
 * Integers are accepted in 0..2^63-1, not the full uint64_t range: that is
 * what yajl can write (yajl_gen_integer takes a long long) and what any
 * yajl-based reader can read back, so writer and readers agree.  A counter
 * that large is 292 years of CPU time or 8 EiB of traffic.
 *
 * Both sides walk the same field tables below, so the writer cannot emit a
 * key the parser does not know, and the order of keys on the wire is the
 * order of the tables.
 */
#define _GNU_SOURCE             /* strtod_l: see bal__json_strtod */

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "json.h"
#include "jsongen.h"

#define SAMPLE_VERSION 1
#define INT_MAX_JSON 9223372036854775807ull   /* 2^63-1, see above */
#define DOMID_MAX 0x7FEFu       /* DOMID_FIRST_RESERVED - 1 */
#define MAX_DEPTH 64            /* nesting allowed inside ignored keys */
#define NUM_TEXT_MAX 64         /* longest number text we convert */

/* ---- the field tables --------------------------------------------------- */

typedef enum {
    T_VERSION,      /* "xl_balance_sample": must be 1 */
    T_HOSTS,        /* the array of hosts */
    T_DOMS,         /* a host's array of domains */
    T_NAME,         /* a name: UTF-8, no control character, 1..size-1 */
    T_UUID,         /* canonical lower-case UUID */
    T_INT,          /* integer in min..max, stored in size bytes */
    T_NUM,          /* finite number >= 0, stored as double */
} ftype;

typedef struct field {
    const char *key;
    ftype type;
    int optional;
    size_t off, size;
    uint64_t min, max;
} field;

#define FHOST(k, t, opt, mn, mx) \
    { #k, t, opt, offsetof(bal__host, k), sizeof(((bal__host *)0)->k), mn, mx }
#define FDOM(k, t, mn, mx) \
    { #k, t, 0, offsetof(bal__dom, k), sizeof(((bal__dom *)0)->k), mn, mx }
/* An optional integer of a domain: 0 is "unknown", and is not written
 * (so that a sample without it is what an older writer sends). */
#define FDOM_OPT(k, mn, mx) \
    { #k, T_INT, 1, offsetof(bal__dom, k), sizeof(((bal__dom *)0)->k), mn, mx }
#define U32 UINT32_MAX
#define U63 INT_MAX_JSON
/* A domain's counter: any 63-bit value. */
#define FCOUNT(k) FDOM(k, T_INT, 0, U63)

static const field root_fields[] = {
    { "xl_balance_sample", T_VERSION, 0, 0, 0, 0, 0 },
    { "hosts", T_HOSTS, 0, 0, 0, 0, 0 },
};

static const field host_fields[] = {
    FHOST(name, T_NAME, 0, 0, 0),
    FHOST(time_ns, T_INT, 0, 0, U63),
    FHOST(pcpus, T_INT, 0, 1, U32),     /* rates divide by it */
    FHOST(cpu_hz, T_INT, 0, 0, U63),
    FHOST(mem_kb, T_INT, 0, 0, U63),
    FHOST(free_kb, T_INT, 0, 0, U63),
    FHOST(disk_Bps, T_NUM, 1, 0, 0),    /* optional: 0 is "unknown" */
    FHOST(disk_iops, T_NUM, 1, 0, 0),
    FHOST(net_Bps, T_NUM, 1, 0, 0),
    { "domains", T_DOMS, 0, 0, 0, 0, 0 },
};

static const field dom_fields[] = {
    FDOM(uuid, T_UUID, 0, 0),
    FDOM(name, T_NAME, 0, 0),
    FDOM(domid, T_INT, 0, DOMID_MAX),
    FDOM(vcpus, T_INT, 0, U32),
    FDOM(mem_kb, T_INT, 0, U63),
    FDOM(maxmem_kb, T_INT, 0, U63),
    /* Counters since the domain started, any 63-bit value. */
    FCOUNT(cpu_ns),
    FCOUNT(vbd_rd_reqs), FCOUNT(vbd_wr_reqs),
    FCOUNT(vbd_rd_sect), FCOUNT(vbd_wr_sect), FCOUNT(vbd_oo_reqs),
    FCOUNT(net_rx_bytes), FCOUNT(net_tx_bytes),
    FDOM_OPT(weight, 0, BAL__WEIGHT_MAX),   /* scheduler weight */
};

#define NFIELDS(t) ((int)(sizeof(t) / sizeof((t)[0])))

static uint64_t get_int(const void *base, const field *f)
{
    const char *p = (const char *)base + f->off;

    if (f->size == sizeof(uint32_t)) return *(const uint32_t *)(const void *)p;
    return *(const uint64_t *)(const void *)p;
}

static void set_int(void *base, const field *f, uint64_t v)
{
    char *p = (char *)base + f->off;

    if (f->size == sizeof(uint32_t)) *(uint32_t *)(void *)p = (uint32_t)v;
    else *(uint64_t *)(void *)p = v;
}

/* ---- text checks shared by writer and parser ---------------------------- */

/* NULL when s[0..len) is valid UTF-8 without control characters (C0, DEL,
 * C1): names end up in tables and logs, where those would let a peer
 * rewrite the operator's terminal.  Otherwise what is wrong. */
static const char *text_problem(const unsigned char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        unsigned c = s[i], need, k;
        uint32_t cp, min;

        if (c < 0x20 || c == 0x7f) return "contains a control character";
        if (c < 0x80) { i++; continue; }
        if (c >= 0xc2 && c <= 0xdf)      { need = 1; cp = c & 0x1f; min = 0x80; }
        else if (c >= 0xe0 && c <= 0xef) { need = 2; cp = c & 0x0f; min = 0x800; }
        else if (c >= 0xf0 && c <= 0xf4) { need = 3; cp = c & 0x07; min = 0x10000; }
        else return "is not valid UTF-8";
        if (len - i <= need) return "is not valid UTF-8";
        for (k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80) return "is not valid UTF-8";
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return "is not valid UTF-8";
        if (cp <= 0x9f) return "contains a control character";   /* C1 */
        i += need + 1;
    }
    return NULL;
}

bool bal__json_name_valid(const char *s, size_t len)
{
    return len > 0 && !text_problem((const unsigned char *)s, len);
}

void bal__json_name_sanitize(char *s)
{
    size_t len = strlen(s), i = 0, o = 0;

    /* One '?' per bad byte: the result is never longer than the input. */
    while (i < len) {
        size_t n = 1;
        unsigned char c = (unsigned char)s[i];

        if (c >= 0x80) {
            n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
            if (n > len - i) n = 1;
        }
        if (text_problem((const unsigned char *)s + i, n)) {
            s[o++] = '?';
            i++;
        } else {
            memmove(s + o, s + i, n);
            o += n;
            i += n;
        }
    }
    s[o] = '\0';
}

/* ---- writer -------------------------------------------------------------- */

/* Everything the parser would refuse is refused here too (except
 * duplicates), so that a sample we write is one we can read. */
static int check_fields(const void *base, const field *t, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        const field *f = &t[i];
        const char *str = (const char *)base + f->off;
        double d;
        uint64_t v;

        switch (f->type) {
        case T_NAME: {
            size_t len = strnlen(str, f->size);

            if (len >= f->size || !bal__json_name_valid(str, len))
                return BAL_EINVAL;
            break;
        }
        case T_UUID:
            if (!bal__uuid_valid(str)) return BAL_EINVAL;
            break;
        case T_INT:
            v = get_int(base, f);
            if (v < f->min || v > f->max) return BAL_ERANGE;
            break;
        case T_NUM:
            memcpy(&d, str, sizeof(d));
            if (!isfinite(d) || d < 0) return BAL_ERANGE;
            break;
        default:
            break;
        }
    }
    return 0;
}

static void gen_fields(bal__jw *w, const void *base, const field *t, int n,
                       int skip_type)
{
    int i;
    double d;

    for (i = 0; i < n; i++) {
        const field *f = &t[i];
        const char *p = (const char *)base + f->off;

        if ((int)f->type == skip_type) continue;
        /* An optional integer at 0 is unknown: left out (FDOM_OPT). */
        if (f->type == T_INT && f->optional && !get_int(base, f)) continue;
        bal__jw_str(w, f->key);
        switch (f->type) {
        case T_NAME:
        case T_UUID:
            bal__jw_str(w, p);
            break;
        case T_INT:
            bal__jw_int(w, (long long)get_int(base, f));
            break;
        case T_NUM:
            /* Exact, and a float to the eye: 250000000.0. */
            memcpy(&d, p, sizeof(d));
            bal__jw_real(w, d, true);
            break;
        default:
            break;
        }
    }
}

/* The whole sample, as check_fields does a host or a domain. */
static int check_sample(const bal__sample *s)
{
    int h, d, rc;

    if (!s || s->nhosts < 0 || (s->nhosts && !s->hosts)) return BAL_EINVAL;
    if (s->nhosts > BAL__JSON_MAX_HOSTS) return BAL_ERANGE;
    for (h = 0; h < s->nhosts; h++) {
        const bal__host *hp = &s->hosts[h];

        if (hp->ndoms < 0 || (hp->ndoms && !hp->doms)) return BAL_EINVAL;
        if (hp->ndoms > BAL__JSON_MAX_DOMS) return BAL_ERANGE;
        rc = check_fields(hp, host_fields, NFIELDS(host_fields));
        for (d = 0; !rc && d < hp->ndoms; d++)
            rc = check_fields(&hp->doms[d], dom_fields, NFIELDS(dom_fields));
        if (rc) return rc;
    }
    return 0;
}

int bal__json_write_sample(const bal__sample *s, char **json_r)
{
    bal__jw *w = NULL;
    int rc, h, d;

    rc = json_r ? check_sample(s) : BAL_EINVAL;
    if (rc) return rc;
    rc = bal__jw_doc(false, "xl_balance_sample", SAMPLE_VERSION, &w);
    if (rc) return rc;
    bal__jw_str(w, "hosts");
    bal__jw_array_open(w);
    for (h = 0; h < s->nhosts; h++) {
        const bal__host *hp = &s->hosts[h];

        bal__jw_map_open(w);
        /* "domains" is last in host_fields: written by hand below. */
        gen_fields(w, hp, host_fields, NFIELDS(host_fields), T_DOMS);
        bal__jw_str(w, "domains");
        bal__jw_array_open(w);
        for (d = 0; d < hp->ndoms; d++) {
            bal__jw_map_open(w);
            gen_fields(w, &hp->doms[d], dom_fields, NFIELDS(dom_fields), -1);
            bal__jw_map_close(w);
        }
        bal__jw_array_close(w);
        bal__jw_map_close(w);
    }
    bal__jw_array_close(w);
    bal__jw_map_close(w);
    return bal__jw_finish(w, json_r);
}

/* ---- parser -------------------------------------------------------------- */

typedef enum { S_TOP, S_ROOT, S_HOSTS, S_HOST, S_DOMS, S_DOM, S_DONE } pstate;

#define F_SKIP (-1)     /* the value of an unknown key: ignored */

typedef struct parser {
    bal__sample s;          /* scratch; appended to out on success */
    pstate state;
    int field;              /* index of the key whose value comes next */
    uint32_t seen[3];       /* keys seen in the open root/host/domain */
    int skip;               /* depth inside an ignored value */
    int err_rc;             /* what a malformed sample returns */
    int rc;                 /* set with err */
    char err[768];          /* the first problem found */
} parser;

static bal__host *cur_host(parser *p)
{
    return &p->s.hosts[p->s.nhosts - 1];
}

static bal__dom *cur_dom(parser *p)
{
    bal__host *h = cur_host(p);

    return &h->doms[h->ndoms - 1];
}

/* Where the parser is, e.g. "hosts[0].domains[2]". */
static const char *where(parser *p, char *buf, size_t size)
{
    switch (p->state) {
    case S_HOSTS: return "hosts";
    case S_HOST:
        snprintf(buf, size, "hosts[%d]", p->s.nhosts - 1);
        return buf;
    case S_DOMS:
        snprintf(buf, size, "hosts[%d].domains", p->s.nhosts - 1);
        return buf;
    case S_DOM:
        snprintf(buf, size, "hosts[%d].domains[%d]", p->s.nhosts - 1,
                 cur_host(p)->ndoms - 1);
        return buf;
    default:
        return "top level";
    }
}

/* The path of key k in the open object: "hosts", "hosts[0].name". */
static const char *key_path(parser *p, const char *k, char *buf, size_t size)
{
    char w[64];

    if (p->state == S_ROOT) return k;
    snprintf(buf, size, "%s.%s", where(p, w, sizeof(w)), k);
    return buf;
}

static int fail(parser *p, int rc, const char *fmt, ...) BAL__PRINTF(3, 4);
static int fail(parser *p, int rc, const char *fmt, ...)
{
    va_list ap;

    if (!p->err[0]) {
        va_start(ap, fmt);
        vsnprintf(p->err, sizeof(p->err), fmt, ap);
        va_end(ap);
        p->rc = rc;
    }
    return 0;   /* stops yajl: yajl_status_client_canceled */
}

/* Number text for a message: it is a valid JSON number (yajl lexed it),
 * so printable, but possibly huge. */
/* A malformed sample: the caller's error code. */
#define BAD(p, ...) fail((p), (p)->err_rc, __VA_ARGS__)

static const char *num_text(const char *t, size_t len, char *buf, size_t size)
{
    if (len < size) {
        memcpy(buf, t, len);
        buf[len] = '\0';
    } else {
        snprintf(buf, size, "%.*s...", (int)(size - 4), t);
    }
    return buf;
}

static bool parse_uint(const char *t, size_t len, uint64_t min, uint64_t max,
                       uint64_t *v_r)
{
    uint64_t v = 0;
    size_t i;

    if (len == 0) return false;
    for (i = 0; i < len; i++) {
        unsigned d = (unsigned char)t[i] - '0';

        if (d > 9) return false;            /* '-', '.', 'e': not ours */
        if (v > (max - d) / 10) return false;
        v = v * 10 + d;
    }
    if (v < min) return false;
    *v_r = v;
    return true;
}

/* A finite number >= 0 (-0 becomes 0); a text longer than any writer
 * makes is refused unread. */
static bool parse_double(const char *t, size_t len, double *v_r)
{
    char buf[NUM_TEXT_MAX];
    double v;

    if (len >= sizeof(buf)) return false;
    memcpy(buf, t, len);
    buf[len] = '\0';
    if (!bal__json_strtod(buf, &v) || v < 0) return false;
    *v_r = v == 0 ? 0 : v;
    return true;
}

/* The JSON kind each type of field takes, and its name in messages. */
static const struct {
    yajl_type k;
    const char *what;
} kinds[] = {
    [T_VERSION] = { yajl_t_number, "an integer" },
    [T_HOSTS] = { yajl_t_array, "an array" },
    [T_DOMS] = { yajl_t_array, "an array" },
    [T_NAME] = { yajl_t_string, "a string" },
    [T_UUID] = { yajl_t_string, "a string" },
    [T_INT] = { yajl_t_number, "an integer" },
    [T_NUM] = { yajl_t_number, "a number" },
};

/* A value for key p->field of the open object. */
static int field_value(parser *p, const field *f, void *base,
                       yajl_type k, const char *t, size_t len)
{
    char path[128], nb[48];
    const char *kp = key_path(p, f->key, path, sizeof(path));
    const char *why;
    uint64_t v;
    double d;

    if (k != kinds[f->type].k)
        return BAD(p, "%s: expected %s, got %s", kp, kinds[f->type].what,
                   bal__json_type_name(k));
    switch (f->type) {
    case T_VERSION:
        if (len != 1 || t[0] != '0' + SAMPLE_VERSION)
            return BAD(p, "unsupported sample version %s",
                        num_text(t, len, nb, sizeof(nb)));
        return 1;
    case T_HOSTS:
    case T_DOMS:
        p->state = f->type == T_HOSTS ? S_HOSTS : S_DOMS;
        return 1;
    case T_NAME:
    case T_UUID:
        if (f->type == T_UUID) {
            char u[BAL__UUID_LEN + 1] = "";

            if (len == BAL__UUID_LEN) {
                memcpy(u, t, len);
                u[len] = '\0';
            }
            /* A "\u0000" inside makes strlen short: refused as well. */
            if (!bal__uuid_valid(u))
                return BAD(p, "%s: not a canonical UUID", kp);
        } else {
            if (len == 0)
                return BAD(p, "%s: is empty", kp);
            if (len >= f->size)
                return BAD(p, "%s: is longer than %zu bytes", kp,
                            f->size - 1);
            why = text_problem((const unsigned char *)t, len);
            if (why) return BAD(p, "%s: %s", kp, why);
        }
        memcpy((char *)base + f->off, t, len);
        ((char *)base + f->off)[len] = '\0';
        return 1;
    case T_INT:
        if (!parse_uint(t, len, f->min, f->max, &v))
            return fail(p, p->err_rc,
                        "%s: expected an integer in %llu..%llu, got %s", kp,
                        (unsigned long long)f->min,
                        (unsigned long long)f->max,
                        num_text(t, len, nb, sizeof(nb)));
        set_int(base, f, v);
        return 1;
    case T_NUM:
        if (!parse_double(t, len, &d))
            return BAD(p, "%s: expected a finite number >= 0, got %s",
                        kp, num_text(t, len, nb, sizeof(nb)));
        memcpy((char *)base + f->off, &d, sizeof(d));
        return 1;
    }
    return BAD(p, "internal error: field type %d", (int)f->type);
}

/* The table and storage of the object being filled. */
/* The object being read: its table of fields, where they go, and which
 * of them it has had. */
typedef struct frame {
    const field *tab;           /* NULL: not an object of a sample */
    int n;
    void *base;
    uint32_t *seen;
} frame;

static frame cur_frame(parser *p)
{
    switch (p->state) {
    case S_ROOT:
        return (frame){ root_fields, NFIELDS(root_fields), NULL, &p->seen[0] };
    case S_HOST:
        return (frame){ host_fields, NFIELDS(host_fields), cur_host(p),
                        &p->seen[1] };
    case S_DOM:
        return (frame){ dom_fields, NFIELDS(dom_fields), cur_dom(p),
                        &p->seen[2] };
    default:
        return (frame){ NULL, 0, NULL, NULL };
    }
}

static int depth(const parser *p)
{
    static const int base[] = {
        [S_TOP] = 0, [S_ROOT] = 1, [S_HOSTS] = 2, [S_HOST] = 3,
        [S_DOMS] = 4, [S_DOM] = 5, [S_DONE] = 0,
    };
    return base[p->state] + p->skip;
}

/* Every value yajl reports comes here. */
static int value(parser *p, yajl_type k, const char *t, size_t len)
{
    char w[64];
    frame fr;
    int rc;

    if (p->skip || (p->field == F_SKIP &&
                    (p->state == S_ROOT || p->state == S_HOST ||
                     p->state == S_DOM))) {
        /* Inside, or the whole of, a value we ignore. */
        if (k == yajl_t_object || k == yajl_t_array) {
            if (depth(p) >= MAX_DEPTH)
                return BAD(p, "%s: nested deeper than %d levels",
                            where(p, w, sizeof(w)), MAX_DEPTH);
            p->skip++;
        }
        return 1;
    }

    switch (p->state) {
    case S_TOP:
        if (k != yajl_t_object)
            return BAD(p, "top level: expected an object, got %s",
                        bal__json_type_name(k));
        p->state = S_ROOT;
        p->seen[0] = 0;
        return 1;
    case S_HOSTS:
        if (k != yajl_t_object)
            return BAD(p, "hosts[%d]: expected an object, got %s",
                        p->s.nhosts, bal__json_type_name(k));
        if (p->s.nhosts >= BAL__JSON_MAX_HOSTS)
            return BAD(p, "hosts: more than %d hosts",
                        BAL__JSON_MAX_HOSTS);
        {
            bal__host *h;

            rc = bal__sample_add_host(&p->s, &h);
            if (rc) return fail(p, rc, "out of memory");
        }
        p->state = S_HOST;
        p->seen[1] = 0;
        return 1;
    case S_DOMS:
        if (k != yajl_t_object)
            return fail(p, p->err_rc,
                        "hosts[%d].domains[%d]: expected an object, got %s",
                        p->s.nhosts - 1, cur_host(p)->ndoms,
                        bal__json_type_name(k));
        if (cur_host(p)->ndoms >= BAL__JSON_MAX_DOMS)
            return BAD(p, "hosts[%d].domains: more than %d domains",
                        p->s.nhosts - 1, BAL__JSON_MAX_DOMS);
        {
            bal__dom *d;

            rc = bal__host_add_dom(cur_host(p), &d);
            if (rc) return fail(p, rc, "out of memory");
        }
        p->state = S_DOM;
        p->seen[2] = 0;
        return 1;
    default:
        break;
    }

    fr = cur_frame(p);
    if (!fr.tab || p->field < 0 || p->field >= fr.n)
        return BAD(p, "internal error: value without a key");
    return field_value(p, &fr.tab[p->field], fr.base, k, t, len);
}

static int cb_null(void *c)
{
    parser *p = c;
    return value(p, yajl_t_null, NULL, 0);
}

static int cb_bool(void *c, int b)
{
    parser *p = c;
    (void)b;
    return value(p, yajl_t_true, NULL, 0);
}

static int cb_number(void *c, const char *t, size_t len)
{
    parser *p = c;
    return value(p, yajl_t_number, t, len);
}

static int cb_string(void *c, const unsigned char *t, size_t len)
{
    parser *p = c;
    frame fr;
    char path[128], w[64];

    /* Every string, kept or ignored, as bal__json_parse refuses it. */
    if (memchr(t, '\0', len)) {
        fr = cur_frame(p);
        return BAD(p, "%s: " BAL__JSON_NUL_CHAR,
                   !p->skip && fr.tab && p->field >= 0 ?
                   key_path(p, fr.tab[p->field].key, path, sizeof(path)) :
                   where(p, w, sizeof(w)));
    }
    return value(p, yajl_t_string, (const char *)t, len);
}

static int cb_start_map(void *c)
{
    parser *p = c;
    return value(p, yajl_t_object, NULL, 0);
}

static int cb_start_array(void *c)
{
    parser *p = c;
    return value(p, yajl_t_array, NULL, 0);
}

static int cb_map_key(void *c, const unsigned char *key, size_t len)
{
    parser *p = c;
    frame fr;
    char w[64];
    int i;

    if (memchr(key, '\0', len))
        return BAD(p, "%s: a key " BAL__JSON_NUL_CHAR,
                   where(p, w, sizeof(w)));
    if (p->skip) return 1;
    fr = cur_frame(p);
    p->field = F_SKIP;      /* unknown keys: forward compatibility */
    for (i = 0; fr.tab && i < fr.n; i++) {
        if (strlen(fr.tab[i].key) == len && !memcmp(fr.tab[i].key, key, len)) {
            /* JSON leaves duplicates undefined; a sample has no use
             * for them, and "last one wins" would hide a bug. */
            if (*fr.seen & (1u << i))
                return BAD(p, "%s: duplicate \"%s\"",
                            where(p, w, sizeof(w)), fr.tab[i].key);
            *fr.seen |= 1u << i;
            p->field = i;
            break;
        }
    }
    return 1;
}

/* The open object ends: every required key must have been there. */
static int cb_end_map(void *c)
{
    parser *p = c;
    frame fr;
    char w[64];
    int i;

    if (p->skip) { p->skip--; return 1; }
    fr = cur_frame(p);
    for (i = 0; fr.tab && i < fr.n; i++)
        if (!fr.tab[i].optional && !(*fr.seen & (1u << i)))
            return BAD(p, "%s: missing \"%s\"",
                        where(p, w, sizeof(w)), fr.tab[i].key);
    p->state = p->state == S_DOM ? S_DOMS :
               p->state == S_HOST ? S_HOSTS : S_DONE;
    p->field = F_SKIP;
    return 1;
}

static int cb_end_array(void *c)
{
    parser *p = c;

    if (p->skip) { p->skip--; return 1; }
    p->state = p->state == S_DOMS ? S_HOST : S_ROOT;
    p->field = F_SKIP;
    return 1;
}

/* The callbacks of one of this file's passes over a text, named
 * PFX_null to PFX_end_array.  Numbers arrive as text (yajl_number):
 * see parse_uint, and v_number. */
#define CALLBACKS(pfx) {                                                \
        .yajl_null = pfx##_null,                                        \
        .yajl_boolean = pfx##_bool,                                     \
        .yajl_number = pfx##_number,                                    \
        .yajl_string = pfx##_string,                                    \
        .yajl_start_map = pfx##_start_map,                              \
        .yajl_map_key = pfx##_map_key,                                  \
        .yajl_end_map = pfx##_end_map,                                  \
        .yajl_start_array = pfx##_start_array,                          \
        .yajl_end_array = pfx##_end_array,                              \
    }

static const yajl_callbacks callbacks = CALLBACKS(cb);

typedef struct uref {
    const char *s;
    int h, d;
} uref;

static int uref_cmp(const void *a, const void *b)
{
    const uref *x = a, *y = b;
    int c = strcmp(x->s, y->s);

    if (c) return c;
    if (x->h != y->h) return x->h < y->h ? -1 : 1;
    return x->d < y->d ? -1 : x->d > y->d;
}

/* The first (in document order) of a repeated key, reported with the
 * place of its earlier twin. */
static const uref *first_dup(uref *v, size_t n, const uref **twin_r)
{
    const uref *best = NULL;
    size_t i;

    qsort(v, n, sizeof(*v), uref_cmp);
    for (i = 1; i < n; i++) {
        if (strcmp(v[i - 1].s, v[i].s)) continue;
        if (!best || v[i].h < best->h ||
            (v[i].h == best->h && v[i].d < best->d)) {
            best = &v[i];
            *twin_r = &v[i - 1];
        }
    }
    return best;
}

/* Across the whole sample: two hosts of one name, or two domains of one
 * UUID, would be merged into nonsense by the rates. */

/* xl renames a domain for the length of a migration. */
static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && !strcmp(s + n - m, suffix);
}

static bool migrating_name(const char *name)
{
    return has_suffix(name, "--incoming") ||
           has_suffix(name, "--migratedaway");
}

static int check_dups(parser *p)
{
    uref *v = NULL;
    const uref *dup, *twin = NULL;
    size_t n = 0, cap;
    int h, d, rc = 0;

    /* Hosts first, then all domains: one buffer large enough for both. */
    cap = 0;
    for (h = 0; h < p->s.nhosts; h++)
        if (p->s.hosts[h].ndoms > 0) cap += (size_t)p->s.hosts[h].ndoms;
    if (p->s.nhosts > 0 && cap < (size_t)p->s.nhosts)
        cap = (size_t)p->s.nhosts;
    if (!cap) return 0;
    /* Bounded by BAL__JSON_MAX's worth of text, far below this. */
    if (cap > (1u << 26)) {
        BAD(p, "too many domains");
        rc = p->err_rc;
        goto out;
    }
    v = malloc(cap * sizeof(*v));
    if (!v) { fail(p, BAL_ENOMEM, "out of memory"); rc = BAL_ENOMEM; goto out; }

    for (h = 0; h < p->s.nhosts; h++)
        v[n++] = (uref){ p->s.hosts[h].name, h, 0 };
    dup = first_dup(v, n, &twin);
    if (dup) {
        BAD(p, "hosts[%d].name: duplicate host \"%s\" (also hosts[%d])",
             dup->h, dup->s, twin->h);
        rc = p->err_rc;
        goto out;
    }

    /* Every dom0 may have the nil UUID, and during a migration a VM is
     * on two hosts (or twice on one) as NAME--incoming and
     * NAME--migratedaway: those are facts, not errors.  Any other
     * repeated UUID is a broken sample. */
    n = 0;
    for (h = 0; h < p->s.nhosts; h++)
        for (d = 0; d < p->s.hosts[h].ndoms; d++) {
            const bal__dom *dom = &p->s.hosts[h].doms[d];

            if (dom->domid == 0 || migrating_name(dom->name)) continue;
            v[n++] = (uref){ dom->uuid, h, d };
        }
    dup = first_dup(v, n, &twin);
    if (dup) {
        fail(p, p->err_rc,
             "hosts[%d].domains[%d].uuid: duplicate %s (also hosts[%d].domains[%d])",
             dup->h, dup->d, dup->s, twin->h, twin->d);
        rc = p->err_rc;
        goto out;
    }

out:
    free(v);
    return rc;
}

/* yajl's own message ("parse error: premature EOF"), on one line. */
static void yajl_message(parser *p, yajl_handle h)
{
    unsigned char *e = yajl_get_error(h, 0, NULL, 0);
    char *m = (char *)e;
    size_t n;

    if (!m) { BAD(p, "malformed JSON"); return; }
    for (n = 0; m[n]; n++)
        if (m[n] == '\n' || m[n] == '\r') m[n] = ' ';
    while (n > 0 && m[n - 1] == ' ') m[--n] = '\0';
    BAD(p, "%s", m);
    yajl_free_error(h, e);
}

int bal__json_parse_sample(bal_ctx *ctx, const char *what, int err_rc,
                           const char *text, size_t len, bal__sample *out)
{
    parser p;
    yajl_handle h = NULL;
    yajl_status st;
    size_t i;
    int rc;

    memset(&p, 0, sizeof(p));
    bal__sample_init(&p.s);
    p.state = S_TOP;
    p.field = F_SKIP;
    p.err_rc = err_rc;

    if (!what) what = "sample";
    if (!out || (!text && len)) {
        BAL__ERR(ctx, "%s: invalid argument", what);
        return BAL_EINVAL;
    }
    if (len > BAL__JSON_MAX) {
        BAD(&p, "sample larger than %u bytes", BAL__JSON_MAX);
        goto out;
    }
    if (len && memchr(text, '\0', len)) {
        BAD(&p, "contains a NUL byte");
        goto out;
    }
    /* text need not be NUL-terminated: look at text[0..len) only. */
    for (i = 0; i < len && strchr(" \t\r\n", text[i]); i++)
        ;
    if (i == len) {
        BAD(&p, "empty sample");
        goto out;
    }

    h = yajl_alloc(&callbacks, NULL, &p);
    if (!h) { fail(&p, BAL_ENOMEM, "out of memory"); goto out; }
    /* Strings we keep are checked by text_problem, with their path; the
     * others are never looked at. */
    yajl_config(h, yajl_dont_validate_strings, 1);

    st = yajl_parse(h, (const unsigned char *)text, len);
    if (st == yajl_status_ok) st = yajl_complete_parse(h);
    if (st != yajl_status_ok) {
        if (!p.err[0]) yajl_message(&p, h);
        goto out;
    }
    if (p.state != S_DONE) {       /* yajl said ok: cannot happen */
        BAD(&p, "premature end of sample");
        goto out;
    }
    if (check_dups(&p)) goto out;

    if (p.s.nhosts) {
        rc = bal__sample_append(out, &p.s);
        if (rc) fail(&p, rc, "out of memory");
    }

out:
    if (h) yajl_free(h);
    bal__sample_dispose(&p.s);
    if (p.err[0]) {
        bal__json_error(ctx, what, NULL, "%s", p.err);
        return p.rc;
    }
    return 0;
}

/* ---- any JSON text, as a tree ------------------------------------------- */

bool bal__json_blank(const char *text, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        if (!text[i] || !strchr(" \t\r\n", text[i])) return false;
    return true;
}

/* Whether t[0..len) nests arrays and objects deeper than max_depth,
 * outside strings and comments.  Comments are skipped as yajl's lexer
 * does, so a '"' inside one hides nothing. */
static bool too_deep(const char *t, size_t len, int max_depth)
{
    int depth = 0;
    bool str = false;
    size_t i;

    for (i = 0; i < len; i++) {
        char c = t[i];

        if (str) {
            if (c == '\\') i++;
            else if (c == '"') str = false;
        } else if (c == '/' && i + 1 < len && t[i + 1] == '*') {
            for (i += 2; i + 1 < len && !(t[i] == '*' && t[i + 1] == '/');
                 i++)
                ;
            i++;
        } else if (c == '/' && i + 1 < len && t[i + 1] == '/') {
            while (i < len && t[i] != '\n') i++;
        } else if (c == '"') {
            str = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth) return true;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return false;
}

static int refuse(bal__json_err *err, bal__json_fault fault, const char *fmt,
                  ...) BAL__PRINTF(3, 4);
static int refuse(bal__json_err *err, bal__json_fault fault, const char *fmt,
                  ...)
{
    va_list ap;

    err->fault = fault;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return fault == BAL__JSON_NOMEM ? BAL_ENOMEM : BAL_EINVAL;
}

/* ---- every string and number of a tree, before yajl_tree keeps them ----
 * yajl_tree keeps a string's bytes without its length and a number as
 * its text: a "\u0000" would be a C string shorter than the text says
 * (a name that is not the name shown), and a 1e400 or a whole number
 * past a long long would reach the accessors as "not a number" or "not
 * a whole number".  One pass of yajl's callbacks over the text first,
 * with the JSON path of what it refuses. */

#define TREE_DEPTH_MAX 128      /* frames of the path; callers nest less */
#define PATH_KEY_MAX 40         /* bytes of a key kept for the path */

typedef struct vframe {
    bool array;
    size_t n;                   /* arrays: values begun so far */
    char key[PATH_KEY_MAX];     /* objects: the last key */
} vframe;

typedef struct vpass {
    bal__json_err *err;
    int depth;                  /* frames open (those past TREE_DEPTH_MAX
                                 * counted, not kept) */
    vframe fr[TREE_DEPTH_MAX];
} vpass;

/* "moves[3].vm", "top level" outside any container. */
static const char *vpath(const vpass *v, char *buf, size_t size)
{
    size_t o = 0;
    int i, n = v->depth < TREE_DEPTH_MAX ? v->depth : TREE_DEPTH_MAX;

    buf[0] = '\0';
    for (i = 0; i < n && o < size; i++) {
        const vframe *f = &v->fr[i];
        int w = f->array ?
            snprintf(buf + o, size - o, "[%zu]", f->n ? f->n - 1 : 0) :
            snprintf(buf + o, size - o, "%s%s", o ? "." : "", f->key);

        if (w > 0) o += (size_t)w;
    }
    return buf[0] ? buf : "top level";
}

static int vrefuse(vpass *v, const char *fmt, ...) BAL__PRINTF(2, 3);
static int vrefuse(vpass *v, const char *fmt, ...)
{
    char path[256], msg[sizeof(v->err->msg)];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    v->err->fault = BAL__JSON_VALUE;
    /* Both cut to fit err->msg whole. */
    snprintf(v->err->msg, sizeof(v->err->msg), "%.100s: %.150s",
             vpath(v, path, sizeof(path)), msg);
    return 0;                   /* stops yajl */
}

/* A value begins: in an array, it is the next element. */
static void vbegin(vpass *v)
{
    if (v->depth > 0 && v->depth <= TREE_DEPTH_MAX &&
        v->fr[v->depth - 1].array)
        v->fr[v->depth - 1].n++;
}

static int vopen(vpass *v, bool array)
{
    vbegin(v);
    if (v->depth < TREE_DEPTH_MAX)
        v->fr[v->depth] = (vframe){ .array = array };
    v->depth++;
    return 1;
}

static int v_end_map(void *c)
{
    ((vpass *)c)->depth--;
    return 1;
}

static int v_end_array(void *c) { return v_end_map(c); }
static int v_start_map(void *c)   { return vopen(c, false); }
static int v_start_array(void *c) { return vopen(c, true); }
static int v_null(void *c)  { vbegin(c); return 1; }
static int v_bool(void *c, int b) { (void)b; vbegin(c); return 1; }

static int v_map_key(void *c, const unsigned char *k, size_t len)
{
    vpass *v = c;
    vframe *f = v->depth > 0 && v->depth <= TREE_DEPTH_MAX ?
        &v->fr[v->depth - 1] : NULL;

    if (memchr(k, '\0', len)) {
        /* The path ends at the object: the key itself is the fault (and
         * the pass stops here). */
        v->depth--;
        return vrefuse(v, "a key " BAL__JSON_NUL_CHAR);
    }
    if (f) {
        size_t n = len < sizeof(f->key) - 4 ? len : sizeof(f->key) - 4;

        memcpy(f->key, k, n);
        strcpy(f->key + n, n < len ? "..." : "");
    }
    return 1;
}

static int v_string(void *c, const unsigned char *s, size_t len)
{
    vpass *v = c;

    vbegin(v);
    if (memchr(s, '\0', len)) return vrefuse(v, BAL__JSON_NUL_CHAR);
    return 1;
}

/* Whole numbers (no '.', 'e' or 'E') within a long long; the others
 * within a double. */
static int v_number(void *c, const char *t, size_t len)
{
    /* A long long's limits, without the sign: the negative side holds
     * one more. */
    static const char pos[] = "9223372036854775807";
    static const char neg[] = "9223372036854775808";
    vpass *v = c;
    char nb[48], small[NUM_TEXT_MAX], *buf = small;
    bool minus = len && t[0] == '-';
    size_t digits = len - minus;
    bool whole = !memchr(t, '.', len) && !memchr(t, 'e', len) &&
                 !memchr(t, 'E', len);
    bool ok;
    double d;

    vbegin(v);
    if (whole) {
        /* yajl lexed it: digits without a leading zero, so the longer
         * the larger, and of one length memcmp orders them. */
        if (digits > sizeof(pos) - 1 ||
            (digits == sizeof(pos) - 1 &&
             memcmp(t + minus, minus ? neg : pos, digits) > 0))
            return vrefuse(v, "whole number %s is out of range "
                           "(-9223372036854775808 to 9223372036854775807)",
                           num_text(t, len, nb, sizeof(nb)));
        return 1;
    }
    if (len >= sizeof(small) && !(buf = malloc(len + 1))) {
        v->err->fault = BAL__JSON_NOMEM;
        snprintf(v->err->msg, sizeof(v->err->msg), "out of memory");
        return 0;
    }
    memcpy(buf, t, len);
    buf[len] = '\0';
    ok = bal__json_strtod(buf, &d);
    if (buf != small) free(buf);
    if (!ok)
        return vrefuse(v, "number %s is out of range (beyond a double's "
                       "1.8e308)", num_text(t, len, nb, sizeof(nb)));
    return 1;
}

static const yajl_callbacks vcallbacks = CALLBACKS(v);

/* The pass: false with *err set when a string or number is refused.  A
 * syntax error is not its business: yajl_tree_parse says it. */
static bool values_ok(const char *text, size_t len, bal__json_err *err)
{
    vpass *v = calloc(1, sizeof(*v));
    yajl_handle h = NULL;

    if (!v) {
        refuse(err, BAL__JSON_NOMEM, "out of memory");
        return false;
    }
    v->err = err;
    h = yajl_alloc(&vcallbacks, NULL, v);
    if (!h) {
        refuse(err, BAL__JSON_NOMEM, "out of memory");
    } else {
        /* As yajl_tree_parse reads: comments allowed. */
        yajl_config(h, yajl_allow_comments, 1);
        if (yajl_parse(h, (const unsigned char *)text, len) ==
            yajl_status_ok)
            yajl_complete_parse(h);
        yajl_free(h);
    }
    free(v);
    return err->fault == BAL__JSON_OK;
}

int bal__json_parse(const char *text, size_t len, int max_depth,
                    yajl_val *top_r, bal__json_err *err_r)
{
    char ebuf[256], *buf = NULL, *nl;
    yajl_val top;

    err_r->fault = BAL__JSON_OK;
    err_r->msg[0] = '\0';
    if (len && memchr(text, '\0', len))
        return refuse(err_r, BAL__JSON_NUL, "contains a NUL byte");
    if (too_deep(text, len, max_depth))
        return refuse(err_r, BAL__JSON_DEEP, "nested deeper than %d",
                      max_depth);
    if (!values_ok(text, len, err_r))
        return err_r->fault == BAL__JSON_NOMEM ? BAL_ENOMEM : BAL_EINVAL;
    /* yajl_tree_parse reads up to a NUL: text[0..len) need not have one. */
    buf = malloc(len + 1);
    if (!buf) return refuse(err_r, BAL__JSON_NOMEM, "out of memory");
    if (len) memcpy(buf, text, len);
    buf[len] = '\0';
    ebuf[0] = '\0';
    top = yajl_tree_parse(buf, ebuf, sizeof(ebuf));
    free(buf);
    if (!top) {
        /* yajl's message spans lines (the text, a caret): its first. */
        nl = strchr(ebuf, '\n');
        if (nl) *nl = '\0';
        return refuse(err_r, BAL__JSON_SYNTAX, "not JSON: %s",
                      ebuf[0] ? ebuf : "parse error");
    }
    *top_r = top;
    return 0;
}

void bal__json_error(bal_ctx *ctx, const char *what, const char *where,
                     const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    bal__json_verror(ctx, what, where, fmt, ap);
    va_end(ap);
}

void bal__json_verror(bal_ctx *ctx, const char *what, const char *where,
                      const char *fmt, va_list ap)
{
    char msg[512], line[1024];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    if (where && *where)
        snprintf(line, sizeof(line), "%s: %s: %s", what, where, msg);
    else
        snprintf(line, sizeof(line), "%s: %s", what, msg);
    bal__mask_controls(line);
    BAL__ERR(ctx, "%s", line);
}

const char *bal__json_type_name(yajl_type t)
{
    switch (t) {
    case yajl_t_string: return "a string";
    case yajl_t_number: return "a number";
    case yajl_t_object: return "an object";
    case yajl_t_array:  return "an array";
    case yajl_t_true:
    case yajl_t_false:  return "a boolean";
    default:            return "null";
    }
}

yajl_val bal__json_member(yajl_val obj, const char *key, yajl_type t,
                          bool *twice_r)
{
    yajl_val v = NULL;
    size_t i;

    if (twice_r) *twice_r = false;
    if (!YAJL_IS_OBJECT(obj)) return NULL;
    for (i = 0; i < obj->u.object.len; i++) {
        if (strcmp(obj->u.object.keys[i], key)) continue;
        if (v) {
            if (twice_r) *twice_r = true;
            break;
        }
        v = obj->u.object.values[i];
    }
    return v && (t == yajl_t_any || v->type == t) ? v : NULL;
}

bool bal__json_strtod(const char *s, double *d_r)
{
    locale_t c = bal__c_locale();
    char *end;
    double d;

    if (!c || !*s) return false;
    d = strtod_l(s, &end, c);
    if (*end || !isfinite(d)) return false;
    *d_r = d;
    return true;
}

bool bal__json_num(yajl_val v, double *d_r)
{
    return YAJL_IS_NUMBER(v) && bal__json_strtod(YAJL_GET_NUMBER(v), d_r);
}

const char *bal__json_str(yajl_val v, size_t size)
{
    const char *s = YAJL_IS_STRING(v) ? (const char *)v->u.string : NULL;

    return s && *s && strlen(s) < size ? s : NULL;
}
