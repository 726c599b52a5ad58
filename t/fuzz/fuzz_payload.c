
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


/*
 * libFuzzer harness of the payload parser (parser_init, parse,
 * parse_done, parse_whole, value_text, value_string).
 *
 * The input's last byte chooses how the body, the bytes before it, is
 * cut into pieces (a sample body that ends with a newline is used whole).
 * The body is parsed whole, then in pieces, each piece a buffer of its
 * own that is freed as soon as parse() returns, then by parse_whole with
 * each vector code of the index this CPU has (freed as soon as it
 * returns): the verdict, the error and its offset, and every captured
 * field (type, raw text, decoded text) must be the same every way.  A
 * body the parser accepts must be one jansson accepts too (with
 * JSON_ALLOW_NUL; but for numbers too big for it and "\u0000" in keys),
 * and a captured string must decode as jansson decodes it.
 */


#include "fuzz.h"

#include <jansson.h>


typedef struct {
    ngx_int_t                           rc;
    off_t                               offset;
    const char                         *error;
} fuzz_verdict_t;


static void fuzz_payload_init(void);
static void fuzz_parse(u_char *body, size_t len, u_char seed, ngx_uint_t split,
    ngx_http_intercom_webhook_value_t *values, fuzz_verdict_t *v);
static void fuzz_parse_whole(u_char *body, size_t len, const char *code,
    ngx_http_intercom_webhook_value_t *values, fuzz_verdict_t *v);
static void fuzz_compare_verdicts(fuzz_verdict_t *a, fuzz_verdict_t *b,
    const char *how);
static void fuzz_compare(ngx_http_intercom_webhook_value_t *a,
    ngx_http_intercom_webhook_value_t *b, ngx_uint_t slot, const char *how);
static void fuzz_jansson(u_char *body, size_t len,
    ngx_http_intercom_webhook_value_t *values);


/* the fields the module captures, and others deeper and odder */

static const char  *fuzz_paths[] = {
    "type", "topic", "id", "app_id", "created_at", "first_sent_at",
    "delivery_attempts", "delivery_status", "self", "links", "data",
    "data.type", "data.item", "data.item.type", "data.item.id",
    "data.item.deleted", "data.item.user.email", "data.item.source.body",
    "a.b.c.d.e.f.g.h", "\xc3\xa9t\xc3\xa9", "x\"y", "",
    NULL
};


/* the index's vector codes, compared with the streaming parser */
static const char  *fuzz_codes[] = { "avx512", "avx2", NULL };


/* the configuration's pool, and one for each input */
static ngx_pool_t                          *fuzz_cf_pool;
static ngx_pool_t                          *fuzz_pool;
static ngx_http_intercom_webhook_fields_t   fuzz_fields;
static ngx_int_t                            fuzz_slots[32];
static ngx_http_intercom_webhook_parser_t  *fuzz_parser;


static void
fuzz_payload_init(void)
{
    ngx_str_t    path;
    ngx_int_t    slot;
    ngx_uint_t   i;

    fuzz_cf_pool = ngx_create_pool(4096, NULL);
    fuzz_pool = ngx_create_pool(4096, NULL);
    FUZZ_CHECK(fuzz_cf_pool != NULL && fuzz_pool != NULL, "pool");

    ngx_memzero(&fuzz_fields, sizeof(fuzz_fields));

    for (i = 0; fuzz_paths[i]; i++) {
        path.data = (u_char *) fuzz_paths[i];
        path.len = strlen(fuzz_paths[i]);

        slot = ngx_http_intercom_webhook_fields_add(&fuzz_fields, &path,
                                                    fuzz_cf_pool);
        FUZZ_CHECK(slot != NGX_ERROR, "fields_add(\"%s\")", fuzz_paths[i]);

        /* NGX_DECLINED for an invalid path: "" */
        fuzz_slots[i] = slot;
    }

    FUZZ_CHECK(fuzz_fields.nslots > 0, "no field");

    fuzz_parser = malloc(sizeof(ngx_http_intercom_webhook_parser_t));
    FUZZ_CHECK(fuzz_parser != NULL, "parser");
}


static void
fuzz_parse(u_char *body, size_t len, u_char seed, ngx_uint_t split,
    ngx_http_intercom_webhook_value_t *values, fuzz_verdict_t *v)
{
    u_char                              *piece;
    size_t                               n, off;
    ngx_int_t                            rc;
    fuzz_split_t                         s;
    ngx_http_intercom_webhook_parser_t  *p;

    p = fuzz_parser;

    rc = ngx_http_intercom_webhook_parser_init(p, &fuzz_fields, values,
                                               fuzz_pool);
    FUZZ_CHECK(rc == NGX_OK, "parser_init: %d", (int) rc);

    rc = NGX_AGAIN;

    if (!split) {
        if (len) {
            piece = fuzz_copy(body, len);
            rc = ngx_http_intercom_webhook_parse(p, piece, piece + len);
            free(piece);
        }

    } else {
        fuzz_split_init(&s, seed, len);

        for (off = 0; s.rest || (off == 0 && len == 0); off += n) {
            n = fuzz_piece(&s);

            piece = fuzz_copy(body + off, n);
            rc = ngx_http_intercom_webhook_parse(p, piece, piece + n);
            free(piece);

            if (rc != NGX_AGAIN || len == 0) {
                break;
            }
        }
    }

    FUZZ_CHECK(rc == NGX_AGAIN || rc == NGX_ERROR, "parse: %d", (int) rc);

    if (rc == NGX_AGAIN) {
        rc = ngx_http_intercom_webhook_parse_done(p);
        FUZZ_CHECK(rc == NGX_OK || rc == NGX_ERROR, "parse_done: %d",
                   (int) rc);
    }

    if (rc == NGX_ERROR) {
        FUZZ_CHECK(p->error != NULL, "an error without a text");
        FUZZ_CHECK(p->offset >= 0 && (size_t) p->offset <= len,
                   "error offset %lld of %zu", (long long) p->offset, len);
    }

    v->rc = rc;
    v->offset = (rc == NGX_ERROR) ? p->offset : 0;
    v->error = (rc == NGX_ERROR) ? p->error : NULL;
}


static void
fuzz_parse_whole(u_char *body, size_t len, const char *code,
    ngx_http_intercom_webhook_value_t *values, fuzz_verdict_t *v)
{
    u_char                              *piece;
    ngx_int_t                            rc;
    ngx_http_intercom_webhook_parser_t  *p;

    p = fuzz_parser;

    rc = ngx_http_intercom_webhook_parser_init(p, &fuzz_fields, values,
                                               fuzz_pool);
    FUZZ_CHECK(rc == NGX_OK, "parser_init: %d", (int) rc);

    piece = fuzz_copy(body, len);
    rc = ngx_http_intercom_webhook_parse_whole(p, piece, piece + len);
    free(piece);

    FUZZ_CHECK(rc == NGX_OK || rc == NGX_ERROR, "parse_whole (%s): %d",
               code, (int) rc);

    v->rc = rc;
    v->offset = (rc == NGX_ERROR) ? p->offset : 0;
    v->error = (rc == NGX_ERROR) ? p->error : NULL;
}


static void
fuzz_compare_verdicts(fuzz_verdict_t *a, fuzz_verdict_t *b, const char *how)
{
    FUZZ_CHECK(a->rc == b->rc, "verdict %d whole, %d %s", (int) a->rc,
               (int) b->rc, how);

    if (a->rc == NGX_ERROR) {
        FUZZ_CHECK(a->offset == b->offset && strcmp(a->error, b->error) == 0,
                   "error \"%s\" at %lld whole, \"%s\" at %lld %s",
                   a->error, (long long) a->offset, b->error,
                   (long long) b->offset, how);
    }
}


static void
fuzz_compare(ngx_http_intercom_webhook_value_t *a,
    ngx_http_intercom_webhook_value_t *b, ngx_uint_t slot, const char *how)
{
    ngx_int_t  rca, rcb;
    ngx_str_t  ta, tb;

    FUZZ_CHECK(a->type == b->type, "slot %u: type %d whole, %d %s",
               (unsigned) slot, (int) a->type, (int) b->type, how);

    if (a->type != NGX_HTTP_INTERCOM_WEBHOOK_STRING
        && a->type != NGX_HTTP_INTERCOM_WEBHOOK_NUMBER)
    {
        return;
    }

    FUZZ_CHECK(a->raw.len == b->raw.len
               && memcmp(a->raw.data, b->raw.data, a->raw.len) == 0,
               "slot %u: raw \"%.*s\" whole, \"%.*s\" %s", (unsigned) slot,
               (int) a->raw.len, a->raw.data, (int) b->raw.len, b->raw.data,
               how);

    FUZZ_CHECK(a->escaped == b->escaped, "slot %u: escaped (%s)",
               (unsigned) slot, how);

    FUZZ_CHECK(a->raw.len <= NGX_HTTP_INTERCOM_WEBHOOK_MAX_VALUE,
               "slot %u: %zu raw bytes", (unsigned) slot, a->raw.len);

    rca = ngx_http_intercom_webhook_value_text(a, &ta, fuzz_pool);
    rcb = ngx_http_intercom_webhook_value_text(b, &tb, fuzz_pool);

    FUZZ_CHECK(rca == rcb, "slot %u: value_text %d whole, %d %s",
               (unsigned) slot, (int) rca, (int) rcb, how);

    if (rca == NGX_OK) {
        FUZZ_CHECK(ta.len == tb.len && memcmp(ta.data, tb.data, ta.len) == 0,
                   "slot %u: value_text differs (%s)", (unsigned) slot, how);
        FUZZ_CHECK(ngx_http_intercom_webhook_header_safe(&ta) == NGX_OK,
                   "slot %u: value_text not header safe", (unsigned) slot);
    }
}


/*
 * jansson's view of the same body: it must accept what the parser
 * accepts, and decode each captured top-level string the same way
 */

static void
fuzz_jansson(u_char *body, size_t len,
    ngx_http_intercom_webhook_value_t *values)
{
    json_t        *json, *item;
    ngx_int_t      rc, slot;
    ngx_str_t      text;
    ngx_uint_t     i;
    json_error_t   err;

    json = json_loadb((char *) body, len, JSON_ALLOW_NUL, &err);

    /*
     * valid JSON that jansson refuses: numbers beyond doubles and 64-bit
     * integers, "\u0000" in a key
     */

    if (json == NULL
        && (json_error_code(&err) == json_error_numeric_overflow
            || json_error_code(&err) == json_error_null_byte_in_key))
    {
        return;
    }

    /*
     * jansson stops at a NUL byte inside a number or a literal, and takes
     * what comes before: a body with a NUL is left out
     */

    if (memchr(body, '\0', len) != NULL) {
        if (json) {
            json_decref(json);
        }

        return;
    }

    FUZZ_CHECK(json != NULL, "accepted, jansson rejects: %s at %d",
               err.text, err.position);

    if (!json_is_object(json)) {
        json_decref(json);
        FUZZ_CHECK(0, "accepted a body that is not an object");
    }

    for (i = 0; fuzz_paths[i]; i++) {
        slot = fuzz_slots[i];

        if (slot < 0 || strchr(fuzz_paths[i], '.') != NULL) {
            continue;
        }

        item = json_object_get(json, fuzz_paths[i]);

        if (values[slot].type != NGX_HTTP_INTERCOM_WEBHOOK_STRING) {
            continue;
        }

        FUZZ_CHECK(item != NULL && json_is_string(item),
                   "\"%s\": a string to the parser, not to jansson",
                   fuzz_paths[i]);

        rc = ngx_http_intercom_webhook_value_string(&values[slot], &text,
                                                    fuzz_pool);
        FUZZ_CHECK(rc == NGX_OK, "value_string(\"%s\"): %d", fuzz_paths[i],
                   (int) rc);

        FUZZ_CHECK(text.len == json_string_length(item)
                   && memcmp(text.data, json_string_value(item), text.len)
                      == 0,
                   "\"%s\": decoded unlike jansson", fuzz_paths[i]);
    }

    json_decref(json);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char                             *body, seed;
    size_t                              len;
    ngx_uint_t                          i, c;
    fuzz_verdict_t                      whole, split, indexed;
    ngx_http_intercom_webhook_value_t  *a, *b;

    if (fuzz_pool == NULL) {
        fuzz_payload_init();
    }

    if (size == 0) {
        return 0;
    }

    seed = data[size - 1];
    len = size - 1;
    body = (u_char *) data;

    a = calloc(fuzz_fields.nslots, sizeof(ngx_http_intercom_webhook_value_t));
    b = calloc(fuzz_fields.nslots, sizeof(ngx_http_intercom_webhook_value_t));
    FUZZ_CHECK(a != NULL && b != NULL, "values");

    fuzz_parse(body, len, seed, 0, a, &whole);
    fuzz_parse(body, len, seed, 1, b, &split);

    fuzz_compare_verdicts(&whole, &split, "split");

    if (whole.rc == NGX_OK) {
        for (i = 0; i < fuzz_fields.nslots; i++) {
            fuzz_compare(&a[i], &b[i], i, "split");
        }

        fuzz_jansson(body, len, a);
    }

    for (c = 0; fuzz_codes[c]; c++) {

        if (ngx_http_intercom_webhook_index_use(fuzz_codes[c]) != NGX_OK) {
            continue;
        }

        ngx_memzero(b, fuzz_fields.nslots
                       * sizeof(ngx_http_intercom_webhook_value_t));

        fuzz_parse_whole(body, len, fuzz_codes[c], b, &indexed);
        fuzz_compare_verdicts(&whole, &indexed, fuzz_codes[c]);

        if (whole.rc == NGX_OK) {
            for (i = 0; i < fuzz_fields.nslots; i++) {
                fuzz_compare(&a[i], &b[i], i, fuzz_codes[c]);
            }
        }
    }

    (void) ngx_http_intercom_webhook_index_use(NULL);

    free(a);
    free(b);

    /* the pool keeps the captured values of one input only */

    ngx_destroy_pool(fuzz_pool);

    fuzz_pool = ngx_create_pool(4096, NULL);
    FUZZ_CHECK(fuzz_pool != NULL, "pool");

    return 0;
}
