/*
 * plot_svg.c - the display list as SVG text.
 *
 * Every number goes through bal__plot_fmt with a fixed number of
 * decimals, never %g or %f: the same figure is the same bytes on every
 * machine and in every locale.  Text is escaped for XML, and whatever XML
 * cannot hold (control characters, broken UTF-8) becomes '?'.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_canvas.h"

/* A growing buffer; errors are sticky like the canvas's. */
typedef struct sbuf {
    char *p;
    size_t len, cap;
    int rc;
} sbuf;

static void put_n(sbuf *b, const char *s, size_t n)
{
    if (b->rc) return;
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 4096;
        char *np;

        while (ncap < b->len + n + 1) ncap *= 2;
        np = realloc(b->p, ncap);
        if (!np) {
            b->rc = BAL_ENOMEM;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void put(sbuf *b, const char *s)
{
    put_n(b, s, strlen(s));
}

/* Only integers and strings: numbers with decimals go through num(). */
static void putf(sbuf *b, const char *fmt, ...) BAL__PRINTF(2, 3);
static void putf(sbuf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n > 0) put_n(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n
                                                      : sizeof(tmp) - 1);
}

/* A coordinate: one decimal is a tenth of a pixel, finer than any screen. */
static void num(sbuf *b, double v)
{
    char tmp[48];

    bal__plot_fmt(tmp, sizeof(tmp), v, 1);
    put(b, tmp);
}

static void attr_num(sbuf *b, const char *name, double v)
{
    putf(b, " %s=\"", name);
    num(b, v);
    put(b, "\"");
}

static void colour(sbuf *b, const char *name, uint32_t rgb)
{
    putf(b, " %s=\"#%06x\"", name, (unsigned)(rgb & 0xffffffu));
}

/* Length of a well-formed UTF-8 sequence at s (0: not one). */
static int utf8_len(const unsigned char *s)
{
    int n, i;
    unsigned cp;

    if (s[0] < 0x80) return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) { n = 2; cp = s[0] & 0x1f; }
    else if (s[0] >= 0xe0 && s[0] <= 0xef) { n = 3; cp = s[0] & 0x0f; }
    else if (s[0] >= 0xf0 && s[0] <= 0xf4) { n = 4; cp = s[0] & 0x07; }
    else return 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff))
        || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff)
        return 0;
    return n;
}

static void text(sbuf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        int n = utf8_len(p);

        if (n == 0) {
            put(b, "?");
            p++;
            continue;
        }
        switch (*p) {
        case '&':  put(b, "&amp;"); break;
        case '<':  put(b, "&lt;"); break;
        case '>':  put(b, "&gt;"); break;
        case '"':  put(b, "&quot;"); break;
        case '\'': put(b, "&apos;"); break;
        default:
            if (*p < 0x20 || *p == 0x7f) put(b, "?");
            else put_n(b, (const char *)p, (size_t)n);
        }
        p += n;
    }
}

static void rect(sbuf *b, const bal__plot_op *op)
{
    put(b, "<rect");
    attr_num(b, "x", op->x);
    attr_num(b, "y", op->y);
    attr_num(b, "width", op->w);
    attr_num(b, "height", op->h);
    colour(b, "fill", op->rgb);
    if (op->alpha < 255) {
        char tmp[48];

        bal__plot_fmt(tmp, sizeof(tmp), op->alpha / 255.0, 3);
        putf(b, " fill-opacity=\"%s\"", tmp);
    }
    if (op->text) {
        /* A tooltip: the band's label, where a viewer shows one. */
        put(b, "><title>");
        text(b, op->text);
        put(b, "</title></rect>\n");
    } else {
        put(b, "/>\n");
    }
}

static void line(sbuf *b, const bal__plot_op *op)
{
    int i;

    put(b, "<polyline fill=\"none\"");
    colour(b, "stroke", op->rgb);
    putf(b, " stroke-width=\"%d\"", op->width);
    if (op->width > 1) put(b, " stroke-linejoin=\"round\"");
    if (op->dashed) put(b, " stroke-dasharray=\"6,4\"");
    put(b, " points=\"");
    for (i = 0; i < op->npts; i++) {
        if (i) put(b, " ");
        num(b, op->pts[2 * i]);
        put(b, ",");
        num(b, op->pts[2 * i + 1]);
    }
    put(b, "\"/>\n");
}

static void label(sbuf *b, const bal__plot_op *op)
{
    static const char *const anchor[] = {
        [BAL__ANCHOR_START] = "start", [BAL__ANCHOR_MIDDLE] = "middle",
        [BAL__ANCHOR_END] = "end",
    };

    put(b, "<text");
    attr_num(b, "x", op->x);
    attr_num(b, "y", op->y);
    /* Monospace at 10 px advances 6 px a character, as the PNG font. */
    if (op->scale != 1) putf(b, " font-size=\"%d\"", 10 * op->scale);
    if (op->anchor != BAL__ANCHOR_START)
        putf(b, " text-anchor=\"%s\"", anchor[op->anchor]);
    colour(b, "fill", op->rgb);
    if (op->vertical) {
        put(b, " transform=\"rotate(-90 ");
        num(b, op->x);
        put(b, " ");
        num(b, op->y);
        put(b, ")\"");
    }
    put(b, ">");
    text(b, op->text);
    put(b, "</text>\n");
}

int bal__plot_svg(const bal__canvas *c, unsigned char **buf_r, size_t *len_r)
{
    sbuf b = { NULL, 0, 0, 0 };
    int i;

    putf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
         "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
         "font-family=\"monospace\" font-size=\"10\">\n",
         c->w, c->h, c->w, c->h);
    for (i = 0; i < c->nops; i++) {
        const bal__plot_op *op = &c->ops[i];

        switch (op->kind) {
        case BAL__OP_RECT: rect(&b, op); break;
        case BAL__OP_LINE: line(&b, op); break;
        case BAL__OP_TEXT: label(&b, op); break;
        }
    }
    put(&b, "</svg>\n");
    if (b.rc) {
        free(b.p);
        return b.rc;
    }
    *buf_r = (unsigned char *)b.p;
    *len_r = b.len;
    return 0;
}
