/*
 * lib_scn.c - see lib_scn.h.
 */
#include "lib_scn.h"

uint64_t bench_lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

void bench_write_cluster(FILE *f, int nhosts)
{
    static const char *const loads[] = {
        "load=cpu", "load=io", "load=idle", "load=mixed cpu=0.5 io=2MB/s",
        "load=cpu cpu=0.3", "load=io io=1MB/s",
    };
    uint64_t seed = 7;
    int h, v;

    fprintf(f, "option seed=1 interval=5\n");
    for (h = 0; h < nhosts; h++)
        fprintf(f, "host h%05d pcpus=16 mem=131072M disk=500MB/s "
                "net=10Gbit/s\n", h);
    for (h = 0; h < nhosts; h++)
        for (v = 0; v < BENCH_VMS_PER_HOST; v++)
            fprintf(f, "vm vm%05d-%d host=h%05d vcpus=2 mem=4096M %s\n", h,
                    v, h, loads[bench_lcg(&seed) % 6]);
}
