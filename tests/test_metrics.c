/*
 * test_metrics.c - the metrics writer (run/metrics.c): label escaping,
 * both formats of one status of the paper's cluster, and the textfile:
 * replaced in one step (a new file renamed over the old one), readable
 * by the collector, no temporary file left, a missing directory refused
 * with one line.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "base/config.h"
#include "run/metrics.h"

static char *escaped(const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    assert_non_null(f);
    bal__metrics_put_label_value(f, s);
    fclose(f);
    return buf;
}

static void test_escape(void **state)
{
    static const char *const cases[][2] = {
        { "a\nb", "a\\nb" }, { "q\"q", "q\\\"q" }, { "b\\s", "b\\\\s" },
        { "plain", "plain" }, { "\\\n\"", "\\\\\\n\\\"" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = escaped(cases[i][0]);

        assert_string_equal(got, cases[i][1]);
        free(got);
    }
}

/* st in fmt, as text. */
static char *metrics(const bal_status *st, const bal_counters *c,
                     bal_metrics_format fmt)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    assert_non_null(f);
    assert_int_equal(bal_metrics_write(st, c, fmt, f), 0);
    fclose(f);
    return buf;
}

/* The paper's cluster, one status of it. */
typedef struct fx {
    tu_fx f;
    bal_status *st;
} fx;

static void fx_init(fx *x)
{
    tu_fx_init(&x->f, "sim:scenarios/paper.scn");
    assert_int_equal(bal_status_collect(x->f.ctx, x->f.be, x->f.cfg,
                                        &x->st), 0);
}

static void fx_dispose(fx *x)
{
    bal_status_free(x->st);
    tu_fx_dispose(&x->f);
}

static void test_formats(void **state)
{
    fx x;
    char *om, *prom, *line, *save = NULL, want[512], *prev_help = NULL;
    const bal_vm_info *vm1, *vm2;
    int ntype = 0;

    (void)state;
    fx_init(&x);
    vm1 = tu_status_vm(x.st, "vm1");     /* io */
    vm2 = tu_status_vm(x.st, "vm2");     /* cpu */
    /* The counters as sampled: vm2 computed, vm1 read from its disk. */
    assert_true(vm2->cpu_s > 0);
    assert_true(vm1->rd_bytes > 0 && vm1->rd_reqs > 0);
    assert_int_equal(vm2->rd_bytes, 0);

    om = metrics(x.st, NULL, BAL_METRICS_OPENMETRICS);
    prom = metrics(x.st, NULL, BAL_METRICS_PROMETHEUS);

    /* OpenMetrics: family names, the stateset and info, "# EOF" last. */
    assert_non_null(strstr(om, "# TYPE xl_balance_vm_cpu_seconds counter\n"));
    assert_non_null(strstr(om, "# TYPE xl_balance_vm_type stateset\n"));
    assert_non_null(strstr(om, "# TYPE xl_balance_build info\n"));
    assert_non_null(strstr(om, ",xl_balance_vm_type=\"io\"} 1\n"));
    assert_string_equal(om + strlen(om) - 6, "# EOF\n");

    /* The text format: series names, the gauges in their place. */
    assert_null(strstr(prom, "# EOF"));
    assert_non_null(strstr(prom, "# HELP xl_balance_vm_cpu_seconds_total "));
    assert_non_null(strstr(prom,
                           "# TYPE xl_balance_vm_cpu_seconds_total counter\n"));
    assert_non_null(strstr(prom, "# TYPE xl_balance_build_info gauge\n"));
    assert_non_null(strstr(prom, "# TYPE xl_balance_vm_type gauge\n"));
    snprintf(want, sizeof(want), "xl_balance_vm_type{host=\"HostA\","
             "vm=\"vm1\",uuid=\"%s\",type=\"io\"} 1\n", vm1->uuid);
    assert_non_null(strstr(prom, want));
    snprintf(want, sizeof(want), "xl_balance_vm_disk_read_bytes_total{"
             "host=\"HostA\",vm=\"vm1\",uuid=\"%s\"} %llu\n", vm1->uuid,
             (unsigned long long)vm1->rd_bytes);
    assert_non_null(strstr(prom, want));
    snprintf(want, sizeof(want), "xl_balance_vm_cpu_seconds_total{"
             "host=\"HostB\",vm=\"vm2\",uuid=\"%s\"} %.15g\n", vm2->uuid,
             vm2->cpu_s);
    assert_non_null(strstr(prom, want));
    /* Every family: HELP, then TYPE of the same name, counter or gauge. */
    for (line = strtok_r(prom, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (!strncmp(line, "# HELP ", 7)) {
            prev_help = line + 7;
        } else if (!strncmp(line, "# TYPE ", 7)) {
            const char *name = line + 7, *sp = strchr(name, ' ');

            assert_non_null(prev_help);
            assert_non_null(sp);
            assert_memory_equal(prev_help, name, (size_t)(sp - name) + 1);
            assert_true(!strcmp(sp, " counter") || !strcmp(sp, " gauge"));
            prev_help = NULL;
            ntype++;
        }
    }
    assert_true(ntype > 20);
    free(om);
    free(prom);
    fx_dispose(&x);
}

/* Every name in dir, sorted, space-separated (malloc'd). */
static char *listing(const char *dir)
{
    struct dirent **v;
    char *out = calloc(1, 4096);
    int n, i;

    assert_non_null(out);
    n = scandir(dir, &v, NULL, alphasort);
    assert_true(n >= 0);
    for (i = 0; i < n; i++) {
        if (strcmp(v[i]->d_name, ".") && strcmp(v[i]->d_name, "..")) {
            if (*out) strcat(out, " ");
            strcat(out, v[i]->d_name);
        }
        free(v[i]);
    }
    free(v);
    return out;
}

static char *slurp_path(const char *path)
{
    FILE *f = fopen(path, "r");
    char *s;

    assert_non_null(f);
    s = tu_slurp(f, NULL);
    fclose(f);
    return s;
}

static void test_textfile(void **state)
{
    char dir[] = "/tmp/xlb-metrics.XXXXXX", path[128], keep[128],
         missing[128], *got, *want, *names;
    const bal__config_key *k = bal__config_key_find("metrics_textfile");
    bal_counters *c = NULL;
    struct stat sb;
    FILE *f;
    fx x;

    (void)state;
    fx_init(&x);
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/xl-balance.prom", dir);
    snprintf(keep, sizeof(keep), "%s/keep", dir);

    /* None named: nothing written. */
    assert_int_equal(bal_metrics_textfile(x.f.ctx, x.f.cfg, x.st), 0);
    names = listing(dir);
    assert_string_equal(names, "");
    free(names);

    /* An old file, and a second link to it: a rename replaces the name
     * and leaves the old file whole; a rewrite in place would not. */
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("old\n", f);
    fclose(f);
    assert_int_equal(link(path, keep), 0);
    assert_int_equal(bal__config_set_string(k, x.f.cfg, path), 0);
    assert_int_equal(bal_metrics_textfile(x.f.ctx, x.f.cfg, x.st), 0);

    got = slurp_path(path);
    assert_int_equal(bal_counters_read(x.f.ctx, x.f.cfg, &c), 0);
    want = metrics(x.st, c, BAL_METRICS_PROMETHEUS);
    assert_string_equal(got, want);
    free(got);
    free(want);
    bal_counters_free(c);
    got = slurp_path(keep);
    assert_string_equal(got, "old\n");
    free(got);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0644);
    names = listing(dir);
    assert_string_equal(names, "keep xl-balance.prom");
    free(names);

    /* Its directory gone: one line, BAL_EIO, nothing left behind. */
    snprintf(missing, sizeof(missing), "%s/none/xl-balance.prom", dir);
    assert_int_equal(bal__config_set_string(k, x.f.cfg, missing), 0);
    assert_int_equal(bal_metrics_textfile(x.f.ctx, x.f.cfg, x.st), BAL_EIO);
    snprintf(want = calloc(1, 512), 512, "%s: cannot write the metrics: "
             "%s/none: No such file or directory", missing, dir);
    assert_string_equal(tu_last(&x.f.lg), want);
    free(want);

    unlink(path);
    unlink(keep);
    rmdir(dir);
    fx_dispose(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_formats),
        cmocka_unit_test(test_textfile),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
