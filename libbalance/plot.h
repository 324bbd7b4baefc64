/*
 * plot.h - figures of the simulator's runs, written by the library itself:
 * timelines (each VM's throughput over time, live migrations shaded, with
 * and without balancing) and plain x/y line charts.  Pure: no Xen header,
 * no dependency; SVG or PNG, the same bytes for the same input on every
 * machine (doc/plots.md says why we do not call gnuplot).
 *
 * Layers (each file one area):
 *   plot.c         the API, validation, layout (axes, ticks, legend, data
 *                  to pixels, decimation) and the atomic file write;
 *   plot_canvas.c  the drawing layer: a display list of rects, polylines
 *                  and text in pixel coordinates, and number formatting;
 *   plot_svg.c     the display list as SVG text;
 *   plot_png.c     the display list rasterized, encoded as PNG;
 *   plot_font.c    the built-in 5x7 bitmap font the PNG back end draws.
 */
#ifndef BAL_PLOT_H
#define BAL_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

/* ---- what to plot --------------------------------------------------------
 * All borrowed: the library reads them during the call only. */

typedef struct bal__plot_series {
    const char *label;          /* legend text; NULL: not in the legend */
    const double *x, *y;        /* n points; may be NULL when n == 0 */
    int n;
    int style;                  /* 0 solid, 1 dashed ("without balancing") */
} bal__plot_series;

/* A shaded x-interval, e.g. a migration.  Bands of one kind should share a
 * label: the legend lists each distinct label once. */
typedef struct bal__plot_band {
    double x0, x1;
    const char *label;
} bal__plot_band;

typedef struct bal__plot_panel {
    const char *title;          /* e.g. "vm1 (I/O)"; NULL: none */
    const char *xlabel, *ylabel;/* e.g. "time (s)", "MB/s"; NULL: none */
    const bal__plot_series *series;
    int nseries;
    const bal__plot_band *bands;
    int nbands;
    bool y_from_zero;           /* the y axis includes 0 */
} bal__plot_panel;

#define BAL__PLOT_MAX_PANELS 32
#define BAL__PLOT_MAX_SERIES 64     /* per panel */

/* Writes the panels stacked vertically (one figure) to path, the format
 * from its extension, .svg or .png (case-insensitive).  Anything else:
 * BAL_EINVAL, logged "PATH: unknown plot format (expected .svg or .png)".
 * No panel, or a malformed one: BAL_EINVAL, "PATH: invalid plot: WHY".
 * It writes a hidden temporary file in the same directory and renames it
 * over path, so a failure (BAL_EIO, "PATH: cannot write: REASON") leaves
 * neither a half file nor the temporary one.  title may be NULL.
 *
 * Points whose x or y is NaN, infinite or beyond +-1e300 are skipped and
 * break the line there (a gap in the data shows as a gap); a point alone
 * between gaps is drawn as a dot.  Points that fall in one pixel column
 * one after another are reduced to the first, lowest, highest and last,
 * so 100,000 points cost a few thousand and spikes stay visible. */
int bal__plot_write(bal_ctx *ctx, const char *path, const char *title,
                    const bal__plot_panel *panels, int npanels);

/* The same into memory: fmt "svg" or "png".  *buf_r is malloc'd and, for
 * the tests' convenience, NUL-terminated (not counted in *len_r).
 * BAL_EINVAL (format, panels) or BAL_ENOMEM; outputs unchanged then. */
int bal__plot_render(const char *fmt, const char *title,
                     const bal__plot_panel *panels, int npanels,
                     unsigned char **buf_r, size_t *len_r);

/* ---- the figure's geometry ---------------------------------------------
 * Fixed, so that a figure's size depends only on its number of panels, and
 * tests can find pixels.  A panel's data range maps linearly onto its plot
 * area: x from x0 (smallest) to x1, y from y1 (smallest) up to y0.  The
 * x range is the data's own; the y range is widened to whole ticks. */

#define BAL__PLOT_W        900      /* pixels */
#define BAL__PLOT_TITLE_H  32       /* the figure's title row, if a title */
#define BAL__PLOT_PANEL_H  220      /* one panel, axes and labels included */
#define BAL__PLOT_BOTTOM   4        /* below the last panel */

typedef struct bal__plot_rect {
    double x0, y0, x1, y1;
} bal__plot_rect;

/* The figure's height in pixels. */
int bal__plot_height(bool has_title, int npanels);
/* Panel i's plot area (has_title: the figure has a non-empty title). */
void bal__plot_area(bal__plot_rect *out, bool has_title, int panel);

/* Colours, 0xRRGGBB.  Series i of a panel has bal__plot_color(i); bands are
 * BAL__PLOT_BAND_RGB laid at BAL__PLOT_BAND_ALPHA/255 over what is below
 * (the white background, in a PNG: each channel becomes
 * (band * a + below * (255 - a) + 127) / 255). */
#define BAL__PLOT_BG_RGB     0xffffffu
#define BAL__PLOT_BAND_RGB   0xf5a623u
#define BAL__PLOT_BAND_ALPHA 72
uint32_t bal__plot_color(int i);
/* One channel (0..255) of a colour blended at alpha over another. */
static inline uint8_t bal__plot_blend(unsigned fg, unsigned bg, unsigned a)
{
    return (uint8_t)((fg * a + bg * (255u - a) + 127u) / 255u);
}

/* ---- the drawing layer (plot_canvas.c), for plot*.c only ---------------
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

#endif /* BAL_PLOT_H */
