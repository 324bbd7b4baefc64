/*
 * gen_cluster.h - generated clusters for the planner's tests: N hosts, M
 * VMs, heavy VMs of one type packed together on a few hosts ("clustered
 * same-type placement"), every collision avoidable, seeded.  Header-only;
 * tests/test_planner.c includes it.  The benchmark against hbal has its
 * own regimes now (gen_regimes.h, bench_hbal.c); gc_write_hbal and
 * gc_write_json stay for whoever wants this cluster in a file.
 *
 * The cluster (doc/planner.md, "Benchmark"):
 *   hosts: 16 pCPUs, 256 GiB (4 GiB dom0), a 250 MB/s disk path, 10 Gbit/s
 *          NIC, shared storage;
 *   VMs:   8 GiB each, M/N per host (the first hosts take the remainder),
 *          so every host holds the same memory and count;
 *          heavy cpu: 16 vCPUs computing on 10 pCPUs' worth (two exceed
 *          the host's 16); heavy io: 200 MB/s (two exceed the path; its
 *          I/O costs about 3.2 pCPUs, so a heavy cpu and a heavy io VM
 *          fit one host together); of each a quarter of the VMs, at most
 *          N/2: every collision can be avoided, with hosts to spare.  They are dealt in clusters of 2 to 4 to
 *          hosts in a shuffled order, cpu first, then io, two clusters
 *          never on one host; the rest are light (0.25 pCPU or 2 MB/s,
 *          or idle).
 * Also writes the cluster in Ganeti's hbal text-backend format: heavy
 * VMs tagged load:cpu / load:io, cluster tag htools:iextags:load (hbal
 * keeps same-tag instances apart), disk template sharedfile (movable to
 * any node), an instance policy that admits the VMs anywhere.
 */
#ifndef BAL_GEN_CLUSTER_H
#define BAL_GEN_CLUSTER_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "planner/planner.h"

#define GC_HOST_MEM_MIB 262144
#define GC_DOM0_MIB 4096
#define GC_VM_MIB 8192

static inline uint64_t gc_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline int gc_below(uint64_t *s, int n)
{
    return (int)(gc_next(s) % (uint64_t)n);
}

/* Fills in (bal__pl_input_init'd by the caller, disposed by the caller
 * with bal__pl_input_dispose): its names live in in->owned.  0, or -1
 * when out of memory or the sizes make no sense. */
static inline int gc_generate(int nhosts, int nvms, uint64_t seed,
                              bal__pl_input *in)
{
    uint64_t rs = seed * 0x2545f4914f6cdd1dull + 1;
    int *order = NULL, *slots = NULL, h, v, i, k, nheavy, type, next;
    char *names = NULL;
    size_t nlen;

    if (nhosts < 1 || nvms < 0) return -1;
    nlen = (size_t)nhosts * 16 + (size_t)nvms * (16 + 40) + 16;
    names = calloc(nlen, 1);
    order = malloc((size_t)nhosts * sizeof(int));
    slots = calloc((size_t)nhosts, sizeof(int));
    in->hosts = calloc((size_t)nhosts, sizeof(*in->hosts));
    in->vms = calloc((size_t)nvms + 1, sizeof(*in->vms));
    in->owned = malloc(sizeof(char *));
    if (!names || !order || !slots || !in->hosts || !in->vms || !in->owned) {
        free(names);
        free(order);
        free(slots);
        return -1;
    }
    in->owned[0] = names;
    in->nowned = in->capowned = 1;
    in->nhosts = nhosts;
    in->nvms = nvms;

    for (h = 0; h < nhosts; h++) {
        bal__pl_host *hp = &in->hosts[h];
        char *nm = names + (size_t)h * 16;

        snprintf(nm, 16, "h%05d", h);
        hp->name = nm;
        hp->pcpus = 16;
        hp->disk_Bps = 250e6;
        hp->net_Bps = 1.25e9;
        hp->storage_mask = 1;
        order[h] = h;
    }
    /* VM i's host: hosts take M/N each, the first ones one more. */
    for (v = 0; v < nvms; v++) {
        bal__pl_vm *vm = &in->vms[v];
        char *nm = names + (size_t)nhosts * 16 + (size_t)v * 56;

        snprintf(nm, 16, "vm%06d", v);
        snprintf(nm + 16, 40, "00000000-0000-4000-8000-%012x", (unsigned)v);
        vm->name = nm;
        vm->uuid = nm + 16;
        vm->host = (int)((int64_t)v * nhosts / (nvms ? nvms : 1));
        vm->mem_kb = (uint64_t)GC_VM_MIB * 1024;
        vm->remaining_s = -1;
        vm->anti_group = -1;
        vm->storage_mask = 1;
        /* Light by default. */
        k = gc_below(&rs, 5);
        vm->type = k < 2 ? BAL_TYPE_CPU : k < 4 ? BAL_TYPE_IO : BAL_TYPE_IDLE;
        vm->heavy = false;
        vm->vcpus = 2;
        vm->cpu = vm->type == BAL_TYPE_CPU ? 0.25 : 0.05;
        vm->io_Bps = vm->type == BAL_TYPE_IO ? 2e6 : 2e5;
        vm->dirty_Bps = 2e6;
    }
    /* Shuffled hosts; heavy VMs dealt in clusters of 2 to 4 to them, into
     * each host's first slots. */
    for (h = nhosts - 1; h > 0; h--) {
        int j = gc_below(&rs, h + 1), t = order[h];

        order[h] = order[j];
        order[j] = t;
    }
    nheavy = nvms / 4 < nhosts / 2 ? nvms / 4 : nhosts / 2;
    next = 0;
    for (type = 0; type < 2; type++) {
        int left = nheavy;

        while (left > 0 && next < nhosts) {
            int c = 2 + gc_below(&rs, 3), hh = order[next++], first = -1;

            if (c > left) c = left;
            /* Host h's VMs are a run starting at ceil(h M / N). */
            first = (int)(((int64_t)hh * nvms + nhosts - 1) / nhosts);
            if (first >= nvms || in->vms[first].host != hh) first = -1;
            for (i = 0; i < c && first >= 0 && first + i < nvms &&
                        in->vms[first + i].host == hh; i++) {
                bal__pl_vm *vm = &in->vms[first + i];

                vm->heavy = true;
                vm->dirty_Bps = 20e6;
                if (type == 0) {
                    vm->type = BAL_TYPE_CPU;
                    vm->vcpus = 16;
                    vm->cpu = 10;
                    vm->io_Bps = 1e6;
                } else {
                    vm->type = BAL_TYPE_IO;
                    vm->vcpus = 4;
                    vm->cpu = 0.2;
                    vm->io_Bps = 200e6;
                }
                left--;
            }
        }
    }
    for (v = 0; v < nvms; v++) slots[in->vms[v].host]++;
    for (h = 0; h < nhosts; h++)
        in->hosts[h].free_kb = ((int64_t)GC_HOST_MEM_MIB - GC_DOM0_MIB -
                                (int64_t)slots[h] * GC_VM_MIB) * 1024;
    free(order);
    free(slots);
    return 0;
}

/* The cluster as Ganeti's text backend reads it (hbal -t). */
static inline int gc_write_hbal(const bal__pl_input *in, FILE *f)
{
    static const char guuid[] = "00000000-0000-4000-8000-00000000ffff";
    static const char spec[] = "128,1,1024,1,1,1|128,1,1024,1,1,1;"
                               "65536,64,1048576,16,8,12|diskless,file,"
                               "sharedfile,plain,blockdev,drbd,rbd,ext|64.0|32.0";
    int h, v;

    fprintf(f, "default|%s|preferred||\n\n", guuid);
    for (h = 0; h < in->nhosts; h++)
        fprintf(f, "%s|%d|%d|%lld|10485760|10485760|%u|%c|%s|1||N|0|1|1.0\n",
                in->hosts[h].name, GC_HOST_MEM_MIB, GC_DOM0_MIB,
                (long long)(in->hosts[h].free_kb / 1024), in->hosts[h].pcpus,
                h == 0 ? 'M' : 'N', guuid);
    fputc('\n', f);
    for (v = 0; v < in->nvms; v++) {
        const bal__pl_vm *vm = &in->vms[v];
        const char *tag = !vm->heavy ? "" :
                          vm->type == BAL_TYPE_CPU ? "load:cpu" :
                          vm->type == BAL_TYPE_IO ? "load:io" : "";

        fprintf(f, "%s|%llu|10240|%u|running|Y|%s||sharedfile|%s|1|-|N\n",
                vm->name, (unsigned long long)(vm->mem_kb / 1024), vm->vcpus,
                in->hosts[vm->host].name, tag);
    }
    fprintf(f, "\nhtools:iextags:load\n\n|%s\ndefault|%s\n", spec, spec);
    return ferror(f) ? -1 : 0;
}

/* The cluster as the planner's JSON input (doc/planner.md, "JSON"). */
static inline int gc_write_json(const bal__pl_input *in, FILE *f)
{
    static const char *const tn[] = { "idle", "cpu", "io", "mixed" };
    int h, v;

    fprintf(f, "{\n  \"params\": { \"horizon_s\": %.17g, \"rtt_ms\": %.17g },\n"
            "  \"hosts\": [\n", in->params.horizon_s, in->params.rtt_ms);
    for (h = 0; h < in->nhosts; h++) {
        const bal__pl_host *hp = &in->hosts[h];

        fprintf(f, "    { \"name\": \"%s\", \"pcpus\": %u, \"disk_Bps\": %.17g, "
                "\"net_Bps\": %.17g, \"free_kb\": %lld, \"storage_mask\": %u }%s\n",
                hp->name, hp->pcpus, hp->disk_Bps, hp->net_Bps,
                (long long)hp->free_kb, hp->storage_mask,
                h + 1 < in->nhosts ? "," : "");
    }
    fprintf(f, "  ],\n  \"vms\": [\n");
    for (v = 0; v < in->nvms; v++) {
        const bal__pl_vm *vm = &in->vms[v];

        char io[32];

        if (isinf(vm->io_Bps)) snprintf(io, sizeof(io), "\"max\"");
        else snprintf(io, sizeof(io), "%.17g", vm->io_Bps);
        fprintf(f, "    { \"uuid\": \"%s\", \"name\": \"%s\", \"host\": \"%s\", "
                "\"type\": \"%s\", \"heavy\": %s, \"cpu\": %.17g, \"io_Bps\": "
                "%s, \"vcpus\": %u, \"mem_kb\": %llu, \"dirty_Bps\": %.17g, "
                "\"storage_mask\": %u }%s\n", vm->uuid, vm->name,
                in->hosts[vm->host].name, tn[vm->type],
                vm->heavy ? "true" : "false", vm->cpu, io, vm->vcpus,
                (unsigned long long)vm->mem_kb, vm->dirty_Bps, vm->storage_mask,
                v + 1 < in->nvms ? "," : "");
    }
    fprintf(f, "  ]\n}\n");
    return ferror(f) ? -1 : 0;
}

/* Collisions avoidable at best: each type's heavy VMs beyond one per
 * host (memory is ample in generated clusters). */
static inline int gc_min_collisions(const bal__pl_input *in)
{
    int v, ncpu = 0, nio = 0, lb = 0, usable = 0, h;

    for (h = 0; h < in->nhosts; h++) usable += !in->hosts[h].drained;
    for (v = 0; v < in->nvms; v++) {
        if (!in->vms[v].heavy) continue;
        ncpu += bal_load_type_contends(in->vms[v].type, BAL_RES_CPU);
        nio += bal_load_type_contends(in->vms[v].type, BAL_RES_IO);
    }
    if (ncpu > usable) lb += ncpu - usable;
    if (nio > usable) lb += nio - usable;
    return lb;
}

#endif /* BAL_GEN_CLUSTER_H */
