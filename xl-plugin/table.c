/*
 * table.c - columns sized to their widest cell, like `xl list`: names
 * left-aligned, numbers right-aligned (align is a string of 'l'/'r').
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xl_balance.h"

struct table {
    int ncols;
    const char *const *headers;
    const char *align;
    char **cells;       /* row-major, nrows * ncols */
    int nrows, arows;
    int cur_col;        /* table_addf fills the newest row column by column */
};

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p) { fputs("xl-balance: out of memory\n", stderr); exit(EXIT_FAIL); }
    return p;
}

/* Copies a cell, replacing control characters: a domain name must not
 * be able to move the cursor or clear the admin's terminal. */
static char *xstrdup(const char *s)
{
    char *p = xmalloc(strlen(s) + 1), *q;

    strcpy(p, s);
    for (q = p; *q; q++)
        if ((unsigned char)*q < 0x20 || *q == 0x7f) *q = '?';
    return p;
}

table *table_new(int ncols, const char *const *headers, const char *align)
{
    table *t = xmalloc(sizeof(*t));

    memset(t, 0, sizeof(*t));
    t->ncols = ncols;
    t->headers = headers;
    t->align = align;
    return t;
}

static void new_row(table *t)
{
    if (t->nrows == t->arows) {
        t->arows = t->arows ? t->arows * 2 : 16;
        t->cells = realloc(t->cells,
                           (size_t)t->arows * t->ncols * sizeof(char *));
        if (!t->cells) { fputs("xl-balance: out of memory\n", stderr);
                         exit(EXIT_FAIL); }
    }
    memset(&t->cells[(size_t)t->nrows * t->ncols], 0,
           (size_t)t->ncols * sizeof(char *));
    t->nrows++;
}

void table_add(table *t, ...)
{
    va_list ap;
    int c;

    new_row(t);
    va_start(ap, t);
    for (c = 0; c < t->ncols; c++)
        t->cells[(size_t)(t->nrows - 1) * t->ncols + c] =
            xstrdup(va_arg(ap, const char *));
    va_end(ap);
}

void table_addf(table *t, int col, const char *fmt, ...)
{
    char buf[512];
    va_list ap;

    if (col == 0) new_row(t);
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    free(t->cells[(size_t)(t->nrows - 1) * t->ncols + col]);
    t->cells[(size_t)(t->nrows - 1) * t->ncols + col] = xstrdup(buf);
}

static void print_row(table *t, FILE *f, const int *w, const char *const *row)
{
    int c;

    for (c = 0; c < t->ncols; c++) {
        const char *s = row[c] ? row[c] : "";
        bool last = c == t->ncols - 1;

        if (t->align[c] == 'r')
            fprintf(f, "%*s", w[c], s);
        else if (last)
            fputs(s, f);
        else
            fprintf(f, "%-*s", w[c], s);
        fputs(last ? "\n" : "  ", f);
    }
}

void table_print(table *t, FILE *f)
{
    int *w = xmalloc((size_t)t->ncols * sizeof(int));
    int r, c;

    for (c = 0; c < t->ncols; c++) w[c] = (int)strlen(t->headers[c]);
    for (r = 0; r < t->nrows; r++)
        for (c = 0; c < t->ncols; c++) {
            const char *s = t->cells[(size_t)r * t->ncols + c];
            int len = s ? (int)strlen(s) : 0;
            if (len > w[c]) w[c] = len;
        }
    print_row(t, f, w, t->headers);
    for (r = 0; r < t->nrows; r++)
        print_row(t, f, w, (const char *const *)&t->cells[(size_t)r * t->ncols]);
    free(w);
}

void table_free(table *t)
{
    size_t i;

    if (!t) return;
    for (i = 0; i < (size_t)t->nrows * t->ncols; i++) free(t->cells[i]);
    free(t->cells);
    free(t);
}
