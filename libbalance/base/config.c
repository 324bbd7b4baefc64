/*
 * config.c - the configuration's keys, defaults and the getters and
 * setters of libbalance.h.  Pure: no Xen header, so that programs and
 * seam tests that never read a file (no libxlutil) can have defaults.
 * Reading a file is config_xlu.c's job.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "state_private.h"

/* The default lists are static: bal__config_defaults cannot fail, and
 * dispose frees a list only when it is not its key's default. */
static char *default_hosts[] = { NULL };
static char *default_empty[] = { NULL };
static char *default_transport[] = { BAL__TRANSPORT_DEFAULT, NULL };
static char *default_peer_command[] = {
    "xl-balance", "sample", "--json", "--local", NULL
};

/* A list's items as the file writes them: "a", "b" from "a", "b". */
#define STR_(...) #__VA_ARGS__
#define STR(...) STR_(__VA_ARGS__)

#define OFF(field) offsetof(struct bal_config, field)
#define NOCOUNT 0

/* Every key.  Decimals are written in quotes in the file: xl's lexer
 * reads a bare 0.25 as the number 0 followed by a lexical error. */
const bal__config_key bal__config_keys[] = {
    { "hosts", BAL__CK_LIST, BAL__CK_HOSTNAME, "[]", 0, 0, 0, false, 1,
      OFF(hosts), OFF(nhosts), "host names",
      "the cluster's dom0s, as the transport reaches them; [] is just this "
      "host", default_hosts },
    { "local_host", BAL__CK_STRING, BAL__CK_HOSTNAME, NULL, 0, 0, 0, false,
      1, OFF(local_host), NOCOUNT, "a host name",
      "this dom0's name in hosts (default: its uname nodename)", NULL },
    { "transport", BAL__CK_LIST, BAL__CK_NONEMPTY,
      "[" STR(BAL__TRANSPORT_DEFAULT) "]", 0, 0, 0, false, 1,
      OFF(transport), OFF(ntransport), "non-empty list",
      "command that reaches a peer; the host name and peer_command follow "
      "it", default_transport },
    { "peer_command", BAL__CK_LIST, BAL__CK_NONEMPTY,
      "[\"xl-balance\", \"sample\", \"--json\", \"--local\"]", 0, 0, 0,
      false, 1, OFF(peer_command), OFF(npeer_command), "non-empty list",
      "command run on a peer; it prints that peer's sample as JSON",
      default_peer_command },
    { "peer_timeout", BAL__CK_REAL, 0, "30", 30, 1, 3600, false, 1,
      OFF(peer_timeout), NOCOUNT, "1 to 3600",
      "seconds a peer has to answer, connecting included", NULL },
    /* Each asked peer is an ssh process and its connection: 256 keeps
     * a management host's file descriptors and process table in bounds. */
    { "peer_parallel", BAL__CK_INT, 0, "8", 8, 1, 256, false, 1,
      OFF(peer_parallel), NOCOUNT, "1 to 256",
      "peers asked at once for their samples, each within peer_timeout",
      NULL },
    /* At least a millisecond: below, two samples can carry one clock
     * reading, and every rate is skipped. */
    { "sample_interval", BAL__CK_REAL, 0, "5", 5, 0.001, 3600, false, 1,
      OFF(interval), NOCOUNT, "0.001 to 3600",
      "seconds between two samples (decimals in quotes: \"0.5\")", NULL },
    { "sample_count", BAL__CK_INT, 0, "3", 3, 2, 1000, false, 1,
      OFF(samples), NOCOUNT, "2 to 1000",
      "samples taken per status; rates need at least two", NULL },
    { "disk_mbps", BAL__CK_REAL, 0, "100", 100, 0, 1e6, true, 1e6,
      OFF(disk_Bps), NOCOUNT, "more than 0, at most 1000000",
      "MB/s of a host's disk path, for hosts that do not report theirs",
      NULL },
    { "disk_iops", BAL__CK_REAL, 0, "2000", 2000, 0, 1e9, true, 1,
      OFF(disk_iops), NOCOUNT, "more than 0, at most 1000000000",
      "I/O requests per second a host's disk path sustains, when not "
      "reported", NULL },
    { "net_mbps", BAL__CK_REAL, 0, "1000", 1000, 0, 1e7, true, 1e6 / 8,
      OFF(net_Bps), NOCOUNT, "more than 0, at most 10000000",
      "Mbit/s of a host's NIC, when not reported", NULL },
    { "cpu_high", BAL__CK_REAL, 0, "\"0.25\"", 0.25, 0, 1, false, 1,
      OFF(classify.high[BAL_RES_CPU]), NOCOUNT, "0 to 1, above cpu_low",
      "CPU level (fraction of the CPUs a VM may use) from which it is "
      "CPU-heavy", NULL },
    { "cpu_low", BAL__CK_REAL, 0, "\"0.02\"", 0.02, 0, 1, false, 1,
      OFF(classify.low[BAL_RES_CPU]), NOCOUNT, "0 to 1, below cpu_high",
      "CPU level under which (with io and net under theirs) a VM is idle", NULL },
    { "io_high", BAL__CK_REAL, 0, "\"0.05\"", 0.05, 0, 1, false, 1,
      OFF(classify.high[BAL_RES_IO]), NOCOUNT, "0 to 1, above io_low",
      "disk level (fraction of the host's disk path) from which a VM is "
      "I/O-heavy", NULL },
    { "io_low", BAL__CK_REAL, 0, "\"0.005\"", 0.005, 0, 1, false, 1,
      OFF(classify.low[BAL_RES_IO]), NOCOUNT, "0 to 1, below io_high",
      "disk level under which (with cpu and net under theirs) a VM is idle", NULL },
    { "net_high", BAL__CK_REAL, 0, "\"0.1\"", 0.1, 0, 1, false, 1,
      OFF(classify.high[BAL_RES_NET]), NOCOUNT, "0 to 1, above net_low",
      "network level (fraction of the host's NIC, bytes received and "
      "sent) from which a VM is network-heavy", NULL },
    { "net_low", BAL__CK_REAL, 0, "\"0.01\"", 0.01, 0, 1, false, 1,
      OFF(classify.low[BAL_RES_NET]), NOCOUNT, "0 to 1, below net_high",
      "network level under which (with cpu and io under theirs) a VM is "
      "idle", NULL },
    { "ewma_alpha", BAL__CK_REAL, 0, "\"0.5\"", 0.5, 0, 1, true, 1,
      OFF(classify.alpha), NOCOUNT, "more than 0, at most 1",
      "weight of the newest sample in the smoothed levels (1: none)", NULL },
    { "classify_hold", BAL__CK_INT, 0, "3", 3, 1, 100, false, 1,
      OFF(classify.hold), NOCOUNT, "1 to 100",
      "samples a new load type must persist before it is reported", NULL },
    /* Tens of minutes: a timer runs every few minutes, so a type stands
     * on several runs' exact averages, and a burst of seconds between
     * two of them weighs seconds in it (doc/classify.md, "Observations
     * that outlive a run").  0 keeps nothing: each run starts afresh. */
    { "type_window", BAL__CK_REAL, 0, "1800", 1800, 0, 604800, false, 1,
      OFF(classify.window), NOCOUNT, "0 to 604800",
      "seconds of the time-decayed window a load type reflects across "
      "runs, kept in state_dir (0: each run starts afresh)", NULL },
    { "state_dir", BAL__CK_STRING, 0, "\"" BAL__DEFAULT_STATE_DIR "\"", 0, 0,
      0, false, 1, OFF(state_dir), NOCOUNT, "an absolute path",
      "directory of rebalance's journal and migration history (created "
      "0700)", NULL },
    { "lock_file", BAL__CK_STRING, 0, "\"" BAL__DEFAULT_LOCK_FILE "\"", 0, 0,
      0, false, 1, OFF(lock_file), NOCOUNT, "an absolute path",
      "file rebalance locks (flock) so that two runs never overlap", NULL },
    /* The planner's.  Seconds up to a year: beyond that nothing is
     * predicted anyway. */
    { "horizon", BAL__CK_REAL, 0, "3600", 3600, 0, 31536000, true, 1,
      OFF(horizon_s), NOCOUNT, "more than 0, at most 31536000",
      "seconds ahead the planner counts work: a migration must pay for "
      "itself within them", NULL },
    { "max_moves", BAL__CK_INT, 0, "8", 8, 0, 10000, false, 1,
      OFF(max_moves), NOCOUNT, "0 to 10000",
      "migrations in one plan at most (--max-moves overrides it)", NULL },
    { "pinned", BAL__CK_LIST, BAL__CK_VMS, "[]", 0, 0, 0, false, 1,
      OFF(pinned), OFF(npinned), "VM names or UUIDs",
      "VMs the planner never moves", default_empty },
    { "anti_affinity", BAL__CK_LIST, BAL__CK_GROUPS, "[]", 0, 0, 0, false, 1,
      OFF(anti_affinity), OFF(nanti_affinity), "groups \"vmA,vmB,...\"",
      "groups of VMs (names or UUIDs, comma-separated) the planner never "
      "puts together on one host", default_empty },
    { "drained", BAL__CK_LIST, BAL__CK_HOSTNAME, "[]", 0, 0, 0, false, 1,
      OFF(drained), OFF(ndrained), "host names",
      "hosts to empty: their VMs leave, none arrives", default_empty },
    { "storage", BAL__CK_LIST, BAL__CK_STORAGE, "[]", 0, 0, 0, false, 1,
      OFF(storage), OFF(nstorage), "entries \"host:storageA,storageB\"",
      "the storages each host reaches; a VM moves only to hosts that reach "
      "every storage of its host ([]: all hosts share one)", default_empty },
    { "must_run_on", BAL__CK_LIST, BAL__CK_RULES, "[]", 0, 0, 0, false, 1,
      OFF(must_run_on), OFF(nmust_run_on), "entries \"vmA,vmB=hostA,hostB\"",
      "VMs (names or UUIDs) that may run only on the hosts after '=': "
      "never moved elsewhere, moved there when they are not", default_empty },
    { "should_run_on", BAL__CK_LIST, BAL__CK_RULES, "[]", 0, 0, 0, false, 1,
      OFF(should_run_on), OFF(nshould_run_on),
      "entries \"vmA,vmB=hostA,hostB\"",
      "VMs the planner keeps on the hosts after '=' when it can: moved "
      "elsewhere only off a drained host none of those can take",
      default_empty },
    { "keep_together", BAL__CK_LIST, BAL__CK_GROUPS, "[]", 0, 0, 0, false, 1,
      OFF(keep_together), OFF(nkeep_together), "groups \"vmA,vmB,...\"",
      "groups of VMs (names or UUIDs, comma-separated) the planner never "
      "parts: one moves only to where the rest of its group runs",
      default_empty },
    { "cooldown", BAL__CK_REAL, 0, "900", 900, 0, 31536000, false, 1,
      OFF(cooldown_s), NOCOUNT, "0 to 31536000",
      "seconds a VM stays where a migration put it", NULL },
    { "pingpong_window", BAL__CK_REAL, 0, "86400", 86400, 0, 31536000, false,
      1, OFF(pingpong_s), NOCOUNT, "0 to 31536000",
      "seconds within which a VM is never moved back to the host it came "
      "from", NULL },
    { "move_margin", BAL__CK_REAL, 0, "\"0.1\"", 0.1, 0, 10, false, 1,
      OFF(move_margin), NOCOUNT, "0 to 10",
      "fair utility each migration must add per second beyond paying for "
      "itself (0.1: about one VM's share of its demand up by 10%)", NULL },
    { "migcpu", BAL__CK_REAL, 0, "\"0.00959\"", 0.00959, 0, 10, false, 1,
      OFF(migcpu), NOCOUNT, "0 to 10",
      "dom0 CPU-seconds per 10^6 bytes a migration sends or receives, at "
      "each end", NULL },
    { "rtt_ms", BAL__CK_REAL, 0, "4", 4, 0, 10000, false, 1,
      OFF(rtt_ms), NOCOUNT, "0 to 10000",
      "round-trip time between hosts in ms, which sets a migration's link "
      "bandwidth", NULL },
    { "max_per_host", BAL__CK_INT, 0, "1", 1, 1, 100, false, 1,
      OFF(max_per_host), NOCOUNT, "1 to 100",
      "migrations one host takes part in at once", NULL },
    { "max_per_link", BAL__CK_INT, 0, "1", 1, 1, 100, false, 1,
      OFF(max_per_link), NOCOUNT, "1 to 100",
      "migrations between one pair of hosts at once", NULL },
    { "dirty_mbps", BAL__CK_REAL, 0, "0", 0, 0, 1e6, false, 1e6,
      OFF(dirty_Bps), NOCOUNT, "0 to 1000000",
      "MB/s of memory a running VM is taken to dirty, beyond the page cache "
      "its reads fill (for a migration's pre-copy)", NULL },
    { "link_history", BAL__CK_INT, 0, "5", 5, 0, 100, false, 1,
      OFF(link_history), NOCOUNT, "0 to 100",
      "measured migrations per host pair whose median rate replaces the "
      "modelled bandwidth of that pair (0: learn nothing)", NULL },
    /* Operations (doc/config.md, "Metrics and notifications"). */
    { "metrics_textfile", BAL__CK_STRING, BAL__CK_PROMFILE, "\"\"", 0, 0, 0,
      false, 1, OFF(metrics_textfile), NOCOUNT,
      "\"\" or an absolute path ending in .prom",
      "file every status, plan and rebalance replaces with its metrics in "
      "Prometheus's text format, for node_exporter's textfile collector "
      "(\"\": none)", NULL },
    { "notify_command", BAL__CK_LIST, 0, "[]", 0, 0, 0, false, 1,
      OFF(notify_command), OFF(nnotify_command), "a command and its arguments",
      "program run (no shell) after a rebalance that moved, failed or found "
      "an undefined state, its JSON report on stdin ([]: none)",
      default_empty },
    { "notify_timeout", BAL__CK_REAL, 0, "30", 30, 1, 3600, false, 1,
      OFF(notify_timeout), NOCOUNT, "1 to 3600",
      "seconds notify_command may run before it is stopped", NULL },
};

const int bal__config_nkeys =
    (int)(sizeof(bal__config_keys) / sizeof(bal__config_keys[0]));

const bal__config_key *bal__config_key_find(const char *name)
{
    int i;

    for (i = 0; i < bal__config_nkeys; i++)
        if (!strcmp(bal__config_keys[i].name, name))
            return &bal__config_keys[i];
    return NULL;
}

const char *bal__config_shown(char *buf, size_t size, const char *s)
{
    size_t o = 0;

    for (; *s && o + 8 < size; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '\n') { buf[o++] = '\\'; buf[o++] = 'n'; }
        else if (c == '\t') { buf[o++] = '\\'; buf[o++] = 't'; }
        else if (c == '\r') { buf[o++] = '\\'; buf[o++] = 'r'; }
        /* Bytes past ASCII too: a value that is not UTF-8 (or holds a
         * C1 control) must not reach a terminal or syslog raw.  Host
         * names, what most messages show, are ASCII anyway. */
        else if (c < 0x20 || c >= 0x7f) {
            snprintf(buf + o, size - o, "\\x%02x", c);
            o += 4;
        } else buf[o++] = (char)c;
    }
    if (*s) { memcpy(buf + o, "...", 3); o += 3; }
    buf[o] = '\0';
    return buf;
}

/* Decimal numbers only: strtod alone would also take hex, "inf", "nan"
 * and leading blanks. */
static bool parse_number(const char *s, double *out)
{
    char *end;
    double v;

    if (!*s || strspn(s, "0123456789.eE+-") != strlen(s)) return false;
    errno = 0;
    v = strtod(s, &end);
    if (*end || errno || !isfinite(v)) return false;
    *out = v;
    return true;
}

int bal__config_key_parse(bal_ctx *ctx, const char *where, int line,
                          const char *name, const bal__config_key *k,
                          const char *s, double *v_r)
{
    char at[32] = "", sbuf[BAL__CONFIG_SHOWN_MAX];
    double v;

    if (line > 0) snprintf(at, sizeof(at), ":%d", line);
    bal__config_shown(sbuf, sizeof(sbuf), s);
    if (!parse_number(s, &v)) {
        BAL__ERR(ctx, "%s%s: %s: `%s' is not a number", where, at, name,
                 sbuf);
        return BAL_ECONFIG;
    }
    if (k->type == BAL__CK_INT && v != floor(v)) {
        BAL__ERR(ctx, "%s%s: %s: `%s' is not a whole number", where, at,
                 name, sbuf);
        return BAL_ECONFIG;
    }
    if (!bal__config_key_in_range(k, v)) {
        BAL__ERR(ctx, "%s%s: %s: %s is out of range (%s)", where, at, name,
                 sbuf, k->range);
        return BAL_ECONFIG;
    }
    *v_r = v;
    return 0;
}

bool bal__config_key_in_range(const bal__config_key *k, double v)
{
    if (!isfinite(v)) return false;
    if (k->min_open ? !(v > k->min) : !(v >= k->min)) return false;
    return v <= k->max;
}

static void *field(struct bal_config *cfg, size_t off)
{
    return (char *)cfg + off;
}

void bal__config_key_store(const bal__config_key *k, struct bal_config *cfg,
                           double v)
{
    if (k->type == BAL__CK_INT)
        *(int *)field(cfg, k->off) = (int)v;
    else if (k->type == BAL__CK_REAL)
        *(double *)field(cfg, k->off) = v * k->scale;
}

bool bal__config_host_valid(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n >= BAL__HOST_MAX || s[0] == '-') return false;
    return strspn(s, "abcdefghijklmnopqrstuvwxyz"
                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789._:-") == n;
}

bool bal__config_storage_valid(const char *s)
{
    size_t n = strlen(s);

    return n > 0 && n < 64 &&
           strspn(s, "abcdefghijklmnopqrstuvwxyz"
                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789._-") == n;
}

/* s[0..n) with blanks on both ends cut, as a new string. */
static char *trimmed(const char *s, size_t n)
{
    char *t;

    while (n && (*s == ' ' || *s == '\t')) { s++; n--; }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    t = malloc(n + 1);
    if (!t) return NULL;
    memcpy(t, s, n);
    t[n] = '\0';
    return t;
}

int bal__config_split_group(const char *entry, char ***v_r, int *n_r)
{
    const char *p, *c;
    char **v;
    int n = 1, i = 0;

    for (p = entry; *p; p++) n += *p == ',';
    v = calloc((size_t)n + 1, sizeof(*v));
    if (!v) return BAL_ENOMEM;
    for (p = entry;; p = c + 1) {
        c = strchr(p, ',');
        v[i] = trimmed(p, c ? (size_t)(c - p) : strlen(p));
        if (!v[i]) {
            bal__strv_free(v);
            return BAL_ENOMEM;
        }
        i++;
        if (!c) break;
    }
    *v_r = v;
    *n_r = n;
    return 0;
}

int bal__config_split_storage(const char *entry, char *host_r, char ***v_r,
                              int *n_r)
{
    /* The last ':': host names may hold colons (fe80::1), storage names
     * may not. */
    const char *colon = strrchr(entry, ':');
    char *h;

    if (!colon) return BAL_EINVAL;
    h = trimmed(entry, (size_t)(colon - entry));
    if (!h) return BAL_ENOMEM;
    snprintf(host_r, BAL__HOST_MAX, "%s", h);
    free(h);
    return bal__config_split_group(colon + 1, v_r, n_r);
}

int bal__config_split_rule(const char *entry, char ***vms_r, int *nvms_r,
                           char ***hosts_r, int *nhosts_r)
{
    const char *eq = strchr(entry, '=');
    char *left;
    int rc;

    *vms_r = *hosts_r = NULL;
    *nvms_r = *nhosts_r = 0;
    if (!eq) return BAL_EINVAL;
    left = strndup(entry, (size_t)(eq - entry));
    if (!left) return BAL_ENOMEM;
    rc = bal__config_split_group(left, vms_r, nvms_r);
    free(left);
    if (rc) return rc;
    rc = bal__config_split_group(eq + 1, hosts_r, nhosts_r);
    if (rc) {
        bal__strv_free(*vms_r);
        *vms_r = NULL;
        *nvms_r = 0;
    }
    return rc;
}

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return true;
    return false;
}

/* A VM's name or UUID as a domain name may be: what xl accepts. */
static bool vm_ref_check(const bal__config_key *k, const char *what,
                         const char *s, char *why, size_t size)
{
    char b[80];

    if (!*s) {
        snprintf(why, size, "%s: %s: an empty VM name", k->name, what);
        return false;
    }
    if (strlen(s) >= BAL__NAME_MAX) {
        snprintf(why, size, "%s: %s: `%s' is longer than %d characters",
                 k->name, what, bal__shown(s, b, sizeof(b)),
                 BAL__NAME_MAX - 1);
        return false;
    }
    if (has_control(s)) {
        snprintf(why, size, "%s: %s: `%s' holds a control character",
                 k->name, what, bal__shown(s, b, sizeof(b)));
        return false;
    }
    return true;
}

static int check_groups(const bal__config_key *k, const char *const *items,
                        int n, char *why, size_t size)
{
    char ***g = calloc((size_t)n + 1, sizeof(*g)), what[32], b[80];
    int *gn = calloc((size_t)n + 1, sizeof(*gn));
    int i, j, a, c, rc = 0;

    if (!g || !gn) { rc = BAL_ENOMEM; goto out; }
    for (i = 0; i < n && !rc; i++) {
        snprintf(what, sizeof(what), "entry %d", i + 1);
        rc = bal__config_split_group(items[i], &g[i], &gn[i]);
        if (rc) goto out;
        for (a = 0; a < gn[i] && !rc; a++) {
            if (!vm_ref_check(k, what, g[i][a], why, size)) {
                rc = BAL_ECONFIG;
                break;
            }
            for (c = 0; c < a; c++)
                if (!strcmp(g[i][c], g[i][a])) {
                    snprintf(why, size, "%s: %s: `%s' is listed twice",
                             k->name, what, bal__shown(g[i][a], b, sizeof(b)));
                    rc = BAL_ECONFIG;
                    break;
                }
            for (j = 0; j < i && !rc; j++)
                for (c = 0; c < gn[j]; c++)
                    if (!strcmp(g[j][c], g[i][a])) {
                        snprintf(why, size, "%s: `%s' is in entries %d and "
                                 "%d (a VM may be in one group)", k->name,
                                 bal__shown(g[i][a], b, sizeof(b)), j + 1,
                                 i + 1);
                        rc = BAL_ECONFIG;
                        break;
                    }
        }
        if (!rc && gn[i] < 2) {
            snprintf(why, size, "%s: %s: `%s' is one VM; a group needs two "
                     "or more, separated by commas", k->name, what,
                     bal__shown(items[i], b, sizeof(b)));
            rc = BAL_ECONFIG;
        }
    }
out:
    for (i = 0; g && i < n; i++) bal__strv_free(g[i]);
    free(g);
    free(gn);
    return rc;
}

static int check_storage(const bal__config_key *k, const char *const *items,
                         int n, char *why, size_t size)
{
    char (*hosts)[BAL__HOST_MAX] = calloc((size_t)n + 1, sizeof(*hosts));
    char *names[BAL__CONFIG_MAX_STORAGES + 1], **v = NULL, b[80];
    int nnames = 0, i, j, a, nv = 0, rc = 0;

    if (!hosts) return BAL_ENOMEM;
    for (i = 0; i < n && !rc; i++) {
        rc = bal__config_split_storage(items[i], hosts[i], &v, &nv);
        if (rc == BAL_EINVAL) {
            snprintf(why, size, "%s: entry %d: `%s' is not "
                     "HOST:STORAGE[,STORAGE...]", k->name, i + 1,
                     bal__shown(items[i], b, sizeof(b)));
            rc = BAL_ECONFIG;
            break;
        }
        if (rc) break;
        if (!bal__config_host_valid(hosts[i])) {
            snprintf(why, size, "%s: entry %d: `%s' is not a host name",
                     k->name, i + 1, bal__shown(hosts[i], b, sizeof(b)));
            rc = BAL_ECONFIG;
        }
        for (j = 0; j < i && !rc; j++)
            if (!strcmp(hosts[j], hosts[i])) {
                snprintf(why, size, "%s: host `%s' is listed twice (entries "
                         "%d and %d)", k->name, hosts[i], j + 1, i + 1);
                rc = BAL_ECONFIG;
            }
        for (a = 0; a < nv && !rc; a++) {
            if (!bal__config_storage_valid(v[a])) {
                snprintf(why, size, "%s: entry %d: `%s' is not a storage "
                         "name (1 to 63 letters, digits, '.', '-' and '_')",
                         k->name, i + 1, bal__shown(v[a], b, sizeof(b)));
                rc = BAL_ECONFIG;
                break;
            }
            for (j = 0; j < nnames; j++)
                if (!strcmp(names[j], v[a])) break;
            if (j < nnames) continue;
            if (nnames == BAL__CONFIG_MAX_STORAGES) {
                snprintf(why, size, "%s: more than %d storages", k->name,
                         BAL__CONFIG_MAX_STORAGES);
                rc = BAL_ECONFIG;
                break;
            }
            names[nnames] = strdup(v[a]);
            if (!names[nnames]) { rc = BAL_ENOMEM; break; }
            nnames++;
        }
        bal__strv_free(v);
        v = NULL;
    }
    for (j = 0; j < nnames; j++) free(names[j]);
    free(hosts);
    return rc;
}

/* The host part of rule entry e, blanks cut: what tells host sets apart
 * (the same hosts written in another order make another set, which only
 * costs a bit). */
static const char *rule_hosts(const char *e)
{
    e = strchr(e, '=') + 1;
    while (*e == ' ' || *e == '\t') e++;
    return e;
}

static int check_rules(const bal__config_key *k, const char *const *items,
                       int n, char *why, size_t size)
{
    char **vms = NULL, **hosts = NULL, **seen = NULL, what[32], b[80];
    int nvms = 0, nhosts = 0, nseen = 0, nsets = 0, i, j, a, c, rc = 0;

    seen = calloc(1, sizeof(*seen));
    if (!seen) return BAL_ENOMEM;
    for (i = 0; i < n && !rc; i++) {
        snprintf(what, sizeof(what), "entry %d", i + 1);
        rc = bal__config_split_rule(items[i], &vms, &nvms, &hosts, &nhosts);
        if (rc == BAL_EINVAL) {
            snprintf(why, size, "%s: %s: `%s' is not VM[,VM...]=HOST[,HOST...]",
                     k->name, what, bal__shown(items[i], b, sizeof(b)));
            rc = BAL_ECONFIG;
            break;
        }
        if (rc) break;
        for (a = 0; a < nvms && !rc; a++) {
            if (!vm_ref_check(k, what, vms[a], why, size)) {
                rc = BAL_ECONFIG;
                break;
            }
            for (c = 0; c < nseen; c++)
                if (!strcmp(seen[c], vms[a])) break;
            if (c < nseen) {
                snprintf(why, size, "%s: `%s' is named twice (a VM may be "
                         "in one entry)", k->name,
                         bal__shown(vms[a], b, sizeof(b)));
                rc = BAL_ECONFIG;
                break;
            }
            /* seen grows by the VMs of each entry: room for them. */
            {
                char **g = realloc(seen, ((size_t)nseen + 2) * sizeof(*g));

                if (!g) { rc = BAL_ENOMEM; break; }
                seen = g;
                seen[nseen] = strdup(vms[a]);
                if (!seen[nseen]) { rc = BAL_ENOMEM; break; }
                seen[++nseen] = NULL;
            }
        }
        for (a = 0; a < nhosts && !rc; a++) {
            if (!bal__config_host_valid(hosts[a])) {
                snprintf(why, size, "%s: %s: `%s' is not a host name",
                         k->name, what, bal__shown(hosts[a], b, sizeof(b)));
                rc = BAL_ECONFIG;
                break;
            }
            for (c = 0; c < a; c++)
                if (!strcmp(hosts[c], hosts[a])) {
                    snprintf(why, size, "%s: %s: host `%s' is listed twice",
                             k->name, what, hosts[a]);
                    rc = BAL_ECONFIG;
                    break;
                }
        }
        if (!rc) {
            for (j = 0; j < i; j++)
                if (!strcmp(rule_hosts(items[j]), rule_hosts(items[i])))
                    break;
            if (j == i && ++nsets > BAL__CONFIG_MAX_HOST_SETS) {
                snprintf(why, size, "%s: more than %d different host sets",
                         k->name, BAL__CONFIG_MAX_HOST_SETS);
                rc = BAL_ECONFIG;
            }
        }
        bal__strv_free(vms);
        bal__strv_free(hosts);
        vms = hosts = NULL;
    }
    bal__strv_free(vms);
    bal__strv_free(hosts);
    bal__strv_free(seen);
    return rc;
}

int bal__config_check_list(const bal__config_key *k, const char *const *items,
                           int n, char *why, size_t size)
{
    char what[32], b[80];
    int i, j;

    if (k->flags & BAL__CK_GROUPS) return check_groups(k, items, n, why, size);
    if (k->flags & BAL__CK_STORAGE)
        return check_storage(k, items, n, why, size);
    if (k->flags & BAL__CK_RULES) return check_rules(k, items, n, why, size);
    if (!(k->flags & BAL__CK_VMS)) return 0;
    for (i = 0; i < n; i++) {
        snprintf(what, sizeof(what), "entry %d", i + 1);
        if (!vm_ref_check(k, what, items[i], why, size)) return BAL_ECONFIG;
        for (j = 0; j < i; j++)
            if (!strcmp(items[j], items[i])) {
                snprintf(why, size, "%s: `%s' is listed twice", k->name,
                         bal__shown(items[i], b, sizeof(b)));
                return BAL_ECONFIG;
            }
    }
    return 0;
}

void bal__config_defaults(struct bal_config *cfg)
{
    int i;

    memset(cfg, 0, sizeof(*cfg));
    for (i = 0; i < bal__config_nkeys; i++) {
        const bal__config_key *k = &bal__config_keys[i];

        switch (k->type) {
        case BAL__CK_INT:
        case BAL__CK_REAL:
            bal__config_key_store(k, cfg, k->defval);
            break;
        case BAL__CK_STRING:
            *(char **)field(cfg, k->off) = NULL;
            break;
        case BAL__CK_LIST: {
            int n = 0;

            while (k->deflist[n]) n++;
            *(char ***)field(cfg, k->off) = k->deflist;
            *(int *)field(cfg, k->count_off) = n;
            break;
        }
        }
    }
}

void bal__config_dispose(struct bal_config *cfg)
{
    int i;

    if (!cfg) return;
    free(cfg->source);
    bal__state_private_remove(cfg->private_dir);
    free(cfg->private_dir);
    for (i = 0; i < bal__config_nkeys; i++) {
        const bal__config_key *k = &bal__config_keys[i];

        if (k->type == BAL__CK_STRING) {
            free(*(char **)field(cfg, k->off));
        } else if (k->type == BAL__CK_LIST) {
            char **v = *(char ***)field(cfg, k->off);

            if (v != k->deflist) bal__strv_free(v);
        }
    }
    /* A disposed config owns nothing; disposing it again is harmless. */
    memset(cfg, 0, sizeof(*cfg));
}

int bal__config_copy(struct bal_config *out, const struct bal_config *src)
{
    int i;

    *out = *src;
    /* First make out own nothing, so a failure half-way can dispose it. */
    out->source = NULL;
    out->private_dir = NULL;
    for (i = 0; i < bal__config_nkeys; i++) {
        const bal__config_key *k = &bal__config_keys[i];

        if (k->type == BAL__CK_STRING || k->type == BAL__CK_LIST)
            *(void **)field(out, k->off) = NULL;
    }

    if (src->source && !(out->source = strdup(src->source))) goto nomem;
    for (i = 0; i < bal__config_nkeys; i++) {
        const bal__config_key *k = &bal__config_keys[i];
        const struct bal_config *s = src;

        if (k->type == BAL__CK_STRING) {
            const char *v = *(char *const *)((const char *)s + k->off);

            if (v && !(*(char **)field(out, k->off) = strdup(v)))
                goto nomem;
        } else if (k->type == BAL__CK_LIST) {
            char **v = *(char **const *)((const char *)s + k->off);
            int n = *(const int *)((const char *)s + k->count_off);
            char **c = v;

            if (v && v != k->deflist && !(c = bal__strv_dup(v, n)))
                goto nomem;
            *(char ***)field(out, k->off) = c;
        }
    }
    return 0;

nomem:
    bal__config_dispose(out);
    return BAL_ENOMEM;
}

int bal__config_set_list(const bal__config_key *k, struct bal_config *cfg,
                         char *const *v, int n)
{
    char **c = bal__strv_dup(v, n), **old;

    if (!c) return BAL_ENOMEM;
    old = *(char ***)field(cfg, k->off);
    if (old != k->deflist) bal__strv_free(old);
    *(char ***)field(cfg, k->off) = c;
    *(int *)field(cfg, k->count_off) = n;
    return 0;
}

int bal__config_set_string(const bal__config_key *k, struct bal_config *cfg,
                           const char *s)
{
    char *c = strdup(s);

    if (!c) return BAL_ENOMEM;
    free(*(char **)field(cfg, k->off));
    *(char **)field(cfg, k->off) = c;
    return 0;
}

char *const *bal__config_transport(const struct bal_config *cfg, int *n_r)
{
    if (cfg && cfg->ntransport > 0 && cfg->transport) {
        *n_r = cfg->ntransport;
        return cfg->transport;
    }
    *n_r = (int)(sizeof(default_transport) / sizeof(*default_transport)) - 1;
    return default_transport;
}

const char *bal__config_state_dir(const struct bal_config *cfg)
{
    return cfg->state_dir ? cfg->state_dir : BAL__DEFAULT_STATE_DIR;
}

const char *bal__config_lock_file(const struct bal_config *cfg)
{
    return cfg->lock_file ? cfg->lock_file : BAL__DEFAULT_LOCK_FILE;
}

/* ---- public API ---------------------------------------------------------- */

int bal_config_alloc(bal_config **cfg_r)
{
    bal_config *cfg;

    if (!cfg_r) return BAL_EINVAL;
    cfg = malloc(sizeof(*cfg));
    if (!cfg) return BAL_ENOMEM;
    bal__config_defaults(cfg);
    *cfg_r = cfg;
    return 0;
}

void bal_config_free(bal_config *cfg)
{
    if (!cfg) return;
    bal__config_dispose(cfg);
    free(cfg);
}

double bal_config_interval(const bal_config *cfg)
{
    return cfg ? cfg->interval : 0;
}

int bal_config_samples(const bal_config *cfg)
{
    return cfg ? cfg->samples : 0;
}

/* The command line may ask for longer intervals than the file (a day, for
 * a slow survey by hand); the file's range is the table's. */
int bal_config_parse_value(bal_ctx *ctx, const char *where, const char *name,
                           const char *key, const char *text,
                           double *value_r)
{
    const bal__config_key *k = key ? bal__config_key_find(key) : NULL;

    if (!k || (k->type != BAL__CK_REAL && k->type != BAL__CK_INT) ||
        !where || !name || !text || !value_r)
        return BAL_EINVAL;
    return bal__config_key_parse(ctx, where, 0, name, k, text, value_r);
}

int bal_config_set_interval(bal_config *cfg, double seconds)
{
    if (!cfg) return BAL_EINVAL;
    if (!bal__config_key_in_range(bal__config_key_find("sample_interval"),
                                  seconds))
        return BAL_ERANGE;
    cfg->interval = seconds;
    return 0;
}

int bal_config_set_samples(bal_config *cfg, int samples)
{
    if (!cfg) return BAL_EINVAL;
    if (!bal__config_key_in_range(bal__config_key_find("sample_count"),
                                  samples))
        return BAL_ERANGE;
    cfg->samples = samples;
    return 0;
}
