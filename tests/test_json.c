/*
 * test_json.c - the sample format: write -> parse round trips, the exact
 * text written, and malformed samples, each refused with its exact error
 * line and the output left as it was.  And the one writer and the one
 * reader every JSON file goes through: numbers in the C locale whatever
 * the program's, huge and non-finite numbers, faults, deep nesting.
 */
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "base/json.h"
#include "base/jsongen.h"

#define I63 INT64_MAX

/* ---- building samples -------------------------------------------------- */

static bal__host *add_host(bal__sample *s, const char *name)
{
    bal__host *h = NULL;

    assert_int_equal(bal__sample_add_host(s, &h), 0);
    snprintf(h->name, sizeof(h->name), "%s", name);
    return h;
}

static bal__dom *add_dom(bal__host *h, unsigned id, const char *name)
{
    bal__dom *d = NULL;

    assert_int_equal(bal__host_add_dom(h, &d), 0);
    snprintf(d->uuid, sizeof(d->uuid), "%08x-0000-4000-8000-%012x", id,
             id * 7u);
    snprintf(d->name, sizeof(d->name), "%s", name);
    return d;
}

/* Every field distinct, so that a swap would show. */
static void fill_dom(bal__dom *d, uint64_t k)
{
    d->domid = (uint32_t)k;
    d->vcpus = (uint32_t)(k % 64 + 1);
    d->mem_kb = k * 1000 + 1;
    d->maxmem_kb = k * 1000 + 2;
    d->cpu_ns = k * 1000 + 3;
    d->vbd_rd_reqs = k * 1000 + 4;
    d->vbd_wr_reqs = k * 1000 + 5;
    d->vbd_rd_sect = k * 1000 + 6;
    d->vbd_wr_sect = k * 1000 + 7;
    d->vbd_oo_reqs = k * 1000 + 8;
    d->net_rx_bytes = k * 1000 + 9;
    d->net_tx_bytes = k * 1000 + 10;
}

static void assert_dom_equal(const bal__dom *a, const bal__dom *b)
{
    assert_string_equal(a->uuid, b->uuid);
    assert_string_equal(a->name, b->name);
    assert_int_equal(a->domid, b->domid);
    assert_int_equal(a->vcpus, b->vcpus);
    assert_true(a->mem_kb == b->mem_kb);
    assert_true(a->maxmem_kb == b->maxmem_kb);
    assert_true(a->cpu_ns == b->cpu_ns);
    assert_true(a->vbd_rd_reqs == b->vbd_rd_reqs);
    assert_true(a->vbd_wr_reqs == b->vbd_wr_reqs);
    assert_true(a->vbd_rd_sect == b->vbd_rd_sect);
    assert_true(a->vbd_wr_sect == b->vbd_wr_sect);
    assert_true(a->vbd_oo_reqs == b->vbd_oo_reqs);
    assert_true(a->net_rx_bytes == b->net_rx_bytes);
    assert_true(a->net_tx_bytes == b->net_tx_bytes);
}

static void assert_host_equal(const bal__host *a, const bal__host *b)
{
    int i;

    assert_string_equal(a->name, b->name);
    assert_true(a->time_ns == b->time_ns);
    assert_int_equal(a->pcpus, b->pcpus);
    assert_true(a->cpu_hz == b->cpu_hz);
    assert_true(a->mem_kb == b->mem_kb);
    assert_true(a->free_kb == b->free_kb);
    /* Exactly: the writer prints enough digits to read back the double. */
    assert_true(a->disk_Bps == b->disk_Bps);
    assert_true(a->disk_iops == b->disk_iops);
    assert_true(a->net_Bps == b->net_Bps);
    assert_int_equal(a->ndoms, b->ndoms);
    for (i = 0; i < a->ndoms; i++) assert_dom_equal(&a->doms[i], &b->doms[i]);
}

static void assert_sample_equal(const bal__sample *a, const bal__sample *b)
{
    int i;

    assert_int_equal(a->nhosts, b->nhosts);
    for (i = 0; i < a->nhosts; i++)
        assert_host_equal(&a->hosts[i], &b->hosts[i]);
}

/* The sample a failed parse must leave alone. */
static void pre_fill(bal__sample *out)
{
    bal__host *h;

    bal__sample_init(out);
    h = add_host(out, "pre");
    h->pcpus = 4;
    fill_dom(add_dom(h, 99, "before"), 99);
}

static void assert_pre(const bal__sample *out)
{
    assert_int_equal(out->nhosts, 1);
    assert_string_equal(out->hosts[0].name, "pre");
    assert_int_equal(out->hosts[0].pcpus, 4);
    assert_int_equal(out->hosts[0].ndoms, 1);
    assert_string_equal(out->hosts[0].doms[0].name, "before");
    assert_true(out->hosts[0].doms[0].cpu_ns == 99003);
}

/* ---- round trips ------------------------------------------------------- */

static void test_round_trip(void **state)
{
    bal__sample s, back;
    bal__host *h;
    bal__dom *d;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    char *json = NULL;

    bal__sample_init(&s);
    h = add_host(&s, "hostA");
    h->time_ns = 1234567890123456789ull;
    h->pcpus = 64;
    h->cpu_hz = 2400000000ull;
    h->mem_kb = 268435456;
    h->free_kb = 1048576;
    h->disk_Bps = 125000000.0;
    h->disk_iops = 0.1;                 /* needs 17 digits to read back */
    h->net_Bps = 1e-300;
    d = add_dom(h, 0, "Domain-0");
    fill_dom(d, 0);
    d = add_dom(h, 1, "vm-\xc3\xa9t\xc3\xa9-\xe6\x97\xa5\xe6\x9c\xac-\xf0\x9f\x90\xa7");
    fill_dom(d, 1);
    d->domid = 0x7FEF;                  /* the largest allowed */
    d->vcpus = UINT32_MAX;
    d->cpu_ns = I63;                    /* the largest integer allowed */
    d->net_tx_bytes = I63;
    d = add_dom(h, 2, "q\"uo\\te/");
    fill_dom(d, 2);

    h = add_host(&s, "hostB");          /* zero domains */
    h->pcpus = 1;

    h = add_host(&s, "hostC");
    h->pcpus = 2;
    h->time_ns = 42;
    h->disk_Bps = 123456.789;
    h->net_Bps = 1.25e9;
    d = add_dom(h, 3, "x");
    fill_dom(d, 3);

    assert_int_equal(bal__json_write_sample(&s, &json), 0);
    /* One line, no spaces (no name above has one). */
    assert_null(strchr(json, ' '));
    assert_null(strchr(json, '\n'));

    bal__sample_init(&back);
    assert_int_equal(bal__json_parse_sample(ctx, "rt", BAL_EPEER, json,
                                            strlen(json), &back), 0);
    assert_int_equal(lg.nerrors, 0);
    assert_sample_equal(&s, &back);

    /* Appending: a second parse adds after what is there. */
    assert_int_equal(bal__json_parse_sample(ctx, "rt", BAL_EPEER, json,
                                            strlen(json), &back), 0);
    assert_int_equal(back.nhosts, 6);
    assert_string_equal(back.hosts[3].name, "hostA");

    free(json);
    bal__sample_dispose(&s);
    bal__sample_dispose(&back);
    bal_ctx_free(ctx);
}

static void test_round_trip_empty(void **state)
{
    bal__sample s, back;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    char *json = NULL;

    bal__sample_init(&s);
    assert_int_equal(bal__json_write_sample(&s, &json), 0);
    assert_string_equal(json, "{\"xl_balance_sample\":1,\"hosts\":[]}");
    bal__sample_init(&back);
    assert_int_equal(bal__json_parse_sample(ctx, "rt", BAL_EPEER, json,
                                            strlen(json), &back), 0);
    assert_int_equal(back.nhosts, 0);
    free(json);
    bal_ctx_free(ctx);
}

/* The exact text: the format is an interface between versions. */
static void test_write_exact(void **state)
{
    bal__sample s;
    bal__host *h;
    bal__dom *d;
    char *json = NULL;

    bal__sample_init(&s);
    h = add_host(&s, "hostA");
    h->time_ns = 5;
    h->pcpus = 8;
    h->cpu_hz = 3000000000ull;
    h->mem_kb = 100;
    h->free_kb = 50;
    h->disk_Bps = 2.5e8;
    d = add_dom(h, 1, "vm1");
    fill_dom(d, 1);
    assert_int_equal(bal__json_write_sample(&s, &json), 0);
    assert_string_equal(json,
        "{\"xl_balance_sample\":1,\"hosts\":[{\"name\":\"hostA\","
        "\"time_ns\":5,\"pcpus\":8,\"cpu_hz\":3000000000,\"mem_kb\":100,"
        "\"free_kb\":50,\"disk_Bps\":250000000.0,\"disk_iops\":0.0,"
        "\"net_Bps\":0.0,\"domains\":[{\"uuid\":"
        "\"00000001-0000-4000-8000-000000000007\",\"name\":\"vm1\","
        "\"domid\":1,\"vcpus\":2,\"mem_kb\":1001,\"maxmem_kb\":1002,"
        "\"cpu_ns\":1003,\"vbd_rd_reqs\":1004,\"vbd_wr_reqs\":1005,"
        "\"vbd_rd_sect\":1006,\"vbd_wr_sect\":1007,\"vbd_oo_reqs\":1008,"
        "\"net_rx_bytes\":1009,\"net_tx_bytes\":1010}]}]}");
    free(json);
    bal__sample_dispose(&s);
}

/* What the parser would refuse, the writer refuses. */
static void test_write_refuses(void **state)
{
    bal__sample s;
    bal__host *h;
    bal__dom *d;
    char *json = (char *)"untouched";

    bal__sample_init(&s);
    h = add_host(&s, "hostA");
    h->pcpus = 1;
    d = add_dom(h, 1, "vm1");

    d->cpu_ns = (uint64_t)I63 + 1;
    assert_int_equal(bal__json_write_sample(&s, &json), BAL_ERANGE);
    d->cpu_ns = 0;
    d->domid = 0x7FF0;
    assert_int_equal(bal__json_write_sample(&s, &json), BAL_ERANGE);
    d->domid = 1;
    h->disk_Bps = NAN;
    assert_int_equal(bal__json_write_sample(&s, &json), BAL_ERANGE);
    h->disk_Bps = -1;
    assert_int_equal(bal__json_write_sample(&s, &json), BAL_ERANGE);
    h->disk_Bps = 0;
    strcpy(d->name, "bad\x1b[31m");
    assert_int_equal(bal__json_write_sample(&s, &json), BAL_EINVAL);
    strcpy(d->name, "");
    assert_int_equal(bal__json_write_sample(&s, &json), BAL_EINVAL);
    strcpy(d->name, "ok");
    strcpy(d->uuid, "not-a-uuid");
    assert_int_equal(bal__json_write_sample(&s, &json), BAL_EINVAL);
    assert_string_equal(json, "untouched");
    bal__sample_dispose(&s);
}

static void test_name_sanitize(void **state)
{
    char n[64];

    strcpy(n, "ok-\xc3\xa9");
    bal__json_name_sanitize(n);
    assert_string_equal(n, "ok-\xc3\xa9");
    assert_true(bal__json_name_valid(n, strlen(n)));
    strcpy(n, "a\x1b[1mb\xff\xc3" "c\xc2\x9b" "d\x7f");
    assert_false(bal__json_name_valid(n, strlen(n)));
    bal__json_name_sanitize(n);
    assert_string_equal(n, "a?[1mb??c??d?");   /* one ? per bad byte */
    assert_true(bal__json_name_valid(n, strlen(n)));
}

/* Unknown keys anywhere are skipped, whatever they hold; keys come in
 * any order; optional ones may be missing; whitespace is fine. */
static void test_parse_lenient(void **state)
{
    static const char text[] =
        " {\"future\":{\"a\":[1,{\"b\":null}],\"c\":true},\"hosts\":[\n"
        "  {\"domains\":[{\"net_tx_bytes\":14,\"net_rx_bytes\":13,"
        "\"vbd_oo_reqs\":12,\"vbd_wr_sect\":11,\"vbd_rd_sect\":10,"
        "\"vbd_wr_reqs\":9,\"vbd_rd_reqs\":8,\"cpu_ns\":7,\"maxmem_kb\":6,"
        "\"mem_kb\":5,\"vcpus\":4,\"domid\":3,\"x\":[[[]]],"
        "\"name\":\"vm\",\"uuid\":\"0123abcd-0000-4000-8000-0123456789ab\"}],"
        "\"free_kb\":1,\"mem_kb\":2,\"cpu_hz\":0,\"pcpus\":1,\"time_ns\":9,"
        "\"gpu\":\"none\",\"name\":\"h\"}],"
        "\"xl_balance_sample\":1,\"trailer\":[]}\n";
    bal__sample out;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    const bal__dom *d;

    bal__sample_init(&out);
    assert_int_equal(bal__json_parse_sample(ctx, "x", BAL_EPEER, text,
                                            strlen(text), &out), 0);
    assert_int_equal(out.nhosts, 1);
    assert_string_equal(out.hosts[0].name, "h");
    assert_true(out.hosts[0].disk_Bps == 0 && out.hosts[0].net_Bps == 0);
    assert_int_equal(out.hosts[0].ndoms, 1);
    d = &out.hosts[0].doms[0];
    assert_int_equal(d->domid, 3);
    assert_true(d->cpu_ns == 7 && d->net_tx_bytes == 14);
    bal__sample_dispose(&out);
    bal_ctx_free(ctx);
}

/* ---- malformed samples -------------------------------------------------- */

/* A valid sample: host 0 has three domains, host 1 none.  The cases
 * below break one thing in it by text substitution. */
#define DOM(n) \
    "{\"uuid\":\"00000000-0000-4000-8000-00000000000" #n "\"," \
    "\"name\":\"vm" #n "\",\"domid\":" #n ",\"vcpus\":2,\"mem_kb\":1024," \
    "\"maxmem_kb\":2048,\"cpu_ns\":100" #n ",\"vbd_rd_reqs\":1," \
    "\"vbd_wr_reqs\":2,\"vbd_rd_sect\":3,\"vbd_wr_sect\":4," \
    "\"vbd_oo_reqs\":0,\"net_rx_bytes\":5,\"net_tx_bytes\":6}"
static const char base[] =
    "{\"xl_balance_sample\":1,\"hosts\":[{\"name\":\"hostA\","
    "\"time_ns\":1000,\"pcpus\":8,\"cpu_hz\":2400000000,\"mem_kb\":16777216,"
    "\"free_kb\":1048576,\"disk_Bps\":125000000.0,\"disk_iops\":5000,"
    "\"domains\":[" DOM(0) "," DOM(1) "," DOM(2) "]},"
    "{\"name\":\"hostB\",\"time_ns\":1,\"pcpus\":1,\"cpu_hz\":0,"
    "\"mem_kb\":1,\"free_kb\":1,\"domains\":[]}]}";

/* base with the (only) occurrence of from replaced by to; malloc'd. */
static char *subst(const char *from, const char *to)
{
    const char *at = strstr(base, from);
    size_t n = strlen(base) - strlen(from) + strlen(to);
    char *r = malloc(n + 1);

    assert_non_null(at);
    assert_null(strstr(at + 1, from));
    assert_non_null(r);
    snprintf(r, n + 1, "%.*s%s%s", (int)(at - base), base, to,
             at + strlen(from));
    return r;
}

/* Parses text[0..len) over a pre-filled sample and checks the one error
 * line, the code and that the sample is untouched. */
static void expect_len(const char *text, size_t len, const char *line)
{
    bal__sample out;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    pre_fill(&out);
    assert_int_equal(bal__json_parse_sample(ctx, "peer hostB", BAL_EPEER,
                                            text, len, &out), BAL_EPEER);
    assert_int_equal(lg.nerrors, 1);
    assert_string_equal(lg.buf, line);
    assert_pre(&out);
    bal__sample_dispose(&out);
    bal_ctx_free(ctx);
}

static void expect(const char *text, const char *line)
{
    expect_len(text, strlen(text), line);
}

/* Same for base with one substitution. */
static void expect_subst(const char *from, const char *to, const char *line)
{
    char *t = subst(from, to);

    expect(t, line);
    free(t);
}

static void expect_ok(const char *text)
{
    bal__sample out;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    bal__sample_init(&out);
    assert_int_equal(bal__json_parse_sample(ctx, "ok", BAL_EPEER, text,
                                            strlen(text), &out), 0);
    assert_int_equal(lg.nerrors, 0);
    bal__sample_dispose(&out);
    bal_ctx_free(ctx);
}

static void test_base_is_valid(void **state)
{
    expect_ok(base);
}

static void test_bad_syntax(void **state)
{
    char trunc[120];

    expect("", "peer hostB: empty sample");
    expect(" \n\t ", "peer hostB: empty sample");
    snprintf(trunc, sizeof(trunc), "%.100s", base);
    expect(trunc, "peer hostB: parse error: premature EOF");
    expect("ssh: connect to host hostB port 22: Connection refused",
           "peer hostB: lexical error: invalid char in json text.");
    expect("{\"xl_balance_sample\":1,}",
           "peer hostB: parse error: invalid object key (must be a string)");
    {
        char *t = malloc(sizeof(base) + 2);

        assert_non_null(t);
        snprintf(t, sizeof(base) + 2, "%sx", base);
        expect(t, "peer hostB: parse error: trailing garbage");
        free(t);
    }
    /* A NUL anywhere: not a sample (and the length is what counts). */
    {
        char t[sizeof(base)];

        memcpy(t, base, sizeof(base));
        t[40] = '\0';
        expect_len(t, sizeof(base) - 1, "peer hostB: contains a NUL byte");
    }
    /* A raw control character in a string is yajl's to refuse. */
    expect_subst("\"vm2\"", "\"vm\x01\"",
                 "peer hostB: lexical error: invalid character inside string.");
}

static void test_bad_structure(void **state)
{
    expect("[1,2]", "peer hostB: top level: expected an object, got an array");
    expect("\"xl_balance_sample\"",
           "peer hostB: top level: expected an object, got a string");
    expect("{\"xl_balance_sample\":2,\"hosts\":[]}",
           "peer hostB: unsupported sample version 2");
    expect("{\"xl_balance_sample\":1.0,\"hosts\":[]}",
           "peer hostB: unsupported sample version 1.0");
    expect("{\"xl_balance_sample\":\"1\",\"hosts\":[]}",
           "peer hostB: xl_balance_sample: expected an integer, got a string");
    expect("{\"hosts\":[]}",
           "peer hostB: top level: missing \"xl_balance_sample\"");
    expect_subst("\"hosts\":", "\"hostz\":",
                 "peer hostB: top level: missing \"hosts\"");
    expect("{\"xl_balance_sample\":1,\"hosts\":{}}",
           "peer hostB: hosts: expected an array, got an object");
    expect("{\"xl_balance_sample\":1,\"hosts\":[42]}",
           "peer hostB: hosts[0]: expected an object, got a number");
    expect_subst(",\"domains\":[]", ",\"domains\":[[]]",
                 "peer hostB: hosts[1].domains[0]: expected an object, got an array");
    expect_subst(",\"domains\":[]", ",\"domains\":null",
                 "peer hostB: hosts[1].domains: expected an array, got null");
    expect_subst(",\"domains\":[]", "",
                 "peer hostB: hosts[1]: missing \"domains\"");
    expect_subst("\"cpu_ns\":1002,", "",
                 "peer hostB: hosts[0].domains[2]: missing \"cpu_ns\"");
    expect_subst("\"cpu_ns\":1002,", "\"cpu_ns\":1002,\"cpu_ns\":1002,",
                 "peer hostB: hosts[0].domains[2]: duplicate \"cpu_ns\"");
    expect_subst("\"name\":\"hostB\",", "",
                 "peer hostB: hosts[1]: missing \"name\"");
}

static void test_bad_numbers(void **state)
{
    expect_subst("\"cpu_ns\":1002", "\"cpu_ns\":-5",
                 "peer hostB: hosts[0].domains[2].cpu_ns: expected an integer "
                 "in 0..9223372036854775807, got -5");
    expect_subst("\"cpu_ns\":1002", "\"cpu_ns\":1.5",
                 "peer hostB: hosts[0].domains[2].cpu_ns: expected an integer "
                 "in 0..9223372036854775807, got 1.5");
    expect_subst("\"cpu_ns\":1002", "\"cpu_ns\":1e3",
                 "peer hostB: hosts[0].domains[2].cpu_ns: expected an integer "
                 "in 0..9223372036854775807, got 1e3");
    expect_subst("\"cpu_ns\":1002", "\"cpu_ns\":\"1002\"",
                 "peer hostB: hosts[0].domains[2].cpu_ns: expected an integer, "
                 "got a string");
    expect_subst("\"cpu_ns\":1002", "\"cpu_ns\":true",
                 "peer hostB: hosts[0].domains[2].cpu_ns: expected an integer, "
                 "got a boolean");
    /* 2^63: one past yajl's limit. */
    expect_subst("\"cpu_ns\":1002", "\"cpu_ns\":9223372036854775808",
                 "peer hostB: hosts[0].domains[2].cpu_ns: expected an integer "
                 "in 0..9223372036854775807, got 9223372036854775808");
    expect_subst("\"cpu_ns\":1002",
                 "\"cpu_ns\":123456789012345678901234567890123456789012345678901234567890",
                 "peer hostB: hosts[0].domains[2].cpu_ns: expected an integer "
                 "in 0..9223372036854775807, got "
                 "12345678901234567890123456789012345678901234...");
    expect_subst("\"domid\":2", "\"domid\":32752",
                 "peer hostB: hosts[0].domains[2].domid: expected an integer "
                 "in 0..32751, got 32752");
    expect_subst("\"vcpus\":2,\"mem_kb\":1024,\"maxmem_kb\":2048,\"cpu_ns\":1002",
                 "\"vcpus\":4294967296,\"mem_kb\":1024,\"maxmem_kb\":2048,\"cpu_ns\":1002",
                 "peer hostB: hosts[0].domains[2].vcpus: expected an integer "
                 "in 0..4294967295, got 4294967296");
    expect_subst("\"pcpus\":8", "\"pcpus\":0",
                 "peer hostB: hosts[0].pcpus: expected an integer "
                 "in 1..4294967295, got 0");
    expect_subst("\"disk_Bps\":125000000.0", "\"disk_Bps\":-1.5",
                 "peer hostB: hosts[0].disk_Bps: expected a finite number >= 0, "
                 "got -1.5");
    expect_subst("\"disk_Bps\":125000000.0", "\"disk_Bps\":1e999",
                 "peer hostB: hosts[0].disk_Bps: expected a finite number >= 0, "
                 "got 1e999");
    expect_subst("\"disk_Bps\":125000000.0", "\"disk_Bps\":\"fast\"",
                 "peer hostB: hosts[0].disk_Bps: expected a number, got a string");
}

static void test_boundaries_accepted(void **state)
{
    char *t;

    t = subst("\"cpu_ns\":1002", "\"cpu_ns\":9223372036854775807");
    expect_ok(t);
    free(t);
    t = subst("\"domid\":2", "\"domid\":32751");
    expect_ok(t);
    free(t);
    t = subst("\"disk_Bps\":125000000.0", "\"disk_Bps\":-0");
    expect_ok(t);
    free(t);
}

static void test_bad_strings(void **state)
{
    char longname[200], *from;

    expect_subst("00000000-0000-4000-8000-000000000002",
                 "00000000-0000-4000-8000-00000000000A",
                 "peer hostB: hosts[0].domains[2].uuid: not a canonical UUID");
    expect_subst("00000000-0000-4000-8000-000000000002",
                 "00000000-0000-4000-8000-00000000002",
                 "peer hostB: hosts[0].domains[2].uuid: not a canonical UUID");
    expect_subst("00000000-0000-4000-8000-000000000002",
                 "00000000-0000-4000-8000-00000000000\\u0000",
                 "peer hostB: hosts[0].domains[2].uuid: "
                 "contains \\u0000 (a NUL character)");
    expect_subst("\"uuid\":\"00000000-0000-4000-8000-000000000002\"",
                 "\"uuid\":2",
                 "peer hostB: hosts[0].domains[2].uuid: expected a string, got a number");
    expect_subst("00000000-0000-4000-8000-000000000002",
                 "00000000-0000-4000-8000-000000000001",
                 "peer hostB: hosts[0].domains[2].uuid: duplicate "
                 "00000000-0000-4000-8000-000000000001 (also hosts[0].domains[1])");
    /* Also across hosts. */
    expect_subst(",\"domains\":[]", ",\"domains\":[" DOM(1) "]",
                 "peer hostB: hosts[1].domains[0].uuid: duplicate "
                 "00000000-0000-4000-8000-000000000001 (also hosts[0].domains[1])");
    expect_subst("\"name\":\"hostB\"", "\"name\":\"hostA\"",
                 "peer hostB: hosts[1].name: duplicate host \"hostA\" (also hosts[0])");

    expect_subst("\"vm2\"", "\"vm\\u001b[31mred\"",
                 "peer hostB: hosts[0].domains[2].name: contains a control character");
    /* "\u0000" in every string, kept or ignored, and in every key. */
    expect_subst("\"vm2\"", "\"vm\\u0000\"",
                 "peer hostB: hosts[0].domains[2].name: "
                 "contains \\u0000 (a NUL character)");
    expect_subst("\"name\":\"vm2\"", "\"note\":[\"a\\u0000\"],\"name\":\"vm2\"",
                 "peer hostB: hosts[0].domains[2]: "
                 "contains \\u0000 (a NUL character)");
    expect_subst("\"name\":\"vm2\"", "\"na\\u0000me\":1,\"name\":\"vm2\"",
                 "peer hostB: hosts[0].domains[2]: a key "
                 "contains \\u0000 (a NUL character)");
    expect_subst("\"vm2\"", "\"vm\\u009b31m\"",      /* C1 CSI */
                 "peer hostB: hosts[0].domains[2].name: contains a control character");
    expect_subst("\"vm2\"", "\"vm\xff\"",
                 "peer hostB: hosts[0].domains[2].name: is not valid UTF-8");
    expect_subst("\"vm2\"", "\"vm\xc0\xaf\"",          /* overlong '/' */
                 "peer hostB: hosts[0].domains[2].name: is not valid UTF-8");
    expect_subst("\"vm2\"", "\"vm\xed\xa0\x80\"",      /* a surrogate */
                 "peer hostB: hosts[0].domains[2].name: is not valid UTF-8");
    expect_subst("\"vm2\"", "\"vm\xe6\x97\"",          /* cut short */
                 "peer hostB: hosts[0].domains[2].name: is not valid UTF-8");
    expect_subst("\"vm2\"", "\"\"",
                 "peer hostB: hosts[0].domains[2].name: is empty");
    expect_subst("\"hostB\"", "\"\"",
                 "peer hostB: hosts[1].name: is empty");

    /* 127 bytes fit, 128 do not. */
    memset(longname, 'x', sizeof(longname));
    longname[0] = '"';
    longname[128] = '"';
    longname[129] = '\0';
    from = subst("\"vm2\"", longname);
    expect_ok(from);
    free(from);
    longname[128] = 'x';
    longname[129] = '"';
    longname[130] = '\0';
    expect_subst("\"vm2\"", longname,
                 "peer hostB: hosts[0].domains[2].name: is longer than 127 bytes");
}

static void test_too_many(void **state)
{
    size_t cap = (BAL__JSON_MAX_DOMS + 2) * 400 + 1024, n = 0;
    char *t = malloc(cap);
    int i;

    assert_non_null(t);
    n += (size_t)snprintf(t + n, cap - n,
        "{\"xl_balance_sample\":1,\"hosts\":[{\"name\":\"h\",\"time_ns\":1,"
        "\"pcpus\":1,\"cpu_hz\":0,\"mem_kb\":1,\"free_kb\":1,\"domains\":[");
    for (i = 0; i <= BAL__JSON_MAX_DOMS; i++)
        n += (size_t)snprintf(t + n, cap - n,
            "%s{\"uuid\":\"%08x-0000-4000-8000-000000000000\",\"name\":\"v\","
            "\"domid\":1,\"vcpus\":1,\"mem_kb\":1,\"maxmem_kb\":1,\"cpu_ns\":1,"
            "\"vbd_rd_reqs\":1,\"vbd_wr_reqs\":1,\"vbd_rd_sect\":1,"
            "\"vbd_wr_sect\":1,\"vbd_oo_reqs\":1,\"net_rx_bytes\":1,"
            "\"net_tx_bytes\":1}", i ? "," : "", i);
    assert_true(n + 10 < cap);
    strcpy(t + n, "]}]}");
    expect(t, "peer hostB: hosts[0].domains: more than 4096 domains");

    /* One fewer is a valid sample. */
    t[n] = '\0';
    *strrchr(t, '{') = '\0';
    t[strlen(t) - 1] = '\0';     /* the comma */
    strcat(t, "]}]}");
    expect_ok(t);
    free(t);
}

static void test_too_large(void **state)
{
    size_t len = BAL__JSON_MAX + 1;
    char *t = malloc(len);

    assert_non_null(t);
    memset(t, ' ', len);
    expect_len(t, len, "peer hostB: sample larger than 16777216 bytes");
    free(t);
}

/* Deep nesting must neither crash nor recurse: 100k '['. */
static void test_hostile_nesting(void **state)
{
    size_t n = 100000, i;
    char *t = malloc(2 * n + 64);

    assert_non_null(t);
    memset(t, '[', n);
    t[n] = '\0';
    expect(t, "peer hostB: top level: expected an object, got an array");

    strcpy(t, "{\"xl_balance_sample\":1,\"x\":");
    i = strlen(t);
    memset(t + i, '[', n);
    t[i + n] = '\0';
    expect(t, "peer hostB: top level: nested deeper than 64 levels");
    free(t);

    /* Deep inside an ignored key of a domain. */
    {
        char deep[200], *s;

        memset(deep, 0, sizeof(deep));
        strcpy(deep, "\"x\":");
        memset(deep + 4, '[', 70);
        memset(deep + 74, ']', 70);
        strcat(deep, ",\"cpu_ns\":1002");
        s = subst("\"cpu_ns\":1002", deep);
        expect(s, "peer hostB: hosts[0].domains[2]: nested deeper than 64 levels");
        free(s);
    }
}

/* The caller's name and code are used as given. */
static void test_trace_what(void **state)
{
    bal__sample out;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    pre_fill(&out);
    assert_int_equal(bal__json_parse_sample(ctx, "trace.json:3", BAL_ETRACE,
                                            "{\"xl_balance_sample\":7}", 23,
                                            &out), BAL_ETRACE);
    assert_string_equal(tu_last(&lg), "trace.json:3: unsupported sample version 7");
    assert_pre(&out);
    bal__sample_dispose(&out);
    bal_ctx_free(ctx);
}

/* Facts of a live cluster, not errors: every dom0 may have the nil UUID,
 * and a migrating VM is on two hosts as NAME--migratedaway and
 * NAME--incoming. */
static void test_legit_duplicate_uuids(void **state)
{
    char *text;
    bal__sample out;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    (void)state;
    text = subst(",\"domains\":[]", ",\"domains\":[" DOM(0) "]");
    bal__sample_init(&out);
    assert_int_equal(bal__json_parse_sample(ctx, "peer", BAL_EPEER, text,
                                            strlen(text), &out), 0);
    assert_int_equal(out.nhosts, 2);
    bal__sample_dispose(&out);
    free(text);

    text = subst(",\"domains\":[]",
                 ",\"domains\":[{\"uuid\":\"00000000-0000-4000-8000-000000000001\","
                 "\"name\":\"vm1--incoming\",\"domid\":7,\"vcpus\":2,"
                 "\"mem_kb\":1024,\"maxmem_kb\":2048,\"cpu_ns\":1,"
                 "\"vbd_rd_reqs\":1,\"vbd_wr_reqs\":2,\"vbd_rd_sect\":3,"
                 "\"vbd_wr_sect\":4,\"vbd_oo_reqs\":0,\"net_rx_bytes\":5,"
                 "\"net_tx_bytes\":6}]");
    bal__sample_init(&out);
    assert_int_equal(bal__json_parse_sample(ctx, "peer", BAL_EPEER, text,
                                            strlen(text), &out), 0);
    assert_string_equal(out.hosts[1].doms[0].name, "vm1--incoming");
    assert_int_equal(lg.nerrors, 0);
    bal__sample_dispose(&out);
    free(text);
    bal_ctx_free(ctx);
}

/* ---- the one writer ------------------------------------------------------ */

/* What w wrote, freed by the caller; w is freed by finishing it. */
static char *finish(bal__jw *w)
{
    char *json = NULL;

    assert_int_equal(bal__jw_finish(w, &json), 0);
    return json;
}

static bal__jw *writer(bool beautify)
{
    bal__jw *w = NULL;

    assert_int_equal(bal__jw_alloc(beautify, &w), 0);
    return w;
}

static void test_writer_values(void **state)
{
    bal__jw *w = writer(false);
    char *json;

    bal__jw_map_open(w);
    bal__jw_key_str(w, "s", "x\"y");
    bal__jw_key_str(w, "none", NULL);
    bal__jw_key_int(w, "i", -42);
    bal__jw_key_bool(w, "b", true);
    bal__jw_key_num(w, "n", 12.3456, 2);
    bal__jw_key_num(w, "zero", -0.0001, 3);     /* never -0.000 */
    bal__jw_key_num(w, "neg", -0.25, 1);
    bal__jw_key_num(w, "whole", 7, 0);
    bal__jw_key_num(w, "nan", NAN, 2);
    bal__jw_key_num(w, "inf", -INFINITY, 2);
    bal__jw_key_num_opt(w, "gone", NAN, 2);
    bal__jw_key_num_opt(w, "kept", 1.5, 1);
    bal__jw_key_num_or_null(w, "never", -1, 3);
    bal__jw_key_num_or_null(w, "at", 2, 3);
    bal__jw_key_real(w, "third", 1.0 / 3, false);
    bal__jw_key_real(w, "tenth", 0.1, false);
    bal__jw_key_real(w, "two", 2, false);
    bal__jw_key_real(w, "two_f", 2, true);
    bal__jw_key_real(w, "big_f", 1e20, true);
    bal__jw_key_real(w, "r_inf", INFINITY, true);
    bal__jw_str(w, "a");
    bal__jw_array_open(w);
    bal__jw_null(w);
    bal__jw_array_close(w);
    bal__jw_map_close(w);
    json = finish(w);
    assert_string_equal(json,
        "{\"s\":\"x\\\"y\",\"none\":null,\"i\":-42,\"b\":true,\"n\":12.35,"
        "\"zero\":0.000,\"neg\":-0.2,\"whole\":7,\"nan\":null,\"inf\":null,"
        "\"kept\":1.5,\"never\":null,\"at\":2.000,"
        "\"third\":0.33333333333333331,\"tenth\":0.1,\"two\":2,"
        "\"two_f\":2.0,\"big_f\":1e+20,\"r_inf\":null,\"a\":[null]}");
    free(json);

    w = writer(true);
    bal__jw_map_open(w);
    bal__jw_key_int(w, "v", 1);
    bal__jw_str(w, "l");
    bal__jw_array_open(w);
    bal__jw_int(w, 2);
    bal__jw_array_close(w);
    bal__jw_map_close(w);
    json = finish(w);
    assert_string_equal(json, "{\n    \"v\": 1,\n    \"l\": [\n        2\n"
                              "    ]\n}\n");
    free(json);
}

/* A double as long as they come, with as many decimals as asked (at most
 * BAL__JW_DECIMALS_MAX): nothing cut, nothing overrun. */
static void test_writer_huge(void **state)
{
    char want[1200], *json;
    bal__jw *w = writer(false);

    bal__jw_array_open(w);
    bal__jw_num(w, -DBL_MAX, BAL__JW_DECIMALS_MAX);
    bal__jw_num(w, DBL_MAX, 1000);      /* taken as the most */
    bal__jw_num(w, DBL_MAX, -3);        /* taken as none */
    bal__jw_num(w, DBL_TRUE_MIN, BAL__JW_DECIMALS_MAX);
    bal__jw_real(w, -DBL_MAX, true);
    bal__jw_real(w, DBL_TRUE_MIN, true);
    bal__jw_array_close(w);
    json = finish(w);
    /* With no decimals, a whole number past a long long, which the reader
     * refuses, is written as a real. */
    snprintf(want, sizeof(want), "[%.17f,%.17f,1.7976931348623157e+308,"
             "0.00000000000000000,-1.7976931348623157e+308,"
             "4.94065645841247e-324]", -DBL_MAX, DBL_MAX);
    assert_string_equal(json, want);
    free(json);
}

/* What yajl refuses is the writer's fault, told by finish (which frees
 * the writer all the same); nothing is written after it. */
static void test_writer_faults(void **state)
{
    bal__jw *w = writer(false);
    char *json = NULL;

    bal__jw_map_open(w);
    bal__jw_int(w, 1);                  /* a key must be a string */
    bal__jw_key_str(w, "k", "v");
    bal__jw_map_close(w);
    assert_int_equal(bal__jw_finish(w, &json), BAL_EINVAL);
    assert_null(json);

    w = writer(false);
    bal__jw_int(w, 1);
    bal__jw_int(w, 2);                  /* a second document */
    assert_int_equal(bal__jw_finish(w, &json), BAL_EINVAL);
    assert_null(json);
}

/* A locale whose decimal point is ',', or NULL when none is installed. */
static const char *comma_locale(void)
{
    static const char *const names[] = {
        "de_DE.UTF-8", "de_DE.utf8", "de_DE", "fr_FR.UTF-8", "fr_FR.utf8",
        "nl_NL.UTF-8", "ru_RU.UTF-8",
    };
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (setlocale(LC_NUMERIC, names[i]) &&
            !strcmp(localeconv()->decimal_point, ","))
            return names[i];
    setlocale(LC_NUMERIC, "C");
    return NULL;
}

/* A program that called setlocale() gets JSON all the same: '.' written,
 * '.' read. */
static void test_c_locale(void **state)
{
    const char *loc = comma_locale();
    char probe[16], *json, *back = NULL;
    bal__json_err err;
    yajl_val top = NULL;
    bal__sample s, out;
    bal__host *h;
    bal__jw *w;
    double d;

    if (!loc) {
        printf("note: no locale with a decimal comma is installed (e.g. "
               "de_DE.UTF-8; `locale -a'): the numbers are checked in the "
               "C locale only\n");
    } else {
        snprintf(probe, sizeof(probe), "%.1f", 1.5);
        assert_string_equal(probe, "1,5");      /* the locale is on */
    }

    w = writer(false);
    bal__jw_array_open(w);
    bal__jw_num(w, 1.5, 2);
    bal__jw_num(w, -DBL_MAX, 3);
    bal__jw_real(w, 2.5, false);
    bal__jw_real(w, 1.0 / 3, true);
    bal__jw_array_close(w);
    json = finish(w);
    assert_true(!strncmp(json, "[1.50,-1797", 11));
    assert_non_null(strstr(json, ".000,2.5,0.33333333333333331]"));
    assert_int_equal(bal__json_parse(json, strlen(json), 4, &top, &err), 0);
    assert_true(bal__json_num(top->u.array.values[0], &d) && d == 1.5);
    assert_true(bal__json_num(top->u.array.values[3], &d) && d == 1.0 / 3);
    yajl_tree_free(top);
    free(json);

    /* The sample, both ways. */
    bal__sample_init(&s);
    h = add_host(&s, "hostA");
    h->pcpus = 1;
    h->disk_Bps = 2.5e8 + 0.25;
    assert_int_equal(bal__json_write_sample(&s, &back), 0);
    assert_non_null(strstr(back, "\"disk_Bps\":250000000.25,"));
    bal__sample_init(&out);
    assert_int_equal(bal__json_parse_sample(NULL, "x", BAL_EPEER, back,
                                            strlen(back), &out), 0);
    assert_true(out.hosts[0].disk_Bps == 2.5e8 + 0.25);
    bal__sample_dispose(&out);
    bal__sample_dispose(&s);
    free(back);
    setlocale(LC_NUMERIC, "C");
}

/* ---- the one reader ------------------------------------------------------ */

static void test_reader_parse(void **state)
{
    static const char hidden[] = "/* [[[[ \" */ [\"[[[[\", {\"a\": [1]}]";
    char deep[64];
    bal__json_err err;
    yajl_val top = NULL;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    size_t n = 100000;
    char *t = malloc(n);

    /* 16 deep is allowed, 17 is not: one line, before yajl recurses. */
    memset(deep, 0, sizeof(deep));
    memset(deep, '[', 16);
    memset(deep + 16, ']', 16);
    assert_int_equal(bal__json_parse(deep, strlen(deep), 16, &top, &err), 0);
    yajl_tree_free(top);
    top = NULL;
    memset(deep, 0, sizeof(deep));
    memset(deep, '[', 17);
    memset(deep + 17, ']', 17);
    assert_int_equal(bal__json_parse(deep, strlen(deep), 16, &top, &err),
                     BAL_EINVAL);
    assert_int_equal(err.fault, BAL__JSON_DEEP);
    assert_null(top);
    bal__json_error(ctx, "in.json", NULL, "%s", err.msg);
    assert_string_equal(tu_last(&lg), "in.json: nested deeper than 16");

    /* A hundred thousand deep: refused, no crash. */
    assert_non_null(t);
    memset(t, '{', n);
    assert_int_equal(bal__json_parse(t, n, 64, &top, &err), BAL_EINVAL);
    assert_string_equal(err.msg, "nested deeper than 64");
    free(t);

    /* Brackets in comments and strings do not count. */
    assert_int_equal(bal__json_parse(hidden, strlen(hidden), 3, &top, &err),
                     0);
    assert_true(YAJL_IS_ARRAY(top));
    yajl_tree_free(top);
    top = NULL;

    /* text[0..len) only: no NUL needed after it, none allowed in it. */
    assert_int_equal(bal__json_parse("{}junk", 2, 4, &top, &err), 0);
    assert_true(YAJL_IS_OBJECT(top));
    yajl_tree_free(top);
    top = NULL;
    assert_int_equal(bal__json_parse("{}\0{}", 5, 4, &top, &err),
                     BAL_EINVAL);
    assert_int_equal(err.fault, BAL__JSON_NUL);
    assert_string_equal(err.msg, "contains a NUL byte");
    assert_int_equal(bal__json_parse("[1,", 3, 4, &top, &err), BAL_EINVAL);
    assert_int_equal(err.fault, BAL__JSON_SYNTAX);
    assert_string_equal(err.msg, "not JSON: parse error: premature EOF");
    assert_null(top);

    assert_true(bal__json_blank(" \t\r\n", 4));
    assert_true(bal__json_blank(NULL, 0));
    assert_false(bal__json_blank(" \0 ", 3));
    assert_false(bal__json_blank(" {}", 3));

    /* The one error line: control characters of the text never reach a
     * terminal. */
    bal__json_error(ctx, "f.json", "vms[0] (a\x7f)", "unknown key `%s'",
                    "x\x1b[2J");
    assert_string_equal(tu_last(&lg),
                        "f.json: vms[0] (a?): unknown key `x?[2J'");
    bal_ctx_free(ctx);
}

/* bal__json_parse: what its trees may not hold, refused with the path. */
static void expect_refused(const char *text, const char *msg)
{
    bal__json_err err;
    yajl_val top = NULL;

    assert_int_equal(bal__json_parse(text, strlen(text), 8, &top, &err),
                     BAL_EINVAL);
    assert_null(top);
    assert_int_equal(err.fault, BAL__JSON_VALUE);
    assert_string_equal(err.msg, msg);
}

static void test_reader_values(void **state)
{
    static const char *kept[] = {
        "{\"a\": 9223372036854775807, \"b\": -9223372036854775808}",
        "[1e-400, 1.7976931348623157e308, -0, \"a\\u0001\"]",
        "/* \\u0000 in a comment */ {\"a\": \"\\\\u0000\"}",
    };
    bal__json_err err;
    yajl_val top;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
        top = NULL;
        assert_int_equal(bal__json_parse(kept[i], strlen(kept[i]), 8, &top,
                                         &err), 0);
        yajl_tree_free(top);
    }
    expect_refused("{\"moves\": [{\"vm\": \"v\\u0000m\"}]}",
                   "moves[0].vm: contains \\u0000 (a NUL character)");
    expect_refused("[\"a\", [1, \"\\u0000\"]]",
                   "[1][1]: contains \\u0000 (a NUL character)");
    expect_refused("{\"a\": {\"k\\u0000\": 1}}",
                   "a: a key contains \\u0000 (a NUL character)");
    expect_refused("\"\\u0000\"",
                   "top level: contains \\u0000 (a NUL character)");
    expect_refused("{\"hosts\": [{\"pcpus\": 1e400}]}",
                   "hosts[0].pcpus: number 1e400 is out of range (beyond a "
                   "double's 1.8e308)");
    expect_refused("{\"x\": -1e400}",
                   "x: number -1e400 is out of range (beyond a double's "
                   "1.8e308)");
    expect_refused("{\"mem_kb\": 9223372036854775808}",
                   "mem_kb: whole number 9223372036854775808 is out of range "
                   "(-9223372036854775808 to 9223372036854775807)");
    expect_refused("[-9223372036854775809]",
                   "[0]: whole number -9223372036854775809 is out of range "
                   "(-9223372036854775808 to 9223372036854775807)");
}

static void test_reader_accessors(void **state)
{
    static const char text[] = "{\"n\": 1.5, \"s\": \"abc\", "
                               "\"e\": \"\", \"twice\": 1, \"twice\": 2, "
                               "\"t\": true}";
    bal__json_err err;
    yajl_val top = NULL, v;
    bool twice;
    double d = 0;

    assert_int_equal(bal__json_parse(text, strlen(text), 4, &top, &err), 0);
    v = bal__json_member(top, "n", yajl_t_number, &twice);
    assert_non_null(v);
    assert_false(twice);
    assert_true(bal__json_num(v, &d) && d == 1.5);
    assert_null(bal__json_member(top, "n", yajl_t_string, NULL));
    assert_null(bal__json_member(top, "absent", yajl_t_any, NULL));
    assert_null(bal__json_member(v, "n", yajl_t_any, NULL)); /* no object */
    v = bal__json_member(top, "twice", yajl_t_any, &twice);
    assert_true(twice);
    assert_int_equal(YAJL_GET_INTEGER(v), 1);

    /* Numbers: finite (the reader refuses 1e400), wholly a number. */
    assert_false(bal__json_num(bal__json_member(top, "s", yajl_t_any, NULL),
                               &d));
    assert_false(bal__json_num(NULL, &d));
    assert_true(bal__json_strtod("-2.5e-3", &d) && d == -2.5e-3);
    assert_false(bal__json_strtod("1.5x", &d));
    assert_false(bal__json_strtod("", &d));

    /* Strings: 1 to size - 1 bytes. */
    v = bal__json_member(top, "s", yajl_t_any, NULL);
    assert_string_equal(bal__json_str(v, 4), "abc");
    assert_null(bal__json_str(v, 3));
    assert_string_equal(bal__json_str(v, SIZE_MAX), "abc");
    assert_null(bal__json_str(bal__json_member(top, "e", yajl_t_any, NULL),
                              SIZE_MAX));
    assert_null(bal__json_str(bal__json_member(top, "t", yajl_t_any, NULL),
                              SIZE_MAX));
    assert_string_equal(bal__json_type_name(yajl_t_true), "a boolean");
    assert_string_equal(bal__json_type_name(yajl_t_object), "an object");
    yajl_tree_free(top);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_round_trip_empty),
        cmocka_unit_test(test_write_exact),
        cmocka_unit_test(test_write_refuses),
        cmocka_unit_test(test_name_sanitize),
        cmocka_unit_test(test_parse_lenient),
        cmocka_unit_test(test_base_is_valid),
        cmocka_unit_test(test_bad_syntax),
        cmocka_unit_test(test_bad_structure),
        cmocka_unit_test(test_bad_numbers),
        cmocka_unit_test(test_boundaries_accepted),
        cmocka_unit_test(test_bad_strings),
        cmocka_unit_test(test_legit_duplicate_uuids),
        cmocka_unit_test(test_too_many),
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_hostile_nesting),
        cmocka_unit_test(test_trace_what),
        cmocka_unit_test(test_writer_values),
        cmocka_unit_test(test_writer_huge),
        cmocka_unit_test(test_writer_faults),
        cmocka_unit_test(test_c_locale),
        cmocka_unit_test(test_reader_parse),
        cmocka_unit_test(test_reader_accessors),
        cmocka_unit_test(test_reader_values),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
