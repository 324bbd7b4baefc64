/*
 * gen_cluster.c - writes a generated cluster (bench/gen_cluster.h): as
 * the planner's JSON input, or in Ganeti's hbal text-backend format, to
 * compare the two by hand.
 *
 *   gen_cluster HOSTS VMS [--seed N] [--hbal] [-o FILE]
 *
 * e.g.  gen_cluster 100 1000 --hbal -o c.txt
 *       /usr/lib/ganeti/3.0/usr/bin/hbal -t c.txt --exclusion-tags=load -S s
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_cluster.h"

static void usage(void)
{
    fprintf(stderr, "usage: gen_cluster HOSTS VMS [--seed N] [--hbal] [-o FILE]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *out = NULL;
    uint64_t seed = 1;
    bool hbal = false;
    int nh, nv, i, rc;
    char *end;
    bal__pl_input in;
    FILE *f = stdout;

    if (argc < 3) usage();
    nh = (int)strtol(argv[1], &end, 10);
    if (*end || nh < 1 || nh > 100000) usage();
    nv = (int)strtol(argv[2], &end, 10);
    if (*end || nv < 0 || nv > 1000000) usage();
    for (i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--hbal")) hbal = true;
        else if (!strcmp(argv[i], "-o") && i + 1 < argc) out = argv[++i];
        else usage();
    }
    bal__pl_input_init(&in);
    if (gc_generate(nh, nv, seed, &in)) {
        fprintf(stderr, "gen_cluster: out of memory\n");
        return 1;
    }
    if (out && !(f = fopen(out, "w"))) {
        perror(out);
        bal__pl_input_dispose(&in);
        return 1;
    }
    rc = hbal ? gc_write_hbal(&in, f) : gc_write_json(&in, f);
    if (out && fclose(f)) rc = -1;
    bal__pl_input_dispose(&in);
    if (rc) {
        fprintf(stderr, "gen_cluster: cannot write %s\n", out ? out : "stdout");
        return 1;
    }
    return 0;
}
