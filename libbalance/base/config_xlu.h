/*
 * config_xlu.h - what config_xlu.c offers beyond the public
 * bal_config_load.  No Xen header.
 */
#ifndef BAL_CONFIG_XLU_H
#define BAL_CONFIG_XLU_H

#include <stddef.h>

#include "internal.h"

/* bal_config_load on bytes instead of a file: data[0..len) (need not be
 * NUL-terminated) is read as the file `what' would be, with the same
 * messages ("WHAT:LINE: ..."), checks and BAL_ECONFIG; cfg unchanged on
 * error.  No ownership or permission check: there is no file.  For the
 * fuzzer and tests. */
int bal__config_load_data(bal_ctx *ctx, bal_config *cfg, const char *what,
                          const char *data, size_t len);

#endif /* BAL_CONFIG_XLU_H */
