/*
 * testutil.c - see testutil.h.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "base/config.h"
#include "base/sample.h"

void tu_log_fn(void *opaque, bal_log_level level, const char *msg)
{
    tu_log *lg = opaque;
    int n;

    if (level < BAL_LOG_WARN) return;
    if (level == BAL_LOG_ERROR) lg->nerrors++;
    n = snprintf(lg->buf + lg->len, sizeof(lg->buf) - lg->len, "%s%s",
                 lg->len ? "\n" : "", msg);
    if (n > 0 && (size_t)n < sizeof(lg->buf) - lg->len) lg->len += (size_t)n;
}

bal_ctx *tu_ctx(tu_log *lg)
{
    bal_ctx *ctx = NULL;

    memset(lg, 0, sizeof(*lg));
    assert_int_equal(bal_ctx_alloc(tu_log_fn, lg, BAL_LOG_DEBUG, &ctx), 0);
    return ctx;
}

const char *tu_last(const tu_log *lg)
{
    const char *nl = strrchr(lg->buf, '\n');

    return nl ? nl + 1 : lg->buf;
}

char *tu_tmpfile(const char *text)
{
    char *path = strdup("/tmp/bal-test-XXXXXX");
    int fd;
    size_t len = strlen(text);

    assert_non_null(path);
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

const char *tu_datadir(void)
{
    const char *d = getenv("BAL_TESTDATA");

    return d ? d : "tests/data";
}

void tu_sim_open(tu_sim *f, const char *scn)
{
    char spec[64];

    memset(f, 0, sizeof(*f));
    f->ctx = tu_ctx(&f->lg);
    assert_int_equal(bal_config_alloc(&f->cfg), 0);
    f->path = tu_tmpfile(scn);
    snprintf(spec, sizeof(spec), "sim:%s", f->path);
    assert_int_equal(bal_backend_open(f->ctx, f->cfg, spec, &f->be), 0);
    assert_int_equal(bal_status_collect(f->ctx, f->be, f->cfg, &f->st), 0);
}

void tu_sim_close(tu_sim *f)
{
    bal_status_free(f->st);
    bal_backend_close(f->be);
    bal_config_free(f->cfg);
    bal_ctx_free(f->ctx);
    unlink(f->path);
    free(f->path);
}

const bal_vm_info *tu_status_vm(const bal_status *st, const char *name)
{
    int i;

    for (i = 0; i < bal_status_num_vms(st); i++)
        if (!strcmp(bal_status_vm(st, i)->name, name))
            return bal_status_vm(st, i);
    fail_msg("no vm %s", name);
    return NULL;
}

char *tu_slurp(FILE *f, size_t *len_r)
{
    long n;
    char *buf;

    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    if (len_r) *len_r = (size_t)n;
    return buf;
}

void tu_fx_init(tu_fx *f, const char *spec)
{
    memset(f, 0, sizeof(*f));
    f->ctx = tu_ctx(&f->lg);
    assert_int_equal(bal_config_alloc(&f->cfg), 0);
    f->cfg->state_dir = strdup("/nonexistent/xl-balance-test");
    assert_non_null(f->cfg->state_dir);
    assert_int_equal(bal_backend_open(f->ctx, f->cfg, spec, &f->be), 0);
}

void tu_fx_dispose(tu_fx *f)
{
    bal_backend_close(f->be);
    bal_config_free(f->cfg);
    bal_ctx_free(f->ctx);
}

void tu_move_init(bal__move *mv, const char *vm, const char *uuid,
                  const char *from, const char *to)
{
    memset(mv, 0, sizeof(*mv));
    snprintf(mv->vm, sizeof(mv->vm), "%s", vm);
    snprintf(mv->uuid, sizeof(mv->uuid), "%s", uuid);
    snprintf(mv->from, sizeof(mv->from), "%s", from);
    snprintf(mv->to, sizeof(mv->to), "%s", to);
}

char *tu_recorded(const char *dir, const char *uuid)
{
    static char buf[4096];
    char path[4200];
    ssize_t n, i;
    int fd;

    snprintf(path, sizeof(path), "%s/%s", dir, uuid);
    fd = open(path, O_RDONLY);
    if (fd < 0) return NULL;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    assert_true(n >= 0);
    for (i = 0; i < n; i++)
        if (!buf[i]) buf[i] = '|';
    buf[n] = '\0';
    return buf;
}

static int strv_len(char **v)
{
    int n = 0;

    while (v[n]) n++;
    return n;
}

void tu_peer_config(struct bal_config *cfg, char **hosts, char **transport,
                    char **peer_cmd)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->hosts = hosts;
    cfg->nhosts = strv_len(hosts);
    cfg->transport = transport;
    cfg->ntransport = strv_len(transport);
    cfg->peer_command = peer_cmd;
    cfg->npeer_command = strv_len(peer_cmd);
    cfg->peer_timeout = 5;
    cfg->peer_parallel = 8;
    cfg->interval = 1;
    cfg->samples = 2;
}

bal__host *tu_add_host(bal__sample *s, const char *name, uint64_t t,
                       int pcpus)
{
    bal__host *h = NULL;

    assert_int_equal(bal__sample_add_host(s, &h), 0);
    snprintf(h->name, sizeof(h->name), "%s", name);
    h->time_ns = t;
    h->pcpus = pcpus;
    return h;
}
