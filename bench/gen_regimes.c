/*
 * gen_regimes.c - writes a generated cluster (bench/gen_regimes.h, where
 * each regime is described) to a file: as the planner's JSON input, for
 * `xl-balance plan --cluster FILE.json', or in Ganeti's hbal text format
 * with its utilisation file, to compare the two by hand.
 *
 *   gen_regimes REGIME HOSTS VMS [--seed N] --json FILE
 *   gen_regimes REGIME HOSTS VMS [--seed N] --hbal FILE [--util FILE]
 *
 * FILE `-' is standard output.  e.g.
 *   gen_regimes htools 20 100 --hbal c.txt --util u.txt
 *   /usr/lib/ganeti/3.0/usr/bin/hbal -t c.txt -U u.txt --exclusion-tags=load -S s
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_regimes.h"

typedef int (*gr_writer)(const bal__pl_input *in, FILE *f);

static void usage(void)
{
    int k;

    fprintf(stderr, "usage: gen_regimes REGIME HOSTS VMS [--seed N] --json FILE\n"
            "       gen_regimes REGIME HOSTS VMS [--seed N] --hbal FILE "
            "[--util FILE]\nregimes:");
    for (k = 0; gr_regime_names[k]; k++) fprintf(stderr, " %s", gr_regime_names[k]);
    fputc('\n', stderr);
    exit(2);
}

static int number(const char *s, long lo, long hi, long *out)
{
    char *end;

    *out = strtol(s, &end, 10);
    return !*s || *end || *out < lo || *out > hi ? -1 : 0;
}

/* 0, or -1 with the reason on stderr. */
static int write_to(const char *path, gr_writer w, const bal__pl_input *in)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
    int rc = -1;

    if (!f) {
        perror(path);
        return -1;
    }
    if (w(in, f)) goto out;
    rc = 0;
out:
    if (f == stdout ? fflush(f) : fclose(f)) rc = -1;
    if (rc) fprintf(stderr, "gen_regimes: cannot write %s\n", path);
    return rc;
}

int main(int argc, char **argv)
{
    const char *json = NULL, *hbal = NULL, *util = NULL;
    unsigned long long seed = 1;
    long nh, nv;
    int i, rc = 1;
    char *end;
    bal__pl_input in;

    bal__pl_input_init(&in);
    if (argc < 4 || gr_regime_index(argv[1]) < 0 ||
        number(argv[2], 1, 1000000, &nh) || number(argv[3], 0, 10000000, &nv))
        usage();
    for (i = 4; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            seed = strtoull(argv[++i], &end, 10);
            if (*end || !*argv[i]) usage();
        } else if (!strcmp(argv[i], "--json") && i + 1 < argc) json = argv[++i];
        else if (!strcmp(argv[i], "--hbal") && i + 1 < argc) hbal = argv[++i];
        else if (!strcmp(argv[i], "--util") && i + 1 < argc) util = argv[++i];
        else usage();
    }
    /* One cluster per run: either form, not both. */
    if (!json == !hbal || (util && !hbal)) usage();
    if (gr_generate(argv[1], (int)nh, (int)nv, seed, &in)) {
        fprintf(stderr, "gen_regimes: out of memory\n");
        goto out;
    }
    if (json && write_to(json, gr_write_json, &in)) goto out;
    if (hbal && write_to(hbal, gr_write_hbal, &in)) goto out;
    if (util && write_to(util, gr_write_hbal_util, &in)) goto out;
    rc = 0;
out:
    bal__pl_input_dispose(&in);
    return rc;
}
