/*
 * test_plot.c - figures: the SVG is well-formed and escapes labels, output
 * is the same bytes twice, the PNG's structure checks out with a CRC32,
 * an inflater and an adler32 of the test's own, pixels land where the
 * layout says (a band's blend, a diagonal, a lone point, a spike among
 * 100,000 points), awkward data (empty, one point, flat, NaN, inf) draws,
 * numbers print the same in every locale, and writing a file: the exact
 * error lines, no temporary file left behind, the bytes as rendered.
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "testutil.h"
#include "research/plot.h"

/* ---- helpers ----------------------------------------------------------- */

static int count(const char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle), i;
    int k = 0;

    for (i = 0; i + n <= len; i++)
        if (!memcmp(hay + i, needle, n)) k++;
    return k;
}

static void render(const char *fmt, const char *title,
                   const bal__plot_panel *p, int np, unsigned char **buf,
                   size_t *len)
{
    *buf = NULL;
    assert_int_equal(bal__plot_render(fmt, title, p, np, buf, len), 0);
    assert_non_null(*buf);
    assert_int_equal((*buf)[*len], 0);
}

/* Bit by bit, not by table: a second implementation, so that a shared
 * mistake cannot pass. */
static uint32_t crc32_bits(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    size_t i;
    int k;

    for (i = 0; i < n; i++) {
        c ^= p[i];
        for (k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & -(c & 1));
    }
    return ~c;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8
           | p[3];
}

typedef struct image {
    uint32_t w, h;
    uint8_t *rgb;               /* w * h * 3 */
} image;

/* Checks every byte of the structure and decodes the pixels. */
static void png_decode(const unsigned char *buf, size_t len, image *im)
{
    static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a,
                                    '\n' };
    uint8_t *z = NULL, *raw = NULL;
    size_t zlen = 0, pos = 8, rawlen = 0, row, y;
    bool ihdr = false, iend = false;

    assert_true(len > 8);
    assert_memory_equal(buf, sig, 8);
    while (pos < len) {
        uint32_t n;
        const uint8_t *type, *data;

        assert_false(iend);                 /* nothing after IEND */
        assert_true(len - pos >= 12);
        n = be32(buf + pos);
        assert_true(n <= len - pos - 12);
        type = buf + pos + 4;
        data = buf + pos + 8;
        assert_int_equal(be32(data + n), crc32_bits(type, n + 4));
        if (!memcmp(type, "IHDR", 4)) {
            assert_false(ihdr);
            assert_int_equal(pos, 8);       /* IHDR comes first */
            assert_int_equal(n, 13);
            im->w = be32(data);
            im->h = be32(data + 4);
            assert_int_equal(data[8], 8);   /* bit depth */
            assert_int_equal(data[9], 2);   /* RGB */
            assert_int_equal(data[10], 0);
            assert_int_equal(data[11], 0);
            assert_int_equal(data[12], 0);
            ihdr = true;
        } else if (!memcmp(type, "IDAT", 4)) {
            assert_true(ihdr);
            z = realloc(z, zlen + n);
            assert_non_null(z);
            memcpy(z + zlen, data, n);
            zlen += n;
        } else if (!memcmp(type, "IEND", 4)) {
            assert_int_equal(n, 0);
            iend = true;
        } else {
            fail_msg("unexpected chunk %.4s", (const char *)type);
        }
        pos += 12 + n;
    }
    assert_true(ihdr && iend);
    assert_int_equal(pos, len);

    /* zlib: deflate with a 32K window, no dictionary, header check;
     * inflated by zlib itself, its Adler-32 checked there. */
    assert_true(zlen >= 6);
    assert_int_equal(z[0], 0x78);
    assert_int_equal((z[0] << 8 | z[1]) % 31, 0);
    assert_int_equal(z[1] & 0x20, 0);
    row = (size_t)im->w * 3 + 1;
    rawlen = row * im->h;
    raw = malloc(rawlen + 1);
    assert_non_null(raw);
    {
        uLongf got = (uLongf)rawlen + 1;

        assert_int_equal(uncompress(raw, &got, z, (uLong)zlen), Z_OK);
        /* Every pixel there, nothing more. */
        assert_int_equal(got, rawlen);
    }
    /* Each row filtered None (0) or Up (2: plus the byte above). */
    im->rgb = malloc((size_t)im->w * im->h * 3);
    assert_non_null(im->rgb);
    for (y = 0; y < im->h; y++) {
        const uint8_t *f = raw + y * row + 1;
        uint8_t *d = im->rgb + y * (row - 1);
        const uint8_t *up = raw[y * row] == 2 && y ? d - (row - 1) : NULL;
        size_t x;

        assert_true(raw[y * row] == 0 || raw[y * row] == 2);
        for (x = 0; x < row - 1; x++)
            d[x] = (uint8_t)(f[x] + (up ? up[x] : 0));
    }
    free(raw);
    free(z);
}

static uint32_t px(const image *im, int x, int y)
{
    const uint8_t *p;

    assert_true(x >= 0 && y >= 0 && (uint32_t)x < im->w
                && (uint32_t)y < im->h);
    p = im->rgb + ((size_t)y * im->w + (size_t)x) * 3;
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

/* Whether colour rgb is within d pixels of (x, y). */
static bool near(const image *im, int x, int y, int d, uint32_t rgb)
{
    int dx, dy;

    for (dy = -d; dy <= d; dy++)
        for (dx = -d; dx <= d; dx++)
            if (px(im, x + dx, y + dy) == rgb) return true;
    return false;
}

static image render_png(const char *title, const bal__plot_panel *p, int np)
{
    unsigned char *buf;
    size_t len;
    image im;

    render("png", title, p, np, &buf, &len);
    png_decode(buf, len, &im);
    free(buf);
    return im;
}

/* Pixel coordinates of data (x, y) in panel `panel' whose x runs over
 * [xlo, xhi] and y over [ylo, yhi] (as the test arranged them). */
static void to_px(bool has_title, int panel, double xlo, double xhi,
                  double ylo, double yhi, double x, double y, int *px_r,
                  int *py_r)
{
    bal__plot_rect r;

    bal__plot_area(&r, has_title, panel);
    *px_r = (int)floor(r.x0 + (x - xlo) / (xhi - xlo) * (r.x1 - r.x0));
    *py_r = (int)floor(r.y1 - (y - ylo) / (yhi - ylo) * (r.y1 - r.y0));
}

/* ---- SVG --------------------------------------------------------------- */

static const double X3[] = { 0, 5, 10 }, Y3[] = { 1, 7, 4 };

static void test_svg_well_formed(void **state)
{
    bal__plot_series s[] = {
        { "a <&> \"b\" 'c'", X3, Y3, 3, 0 },
        { "without", X3, Y3, 3, 1 },
    };
    bal__plot_band bands[] = { { 2, 3, "mig <1>" } };
    bal__plot_panel p[] = {
        { "vm1 <I&O>", "time (s)", "MB/s", s, 2, bands, 1, true },
        { "vm2", NULL, NULL, s, 1, NULL, 0, false },
    };
    unsigned char *buf;
    size_t len;
    const char *t;
    int opens = 0, closes = 0, selfs = 0;
    size_t i;

    (void)state;
    render("svg", "fig & <title>", p, 2, &buf, &len);
    t = (const char *)buf;
    assert_int_equal(strlen(t), len);
    assert_true(!strncmp(t, "<svg ", 5));
    assert_true(len > 7 && !strcmp(t + len - 7, "</svg>\n"));
    /* Every element closed: each "<x" matched by "</" or "/>", and no
     * stray '<' or '&' from a label. */
    for (i = 0; i < len; i++) {
        if (t[i] == '<' && t[i + 1] == '/') closes++;
        else if (t[i] == '<') opens++;
        else if (t[i] == '/' && t[i + 1] == '>') selfs++;
        else if (t[i] == '&')
            assert_true(!strncmp(t + i, "&amp;", 5)
                        || !strncmp(t + i, "&lt;", 4)
                        || !strncmp(t + i, "&gt;", 4)
                        || !strncmp(t + i, "&quot;", 6)
                        || !strncmp(t + i, "&apos;", 6));
    }
    assert_true(opens > 10);
    assert_int_equal(opens, closes + selfs);
    assert_int_equal(count(t, len, "<svg"), 1);
    assert_int_equal(count(t, len, "</svg>"), 1);
    /* The series' label in both panels' legends. */
    assert_int_equal(count(t, len, ">a &lt;&amp;&gt; &quot;b&quot; "
                                   "&apos;c&apos;</text>"), 2);
    assert_int_equal(count(t, len, ">vm1 &lt;I&amp;O&gt;</text>"), 1);
    assert_int_equal(count(t, len, ">fig &amp; &lt;title&gt;</text>"), 1);
    /* The band, exactly: x 2..3 of 0..10 over the area 72..884, below
     * the title row (32) and the panel's head (24); 72/255 opaque. */
    assert_int_equal(count(t, len, "<rect x=\"234.4\" y=\"56.0\" "
                           "width=\"81.2\" height=\"156.0\" "
                           "fill=\"#f5a623\" fill-opacity=\"0.282\">"
                           "<title>mig &lt;1&gt;</title></rect>\n"), 1);
    assert_int_equal(count(t, len, "<>"), 0);
    /* One dashed series in the plot, one in the legend. */
    assert_int_equal(count(t, len, "stroke-dasharray=\"6,4\""), 2);
    free(buf);
}

/* Labels are UTF-8 in the SVG; what XML cannot hold becomes '?'. */
static void test_svg_text_sanitized(void **state)
{
    bal__plot_series s[] = { { "caf\xc3\xa9 \xff\x01z", X3, Y3, 3, 0 } };
    bal__plot_panel p[] = { { "\xe2\x86\x92 host2", NULL, NULL, s, 1,
                              NULL, 0, false } };
    unsigned char *buf;
    size_t len;
    image im;

    (void)state;
    render("svg", NULL, p, 1, &buf, &len);
    assert_int_equal(count((char *)buf, len, ">caf\xc3\xa9 ??z</text>"), 1);
    assert_int_equal(count((char *)buf, len, ">\xe2\x86\x92 host2</text>"), 1);
    free(buf);
    im = render_png(NULL, p, 1);       /* the font's '?' for the rest */
    free(im.rgb);
}

/* ---- determinism ------------------------------------------------------- */

static void test_deterministic(void **state)
{
    static double x[500], y[500];
    bal__plot_series s[] = { { "a", x, y, 500, 0 }, { "b", x, y, 250, 1 } };
    bal__plot_band bands[] = { { 10.25, 20.75, "migration" } };
    bal__plot_panel p[] = { { "t", "time (s)", "MB/s", s, 2, bands, 1, true },
                            { "u", "x", "y", s + 1, 1, NULL, 0, false } };
    const char *fmts[] = { "svg", "png" };
    unsigned char *a, *b;
    size_t alen, blen;
    int i, f;

    (void)state;
    for (i = 0; i < 500; i++) {
        x[i] = i * 0.1;
        y[i] = sin(i / 7.0) * 3.3 + 1.0 / 3;
    }
    for (f = 0; f < 2; f++) {
        render(fmts[f], "same", p, 2, &a, &alen);
        render(fmts[f], "same", p, 2, &b, &blen);
        assert_int_equal(alen, blen);
        assert_memory_equal(a, b, alen);
        free(b);
        y[100] += 1;                        /* and a change shows */
        render(fmts[f], "same", p, 2, &b, &blen);
        assert_true(alen != blen || memcmp(a, b, alen));
        y[100] -= 1;
        free(a);
        free(b);
    }
}

/* ---- PNG --------------------------------------------------------------- */

static void test_png_structure(void **state)
{
    bal__plot_series s[] = { { "a", X3, Y3, 3, 0 } };
    bal__plot_panel p[4];
    image im;
    int n, i;

    (void)state;
    for (i = 0; i < 4; i++)
        p[i] = (bal__plot_panel){ "p", "x", "y", s, 1, NULL, 0, false };
    for (n = 1; n <= 4; n += 3) {
        im = render_png(n == 1 ? NULL : "four", p, n);
        assert_int_equal(im.w, BAL__PLOT_W);
        assert_int_equal(im.h, bal__plot_height(n != 1, n));
        assert_int_equal(bal__plot_height(n != 1, n),
                         (n != 1 ? BAL__PLOT_TITLE_H : 0)
                         + n * BAL__PLOT_PANEL_H + BAL__PLOT_BOTTOM);
        assert_int_equal(px(&im, 0, 0), BAL__PLOT_BG_RGB);
        free(im.rgb);
    }
}

/* Deflated, not stored: four panels, 2.4 MB of pixels, in a few dozen
 * kilobytes (the paper's figure: 2,474,369 bytes stored, 17,348 now). */
static void test_png_compressed(void **state)
{
    static const double x[] = { 0, 1, 2, 3, 4, 5 }, y[] = { 1, 3, 2, 5, 4, 6 };
    bal__plot_series s[] = { { "a", x, y, 6, 0 }, { "b", y, x, 6, 1 } };
    bal__plot_band bands[] = { { 1, 2, "vm1" }, { 3, 4, "vm2" } };
    bal__plot_panel p[4];
    unsigned char *buf;
    size_t len, pixels;
    int i;

    (void)state;
    for (i = 0; i < 4; i++)
        p[i] = (bal__plot_panel){ "p", "x", "y", s, 2, bands, 2, false };
    render("png", "four", p, 4, &buf, &len);
    pixels = (size_t)BAL__PLOT_W * bal__plot_height(true, 4) * 3;
    assert_true(pixels > 2000000);
    assert_true(len < pixels / 20);
    free(buf);
}

static void test_png_band_blend(void **state)
{
    static const double x[] = { 0, 10 }, y[] = { 10, 10 };
    bal__plot_series s[] = { { "flat", x, y, 2, 0 } };
    bal__plot_band bands[] = { { 2.8, 2.2, "migration" } };   /* reversed */
    bal__plot_panel p[] = { { "t", "time", "MB/s", s, 1, bands, 1, true } };
    uint32_t band = bal__plot_band_color(0), want;
    image im;
    int bx, by, ox, oy;

    (void)state;
    want = (uint32_t)bal__plot_blend(band >> 16, 0xff, BAL__PLOT_BAND_ALPHA)
           << 16
           | (uint32_t)bal__plot_blend((band >> 8) & 0xff, 0xff,
                                       BAL__PLOT_BAND_ALPHA) << 8
           | bal__plot_blend(band & 0xff, 0xff, BAL__PLOT_BAND_ALPHA);
    assert_true(want != BAL__PLOT_BG_RGB && want != band);
    im = render_png(NULL, p, 1);
    /* y runs 0..10 (ticks every 2), x 0..10 (every 1): y 3 is between
     * grid lines; x 2.5 inside the band, 6.5 outside, neither on a tick. */
    to_px(false, 0, 0, 10, 0, 10, 2.5, 3, &bx, &by);
    to_px(false, 0, 0, 10, 0, 10, 6.5, 3, &ox, &oy);
    assert_int_equal(px(&im, bx, by), want);
    assert_int_equal(px(&im, bx, by + 5), want);
    assert_int_equal(px(&im, ox, oy), BAL__PLOT_BG_RGB);
    /* The band's edges, within a pixel of where the layout puts them. */
    to_px(false, 0, 0, 10, 0, 10, 2.2, 3, &bx, &by);
    assert_int_equal(px(&im, bx + 1, by), want);
    assert_int_equal(px(&im, bx - 2, by), BAL__PLOT_BG_RGB);
    /* The line at y = 10 is drawn over the band. */
    to_px(false, 0, 0, 10, 0, 10, 2.5, 10, &bx, &by);
    assert_true(near(&im, bx, by, 1, bal__plot_color(0)));
    free(im.rgb);
}

static uint32_t band_over_white(uint32_t band)
{
    return (uint32_t)bal__plot_blend(band >> 16, 0xff, BAL__PLOT_BAND_ALPHA)
           << 16
           | (uint32_t)bal__plot_blend((band >> 8) & 0xff, 0xff,
                                       BAL__PLOT_BAND_ALPHA) << 8
           | bal__plot_blend(band & 0xff, 0xff, BAL__PLOT_BAND_ALPHA);
}

/* Two VMs' migrations, two colours; a VM's second migration, its first's
 * colour; each in the legend once, in its band's colour. */
static void test_png_band_colors(void **state)
{
    static const double x[] = { 0, 10 }, y[] = { 10, 10 };
    bal__plot_series s[] = { { NULL, x, y, 2, 0 } };
    bal__plot_band bands[] = {
        { 1.2, 1.8, "vm1" }, { 4.2, 4.8, "vm2" }, { 7.2, 7.8, "vm1" },
    };
    bal__plot_panel p[] = { { NULL, "time", "MB/s", s, 1, bands, 3, true } };
    uint32_t c0 = band_over_white(bal__plot_band_color(0));
    uint32_t c1 = band_over_white(bal__plot_band_color(1));
    bal__plot_rect r;
    image im;
    int bx, by, qx, n0 = 0, n1 = 0;

    (void)state;
    assert_true(c0 != c1 && c0 != BAL__PLOT_BG_RGB && c1 != BAL__PLOT_BG_RGB);
    im = render_png(NULL, p, 1);
    to_px(false, 0, 0, 10, 0, 10, 1.5, 3, &bx, &by);
    assert_int_equal(px(&im, bx, by), c0);
    to_px(false, 0, 0, 10, 0, 10, 4.5, 3, &bx, &by);
    assert_int_equal(px(&im, bx, by), c1);
    to_px(false, 0, 0, 10, 0, 10, 7.5, 3, &bx, &by);
    assert_int_equal(px(&im, bx, by), c0);
    /* The legend, in the head row above the area: one swatch each. */
    bal__plot_area(&r, false, 0);
    for (qx = (int)r.x0; qx < (int)r.x1; qx++) {
        n0 += px(&im, qx, (int)r.y0 - 12) == c0;
        n1 += px(&im, qx, (int)r.y0 - 12) == c1;
    }
    assert_in_range(n0, 15, 25);
    assert_in_range(n1, 15, 25);
    free(im.rgb);
}

static void test_png_diagonal(void **state)
{
    static const double x[] = { 0, 10 }, y[] = { 0, 10 };
    bal__plot_series s[] = { { NULL, x, y, 2, 0 } };
    bal__plot_panel p[] = { { NULL, NULL, NULL, s, 1, NULL, 0, true } };
    image im;
    int k, qx, qy, hits = 0;

    (void)state;
    im = render_png("diagonal", p, 1);
    for (k = 1; k < 20; k++) {
        double t = k / 20.0;

        to_px(true, 0, 0, 10, 0, 10, 10 * t, 10 * t, &qx, &qy);
        if (near(&im, qx, qy, 1, bal__plot_color(0))) hits++;
        /* ...and not off the line: the opposite diagonal. */
        to_px(true, 0, 0, 10, 0, 10, 10 * t, 10 * (1 - t), &qx, &qy);
        if (fabs(t - 0.5) > 0.1)
            assert_false(near(&im, qx, qy, 1, bal__plot_color(0)));
    }
    assert_int_equal(hits, 19);
    free(im.rgb);
}

/* ---- awkward data ------------------------------------------------------ */

static void test_edge_data(void **state)
{
    static const double one_x[] = { 3 }, one_y[] = { 4 };
    static const double flat_x[] = { 1, 2, 3 }, flat_y[] = { 5, 5, 5 };
    double bad_x[] = { 0, 1, NAN, 3, 4, INFINITY, 6, 1e305 };
    double bad_y[] = { 1, 2, 3, -INFINITY, 5, 6, NAN, 8 };
    bal__plot_series s_empty[] = { { "none", NULL, NULL, 0, 0 } };
    bal__plot_series s_one[] = { { "one", one_x, one_y, 1, 0 } };
    bal__plot_series s_flat[] = { { "flat", flat_x, flat_y, 3, 1 } };
    bal__plot_series s_bad[] = { { "bad", bad_x, bad_y, 8, 0 } };
    bal__plot_band b_only[] = { { 5, 9, "m" }, { NAN, 1, "m" } };
    bal__plot_panel p[] = {
        { "empty", NULL, NULL, s_empty, 1, NULL, 0, true },
        { "one", NULL, NULL, s_one, 1, NULL, 0, false },
        { "flat", NULL, NULL, s_flat, 1, NULL, 0, false },
        { "bad", NULL, NULL, s_bad, 1, NULL, 0, false },
        { "no series", NULL, NULL, NULL, 0, b_only, 2, true },
        { "flat zero", NULL, NULL, s_flat, 1, NULL, 0, true },
    };
    unsigned char *buf;
    size_t len;
    image im;
    bal__plot_rect r;
    int qx, qy, on;

    (void)state;
    render("svg", NULL, p, 6, &buf, &len);
    assert_int_equal(count((char *)buf, len, "nan"), 0);
    assert_int_equal(count((char *)buf, len, "inf"), 0);
    /* One point: a dot.  NaN, inf and 1e305 cut "bad" into 0..1 and a
     * lone 4: a dot too. */
    assert_int_equal(count((char *)buf, len, "width=\"3.0\" height=\"3.0\""),
                     2);
    free(buf);

    im = render_png(NULL, p, 6);
    /* The lone point of panel 2 (x 3 +- 0.3, y 4 +- 0.4, both widened by
     * a tenth, the y range to whole ticks 3.6..4.4): its dot at the
     * middle of the area. */
    bal__plot_area(&r, false, 1);
    qx = (int)floor((r.x0 + r.x1) / 2);
    qy = (int)floor((r.y0 + r.y1) / 2);
    assert_true(near(&im, qx, qy, 1, bal__plot_color(0)));
    /* The flat series of panel 3 lies across the middle too, dashed:
     * 6 steps of the 2-px pen in 10, so 7 pixels of the row in 10. */
    bal__plot_area(&r, false, 2);
    qy = (int)floor((r.y0 + r.y1) / 2);
    for (qx = (int)r.x0, on = 0; qx <= (int)r.x1; qx++)
        on += px(&im, qx, qy) == bal__plot_color(0);
    assert_in_range(on, (int)(0.65 * (r.x1 - r.x0)),
                    (int)(0.75 * (r.x1 - r.x0)));
    /* Panel 5 has no points: its x axis is its band's, 5..9, so the band
     * covers the whole area. */
    to_px(false, 4, 5, 9, 0, 1, 7.25, 0.3, &qx, &qy);
    assert_int_equal(px(&im, qx, qy) >> 16,
                     bal__plot_blend(bal__plot_band_color(0) >> 16, 0xff,
                                     BAL__PLOT_BAND_ALPHA));
    /* Panel 6: flat at 5 from zero: 0..5, the line along the top. */
    to_px(false, 5, 1, 3, 0, 5, 2, 5, &qx, &qy);
    assert_true(near(&im, qx, qy, 2, bal__plot_color(0)));
    free(im.rgb);
}

/* 100,000 points: a few per pixel column kept, a one-sample spike among
 * them still drawn to its full height. */
static void test_huge_series(void **state)
{
    enum { N = 100000, SPIKE = 31337 };
    double *x = malloc(N * sizeof(double)), *y = malloc(N * sizeof(double));
    bal__plot_series s[] = { { "big", x, y, N, 0 } };
    bal__plot_panel p[] = { { "big", "sample", "B/s", s, 1, NULL, 0, true } };
    unsigned char *buf;
    size_t len;
    image im;
    int i, qx, qy, ty;
    bal__plot_rect r;

    (void)state;
    assert_non_null(x);
    assert_non_null(y);
    for (i = 0; i < N; i++) {
        x[i] = i;
        y[i] = 100 + (i % 7);
    }
    y[SPIKE] = 1000;
    render("svg", NULL, p, 1, &buf, &len);
    bal__plot_area(&r, false, 0);
    /* At most 4 points per column (a column is ~123 points), plus the
     * axes' and grid's few lines. */
    assert_true(count((char *)buf, len, ",") <= 4 * (int)(r.x1 - r.x0 + 2)
                + 200);
    assert_true(len < 200000);
    free(buf);

    im = render_png(NULL, p, 1);
    /* y 0..1000: the spike's top, at the area's top edge. */
    to_px(false, 0, 0, N - 1, 0, 1000, SPIKE, 1000, &qx, &qy);
    assert_true(near(&im, qx, qy + 3, 1, bal__plot_color(0)));
    to_px(false, 0, 0, N - 1, 0, 1000, SPIKE, 500, &qx, &ty);
    assert_true(near(&im, qx, ty, 1, bal__plot_color(0)));
    /* Elsewhere nothing reaches half way. */
    to_px(false, 0, 0, N - 1, 0, 1000, SPIKE + 20000, 500, &qx, &ty);
    assert_false(near(&im, qx, ty, 2, bal__plot_color(0)));
    free(im.rgb);
    free(x);
    free(y);
}

/* ---- numbers ----------------------------------------------------------- */

static void test_fmt(void **state)
{
    char b[48];

    (void)state;
    bal__plot_fmt(b, sizeof(b), 1.5, 2);
    assert_string_equal(b, "1.50");
    bal__plot_fmt(b, sizeof(b), -0.001, 2);
    assert_string_equal(b, "0.00");
    bal__plot_fmt(b, sizeof(b), -2.25, 1);
    assert_string_equal(b, "-2.3");
    bal__plot_fmt(b, sizeof(b), 12345.678, 1);
    assert_string_equal(b, "12345.7");
    bal__plot_fmt(b, sizeof(b), 0.3, 9);
    assert_string_equal(b, "0.300000000");
    bal__plot_fmt(b, sizeof(b), 1e20, 1);
    assert_string_equal(b, "1.00e+20");
    bal__plot_fmt(b, sizeof(b), -9.999e-5, -1);
    assert_string_equal(b, "-1.00e-04");
    bal__plot_fmt(b, sizeof(b), 0, -1);
    assert_string_equal(b, "0");
    bal__plot_fmt(b, sizeof(b), NAN, 1);
    assert_string_equal(b, "0.0");
}

/* Tick labels: whole ticks, M/G suffixes for big values, decimals as
 * the step needs them. */
static void test_ticks(void **state)
{
    static const double x[] = { 0, 1 }, big[] = { 0, 2.1e9 };
    static const double small[] = { 0.1, 0.35 };
    bal__plot_series s1[] = { { NULL, x, big, 2, 0 } };
    bal__plot_series s2[] = { { NULL, x, small, 2, 0 } };
    bal__plot_panel p[] = { { NULL, NULL, NULL, s1, 1, NULL, 0, true },
                            { NULL, NULL, NULL, s2, 1, NULL, 0, false } };
    unsigned char *buf;
    size_t len;

    (void)state;
    render("svg", NULL, p, 2, &buf, &len);
    assert_int_equal(count((char *)buf, len, ">0.5G</text>"), 1);
    assert_int_equal(count((char *)buf, len, ">2.5G</text>"), 1);
    assert_int_equal(count((char *)buf, len, ">3.0G</text>"), 0);
    assert_int_equal(count((char *)buf, len, ">0.10</text>"), 1);
    assert_int_equal(count((char *)buf, len, ">0.35</text>"), 1);
    assert_int_equal(count((char *)buf, len, ">0.40</text>"), 0);
    /* x 0..1 in tenths ("0.1" .. "1.0"), twice. */
    assert_int_equal(count((char *)buf, len, ">0.7</text>"), 2);
    free(buf);
}

/* ---- errors and files -------------------------------------------------- */

static const bal__plot_series ONE[] = { { "a", X3, Y3, 3, 0 } };
static const bal__plot_panel PANEL[] = {
    { "p", "x", "y", ONE, 1, NULL, 0, false } };

static void test_invalid(void **state)
{
    bal__plot_series s_bad[] = { { "a", X3, NULL, 3, 0 } };
    bal__plot_panel p_bad[] = { { "p", NULL, NULL, s_bad, 1, NULL, 0, 0 } };
    bal__plot_panel p_bands[] = { { "p", NULL, NULL, NULL, 0, NULL, 2, 0 } };
    unsigned char *buf = (unsigned char *)"sentinel";
    size_t len = 42;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);

    (void)state;
    assert_int_equal(bal__plot_render("svg", NULL, PANEL, 0, &buf, &len),
                     BAL_EINVAL);
    assert_int_equal(bal__plot_render("svg", NULL, NULL, 1, &buf, &len),
                     BAL_EINVAL);
    assert_int_equal(bal__plot_render("jpg", NULL, PANEL, 1, &buf, &len),
                     BAL_EINVAL);
    assert_int_equal(bal__plot_render("png", NULL, p_bad, 1, &buf, &len),
                     BAL_EINVAL);
    assert_int_equal(bal__plot_render("png", NULL, PANEL,
                                      BAL__PLOT_MAX_PANELS + 1, &buf, &len),
                     BAL_EINVAL);
    assert_string_equal((char *)buf, "sentinel");
    assert_int_equal(len, 42);

    assert_int_equal(bal__plot_write(ctx, "/nonexistent/f.svg", NULL, PANEL,
                                     0), BAL_EINVAL);
    assert_string_equal(tu_last(&lg),
                        "/nonexistent/f.svg: invalid plot: no panels");
    assert_int_equal(bal__plot_write(ctx, "/nonexistent/f.svg", NULL, p_bad,
                                     1), BAL_EINVAL);
    assert_string_equal(tu_last(&lg), "/nonexistent/f.svg: invalid plot: "
                        "panel 1, series 1: 3 points but no x or y array");
    assert_int_equal(bal__plot_write(ctx, "/nonexistent/f.svg", NULL,
                                     p_bands, 1), BAL_EINVAL);
    assert_string_equal(tu_last(&lg), "/nonexistent/f.svg: invalid plot: "
                        "panel 1: 2 bands but no band array");
    assert_int_equal(lg.nerrors, 3);
    bal_ctx_free(ctx);
}

static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static void test_write(void **state)
{
    char dir[] = "/tmp/bal-plot-XXXXXX", path[128], bad[256], *text;
    const char *names[] = { "fig.svg", "FIG.PNG" };
    const char *fmts[] = { "svg", "png" };
    unsigned char *want;
    size_t wlen, len;
    tu_log lg;
    bal_ctx *ctx = tu_ctx(&lg);
    struct stat st;
    int i;

    (void)state;
    assert_non_null(mkdtemp(dir));

    /* Unknown formats: refused before anything is touched. */
    snprintf(path, sizeof(path), "%s/fig.jpg", dir);
    assert_int_equal(bal__plot_write(ctx, path, NULL, PANEL, 1), BAL_EINVAL);
    snprintf(bad, sizeof(bad),
             "%s: unknown plot format (expected .svg or .png)", path);
    assert_string_equal(tu_last(&lg), bad);
    snprintf(path, sizeof(path), "%s/svg", dir);
    assert_int_equal(bal__plot_write(ctx, path, NULL, PANEL, 1), BAL_EINVAL);
    assert_int_equal(entries(dir), 0);

    /* A directory that does not exist. */
    snprintf(path, sizeof(path), "%s/nope/fig.svg", dir);
    assert_int_equal(bal__plot_write(ctx, path, NULL, PANEL, 1), BAL_EIO);
    snprintf(bad, sizeof(bad), "%s: cannot write: No such file or directory",
             path);
    assert_string_equal(tu_last(&lg), bad);
    assert_int_equal(entries(dir), 0);

    /* Written, twice (the second replaces the first), as rendered. */
    for (i = 0; i < 2; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        assert_int_equal(bal__plot_write(ctx, path, "t", PANEL, 1), 0);
        assert_int_equal(bal__plot_write(ctx, path, "t", PANEL, 1), 0);
        render(fmts[i], "t", PANEL, 1, &want, &wlen);
        assert_int_equal(bal__read_file(ctx, path, 1u << 24, &text, &len),
                         0);
        assert_int_equal(len, wlen);
        assert_memory_equal(text, want, wlen);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0644);
        free(text);
        free(want);
        assert_int_equal(entries(dir), i + 1);
    }

    /* A failure after the temporary file exists (the name is taken by a
     * directory, rename fails): it is gone again. */
    snprintf(path, sizeof(path), "%s/taken.svg", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(bal__plot_write(ctx, path, NULL, PANEL, 1), BAL_EIO);
    snprintf(bad, sizeof(bad), "%s: cannot write: Is a directory", path);
    assert_string_equal(tu_last(&lg), bad);
    assert_int_equal(entries(dir), 3);
    assert_int_equal(lg.nerrors, 4);

    assert_int_equal(rmdir(path), 0);
    for (i = 0; i < 2; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        assert_int_equal(unlink(path), 0);
    }
    assert_int_equal(rmdir(dir), 0);
    bal_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_svg_well_formed),
        cmocka_unit_test(test_svg_text_sanitized),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_png_structure),
        cmocka_unit_test(test_png_compressed),
        cmocka_unit_test(test_png_band_blend),
        cmocka_unit_test(test_png_band_colors),
        cmocka_unit_test(test_png_diagonal),
        cmocka_unit_test(test_edge_data),
        cmocka_unit_test(test_huge_series),
        cmocka_unit_test(test_fmt),
        cmocka_unit_test(test_ticks),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_write),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
