/*
 * plot_canvas.h - the drawing layer under plot.c: a display list that
 * both back ends (plot_svg.c, plot_png.c) draw, the font the PNG back end
 * draws text with (plot_font.c), and number formatting that no locale or
 * libm changes.  For research/plot*.c only.
 */
#ifndef BAL_PLOT_CANVAS_H
#define BAL_PLOT_CANVAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/internal.h"

/* One channel (0..255) of a colour blended at alpha over another. */
static inline uint8_t bal__plot_blend(unsigned fg, unsigned bg, unsigned a)
{
    return (uint8_t)((fg * a + bg * (255u - a) + 127u) / 255u);
}

/* ---- the drawing layer (plot_canvas.c) ------------------------------------
 * A display list in pixel coordinates (y down).  Both back ends draw the
 * same list, so an SVG and a PNG of one figure agree.  Pixel i covers
 * [i, i+1): a 1-px line meant to be crisp lies on i + 0.5. */

typedef enum {
    BAL__OP_RECT,               /* filled rectangle */
    BAL__OP_LINE,               /* polyline */
    BAL__OP_TEXT,
} bal__plot_op_kind;

typedef enum {
    BAL__ANCHOR_START,
    BAL__ANCHOR_MIDDLE,
    BAL__ANCHOR_END,
} bal__plot_anchor;

typedef struct bal__plot_op {
    bal__plot_op_kind kind;
    uint32_t rgb;
    int alpha;                  /* RECT: 0..255 */
    double x, y, w, h;          /* RECT; TEXT: (x, y) its baseline's anchor */
    double *pts;                /* LINE: x0, y0, x1, y1, ... */
    int npts;                   /* LINE: points (pairs) */
    int width;                  /* LINE: stroke in pixels */
    bool dashed;                /* LINE */
    char *text;                 /* TEXT; RECT: a tooltip (SVG) or NULL */
    int scale;                  /* TEXT: 1 (7-px capitals) or 2 */
    bal__plot_anchor anchor;    /* TEXT */
    bool vertical;              /* TEXT: reads upwards (y axis label) */
} bal__plot_op;

/* Errors are sticky: a failed allocation sets rc and later calls do
 * nothing, so the layout checks once, at the end. */
typedef struct bal__canvas {
    int w, h;
    bal__plot_op *ops;
    int nops, cap;
    int rc;
} bal__canvas;

void bal__canvas_init(bal__canvas *c, int w, int h);
void bal__canvas_dispose(bal__canvas *c);
void bal__canvas_rect(bal__canvas *c, double x, double y, double w, double h,
                      uint32_t rgb, int alpha, const char *tip);
/* pts: n (x, y) pairs, copied. */
void bal__canvas_line(bal__canvas *c, const double *pts, int n, uint32_t rgb,
                      int width, bool dashed);
void bal__canvas_segment(bal__canvas *c, double x0, double y0, double x1,
                         double y1, uint32_t rgb);
void bal__canvas_text(bal__canvas *c, double x, double y, const char *s,
                      uint32_t rgb, int scale, bal__plot_anchor anchor,
                      bool vertical);

/* Characters as the figure shows them: a UTF-8 sequence counts as one. */
int bal__plot_text_len(const char *s);
/* Pixels a text of scale 1 advances per character (both back ends). */
#define BAL__PLOT_CHAR_W 6

/* v with exactly `decimals' decimals (0..9), whatever the locale: "-1.50".
 * decimals < 0, or a value too large for fixed point: "1.23e+45" (0 stays
 * "0").  buf >= 32 bytes. */
void bal__plot_fmt(char *buf, size_t size, double v, int decimals);

/* 10^k (|k| <= 308) by IEEE multiplications and one division only, so
 * that no libm function (whose last bit may differ between C libraries)
 * decides a pixel or a digit. */
double bal__plot_pow10(int k);

/* The back ends: the whole file in *buf_r (malloc'd, NUL-terminated). */
int bal__plot_svg(const bal__canvas *c, unsigned char **buf_r, size_t *len_r);
int bal__plot_png(const bal__canvas *c, unsigned char **buf_r, size_t *len_r);

/* ---- the font (plot_font.c) --------------------------------------------
 * 5 columns x 8 rows per character: capitals on rows 0..6, descenders on
 * row 7; bit 4 of a row is its leftmost column.  Printable ASCII; any
 * other byte gets '?'. */
#define BAL__FONT_W 5
#define BAL__FONT_H 8
#define BAL__FONT_ASCENT 7
const uint8_t *bal__font_glyph(unsigned char ch);

#endif /* BAL_PLOT_CANVAS_H */
