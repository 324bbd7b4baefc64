/*
 * internal.h - what libbalance's files share and the public API hides.
 * Internal names are bal__*.  Nothing here includes a Xen header.
 */
#ifndef BAL_INTERNAL_H
#define BAL_INTERNAL_H

#include <locale.h>
#include <stdarg.h>
#include <stddef.h>

#include "libbalance.h"
#include "sample.h"

#define BAL__HIDDEN __attribute__((visibility("hidden")))
#define BAL__PRINTF(a, b) __attribute__((format(printf, a, b)))

/* ---- context and logging ---------------------------------------------- */

struct bal_ctx {
    bal_log_fn *log_fn;
    void *log_opaque;
    bal_log_level log_min;
};

void bal__log(bal_ctx *ctx, bal_log_level level, const char *fmt, ...)
    BAL__PRINTF(3, 4);
void bal__vlog(bal_ctx *ctx, bal_log_level level, const char *fmt,
               va_list ap);

#define BAL__ERR(ctx, ...)   bal__log((ctx), BAL_LOG_ERROR, __VA_ARGS__)
#define BAL__WARN(ctx, ...)  bal__log((ctx), BAL_LOG_WARN, __VA_ARGS__)
#define BAL__INFO(ctx, ...)  bal__log((ctx), BAL_LOG_INFO, __VA_ARGS__)
#define BAL__DEBUG(ctx, ...) bal__log((ctx), BAL_LOG_DEBUG, __VA_ARGS__)

/* ---- versioned structs (doc/architecture.md, "ABI") --------------------
 * A struct the caller allocates starts with its version.  A function given
 * one checks it first: 0 when version is the one this library knows, else
 * BAL_EINVAL and one line "NAME: version V unknown to libbalance VERSION
 * (it knows KNOWN)". */
int bal__version_check(bal_ctx *ctx, const char *name, unsigned int version,
                       unsigned int known);

/* ---- configuration ------------------------------------------------------
 * How load types are told apart (observe/classify.c; README, "Load
 * types"): part of the configuration, so here. */
typedef struct bal__class_params {
    /* Per resource (bal_resource), keys RES_high and RES_low: the level
     * from which a VM is heavy on it, and under which (on every one) a
     * VM is idle.  Levels are fractions: of the CPUs it may use, of the
     * host's disk path, of its NIC. */
    double high[BAL_NRES], low[BAL_NRES];
    double alpha;               /* EWMA weight of the newest sample */
    int hold;                   /* samples a new type must persist */
    double window;              /* seconds of the time-decayed window
                                 * kept across runs; 0: none (obsfile.c) */
} bal__class_params;

/* Every key, its default and its range are in config.c's table and in the
 * README; this struct is the parsed result. */

struct bal_config {
    char *source;              /* file it came from; NULL: defaults only */

    char **hosts;              /* the cluster's dom0s, NULL-terminated */
    int nhosts;
    char *local_host;          /* this dom0's name in hosts; NULL: uname */
    char **transport;          /* argv prefix to reach a peer; HOST follows */
    int ntransport;
    char **peer_command;       /* argv run on the peer after HOST */
    int npeer_command;
    double peer_timeout;       /* seconds for one peer's whole reply */
    int peer_parallel;         /* peers asked at once */

    double interval;           /* seconds between samples */
    int samples;               /* samples per status, >= 2 */

    /* Capacity of a host's disk path and NIC, for hosts that do not report
     * theirs (a dom0 cannot measure its iSCSI path's ceiling). */
    double disk_Bps;
    double disk_iops;
    double net_Bps;

    bal__class_params classify;

    /* `xl-balance rebalance' (rebalance.c); NULL: the default
     * (bal__config_state_dir, bal__config_lock_file in config.h). */
    char *state_dir;           /* journal and history */
    char *lock_file;           /* flock'd so that runs never overlap */
    /* The private directory they lie in on a backend that moves no real
     * VM (bal_config_set_state), removed with the configuration; NULL:
     * none.  Owned by this configuration alone: a copy gets NULL. */
    char *private_dir;

    /* The planner (plan_input.c; doc/planner.md, "From a live status to
     * the planner's input"). */
    double horizon_s;          /* how far ahead work counts */
    int max_moves;             /* migrations in one plan */
    char **pinned;             /* VM names or UUIDs never moved */
    int npinned;
    char **anti_affinity;      /* "vmA,vmB,...": one group each */
    int nanti_affinity;
    char **drained;            /* host names to empty */
    int ndrained;
    char **storage;            /* "host:storageA,storageB" */
    int nstorage;
    char **must_run_on;        /* "vmA,vmB=hostA,hostB": hard rules */
    int nmust_run_on;
    char **should_run_on;      /* the same, preferences */
    int nshould_run_on;
    char **keep_together;      /* "vmA,vmB,...": one group each */
    int nkeep_together;
    double cooldown_s;         /* a VM moved this recently stays */
    double pingpong_s;         /* A->B->A refused within this window */
    double move_margin;        /* utility a migration must add per second
                                * beyond paying for itself */
    double migcpu;             /* dom0 CPU-s per 10^6 bytes migrated */
    double rtt_ms;             /* between any two hosts */
    int max_per_host;          /* migrations a host takes part in at once */
    int max_per_link;          /* migrations on one host pair at once */
    double dirty_Bps;          /* memory a VM dirties, beyond its reads */
    int link_history;          /* measured migrations per host pair the
                                * planner learns a link's rate from */

    /* Operations: the metrics textfile (run/metrics.c; NULL: none) and
     * the command told of a rebalance's moves (run/notify.c). */
    char *metrics_textfile;
    char **notify_command;     /* argv; empty: none */
    int nnotify_command;
    double notify_timeout;     /* seconds */
};

/* The defaults, as a function so that tests and bal_config_alloc agree. */
void bal__config_defaults(struct bal_config *cfg);
void bal__config_dispose(struct bal_config *cfg);

/* ---- small helpers (util.c) -------------------------------------------- */

char *bal__strdup(const char *s);               /* NULL on ENOMEM */
char **bal__strv_dup(char *const *v, int n);    /* NULL-terminated copy */
void bal__strv_free(char **v);
/* snprintf for messages that may be cut (a name at its longest): the cut
 * is meant, and gcc's -Wformat-truncation, which warns of it at a call
 * of snprintf, does not look through this one. */
void bal__sfmt(char *buf, size_t size, const char *fmt, ...)
    BAL__PRINTF(3, 4);
/* Times and durations for people, the one way every message writes
 * them (never raw epoch seconds, never "3.6e+03 s").  bal__fmt_time: t
 * (seconds since the epoch) as "2026-01-02 03:04:05 UTC" (buf at least
 * 32 bytes).  bal__fmt_duration: s seconds as "0.25 s", "15.8 s",
 * "12 min", "60 min", "3.5 h", "2.1 d" (three significant digits, each
 * unit below 100 of it, whole days past 1000),
 * "never" for +inf, "?" for NaN (buf at least 16 bytes).  Both return
 * buf, for use inside a printf. */
const char *bal__fmt_time(double t, char *buf, size_t size);
const char *bal__fmt_duration(double s, char *buf, size_t size);
/* Control characters (below 0x20, DEL) as '?', in place: what was read
 * from a file or a peer must not drive the terminal our log goes to. */
void bal__mask_controls(char *s);
/* s fit for a message, in buf: control characters as '?', cut to size
 * and then ending in "..." (when size > 4).  Returns buf. */
const char *bal__shown(const char *s, char *buf, size_t size);
/* Monotonic time in ns. */
uint64_t bal__now_ns(void);
/* Reads a whole file into a NUL-terminated buffer of at most max bytes;
 * BAL_ENOENT, BAL_EIO or BAL_ERANGE (too big), each logged naming path. */
int bal__read_file(bal_ctx *ctx, const char *path, size_t max,
                   char **buf_r, size_t *len_r);
/* In a child about to exec: closes every descriptor above 2 but keep
 * (its CLOEXEC error pipe), so nothing of ours leaks into the program. */
void bal__close_fds_from3(int keep);
/* A UUID in canonical 8-4-4-4-12 lower-case hex form. */
bool bal__uuid_valid(const char *s);
/* The C locale's LC_NUMERIC, for numbers in files and on the wire: a
 * program that called setlocale() must not make us write or read "1,5".
 * Made once, kept for the life of the process; (locale_t)0 when it
 * cannot be made (ENOMEM). */
locale_t bal__c_locale(void);

#endif /* BAL_INTERNAL_H */
