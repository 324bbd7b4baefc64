/*
 * jsongen.c - see jsongen.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "jsongen.h"

void bal__jg_str(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

void bal__jg_key_str(yajl_gen g, const char *k, const char *v)
{
    bal__jg_str(g, k);
    bal__jg_str(g, v);
}

void bal__jg_key_int(yajl_gen g, const char *k, long long v)
{
    bal__jg_str(g, k);
    yajl_gen_integer(g, v);
}

void bal__jg_key_bool(yajl_gen g, const char *k, bool v)
{
    bal__jg_str(g, k);
    yajl_gen_bool(g, v);
}

void bal__jg_key_num(yajl_gen g, const char *k, double v, int decimals)
{
    /* %.*f of DBL_MAX is 309 digits and the decimals. */
    char buf[400];
    int n;

    bal__jg_str(g, k);
    if (!isfinite(v)) {
        yajl_gen_null(g);
        return;
    }
    n = snprintf(buf, sizeof(buf), "%.*f", decimals, v);
    yajl_gen_number(g, buf, (size_t)n);
}

void bal__jg_key_num_opt(yajl_gen g, const char *k, double v, int decimals)
{
    if (isfinite(v)) bal__jg_key_num(g, k, v, decimals);
}

void bal__jg_key_num_or_null(yajl_gen g, const char *k, double v,
                             int decimals)
{
    bal__jg_key_num(g, k, v < 0 ? NAN : v, decimals);
}

int bal__jg_finish(yajl_gen g, char **json_r)
{
    const unsigned char *buf;
    size_t len;
    char *s;

    if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
        return BAL_EINVAL;
    s = malloc(len + 1);
    if (!s) return BAL_ENOMEM;
    memcpy(s, buf, len);
    s[len] = '\0';
    *json_r = s;
    return 0;
}

bool bal__json_too_deep(const char *t, size_t len, int max_depth)
{
    int depth = 0;
    bool str = false;
    size_t i;

    for (i = 0; i < len; i++) {
        char c = t[i];

        if (str) {
            if (c == '\\') i++;
            else if (c == '"') str = false;
        } else if (c == '/' && i + 1 < len && t[i + 1] == '*') {
            for (i += 2; i + 1 < len && !(t[i] == '*' && t[i + 1] == '/');
                 i++)
                ;
            i++;
        } else if (c == '/' && i + 1 < len && t[i + 1] == '/') {
            while (i < len && t[i] != '\n') i++;
        } else if (c == '"') {
            str = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth) return true;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return false;
}
