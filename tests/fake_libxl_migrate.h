/*
 * fake_libxl_migrate.h - the libxl calls migrate_xl.c makes (beyond those
 * fake_xen.c has: libxl_ctx_alloc/free, libxl_list_domain,
 * libxl_dominfo_list_free), for seam tests.  Domains, their names and
 * UUIDs come from fake_xen's fx.node; every call is recorded in fm.calls
 * as text, e.g. "suspend(3,LIVE) rename(3,web,web--migratedaway)
 * destroy(3)", so that a test can assert the exact sequence.
 *
 * libxl_domain_suspend writes fm.stream_bytes bytes of fm_stream_byte()
 * to the fd (what a receiver double checks), reports progress as libxc
 * would through fm.logger (or, if NULL, the last logger libxl_ctx_alloc
 * was given) when fm.progress, and returns fm.suspend_rc, or ERROR_FAIL
 * if the stream cannot be written (the receiver is gone).
 */
#ifndef BAL_FAKE_LIBXL_MIGRATE_H
#define BAL_FAKE_LIBXL_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>

#include <xentoollog.h>
#include <libxl.h>

typedef struct fm_state {
    char calls[4096];           /* space-separated, in call order */
    int nsuspend, nrename, nresume, ndestroy, ninfo;
    int nsetmode;
    libxl_sigchld_owner setmode_owner;   /* the last one set */
    int suspend_fd, suspend_flags;

    int suspend_rc;             /* returned without writing, if non-zero */
    int rename_rc, rename_back_rc, resume_rc, destroy_rc;
    int retrieve_rc;
    bool json_fails, name_fails;
    int info_rc;
    bool suspended;             /* what libxl_domain_info says */
    bool config_uuid_set;       /* retrieve reports this UUID instead */
    unsigned char config_uuid[16];
    size_t stream_bytes;
    bool progress;
    xentoollog_logger *logger;

    int configs;                /* live libxl_domain_config_init's */
} fm_state;

extern fm_state fm;

void fm_reset(void);
/* Byte i of the fake memory stream. */
unsigned char fm_stream_byte(size_t i);
/* The JSON libxl_domain_config_to_json gives for a domain. */
#define FM_JSON_FMT "{\"c_info\":{\"name\":\"%s\",\"domid\":%u}}"

#endif /* BAL_FAKE_LIBXL_MIGRATE_H */
