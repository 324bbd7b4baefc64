/*
 * migrate_json.h - how one live migration ended, as one line of JSON:
 * what `xl-balance migrate --json` prints (bal_migrate_json), and what
 * the xen backend reads back when a move whose source is another dom0
 * was run there through the transport (backend_xen.c; doc/migration.md,
 * "Moves whose source is another dom0").  Pure.
 *
 * Version 2, one line, no spaces:
 *   {"xl_balance_migrate":2,"outcome":"done","rc":0,"vm":"web",
 *    "uuid":"...","from":"hostB","to":"hostA","duration_s":12.500,
 *    "rounds":3,"downtime_s":0.042000,"bytes":0,"mem_kb":1048576,
 *    "dirty_Bps":90000,"predicted_s":11.250,"predicted_rounds":3,
 *    "learned":true}
 *   {"xl_balance_migrate":2,"outcome":"failed","rc":-10,
 *    "error":"Xen library call failed"}
 * outcome "done" (rc 0: the VM runs on `to`), "failed" (rc a BAL_E*: it
 * still runs on its source, or was never found) or "undefined" (rc
 * BAL_EUNDEFINED: it may run on neither host or on both).  dirty_Bps is
 * null when unknown; downtime_s 0 and bytes 0 are unknown too.
 * predicted_s (null: no prediction), predicted_rounds and learned are
 * what the planner's cost model predicted before the move, learned true
 * when it used rates learned from the history.  Version 1 is the same
 * without those three keys: still read (predicted_s then NAN).
 *
 * The reader trusts nothing (another host wrote it): every key of the
 * outcome present, of its type and in range, none twice, no other key (a
 * new key is a new version).
 */
#ifndef BAL_MIGRATE_JSON_H
#define BAL_MIGRATE_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

#define BAL__MIGRATE_JSON_VERSION 2

typedef struct bal__migrate_answer {
    int rc;                     /* 0, BAL_EUNDEFINED or another BAL_E* */
    /* The rest for rc 0 only. */
    char vm[BAL__NAME_MAX];
    char uuid[BAL__UUID_LEN + 1];
    char from[BAL__HOST_MAX];
    char to[BAL__HOST_MAX];
    double duration_s;          /* 0..1e7 */
    int rounds;
    double downtime_s;          /* 0..duration_s; 0: unknown */
    uint64_t bytes;             /* 0: unknown */
    uint64_t mem_kb;
    double dirty_Bps;           /* NAN: unknown */
    double predicted_s;         /* 0..1e7; NAN: no prediction */
    int predicted_rounds;
    bool learned;
} bal__migrate_answer;

/* One line (no newline) of JSON; *json_r malloc'd.  BAL_EINVAL for an
 * answer the reader would refuse (an rc that is no BAL_E*, a name that
 * is not printable UTF-8, a number out of range), BAL_ENOMEM. */
int bal__migrate_json_write(const bal__migrate_answer *a, char **json_r);

/* Parses text[0..len) (not NUL-terminated) into *a.  0, or BAL_EPEER
 * with what is wrong in why (one printable line, no "WHAT: ": the
 * caller names the host), or BAL_ENOMEM; *a is then zeroed. */
int bal__migrate_json_parse(const char *text, size_t len,
                            bal__migrate_answer *a, char *why, size_t size);

#endif /* BAL_MIGRATE_JSON_H */
