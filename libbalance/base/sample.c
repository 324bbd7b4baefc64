/*
 * sample.c - growing and freeing cluster samples.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void bal__sample_init(bal__sample *s)
{
    memset(s, 0, sizeof(*s));
}

void bal__sample_dispose(bal__sample *s)
{
    int i;

    if (!s) return;
    for (i = 0; i < s->nhosts; i++) free(s->hosts[i].doms);
    free(s->hosts);
    bal__sample_init(s);
}

/* Grows *arr (of *cap elements of size sz) to hold need elements. */
static int grow(void **arr, int *cap, int need, size_t sz)
{
    void *n;
    int ncap;

    if (need <= *cap) return 0;
    ncap = *cap ? *cap : 4;
    while (ncap < need) {
        if (ncap > (1 << 29)) return BAL_ENOMEM;
        ncap *= 2;
    }
    n = realloc(*arr, (size_t)ncap * sz);
    if (!n) return BAL_ENOMEM;
    *arr = n;
    *cap = ncap;
    return 0;
}

int bal__sample_add_host(bal__sample *s, bal__host **out)
{
    int rc = grow((void **)&s->hosts, &s->ahosts, s->nhosts + 1,
                  sizeof(*s->hosts));
    if (rc) return rc;
    *out = &s->hosts[s->nhosts++];
    memset(*out, 0, sizeof(**out));
    return 0;
}

int bal__host_add_dom(bal__host *h, bal__dom **out)
{
    int rc = grow((void **)&h->doms, &h->adoms, h->ndoms + 1,
                  sizeof(*h->doms));
    if (rc) return rc;
    *out = &h->doms[h->ndoms++];
    memset(*out, 0, sizeof(**out));
    return 0;
}

int bal__sample_append(bal__sample *dst, bal__sample *src)
{
    int rc;

    if (!src->nhosts) {
        dst->npeer_errors += src->npeer_errors;
        bal__sample_dispose(src);
        return 0;
    }
    rc = grow((void **)&dst->hosts, &dst->ahosts,
                  dst->nhosts + src->nhosts, sizeof(*dst->hosts));
    if (rc) return rc;
    memcpy(dst->hosts + dst->nhosts, src->hosts,
           (size_t)src->nhosts * sizeof(*src->hosts));
    dst->nhosts += src->nhosts;
    dst->npeer_errors += src->npeer_errors;
    free(src->hosts);
    bal__sample_init(src);
    return 0;
}

bal__host *bal__sample_find_host(const bal__sample *s, const char *name)
{
    int i;

    for (i = 0; i < s->nhosts; i++)
        if (!strcmp(s->hosts[i].name, name)) return &s->hosts[i];
    return NULL;
}

int bal__sample_copy(bal__sample *dst, const bal__sample *src)
{
    bal__sample s;
    int i, rc;

    bal__sample_init(&s);
    for (i = 0; i < src->nhosts; i++) {
        bal__host *h;
        const bal__host *o = &src->hosts[i];

        rc = bal__sample_add_host(&s, &h);
        if (rc) goto fail;
        *h = *o;
        h->doms = NULL;
        h->ndoms = h->adoms = 0;
        if (o->ndoms) {
            h->doms = malloc((size_t)o->ndoms * sizeof(*h->doms));
            if (!h->doms) { rc = BAL_ENOMEM; goto fail; }
            memcpy(h->doms, o->doms, (size_t)o->ndoms * sizeof(*h->doms));
            h->ndoms = h->adoms = o->ndoms;
        }
    }
    s.npeer_errors = src->npeer_errors;
    *dst = s;
    return 0;

fail:
    bal__sample_dispose(&s);
    return rc;
}
