/*
 * sample.h - one sample of a cluster: cumulative counters of every domain
 * on every host, as plain structs.  Pure: no Xen header.  Every backend
 * produces these; rates.c turns two of them into rates.
 */
#ifndef BAL_SAMPLE_H
#define BAL_SAMPLE_H

#include <stdbool.h>
#include <stdint.h>

#define BAL__UUID_LEN 36        /* 8-4-4-4-12 hex digits and hyphens */
#define BAL__NAME_MAX 128       /* domain names, with their NUL */
#define BAL__HOST_MAX 256       /* host names, with their NUL */
#define BAL__WEIGHT_MAX 65535   /* the largest credit/credit2 weight */

typedef struct bal__dom {
    char uuid[BAL__UUID_LEN + 1];
    char name[BAL__NAME_MAX];
    uint32_t domid;             /* 0 is dom0: reported, never moved */
    uint32_t vcpus;
    uint64_t mem_kb, maxmem_kb;
    uint64_t cpu_ns;            /* cumulative CPU time of all vCPUs */
    uint64_t vbd_rd_reqs, vbd_wr_reqs;    /* summed over the domain's VBDs */
    uint64_t vbd_rd_sect, vbd_wr_sect;    /* 512-byte sectors */
    uint64_t vbd_oo_reqs;                 /* requests refused: ring full */
    uint64_t net_rx_bytes, net_tx_bytes;  /* summed over its vifs */
    /* Its credit/credit2 scheduler weight (xl sched-credit2 -w), 0 when
     * unknown (the simulator, an old peer, another scheduler): a busy
     * pCPU is shared among domains in proportion to their weights. */
    uint32_t weight;
} bal__dom;

typedef struct bal__host {
    char name[BAL__HOST_MAX];
    uint64_t time_ns;           /* when sampled, on this host's clock */
    uint32_t pcpus;
    uint64_t cpu_hz;
    uint64_t mem_kb, free_kb;
    /* Capacity of the disk path and NIC when the host knows it (the
     * simulator does), 0 when not: the configuration's value is used. */
    double disk_Bps, disk_iops, net_Bps;
    int ndoms, adoms;
    bal__dom *doms;
} bal__host;

typedef struct bal__sample {
    int nhosts, ahosts;
    bal__host *hosts;
    int npeer_errors;           /* peers that did not answer usably */
} bal__sample;

void bal__sample_init(bal__sample *s);
void bal__sample_dispose(bal__sample *s);
/* Appends a zeroed host / domain; *out stays valid until the next add. */
int bal__sample_add_host(bal__sample *s, bal__host **out);
int bal__host_add_dom(bal__host *h, bal__dom **out);
/* Moves src's hosts to the end of dst, leaving src empty. */
int bal__sample_append(bal__sample *dst, bal__sample *src);
bal__host *bal__sample_find_host(const bal__sample *s, const char *name);
/* A deep copy into dst (overwritten, not disposed). */
int bal__sample_copy(bal__sample *dst, const bal__sample *src);

#endif /* BAL_SAMPLE_H */
