/*
 * cli_err.c - the command's one error line, "xl-balance: WHAT", on
 * stderr: every verb's, the option parser's and the help's.
 */
#include <stdarg.h>
#include <stdio.h>

#include "xl_balance.h"

void cli_err(const char *fmt, ...)
{
    va_list ap;

    fputs("xl-balance: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
