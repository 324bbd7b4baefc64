/*
 * uuidmap.h - an open-addressing map from a VM's UUID to an int (an index
 * into the caller's array).  UUIDs, not domids or names: both change when
 * a VM migrates.  Pure.
 */
#ifndef BAL_UUIDMAP_H
#define BAL_UUIDMAP_H

#include "sample.h"

typedef struct bal__uuidmap {
    size_t cap;                 /* power of two, or 0 */
    size_t n;
    const char **keys;          /* borrowed: the caller keeps them alive */
    int *vals;
} bal__uuidmap;

void bal__uuidmap_init(bal__uuidmap *m);
void bal__uuidmap_dispose(bal__uuidmap *m);
/* Inserts or replaces; key must outlive the map's use of it. */
int bal__uuidmap_put(bal__uuidmap *m, const char *key, int val);
/* The value, or -1. */
int bal__uuidmap_get(const bal__uuidmap *m, const char *key);

#endif
