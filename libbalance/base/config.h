/*
 * config.h - the table of configuration keys.  Pure: no Xen header.
 *
 * One table (config.c) says for every key its type, default, range and
 * meaning.  The loader (config_xlu.c) checks files against it, the
 * defaults are taken from it, and tests check that the shipped
 * xl-balance.conf and doc/config.md agree with it.
 */
#ifndef BAL_CONFIG_H
#define BAL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "internal.h"

typedef enum {
    BAL__CK_INT,        /* a whole number, stored as int */
    BAL__CK_REAL,       /* a decimal number, stored as double */
    BAL__CK_STRING,     /* one string, stored as char * */
    BAL__CK_LIST,       /* a list of strings, stored as char ** + int */
} bal__ckey_type;

/* Flags of a key. */
#define BAL__CK_HOSTNAME 1u   /* the string, or each item, is a host name */
#define BAL__CK_NONEMPTY 2u   /* a list that must have at least one item */
#define BAL__CK_VMS 4u        /* each item a VM's name or UUID, once */
#define BAL__CK_GROUPS 8u     /* each item "vmA,vmB,...": a group of two or
                               * more; a VM in one group at most */
#define BAL__CK_STORAGE 16u   /* each item "host:storageA,storageB"; each
                               * host once */
#define BAL__CK_RULES 32u     /* each item "vmA,vmB=hostA,hostB": a VM in
                               * one item at most, at most
                               * BAL__CONFIG_MAX_HOST_SETS host sets */
#define BAL__CK_PROMFILE 64u  /* "" (none) or an absolute path ending in
                               * .prom: what node_exporter's textfile
                               * collector reads */

typedef struct bal__config_key {
    const char *name;
    bal__ckey_type type;
    unsigned flags;
    const char *def;        /* the default as written in the file; NULL:
                             * none can be written (local_host: uname) */
    double defval;          /* numbers: the default's value, in file units */
    double min, max;        /* numbers: the allowed range, in file units */
    bool min_open;          /* numbers: min itself is not allowed */
    double scale;           /* numbers: stored = value in file * scale */
    size_t off;             /* where the value lives in struct bal_config */
    size_t count_off;       /* lists: where their int length lives */
    const char *range;      /* the range, as messages and docs say it */
    const char *doc;        /* one line: what the key means */
    char **deflist;         /* lists: the default, static (never freed) */
} bal__config_key;

extern const bal__config_key bal__config_keys[];
extern const int bal__config_nkeys;

/* The key named name, or NULL. */
const bal__config_key *bal__config_key_find(const char *name);

/* Whether v is in k's range (numbers only). */
bool bal__config_key_in_range(const bal__config_key *k, double v);

/* s as the value of number key k, as the file and the command line both
 * read it: decimal only (strtod alone would also take hex, "inf", "nan"
 * and leading blanks), whole for an integer key, in k's range.  Else
 * logs "WHERE:LINE: NAME: `S' is not a number" (or "is not a whole
 * number", or "NAME: S is out of range (k->range)"; no ":LINE" when line
 * is 0) and returns BAL_ECONFIG.  One function, so that a value the
 * configuration refuses the command line refuses in the same words. */
int bal__config_key_parse(bal_ctx *ctx, const char *where, int line,
                          const char *name, const bal__config_key *k,
                          const char *s, double *v_r);

/* s, fit for one line of a message: control characters and bytes past
 * ASCII escaped, long values cut; size bytes of buf. */
#define BAL__CONFIG_SHOWN_MAX 80
const char *bal__config_shown(char *buf, size_t size, const char *s);

/* Stores v (in file units) into cfg as k says. */
void bal__config_key_store(const bal__config_key *k, struct bal_config *cfg,
                           double v);

/* Host names the configuration accepts: 1 to 255 of [A-Za-z0-9._:-], not
 * starting with '-' (they become argv items of the transport, and a
 * leading '-' would read as an option of ssh). */
bool bal__config_host_valid(const char *s);

/* Storage names in `storage': 1 to 63 of [A-Za-z0-9._-]. */
bool bal__config_storage_valid(const char *s);
/* At most this many storages may be named (a planner mask has 32 bits;
 * bit 0 is the storage hosts not listed in `storage' share). */
#define BAL__CONFIG_MAX_STORAGES 31

/* The VM names of one anti_affinity entry, split at commas, blanks
 * around each trimmed: *v_r (NULL-terminated, free with bal__strv_free),
 * *n_r of them.  Empty names are kept (as ""), for the check to see. */
int bal__config_split_group(const char *entry, char ***v_r, int *n_r);
/* One storage entry "host:a,b": the host (before the last ':') into
 * host_r (BAL__HOST_MAX bytes) and the storage names as
 * bal__config_split_group gives them.  BAL_EINVAL when it has no ':'. */
int bal__config_split_storage(const char *entry, char *host_r,
                              char ***v_r, int *n_r);
/* One must_run_on / should_run_on entry "vmA,vmB=hostA,hostB", split
 * at its first '=' (host names hold none; a VM whose name does is named
 * by its UUID): the VMs into *vms_r, *nvms_r and the hosts into
 * *hosts_r, *nhosts_r, as bal__config_split_group gives them.
 * BAL_EINVAL when it has no '='. */
int bal__config_split_rule(const char *entry, char ***vms_r, int *nvms_r,
                           char ***hosts_r, int *nhosts_r);
/* At most this many distinct host sets in one rule key: the planner
 * keeps a VM's set as one bit of a 32-bit mask (as storage). */
#define BAL__CONFIG_MAX_HOST_SETS 32

/* Checks items[0..n) of a list key with the flags above, each against
 * the ones before it: 0, or BAL_ECONFIG with what is wrong in why
 * ("pinned: `vm1' is listed twice"), naming the key but no file or line
 * (the loader adds them).  BAL_ENOMEM. */
int bal__config_check_list(const bal__config_key *k, const char *const *items,
                           int n, char *why, size_t size);

/* A deep copy of src into out (the defaults' static lists are shared,
 * not copied).  BAL_ENOMEM leaves out disposed-safe but empty. */
int bal__config_copy(struct bal_config *out, const struct bal_config *src);

/* Replaces the list at k in cfg with a copy of v[0..n-1]. */
int bal__config_set_list(const bal__config_key *k, struct bal_config *cfg,
                         char *const *v, int n);
/* Replaces the string at k in cfg with a copy of s. */
int bal__config_set_string(const bal__config_key *k, struct bal_config *cfg,
                           const char *s);

/* The transport when the configuration names none: ssh that fails rather
 * than asks for a password (doc/security.md).  Defined here once: the
 * key's default, its text in the table, and every user of a transport
 * (a peer's sample, a move run on another dom0, the receiver of a live
 * migration) take it from here. */
#define BAL__TRANSPORT_DEFAULT "ssh", "-o", "BatchMode=yes"

/* cfg's transport, or the default when cfg is NULL or names none; *n_r
 * its length.  The array is NULL-terminated. */
char *const *bal__config_transport(const struct bal_config *cfg, int *n_r);

/* rebalance's state: the keys' defaults, and the values in effect. */
#define BAL__DEFAULT_STATE_DIR "/var/lib/xl-balance"
#define BAL__DEFAULT_LOCK_FILE "/run/xl-balance/lock"
const char *bal__config_state_dir(const struct bal_config *cfg);
const char *bal__config_lock_file(const struct bal_config *cfg);

#endif /* BAL_CONFIG_H */
