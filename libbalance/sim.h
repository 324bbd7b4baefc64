/*
 * sim.h - a simulated cluster: a discrete-time, steady-state contention
 * model over a scenario (scenario.h).  Pure: no Xen header.
 *
 * Each step, every host shares its disk path, its NIC and its pCPUs among
 * its domains (max-min fair), CPU-starved I/O slows down, and the
 * cumulative counters Xen would report (cpu_ns, VBD sectors and
 * requests, vif bytes) grow by what each domain did.  The model, term by
 * term, is in sim.c and doc/scenario-format.md.  The same scenario and
 * seed give the same counters, bit for bit.
 */
#ifndef BAL_SIM_H
#define BAL_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "scenario.h"

/* One VM's state.  Counters are cumulative since the VM started, kept in
 * CPU-seconds and bytes; a sample rounds them down to Xen's units. */
typedef struct bal__sim_vm {
    int host;               /* where it runs now */
    uint32_t domid;
    double cpu_s;
    double rd_bytes, wr_bytes;
    double tx_bytes, rx_bytes;
    /* The last step's rates (0 before the first step). */
    double cpu;             /* pCPUs it used */
    double io_Bps;          /* disk bytes/s it moved */
    double tx_Bps, rx_Bps;
    double run;             /* fraction of its CPU demand it got, 0..1 */
} bal__sim_vm;

typedef struct bal__sim_host {
    uint32_t next_domid;    /* the domid its next guest gets */
    double dom0_cpu_s;      /* dom0's cumulative CPU */
    double dom0_cpu;        /* last step: pCPUs dom0 used */
    double io_Bps;          /* last step: its guests' disk bytes/s */
} bal__sim_host;

typedef struct bal__sim bal__sim;

/* scn is borrowed: it must outlive the simulator. */
int bal__sim_alloc(bal__sim **out, const bal__scenario *scn);
void bal__sim_free(bal__sim *sim);

/* One step of dt_ns simulated nanoseconds. */
void bal__sim_step(bal__sim *sim, uint64_t dt_ns);
/* Lets `seconds' pass, in equal steps of at most the scenario's interval;
 * the clock advances by exactly round(seconds * 1e9) ns.  BAL_EINVAL for
 * a negative or non-finite time, BAL_ERANGE past 10^9 s. */
int bal__sim_advance(bal__sim *sim, double seconds);

uint64_t bal__sim_time_ns(const bal__sim *sim);
const bal__scenario *bal__sim_scenario(const bal__sim *sim);
const bal__sim_vm *bal__sim_vm_state(const bal__sim *sim, int vm);
const bal__sim_host *bal__sim_host_state(const bal__sim *sim, int host);

/* Appends every host (local_only: the first) as the xen backend would
 * report it: dom0 (domid 0) first, then the host's VMs in file order.
 * On error (BAL_ENOMEM) out is unchanged. */
int bal__sim_sample(const bal__sim *sim, bool local_only, bal__sample *out);

#endif /* BAL_SIM_H */
