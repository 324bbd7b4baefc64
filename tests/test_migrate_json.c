/*
 * test_migrate_json.c - the answer of `xl-balance migrate --json`
 * (base/migrate_json.c): the exact text written, write -> parse round
 * trips, what the writer refuses, and malformed answers, each refused
 * with its reason and the answer left zeroed.  The reader as the xen
 * backend uses it, on a peer's output, is in seam_xen_remote.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "base/migrate_json.h"

#define UUID "6a5392d4-674b-819d-9eda-d84a8adf302c"

static void done_answer(bal__migrate_answer *a)
{
    memset(a, 0, sizeof(*a));
    snprintf(a->vm, sizeof(a->vm), "web \xc3\xa9t\xc3\xa9");
    snprintf(a->uuid, sizeof(a->uuid), UUID);
    snprintf(a->from, sizeof(a->from), "hostB");
    snprintf(a->to, sizeof(a->to), "hostA");
    a->duration_s = 12.5;
    a->rounds = 3;
    a->downtime_s = 0.042;
    a->bytes = 1073741824;
    a->mem_kb = 1048576;
    a->dirty_Bps = 90000.4;
    a->predicted_s = 11.25;
    a->predicted_rounds = 4;
    a->learned = true;
}

static void test_write_done(void **state)
{
    bal__migrate_answer a, b;
    char why[256] = "";
    char *j = NULL;

    done_answer(&a);
    assert_int_equal(bal__migrate_json_write(&a, &j), 0);
    assert_string_equal(j, "{\"xl_balance_migrate\":2,\"outcome\":\"done\","
                        "\"rc\":0,\"vm\":\"web \xc3\xa9t\xc3\xa9\",\"uuid\":\""
                        UUID "\",\"from\":\"hostB\",\"to\":\"hostA\","
                        "\"duration_s\":12.500000,\"rounds\":3,"
                        "\"downtime_s\":0.042000,\"bytes\":1073741824,"
                        "\"mem_kb\":1048576,\"dirty_Bps\":90000,"
                        "\"predicted_s\":11.250,\"predicted_rounds\":4,"
                        "\"learned\":true}");
    assert_int_equal(bal__migrate_json_parse(j, strlen(j), &b, why,
                                             sizeof(why)), 0);
    assert_int_equal(b.rc, 0);
    assert_string_equal(b.vm, a.vm);
    assert_string_equal(b.uuid, UUID);
    assert_string_equal(b.from, "hostB");
    assert_string_equal(b.to, "hostA");
    assert_true(b.duration_s == 12.5);
    assert_int_equal(b.rounds, 3);
    assert_true(b.downtime_s == 0.042);
    assert_int_equal(b.bytes, 1073741824);
    assert_int_equal(b.mem_kb, 1048576);
    assert_true(b.dirty_Bps == 90000);
    assert_true(b.predicted_s == 11.25);
    assert_int_equal(b.predicted_rounds, 4);
    assert_true(b.learned);
    free(j);

    /* Unknown is null, and read back as NAN. */
    a.dirty_Bps = NAN;
    a.predicted_s = NAN;
    a.learned = false;
    assert_int_equal(bal__migrate_json_write(&a, &j), 0);
    assert_non_null(strstr(j, "\"dirty_Bps\":null,\"predicted_s\":null,"
                              "\"predicted_rounds\":4,\"learned\":false}"));
    assert_int_equal(bal__migrate_json_parse(j, strlen(j), &b, why,
                                             sizeof(why)), 0);
    assert_true(isnan(b.dirty_Bps));
    assert_true(isnan(b.predicted_s));
    assert_false(b.learned);
    free(j);
}

static void test_write_failed(void **state)
{
    bal__migrate_answer a, b;
    char why[256] = "";
    char *j = NULL;

    memset(&a, 0, sizeof(a));
    a.rc = BAL_EXEN;
    /* The rest is not written for a failure. */
    snprintf(a.vm, sizeof(a.vm), "\x01not written");
    assert_int_equal(bal__migrate_json_write(&a, &j), 0);
    assert_string_equal(j, "{\"xl_balance_migrate\":2,\"outcome\":\"failed\","
                        "\"rc\":-10,\"error\":\"Xen library call failed\"}");
    assert_int_equal(bal__migrate_json_parse(j, strlen(j), &b, why,
                                             sizeof(why)), 0);
    assert_int_equal(b.rc, BAL_EXEN);
    assert_string_equal(b.vm, "");
    free(j);

    a.rc = BAL_EUNDEFINED;
    assert_int_equal(bal__migrate_json_write(&a, &j), 0);
    assert_non_null(strstr(j, "\"outcome\":\"undefined\",\"rc\":-15,"));
    assert_int_equal(bal__migrate_json_parse(j, strlen(j), &b, why,
                                             sizeof(why)), 0);
    assert_int_equal(b.rc, BAL_EUNDEFINED);
    free(j);
}

/* What the reader would refuse is not written. */
static void test_write_refused(void **state)
{
    bal__migrate_answer a;
    char *j = NULL;

    memset(&a, 0, sizeof(a));
    a.rc = -1000;
    assert_int_equal(bal__migrate_json_write(&a, &j), BAL_EINVAL);
    a.rc = 3;
    assert_int_equal(bal__migrate_json_write(&a, &j), BAL_EINVAL);
    done_answer(&a);
    snprintf(a.vm, sizeof(a.vm), "bad \xff");
    assert_int_equal(bal__migrate_json_write(&a, &j), BAL_EINVAL);
    done_answer(&a);
    a.downtime_s = 13;
    assert_int_equal(bal__migrate_json_write(&a, &j), BAL_EINVAL);
    done_answer(&a);
    a.predicted_s = -1;
    assert_int_equal(bal__migrate_json_write(&a, &j), BAL_EINVAL);
    done_answer(&a);
    a.predicted_rounds = -1;
    assert_int_equal(bal__migrate_json_write(&a, &j), BAL_EINVAL);
    done_answer(&a);
    a.uuid[0] = 'X';
    assert_int_equal(bal__migrate_json_write(&a, &j), BAL_EINVAL);
    assert_null(j);
}

#define V "{\"xl_balance_migrate\":1,"
#define DONE_REST "\"vm\":\"web\",\"uuid\":\"" UUID "\",\"from\":\"b\"," \
    "\"to\":\"a\",\"duration_s\":1,\"rounds\":1,\"downtime_s\":0," \
    "\"bytes\":0,\"mem_kb\":1,\"dirty_Bps\":null}"

#define V2 "{\"xl_balance_migrate\":2,"
/* A version 2 "done" answer's keys after rc, predicted_s and learned as
 * given. */
#define DONE_PRED(pred, learned) "\"vm\":\"web\",\"uuid\":\"" UUID "\"," \
    "\"from\":\"b\",\"to\":\"a\",\"duration_s\":1,\"rounds\":1," \
    "\"downtime_s\":0,\"bytes\":0,\"mem_kb\":1,\"dirty_Bps\":null," \
    "\"predicted_s\":" pred ",\"predicted_rounds\":3,\"learned\":" learned "}"
#define DONE_REST2 DONE_PRED("2.5", "true")

static void expect_bad(const char *text, size_t len, const char *reason)
{
    bal__migrate_answer a;
    char why[256] = "";

    memset(&a, 0x55, sizeof(a));
    assert_int_equal(bal__migrate_json_parse(text, len, &a, why,
                                             sizeof(why)), BAL_EPEER);
    assert_string_equal(why, reason);
    assert_int_equal(a.rc, 0);
    assert_string_equal(a.vm, "");
}

#define BAD(text, reason) expect_bad(text, strlen(text), reason)

static void parse_ok(const char *text, bal__migrate_answer *a)
{
    char why[256] = "";

    assert_int_equal(bal__migrate_json_parse(text, strlen(text), a, why,
                                             sizeof(why)), 0);
}

static void test_parse_bad(void **state)
{
    bal__migrate_answer a;

    /* The references: these parse; version 1 (an older peer) predicted
     * nothing. */
    parse_ok(V "\"outcome\":\"done\",\"rc\":0," DONE_REST, &a);
    assert_true(isnan(a.predicted_s));
    assert_false(a.learned);
    parse_ok(V2 "\"outcome\":\"done\",\"rc\":0," DONE_REST2, &a);
    assert_true(a.predicted_s == 2.5);
    assert_int_equal(a.predicted_rounds, 3);
    assert_true(a.learned);
    /* The keys of version 2 in version 1, and missing from version 2. */
    BAD(V "\"outcome\":\"done\",\"rc\":0," DONE_REST2,
        "key `predicted_s' in a version 1 answer");
    BAD(V2 "\"outcome\":\"done\",\"rc\":0," DONE_REST,
        "missing key `predicted_s'");
    BAD(V2 "\"outcome\":\"done\",\"rc\":0," DONE_PRED("2.5", "1"),
        "learned: not true or false");
    BAD(V2 "\"outcome\":\"done\",\"rc\":0," DONE_PRED("-2.5", "true"),
        "predicted_s -2.5 is out of range (0 to 1e+07, or null)");
    BAD("", "empty answer");
    BAD(" \n\t", "empty answer");
    expect_bad("{\"a\":\0}", 7, "a NUL byte in the answer");
    BAD("[[[1]]]", "nested deeper than 2");
    BAD("{", "not JSON: parse error: premature EOF");
    BAD("[1]", "not a JSON object");
    BAD("{\"outcome\":\"done\"}", "missing key `xl_balance_migrate'");
    BAD("{\"xl_balance_migrate\":3,\"outcome\":\"done\"}",
        "xl_balance_migrate: not version 1 to 2");
    BAD("{\"xl_balance_migrate\":0,\"outcome\":\"done\"}",
        "xl_balance_migrate: not version 1 to 2");
    BAD("{\"xl_balance_migrate\":\"1\"}",
        "xl_balance_migrate: not version 1 to 2");
    BAD(V "\"outcome\":\"maybe\"}",
        "outcome `maybe': not done, failed or undefined");
    BAD(V "\"outcome\":7}", "outcome `': not done, failed or undefined");
    BAD(V "\"outcome\":\"failed\",\"rc\":-10}", "missing key `error'");
    BAD(V "\"outcome\":\"failed\",\"rc\":-10,\"error\":\"x\",\"vm\":\"w\"}",
        "key `vm' in a `failed' answer");
    BAD(V "\"outcome\":\"failed\",\"rc\":0,\"error\":\"x\"}",
        "rc 0 does not go with outcome `failed'");
    BAD(V "\"outcome\":\"failed\",\"rc\":-15,\"error\":\"x\"}",
        "rc -15 does not go with outcome `failed'");
    BAD(V "\"outcome\":\"failed\",\"rc\":-999,\"error\":\"x\"}",
        "rc -999 does not go with outcome `failed'");
    BAD(V "\"outcome\":\"failed\",\"rc\":1,\"error\":\"x\"}",
        "rc 1: out of range (-2147483648 to 0)");
    BAD(V "\"outcome\":\"failed\",\"rc\":-10,\"error\":\"\"}",
        "error: not a line of 1 to 1024 bytes of printable UTF-8");
    BAD(V "\"outcome\":\"done\",\"rc\":-10," DONE_REST,
        "rc -10 does not go with outcome `done'");
    BAD(V "\"outcome\":\"done\",\"rc\":0,\"\xc2\x9b\":1," DONE_REST,
        "unknown key `?" "?'");
    BAD(V "\"outcome\":\"done\",\"rc\":0,\"vm\":7,"
        "\"uuid\":\"" UUID "\",\"from\":\"b\",\"to\":\"a\",\"duration_s\":1,"
        "\"rounds\":1,\"downtime_s\":0,\"bytes\":0,\"mem_kb\":1,"
        "\"dirty_Bps\":null}", "vm: not a string of 1 to 127 bytes");
    BAD(V "\"outcome\":\"done\",\"rc\":0,\"vm\":\"w\","
        "\"uuid\":\"" UUID "\",\"from\":\"b\",\"to\":\"a\",\"duration_s\":1,"
        "\"rounds\":1.5,\"downtime_s\":0,\"bytes\":0,\"mem_kb\":1,"
        "\"dirty_Bps\":null}",
        "rounds: not a whole number of at most 19 digits");
    BAD(V "\"outcome\":\"done\",\"rc\":0,\"vm\":\"w\","
        "\"uuid\":\"" UUID "\",\"from\":\"b\",\"to\":\"a\",\"duration_s\":1,"
        "\"rounds\":1,\"downtime_s\":0,\"bytes\":-1,\"mem_kb\":1,"
        "\"dirty_Bps\":null}",
        "bytes -1: out of range (0 to 9223372036854775807)");
    BAD(V "\"outcome\":\"done\",\"rc\":0,\"vm\":\"w\","
        "\"uuid\":\"" UUID "\",\"from\":\"b\",\"to\":\"a\","
        "\"duration_s\":1e400,\"rounds\":1,\"downtime_s\":0,\"bytes\":0,\"mem_kb\":1,"
        "\"dirty_Bps\":null}",
        "duration_s: number 1e400 is out of range (beyond a double's 1.8e308)");
    /* A name that C would read shorter than the answer says. */
    BAD(V "\"outcome\":\"done\",\"rc\":0,\"vm\":\"w\\u0000x\","
        "\"uuid\":\"" UUID "\",\"from\":\"b\",\"to\":\"a\",\"duration_s\":1,"
        "\"rounds\":1,\"downtime_s\":0,\"bytes\":0,\"mem_kb\":1,"
        "\"dirty_Bps\":null}", "vm: contains \\u0000 (a NUL character)");
    BAD(V "\"outcome\":\"done\",\"rc\":0,\"vm\":\"w\","
        "\"uuid\":\"not-a-uuid\",\"from\":\"b\",\"to\":\"a\",\"duration_s\":1,"
        "\"rounds\":1,\"downtime_s\":0,\"bytes\":0,\"mem_kb\":1,"
        "\"dirty_Bps\":null}", "uuid `not-a-uuid' is not a UUID");
    BAD(V "\"outcome\":\"done\",\"rc\":0,\"vm\":\"w\\u0007\","
        "\"uuid\":\"" UUID "\",\"from\":\"b\",\"to\":\"a\",\"duration_s\":1,"
        "\"rounds\":1,\"downtime_s\":0,\"bytes\":0,\"mem_kb\":1,"
        "\"dirty_Bps\":null}",
        "vm, from or to is not a name of printable UTF-8 that fits");
    BAD(V "\"outcome\":\"done\",\"rc\":0,\"vm\":\"w\","
        "\"uuid\":\"" UUID "\",\"from\":\"b\",\"to\":\"a\",\"duration_s\":1,"
        "\"rounds\":1,\"downtime_s\":0,\"bytes\":0,\"mem_kb\":1,"
        "\"dirty_Bps\":-5}",
        "dirty_Bps -5 is out of range (0 to 1e+15, or null)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_done),
        cmocka_unit_test(test_write_failed),
        cmocka_unit_test(test_write_refused),
        cmocka_unit_test(test_parse_bad),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
