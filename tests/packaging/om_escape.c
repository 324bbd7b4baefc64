/*
 * om_escape.c - label escaping of `status --openmetrics', for the bytes no
 * VM name can bring through libbalance (a newline): each argument's
 * escaped form on a line of its own.  Built and run by check-packaging.sh
 * with xl-plugin/openmetrics.c.
 */
#include <stdio.h>

#include "../../xl-plugin/openmetrics.h"

int main(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc; i++) {
        putchar('[');
        om_put_label_value(stdout, argv[i]);
        puts("]");
    }
    return ferror(stdout) ? 1 : 0;
}
