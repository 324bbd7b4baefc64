/*
 * plot_canvas.c - the drawing layer both plot back ends read: a display
 * list of rectangles, polylines and text, and the locale-free number
 * formatting the figures print with.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_canvas.h"

/* The same bytes on every machine: no fused multiply-add, which arm64
 * compilers use unasked and x86-64's baseline does not have. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

void bal__canvas_init(bal__canvas *c, int w, int h)
{
    memset(c, 0, sizeof(*c));
    c->w = w;
    c->h = h;
}

void bal__canvas_dispose(bal__canvas *c)
{
    int i;

    for (i = 0; i < c->nops; i++) {
        free(c->ops[i].pts);
        free(c->ops[i].text);
    }
    free(c->ops);
    c->ops = NULL;
    c->nops = c->cap = 0;
}

/* A zeroed op at the end of the list, or NULL (and c->rc set). */
static bal__plot_op *push(bal__canvas *c)
{
    bal__plot_op *op;

    if (c->rc) return NULL;
    if (c->nops == c->cap) {
        int ncap = c->cap ? c->cap * 2 : 64;
        bal__plot_op *nops = realloc(c->ops, (size_t)ncap * sizeof(*nops));

        if (!nops) {
            c->rc = BAL_ENOMEM;
            return NULL;
        }
        c->ops = nops;
        c->cap = ncap;
    }
    op = &c->ops[c->nops++];
    memset(op, 0, sizeof(*op));
    return op;
}

/* Copies s into op->text; on failure drops the op again. */
static void set_text(bal__canvas *c, bal__plot_op *op, const char *s)
{
    if (!s) return;
    op->text = strdup(s);
    if (!op->text) {
        c->nops--;
        c->rc = BAL_ENOMEM;
    }
}

void bal__canvas_rect(bal__canvas *c, double x, double y, double w, double h,
                      uint32_t rgb, int alpha, const char *tip)
{
    bal__plot_op *op = push(c);

    if (!op) return;
    op->kind = BAL__OP_RECT;
    op->x = x;
    op->y = y;
    op->w = w;
    op->h = h;
    op->rgb = rgb;
    op->alpha = alpha < 0 ? 0 : alpha > 255 ? 255 : alpha;
    set_text(c, op, tip);
}

void bal__canvas_line(bal__canvas *c, const double *pts, int n, uint32_t rgb,
                      int width, bool dashed)
{
    bal__plot_op *op;

    if (n < 2) return;
    op = push(c);
    if (!op) return;
    op->kind = BAL__OP_LINE;
    op->pts = malloc((size_t)n * 2 * sizeof(double));
    if (!op->pts) {
        c->nops--;
        c->rc = BAL_ENOMEM;
        return;
    }
    memcpy(op->pts, pts, (size_t)n * 2 * sizeof(double));
    op->npts = n;
    op->rgb = rgb;
    op->width = width < 1 ? 1 : width;
    op->dashed = dashed;
}

void bal__canvas_segment(bal__canvas *c, double x0, double y0, double x1,
                         double y1, uint32_t rgb)
{
    double pts[4] = { x0, y0, x1, y1 };

    bal__canvas_line(c, pts, 2, rgb, 1, false);
}

void bal__canvas_text(bal__canvas *c, double x, double y, const char *s,
                      uint32_t rgb, int scale, bal__plot_anchor anchor,
                      bool vertical)
{
    bal__plot_op *op;

    if (!s || !*s) return;
    op = push(c);
    if (!op) return;
    op->kind = BAL__OP_TEXT;
    op->x = x;
    op->y = y;
    op->rgb = rgb;
    op->scale = scale < 1 ? 1 : scale;
    op->anchor = anchor;
    op->vertical = vertical;
    set_text(c, op, s);
}

int bal__plot_text_len(const char *s)
{
    int n = 0;

    if (!s) return 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80) n++;
    return n;
}

double bal__plot_pow10(int k)
{
    double r = 1;
    int i, n = k < 0 ? -k : k;

    if (n > 308) n = 308;
    for (i = 0; i < n; i++) r *= 10;
    return k < 0 ? 1 / r : r;
}

void bal__plot_fmt(char *buf, size_t size, double v, int decimals)
{
    static const double p10[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7,
                                  1e8, 1e9 };
    unsigned long long scaled, ip, fp;
    double a;
    char frac[24];
    int e;

    if (!isfinite(v)) v = 0;
    if (decimals > 9) decimals = 9;
    a = decimals < 0 ? 0 : fabs(v) * p10[decimals];
    if (v == 0 || (decimals >= 0 && a < 9e15)) {
        if (decimals < 0) decimals = 0;
        /* Integer arithmetic from here on: printf's %f would print the
         * locale's decimal comma. */
        scaled = (unsigned long long)llround(a);
        ip = scaled / (unsigned long long)p10[decimals];
        fp = scaled % (unsigned long long)p10[decimals];
        frac[0] = '\0';
        if (decimals)
            snprintf(frac, sizeof(frac), ".%0*llu", decimals, fp);
        snprintf(buf, size, "%s%llu%s", v < 0 && scaled ? "-" : "", ip,
                 frac);
        return;
    }
    /* Asked for, or too big for fixed point: d.dde+NN, the same way. */
    a = fabs(v);
    for (e = 0; e < 308 && a >= bal__plot_pow10(e + 1); e++) {}
    for (; e > -308 && a < bal__plot_pow10(e); e--) {}
    /* Dividing by an exact power of ten rounds better than multiplying
     * by an inexact one. */
    a = e < 0 ? a * bal__plot_pow10(-e) : a / bal__plot_pow10(e);
    scaled = (unsigned long long)llround(a * 100);
    if (scaled >= 1000) {
        scaled = (scaled + 5) / 10;
        e++;
    }
    snprintf(buf, size, "%s%llu.%02llue%c%02d", v < 0 ? "-" : "",
             scaled / 100, scaled % 100, e < 0 ? '-' : '+', abs(e));
}
