/*
 * fuzz_migrate_answer.c - the answer of `xl-balance migrate --json` that
 * another dom0 sends back when it ran one of our moves (migrate_json.c,
 * bal__migrate_json_parse): the bytes a malicious or broken dom0 could
 * send.  A refusal says why in one printable line; an answer accepted is
 * written back and read again: what we accept we can also write, and
 * writing is a fixed point.
 */
#include "fuzz_common.h"
#include "base/migrate_json.h"

static void printable(const char *s)
{
    const unsigned char *p;

    FZ_ASSERT(*s);
    for (p = (const unsigned char *)s; *p; p++)
        FZ_ASSERT(*p >= 0x20 && *p != 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bal__migrate_answer a, b;
    char why[512];
    char *j1 = NULL, *j2 = NULL;
    int rc;

    if (size > 65536) return 0;     /* what backend_xen.c reads at most */
    /* Not NUL-terminated, as an answer read off a pipe. */
    rc = bal__migrate_json_parse((const char *)data, size, &a, why,
                                 sizeof(why));
    if (rc) {
        FZ_ASSERT(rc == BAL_EPEER || rc == BAL_ENOMEM);
        FZ_ASSERT(a.rc == 0 && !a.vm[0]);           /* zeroed */
        printable(why);
        return 0;
    }
    rc = bal__migrate_json_write(&a, &j1);
    FZ_ASSERT(rc == 0);
    rc = bal__migrate_json_parse(j1, strlen(j1), &b, why, sizeof(why));
    FZ_ASSERT(rc == 0);
    FZ_ASSERT(b.rc == a.rc && !strcmp(b.uuid, a.uuid));
    rc = bal__migrate_json_write(&b, &j2);
    FZ_ASSERT(rc == 0);
    FZ_ASSERT(!strcmp(j1, j2));
    free(j1);
    free(j2);
    return 0;
}
