/*
 * precopy.c - libxc's pre-copy policy and the dirty set it sees (see
 * precopy.h; doc/planner.md "Pre-copy" describes Xen 4.17's loop).
 */
#include <math.h>

#include "precopy.h"

bal__precopy_step bal__precopy_policy(int sent, double dirty,
                                      double stop_bytes, int max_rounds)
{
    /* send_memory_live asks the policy again after each round, before
     * reading the dirty bitmap: at the cap it stops without reading it,
     * and what the last round left dirty goes in the final copy. */
    if (sent >= max_rounds) return BAL__PRECOPY_PAUSE;
    /* An empty bitmap: nothing is sent live, the loop ends. */
    if (!(dirty > 0)) return BAL__PRECOPY_PAUSE;
    /* Below the target the policy says stop-and-copy, but the loop sends
     * the pages it already counted before it breaks. */
    if (dirty < stop_bytes) return BAL__PRECOPY_SEND_LAST;
    return BAL__PRECOPY_SEND;
}

double bal__precopy_dirty_set(double mem_bytes, double wws_bytes,
                              double written)
{
    double x = written < mem_bytes ? written : mem_bytes;

    if (wws_bytes > 0 && isfinite(wws_bytes) && x > wws_bytes) x = wws_bytes;
    return x > 0 ? x : 0;
}
