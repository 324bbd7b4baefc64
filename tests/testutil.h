/*
 * testutil.h - what the cmocka tests share: a log sink that keeps what the
 * library said, so tests can assert the exact error line.
 */
#ifndef BAL_TESTUTIL_H
#define BAL_TESTUTIL_H

#include <stdio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/internal.h"
#include "base/move.h"

/* Captures every message at level >= WARN into a buffer; newline-joined. */
typedef struct tu_log {
    char buf[8192];
    size_t len;
    int nerrors;
} tu_log;

void tu_log_fn(void *opaque, bal_log_level level, const char *msg);
/* A context logging into lg (reset first). */
bal_ctx *tu_ctx(tu_log *lg);
/* The last error line, or "" */
const char *tu_last(const tu_log *lg);
/* A simulated cluster for a test: a context logging into lg, a
 * configuration whose state directory does not exist (no history on this
 * machine may reach a plan), and the backend spec opened (e.g.
 * "sim:scenarios/paper.scn"). */
typedef struct tu_fx {
    tu_log lg;
    bal_ctx *ctx;
    bal_config *cfg;
    bal_backend *be;
} tu_fx;

void tu_fx_init(tu_fx *f, const char *spec);
void tu_fx_dispose(tu_fx *f);

/* Writes text to a fresh temporary file; returns its malloc'd path. */
char *tu_tmpfile(const char *text);
/* All of the open file f from its start, NUL-terminated (malloc'd); its
 * length in *len_r when len_r is not NULL.  Fails the test on error. */
char *tu_slurp(FILE *f, size_t *len_r);
/* A simulated cluster and one status of it, from scenario text. */
typedef struct tu_sim {
    tu_log lg;
    bal_ctx *ctx;
    bal_config *cfg;
    bal_backend *be;
    bal_status *st;
    char *path;                 /* the scenario's temporary file */
} tu_sim;

void tu_sim_open(tu_sim *f, const char *scn);
void tu_sim_close(tu_sim *f);
/* The VM of st named name; fails the test when there is none. */
const bal_vm_info *tu_status_vm(const bal_status *st, const char *name);
/* The directory of test data: $BAL_TESTDATA or "tests/data". */
const char *tu_datadir(void);

/* A configuration of the cluster hosts, reached through transport with
 * peer_cmd run there (all NULL-terminated, borrowed): 5 s a peer, 8 at
 * once, 2 samples 1 s apart; everything else zero. */
void tu_peer_config(struct bal_config *cfg, char **hosts, char **transport,
                    char **peer_cmd);
/* A move of vm (uuid) from -> to, every other field zero. */
void tu_move_init(bal__move *mv, const char *vm, const char *uuid,
                  const char *from, const char *to);
/* The argv tests/data/fake-remote-migrate recorded in dir/uuid (its
 * FAKE_REMOTE_DIR), NULs shown as '|', in a static buffer; NULL if it
 * never ran for uuid. */
char *tu_recorded(const char *dir, const char *uuid);

struct bal__sample;
struct bal__host;
/* A host named name of pcpus pCPUs sampled at t (ns), added to s. */
struct bal__host *tu_add_host(struct bal__sample *s, const char *name,
                              uint64_t t, int pcpus);

#endif
