/*
 * uuidmap.c - see uuidmap.h.  FNV-1a over the 36 characters, linear
 * probing, load factor at most 1/2.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "uuidmap.h"

void bal__uuidmap_init(bal__uuidmap *m)
{
    memset(m, 0, sizeof(*m));
}

void bal__uuidmap_dispose(bal__uuidmap *m)
{
    free(m->keys);
    free(m->vals);
    bal__uuidmap_init(m);
}

static size_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return (size_t)h;
}

static size_t slot(const bal__uuidmap *m, const char *key)
{
    size_t i = hash(key) & (m->cap - 1);

    while (m->keys[i] && strcmp(m->keys[i], key))
        i = (i + 1) & (m->cap - 1);
    return i;
}

static int rehash(bal__uuidmap *m, size_t ncap)
{
    bal__uuidmap n;
    size_t i;

    n.cap = ncap;
    n.n = m->n;
    n.keys = calloc(ncap, sizeof(*n.keys));
    n.vals = calloc(ncap, sizeof(*n.vals));
    if (!n.keys || !n.vals) {
        free(n.keys);
        free(n.vals);
        return BAL_ENOMEM;
    }
    for (i = 0; i < m->cap; i++) {
        if (m->keys[i]) {
            size_t j = slot(&n, m->keys[i]);
            n.keys[j] = m->keys[i];
            n.vals[j] = m->vals[i];
        }
    }
    free(m->keys);
    free(m->vals);
    *m = n;
    return 0;
}

int bal__uuidmap_put(bal__uuidmap *m, const char *key, int val)
{
    size_t i;
    int rc;

    if ((m->n + 1) * 2 > m->cap) {
        rc = rehash(m, m->cap ? m->cap * 2 : 64);
        if (rc) return rc;
    }
    i = slot(m, key);
    if (!m->keys[i]) {
        m->keys[i] = key;
        m->n++;
    }
    m->vals[i] = val;
    return 0;
}

int bal__uuidmap_get(const bal__uuidmap *m, const char *key)
{
    size_t i;

    if (!m->cap) return -1;
    i = slot(m, key);
    return m->keys[i] ? m->vals[i] : -1;
}
