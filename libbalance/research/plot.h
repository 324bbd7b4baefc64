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
 *   plot_canvas.c  the drawing layer (plot_canvas.h): a display list of
 *                  rects, polylines and text in pixel coordinates, and
 *                  number formatting;
 *   plot_svg.c     the display list as SVG text;
 *   plot_png.c     the display list rasterized, encoded as PNG;
 *   plot_font.c    the built-in 5x7 bitmap font the PNG back end draws.
 */
#ifndef BAL_PLOT_H
#define BAL_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/internal.h"
#include "plot_canvas.h"

/* ---- what to plot --------------------------------------------------------
 * All borrowed: the library reads them during the call only. */

typedef struct bal__plot_series {
    const char *label;          /* legend text; NULL: not in the legend */
    const double *x, *y;        /* n points; may be NULL when n == 0 */
    int n;
    int style;                  /* 0 solid, 1 dashed ("without balancing") */
} bal__plot_series;

/* A shaded x-interval, e.g. a migration.  Each distinct label has its own
 * colour (bal__plot_band_color), the legend lists it once: bands of one
 * kind (one VM's migrations) share a label, two migrations of two VMs
 * tell apart. */
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

/* Colours, 0xRRGGBB.  Series i of a panel has bal__plot_color(i); the
 * bands of a panel's k-th distinct label (in the order bands first carry
 * it; bands without a label count as one label) have
 * bal__plot_band_color(k), laid at BAL__PLOT_BAND_ALPHA/255 over what is
 * below (the white background, in a PNG: each channel becomes
 * (band * a + below * (255 - a) + 127) / 255). */
#define BAL__PLOT_BG_RGB     0xffffffu
#define BAL__PLOT_BAND_ALPHA 72
uint32_t bal__plot_color(int i);
uint32_t bal__plot_band_color(int k);
#endif /* BAL_PLOT_H */
