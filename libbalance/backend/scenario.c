/*
 * scenario.c - reading scenario files (the format: doc/scenario-format.md).
 *
 * One pass over the lines.  Each line is checked whole (length, bytes,
 * UTF-8) before it is split into tokens, then handled by its keyword's
 * row in `keywords' with that keyword's key table.  Everything is built in
 * a scratch scenario that replaces the caller's only once the whole file
 * is good, so an error leaves nothing half-done and nothing allocated.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

/* ---- name, UUID and link index -----------------------------------------
 * Open addressing over indices into hosts, vms or links, so that 1M VMs
 * cost O(1) per duplicate check.  The keys are read back from the
 * scenario (a VM's UUID lives inline in a vms array that moves when it
 * grows): by `key' for the maps of names and UUIDs, or, for the links,
 * from the link's host pair, which a link matches either way round. */

typedef const char *key_fn(const bal__scenario *s, int i);

typedef struct imap {
    int *slot;          /* -1: empty */
    size_t nslots;      /* 0 or a power of two */
    size_t n;
    key_fn *key;        /* NULL: the map of links */
} imap;

typedef struct names {
    imap hosts, vms, uuids, links;
} names;

static const char *host_key(const bal__scenario *s, int i)
{
    return s->hosts[i].name;
}

static const char *vm_key(const bal__scenario *s, int i)
{
    return s->vms[i].name;
}

static const char *uuid_key(const bal__scenario *s, int i)
{
    return s->vms[i].uuid;
}

static uint64_t fnv1a(const char *str, uint64_t h)
{
    const unsigned char *p = (const unsigned char *)str;

    for (; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ull;
    }
    return h;
}

#define FNV_BASIS 0xcbf29ce484222325ull

static uint64_t mix64(uint64_t z);

static uint64_t pair_hash(int a, int b)
{
    uint64_t lo = (uint64_t)(a < b ? a : b), hi = (uint64_t)(a < b ? b : a);

    return mix64(lo << 32 | hi);
}

/* A link's key: its two hosts, in either order. */
typedef struct pair { int a, b; } pair;

static uint64_t imap_hash(const bal__scenario *s, const imap *m, int idx)
{
    if (m->key) return fnv1a(m->key(s, idx), FNV_BASIS);
    return pair_hash(s->links[idx].a, s->links[idx].b);
}

/* Whether the element at idx has the key `want' (a string, or a pair). */
static bool imap_is(const bal__scenario *s, const imap *m, int idx,
                    const void *want)
{
    const bal__scn_link *l;
    const pair *p = want;

    if (m->key) return !strcmp(m->key(s, idx), want);
    l = &s->links[idx];
    return (l->a == p->a && l->b == p->b) || (l->a == p->b && l->b == p->a);
}

/* The index whose key is `want', hashed to h, or -1. */
static int imap_find(const bal__scenario *s, const imap *m, uint64_t h,
                     const void *want)
{
    size_t i;

    if (!m->nslots) return -1;
    for (i = h & (m->nslots - 1); m->slot[i] >= 0;
         i = (i + 1) & (m->nslots - 1))
        if (imap_is(s, m, m->slot[i], want)) return m->slot[i];
    return -1;
}

static int nmap_find(const bal__scenario *s, const imap *m, const char *k)
{
    return imap_find(s, m, fnv1a(k, FNV_BASIS), k);
}

static int lmap_find(const bal__scenario *s, const imap *m, int a, int b)
{
    pair p = { a, b };

    return imap_find(s, m, pair_hash(a, b), &p);
}

static void imap_put(const bal__scenario *s, imap *m, int idx)
{
    size_t i = imap_hash(s, m, idx) & (m->nslots - 1);

    while (m->slot[i] >= 0) i = (i + 1) & (m->nslots - 1);
    m->slot[i] = idx;
    m->n++;
}

/* Adds idx (whose key is not in m yet), growing at half full. */
static int imap_add(const bal__scenario *s, imap *m, int idx)
{
    if ((m->n + 1) * 2 > m->nslots) {
        size_t nslots = m->nslots ? m->nslots * 2 : 16, i;
        int *old = m->slot;
        size_t oldn = m->nslots;

        m->slot = malloc(nslots * sizeof(*m->slot));
        if (!m->slot) {
            m->slot = old;
            return BAL_ENOMEM;
        }
        memset(m->slot, 0xff, nslots * sizeof(*m->slot));  /* all -1 */
        m->nslots = nslots;
        m->n = 0;
        for (i = 0; i < oldn; i++)
            if (old[i] >= 0) imap_put(s, m, old[i]);
        free(old);
    }
    imap_put(s, m, idx);
    return 0;
}

/* ---- init, dispose, lookups ------------------------------------------- */

static void options_defaults(bal__scn_options *o)
{
    o->seed = 1;
    o->interval_s = BAL__SCN_DEF_INTERVAL;
    o->noise = BAL__SCN_DEF_NOISE;
    o->iocpu = BAL__SCN_DEF_IOCPU;
    o->dom0cpu = BAL__SCN_DEF_DOM0CPU;
    o->reqsize = BAL__SCN_DEF_REQSIZE;
    o->rtt_ms = BAL__SCN_DEF_RTT;
    o->migcpu = BAL__SCN_DEF_MIGCPU;
    o->migresume = BAL__SCN_DEF_MIGRESUME;
    o->cachedirty = BAL__SCN_DEF_CACHEDIRTY;
    o->speed = BAL__SCN_DEF_SPEED;
    o->balance_at = 0;
    o->concurrent = false;
}

void bal__scenario_init(bal__scenario *s)
{
    memset(s, 0, sizeof(*s));
    options_defaults(&s->opt);
}

void bal__scenario_dispose(bal__scenario *s)
{
    names *nm;
    int i;

    if (!s) return;
    for (i = 0; i < s->nhosts; i++) free(s->hosts[i].name);
    for (i = 0; i < s->nvms; i++) free(s->vms[i].name);
    free(s->hosts);
    free(s->vms);
    free(s->links);
    free(s->source);
    nm = s->names;
    if (nm) {
        free(nm->hosts.slot);
        free(nm->vms.slot);
        free(nm->uuids.slot);
        free(nm->links.slot);
        free(nm);
    }
    bal__scenario_init(s);
}

int bal__scenario_find_host(const bal__scenario *s, const char *name)
{
    const names *nm = s->names;

    return nm ? nmap_find(s, &nm->hosts, name) : -1;
}

int bal__scenario_find_vm(const bal__scenario *s, const char *name)
{
    const names *nm = s->names;

    return nm ? nmap_find(s, &nm->vms, name) : -1;
}

int bal__scenario_find_uuid(const bal__scenario *s, const char *uuid)
{
    const names *nm = s->names;

    return nm ? nmap_find(s, &nm->uuids, uuid) : -1;
}

int bal__scenario_find_link(const bal__scenario *s, int a, int b)
{
    const names *nm = s->names;

    return nm ? lmap_find(s, &nm->links, a, b) : -1;
}

/* Table 2 of the paper: plain socket throughput over the DUMMYNET link. */
static const struct { double rtt_ms, mbit; } table2[] = {
    { 0, 840.2 }, { 4, 609.61 }, { 16, 151.79 }, { 64, 104.29 },
};

double bal__scenario_rtt_Bps(double rtt_ms)
{
    int n = (int)(sizeof(table2) / sizeof(table2[0])), i;

    if (!(rtt_ms > 0)) return table2[0].mbit * 1e6 / 8;
    for (i = 1; i < n; i++)
        if (rtt_ms <= table2[i].rtt_ms) {
            double f = (rtt_ms - table2[i - 1].rtt_ms) /
                       (table2[i].rtt_ms - table2[i - 1].rtt_ms);

            return (table2[i - 1].mbit +
                    f * (table2[i].mbit - table2[i - 1].mbit)) * 1e6 / 8;
        }
    /* Beyond the last point the paper has nothing: held flat. */
    return table2[n - 1].mbit * 1e6 / 8;
}

double bal__scenario_link_Bps(const bal__scenario *s, int a, int b)
{
    int l = bal__scenario_find_link(s, a, b);

    return l >= 0 ? s->links[l].bw_Bps : bal__scenario_rtt_Bps(s->opt.rtt_ms);
}

/* splitmix64's finaliser: spreads FNV's weak low bits over all 64. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void bal__scenario_name_uuid(char *out, const char *name)
{
    /* Two differently seeded hashes of the name give 128 bits; the
     * prefix keeps these apart from any other use of the same hash. */
    uint64_t h1 = mix64(fnv1a(name, fnv1a("xl-balance sim vm ", FNV_BASIS)));
    uint64_t h2 = mix64(fnv1a(name, fnv1a("xl-balance sim uuid ",
                                          FNV_BASIS)));
    unsigned char b[16];
    int i;

    for (i = 0; i < 8; i++) {
        b[i] = (unsigned char)(h1 >> (56 - 8 * i));
        b[8 + i] = (unsigned char)(h2 >> (56 - 8 * i));
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x80);   /* version 8: custom */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);   /* RFC 4122 variant */
    snprintf(out, BAL__UUID_LEN + 1,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
             b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* ---- the parser's state and its one error path ------------------------ */

enum { OPT_SEED, OPT_INTERVAL, OPT_NOISE, OPT_IOCPU, OPT_DOM0CPU,
       OPT_REQSIZE, OPT_RTT, OPT_MIGCPU, OPT_MIGRESUME, OPT_CACHEDIRTY,
       OPT_SPEED, OPT_BALANCE_AT, OPT_POLICY, OPT_PLACEMENT, OPT_CLOCK,
       OPT_GAP, NOPTS };

typedef struct parser {
    bal_ctx *ctx;
    const char *what;
    int line;
    bal__scenario s;        /* what is being built */
    names *nm;              /* == s.names */
    int opt_line[NOPTS];    /* where each option was set; 0: not yet */
} parser;

static int perr(parser *p, const char *fmt, ...) BAL__PRINTF(2, 3);

/* Logs "WHAT:LINE: message"; returns BAL_ESCENARIO for `return perr()'. */
static int perr(parser *p, const char *fmt, ...)
{
    char msg[768];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    BAL__ERR(p->ctx, "%s:%d: %s", p->what, p->line, msg);
    return BAL_ESCENARIO;
}

/* ---- numbers and units ------------------------------------------------- */

/* Reads a decimal number at the start of s ([+-]digits[.digits][e[+-]N]
 * or .digits), locale-independently: the digits are gathered into an
 * exact integer and scaled by an exact power of ten, so "840.2" is the
 * double nearest 840.2 in every locale. */
static bool read_number(const char *s, double *v, const char **end)
{
    static const double p10[] = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    };
    const char *q = s;
    bool neg = false;
    uint64_t mant = 0;
    int digits = 0;
    long exp10 = 0;
    double x;

    if (*q == '+' || *q == '-') neg = *q++ == '-';
    for (; *q >= '0' && *q <= '9'; q++, digits++) {
        /* Below 2^53 the mantissa is exact; later digits only scale. */
        if (mant < 900000000000000ull) mant = mant * 10 + (uint64_t)(*q - '0');
        else exp10++;
    }
    if (*q == '.') {
        for (q++; *q >= '0' && *q <= '9'; q++, digits++) {
            if (mant < 900000000000000ull) {
                mant = mant * 10 + (uint64_t)(*q - '0');
                exp10--;
            }
        }
    }
    if (!digits) return false;
    if (*q == 'e' || *q == 'E') {
        const char *e = q + 1;
        bool eneg = false;
        long ev = 0;

        if (*e == '+' || *e == '-') eneg = *e++ == '-';
        if (*e >= '0' && *e <= '9') {
            for (; *e >= '0' && *e <= '9'; e++)
                if (ev < 100000) ev = ev * 10 + (*e - '0');
            exp10 += eneg ? -ev : ev;
            q = e;
        }
        /* else "1e" is 1 with the unit "e", which the caller rejects */
    }
    x = (double)mant;
    if (exp10 > 0 && exp10 <= 22) x *= p10[exp10];
    else if (exp10 < 0 && exp10 >= -22) x /= p10[-exp10];
    else if (exp10) x *= pow(10.0, (double)exp10);
    if (!isfinite(x)) return false;
    *v = neg && x ? -x : x;             /* "-0" is 0, not -0.0 */
    *end = q;
    return true;
}

typedef struct unit {
    const char *name;
    double mult;
} unit;

static const unit size_units[] = {
    { "B", 1 }, { "K", 1024.0 }, { "M", 1048576.0 },
    { "G", 1073741824.0 }, { "T", 1099511627776.0 }, { NULL, 0 },
};
static const unit rate_units[] = {
    { "B/s", 1 }, { "KB/s", 1e3 }, { "kB/s", 1e3 }, { "MB/s", 1e6 },
    { "GB/s", 1e9 }, { "bit/s", 1.0 / 8 }, { "Kbit/s", 1e3 / 8 },
    { "kbit/s", 1e3 / 8 }, { "Mbit/s", 1e6 / 8 }, { "Gbit/s", 1e9 / 8 },
    { NULL, 0 },
};
static const unit freq_units[] = {
    { "Hz", 1 }, { "kHz", 1e3 }, { "KHz", 1e3 }, { "MHz", 1e6 },
    { "GHz", 1e9 }, { NULL, 0 },
};
/* A job's operations per second: a count per second, decimal steps like
 * the byte rates, and spelled apart from them. */
static const unit ops_units[] = {
    { "ops/s", 1 }, { "Kops/s", 1e3 }, { "kops/s", 1e3 }, { "Mops/s", 1e6 },
    { "Gops/s", 1e9 }, { NULL, 0 },
};

/* ---- key tables ---------------------------------------------------------- */

typedef enum {
    V_COUNT,    /* whole number, no unit: uint32_t */
    V_SEED,     /* whole number 0..2^64-1: uint64_t */
    V_NUM,      /* decimal number, no unit: double */
    V_SIZE,     /* bytes with a binary unit: uint64_t */
    V_RATE,     /* bytes/s with a decimal byte or bit unit: double */
    V_FREQ,     /* Hz with a unit: double */
    V_UUID,     /* char[BAL__UUID_LEN + 1] */
    V_LOAD,     /* a load type's name (base/loadtype.c): bal_load_type */
    V_HOST,     /* a declared host's name: int index */
    V_OPS,      /* operations/s with a unit: double */
    V_POLICY,   /* sequential|concurrent: bool (concurrent) */
    V_PATH,     /* an absolute path: char[BAL__SCN_PATH_MAX + 1] */
} vkind;

#define K_REQ 1u    /* must be given */
#define K_MAX 2u    /* "max" is accepted, stored as INFINITY */

typedef struct keydef {
    const char *name;
    vkind kind;
    unsigned flags;
    double min, max;        /* allowed range, in stored units */
    bool min_open;          /* min itself is not allowed */
    size_t off;             /* in the keyword's struct */
    const char *range;      /* the range, as messages say it */
} keydef;

#define OOPT(f) offsetof(bal__scn_options, f)
#define OHOST(f) offsetof(bal__scn_host, f)
#define OVM(f) offsetof(bal__scn_vm, f)
#define OLINK(f) offsetof(bal__scn_link, f)
#define TB 1099511627776.0

/* Order matters: OPT_* index this table. */
static const keydef option_keys[] = {
    { "seed", V_SEED, 0, 0, 0, false, OOPT(seed),
      "0 to 18446744073709551615" },
    { "interval", V_NUM, 0, 0.001, 86400, false, OOPT(interval_s),
      "0.001 to 86400" },
    { "noise", V_NUM, 0, 0, 0.5, false, OOPT(noise), "0 to 0.5" },
    { "iocpu", V_NUM, 0, 0, 10, false, OOPT(iocpu), "0 to 10" },
    { "dom0cpu", V_NUM, 0, 0, 10, false, OOPT(dom0cpu), "0 to 10" },
    { "reqsize", V_SIZE, 0, 512, 16 << 20, false, OOPT(reqsize),
      "512B to 16M" },
    { "rtt", V_NUM, 0, 0, 100000, false, OOPT(rtt_ms), "0 to 100000" },
    { "migcpu", V_NUM, 0, 0, 10, false, OOPT(migcpu), "0 to 10" },
    { "migresume", V_NUM, 0, 0, 3600, false, OOPT(migresume),
      "0 to 3600" },
    { "cachedirty", V_NUM, 0, 0, 1, false, OOPT(cachedirty), "0 to 1" },
    { "speed", V_OPS, 0, 0, 1e15, true, OOPT(speed),
      "more than 0, at most 1000000Gops/s" },
    { "balance_at", V_NUM, 0, 0, 1e9, false, OOPT(balance_at),
      "0 to 1000000000" },
    { "policy", V_POLICY, 0, 0, 0, false, OOPT(concurrent), NULL },
    { "placement", V_PATH, 0, 0, 0, false, OOPT(placement), NULL },
    { "clock", V_PATH, 0, 0, 0, false, OOPT(clock), NULL },
    { "gap", V_NUM, 0, 0, 1e8, false, OOPT(gap_s), "0 to 100000000" },
};

static const keydef host_keys[] = {
    { "pcpus", V_COUNT, K_REQ, 1, BAL__SCN_MAX_PCPUS, false, OHOST(pcpus),
      "1 to 4096" },
    { "mem", V_SIZE, K_REQ, 0, 1024 * TB, true, OHOST(mem_bytes),
      "more than 0, at most 1024T" },
    { "disk", V_RATE, K_REQ, 0, 1e12, true, OHOST(disk_Bps),
      "more than 0, at most 1000GB/s" },
    { "iops", V_NUM, 0, 0, 1e9, true, OHOST(disk_iops),
      "more than 0, at most 1000000000" },
    { "net", V_RATE, 0, 0, 1e12, true, OHOST(net_Bps),
      "more than 0, at most 1000GB/s" },
    { "freq", V_FREQ, 0, 0, 1e11, true, OHOST(cpu_hz),
      "more than 0, at most 100GHz" },
    { "dom0mem", V_SIZE, 0, 0, 1024 * TB, true, OHOST(dom0_mem_bytes),
      "more than 0, at most 1024T" },
    { "dom0cpu", V_NUM, 0, 0, 10, false, OHOST(dom0cpu), "0 to 10" },
    { "speed", V_OPS, 0, 0, 1e15, true, OHOST(speed),
      "more than 0, at most 1000000Gops/s" },
};
enum { HK_DOM0MEM = 6, HK_DOM0CPU = 7, HK_SPEED = 8 };

static const keydef vm_keys[] = {
    { "host", V_HOST, K_REQ, 0, 0, false, OVM(host), NULL },
    { "vcpus", V_COUNT, K_REQ, 1, BAL__SCN_MAX_VCPUS, false, OVM(vcpus),
      "1 to 512" },
    { "mem", V_SIZE, K_REQ, 0, 1024 * TB, true, OVM(mem_bytes),
      "more than 0, at most 1024T" },
    { "load", V_LOAD, K_REQ, 0, 0, false, OVM(load), NULL },
    { "uuid", V_UUID, 0, 0, 0, false, OVM(uuid), NULL },
    { "cpu", V_NUM, 0, 0, 1, false, OVM(cpu), "0 to 1" },
    { "io", V_RATE, K_MAX, 0, 1e12, false, OVM(io_Bps),
      "0 to 1000GB/s, or max" },
    { "write", V_NUM, 0, 0, 1, false, OVM(write), "0 to 1" },
    { "iocpu", V_NUM, 0, 0, 10, false, OVM(iocpu), "0 to 10" },
    { "dirty", V_RATE, 0, 0, 1e12, false, OVM(dirty_Bps),
      "0 to 1000GB/s" },
    { "net", V_RATE, K_MAX, 0, 1e12, false, OVM(net_tx_Bps),
      "0 to 1000GB/s, or max" },
    { "netrx", V_RATE, K_MAX, 0, 1e12, false, OVM(net_rx_Bps),
      "0 to 1000GB/s, or max" },
    { "cpuwork", V_NUM, 0, 0, BAL__SCN_WORK_MAX, true, OVM(cpuwork),
      "more than 0, at most 1e18" },
    { "iowork", V_SIZE, 0, 0, 1024 * TB, true, OVM(iowork),
      "more than 0, at most 1024T" },
    { "network", V_SIZE, 0, 0, 1024 * TB, true, OVM(network),
      "more than 0, at most 1024T" },
    { "start", V_NUM, 0, 0, 1e9, false, OVM(start_s), "0 to 1000000000" },
    { "cachedirty", V_NUM, 0, 0, 1, false, OVM(cachedirty), "0 to 1" },
    { "wws", V_SIZE, 0, 0, 1024 * TB, true, OVM(wws_bytes),
      "more than 0, at most 1024T" },
    { "migfail", V_SIZE, 0, 0, 1024 * TB, false, OVM(migfail),
      "0 to 1024T" },
};
enum { VK_UUID = 4, VK_CPU = 5, VK_IO = 6, VK_IOCPU = 8, VK_NET = 10,
       VK_CPUWORK = 12, VK_IOWORK = 13, VK_NETWORK = 14, VK_START = 15,
       VK_CACHEDIRTY = 16, VK_WWS = 17, VK_MIGFAIL = 18 };

/* Per resource: the vm key of its demand, and what a load that uses
 * that resource alone wants of it unless told: all of a vCPU, as much
 * disk or NIC as it is given.  A load of several (mixed) must say each. */
static const struct {
    int key;
    double def;
} res_demand[BAL_NRES] = {
    [BAL_RES_CPU] = { VK_CPU, 1 },
    [BAL_RES_IO] = { VK_IO, INFINITY },
    [BAL_RES_NET] = { VK_NET, INFINITY },
};

static const keydef link_keys[] = {
    { "bw", V_RATE, 0, 0, 1e12, true, OLINK(bw_Bps),
      "more than 0, at most 1000GB/s" },
    { "rtt", V_NUM, 0, 0, 100000, false, OLINK(rtt_ms), "0 to 100000" },
};
enum { LK_BW = 0, LK_RTT = 1 };

#define NKEYS(t) ((int)(sizeof(t) / sizeof((t)[0])))

/* Parses "KEY=VALUE" token val (the part after '=') for k into base. */
static int parse_value(parser *p, const keydef *k, const char *val,
                       void *base)
{
    char *field = (char *)base + k->off;
    const unit *units = NULL;
    const char *expect = NULL, *rest;
    double v;

    switch (k->kind) {
    case V_SEED: {
        uint64_t x = 0;
        const char *q = val;

        for (; *q >= '0' && *q <= '9'; q++) {
            uint64_t d = (uint64_t)(*q - '0');

            if (x > (UINT64_MAX - d) / 10) break;
            x = x * 10 + d;
        }
        if (q == val || *q)
            return perr(p, "%s=%s: not a whole number from %s", k->name,
                        val, k->range);
        memcpy(field, &x, sizeof(x));
        return 0;
    }
    case V_UUID: {
        char u[BAL__UUID_LEN + 1];
        size_t i, n = strlen(val);

        if (n != BAL__UUID_LEN)
            return perr(p, "uuid=%s: not a UUID (8-4-4-4-12 hex digits)",
                        val);
        /* Upper-case hex is the same UUID; xl prints lower case. */
        for (i = 0; i <= n; i++)
            u[i] = (char)(val[i] >= 'A' && val[i] <= 'F' ? val[i] + 32
                                                         : val[i]);
        if (!bal__uuid_valid(u))
            return perr(p, "uuid=%s: not a UUID (8-4-4-4-12 hex digits)",
                        val);
        if (!strcmp(u, "00000000-0000-0000-0000-000000000000"))
            return perr(p, "uuid=%s: the all-zero UUID is dom0's", val);
        memcpy(field, u, sizeof(u));
        return 0;
    }
    case V_LOAD: {
        char names[128];
        bal_load_type t;

        if (!bal__load_type_parse(val, &t)) {
            memcpy(field, &t, sizeof(t));
            return 0;
        }
        bal__load_type_names(names, sizeof(names));
        return perr(p, "load=%s: expected %s", val, names);
    }
    case V_POLICY: {
        bool c;

        if (!strcmp(val, "sequential")) c = false;
        else if (!strcmp(val, "concurrent")) c = true;
        else return perr(p, "policy=%s: expected sequential or concurrent",
                         val);
        memcpy(field, &c, sizeof(c));
        return 0;
    }
    case V_PATH: {
        size_t i, n = strlen(val);

        if (val[0] != '/' || n > BAL__SCN_PATH_MAX)
            return perr(p, "%s=%s: not an absolute path of at most %d bytes",
                        k->name, val, BAL__SCN_PATH_MAX);
        for (i = 0; i < n; i++)
            if ((unsigned char)val[i] < 0x20 || val[i] == 0x7f)
                return perr(p, "%s: a control character in the path",
                            k->name);
        memcpy(field, val, n + 1);
        return 0;
    }
    case V_HOST: {
        int h = bal__scenario_find_host(&p->s, val);

        if (h < 0)
            return perr(p, "host=%s: no such host (hosts are declared "
                        "before their VMs)", val);
        memcpy(field, &h, sizeof(h));
        return 0;
    }
    case V_SIZE: units = size_units; expect = "B, K, M, G or T"; break;
    case V_RATE:
        units = rate_units;
        expect = "B/s, KB/s, MB/s, GB/s, bit/s, Kbit/s, Mbit/s or Gbit/s";
        break;
    case V_FREQ: units = freq_units; expect = "Hz, kHz, MHz or GHz"; break;
    case V_OPS:
        units = ops_units;
        expect = "ops/s, Kops/s, Mops/s or Gops/s";
        break;
    case V_COUNT: case V_NUM: break;
    }

    if ((k->flags & K_MAX) && !strcmp(val, "max")) {
        v = INFINITY;
        memcpy(field, &v, sizeof(v));
        return 0;
    }
    if (!read_number(val, &v, &rest))
        return perr(p, "%s=%s: not a number", k->name, val);
    if (units) {
        const unit *u;

        if (!*rest)
            return perr(p, "%s=%s: needs a unit (%s)", k->name, val, expect);
        for (u = units; u->name && strcmp(u->name, rest); u++) {}
        if (!u->name)
            return perr(p, "%s=%s: unknown unit `%s' (expected %s)",
                        k->name, val, rest, expect);
        v *= u->mult;
    } else if (*rest) {
        return perr(p, "%s=%s: not a number", k->name, val);
    }
    if (k->kind == V_COUNT && v != floor(v))
        return perr(p, "%s=%s: not a whole number", k->name, val);
    if (v < k->min || (k->min_open && v == k->min) || v > k->max)
        return perr(p, "%s=%s: out of range (%s)", k->name, val, k->range);

    switch (k->kind) {
    case V_COUNT: {
        uint32_t x = (uint32_t)v;
        memcpy(field, &x, sizeof(x));
        break;
    }
    case V_SIZE: {
        /* Bytes are whole: 1.5K is 1536, 0.3K rounds to 307. */
        uint64_t x = (uint64_t)llround(v);

        if (!x) return perr(p, "%s=%s: out of range (%s)", k->name, val,
                            k->range);
        memcpy(field, &x, sizeof(x));
        break;
    }
    default:
        memcpy(field, &v, sizeof(v));
        break;
    }
    return 0;
}

/* Parses tok[0..n) as KEY=VALUE into base; *given_r gets one bit per key
 * of the table seen.  who ("host HostA") prefixes entity-level faults. */
static int parse_keys(parser *p, const keydef *keys, int nkeys,
                      char **tok, int n, void *base, unsigned *given_r,
                      const char *who)
{
    unsigned given = 0;
    int i, k, rc;

    for (i = 0; i < n; i++) {
        char *eq = strchr(tok[i], '=');

        if (!eq) return perr(p, "%s: `%s' is not KEY=VALUE", who, tok[i]);
        *eq = '\0';
        for (k = 0; k < nkeys && strcmp(keys[k].name, tok[i]); k++) {}
        if (k == nkeys) {
            if (!*tok[i])
                return perr(p, "%s: `=%s' has no key", who, eq + 1);
            return perr(p, "%s: unknown key `%s'", who, tok[i]);
        }
        if (given & (1u << k))
            return perr(p, "%s: key `%s' given twice", who, tok[i]);
        if (!eq[1]) return perr(p, "%s=: no value", tok[i]);
        rc = parse_value(p, &keys[k], eq + 1, base);
        if (rc) return rc;
        given |= 1u << k;
    }
    for (k = 0; k < nkeys; k++)
        if ((keys[k].flags & K_REQ) && !(given & (1u << k)))
            return perr(p, "%s: missing key `%s'", who, keys[k].name);
    *given_r = given;
    return 0;
}

/* The largest binary unit that is exact. */
const char *bal__scenario_fmt_size(char *buf, size_t n, uint64_t b)
{
    static const char u[] = "TGMK";
    int i;

    for (i = 0; i < 4; i++) {
        uint64_t m = 1ull << (10 * (4 - i));

        if (b && b % m == 0) {
            snprintf(buf, n, "%llu%c", (unsigned long long)(b / m), u[i]);
            return buf;
        }
    }
    snprintf(buf, n, "%lluB", (unsigned long long)b);
    return buf;
}

/* A host or VM name: what the keyword's second token may be. */
static int check_name(parser *p, const char *kw, const char *name)
{
    if (!name || strchr(name, '='))
        return perr(p, "%s: needs a name before its keys", kw);
    if (strlen(name) > BAL__SCN_NAME_MAX)
        return perr(p, "%s: name longer than %d bytes", kw,
                    BAL__SCN_NAME_MAX);
    return 0;
}

/* Grows *arr of *cap elements of sz bytes to hold need. */
static int grow(void **arr, int *cap, int need, size_t sz)
{
    void *n;
    int ncap = *cap ? *cap : 16;

    if (need <= *cap) return 0;
    while (ncap < need) ncap *= 2;
    n = realloc(*arr, (size_t)ncap * sz);
    if (!n) return BAL_ENOMEM;
    *arr = n;
    *cap = ncap;
    return 0;
}

/* ---- keywords ------------------------------------------------------------ */

static int kw_option(parser *p, char **tok, int n)
{
    bal__scn_options o = p->s.opt;
    unsigned given;
    int k, rc;

    rc = parse_keys(p, option_keys, NKEYS(option_keys), tok + 1, n - 1, &o,
                    &given, "option");
    if (rc) return rc;
    /* An option is the file's, wherever it stands: set once. */
    for (k = 0; k < NOPTS; k++)
        if ((given & (1u << k)) && p->opt_line[k])
            return perr(p, "option %s: already set at line %d",
                        option_keys[k].name, p->opt_line[k]);
    for (k = 0; k < NOPTS; k++)
        if (given & (1u << k)) p->opt_line[k] = p->line;
    p->s.opt = o;
    return 0;
}

static int kw_host(parser *p, char **tok, int n)
{
    bal__scn_host h;
    char who[BAL__SCN_NAME_MAX + 8], a[32], b[32];
    unsigned given;
    int dup, rc;

    rc = check_name(p, "host", n > 1 ? tok[1] : NULL);
    if (rc) return rc;
    snprintf(who, sizeof(who), "host %s", tok[1]);
    dup = bal__scenario_find_host(&p->s, tok[1]);
    if (dup >= 0)
        return perr(p, "%s: already declared at line %d", who,
                    p->s.hosts[dup].line);
    if (p->s.nhosts >= BAL__SCN_MAX_HOSTS)
        return perr(p, "more than %d hosts", BAL__SCN_MAX_HOSTS);

    memset(&h, 0, sizeof(h));
    rc = parse_keys(p, host_keys, NKEYS(host_keys), tok + 2, n - 2, &h,
                    &given, who);
    if (rc) return rc;
    if (!(given & (1u << HK_DOM0MEM))) h.dom0_mem_bytes = BAL__SCN_DEF_DOM0MEM;
    if (h.dom0_mem_bytes >= h.mem_bytes)
        return perr(p, "%s: dom0mem=%s leaves nothing of mem=%s", who,
                    bal__scenario_fmt_size(a, sizeof(a), h.dom0_mem_bytes),
                    bal__scenario_fmt_size(b, sizeof(b), h.mem_bytes));
    if (!(given & (1u << HK_DOM0CPU))) h.dom0cpu = -1;  /* the option's */
    if (!(given & (1u << HK_SPEED))) h.speed = -1;      /* the option's */
    h.line = p->line;

    rc = grow((void **)&p->s.hosts, &p->s.ahosts, p->s.nhosts + 1,
              sizeof(h));
    if (rc) return rc;
    h.name = strdup(tok[1]);
    if (!h.name) return BAL_ENOMEM;
    p->s.hosts[p->s.nhosts] = h;
    rc = imap_add(&p->s, &p->nm->hosts, p->s.nhosts);
    if (rc) {
        free(h.name);
        return rc;
    }
    p->s.nhosts++;
    return 0;
}

static int kw_vm(parser *p, char **tok, int n)
{
    bal__scn_vm v;
    bal__scn_host *h;
    char who[BAL__SCN_NAME_MAX + 8], a[32], b[32];
    unsigned given;
    int dup, rc, i;

    rc = check_name(p, "vm", n > 1 ? tok[1] : NULL);
    if (rc) return rc;
    snprintf(who, sizeof(who), "vm %s", tok[1]);
    dup = bal__scenario_find_vm(&p->s, tok[1]);
    if (dup >= 0)
        return perr(p, "%s: already declared at line %d", who,
                    p->s.vms[dup].line);
    if (p->s.nvms >= BAL__SCN_MAX_VMS)
        return perr(p, "more than %d VMs", BAL__SCN_MAX_VMS);

    memset(&v, 0, sizeof(v));
    rc = parse_keys(p, vm_keys, NKEYS(vm_keys), tok + 2, n - 2, &v, &given,
                    who);
    if (rc) return rc;

    /* The load's defaults for the demands not given: those of the
     * resources its type uses (base/loadtype.c). */
    for (i = 0; i < BAL_NRES; i++) {
        const keydef *k = &vm_keys[res_demand[i].key];

        if (!bal__type_uses(v.load, i) || (given & (1u << res_demand[i].key)))
            continue;
        if (bal__type_nres(v.load) > 1)
            return perr(p, "%s: load=%s needs %s=", who,
                        bal_load_type_name(v.load), k->name);
        memcpy((char *)&v + k->off, &res_demand[i].def, sizeof(double));
    }
    if (!(given & (1u << VK_IOCPU))) v.iocpu = -1;     /* the option's */
    if (!(given & (1u << VK_CACHEDIRTY))) v.cachedirty = -1;
    v.has_migfail = given & (1u << VK_MIGFAIL);

    /* A job's work is done by its demand: work without one never ends. */
    if (v.cpuwork > 0 && v.cpu == 0)
        return perr(p, "%s: cpuwork= needs a CPU demand (cpu= is 0)", who);
    if (v.iowork > 0 && v.io_Bps == 0)
        return perr(p, "%s: iowork= needs an I/O demand (io= is 0)", who);
    if (v.network > 0 && v.net_tx_Bps == 0 && v.net_rx_Bps == 0)
        return perr(p, "%s: network= needs a network demand (net= and "
                    "netrx= are 0)", who);
    if ((given & (1u << VK_START)) && !v.cpuwork && !v.iowork && !v.network)
        return perr(p, "%s: start= needs a job (cpuwork=, iowork= or "
                    "network=)", who);

    h = &p->s.hosts[v.host];
    if (h->nvms >= BAL__SCN_MAX_VMS_PER_HOST)
        return perr(p, "%s: host %s already has %d VMs, the most one host "
                    "may have", who, h->name, BAL__SCN_MAX_VMS_PER_HOST);
    if (h->dom0_mem_bytes + h->vm_mem_bytes + v.mem_bytes > h->mem_bytes)
        return perr(p, "%s: does not fit in host %s's memory (%s free of "
                    "%s)", who, h->name,
                    bal__scenario_fmt_size(a, sizeof(a), h->mem_bytes -
                                           h->dom0_mem_bytes - h->vm_mem_bytes),
                    bal__scenario_fmt_size(b, sizeof(b), h->mem_bytes));

    if (!(given & (1u << VK_UUID))) bal__scenario_name_uuid(v.uuid, tok[1]);
    v.line = p->line;

    rc = grow((void **)&p->s.vms, &p->s.avms, p->s.nvms + 1, sizeof(v));
    if (rc) return rc;
    /* Looked up in place: the index reads UUIDs from the vms array. */
    p->s.vms[p->s.nvms] = v;
    dup = nmap_find(&p->s, &p->nm->uuids, v.uuid);
    if (dup >= 0)
        return perr(p, "%s: uuid %s%s is already vm %s's (line %d)", who,
                    v.uuid, given & (1u << VK_UUID) ? "" :
                    " (made from its name)", p->s.vms[dup].name,
                    p->s.vms[dup].line);

    p->s.vms[p->s.nvms].name = strdup(tok[1]);
    if (!p->s.vms[p->s.nvms].name) return BAL_ENOMEM;
    rc = imap_add(&p->s, &p->nm->vms, p->s.nvms);
    if (!rc) rc = imap_add(&p->s, &p->nm->uuids, p->s.nvms);
    /* Counted even on failure, so that dispose frees the name; the
     * scratch scenario is thrown away then anyway. */
    p->s.nvms++;
    if (rc) return rc;
    h->nvms++;
    h->vm_mem_bytes += v.mem_bytes;
    return 0;
}

/* link A B KEY=VALUE...: the pair's migration link, both directions. */
static int kw_link(parser *p, char **tok, int n)
{
    bal__scn_link l;
    char who[2 * BAL__SCN_NAME_MAX + 8];
    unsigned given;
    int i, dup, rc;

    if (n < 3 || strchr(tok[1], '=') || strchr(tok[2], '='))
        return perr(p, "link: needs two host names before its keys");
    for (i = 1; i <= 2; i++)
        if (strlen(tok[i]) > BAL__SCN_NAME_MAX)
            return perr(p, "link: name longer than %d bytes",
                        BAL__SCN_NAME_MAX);
    snprintf(who, sizeof(who), "link %s %s", tok[1], tok[2]);
    memset(&l, 0, sizeof(l));
    l.a = bal__scenario_find_host(&p->s, tok[1]);
    l.b = bal__scenario_find_host(&p->s, tok[2]);
    if (l.a < 0 || l.b < 0)
        return perr(p, "%s: no such host `%s' (hosts are declared before "
                    "their links)", who, tok[l.a < 0 ? 1 : 2]);
    if (l.a == l.b)
        return perr(p, "%s: a link joins two different hosts", who);
    dup = lmap_find(&p->s, &p->nm->links, l.a, l.b);
    if (dup >= 0)
        return perr(p, "%s: already declared at line %d", who,
                    p->s.links[dup].line);
    rc = parse_keys(p, link_keys, NKEYS(link_keys), tok + 3, n - 3, &l,
                    &given, who);
    if (rc) return rc;
    if (!given)
        return perr(p, "%s: needs bw= or rtt=", who);
    if (!(given & (1u << LK_RTT))) l.rtt_ms = -1;      /* the option's */
    if (!(given & (1u << LK_BW))) l.bw_Bps = -1;       /* Table 2's */
    l.line = p->line;

    rc = grow((void **)&p->s.links, &p->s.alinks, p->s.nlinks + 1,
              sizeof(l));
    if (rc) return rc;
    p->s.links[p->s.nlinks] = l;
    rc = imap_add(&p->s, &p->nm->links, p->s.nlinks);
    if (rc) return rc;
    p->s.nlinks++;
    return 0;
}

static const struct {
    const char *name;
    int (*fn)(parser *p, char **tok, int n);
} keywords[] = {
    { "option", kw_option },
    { "host", kw_host },
    { "vm", kw_vm },
    { "link", kw_link },
};

const char *bal__scenario_key(const char *keyword, int i)
{
    const keydef *t = NULL;
    int n = 0;

    if (!keyword || i < 0) return NULL;
    if (!strcmp(keyword, "option")) { t = option_keys; n = NKEYS(option_keys); }
    else if (!strcmp(keyword, "host")) { t = host_keys; n = NKEYS(host_keys); }
    else if (!strcmp(keyword, "vm")) { t = vm_keys; n = NKEYS(vm_keys); }
    else if (!strcmp(keyword, "link")) { t = link_keys; n = NKEYS(link_keys); }
    return i < n ? t[i].name : NULL;
}

/* ---- lines --------------------------------------------------------------- */

/* Length of the UTF-8 sequence at s (n bytes left), 0 if invalid; *cp
 * gets the code point.  Overlong forms, surrogates and values past
 * U+10FFFF are invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0], min;
    size_t len, i;

    if (c < 0x80) { *cp = c; return 1; }
    if (c >= 0xc2 && c <= 0xdf) { len = 2; c &= 0x1f; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { len = 3; c &= 0x0f; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { len = 4; c &= 0x07; min = 0x10000; }
    else return 0;
    if (n < len) return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return 0;
    *cp = c;
    return len;
}

/* Checks and handles one line, s[0..n) without its newline. */
static int parse_line(parser *p, const char *s, size_t n)
{
    char buf[BAL__SCN_LINE_MAX + 1];
    char *tok[BAL__SCN_LINE_MAX / 2 + 1];
    int ntok = 0;
    size_t i, k;
    char *q;

    if (n && s[n - 1] == '\r') n--;        /* CRLF files */
    if (n > BAL__SCN_LINE_MAX)
        return perr(p, "line longer than %d bytes", BAL__SCN_LINE_MAX);
    for (i = 0; i < n; ) {
        unsigned cp;
        size_t len = utf8_seq((const unsigned char *)s + i, n - i, &cp);

        if (!len) return perr(p, "not valid UTF-8");
        /* C0 and C1 controls and DEL: invisible in names and messages. */
        if ((cp < 0x20 && cp != '\t') || (cp >= 0x7f && cp < 0xa0))
            return perr(p, "control character U+%04X", cp);
        i += len;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';

    for (q = buf; ; ) {
        while (*q == ' ' || *q == '\t') q++;
        if (!*q || *q == '#') break;         /* a token's '#' starts a comment */
        tok[ntok++] = q;
        while (*q && *q != ' ' && *q != '\t') q++;
        if (*q) *q++ = '\0';
    }
    if (!ntok) return 0;

    for (k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++)
        if (!strcmp(tok[0], keywords[k].name))
            return keywords[k].fn(p, tok, ntok);
    return perr(p, "unknown keyword `%s' (expected option, host, vm or "
                "link)", tok[0]);
}

int bal__scenario_parse(bal_ctx *ctx, const char *what, const char *text,
                        size_t len, bal__scenario *out)
{
    parser p;
    size_t pos = 0;
    int i, rc;

    memset(&p, 0, sizeof(p));
    bal__scenario_init(&p.s);
    p.ctx = ctx;
    p.what = what;
    if (!out || !what || (!text && len)) { rc = BAL_EINVAL; goto out; }

    p.nm = calloc(1, sizeof(*p.nm));
    if (!p.nm) { rc = BAL_ENOMEM; goto out; }
    p.s.names = p.nm;
    p.nm->hosts.key = host_key;
    p.nm->vms.key = vm_key;
    p.nm->uuids.key = uuid_key;
    p.s.source = strdup(what);
    if (!p.s.source) { rc = BAL_ENOMEM; goto out; }

    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;

        if (p.line == INT32_MAX) { rc = perr(&p, "too many lines"); goto out; }
        p.line++;
        rc = parse_line(&p, text + pos, end - pos);
        if (rc) goto out;
        pos = end + 1;
    }
    if (!p.s.nhosts) {
        BAL__ERR(ctx, "%s: no host declared", what);
        rc = BAL_ESCENARIO;
        goto out;
    }
    /* A VM that sends or receives as fast as it is given needs a NIC
     * that gives a finite amount wherever it may run. */
    for (i = 0; i < p.s.nvms; i++) {
        const bal__scn_vm *v = &p.s.vms[i];
        int h;

        if (isfinite(v->net_tx_Bps) && isfinite(v->net_rx_Bps)) continue;
        for (h = 0; h < p.s.nhosts && p.s.hosts[h].net_Bps > 0; h++) {}
        if (h == p.s.nhosts) continue;
        p.line = v->line;
        rc = perr(&p, "vm %s: %s=max needs every host's net= (host %s, "
                  "line %d, has none)", v->name,
                  isfinite(v->net_tx_Bps) ? "netrx" : "net",
                  p.s.hosts[h].name, p.s.hosts[h].line);
        goto out;
    }

    /* A gap between processes means nothing without a clock kept
     * across them. */
    if (p.opt_line[OPT_GAP] && !p.s.opt.clock[0]) {
        p.line = p.opt_line[OPT_GAP];
        rc = perr(&p, "option gap needs option clock=FILE (the clock kept "
                  "from one process to the next)");
        goto out;
    }

    /* Options hold wherever they stand in the file: applied last. */
    for (i = 0; i < p.s.nhosts; i++) {
        if (p.s.hosts[i].dom0cpu < 0) p.s.hosts[i].dom0cpu = p.s.opt.dom0cpu;
        if (p.s.hosts[i].speed < 0) p.s.hosts[i].speed = p.s.opt.speed;
    }
    for (i = 0; i < p.s.nvms; i++) {
        if (p.s.vms[i].iocpu < 0) p.s.vms[i].iocpu = p.s.opt.iocpu;
        if (p.s.vms[i].cachedirty < 0)
            p.s.vms[i].cachedirty = p.s.opt.cachedirty;
    }
    for (i = 0; i < p.s.nlinks; i++) {
        bal__scn_link *l = &p.s.links[i];

        if (l->rtt_ms < 0) l->rtt_ms = p.s.opt.rtt_ms;
        if (l->bw_Bps < 0) l->bw_Bps = bal__scenario_rtt_Bps(l->rtt_ms);
    }

    bal__scenario_dispose(out);
    *out = p.s;
    bal__scenario_init(&p.s);
    rc = 0;

out:
    bal__scenario_dispose(&p.s);    /* frees p.nm too, unless moved */
    return rc;
}

int bal__scenario_load(bal_ctx *ctx, const char *path, bal__scenario *out)
{
    char *text = NULL;
    size_t len = 0;
    int rc;

    rc = bal__read_file(ctx, path, BAL__SCN_FILE_MAX, &text, &len);
    if (rc) goto out;
    rc = bal__scenario_parse(ctx, path, text, len, out);

out:
    free(text);
    return rc;
}
