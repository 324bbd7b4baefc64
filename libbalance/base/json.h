/*
 * json.h - the sample format on the wire and in traces (one line of JSON
 * per sample), through yajl.  Pure: no Xen header.
 *
 * Parsing trusts nothing: a peer's reply or a trace line that is
 * malformed, truncated, of the wrong types, out of range or oversized is
 * an error naming `what` (the peer, or FILE:LINE), never a crash.
 */
#ifndef BAL_JSON_H
#define BAL_JSON_H

#include <stddef.h>

#include "internal.h"

#define BAL__JSON_MAX (16u << 20)    /* largest sample accepted, bytes */
#define BAL__JSON_MAX_DOMS 4096      /* domains one host may report */
#define BAL__JSON_MAX_HOSTS 100000

/* Format version 1, one line of JSON, no spaces:
 *   {"xl_balance_sample":1,"hosts":[{"name":"hostA","time_ns":N,"pcpus":N,
 *    "cpu_hz":N,"mem_kb":N,"free_kb":N,"disk_Bps":F,"disk_iops":F,
 *    "net_Bps":F,"domains":[{"uuid":"...","name":"vm1","domid":N,"vcpus":N,
 *    "mem_kb":N,"maxmem_kb":N,"cpu_ns":N,"vbd_rd_reqs":N,"vbd_wr_reqs":N,
 *    "vbd_rd_sect":N,"vbd_wr_sect":N,"vbd_oo_reqs":N,"net_rx_bytes":N,
 *    "net_tx_bytes":N,"weight":N}]}]}
 * Counters are integers in 0..2^63-1: yajl's limit (long long), on both
 * sides.  disk_Bps, disk_iops and net_Bps are optional (0 = unknown),
 * finite and >= 0.  A domain's "weight" (its scheduler weight) is
 * optional, 0..65535, written only when known (nonzero): missing is 0,
 * unknown, as from a writer that predates it.  Names are 1..size-1 bytes of UTF-8 without control
 * characters; UUIDs canonical and unique in a sample; host names unique;
 * domid <= 0x7FEF.  Unknown keys are ignored (forward compatibility);
 * missing ones are errors naming the key and its path. */

/* One line (no newline) of JSON; *json_r malloc'd.  A sample the parser
 * would refuse is refused: BAL_EINVAL (a name or UUID), BAL_ERANGE (a
 * number, or too many hosts or domains); duplicates are not checked. */
int bal__json_write_sample(const bal__sample *s, char **json_r);

/* Parses text[0..len) into out (bal__sample_init'd by the caller; hosts
 * are appended).  On error logs "WHAT: what is wrong" and returns err_rc
 * (BAL_EPEER for a peer, BAL_ETRACE for a trace), out unchanged. */
int bal__json_parse_sample(bal_ctx *ctx, const char *what, int err_rc,
                           const char *text, size_t len, bal__sample *out);

/* Whether s[0..len) is acceptable as a host or domain name on the wire:
 * non-empty, valid UTF-8, no control character (C0, DEL, C1). */
bool bal__json_name_valid(const char *s, size_t len);
/* Replaces, in place, every byte that makes a name unacceptable with '?'
 * (never longer afterwards); for backends whose names come from outside. */
void bal__json_name_sanitize(char *s);

#endif /* BAL_JSON_H */
