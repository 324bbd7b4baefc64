/*
 * lib_scn.h - the generated cluster the benchmarks load at scale (linked
 * into every bench program): a scenario of nhosts hosts of 16 pCPUs, 10
 * VMs each, of every load type, the same on every run.
 */
#ifndef BENCH_LIB_SCN_H
#define BENCH_LIB_SCN_H

#include <stdint.h>
#include <stdio.h>

#define BENCH_VMS_PER_HOST 10

/* A small fixed generator (a 64-bit LCG): the same numbers on every run. */
uint64_t bench_lcg(uint64_t *s);

/* Writes it to f: hosts h00000.., VMs vm00000-0.. (names sort by host). */
void bench_write_cluster(FILE *f, int nhosts);

#endif
