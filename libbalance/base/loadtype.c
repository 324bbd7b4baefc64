/*
 * loadtype.c - the table of load types (loadtype.h), and the few
 * functions of libbalance.h that read it.
 *
 * Adding a type is adding a row here (and its value to bal_load_type);
 * doc/architecture.md, "Where to add", says what else it takes.
 */
#include <stdio.h>
#include <string.h>

#include "loadtype.h"

#define CPU BAL__RES(BAL_RES_CPU)
#define IO BAL__RES(BAL_RES_IO)
#define NET BAL__RES(BAL_RES_NET)

const bal__load_type_def bal__load_types[BAL_NTYPES] = {
    /* Nothing to protect: it loads its host, but has no progress. */
    [BAL_TYPE_IDLE]  = { "idle",  0,        0 },
    /* Computes: two of them split the cores. */
    [BAL_TYPE_CPU]   = { "cpu",   CPU,      CPU },
    /* Reads or writes: two of them split the disk path. */
    [BAL_TYPE_IO]    = { "io",    IO,       IO },
    /* Both at once: it fights computers for the cores and readers for
     * the disk path. */
    [BAL_TYPE_MIXED] = { "mixed", CPU | IO, CPU | IO },
    /* Streams over its vifs: two of them split the NIC. */
    [BAL_TYPE_NET]   = { "net",   NET,      NET },
};

const bal__resource_def bal__resources[BAL_NRES] = {
    [BAL_RES_CPU] = { "cpu", "cores",
                      "the CPUs the VM may use (its vCPUs, at most the "
                      "host's pCPUs)" },
    [BAL_RES_IO]  = { "io",  "disk path",
                      "the host's disk path (bytes or requests)" },
    [BAL_RES_NET] = { "net", "NIC",
                      "the host's NIC (bytes received and sent)" },
};

const char *bal_load_type_name(bal_load_type t)
{
    return (unsigned)t < BAL_NTYPES ? bal__load_types[t].name : "?";
}

const char *bal_resource_name(bal_resource r)
{
    return (unsigned)r < BAL_NRES ? bal__resources[r].name : "?";
}

bool bal_load_type_contends(bal_load_type t, bal_resource r)
{
    return (unsigned)t < BAL_NTYPES && (unsigned)r < BAL_NRES &&
           (bal__load_types[t].contends & BAL__RES(r)) != 0;
}

bal_load_type bal_load_type_listed(int i)
{
    int pass, t;

    /* Idle, the absence of load, comes last, as status has always shown
     * it ("cpu io mixed idle"). */
    for (pass = 0; pass < 2; pass++)
        for (t = 0; t < BAL_NTYPES; t++)
            if ((bal__load_types[t].uses != 0) == (pass == 0) && i-- == 0)
                return (bal_load_type)t;
    return BAL_TYPE_IDLE;
}

int bal__type_nres(bal_load_type t)
{
    int r, n = 0;

    for (r = 0; r < BAL_NRES; r++) n += bal__type_uses(t, r);
    return n;
}

int bal__load_type_parse(const char *s, bal_load_type *t_r)
{
    int t;

    for (t = 0; t < BAL_NTYPES; t++)
        if (!strcmp(s, bal__load_types[t].name)) {
            *t_r = (bal_load_type)t;
            return 0;
        }
    return BAL_EINVAL;
}

void bal__load_type_names(char *buf, size_t size)
{
    size_t n = 0;
    int i;

    if (!size) return;
    buf[0] = '\0';
    for (i = 0; i < BAL_NTYPES && n < size; i++) {
        int k = snprintf(buf + n, size - n, "%s%s",
                         i == 0 ? "" : i == BAL_NTYPES - 1 ? " or " : ", ",
                         bal_load_type_name(bal_load_type_listed(i)));

        if (k < 0) return;
        n += (size_t)k;
    }
}

void bal__load_type_what(bal_load_type t, char *buf, size_t size)
{
    size_t n = 0;
    int r, k, nr = 0;

    if (!size) return;
    snprintf(buf, size, "host");
    for (r = 0; r < BAL_NRES && n < size; r++) {
        if (!bal__type_uses(t, r)) continue;
        k = snprintf(buf + n, size - n, "%s%s", nr++ ? " and " : "",
                     bal__resources[r].noun);
        if (k < 0) return;
        n += (size_t)k;
    }
}
