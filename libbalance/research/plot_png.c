/*
 * plot_png.c - the display list rasterized into RGB and encoded as PNG.
 *
 * No antialiasing (Bresenham lines, the 5x7 bitmap font): every pixel is a
 * function of integer arithmetic on the list, so the pixels are the same
 * everywhere.  The PNG is written by hand: signature, IHDR, one IDAT
 * holding the rows (filter Up) deflated by zlib, IEND.  zlib is on every
 * dom0 already (Xen's libraries link it): a four-panel figure is tens of
 * kilobytes, not the 2.4 MB of stored blocks.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "plot_canvas.h"

typedef struct raster {
    int w, h;
    uint8_t *px;                /* w * h * 3, row-major */
} raster;

/* Display-list coordinates to pixels: pixel i covers [i, i+1). */
static int pix(double v)
{
    if (v < -1e6) return -1000000;
    if (v > 1e6) return 1000000;
    return (int)floor(v);
}

static void plot_px(raster *r, int x, int y, uint32_t rgb, int alpha)
{
    uint8_t *p;

    if (x < 0 || y < 0 || x >= r->w || y >= r->h) return;
    p = r->px + ((size_t)y * (size_t)r->w + (size_t)x) * 3;
    if (alpha >= 255) {
        p[0] = (uint8_t)(rgb >> 16);
        p[1] = (uint8_t)(rgb >> 8);
        p[2] = (uint8_t)rgb;
    } else {
        p[0] = bal__plot_blend((rgb >> 16) & 0xff, p[0], (unsigned)alpha);
        p[1] = bal__plot_blend((rgb >> 8) & 0xff, p[1], (unsigned)alpha);
        p[2] = bal__plot_blend(rgb & 0xff, p[2], (unsigned)alpha);
    }
}

static void fill_rect(raster *r, const bal__plot_op *op)
{
    /* A pixel is inside when its centre is. */
    int x0 = pix(op->x + 0.5), x1 = pix(op->x + op->w + 0.5);
    int y0 = pix(op->y + 0.5), y1 = pix(op->y + op->h + 0.5);
    int x, y;

    if (x0 < 0) x0 = 0;
    if (y0 < 0) y0 = 0;
    if (x1 > r->w) x1 = r->w;
    if (y1 > r->h) y1 = r->h;
    for (y = y0; y < y1; y++)
        for (x = x0; x < x1; x++)
            plot_px(r, x, y, op->rgb, op->alpha);
}

/* The pen: a width x width square; dashes of 6 on, 4 off (as the SVG's
 * dasharray), counted in steps along the line and carried from one
 * segment to the next. */
typedef struct pen {
    uint32_t rgb;
    int width;
    bool dashed;
    int phase;
} pen;

static void stamp(raster *r, pen *pn, int x, int y)
{
    int dx, dy, off = (pn->width - 1) / 2;

    if (pn->dashed) {
        bool on = pn->phase % 10 < 6;

        pn->phase++;
        if (!on) return;
    }
    for (dy = 0; dy < pn->width; dy++)
        for (dx = 0; dx < pn->width; dx++)
            plot_px(r, x - off + dx, y - off + dy, pn->rgb, 255);
}

/* Bresenham from (x0, y0) to (x1, y1); skip_first for a polyline's joints,
 * so that no pixel is stamped (and no dash counted) twice. */
static void bresenham(raster *r, pen *pn, int x0, int y0, int x1, int y1,
                      bool skip_first)
{
    int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
    int dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    bool first = true;

    for (;;) {
        int e2;

        if (!(first && skip_first)) stamp(r, pn, x0, y0);
        first = false;
        if (x0 == x1 && y0 == y1) break;
        e2 = 2 * err;
        if (e2 >= dy) { err += dy; x0 += sx; }
        if (e2 <= dx) { err += dx; y0 += sy; }
    }
}

static void polyline(raster *r, const bal__plot_op *op)
{
    pen pn = { op->rgb, op->width, op->dashed, 0 };
    int i;

    for (i = 1; i < op->npts; i++)
        bresenham(r, &pn, pix(op->pts[2 * i - 2]), pix(op->pts[2 * i - 1]),
                  pix(op->pts[2 * i]), pix(op->pts[2 * i + 1]), i > 1);
}

static void text(raster *r, const bal__plot_op *op)
{
    const unsigned char *s = (const unsigned char *)op->text;
    int sc = op->scale, adv = BAL__PLOT_CHAR_W * sc;
    int len = bal__plot_text_len(op->text);
    int ox = pix(op->x), oy = pix(op->y), pen_x = 0;

    /* pen_x runs along the text, whichever way it reads. */
    if (op->anchor == BAL__ANCHOR_MIDDLE) pen_x = -(len * adv) / 2;
    else if (op->anchor == BAL__ANCHOR_END) pen_x = -len * adv;
    for (; *s; s++) {
        const uint8_t *g;
        int gx, gy, sx, sy;

        if ((*s & 0xc0) == 0x80) continue;      /* a UTF-8 tail: one '?' */
        g = bal__font_glyph(*s);
        for (gy = 0; gy < BAL__FONT_H; gy++)
            for (gx = 0; gx < BAL__FONT_W; gx++) {
                if (!(g[gy] >> (BAL__FONT_W - 1 - gx) & 1)) continue;
                for (sy = 0; sy < sc; sy++)
                    for (sx = 0; sx < sc; sx++) {
                        int along = pen_x + gx * sc + sx;
                        int down = (gy - BAL__FONT_ASCENT) * sc + sy;

                        if (op->vertical)   /* turned a quarter left */
                            plot_px(r, ox + down, oy - along, op->rgb, 255);
                        else
                            plot_px(r, ox + along, oy + down, op->rgb, 255);
                    }
            }
        pen_x += adv;
    }
}

/* ---- PNG encoding ------------------------------------------------------- */

typedef struct obuf {
    uint8_t *p;
    size_t len, cap;
} obuf;

static void out_bytes(obuf *o, const void *s, size_t n)
{
    memcpy(o->p + o->len, s, n);    /* capacity is reserved up front */
    o->len += n;
}

static void out_be32(obuf *o, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
                     (uint8_t)(v >> 8), (uint8_t)v };

    out_bytes(o, b, 4);
}

/* The chunk whose type and data were written from offset `start' (its
 * length field just before): fills in the length, appends the CRC. */
static void chunk_end(obuf *o, size_t start)
{
    uint32_t n = (uint32_t)(o->len - start - 4);

    o->p[start - 4] = (uint8_t)(n >> 24);
    o->p[start - 3] = (uint8_t)(n >> 16);
    o->p[start - 2] = (uint8_t)(n >> 8);
    o->p[start - 1] = (uint8_t)n;
    out_be32(o, (uint32_t)crc32(0, o->p + start, (uInt)(o->len - start)));
}

static size_t chunk_begin(obuf *o, const char *type)
{
    size_t start;

    out_be32(o, 0);
    start = o->len;
    out_bytes(o, type, 4);
    return start;
}

static int encode(const raster *r, unsigned char **buf_r, size_t *len_r)
{
    static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a,
                                    '\n' };
    size_t row = (size_t)r->w * 3 + 1;
    size_t raw_len = row * (size_t)r->h, start, y;
    uint8_t *raw = NULL;
    uLongf zlen;
    obuf o;
    int rc, zrc;

    memset(&o, 0, sizeof(o));
    if (raw_len > 0x7fffffffu) return BAL_EINVAL;
    /* Each row with its filter byte: 2 (Up, the byte above subtracted),
     * which leaves zeros wherever a column does not change from one row
     * to the next (background, bands, grid) for deflate to fold; the
     * first row's Up is against zeros, as PNG defines it. */
    raw = malloc(raw_len);
    if (!raw) { rc = BAL_ENOMEM; goto out; }
    for (y = 0; y < (size_t)r->h; y++) {
        const uint8_t *cur = r->px + y * (row - 1);
        const uint8_t *up = y ? cur - (row - 1) : NULL;
        uint8_t *d = raw + y * row;
        size_t x;

        d[0] = 2;
        for (x = 0; x < row - 1; x++)
            d[1 + x] = (uint8_t)(cur[x] - (up ? up[x] : 0));
    }
    zlen = compressBound((uLong)raw_len);
    o.cap = 8 + 25 + 12 + zlen + 12 + 1;
    o.p = malloc(o.cap);
    if (!o.p) { rc = BAL_ENOMEM; goto out; }

    out_bytes(&o, sig, 8);
    start = chunk_begin(&o, "IHDR");
    out_be32(&o, (uint32_t)r->w);
    out_be32(&o, (uint32_t)r->h);
    /* 8 bits, colour type 2 (RGB), deflate, adaptive filters, no
     * interlace. */
    out_bytes(&o, "\x08\x02\x00\x00\x00", 5);
    chunk_end(&o, start);

    /* One IDAT: the zlib stream of the filtered rows.  zlib's output for
     * one input and level is fixed, so the bytes stay the same run to
     * run (test_deterministic). */
    start = chunk_begin(&o, "IDAT");
    zrc = compress2(o.p + o.len, &zlen, raw, (uLong)raw_len,
                    Z_BEST_COMPRESSION);
    if (zrc != Z_OK) {
        rc = zrc == Z_MEM_ERROR ? BAL_ENOMEM : BAL_EINVAL;
        goto out;
    }
    o.len += zlen;
    chunk_end(&o, start);

    start = chunk_begin(&o, "IEND");
    chunk_end(&o, start);

    o.p[o.len] = 0;
    *buf_r = o.p;
    *len_r = o.len;
    o.p = NULL;
    rc = 0;

out:
    free(o.p);
    free(raw);
    return rc;
}

int bal__plot_png(const bal__canvas *c, unsigned char **buf_r, size_t *len_r)
{
    raster r = { c->w, c->h, NULL };
    int i, rc;

    if (c->w <= 0 || c->h <= 0) return BAL_EINVAL;
    r.px = malloc((size_t)c->w * (size_t)c->h * 3);
    if (!r.px) return BAL_ENOMEM;
    memset(r.px, 0xff, (size_t)c->w * (size_t)c->h * 3);
    for (i = 0; i < c->nops; i++) {
        const bal__plot_op *op = &c->ops[i];

        switch (op->kind) {
        case BAL__OP_RECT: fill_rect(&r, op); break;
        case BAL__OP_LINE: polyline(&r, op); break;
        case BAL__OP_TEXT: text(&r, op); break;
        }
    }
    rc = encode(&r, buf_r, len_r);
    free(r.px);
    return rc;
}
