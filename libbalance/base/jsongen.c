/*
 * jsongen.c - the one JSON writer (jsongen.h).
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "internal.h"
#include "jsongen.h"

struct bal__jw {
    yajl_gen g;
    int rc;                     /* the first fault; 0: none yet */
};

/* %.*f of -DBL_MAX: the sign, 309 digits, the point and the decimals. */
#define FIXED_LEN (1 + DBL_MAX_10_EXP + 1 + 1 + BAL__JW_DECIMALS_MAX)
/* %.17g at its longest, "-1.2345678901234567e-308", and ".0". */
#define REAL_LEN 32

int bal__jw_alloc(bool beautify, bal__jw **w_r)
{
    bal__jw *w = calloc(1, sizeof(*w));

    if (!w) return BAL_ENOMEM;
    w->g = yajl_gen_alloc(NULL);
    if (!w->g) {
        free(w);
        return BAL_ENOMEM;
    }
    yajl_gen_config(w->g, yajl_gen_beautify, beautify ? 1 : 0);
    *w_r = w;
    return 0;
}

int bal__jw_doc(bool beautify, const char *kind, long long version,
                bal__jw **w_r)
{
    int rc;

    rc = bal__jw_alloc(beautify, w_r);
    if (rc) return rc;
    bal__jw_map_open(*w_r);
    if (kind) bal__jw_key_int(*w_r, kind, version);
    return 0;
}

/* One yajl_gen call, unless w is in fault already; its refusal is w's. */
#define GEN(w, call) do {                                               \
        if (!(w)->rc && (call) != yajl_gen_status_ok)                   \
            (w)->rc = BAL_EINVAL;                                       \
    } while (0)

void bal__jw_map_open(bal__jw *w)    { GEN(w, yajl_gen_map_open(w->g)); }
void bal__jw_map_close(bal__jw *w)   { GEN(w, yajl_gen_map_close(w->g)); }
void bal__jw_array_open(bal__jw *w)  { GEN(w, yajl_gen_array_open(w->g)); }
void bal__jw_array_close(bal__jw *w) { GEN(w, yajl_gen_array_close(w->g)); }
void bal__jw_int(bal__jw *w, long long v) { GEN(w, yajl_gen_integer(w->g, v)); }
void bal__jw_bool(bal__jw *w, bool v) { GEN(w, yajl_gen_bool(w->g, v)); }
void bal__jw_null(bal__jw *w)        { GEN(w, yajl_gen_null(w->g)); }

void bal__jw_str(bal__jw *w, const char *s)
{
    if (!s) bal__jw_null(w);
    else GEN(w, yajl_gen_string(w->g, (const unsigned char *)s, strlen(s)));
}

/* Before formatting v: false when there is nothing to format (w in
 * fault, or v not finite: null written).  Else true, in the C locale
 * (*old_r the one to go back to), so that whatever setlocale() the
 * program made, snprintf and strtod see a '.'. */
static bool number_begin(bal__jw *w, double v, locale_t *old_r)
{
    locale_t c;

    if (w->rc) return false;
    if (!isfinite(v)) {
        bal__jw_null(w);
        return false;
    }
    c = bal__c_locale();
    *old_r = c ? uselocale(c) : (locale_t)0;
    if (*old_r) return true;
    w->rc = BAL_ENOMEM;
    return false;
}

/* text[0..n), which bal__jw_num and bal__jw_real sized their buffers for:
 * a snprintf that did not fit is a fault, never a cut number. */
static void put_number(bal__jw *w, const char *text, int n, size_t size)
{
    if (n < 0 || (size_t)n >= size) {
        w->rc = BAL_EINVAL;
        return;
    }
    GEN(w, yajl_gen_number(w->g, text, (size_t)n));
}

void bal__jw_num(bal__jw *w, double v, int decimals)
{
    char buf[FIXED_LEN + 1];
    const char *p = buf;
    locale_t old;
    int n;

    if (decimals < 0) decimals = 0;
    if (decimals > BAL__JW_DECIMALS_MAX) decimals = BAL__JW_DECIMALS_MAX;
    /* "%.0f" of 1e20 is a whole number past a long long, which the reader
     * refuses (base/json.h): such a value is written as a real. */
    if (!decimals && fabs(v) >= 9223372036854775808.0 && isfinite(v)) {
        bal__jw_real(w, v, true);
        return;
    }
    if (!number_begin(w, v, &old)) return;
    n = snprintf(buf, sizeof(buf), "%.*f", decimals, v);
    uselocale(old);
    if (n > 1 && buf[0] == '-' && strspn(buf + 1, "0.") == (size_t)n - 1) {
        p++;
        n--;
    }
    put_number(w, p, n, sizeof(buf) - (size_t)(p - buf));
}

void bal__jw_real(bal__jw *w, double v, bool float_form)
{
    char buf[REAL_LEN];
    locale_t old;
    int n;

    if (!number_begin(w, v, &old)) return;
    n = snprintf(buf, sizeof(buf), "%.15g", v);
    if (strtod(buf, NULL) != v) n = snprintf(buf, sizeof(buf), "%.17g", v);
    uselocale(old);
    if (float_form && n > 0 && (size_t)n + 2 < sizeof(buf) &&
        strspn(buf, "-0123456789") == (size_t)n) {
        memcpy(buf + n, ".0", 3);
        n += 2;
    }
    put_number(w, buf, n, sizeof(buf));
}

void bal__jw_key_str(bal__jw *w, const char *k, const char *v)
{
    bal__jw_str(w, k);
    bal__jw_str(w, v);
}

void bal__jw_key_move(bal__jw *w, const char *vm, const char *uuid,
                      const char *from, const char *to)
{
    bal__jw_key_str(w, "vm", vm);
    bal__jw_key_str(w, "uuid", uuid);
    bal__jw_key_str(w, "from", from);
    bal__jw_key_str(w, "to", to);
}

void bal__jw_key_int(bal__jw *w, const char *k, long long v)
{
    bal__jw_str(w, k);
    bal__jw_int(w, v);
}

void bal__jw_key_bool(bal__jw *w, const char *k, bool v)
{
    bal__jw_str(w, k);
    bal__jw_bool(w, v);
}

void bal__jw_key_num(bal__jw *w, const char *k, double v, int decimals)
{
    bal__jw_str(w, k);
    bal__jw_num(w, v, decimals);
}

void bal__jw_key_num_opt(bal__jw *w, const char *k, double v, int decimals)
{
    if (isfinite(v)) bal__jw_key_num(w, k, v, decimals);
}

void bal__jw_key_num_or_null(bal__jw *w, const char *k, double v,
                             int decimals)
{
    bal__jw_key_num(w, k, v < 0 ? NAN : v, decimals);
}

void bal__jw_key_real(bal__jw *w, const char *k, double v, bool float_form)
{
    bal__jw_str(w, k);
    bal__jw_real(w, v, float_form);
}

int bal__jw_finish(bal__jw *w, char **json_r)
{
    const unsigned char *buf;
    size_t len;
    char *s = NULL;
    int rc = w->rc;

    if (rc) goto out;
    if (yajl_gen_get_buf(w->g, &buf, &len) != yajl_gen_status_ok) {
        rc = BAL_EINVAL;
        goto out;
    }
    s = malloc(len + 1);
    if (!s) {
        rc = BAL_ENOMEM;
        goto out;
    }
    memcpy(s, buf, len);
    s[len] = '\0';
    *json_r = s;

out:
    yajl_gen_free(w->g);
    free(w);
    return rc;
}
