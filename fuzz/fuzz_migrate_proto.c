/*
 * fuzz_migrate_proto.c - the sender's side of `xl migrate`
 * (migrate_proto.c, bal__mig_run) reading what a receiver says: the
 * banner, the ready message, the report and its status byte, the
 * permission to resume.  The receiver is whoever answers at the other
 * end of ssh; here its bytes are the fuzzer's, over a pipe, and the
 * domain operations are fakes that count their calls, as in
 * tests/seam_migrate.c.
 *
 * Input: byte 0 chooses the fakes' answers and whether the receiver has
 * stopped reading (bit 0: its stdin is closed, writes get EPIPE; bits
 * 1-2: suspend ok / guest timed out / failed; bit 3: rename fails; bit 4:
 * resume fails; bit 5: destroy fails); the rest is what the receiver
 * writes before it closes its stdout.
 *
 * Beyond "no crash", the rules of doc/migration.md, whatever the bytes:
 * success only after the whole handshake and a 0 status, then the source
 * destroyed once and never resumed; past the point of no return on
 * failure (BAL_EUNDEFINED) neither resumed nor destroyed; any other
 * failure never destroys, resumes whatever was suspended, and renames
 * back whatever was renamed away.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "migrate/migrate_seam.h"

typedef struct fake {
    int suspend_rc, rename_rc, resume_rc, destroy_rc;
    int nsuspend, nrename_away, nrename_back, nresume, ndestroy;
} fake;

static int f_suspend(void *h, uint32_t domid, int fd, int flags,
                     bal__mig_progress *prog)
{
    fake *f = h;
    static const char mem[] = "memory";

    (void)domid; (void)flags; (void)prog;
    f->nsuspend++;
    if (f->suspend_rc) return f->suspend_rc;
    /* A little of the stream; a receiver that stopped reading fails it. */
    if (write(fd, mem, sizeof(mem)) != (ssize_t)sizeof(mem)) return -3;
    return 0;
}

static int f_rename(void *h, uint32_t domid, const char *old_name,
                    const char *new_name)
{
    fake *f = h;

    (void)domid; (void)old_name;
    if (strstr(new_name, "--migratedaway")) {
        if (f->rename_rc) return f->rename_rc;
        f->nrename_away++;
    } else {
        f->nrename_back++;
    }
    return 0;
}

static int f_resume(void *h, uint32_t domid)
{
    fake *f = h;

    (void)domid;
    f->nresume++;
    return f->resume_rc;
}

static int f_destroy(void *h, uint32_t domid)
{
    fake *f = h;

    (void)domid;
    f->ndestroy++;
    return f->destroy_rc;
}

static int f_suspended(void *h, uint32_t domid)
{
    (void)h; (void)domid;
    return 1;
}

static const bal__mig_ops ops = {
    .suspend = f_suspend, .rename = f_rename, .resume = f_resume,
    .destroy = f_destroy, .suspended = f_suspended,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int suspend_rcs[4] = { 0, BAL__MIG_ERROR_GUEST_TIMEDOUT,
                                        -3, 0 };
    fz_log lg;
    bal_ctx *ctx;
    fake f;
    bal__mig_chan chan;
    bal__mig_job job;
    bal__mig_progress prog;
    bal__move_result res;
    int tx[2], rx[2], rc;
    uint8_t mode;

    if (size < 1 || size > 60000) return 0;     /* one pipe's worth */
    mode = data[0];
    data++;
    size--;

    ctx = fz_ctx(&lg);
    memset(&f, 0, sizeof(f));
    f.suspend_rc = suspend_rcs[(mode >> 1) & 3];
    f.rename_rc = mode & 8 ? -3 : 0;
    f.resume_rc = mode & 16 ? -3 : 0;
    f.destroy_rc = mode & 32 ? -3 : 0;

    FZ_ASSERT(!pipe2(tx, O_CLOEXEC) && !pipe2(rx, O_CLOEXEC));
    /* The receiver's whole say, then the end of its stdout. */
    FZ_ASSERT(write(rx[1], data, size) == (ssize_t)size);
    close(rx[1]);
    if (mode & 1) { close(tx[0]); tx[0] = -1; }

    bal__mig_chan_init(&chan);
    chan.proc.in_fd = tx[1];
    chan.proc.out_fd = rx[0];
    memset(&job, 0, sizeof(job));
    job.domid = 7;
    job.name = "web";
    job.uuid = "abcdef01-2345-6789-0abc-def012345678";
    job.from = "hostA";
    job.to = "hostB";
    job.config_json = "{\"c_info\":{\"name\":\"web\",\"domid\":0}}";
    job.timeout_s = 5;          /* never reached: the stream ends */
    job.exit_wait_s = 0;
    bal__mig_progress_init(&prog, ctx, "web");
    memset(&res, 0, sizeof(res));

    rc = bal__mig_run(ctx, &ops, &f, &job, &chan, &prog, &res);
    FZ_ASSERT(rc == res.rc);
    FZ_ASSERT(chan.proc.in_fd < 0 && chan.proc.out_fd < 0);   /* shut down */
    FZ_ASSERT(lg.nerrors == (rc ? 1 : 0));              /* one line */

    if (rc == 0) {
        static const char ok[] = BAL__MIG_BANNER BAL__MIG_READY "\0"
                                 BAL__MIG_REPORT "\0";
        size_t n = sizeof(ok) - 1;              /* the messages, then... */

        FZ_ASSERT(size >= n + 1 && !memcmp(data, ok, n) && data[n] == 0);
        FZ_ASSERT(f.ndestroy == 1 && f.nresume == 0);
        FZ_ASSERT(f.nrename_away == 1 && f.nrename_back == 0);
    } else if (rc == BAL_EUNDEFINED) {
        FZ_ASSERT(f.ndestroy == 0 && f.nresume == 0);
        FZ_ASSERT(f.nrename_away == 1 && f.nrename_back == 0);
    } else {
        FZ_ASSERT(f.ndestroy == 0);
        FZ_ASSERT(f.nrename_back == f.nrename_away);
        if (f.nsuspend && f.suspend_rc != BAL__MIG_ERROR_GUEST_TIMEDOUT)
            FZ_ASSERT(f.nresume == 1);
        else
            FZ_ASSERT(f.nresume == 0);
    }

    if (tx[0] >= 0) close(tx[0]);
    bal_ctx_free(ctx);
    return 0;
}
