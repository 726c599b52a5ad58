
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


/*
 * intercom_webhook_allow_file: the allowlist from a file, Intercom's
 * published JSON of IP ranges or a plain list of CIDR blocks, read at
 * configuration load.  The parsing of the file's text is pure (nginx's
 * core and jansson only) for the unit tests, which build this file with
 * NGX_HTTP_INTERCOM_WEBHOOK_UNIT defined and without the directive.
 */


#include <ngx_config.h>
#include <ngx_core.h>

#if !(NGX_HTTP_INTERCOM_WEBHOOK_UNIT)
#include <ngx_http.h>
#include "ngx_http_intercom_webhook_module.h"
#endif

#include "ngx_http_intercom_webhook.h"

#include <jansson.h>


/* a file larger than this is not a list of ranges */
#define NGX_HTTP_INTERCOM_WEBHOOK_RANGES_MAX    (1024 * 1024)

/* bytes of a value from the file shown in a message */
#define NGX_HTTP_INTERCOM_WEBHOOK_RANGES_SHOW   64

/* the default max_age: a week of failed daily updates */
#define NGX_HTTP_INTERCOM_WEBHOOK_RANGES_AGE    (7 * 86400)


static ngx_int_t ngx_http_intercom_webhook_ranges_json(
    ngx_http_intercom_webhook_allow_t *allow, u_char *text, size_t len,
    ngx_pool_t *pool, ngx_str_t *date, ngx_str_t *error);
static ngx_int_t ngx_http_intercom_webhook_ranges_list(
    ngx_http_intercom_webhook_allow_t *allow, u_char *text, size_t len,
    ngx_pool_t *pool, ngx_str_t *error);
static ngx_int_t ngx_http_intercom_webhook_ranges_add(
    ngx_http_intercom_webhook_allow_t *allow, ngx_str_t *range,
    ngx_pool_t *pool, ngx_str_t *error, const char *where, ngx_uint_t n,
    const char *end, ngx_uint_t *host_bits);
static ngx_uint_t ngx_http_intercom_webhook_ranges_every(ngx_cidr_t *cidr);
static ngx_int_t ngx_http_intercom_webhook_ranges_error(ngx_str_t *error,
    ngx_pool_t *pool, const char *text, ngx_str_t *value, const char *where,
    ngx_uint_t n, const char *end);
static u_char *ngx_http_intercom_webhook_ranges_number(u_char *p,
    ngx_uint_t n);

#if !(NGX_HTTP_INTERCOM_WEBHOOK_UNIT)
static char *ngx_http_intercom_webhook_ranges_read(ngx_conf_t *cf,
    ngx_str_t *file, ngx_str_t *text);
#endif


static ngx_str_t  ngx_http_intercom_webhook_outbound =
    ngx_string("INTERCOM-OUTBOUND");


ngx_int_t
ngx_http_intercom_webhook_ranges_parse(ngx_http_intercom_webhook_allow_t *allow,
    u_char *text, size_t len, ngx_pool_t *pool, ngx_str_t *date,
    ngx_str_t *error)
{
    u_char  *p, *last;

    ngx_str_null(date);
    ngx_str_null(error);

    last = text + len;

    for (p = text; p < last; p++) {
        if (*p != ' ' && *p != '\t' && *p != CR && *p != LF) {
            break;
        }
    }

    if (p == last) {
        ngx_str_set(error, "is empty");
        return NGX_DECLINED;
    }

    if (*p == '{' || *p == '[') {
        return ngx_http_intercom_webhook_ranges_json(allow, text, len, pool,
                                                     date, error);
    }

    return ngx_http_intercom_webhook_ranges_list(allow, text, len, pool,
                                                 error);
}


static ngx_int_t
ngx_http_intercom_webhook_ranges_json(ngx_http_intercom_webhook_allow_t *allow,
    u_char *text, size_t len, ngx_pool_t *pool, ngx_str_t *date,
    ngx_str_t *error)
{
    size_t        i, n;
    json_t       *root, *ranges, *entry, *service, *range, *day;
    ngx_int_t     rc;
    ngx_str_t     value;
    ngx_uint_t    found, host_bits;
    json_error_t  err;

    root = json_loadb((const char *) text, len, JSON_REJECT_DUPLICATES, &err);

    if (root == NULL) {
        value.data = (u_char *) err.text;
        value.len = ngx_strlen(err.text);

        /* "is not valid JSON: <jansson's text> on line N" */

        if (ngx_http_intercom_webhook_ranges_error(error, pool,
                                                   "is not valid JSON:",
                                                   &value, " on line ",
                                                   err.line > 0 ? err.line : 0,
                                                   "")
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        return NGX_DECLINED;
    }

    rc = NGX_DECLINED;
    found = 0;
    host_bits = 0;

    ranges = json_is_object(root) ? json_object_get(root, "ip_ranges") : NULL;

    if (!json_is_array(ranges)) {
        ngx_str_set(error, "has no \"ip_ranges\" array");
        goto done;
    }

    n = json_array_size(ranges);

    for (i = 0; i < n; i++) {
        entry = json_array_get(ranges, i);

        if (!json_is_object(entry)) {
            rc = ngx_http_intercom_webhook_ranges_error(error, pool,
                                   "has an entry that is not an object", NULL,
                                   " (ip_ranges[", i, "])");
            rc = (rc == NGX_OK) ? NGX_DECLINED : NGX_ERROR;
            goto done;
        }

        /* only Intercom's outbound addresses send webhooks */

        service = json_object_get(entry, "service");

        if (!json_is_string(service)
            || json_string_length(service)
               != ngx_http_intercom_webhook_outbound.len
            || ngx_memcmp(json_string_value(service),
                          ngx_http_intercom_webhook_outbound.data,
                          ngx_http_intercom_webhook_outbound.len)
               != 0)
        {
            continue;
        }

        range = json_object_get(entry, "range");

        if (!json_is_string(range)) {
            rc = ngx_http_intercom_webhook_ranges_error(error, pool,
                                   "has an INTERCOM-OUTBOUND entry without "
                                   "a \"range\" string", NULL,
                                   " (ip_ranges[", i, "])");
            rc = (rc == NGX_OK) ? NGX_DECLINED : NGX_ERROR;
            goto done;
        }

        value.data = (u_char *) json_string_value(range);
        value.len = json_string_length(range);

        rc = ngx_http_intercom_webhook_ranges_add(allow, &value, pool, error,
                                                  " (ip_ranges[", i, "])",
                                                  &host_bits);
        if (rc != NGX_OK) {
            goto done;
        }

        found++;
    }

    if (found == 0) {
        ngx_str_set(error, "has no INTERCOM-OUTBOUND range");
        rc = NGX_DECLINED;
        goto done;
    }

    /* "date" is informative: kept when it is a short printable string */

    day = json_object_get(root, "date");

    if (json_is_string(day)) {
        value.data = (u_char *) json_string_value(day);
        value.len = json_string_length(day);

        for (i = 0; i < value.len; i++) {
            if (value.data[i] < 0x20 || value.data[i] >= 0x7f) {
                break;
            }
        }

        if (i == value.len && value.len > 0
            && value.len <= NGX_HTTP_INTERCOM_WEBHOOK_RANGES_SHOW)
        {
            date->data = ngx_pnalloc(pool, value.len);
            if (date->data == NULL) {
                rc = NGX_ERROR;
                goto done;
            }

            ngx_memcpy(date->data, value.data, value.len);
            date->len = value.len;
        }
    }

    rc = host_bits ? NGX_DONE : NGX_OK;

done:

    json_decref(root);

    return rc;
}


static ngx_int_t
ngx_http_intercom_webhook_ranges_list(ngx_http_intercom_webhook_allow_t *allow,
    u_char *text, size_t len, ngx_pool_t *pool, ngx_str_t *error)
{
    u_char      *p, *last, *eol, *start, *end;
    ngx_int_t    rc;
    ngx_str_t    value;
    ngx_uint_t   line, found, host_bits;

    last = text + len;
    found = 0;
    host_bits = 0;

    for (p = text, line = 1; p < last; p = eol + 1, line++) {

        eol = ngx_strlchr(p, last, LF);
        if (eol == NULL) {
            eol = last;
        }

        end = ngx_strlchr(p, eol, '#');
        if (end == NULL) {
            end = eol;
        }

        for (start = p; start < end; start++) {
            if (*start != ' ' && *start != '\t' && *start != CR) {
                break;
            }
        }

        while (end > start
               && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == CR))
        {
            end--;
        }

        if (start == end) {
            continue;
        }

        value.data = start;
        value.len = end - start;

        rc = ngx_http_intercom_webhook_ranges_add(allow, &value, pool, error,
                                                  " on line ", line, "",
                                                  &host_bits);
        if (rc != NGX_OK) {
            return rc;
        }

        found++;
    }

    if (found == 0) {
        ngx_str_set(error, "has no range");
        return NGX_DECLINED;
    }

    return host_bits ? NGX_DONE : NGX_OK;
}


/*
 * An address or a CIDR block only: a file never says "all" or names a
 * preset, nor a block of prefix length 0 (0.0.0.0/0, ::/0), which is
 * "all" in other words.  The first range with host bits set is reported
 * in error.
 */

static ngx_int_t
ngx_http_intercom_webhook_ranges_add(ngx_http_intercom_webhook_allow_t *allow,
    ngx_str_t *range, ngx_pool_t *pool, ngx_str_t *error, const char *where,
    ngx_uint_t n, const char *end, ngx_uint_t *host_bits)
{
    ngx_int_t   rc;
    ngx_cidr_t  cidr;

    ngx_memzero(&cidr, sizeof(ngx_cidr_t));

    if (ngx_ptocidr(range, &cidr) == NGX_ERROR) {
        rc = NGX_DECLINED;

    } else if (ngx_http_intercom_webhook_ranges_every(&cidr)) {
        rc = ngx_http_intercom_webhook_ranges_error(error, pool,
                                                    "cannot allow every "
                                                    "address:", range,
                                                    where, n, end);
        return (rc == NGX_OK) ? NGX_DECLINED : NGX_ERROR;

    } else {
        rc = ngx_http_intercom_webhook_allow_add(allow, range, pool);
    }

    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (rc == NGX_DECLINED) {
        rc = ngx_http_intercom_webhook_ranges_error(error, pool,
                                                    "has an invalid range",
                                                    range,
                                                    where, n, end);
        return (rc == NGX_OK) ? NGX_DECLINED : NGX_ERROR;
    }

    if (rc == NGX_DONE && (*host_bits)++ == 0) {
        rc = ngx_http_intercom_webhook_ranges_error(error, pool,
                                                    "low address bits of",
                                                    range, where, n, end);
        if (rc != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* a block of prefix length 0: its mask is all zeros */

static ngx_uint_t
ngx_http_intercom_webhook_ranges_every(ngx_cidr_t *cidr)
{
#if (NGX_HAVE_INET6)
    ngx_uint_t  i;

    if (cidr->family == AF_INET6) {
        for (i = 0; i < 16; i++) {
            if (cidr->u.in6.mask.s6_addr[i]) {
                return 0;
            }
        }

        return 1;
    }
#endif

    return cidr->u.in.mask == 0;
}


/*
 * error = text [ "value"] [where n end]: the value is cut at RANGES_SHOW
 * bytes, and its bytes other than printable ASCII are shown as "?", as
 * the file comes from the network.
 */

static ngx_int_t
ngx_http_intercom_webhook_ranges_error(ngx_str_t *error, ngx_pool_t *pool,
    const char *text, ngx_str_t *value, const char *where, ngx_uint_t n,
    const char *end)
{
    u_char  *p;
    size_t   len, vlen, i;

    vlen = 0;

    if (value) {
        vlen = ngx_min(value->len, NGX_HTTP_INTERCOM_WEBHOOK_RANGES_SHOW);
    }

    len = ngx_strlen(text) + sizeof(" \"\"...") - 1 + vlen
          + ngx_strlen(where) + NGX_INT_T_LEN + ngx_strlen(end);

    error->data = ngx_pnalloc(pool, len);
    if (error->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(error->data, text, ngx_strlen(text));

    if (value) {
        *p++ = ' ';
        *p++ = '"';

        for (i = 0; i < vlen; i++) {
            *p++ = (value->data[i] >= 0x20 && value->data[i] < 0x7f)
                   ? value->data[i] : '?';
        }

        if (vlen < value->len) {
            p = ngx_cpymem(p, "...", 3);
        }

        *p++ = '"';
    }

    if (where[0]) {
        p = ngx_cpymem(p, where, ngx_strlen(where));
        p = ngx_http_intercom_webhook_ranges_number(p, n);
    }

    p = ngx_cpymem(p, end, ngx_strlen(end));

    error->len = p - error->data;

    return NGX_OK;
}


/* ngx_sprintf() is not among the functions the unit tests link with */

static u_char *
ngx_http_intercom_webhook_ranges_number(u_char *p, ngx_uint_t n)
{
    u_char   digits[NGX_INT_T_LEN];
    size_t   len;

    len = 0;

    do {
        digits[len++] = (u_char) ('0' + n % 10);
        n /= 10;
    } while (n);

    while (len) {
        *p++ = digits[--len];
    }

    return p;
}


ngx_int_t
ngx_http_intercom_webhook_ranges_day(ngx_str_t *date)
{
    u_char     *p;
    ngx_int_t   y, m, d, era, yoe, doy, doe;
    ngx_uint_t  i;

    static const ngx_int_t  mdays[] = {
        31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
    };

    /* "YYYY-MM-DD", alone or followed by a time ("T", " ") */

    if (date->len < 10 || (date->len > 10 && date->data[10] != 'T'
                           && date->data[10] != ' '))
    {
        return NGX_ERROR;
    }

    p = date->data;

    for (i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (p[i] != '-') {
                return NGX_ERROR;
            }

        } else if (p[i] < '0' || p[i] > '9') {
            return NGX_ERROR;
        }
    }

    y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10
        + (p[3] - '0');
    m = (p[5] - '0') * 10 + (p[6] - '0');
    d = (p[8] - '0') * 10 + (p[9] - '0');

    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) {
        return NGX_ERROR;
    }

    if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
    {
        return NGX_ERROR;
    }

    /* days from civil, H. Hinnant's algorithm */

    y -= (m <= 2);
    era = y / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}


#if !(NGX_HTTP_INTERCOM_WEBHOOK_UNIT)

char *
ngx_http_intercom_webhook_allow_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_intercom_webhook_loc_conf_t *iwcf = conf;

    char        *rv;
    time_t       max_age, age;
    ngx_int_t    rc, day, oldest;
    ngx_str_t   *value, file, text, date, error, s;

    ngx_http_intercom_webhook_note(cf, cmd, iwcf);

    value = cf->args->elts;

    max_age = NGX_HTTP_INTERCOM_WEBHOOK_RANGES_AGE;
    ngx_str_set(&s, "7d");

    if (cf->args->nelts == 3) {

        if (value[2].len <= 8
            || ngx_strncmp(value[2].data, "max_age=", 8) != 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\", "
                               "\"max_age=time\" is expected", &value[2]);
            return NGX_CONF_ERROR;
        }

        s.data = value[2].data + 8;
        s.len = value[2].len - 8;

        if (s.len == 3 && ngx_strncmp(s.data, "off", 3) == 0) {
            max_age = 0;

        } else {
            /* a file's age in seconds is a mistake: "3" means "3d" */

            if (s.data[s.len - 1] >= '0' && s.data[s.len - 1] <= '9') {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid max_age \"%V\", a time with "
                                   "its unit (\"d\" days, \"h\" hours) "
                                   "such as \"%Vd\" or \"off\" is expected",
                                   &s, &s);
                return NGX_CONF_ERROR;
            }

            max_age = ngx_parse_time(&s, 1);

            if (max_age == (time_t) NGX_ERROR || max_age == 0) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid max_age \"%V\", a time such "
                                   "as \"7d\" or \"off\" is expected", &s);
                return NGX_CONF_ERROR;
            }
        }
    }

    file = value[1];

    if (file.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "empty ranges file name");
        return NGX_CONF_ERROR;
    }

    if (ngx_conf_full_name(cf->cycle, &file, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    rv = ngx_http_intercom_webhook_ranges_read(cf, &file, &text);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    if (iwcf->allow == NGX_CONF_UNSET_PTR) {
        iwcf->allow = ngx_pcalloc(cf->pool,
                                  sizeof(ngx_http_intercom_webhook_allow_t));
        if (iwcf->allow == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    rc = ngx_http_intercom_webhook_ranges_parse(iwcf->allow, text.data,
                                                text.len, cf->pool, &date,
                                                &error);

    if (rc == NGX_ERROR) {
        return NGX_CONF_ERROR;
    }

    if (rc == NGX_DECLINED) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "ranges file \"%s\" %V", file.data, &error);
        return NGX_CONF_ERROR;
    }

    if (rc == NGX_DONE) {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "ranges file \"%s\": %V are meaningless",
                           file.data, &error);
    }

    if (date.len == 0) {
        return NGX_CONF_OK;
    }

    day = ngx_http_intercom_webhook_ranges_day(&date);

    if (day == NGX_ERROR) {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "ranges file \"%s\" has a date \"%V\" that is "
                           "not YYYY-MM-DD, its age is unknown",
                           file.data, &date);
        return NGX_CONF_OK;
    }

    age = ngx_time() - (time_t) day * 86400;

    if (max_age && age > max_age) {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "ranges file \"%s\" is dated %V, %T days ago, "
                           "more than max_age=%V: are its updates failing?",
                           file.data, &date, age / 86400, &s);
    }

    /* the allowlist keeps the oldest date of its files */

    if (iwcf->allow->date.len) {
        oldest = ngx_http_intercom_webhook_ranges_day(&iwcf->allow->date);

        if (oldest != NGX_ERROR && oldest <= day) {
            return NGX_CONF_OK;
        }
    }

    iwcf->allow->date = date;

    return NGX_CONF_OK;
}


static char *
ngx_http_intercom_webhook_ranges_read(ngx_conf_t *cf, ngx_str_t *file,
    ngx_str_t *text)
{
    u_char           *buf;
    size_t            size;
    ssize_t           n;
    ngx_fd_t          fd;
    ngx_file_info_t   fi;

    fd = ngx_open_file(file->data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

    if (fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_open_file_n " \"%s\" failed", file->data);
        return NGX_CONF_ERROR;
    }

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_fd_info_n " \"%s\" failed", file->data);
        goto failed;
    }

    if (ngx_file_size(&fi) > NGX_HTTP_INTERCOM_WEBHOOK_RANGES_MAX) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "ranges file \"%s\" is too large, at most %d "
                           "bytes are read", file->data,
                           NGX_HTTP_INTERCOM_WEBHOOK_RANGES_MAX);
        goto failed;
    }

    buf = ngx_pnalloc(cf->temp_pool, NGX_HTTP_INTERCOM_WEBHOOK_RANGES_MAX + 1);
    if (buf == NULL) {
        goto failed;
    }

    /* the file may grow while it is read: read to its end, up to the max */

    size = 0;

    for ( ;; ) {
        n = ngx_read_fd(fd, buf + size,
                        NGX_HTTP_INTERCOM_WEBHOOK_RANGES_MAX + 1 - size);

        if (n == -1) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                               ngx_read_fd_n " \"%s\" failed", file->data);
            goto failed;
        }

        if (n == 0) {
            break;
        }

        size += n;

        if (size > NGX_HTTP_INTERCOM_WEBHOOK_RANGES_MAX) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "ranges file \"%s\" is too large",
                               file->data);
            goto failed;
        }
    }

    if (ngx_close_file(fd) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_ALERT, cf, ngx_errno,
                           ngx_close_file_n " \"%s\" failed", file->data);
    }

    text->data = buf;
    text->len = size;

    return NGX_CONF_OK;

failed:

    if (ngx_close_file(fd) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_ALERT, cf, ngx_errno,
                           ngx_close_file_n " \"%s\" failed", file->data);
    }

    return NGX_CONF_ERROR;
}

#endif
