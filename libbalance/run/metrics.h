/*
 * metrics.h - the status as metrics (metrics.c): OpenMetrics for `status
 * --openmetrics', Prometheus's text format for the metrics textfile.
 */
#ifndef BAL_METRICS_H
#define BAL_METRICS_H

#include <stdio.h>

#include "base/internal.h"

/* A label value between its quotes, as both formats want it: backslash,
 * double quote and newline escaped, every other byte as is (libbalance
 * hands out names that are valid UTF-8 already). */
void bal__metrics_put_label_value(FILE *f, const char *s);

#endif
