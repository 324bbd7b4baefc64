/*
 * precopy.h - live migration's pre-copy as Xen 4.17's libxc runs it
 * (tools/libs/guest/xg_sr_save.c: send_memory_live, simple_precopy_policy,
 * suspend_and_send_dirty): the one policy and the one dirty-set bound that
 * the planner's closed-form prediction (planner_cost.c) and the
 * simulator's migration, stepped in time (backend/sim.c), both follow.
 * doc/planner.md "Pre-copy" describes it.  Pure.
 */
#ifndef BAL_PRECOPY_H
#define BAL_PRECOPY_H

#include <stdbool.h>

/* libxc's SPP_MAX_ITERATIONS and SPP_TARGET_DIRTY_COUNT pages of 4 KiB:
 * the defaults of the planner's max_rounds and stop_bytes, and the
 * simulator's. */
#define BAL__PRECOPY_MAX_ROUNDS 5
#define BAL__PRECOPY_PAGE 4096.0
#define BAL__PRECOPY_STOP_BYTES (50 * BAL__PRECOPY_PAGE)

/* What the sender does next, with `dirty' bytes to send. */
typedef enum bal__precopy_step {
    BAL__PRECOPY_SEND,          /* send them live, then decide again */
    BAL__PRECOPY_SEND_LAST,     /* send them live, then pause the guest */
    BAL__PRECOPY_PAUSE,         /* pause now: they go in the final copy */
} bal__precopy_step;

/* The decision after `sent' live rounds (0: before the first, with all
 * of memory dirty), `dirty' bytes dirty now: pause once max_rounds live
 * rounds are sent or nothing is dirty; send the last live round when
 * fewer than stop_bytes are dirty (libxc sends that small set with the
 * guest running and stops after it); else go on. */
bal__precopy_step bal__precopy_policy(int sent, double dirty,
                                      double stop_bytes, int max_rounds);

/* The bytes dirty after a guest wrote `written' bytes during one round:
 * distinct pages, so at most its memory and at most its writable working
 * set (pages written again within the round count once); wws_bytes 0,
 * negative, NAN or INFINITY: no bound beyond memory. */
double bal__precopy_dirty_set(double mem_bytes, double wws_bytes,
                              double written);

#endif
