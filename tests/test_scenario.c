/*
 * test_scenario.c - scenario files: the shipped paper scenario parses to
 * the paper's testbed; units, defaults, comments and options anywhere;
 * and each kind of bad file is refused with its exact "FILE:LINE: ..."
 * line, BAL_ESCENARIO, and the output left as it was.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "backend/scenario.h"

#define MIB (1024.0 * 1024.0)

static int parse(bal_ctx *ctx, const char *text, bal__scenario *out)
{
    return bal__scenario_parse(ctx, "t.scn", text, strlen(text), out);
}

/* ---- the paper's testbed ----------------------------------------------- */

static void test_paper(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal__scenario s;
    char uuid[BAL__UUID_LEN + 1];
    const char *names[] = { "vm1", "vm3", "vm2", "vm4" };
    int i;

    bal__scenario_init(&s);
    assert_int_equal(bal__scenario_load(ctx, "scenarios/paper.scn", &s), 0);
    assert_int_equal(lg.nerrors, 0);
    assert_string_equal(s.source, "scenarios/paper.scn");
    assert_int_equal(s.opt.seed, 1);
    assert_true(s.opt.interval_s == 5);
    assert_true(s.opt.rtt_ms == 4);
    assert_true(s.opt.migcpu == 0.00959);
    assert_true(s.opt.migresume == 0.1);
    assert_true(s.opt.cachedirty == 1);
    assert_true(s.opt.balance_at == 100);
    assert_false(s.opt.concurrent);
    assert_int_equal(s.nlinks, 0);
    /* Table 2 at 4 ms, both ways. */
    assert_true(bal__scenario_link_Bps(&s, 0, 1) == 609.61e6 / 8);
    assert_true(bal__scenario_link_Bps(&s, 1, 0) == 609.61e6 / 8);

    assert_int_equal(s.nhosts, 2);
    for (i = 0; i < 2; i++) {
        const bal__scn_host *h = &s.hosts[i];

        assert_string_equal(h->name, i ? "HostB" : "HostA");
        assert_int_equal(h->pcpus, 1);
        assert_int_equal(h->mem_bytes, 4092ull << 20);
        assert_int_equal(h->dom0_mem_bytes, 512ull << 20);
        /* 2 x 8 GiB in 1092 s, rounded to the byte */
        assert_true(fabs(h->disk_Bps - 2.0 * 8 * 1073741824 / 1092) < 1);
        assert_true(fabs(h->net_Bps - 840.2e6 / 8) < 1e-6);
        assert_true(h->disk_iops == 0);      /* none given */
        assert_true(h->dom0cpu == 0.0079);
        /* 3.6e8 operations in 562 s at half a pCPU */
        assert_true(fabs(h->speed - 3.6e8 / (562 * 0.5)) < 0.5);
        assert_int_equal(h->nvms, 2);
        assert_int_equal(h->vm_mem_bytes, 2048ull << 20);
        assert_int_equal(bal__scenario_find_host(&s, h->name), i);
    }

    assert_int_equal(s.nvms, 4);
    for (i = 0; i < 4; i++) {
        const bal__scn_vm *v = &s.vms[i];
        bool io = i < 2;

        assert_string_equal(v->name, names[i]);
        assert_int_equal(v->host, io ? 0 : 1);
        assert_int_equal(v->vcpus, 1);
        assert_int_equal(v->mem_bytes, 1024ull << 20);
        assert_int_equal(v->load, io ? BAL_TYPE_IO : BAL_TYPE_CPU);
        assert_true(io ? isinf(v->io_Bps) : v->io_Bps == 0);
        assert_true(v->cpu == (io ? 0 : 1));
        assert_true(v->iocpu == 0.0079);
        assert_true(v->cachedirty == 1);
        assert_true(v->start_s == 0);
        assert_true(v->cpuwork == (io ? 0 : 3.6e8));
        assert_int_equal(v->iowork, io ? 8ull << 30 : 0);
        bal__scenario_name_uuid(uuid, names[i]);
        assert_string_equal(v->uuid, uuid);
        assert_int_equal(bal__scenario_find_vm(&s, names[i]), i);
        assert_int_equal(bal__scenario_find_uuid(&s, uuid), i);
    }
    assert_int_equal(bal__scenario_find_vm(&s, "vm5"), -1);
    assert_int_equal(bal__scenario_find_host(&s, "HostC"), -1);

    bal__scenario_dispose(&s);
    bal_ctx_free(ctx);
}

/* ---- what a good file may say ------------------------------------------- */

static void test_units_and_defaults(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal__scenario s;
    const char *text =
        "  # indented comment\n"
        "\n"
        "host h1 pcpus=4 mem=1.5G disk=16MB/s iops=2000 net=1Gbit/s "
        "freq=2.7GHz dom0mem=256M dom0cpu=0 # trailing comment\r\n"
        "host h2\tpcpus=2 mem=1T disk=500KB/s net=100Mbit/s\n"
        "host h3 pcpus=1e1 mem=1048576K disk=8000kbit/s\n"
        "vm a host=h1 vcpus=2 mem=512M load=cpu\n"
        "vm b host=h1 vcpus=1 mem=256M load=io io=30MB/s write=0.25 "
        "iocpu=0.01 dirty=1.5MB/s net=2Mbit/s netrx=1KB/s "
        "uuid=0123ABCD-0000-4000-8000-00000000000F\n"
        "vm c host=h2 vcpus=1 mem=1G load=mixed cpu=0.5 io=1GB/s\n"
        "vm d host=h2 vcpus=1 mem=1G load=idle\n"
        "vm é host=h3 vcpus=1 mem=1M load=io io=0B/s\n"
        "option noise=0 reqsize=4K iocpu=0.002 dom0cpu=0.003 seed=18446744073709551615\n"
        "option interval=0.5\n";

    bal__scenario_init(&s);
    assert_int_equal(parse(ctx, text, &s), 0);
    assert_int_equal(lg.nerrors, 0);

    assert_true(s.opt.noise == 0);
    assert_int_equal(s.opt.reqsize, 4096);
    assert_true(s.opt.interval_s == 0.5);
    assert_true(s.opt.seed == UINT64_MAX);

    assert_int_equal(s.nhosts, 3);
    assert_int_equal(s.hosts[0].pcpus, 4);
    assert_int_equal(s.hosts[0].mem_bytes, 1536ull << 20);
    assert_true(s.hosts[0].disk_Bps == 16e6);
    assert_true(s.hosts[0].disk_iops == 2000);
    assert_true(s.hosts[0].net_Bps == 125e6);
    assert_true(s.hosts[0].cpu_hz == 2.7e9);
    assert_int_equal(s.hosts[0].dom0_mem_bytes, 256ull << 20);
    assert_true(s.hosts[0].dom0cpu == 0);         /* its own, not the option */
    assert_int_equal(s.hosts[1].mem_bytes, 1ull << 40);
    assert_true(s.hosts[1].disk_Bps == 500e3);
    assert_true(s.hosts[1].net_Bps == 12.5e6);
    assert_true(s.hosts[1].cpu_hz == 0);
    assert_int_equal(s.hosts[1].dom0_mem_bytes, BAL__SCN_DEF_DOM0MEM);
    assert_true(s.hosts[1].dom0cpu == 0.003);     /* the option, set later */
    assert_int_equal(s.hosts[2].pcpus, 10);
    assert_int_equal(s.hosts[2].mem_bytes, 1024ull << 20);
    assert_true(s.hosts[2].disk_Bps == 1e6);

    assert_int_equal(s.nvms, 5);
    assert_true(s.vms[0].cpu == 1 && s.vms[0].io_Bps == 0);  /* cpu's */
    assert_true(s.vms[0].iocpu == 0.002);
    assert_true(s.vms[1].cpu == 0 && s.vms[1].io_Bps == 30e6);
    assert_true(s.vms[1].write == 0.25 && s.vms[1].iocpu == 0.01);
    assert_true(s.vms[1].dirty_Bps == 1.5e6);
    assert_true(s.vms[1].net_tx_Bps == 250e3);
    assert_true(s.vms[1].net_rx_Bps == 1e3);
    assert_string_equal(s.vms[1].uuid, "0123abcd-0000-4000-8000-00000000000f");
    assert_true(s.vms[2].cpu == 0.5 && s.vms[2].io_Bps == 1e9);
    assert_int_equal(s.vms[2].load, BAL_TYPE_MIXED);
    assert_true(s.vms[3].cpu == 0 && s.vms[3].io_Bps == 0);
    assert_int_equal(s.vms[3].load, BAL_TYPE_IDLE);
    assert_string_equal(s.vms[4].name, "é");
    assert_true(s.vms[4].io_Bps == 0);
    assert_int_equal(s.hosts[0].nvms, 2);
    assert_int_equal(s.hosts[0].vm_mem_bytes, 768ull << 20);

    /* Parsing over a scenario replaces it. */
    assert_int_equal(parse(ctx, "host x pcpus=1 mem=1G disk=1MB/s\n", &s), 0);
    assert_int_equal(s.nhosts, 1);
    assert_int_equal(s.nvms, 0);
    assert_true(s.opt.noise == BAL__SCN_DEF_NOISE);
    assert_int_equal(s.opt.seed, 1);
    assert_true(s.opt.iocpu == BAL__SCN_DEF_IOCPU);
    assert_int_equal(s.opt.reqsize, BAL__SCN_DEF_REQSIZE);

    bal__scenario_dispose(&s);
    bal_ctx_free(ctx);
}

/* Jobs, speeds, links and the migration options. */
static void test_jobs_and_links(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal__scenario s;
    double mbit = 1e6 / 8;
    const char *text =
        "host a pcpus=1 mem=4G disk=10MB/s speed=500Kops/s\n"
        "host b pcpus=1 mem=4G disk=10MB/s\n"
        "host c pcpus=1 mem=4G disk=10MB/s\n"
        "host d pcpus=1 mem=4G disk=10MB/s\n"
        "link b a bw=1Gbit/s\n"
        "link a c rtt=10\n"
        "link c d rtt=100 bw=5MB/s\n"
        "vm v1 host=a vcpus=1 mem=1G load=cpu cpuwork=1e9 start=12.5\n"
        "vm v2 host=b vcpus=1 mem=1G load=io iowork=1.5G cachedirty=0\n"
        "vm v3 host=b vcpus=1 mem=1G load=mixed cpu=0.5 io=1MB/s "
        "cpuwork=10 iowork=1M\n"
        "vm v4 host=c vcpus=1 mem=1G load=idle\n"
        "option rtt=16 migcpu=0.01 migresume=0 cachedirty=0.5 "
        "speed=2Gops/s balance_at=30 policy=concurrent "
        "placement=/var/tmp/cluster\n";

    bal__scenario_init(&s);
    assert_int_equal(parse(ctx, text, &s), 0);
    assert_int_equal(lg.nerrors, 0);
    assert_true(s.opt.rtt_ms == 16);
    assert_true(s.opt.migcpu == 0.01);
    assert_true(s.opt.migresume == 0);
    assert_true(s.opt.balance_at == 30);
    assert_true(s.opt.concurrent);
    assert_string_equal(s.opt.placement, "/var/tmp/cluster");
    /* speed: the host's own, or the option's (set after the hosts). */
    assert_true(s.hosts[0].speed == 5e5);
    assert_true(s.hosts[1].speed == 2e9);

    assert_int_equal(s.nvms, 4);
    assert_true(s.vms[0].cpuwork == 1e9 && s.vms[0].iowork == 0);
    assert_true(s.vms[0].start_s == 12.5);
    assert_true(s.vms[0].cachedirty == 0.5);          /* the option's */
    assert_int_equal(s.vms[1].iowork, 1536ull << 20);
    assert_true(s.vms[1].cachedirty == 0);
    assert_true(s.vms[1].start_s == 0);
    assert_true(s.vms[2].cpuwork == 10);
    assert_int_equal(s.vms[2].iowork, 1u << 20);
    assert_true(s.vms[3].cpuwork == 0 && s.vms[3].iowork == 0);

    /* Links: either order; rtt from the option when not given; bw from
     * Table 2 at the rtt when not given. */
    assert_int_equal(s.nlinks, 3);
    assert_int_equal(bal__scenario_find_link(&s, 0, 1), 0);
    assert_int_equal(bal__scenario_find_link(&s, 1, 0), 0);
    assert_int_equal(bal__scenario_find_link(&s, 0, 2), 1);
    assert_int_equal(bal__scenario_find_link(&s, 1, 2), -1);
    assert_int_equal(s.links[0].a, 1);
    assert_int_equal(s.links[0].b, 0);
    assert_true(s.links[0].rtt_ms == 16);
    assert_true(bal__scenario_link_Bps(&s, 0, 1) == 125e6);
    assert_true(s.links[1].rtt_ms == 10);
    assert_true(fabs(bal__scenario_link_Bps(&s, 2, 0) -
                     (609.61 + 0.5 * (151.79 - 609.61)) * mbit) < 1e-3);
    assert_true(bal__scenario_link_Bps(&s, 3, 2) == 5e6);
    /* No line: Table 2 at option rtt. */
    assert_true(fabs(bal__scenario_link_Bps(&s, 1, 3) - 151.79 * mbit) <
                1e-6);

    /* Table 2 itself: its points, between them, beyond the last. */
    assert_true(fabs(bal__scenario_rtt_Bps(0) - 840.2 * mbit) < 1e-6);
    assert_true(fabs(bal__scenario_rtt_Bps(4) - 609.61 * mbit) < 1e-6);
    assert_true(fabs(bal__scenario_rtt_Bps(16) - 151.79 * mbit) < 1e-6);
    assert_true(fabs(bal__scenario_rtt_Bps(64) - 104.29 * mbit) < 1e-6);
    assert_true(fabs(bal__scenario_rtt_Bps(2) -
                     (840.2 + 609.61) / 2 * mbit) < 1e-6);
    assert_true(fabs(bal__scenario_rtt_Bps(40) -
                     (151.79 + 104.29) / 2 * mbit) < 1e-6);
    assert_true(fabs(bal__scenario_rtt_Bps(1000) - 104.29 * mbit) < 1e-6);

    /* The defaults. */
    assert_int_equal(parse(ctx, "host x pcpus=1 mem=1G disk=1MB/s\n"
                           "vm y host=x vcpus=1 mem=1M load=io\n", &s), 0);
    assert_true(s.opt.rtt_ms == BAL__SCN_DEF_RTT);
    assert_true(s.opt.migcpu == BAL__SCN_DEF_MIGCPU);
    assert_true(s.opt.migresume == BAL__SCN_DEF_MIGRESUME);
    assert_true(s.opt.balance_at == 0);
    assert_false(s.opt.concurrent);
    assert_true(s.hosts[0].speed == BAL__SCN_DEF_SPEED);
    assert_true(s.vms[0].cachedirty == BAL__SCN_DEF_CACHEDIRTY);
    assert_int_equal(s.nlinks, 0);
    assert_int_equal(bal__scenario_find_link(&s, 0, 0), -1);

    bal__scenario_dispose(&s);
    bal_ctx_free(ctx);
}

static void test_name_uuid(void **state)
{
    char a[BAL__UUID_LEN + 1], b[BAL__UUID_LEN + 1], c[BAL__UUID_LEN + 1];

    bal__scenario_name_uuid(a, "vm1");
    bal__scenario_name_uuid(b, "vm1");
    bal__scenario_name_uuid(c, "vm2");
    assert_true(bal__uuid_valid(a));
    assert_true(bal__uuid_valid(c));
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_int_equal(a[14], '8');                 /* version 8 */
    assert_non_null(strchr("89ab", a[19]));       /* RFC 4122 variant */
}

/* ---- bad files ------------------------------------------------------------ */

#define H "host A pcpus=1 mem=4G disk=10MB/s\n"
#define H2 "host B pcpus=1 mem=4G disk=10MB/s\n"
#define V "vm v host=A vcpus=1 mem=1G load=cpu\n"

static const struct bad {
    const char *text;
    const char *msg;        /* after "t.scn:" */
} bad[] = {
    /* keywords */
    { H "hots B pcpus=1\n",
      "2: unknown keyword `hots' (expected option, host, vm or link)" },
    { "host\n", "1: host: needs a name before its keys" },
    { "host pcpus=1 mem=4G disk=1MB/s\n", "1: host: needs a name before its keys" },
    { H "vm\n", "2: vm: needs a name before its keys" },
    /* keys */
    { "host A cpus=1 mem=4G disk=10MB/s\n", "1: host A: unknown key `cpus'" },
    { H "vm v host=A vcpus=1 mem=1G load=cpu speed=3\n",
      "2: vm v: unknown key `speed'" },
    { "option sed=1\n" H, "1: option: unknown key `sed'" },
    { "host A pcpus=1 mem=4G disk=10MB/s pcpus=2\n",
      "1: host A: key `pcpus' given twice" },
    { "host A pcpus mem=4G disk=10MB/s\n",
      "1: host A: `pcpus' is not KEY=VALUE" },
    { "host A =1 pcpus=1 mem=4G disk=10MB/s\n", "1: host A: `=1' has no key" },
    { "host A pcpus= mem=4G disk=10MB/s\n", "1: pcpus=: no value" },
    { "host A pcpus=1 mem=4G\n", "1: host A: missing key `disk'" },
    { H "vm v host=A mem=1G load=cpu\n", "2: vm v: missing key `vcpus'" },
    { H "vm v host=A vcpus=1 mem=1G\n", "2: vm v: missing key `load'" },
    { H "vm v host=A vcpus=1 mem=1G load=mixed cpu=0.5\n",
      "2: vm v: load=mixed needs io=" },
    { H "vm v host=A vcpus=1 mem=1G load=mixed io=1MB/s\n",
      "2: vm v: load=mixed needs cpu=" },
    /* numbers and units */
    { "host A pcpus=x1 mem=4G disk=10MB/s\n", "1: pcpus=x1: not a number" },
    { "host A pcpus=2x mem=4G disk=10MB/s\n", "1: pcpus=2x: not a number" },
    { "host A pcpus=1.5 mem=4G disk=10MB/s\n",
      "1: pcpus=1.5: not a whole number" },
    { "host A pcpus=1 mem=4X disk=10MB/s\n",
      "1: mem=4X: unknown unit `X' (expected B, K, M, G or T)" },
    { "host A pcpus=1 mem=4GB disk=10MB/s\n",
      "1: mem=4GB: unknown unit `GB' (expected B, K, M, G or T)" },
    { "host A pcpus=1 mem=4096 disk=10MB/s\n",
      "1: mem=4096: needs a unit (B, K, M, G or T)" },
    { "host A pcpus=1 mem=4G disk=10MB\n",
      "1: disk=10MB: unknown unit `MB' (expected B/s, KB/s, MB/s, GB/s, "
      "bit/s, Kbit/s, Mbit/s or Gbit/s)" },
    { "host A pcpus=1 mem=4G disk=10 freq=1\n",
      "1: disk=10: needs a unit (B/s, KB/s, MB/s, GB/s, bit/s, Kbit/s, "
      "Mbit/s or Gbit/s)" },
    { "host A pcpus=1 mem=4G disk=1MB/s freq=2.7Ghz\n",
      "1: freq=2.7Ghz: unknown unit `Ghz' (expected Hz, kHz, MHz or GHz)" },
    { "host A pcpus=1 mem=4G disk=1e MB/s\n",
      "1: disk=1e: unknown unit `e' (expected B/s, KB/s, MB/s, GB/s, "
      "bit/s, Kbit/s, Mbit/s or Gbit/s)" },
    { "host A pcpus=1 mem=4G disk=nanMB/s\n", "1: disk=nanMB/s: not a number" },
    { "host A pcpus=1 mem=4G disk=1e999MB/s\n",
      "1: disk=1e999MB/s: not a number" },
    { "option seed=-1\n" H,
      "1: seed=-1: not a whole number from 0 to 18446744073709551615" },
    { "option seed=18446744073709551616\n" H,
      "1: seed=18446744073709551616: not a whole number from 0 to "
      "18446744073709551615" },
    /* ranges */
    { "host A pcpus=0 mem=4G disk=10MB/s\n",
      "1: pcpus=0: out of range (1 to 4096)" },
    { "host A pcpus=-2 mem=4G disk=10MB/s\n",
      "1: pcpus=-2: out of range (1 to 4096)" },
    { "host A pcpus=1 mem=4G disk=0MB/s\n",
      "1: disk=0MB/s: out of range (more than 0, at most 1000GB/s)" },
    { "host A pcpus=1 mem=4G disk=-5MB/s\n",
      "1: disk=-5MB/s: out of range (more than 0, at most 1000GB/s)" },
    { "host A pcpus=1 mem=0.1B disk=5MB/s\n",
      "1: mem=0.1B: out of range (more than 0, at most 1024T)" },
    { H "vm v host=A vcpus=1 mem=1G load=cpu cpu=1.5\n",
      "2: cpu=1.5: out of range (0 to 1)" },
    { H "vm v host=A vcpus=1 mem=1G load=io io=-1MB/s\n",
      "2: io=-1MB/s: out of range (0 to 1000GB/s, or max)" },
    { H "vm v host=A vcpus=1 mem=1G load=cpu cpu=max\n",
      "2: cpu=max: not a number" },
    { "option interval=0\n" H, "1: interval=0: out of range (0.001 to 86400)" },
    { "option noise=0.6\n" H, "1: noise=0.6: out of range (0 to 0.5)" },
    { "option reqsize=100B\n" H, "1: reqsize=100B: out of range (512B to 16M)" },
    { H "vm v host=A vcpus=1 mem=1G load=busy\n",
      "2: load=busy: expected cpu, io, mixed, net or idle" },
    /* names and references */
    { H H2 "host A pcpus=1 mem=4G disk=10MB/s\n",
      "3: host A: already declared at line 1" },
    { H V "vm v host=A vcpus=1 mem=1G load=cpu\n",
      "3: vm v: already declared at line 2" },
    { V H, "1: host=A: no such host (hosts are declared before their VMs)" },
    { H "vm v host=B vcpus=1 mem=1G load=cpu\n",
      "2: host=B: no such host (hosts are declared before their VMs)" },
    { H "vm v host=A vcpus=1 mem=1G load=cpu uuid=12345678-1234-1234-1234-1234567890ab\n"
        "vm w host=A vcpus=1 mem=1G load=cpu uuid=12345678-1234-1234-1234-1234567890AB\n",
      "3: vm w: uuid 12345678-1234-1234-1234-1234567890ab is already vm v's "
      "(line 2)" },
    { H "vm v host=A vcpus=1 mem=1G load=cpu uuid=12345678-1234-1234-1234\n",
      "2: uuid=12345678-1234-1234-1234: not a UUID (8-4-4-4-12 hex digits)" },
    { H "vm v host=A vcpus=1 mem=1G load=cpu uuid=1234567g-1234-1234-1234-1234567890ab\n",
      "2: uuid=1234567g-1234-1234-1234-1234567890ab: not a UUID "
      "(8-4-4-4-12 hex digits)" },
    { H "vm v host=A vcpus=1 mem=1G load=cpu uuid=00000000-0000-0000-0000-000000000000\n",
      "2: uuid=00000000-0000-0000-0000-000000000000: the all-zero UUID is "
      "dom0's" },
    /* memory */
    { H V "vm w host=A vcpus=1 mem=1G load=cpu\n"
          "vm x host=A vcpus=1 mem=1G load=cpu\n"
          "vm y host=A vcpus=1 mem=1G load=cpu\n",
      "5: vm y: does not fit in host A's memory (512M free of 4G)" },
    { "host A pcpus=1 mem=512M disk=10MB/s\n",
      "1: host A: dom0mem=512M leaves nothing of mem=512M" },
    /* options */
    { "option seed=1\n" H "option noise=0 seed=2\n",
      "3: option seed: already set at line 1" },
    /* bytes */
    { H "vm v\x01 host=A vcpus=1 mem=1G load=cpu\n",
      "2: control character U+0001" },
    { H "vm v\xc2\x85 host=A vcpus=1 mem=1G load=cpu\n",
      "2: control character U+0085" },
    { H "vm v\x7f host=A vcpus=1 mem=1G load=cpu\n",
      "2: control character U+007F" },
    { H "vm v\xff host=A vcpus=1 mem=1G load=cpu\n", "2: not valid UTF-8" },
    { H "vm v\xc0\xae host=A vcpus=1 mem=1G load=cpu\n",    /* overlong */
      "2: not valid UTF-8" },
    { H "vm v\xed\xa0\x80 host=A vcpus=1 mem=1G load=cpu\n",  /* surrogate */
      "2: not valid UTF-8" },
    { H "# a comment is checked too \xe2\x82\n", "2: not valid UTF-8" },
    /* jobs */
    { H "vm v host=A vcpus=1 mem=1G load=cpu cpuwork=0\n",
      "2: cpuwork=0: out of range (more than 0, at most 1e18)" },
    { H "vm v host=A vcpus=1 mem=1G load=cpu cpuwork=many\n",
      "2: cpuwork=many: not a number" },
    { H "vm v host=A vcpus=1 mem=1G load=io iowork=8GB\n",
      "2: iowork=8GB: unknown unit `GB' (expected B, K, M, G or T)" },
    { H "vm v host=A vcpus=1 mem=1G load=io iowork=0G\n",
      "2: iowork=0G: out of range (more than 0, at most 1024T)" },
    { H "vm v host=A vcpus=1 mem=1G load=io cpuwork=1e6\n",
      "2: vm v: cpuwork= needs a CPU demand (cpu= is 0)" },
    { H "vm v host=A vcpus=1 mem=1G load=cpu iowork=1G\n",
      "2: vm v: iowork= needs an I/O demand (io= is 0)" },
    { H "vm v host=A vcpus=1 mem=1G load=cpu start=5\n",
      "2: vm v: start= needs a job (cpuwork=, iowork= or network=)" },
    { H "vm v host=A vcpus=1 mem=1G load=cpu cpuwork=1 start=-1\n",
      "2: start=-1: out of range (0 to 1000000000)" },
    { H "vm v host=A vcpus=1 mem=1G load=io iowork=1G cachedirty=1.5\n",
      "2: cachedirty=1.5: out of range (0 to 1)" },
    { H "vm v host=A vcpus=1 mem=1G load=cpu cpuwork=1 cpuwork=2\n",
      "2: vm v: key `cpuwork' given twice" },
    /* speed */
    { "host A pcpus=1 mem=4G disk=10MB/s speed=3MHz\n",
      "1: speed=3MHz: unknown unit `MHz' (expected ops/s, Kops/s, Mops/s "
      "or Gops/s)" },
    { "host A pcpus=1 mem=4G disk=10MB/s speed=0ops/s\n",
      "1: speed=0ops/s: out of range (more than 0, at most 1000000Gops/s)" },
    { "option speed=1e9\n" H,
      "1: speed=1e9: needs a unit (ops/s, Kops/s, Mops/s or Gops/s)" },
    /* migration and driver options */
    { "option policy=parallel\n" H,
      "1: policy=parallel: expected sequential or concurrent" },
    { "option policy=concurrent\n" H "option policy=sequential\n",
      "3: option policy: already set at line 1" },
    { "option rtt=-1\n" H, "1: rtt=-1: out of range (0 to 100000)" },
    { "option migcpu=11\n" H, "1: migcpu=11: out of range (0 to 10)" },
    { "option migresume=1h\n" H, "1: migresume=1h: not a number" },
    { "option cachedirty=-0.1\n" H,
      "1: cachedirty=-0.1: out of range (0 to 1)" },
    { "option balance_at=1e10\n" H,
      "1: balance_at=1e10: out of range (0 to 1000000000)" },
    { "option placement=rel/file\n" H,
      "1: placement=rel/file: not an absolute path of at most 255 bytes" },
    { "option placement=/a\n" H "option placement=/b\n",
      "3: option placement: already set at line 1" },
    /* links */
    { "link A B rtt=1\n" H H2,
      "1: link A B: no such host `A' (hosts are declared before their "
      "links)" },
    { H H2 "link A\n", "3: link: needs two host names before its keys" },
    { H H2 "link A rtt=4\n", "3: link: needs two host names before its keys" },
    { H H2 "link A C bw=1MB/s\n",
      "3: link A C: no such host `C' (hosts are declared before their "
      "links)" },
    { H H2 "link A A rtt=1\n", "3: link A A: a link joins two different hosts" },
    { H H2 "link A B\n", "3: link A B: needs bw= or rtt=" },
    { H H2 "link A B rtt=1\nlink B A bw=1MB/s\n",
      "4: link B A: already declared at line 3" },
    { H H2 "link A B speed=1\n", "3: link A B: unknown key `speed'" },
    { H H2 "link A B bw=0MB/s\n",
      "3: bw=0MB/s: out of range (more than 0, at most 1000GB/s)" },
    { H H2 "link A B bw=1MB\n",
      "3: bw=1MB: unknown unit `MB' (expected B/s, KB/s, MB/s, GB/s, bit/s, "
      "Kbit/s, Mbit/s or Gbit/s)" },
    { H H2 "link A B rtt=4ms\n", "3: rtt=4ms: not a number" },
    { H H2 "link A B rtt=1 rtt=2\n", "3: link A B: key `rtt' given twice" },
};

static void test_bad(void **state)
{
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        tu_log lg;
        bal_ctx *ctx = tu_ctx(&lg);
        bal__scenario s;
        char want[1024];

        /* Out holds a good scenario: it must survive the bad one. */
        bal__scenario_init(&s);
        assert_int_equal(parse(ctx, H, &s), 0);
        snprintf(want, sizeof(want), "t.scn:%s", bad[i].msg);
        if (parse(ctx, bad[i].text, &s) != BAL_ESCENARIO ||
            strcmp(tu_last(&lg), want) || lg.nerrors != 1)
            fail_msg("bad[%zu]: got `%s' (%d errors), want `%s'", i,
                     tu_last(&lg), lg.nerrors, want);
        assert_int_equal(s.nhosts, 1);
        assert_string_equal(s.hosts[0].name, "A");
        assert_int_equal(s.nvms, 0);
        bal__scenario_dispose(&s);
        bal_ctx_free(ctx);
    }
}

/* Faults that need a generated file: long lines, long names, limits. */
static void test_bad_generated(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal__scenario s;
    size_t cap = 1 << 20, n;
    char *text = malloc(cap);
    char name[200];
    int i;

    assert_non_null(text);
    bal__scenario_init(&s);

    /* A line of 4096 bytes is fine (a comment), 4097 is not. */
    n = (size_t)snprintf(text, cap, H "#");
    memset(text + n, 'x', 4095);
    strcpy(text + n + 4095, "\n" H2);
    assert_int_equal(parse(ctx, text, &s), 0);
    assert_int_equal(s.nhosts, 2);
    memset(text + n, 'x', 4096);
    strcpy(text + n + 4096, "\n");
    assert_int_equal(parse(ctx, text, &s), BAL_ESCENARIO);
    assert_string_equal(tu_last(&lg), "t.scn:2: line longer than 4096 bytes");

    /* Names: 127 bytes are fine, 128 are not. */
    memset(name, 'n', 127);
    name[127] = '\0';
    snprintf(text, cap, "host %s pcpus=1 mem=4G disk=1MB/s\n", name);
    assert_int_equal(parse(ctx, text, &s), 0);
    assert_string_equal(s.hosts[0].name, name);
    snprintf(text, cap, H "vm %sn host=A vcpus=1 mem=1M load=idle\n", name);
    assert_int_equal(parse(ctx, text, &s), BAL_ESCENARIO);
    assert_string_equal(tu_last(&lg), "t.scn:2: vm: name longer than 127 bytes");

    /* At most 4095 VMs a host (with dom0, what one sample may hold). */
    n = (size_t)snprintf(text, cap, "host A pcpus=1 mem=1T disk=1MB/s\n");
    for (i = 0; i < 4096; i++)
        n += (size_t)snprintf(text + n, cap - n,
                              "vm v%d host=A vcpus=1 mem=1M load=idle\n", i);
    assert_int_equal(parse(ctx, text, &s), BAL_ESCENARIO);
    assert_string_equal(tu_last(&lg), "t.scn:4097: vm v4095: host A already "
                        "has 4095 VMs, the most one host may have");
    assert_int_equal(s.nhosts, 1);         /* still the 127-byte host */

    /* A NUL byte in the text is refused as a control character. */
    assert_int_equal(bal__scenario_parse(ctx, "t.scn", H "vm\0x\n",
                                         sizeof(H "vm\0x\n") - 1, &s),
                     BAL_ESCENARIO);
    assert_string_equal(tu_last(&lg), "t.scn:2: control character U+0000");

    /* No host at all. */
    assert_int_equal(parse(ctx, "# nothing\noption seed=3\n", &s),
                     BAL_ESCENARIO);
    assert_string_equal(tu_last(&lg), "t.scn: no host declared");
    assert_int_equal(parse(ctx, "", &s), BAL_ESCENARIO);
    assert_string_equal(tu_last(&lg), "t.scn: no host declared");

    free(text);
    bal__scenario_dispose(&s);
    bal_ctx_free(ctx);
}

/* Through the file: the path names the input; a missing file is ENOENT. */
static void test_files(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal__scenario s;
    char *path = tu_tmpfile(H "vm v host=A vcpus=1 mem=1G load=cpu cpu=2\n");
    char want[512];

    bal__scenario_init(&s);
    assert_int_equal(bal__scenario_load(ctx, path, &s), BAL_ESCENARIO);
    snprintf(want, sizeof(want), "%s:2: cpu=2: out of range (0 to 1)", path);
    assert_string_equal(tu_last(&lg), want);
    unlink(path);
    assert_int_equal(bal__scenario_load(ctx, path, &s), BAL_ENOENT);
    snprintf(want, sizeof(want), "%s: cannot open: No such file or directory",
             path);
    assert_string_equal(tu_last(&lg), want);
    assert_int_equal(s.nhosts, 0);
    free(path);
    bal__scenario_dispose(&s);
    bal_ctx_free(ctx);
}

/* Many hosts and VMs parse, and the index finds every one. */
static void test_large(void **state)
{
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    bal__scenario s;
    size_t cap = 8 << 20, n = 0;
    char *text = malloc(cap);
    char name[32];
    int i;

    assert_non_null(text);
    for (i = 0; i < 5000; i++)
        n += (size_t)snprintf(text + n, cap - n,
                              "host h%d pcpus=8 mem=64G disk=100MB/s\n", i);
    for (i = 0; i < 50000; i++)
        n += (size_t)snprintf(text + n, cap - n,
                              "vm v%d host=h%d vcpus=1 mem=1G load=cpu\n", i,
                              i % 5000);
    bal__scenario_init(&s);
    assert_int_equal(bal__scenario_parse(ctx, "big", text, n, &s), 0);
    assert_int_equal(s.nhosts, 5000);
    assert_int_equal(s.nvms, 50000);
    for (i = 0; i < 50000; i += 997) {
        snprintf(name, sizeof(name), "v%d", i);
        assert_int_equal(bal__scenario_find_vm(&s, name), i);
        assert_int_equal(s.vms[i].host, i % 5000);
    }
    assert_int_equal(s.hosts[4999].nvms, 10);
    free(text);
    bal__scenario_dispose(&s);
    bal_ctx_free(ctx);
}

/* doc/scenario-format.md has a row for every key, in its keyword's
 * section. */
static void test_doc(void **state)
{
    static const char *const kws[] = { "option", "host", "vm", "link" };
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    char *doc = NULL, head[64], row[64];
    const char *sec, *end, *key, *hit;
    size_t k;
    int i;

    assert_int_equal(bal__read_file(ctx, "doc/scenario-format.md", 1 << 20,
                                    &doc, NULL), 0);
    for (k = 0; k < 4; k++) {
        snprintf(head, sizeof(head), "\n### `%s", kws[k]);
        sec = strstr(doc, head);
        if (!sec) fail_msg("no section %s", head + 1);
        end = strstr(sec + 1, "\n#");
        for (i = 0; (key = bal__scenario_key(kws[k], i)); i++) {
            snprintf(row, sizeof(row), "\n| `%s` |", key);
            hit = strstr(sec, row);
            if (!hit || (end && hit > end))
                fail_msg("%s key %s is not documented", kws[k], key);
        }
        assert_true(i > 0);
    }
    assert_null(bal__scenario_key("nosuch", 0));
    assert_null(bal__scenario_key("vm", -1));
    free(doc);
    bal_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paper),
        cmocka_unit_test(test_units_and_defaults),
        cmocka_unit_test(test_jobs_and_links),
        cmocka_unit_test(test_name_uuid),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_bad_generated),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_large),
        cmocka_unit_test(test_doc),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
