/*
 * scenario.h - a simulated cluster described in a small line-based file
 * (the format is in doc/scenario-format.md).  Pure: no Xen header.
 *
 *     # comment
 *     option seed=1 interval=5
 *     host HostA pcpus=1 mem=4092M disk=15.73MB/s net=840.2Mbit/s
 *     vm vm1 host=HostA vcpus=1 mem=1024M load=io
 *
 *     link HostA HostB rtt=16
 *
 * The parser is table-driven (scenario.c): a keyword is a row of one
 * table, its keys rows of another, so a later keyword (migration events,
 * say) is a new struct array here, a new key table and one handler there.
 * Unknown keywords and keys stay errors.
 */
#ifndef BAL_SCENARIO_H
#define BAL_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "base/internal.h"
#include "base/loadtype.h"

#define BAL__SCN_NAME_MAX 127          /* bytes of a host or VM name */
#define BAL__SCN_LINE_MAX 4096         /* bytes of a line, newline excluded */
#define BAL__SCN_FILE_MAX (256u << 20) /* bytes of a whole file */
#define BAL__SCN_MAX_HOSTS 100000
#define BAL__SCN_MAX_VMS 1000000
/* A host reports dom0 and its VMs in one sample, which the JSON format
 * bounds at BAL__JSON_MAX_DOMS domains. */
#define BAL__SCN_MAX_VMS_PER_HOST 4095
#define BAL__SCN_MAX_PCPUS 4096
#define BAL__SCN_MAX_VCPUS 512
#define BAL__SCN_PATH_MAX 255          /* bytes of option placement's path */

/* The built-in defaults, documented in doc/scenario-format.md with where
 * each number comes from. */
#define BAL__SCN_DEF_INTERVAL 5.0          /* s, longest simulated step */
#define BAL__SCN_DEF_NOISE 0.02            /* relative, per step */
#define BAL__SCN_DEF_IOCPU 0.0079          /* guest CPU-s per MB of I/O */
#define BAL__SCN_DEF_DOM0CPU 0.0079        /* dom0 CPU-s per MB of I/O */
#define BAL__SCN_DEF_REQSIZE (44u * 1024)  /* bytes per block request */
#define BAL__SCN_DEF_DOM0MEM (512ull << 20)
/* Migration and jobs: doc/simulator-design.md derives each from the
 * paper (Table 2, Table 3's times without migration, "about 40 s"). */
#define BAL__SCN_DEF_RTT 4.0               /* ms, every host pair */
#define BAL__SCN_DEF_MIGCPU 0.00959        /* dom0 CPU-s per MB migrated */
#define BAL__SCN_DEF_MIGRESUME 0.1         /* s paused beyond the last copy */
#define BAL__SCN_DEF_CACHEDIRTY 1.0        /* guest bytes dirtied per I/O byte */
#define BAL__SCN_DEF_SPEED 1281139.0       /* operations per CPU-second */
#define BAL__SCN_WORK_MAX 1e18             /* cpuwork= at most */

typedef struct bal__scn_options {
    uint64_t seed;          /* of the noise; same seed, same counters */
    double interval_s;      /* longest simulated step */
    double noise;           /* relative amplitude of per-step noise */
    double iocpu;           /* default guest CPU-s per MB (10^6 B) of I/O */
    double dom0cpu;         /* default dom0 CPU-s per MB of guests' I/O */
    uint64_t reqsize;       /* bytes per block request (reqs counters) */
    double rtt_ms;          /* RTT of a host pair without a link line */
    double migcpu;          /* dom0 CPU-s per MB migrated, at each end */
    double migresume;       /* s a migrated VM stays paused after the
                             * last copy (device state, unpause) */
    double cachedirty;      /* default for the VMs' cachedirty */
    double speed;           /* default for the hosts' speed */
    /* For the `xl-balance simulate' driver, not the model: */
    double balance_at;      /* s: when the balancer starts */
    bool concurrent;        /* policy=concurrent (else sequential) */
    /* For the sim backend: the file that keeps where each VM runs from
     * one process to the next (backend_sim.c); "": none, each process
     * starts from the scenario's hosts. */
    char placement[BAL__SCN_PATH_MAX + 1];
    /* The file that keeps the simulated clock from one process to the
     * next (backend_sim.c), "": none, each process starts at 0; and the
     * simulated seconds between one process's end and the next one's
     * start (a timer's period). */
    char clock[BAL__SCN_PATH_MAX + 1];
    double gap_s;
} bal__scn_options;

typedef struct bal__scn_host {
    char *name;
    int line;               /* where it was declared */
    uint32_t pcpus;
    double cpu_hz;          /* 0: not given */
    uint64_t mem_bytes;
    uint64_t dom0_mem_bytes;
    double disk_Bps;        /* the host's disk path (e.g. to iSCSI) */
    double disk_iops;       /* 0: not given, disk_Bps / reqsize used */
    double net_Bps;         /* NIC, each direction; 0: not given, no limit */
    double dom0cpu;         /* dom0 CPU-s per MB of its guests' I/O */
    double speed;           /* a job's operations per CPU-second here */
    /* Derived while parsing. */
    uint64_t vm_mem_bytes;  /* sum of its VMs' memory */
    int nvms;
} bal__scn_host;

typedef struct bal__scn_vm {
    char *name;
    char uuid[BAL__UUID_LEN + 1];
    int line;
    int host;               /* index in hosts: where it starts */
    uint32_t vcpus;
    uint64_t mem_bytes;
    bal_load_type load;     /* what it runs; sets the demands' defaults */
    /* Demands: what it would use with the host to itself. */
    double cpu;             /* fraction of its vCPUs, 0..1 */
    double io_Bps;          /* disk bytes/s; INFINITY: as fast as it can */
    double write;           /* fraction of io_Bps that is writes, 0..1 */
    double iocpu;           /* its own CPU-s per MB of I/O */
    double dirty_Bps;       /* page dirtying while it runs */
    double net_tx_Bps, net_rx_Bps;  /* INFINITY: as fast as the NIC goes */
    /* Its job: finite work, then idle.  All 0: no job, a steady load. */
    double cpuwork;         /* operations; 0: none */
    uint64_t iowork;        /* disk bytes; 0: none */
    uint64_t network;       /* bytes sent and received; 0: none */
    double start_s;         /* when the job starts (idle before) */
    double cachedirty;      /* guest bytes dirtied per byte of its I/O */
    uint64_t wws_bytes;     /* writable working set: the most it dirties
                             * in one pre-copy round; 0: no bound (all of
                             * its memory) */
    /* What-if: its first live migration fails once this many bytes of
     * the stream went out (a dead link, a receiver gone); the VM stays
     * on its source.  Given or not: has_migfail. */
    uint64_t migfail;
    bool has_migfail;
} bal__scn_vm;

/* A host pair's migration link, either way round (a = the first named). */
typedef struct bal__scn_link {
    int a, b;               /* host indices, a != b */
    int line;
    double rtt_ms;
    double bw_Bps;          /* each direction */
} bal__scn_link;

typedef struct bal__scenario {
    char *source;           /* the file, as named in messages */
    bal__scn_options opt;
    int nhosts, ahosts;
    bal__scn_host *hosts;
    int nvms, avms;
    bal__scn_vm *vms;
    int nlinks, alinks;
    bal__scn_link *links;
    void *names;            /* private: name, UUID and link index */
} bal__scenario;

void bal__scenario_init(bal__scenario *s);
void bal__scenario_dispose(bal__scenario *s);

/* Parses text[0..len) (need not be NUL-terminated) into out, replacing
 * what out held.  what names the input in messages ("FILE").  On error:
 * one "WHAT:LINE: what is wrong" logged, BAL_ESCENARIO, out unchanged. */
int bal__scenario_parse(bal_ctx *ctx, const char *what, const char *text,
                        size_t len, bal__scenario *out);
/* Reads and parses path (at most BAL__SCN_FILE_MAX bytes). */
int bal__scenario_load(bal_ctx *ctx, const char *path, bal__scenario *out);

/* Index of the host / VM of that name, or -1. */
int bal__scenario_find_host(const bal__scenario *s, const char *name);
int bal__scenario_find_vm(const bal__scenario *s, const char *name);
int bal__scenario_find_uuid(const bal__scenario *s, const char *uuid);
/* Index in links of the line for hosts a and b (either order), or -1. */
int bal__scenario_find_link(const bal__scenario *s, int a, int b);
/* Bytes/s one direction of hosts a and b's link carries: its line's, or
 * the paper's Table 2 at option rtt. */
double bal__scenario_link_Bps(const bal__scenario *s, int a, int b);
/* The paper's Table 2: socket throughput at an RTT, in bytes/s;
 * piecewise linear between 0, 4, 16 and 64 ms, flat beyond. */
double bal__scenario_rtt_Bps(double rtt_ms);

/* The name of key i (from 0) of keyword ("option", "host", "vm", "link"), or
 * NULL past the last: lets tests hold the documentation to the tables. */
const char *bal__scenario_key(const char *keyword, int i);

/* The UUID a VM without uuid= gets: a hash of its name, as a version 8
 * (custom) UUID.  out has BAL__UUID_LEN + 1 bytes. */
void bal__scenario_name_uuid(char *out, const char *name);

/* A size as a scenario file would say it, the largest binary unit that is
 * exact ("4G", "512M", "1000B"): the scenario's messages and the
 * simulator's say sizes the way the file does.  Returns buf. */
const char *bal__scenario_fmt_size(char *buf, size_t n, uint64_t b);

#endif /* BAL_SCENARIO_H */
