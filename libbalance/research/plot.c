/*
 * plot.c - figures: the API, validation, the layout of panels onto the
 * drawing layer (plot_canvas.c), and the atomic write of the file.
 *
 * The layout decides every pixel position once, in doubles, and both back
 * ends draw that list: an SVG and a PNG of one figure show the same thing.
 */
#define _GNU_SOURCE             /* mkostemp */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plot.h"

/* The same bytes on every machine: no fused multiply-add, which arm64
 * compilers use unasked and x86-64's baseline does not have.  (And no
 * log10 or pow: see bal__plot_pow10.) */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

/* ---- geometry ---------------------------------------------------------- */

#define MARGIN_L 72     /* y tick labels and the y axis label */
#define MARGIN_R 16
#define HEAD_H   24     /* a panel's title and legend */
#define FOOT_H   40     /* x tick labels and the x axis label */

#define INK      0x222222u
#define SOFT_INK 0x555555u
#define GRID     0xe4e4e4u

/* Beyond this a value is treated as missing: spans of such values would
 * overflow, and no throughput is that large. */
#define HUGE_VALUE 1e300

int bal__plot_height(bool has_title, int npanels)
{
    return (has_title ? BAL__PLOT_TITLE_H : 0) + npanels * BAL__PLOT_PANEL_H
           + BAL__PLOT_BOTTOM;
}

void bal__plot_area(bal__plot_rect *out, bool has_title, int panel)
{
    double top = (has_title ? BAL__PLOT_TITLE_H : 0)
                 + (double)panel * BAL__PLOT_PANEL_H;

    out->x0 = MARGIN_L;
    out->x1 = BAL__PLOT_W - MARGIN_R;
    out->y0 = top + HEAD_H;
    out->y1 = top + BAL__PLOT_PANEL_H - FOOT_H;
}

uint32_t bal__plot_color(int i)
{
    /* Distinct on screen and in grey print; none close to the bands'. */
    static const uint32_t palette[] = {
        0x1f77b4, 0xd62728, 0x2ca02c, 0x9467bd, 0x17becf,
        0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x393b79,
    };
    int n = (int)(sizeof(palette) / sizeof(palette[0]));

    return palette[((i % n) + n) % n];
}

uint32_t bal__plot_band_color(int k)
{
    /* Pale at BAL__PLOT_BAND_ALPHA, apart from each other there, and
     * under every series colour: orange, green, violet, pink, teal,
     * brown. */
    static const uint32_t palette[] = {
        0xf5a623, 0x2ecc40, 0x8e44ad, 0xe91e63, 0x00a0b0, 0x8d6e63,
    };
    int n = (int)(sizeof(palette) / sizeof(palette[0]));

    return palette[((k % n) + n) % n];
}

/* ---- axes -------------------------------------------------------------- */

/* An axis: its range, and its ticks at i * m * 10^k for i in first..last. */
typedef struct axis {
    double lo, hi;
    int m, k;
    long long first, last;
    int exp3;                   /* labels in units of 10^exp3 (M, G, T) */
} axis;

/* 10^|k|: ticks divide by it when k < 0, because dividing by an exact
 * power of ten rounds better than multiplying by an inexact one: 3 * 0.1
 * is not 0.3, 3 / 10 is. */
static double p10(int k)
{
    return bal__plot_pow10(k < 0 ? -k : k);
}

static double tick_value(const axis *a, long long i)
{
    double v = (double)i * a->m;

    return a->k < 0 ? v / p10(a->k) : v * p10(a->k);
}

static double tick_step(const axis *a)
{
    return tick_value(a, 1);
}

static bool usable(double v)
{
    return isfinite(v) && fabs(v) <= HUGE_VALUE;
}

/* Widens an empty or vanishing range (one point, all values equal). */
static void widen(double *lo, double *hi, bool from_zero)
{
    double mag = fmax(fabs(*lo), fabs(*hi)), d;

    /* Narrower than this, ticks would be labelled alike: call it flat.
     * Below 1e-200, powers of ten for the ticks would underflow. */
    if (*hi - *lo > mag * 1e-7 && *hi - *lo > 1e-200) return;
    d = mag > 1e-200 ? mag * 0.1 : 1;
    if (from_zero && *lo == 0) {
        *hi += d;
    } else if (from_zero && *hi == 0) {
        *lo -= d;
    } else {
        *lo -= d;
        *hi += d;
    }
}

/* Ticks about `target' apart in number; loose: the range grows to whole
 * ticks (the y axis), else ticks fall inside the data's own range. */
static void axis_ticks(axis *a, double lo, double hi, int target, bool loose)
{
    double raw = (hi - lo) / target, norm, step, mag;

    for (a->k = 0; a->k < 308 && raw >= p10(a->k + 1); a->k++) {}
    for (; a->k > -300 && raw < bal__plot_pow10(a->k); a->k--) {}
    norm = a->k < 0 ? raw * p10(a->k) : raw / p10(a->k);
    a->m = norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10;
    if (a->m == 10) {
        a->m = 1;
        a->k++;
    }
    step = tick_step(a);
    /* The slack keeps 0.30000000000000004 / 0.1 from making a tick more. */
    if (loose) {
        a->first = (long long)floor(lo / step + 1e-9);
        a->last = (long long)ceil(hi / step - 1e-9);
        a->lo = tick_value(a, a->first);
        a->hi = tick_value(a, a->last);
        if (a->lo > lo) a->lo = lo;
        if (a->hi < hi) a->hi = hi;
    } else {
        a->first = (long long)ceil(lo / step - 1e-9);
        a->last = (long long)floor(hi / step + 1e-9);
        a->lo = lo;
        a->hi = hi;
    }
    mag = fmax(fabs(a->lo), fabs(a->hi));
    a->exp3 = 0;
    if (mag >= 1e6)
        a->exp3 = mag >= 1e12 ? 12 : mag >= 1e9 ? 9 : 6;
}

static void tick_label(const axis *a, long long i, char *buf, size_t size)
{
    static const char *const suffix[] = { "", "k", "k", "k", "k", "k", "M",
                                          "M", "M", "G", "G", "G", "T" };
    double v = tick_value(a, i), scaled = v / p10(a->exp3);
    int decimals = a->exp3 - a->k > 0 ? a->exp3 - a->k : 0;

    if (i == 0) {
        snprintf(buf, size, "0");           /* never "-0" or "0.00M" */
    } else if (decimals > 6 || fabs(scaled) >= 1e6) {
        bal__plot_fmt(buf, size, v, -1);    /* too small or large: 1.00e-07 */
    } else {
        size_t n;

        bal__plot_fmt(buf, size, scaled, decimals);
        n = strlen(buf);
        snprintf(buf + n, size - n, "%s", suffix[a->exp3]);
    }
}

/* The panel's x and y axes from its usable points (x: from its bands
 * when it has no point; [0, 1] when it has neither). */
static void panel_axes(const bal__plot_panel *p, axis *ax, axis *ay)
{
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    int s, i;

    for (s = 0; s < p->nseries; s++) {
        const bal__plot_series *se = &p->series[s];

        for (i = 0; i < se->n; i++) {
            if (!usable(se->x[i]) || !usable(se->y[i])) continue;
            xlo = fmin(xlo, se->x[i]);
            xhi = fmax(xhi, se->x[i]);
            ylo = fmin(ylo, se->y[i]);
            yhi = fmax(yhi, se->y[i]);
        }
    }
    if (xlo > xhi) {
        for (i = 0; i < p->nbands; i++) {
            const bal__plot_band *b = &p->bands[i];

            if (!usable(b->x0) || !usable(b->x1)) continue;
            xlo = fmin(xlo, fmin(b->x0, b->x1));
            xhi = fmax(xhi, fmax(b->x0, b->x1));
        }
    }
    if (xlo > xhi) { xlo = 0; xhi = 1; }
    if (ylo > yhi) { ylo = 0; yhi = 1; }
    if (p->y_from_zero) {
        ylo = fmin(ylo, 0);
        yhi = fmax(yhi, 0);
    }
    widen(&xlo, &xhi, false);
    widen(&ylo, &yhi, p->y_from_zero);
    axis_ticks(ax, xlo, xhi, 8, false);
    axis_ticks(ay, ylo, yhi, 5, true);
}

/* ---- one panel --------------------------------------------------------- */

typedef struct frame {
    bal__plot_rect r;
    axis ax, ay;
} frame;

static double map_x(const frame *f, double x)
{
    double px = f->r.x0 + (x - f->ax.lo) / (f->ax.hi - f->ax.lo)
                          * (f->r.x1 - f->r.x0);

    return fmin(fmax(px, f->r.x0), f->r.x1);
}

static double map_y(const frame *f, double y)
{
    double py = f->r.y1 - (y - f->ay.lo) / (f->ay.hi - f->ay.lo)
                          * (f->r.y1 - f->r.y0);

    return fmin(fmax(py, f->r.y0), f->r.y1);
}

/* The middle of the pixel v falls in: where a crisp 1-px line goes. */
static double crisp(double v)
{
    return floor(v) + 0.5;
}

/* A series' points on their way to the canvas: the current unbroken
 * stretch, and the pixel column being reduced. */
typedef struct kept {
    int i;
    double x, y;
} kept;

typedef struct tracer {
    bal__canvas *c;
    uint32_t rgb;
    bool dashed;
    double *pts;                /* the stretch so far, (x, y) pairs */
    int npts, cap;
    int ninput;                 /* input points in the stretch */
    /* The column: its first, lowest, highest and last point (index, x, y). */
    bool open;
    long long col;
    kept keep[4];
} tracer;

static void add_pt(tracer *t, double x, double y)
{
    if (t->c->rc) return;
    if (t->npts == t->cap) {
        int ncap = t->cap ? t->cap * 2 : 256;
        double *np = realloc(t->pts, (size_t)ncap * 2 * sizeof(double));

        if (!np) {
            t->c->rc = BAL_ENOMEM;
            return;
        }
        t->pts = np;
        t->cap = ncap;
    }
    t->pts[2 * t->npts] = x;
    t->pts[2 * t->npts + 1] = y;
    t->npts++;
}

/* The column's kept points, in input order, each once. */
static void close_column(tracer *t)
{
    int order[4] = { 0, 1, 2, 3 }, a, b, last = -1;

    if (!t->open) return;
    for (a = 1; a < 4; a++)
        for (b = a; b > 0 && t->keep[order[b]].i < t->keep[order[b - 1]].i;
             b--) {
            int tmp = order[b];

            order[b] = order[b - 1];
            order[b - 1] = tmp;
        }
    for (a = 0; a < 4; a++) {
        if (t->keep[order[a]].i == last) continue;
        last = t->keep[order[a]].i;
        add_pt(t, t->keep[order[a]].x, t->keep[order[a]].y);
    }
    t->open = false;
}

static void end_stretch(tracer *t)
{
    close_column(t);
    if (t->ninput == 1 && t->npts == 1) {
        /* A lone point: a dot, or it would not show at all. */
        bal__canvas_rect(t->c, floor(t->pts[0]) - 1, floor(t->pts[1]) - 1,
                         3, 3, t->rgb, 255, NULL);
    } else if (t->npts >= 2) {
        bal__canvas_line(t->c, t->pts, t->npts, t->rgb, 2, t->dashed);
    }
    t->npts = 0;
    t->ninput = 0;
}

static void trace_point(tracer *t, int i, double x, double y)
{
    long long col = (long long)floor(x);

    t->ninput++;
    if (t->open && col == t->col) {
        /* keep[1] the lowest on screen (largest y), keep[2] the highest. */
        kept k = { i, x, y };

        if (y > t->keep[1].y) t->keep[1] = k;
        if (y < t->keep[2].y) t->keep[2] = k;
        t->keep[3] = k;
        return;
    }
    close_column(t);
    t->open = true;
    t->col = col;
    t->keep[0] = t->keep[1] = t->keep[2] = t->keep[3] = (kept){ i, x, y };
}

static void draw_series(bal__canvas *c, const frame *f,
                        const bal__plot_series *se, uint32_t rgb)
{
    tracer t;
    int i;

    memset(&t, 0, sizeof(t));
    t.c = c;
    t.rgb = rgb;
    t.dashed = se->style == 1;
    for (i = 0; i < se->n; i++) {
        if (!usable(se->x[i]) || !usable(se->y[i])) {
            end_stretch(&t);
            continue;
        }
        trace_point(&t, i, map_x(f, se->x[i]), map_y(f, se->y[i]));
    }
    end_stretch(&t);
    free(t.pts);
}

static const char *band_label(const bal__plot_band *b)
{
    return b->label ? b->label : "";
}

/* slot[i]: the colour slot of band i, its label's rank among the panel's
 * distinct labels in order of first appearance. */
static void band_slots(const bal__plot_panel *p, int *slot)
{
    int i, j, nslots = 0;

    for (i = 0; i < p->nbands; i++) {
        for (j = 0; j < i; j++)
            if (!strcmp(band_label(&p->bands[j]), band_label(&p->bands[i])))
                break;
        slot[i] = j < i ? slot[j] : nslots++;
    }
}

static void draw_bands(bal__canvas *c, const frame *f,
                       const bal__plot_panel *p, const int *slot)
{
    int i;

    for (i = 0; i < p->nbands; i++) {
        const bal__plot_band *b = &p->bands[i];
        double x0, x1;

        if (!usable(b->x0) || !usable(b->x1)) continue;
        x0 = map_x(f, fmin(b->x0, b->x1));
        x1 = map_x(f, fmax(b->x0, b->x1));
        if (x1 - x0 < 1) x1 = x0 + 1;   /* an instant still shows */
        bal__canvas_rect(c, x0, f->r.y0, x1 - x0, f->r.y1 - f->r.y0,
                         bal__plot_band_color(slot[i]), BAL__PLOT_BAND_ALPHA,
                         b->label);
    }
}

static void draw_grid(bal__canvas *c, const frame *f)
{
    long long i;

    for (i = f->ay.first; i <= f->ay.last; i++) {
        double y = crisp(map_y(f, tick_value(&f->ay, i)));

        bal__canvas_segment(c, f->r.x0, y, f->r.x1, y, GRID);
    }
    for (i = f->ax.first; i <= f->ax.last; i++) {
        double x = crisp(map_x(f, tick_value(&f->ax, i)));

        bal__canvas_segment(c, x, f->r.y0, x, f->r.y1, GRID);
    }
}

static void draw_axes(bal__canvas *c, const frame *f,
                      const bal__plot_panel *p)
{
    double l = crisp(f->r.x0), r = crisp(f->r.x1);
    double t = crisp(f->r.y0), b = crisp(f->r.y1);
    char buf[48];
    long long i;

    bal__canvas_segment(c, l, t, r, t, INK);
    bal__canvas_segment(c, r, t, r, b, INK);
    bal__canvas_segment(c, r, b, l, b, INK);
    bal__canvas_segment(c, l, b, l, t, INK);
    for (i = f->ay.first; i <= f->ay.last; i++) {
        double y = crisp(map_y(f, tick_value(&f->ay, i)));

        bal__canvas_segment(c, l - 4, y, l, y, INK);
        tick_label(&f->ay, i, buf, sizeof(buf));
        bal__canvas_text(c, l - 6, floor(y) + 4, buf, SOFT_INK, 1,
                         BAL__ANCHOR_END, false);
    }
    for (i = f->ax.first; i <= f->ax.last; i++) {
        double x = crisp(map_x(f, tick_value(&f->ax, i)));

        double half;

        bal__canvas_segment(c, x, b, x, b + 4, INK);
        tick_label(&f->ax, i, buf, sizeof(buf));
        /* The last label may sit at the right edge: keep it in view. */
        half = BAL__PLOT_CHAR_W * bal__plot_text_len(buf) / 2.0;
        bal__canvas_text(c, fmin(floor(x) + 1, BAL__PLOT_W - 2 - half),
                         b + 14, buf, SOFT_INK, 1, BAL__ANCHOR_MIDDLE, false);
    }
    bal__canvas_text(c, (f->r.x0 + f->r.x1) / 2, f->r.y1 + 32, p->xlabel,
                     INK, 1, BAL__ANCHOR_MIDDLE, false);
    bal__canvas_text(c, 20, (f->r.y0 + f->r.y1) / 2, p->ylabel, INK, 1,
                     BAL__ANCHOR_MIDDLE, true);
}

/* Whether band i's label is the first band of the panel to carry it. */
static bool first_band_label(const bal__plot_panel *p, int i)
{
    int j;

    if (!p->bands[i].label || !*p->bands[i].label) return false;
    for (j = 0; j < i; j++)
        if (p->bands[j].label && !strcmp(p->bands[j].label,
                                         p->bands[i].label))
            return false;
    return true;
}

#define SWATCH_W 20
#define ENTRY_GAP 14

/* The title on the left of the head row, the legend on its right:
 * a swatch and the label for each named series, then each band label. */
static void draw_head(bal__canvas *c, const frame *f,
                      const bal__plot_panel *p, const int *slot)
{
    double base = f->r.y0 - 8, x, width = 0;
    int i;

    bal__canvas_text(c, f->r.x0, base, p->title, INK, 1, BAL__ANCHOR_START,
                     false);
    for (i = 0; i < p->nseries; i++)
        if (p->series[i].label && *p->series[i].label)
            width += SWATCH_W + 4 + BAL__PLOT_CHAR_W
                     * bal__plot_text_len(p->series[i].label) + ENTRY_GAP;
    for (i = 0; i < p->nbands; i++)
        if (first_band_label(p, i))
            width += SWATCH_W + 4 + BAL__PLOT_CHAR_W
                     * bal__plot_text_len(p->bands[i].label) + ENTRY_GAP;
    x = f->r.x1 - width + ENTRY_GAP;
    for (i = 0; i < p->nseries; i++) {
        const bal__plot_series *se = &p->series[i];
        double pts[4] = { x, base - 3.5, x + SWATCH_W, base - 3.5 };

        if (!se->label || !*se->label) continue;
        bal__canvas_line(c, pts, 2, bal__plot_color(i), 2, se->style == 1);
        bal__canvas_text(c, x + SWATCH_W + 4, base, se->label, INK, 1,
                         BAL__ANCHOR_START, false);
        x += SWATCH_W + 4 + BAL__PLOT_CHAR_W * bal__plot_text_len(se->label)
             + ENTRY_GAP;
    }
    for (i = 0; i < p->nbands; i++) {
        const char *label = p->bands[i].label;

        if (!first_band_label(p, i)) continue;
        bal__canvas_rect(c, x, base - 8, SWATCH_W, 9,
                         bal__plot_band_color(slot[i]), BAL__PLOT_BAND_ALPHA,
                         NULL);
        bal__canvas_text(c, x + SWATCH_W + 4, base, label, INK, 1,
                         BAL__ANCHOR_START, false);
        x += SWATCH_W + 4 + BAL__PLOT_CHAR_W * bal__plot_text_len(label)
             + ENTRY_GAP;
    }
}

static void draw_panel(bal__canvas *c, bool has_title, int n,
                       const bal__plot_panel *p)
{
    frame f;
    int i, *slot;

    /* +1: calloc(0) may return NULL. */
    slot = calloc((size_t)p->nbands + 1, sizeof(*slot));
    if (!slot) {
        c->rc = BAL_ENOMEM;
        return;
    }
    band_slots(p, slot);
    bal__plot_area(&f.r, has_title, n);
    panel_axes(p, &f.ax, &f.ay);
    /* Grid under the bands, so that a band tints it; data over both;
     * the frame last, so that a line along an edge does not hide it. */
    draw_grid(c, &f);
    draw_bands(c, &f, p, slot);
    for (i = 0; i < p->nseries; i++)
        draw_series(c, &f, &p->series[i], bal__plot_color(i));
    draw_axes(c, &f, p);
    draw_head(c, &f, p, slot);
    free(slot);
}

static int layout(bal__canvas *c, const char *title,
                  const bal__plot_panel *panels, int npanels)
{
    bool has_title = title && *title;
    int i;

    bal__canvas_init(c, BAL__PLOT_W, bal__plot_height(has_title, npanels));
    bal__canvas_rect(c, 0, 0, c->w, c->h, BAL__PLOT_BG_RGB, 255, NULL);
    if (has_title)
        bal__canvas_text(c, BAL__PLOT_W / 2.0, 23, title, INK, 2,
                         BAL__ANCHOR_MIDDLE, false);
    for (i = 0; i < npanels; i++)
        draw_panel(c, has_title, i, &panels[i]);
    return c->rc;
}

/* ---- the API ----------------------------------------------------------- */

/* NULL when the panels can be drawn, else why not (in why). */
static const char *invalid(const bal__plot_panel *panels, int npanels,
                           char *why, size_t size)
{
    int i, s;

    if (!panels || npanels <= 0) return "no panels";
    if (npanels > BAL__PLOT_MAX_PANELS) {
        snprintf(why, size, "%d panels (at most %d)", npanels,
                 BAL__PLOT_MAX_PANELS);
        return why;
    }
    for (i = 0; i < npanels; i++) {
        const bal__plot_panel *p = &panels[i];

        if (p->nseries < 0 || p->nseries > BAL__PLOT_MAX_SERIES) {
            snprintf(why, size, "panel %d: %d series (at most %d)", i + 1,
                     p->nseries, BAL__PLOT_MAX_SERIES);
            return why;
        }
        if (p->nseries > 0 && !p->series) {
            snprintf(why, size, "panel %d: %d series but no series array",
                     i + 1, p->nseries);
            return why;
        }
        if (p->nbands < 0 || (p->nbands > 0 && !p->bands)) {
            snprintf(why, size, "panel %d: %d bands but no band array",
                     i + 1, p->nbands);
            return why;
        }
        for (s = 0; s < p->nseries; s++) {
            const bal__plot_series *se = &p->series[s];

            if (se->n < 0 || (se->n > 0 && (!se->x || !se->y))) {
                snprintf(why, size,
                         "panel %d, series %d: %d points but no x or y array",
                         i + 1, s + 1, se->n);
                return why;
            }
        }
    }
    return NULL;
}

int bal__plot_render(const char *fmt, const char *title,
                     const bal__plot_panel *panels, int npanels,
                     unsigned char **buf_r, size_t *len_r)
{
    bal__canvas c;
    char why[128];
    int rc;

    if (!fmt || (strcmp(fmt, "svg") && strcmp(fmt, "png"))) return BAL_EINVAL;
    if (invalid(panels, npanels, why, sizeof(why))) return BAL_EINVAL;
    rc = layout(&c, title, panels, npanels);
    if (!rc) {
        rc = !strcmp(fmt, "svg") ? bal__plot_svg(&c, buf_r, len_r)
                                 : bal__plot_png(&c, buf_r, len_r);
    }
    bal__canvas_dispose(&c);
    return rc;
}

static const char *format_of(const char *path)
{
    size_t n = strlen(path);

    if (n > 4 && !strcasecmp(path + n - 4, ".svg")) return "svg";
    if (n > 4 && !strcasecmp(path + n - 4, ".png")) return "png";
    return NULL;
}

/* "DIR/.NAME.XXXXXX" for path "DIR/NAME": hidden, and in the same
 * directory, so that rename() replaces the file in one step. */
static char *temp_template(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dir = slash ? (size_t)(slash - path + 1) : 0;
    size_t n = strlen(path) + 9;
    char *t = malloc(n);

    if (!t) return NULL;
    snprintf(t, n, "%.*s.%s.XXXXXX", (int)dir, path, path + dir);
    return t;
}

static int write_all(int fd, const unsigned char *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (n == 0) errno = EIO;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int bal__plot_write(bal_ctx *ctx, const char *path, const char *title,
                    const bal__plot_panel *panels, int npanels)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    char *tmp = NULL;
    bool created = false;
    int fd = -1;
    const char *fmt, *why;
    char whybuf[128];
    int rc;

    if (!path || !*path) {
        BAL__ERR(ctx, "plot: no output file named");
        rc = BAL_EINVAL;
        goto out;
    }
    fmt = format_of(path);
    if (!fmt) {
        BAL__ERR(ctx, "%s: unknown plot format (expected .svg or .png)",
                 path);
        rc = BAL_EINVAL;
        goto out;
    }
    why = invalid(panels, npanels, whybuf, sizeof(whybuf));
    if (why) {
        BAL__ERR(ctx, "%s: invalid plot: %s", path, why);
        rc = BAL_EINVAL;
        goto out;
    }
    rc = bal__plot_render(fmt, title, panels, npanels, &buf, &len);
    if (rc) {
        BAL__ERR(ctx, "%s: cannot draw the plot: %s", path,
                 bal_strerror(rc));
        goto out;
    }
    tmp = temp_template(path);
    if (!tmp) {
        BAL__ERR(ctx, "%s: cannot write: %s", path, strerror(ENOMEM));
        rc = BAL_ENOMEM;
        goto out;
    }
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        BAL__ERR(ctx, "%s: cannot write: %s", path, strerror(errno));
        rc = BAL_EIO;
        goto out;
    }
    created = true;
    /* mkstemp's 0600 is for secrets; a figure is for sharing. */
    if (fchmod(fd, 0644) < 0 || write_all(fd, buf, len) < 0
        || fsync(fd) < 0) {
        BAL__ERR(ctx, "%s: cannot write: %s", path, strerror(errno));
        rc = BAL_EIO;
        goto out;
    }
    rc = close(fd);
    fd = -1;
    if (rc < 0 || rename(tmp, path) < 0) {
        BAL__ERR(ctx, "%s: cannot write: %s", path, strerror(errno));
        rc = BAL_EIO;
        goto out;
    }
    created = false;
    rc = 0;

out:
    if (fd >= 0) close(fd);
    if (created) unlink(tmp);
    free(tmp);
    free(buf);
    return rc;
}
