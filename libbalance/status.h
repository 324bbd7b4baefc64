/*
 * status.h - the status object and the helpers status.c shares with the
 * planner: a VM's levels relative to its host.
 */
#ifndef BAL_STATUS_H
#define BAL_STATUS_H

#include "internal.h"
#include "rates.h"

struct bal_status {
    bal__sample last;           /* names and hosts point into it */
    bal_host_info *hosts;
    int nhosts;
    bal_vm_info *vms;
    int nvms;
    int npeer_errors;
};

double bal__host_disk_Bps(const struct bal_config *cfg, const bal__host *h);
double bal__host_disk_iops(const struct bal_config *cfg, const bal__host *h);
/* cpu_level: CPU use / min(vcpus, pcpus); io_level: the larger of disk
 * bytes and requests over the host's path capacity. */
void bal__levels(const struct bal_config *cfg, const bal__host *h,
                 const bal__dom *d, const bal__rate *r,
                 double *cpu_level_r, double *io_level_r);

#endif
