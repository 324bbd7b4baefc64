/*
 * openmetrics.h - `xl-balance status --openmetrics`: the status in the
 * OpenMetrics text format (what Prometheus and its textfile collectors
 * scrape), through libbalance's public API only.
 */
#ifndef XL_BALANCE_OPENMETRICS_H
#define XL_BALANCE_OPENMETRICS_H

#include <stdio.h>

#include "libbalance.h"

/* Writes every family, then "# EOF".  Returns 0, or -1 when writing to f
 * failed (the caller reports it). */
/* counters: the rebalance totals (bal_counters_read), or NULL when they
 * could not be read (then printed as 0). */
int om_print_status(FILE *f, const bal_status *st,
                    const bal_counters *counters);

/* A label value as OpenMetrics wants it between its quotes: backslash,
 * double quote and newline escaped, every other byte as is (libbalance
 * hands out names that are valid UTF-8 already).  Exposed for the test. */
void om_put_label_value(FILE *f, const char *s);

#endif
