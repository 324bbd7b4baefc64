/*
 * loadtype.h - the table of load types and of the resources they use.
 * Pure: no Xen header.
 *
 * One row per type: its name, the resources its progress depends on, and
 * the resources on which two heavy VMs of it count as a same-type pair.
 * The classifier (observe/classify.c) tells types apart by the levels of
 * the resources they use; status counts them per host; the planner
 * shares each resource a VM uses and counts its contended pairs; the
 * explanations, the journal and history, the scenario reader and the
 * planner's JSON read and write the names.  The table lives in base/
 * because the lowest of its readers is the scenario reader (backend/);
 * the planner, above observe/, could reach it there too, but must not
 * depend on the classifier to know what a type is.
 */
#ifndef BAL_LOADTYPE_H
#define BAL_LOADTYPE_H

#include <stdbool.h>
#include <stddef.h>

#include "libbalance.h"

#define BAL__RES(r) (1u << (r))

typedef struct bal__load_type_def {
    const char *name;           /* "cpu": every output, every input */
    unsigned uses;              /* BAL__RES() of each resource its progress
                                 * is in: none (idle), one, or several
                                 * (mixed: the pCPUs and the disk path) */
    unsigned contends;          /* BAL__RES() of each resource on which two
                                 * heavy VMs of it are a same-type pair */
} bal__load_type_def;

/* Indexed by bal_load_type. */
extern const bal__load_type_def bal__load_types[BAL_NTYPES];

typedef struct bal__resource_def {
    const char *name;           /* "cpu", "io", "net": keys and labels
                                 * (heavy_io, cpu_level, "2 heavy io") */
    const char *noun;           /* "cores", "disk path", "NIC": what the
                                 * planner's reasons say is shared */
    const char *level;          /* what its level is a fraction of */
} bal__resource_def;

/* Indexed by bal_resource. */
extern const bal__resource_def bal__resources[BAL_NRES];

/* Whether t's progress is in resource r (false for no type). */
static inline bool bal__type_uses(bal_load_type t, int r)
{
    return (unsigned)t < BAL_NTYPES &&
           (bal__load_types[t].uses & BAL__RES(r)) != 0;
}

/* How many resources t uses: 0 idle, 1 a plain type, more a mix. */
int bal__type_nres(bal_load_type t);

/* The type named s ("cpu", ...): 0, or BAL_EINVAL when none is. */
int bal__load_type_parse(const char *s, bal_load_type *t_r);

/* The names in listed order, for messages: "cpu, io, mixed, net or idle"
 * (sep ", ", last " or "). */
void bal__load_type_names(char *buf, size_t size);

/* What t's VMs share on a host, for the planner's reasons: its
 * resources' nouns joined with " and " ("cores and disk path"), "host"
 * for a type that uses none. */
void bal__load_type_what(bal_load_type t, char *buf, size_t size);

#endif /* BAL_LOADTYPE_H */
