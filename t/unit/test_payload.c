
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


/*
 * Unit tests of ngx_http_intercom_webhook_payload.c: the streaming
 * validator and field capture (whole bodies, byte by byte, random
 * splits), its errors and offsets, value decoding, topics, and a
 * differential check against jansson's json_loadb() on a corpus of
 * valid and broken documents.
 *
 * usage: test_payload <directory of the sample payloads>
 *        test_payload --wrap <directory of JSON texts>
 *
 * With --wrap, each file of the directory becomes the value of a member
 * of a notification, {"type":"notification_event","topic":"ping","x":
 * <file>}, and is parsed as a body: one line per file, accepted or the
 * error; files named y_* must be accepted and n_* rejected (the naming
 * of JSONTestSuite's test_parsing), i_* are listed either way.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <jansson.h>
#include <dirent.h>

#include "ngx_http_intercom_webhook.h"


#define MAX_VALUE  NGX_HTTP_INTERCOM_WEBHOOK_MAX_VALUE

#define T_MISSING  NGX_HTTP_INTERCOM_WEBHOOK_MISSING
#define T_NULL     NGX_HTTP_INTERCOM_WEBHOOK_NULL
#define T_STRING   NGX_HTTP_INTERCOM_WEBHOOK_STRING
#define T_NUMBER   NGX_HTTP_INTERCOM_WEBHOOK_NUMBER
#define T_TRUE     NGX_HTTP_INTERCOM_WEBHOOK_TRUE
#define T_FALSE    NGX_HTTP_INTERCOM_WEBHOOK_FALSE
#define T_OBJECT   NGX_HTTP_INTERCOM_WEBHOOK_OBJECT
#define T_ARRAY    NGX_HTTP_INTERCOM_WEBHOOK_ARRAY
#define T_TOO_LONG NGX_HTTP_INTERCOM_WEBHOOK_TOO_LONG

#define CHECK(c, ...)  check((c) ? 1 : 0, __LINE__, __VA_ARGS__)

/* the corpus: -DTEST_SEED=... -DTEST_DOCS=... for a longer run */
#ifndef TEST_SEED
#define TEST_SEED  0x9e3779b97f4a7c15ULL
#endif
#ifndef TEST_DOCS
#define TEST_DOCS  4000
#endif

/* split modes */
#define WHOLE      0
#define BYTES      1
#define RANDOM     2
#define CHUNKS     3
/* parse_whole, with the index's code set by index_use() */
#define INDEXED    4


extern ngx_int_t  ngx_stubs_alloc_fail;


/* the index's vector codes, each compared with the streaming parser */
static const char  *codes[] = { "avx512", "avx2", NULL };


typedef struct {
    u_char      *data;
    size_t       len;
    size_t       size;
} buf_t;


typedef struct {
    ngx_int_t    rc;
    ngx_int_t    code;
    const char  *error;       /* NULL or text */
    off_t        offset;
    ngx_uint_t   indexed;     /* parse_whole's verdict from the index */
    buf_t        dump;
    char         text[NGX_HTTP_INTERCOM_WEBHOOK_ERR_LEN];
} result_t;


static ngx_uint_t   passed;
static ngx_uint_t   failed;
static uint64_t     rng = TEST_SEED;
static ngx_pool_t  *pool;

static ngx_http_intercom_webhook_fields_t  fields;
static ngx_int_t                           slots[64];
static ngx_http_intercom_webhook_value_t   values[64];


/* the paths captured in every test */

static const char  *paths[] = {
    "topic",
    "id",
    "app_id",
    "type",
    "self",
    "links",
    "data",
    "data.type",
    "data.item",
    "data.item.id",
    "data.item.type",
    "data.item.deleted",
    "data.item.user.name",
    "data.item.conversation_message.body",
    "data.item.conversation_parts.conversation_parts",
    "delivery_status",
    "delivery_attempts",
    "created_at",
    "first_sent_at",
    "a",
    "a.b",
    "a.b.c",
    "b",
    "k.a",
    "k.k.k.k.k.k.k.k",
    NULL
};


static void
check(int ok, int line, const char *fmt, ...)
{
    va_list  args;

    if (ok) {
        passed++;
        return;
    }

    failed++;

    va_start(args, fmt);
    fprintf(stderr, "FAIL test_payload.c:%d: ", line);
    vfprintf(stderr, fmt, args);
    fprintf(stderr, "\n");
    va_end(args);
}


static uint64_t
rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;

    return rng * 2685821657736338717ULL;
}


static size_t
rnd_n(size_t n)
{
    return n ? (size_t) (rnd() % n) : 0;
}


static void
buf_add(buf_t *b, const void *data, size_t len)
{
    if (len == 0) {
        return;
    }

    if (b->len + len > b->size) {
        b->size = (b->len + len) * 2 + 64;
        b->data = realloc(b->data, b->size);
        if (b->data == NULL) {
            abort();
        }
    }

    memcpy(b->data + b->len, data, len);
    b->len += len;
}


static void
buf_str(buf_t *b, const char *s)
{
    buf_add(b, s, strlen(s));
}


static void
buf_byte(buf_t *b, u_char c)
{
    buf_add(b, &c, 1);
}


static void
buf_printf(buf_t *b, const char *fmt, ...)
{
    int      n;
    char     tmp[256];
    va_list  args;

    va_start(args, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, args);
    va_end(args);

    buf_add(b, tmp, (size_t) n < sizeof(tmp) ? (size_t) n : sizeof(tmp) - 1);
}


static void
setup_fields(void)
{
    ngx_str_t   path;
    ngx_uint_t  i;

    ngx_memzero(&fields, sizeof(fields));

    for (i = 0; paths[i]; i++) {
        path.data = (u_char *) paths[i];
        path.len = strlen(paths[i]);

        slots[i] = ngx_http_intercom_webhook_fields_add(&fields, &path, pool);

        CHECK(slots[i] >= 0, "fields_add(\"%s\") = %d", paths[i],
              (int) slots[i]);
    }
}


static ngx_int_t
slot_of(const char *path)
{
    ngx_uint_t  i;

    for (i = 0; paths[i]; i++) {
        if (strcmp(paths[i], path) == 0) {
            return slots[i];
        }
    }

    abort();
}


static ngx_http_intercom_webhook_value_t *
value_of(const char *path)
{
    return &values[slot_of(path)];
}


/*
 * Feeds the body in pieces, each copied into its own buffer that is
 * wiped and freed after the call, as a reused read buffer would be.
 */

static void
run(const u_char *body, size_t len, int mode, result_t *res)
{
    u_char                              *piece;
    size_t                               off, n;
    ngx_int_t                            rc;
    ngx_uint_t                           i;
    ngx_http_intercom_webhook_parser_t   p;

    res->dump.len = 0;

    rc = ngx_http_intercom_webhook_parser_init(&p, &fields, values, pool);
    if (rc != NGX_OK) {
        res->rc = rc;
        res->code = -1;
        res->error = "init";
        res->offset = 0;
        return;
    }

    rc = NGX_AGAIN;

    if (mode == INDEXED) {
        piece = malloc(len ? len : 1);
        if (piece == NULL) {
            abort();
        }

        memcpy(piece, body, len);

        rc = ngx_http_intercom_webhook_parse_whole(&p, piece, piece + len);

        memset(piece, 0xa5, len);
        free(piece);

        /* no piece left for the loop */
        len = 0;
    }

    for (off = 0; off < len; off += n) {

        switch (mode) {
        case BYTES:
            n = 1;
            break;
        case RANDOM:
            n = 1 + rnd_n(rnd_n(2) ? 8 : 300);
            break;
        case CHUNKS:
            n = 4096;
            break;
        default:
            n = len;
        }

        if (n > len - off) {
            n = len - off;
        }

        piece = malloc(n ? n : 1);
        if (piece == NULL) {
            abort();
        }

        memcpy(piece, body + off, n);

        rc = ngx_http_intercom_webhook_parse(&p, piece, piece + n);

        memset(piece, 0xa5, n);
        free(piece);

        if (rc != NGX_AGAIN) {
            break;
        }
    }

    if (rc == NGX_AGAIN) {
        rc = ngx_http_intercom_webhook_parse_done(&p);
    }

    /* the error text may be in the parser: copied */

    res->rc = rc;
    res->code = p.code;
    res->error = NULL;
    res->offset = p.offset;
    res->indexed = p.indexed;

    if (rc != NGX_OK) {
        snprintf(res->text, sizeof(res->text), "%s", p.error);
        res->error = res->text;
    }

    if ((rc == NGX_OK) != (p.code == NGX_HTTP_INTERCOM_WEBHOOK_PARSE_NONE)) {
        CHECK(0, "code %d for rc %d", (int) p.code, (int) rc);
    }

    if (rc != NGX_OK) {
        return;
    }

    for (i = 0; i < fields.nslots; i++) {
        buf_printf(&res->dump, "%u:%d:%d:", (unsigned) i, (int) values[i].type,
                   (int) values[i].escaped);
        buf_add(&res->dump, values[i].raw.data, values[i].raw.len);
        buf_str(&res->dump, "|");
    }
}


static int
same_result(result_t *a, result_t *b)
{
    if (a->rc != b->rc || a->code != b->code || a->offset != b->offset) {
        return 0;
    }

    if (a->rc != NGX_OK) {
        return strcmp(a->error, b->error) == 0;
    }

    return a->dump.len == b->dump.len
           && memcmp(a->dump.data, b->dump.data, a->dump.len) == 0;
}


/* the value jansson has at a dot-separated path, or NULL */

static json_t *
dom_get(json_t *json, const char *path)
{
    char         key[128];
    const char  *dot;

    for ( ;; ) {
        if (!json_is_object(json)) {
            return NULL;
        }

        dot = strchr(path, '.');

        if (dot == NULL) {
            return json_object_get(json, path);
        }

        memcpy(key, path, dot - path);
        key[dot - path] = '\0';

        json = json_object_get(json, key);
        path = dot + 1;
    }
}


/* the captures must be what jansson's tree holds at each path */

static int
same_as_dom(json_t *root, const char *name)
{
    int                                 ok;
    json_t                             *j, *n;
    ngx_str_t                           text;
    ngx_uint_t                          i;
    json_error_t                        err;
    ngx_http_intercom_webhook_value_t  *v;

    ok = 1;

    for (i = 0; paths[i]; i++) {
        v = &values[slots[i]];
        j = dom_get(root, paths[i]);

        if (j == NULL) {
            if (v->type != T_MISSING) {
                fprintf(stderr, "%s: %s: %d, jansson has nothing\n", name,
                        paths[i], (int) v->type);
                ok = 0;
            }

            continue;
        }

        switch (json_typeof(j)) {

        case JSON_OBJECT:
            ok &= (v->type == T_OBJECT);
            break;

        case JSON_ARRAY:
            ok &= (v->type == T_ARRAY);
            break;

        case JSON_TRUE:
            ok &= (v->type == T_TRUE);
            break;

        case JSON_FALSE:
            ok &= (v->type == T_FALSE);
            break;

        case JSON_NULL:
            ok &= (v->type == T_NULL);
            break;

        case JSON_STRING:
            if (v->type == T_TOO_LONG) {
                break;
            }

            if (v->type != T_STRING
                || ngx_http_intercom_webhook_value_string(v, &text, pool)
                   != NGX_OK
                || text.len != json_string_length(j)
                || memcmp(text.data, json_string_value(j), text.len) != 0)
            {
                ok = 0;
            }

            break;

        default: /* JSON_INTEGER, JSON_REAL */
            if (v->type == T_TOO_LONG) {
                break;
            }

            if (v->type != T_NUMBER) {
                ok = 0;
                break;
            }

            n = json_loadb((char *) v->raw.data, v->raw.len, JSON_DECODE_ANY,
                           &err);

            /* beyond jansson's range: jansson had "0" in its place */

            if (n == NULL
                ? json_error_code(&err) != json_error_numeric_overflow
                : !json_equal(n, j))
            {
                ok = 0;
            }

            if (n) {
                json_decref(n);
            }
        }

        if (!ok) {
            fprintf(stderr, "%s: %s differs from jansson (type %d)\n", name,
                    paths[i], (int) v->type);
            break;
        }
    }

    return ok;
}


/* whole, byte by byte, in 4 KB chunks and randomly split: all the same */

static void
consistent(const u_char *body, size_t len, const char *name, result_t *whole)
{
    int       i, ok;
    result_t  r;

    ngx_memzero(&r, sizeof(r));

    run(body, len, WHOLE, whole);

    ok = 1;

    run(body, len, BYTES, &r);
    ok &= same_result(whole, &r);

    run(body, len, CHUNKS, &r);
    ok &= same_result(whole, &r);

    for (i = 0; i < 3; i++) {
        run(body, len, RANDOM, &r);
        ok &= same_result(whole, &r);
    }

    CHECK(ok, "%s: pieces change the result (whole: %d %s at %d)", name,
          (int) whole->rc, whole->error ? whole->error : "",
          (int) whole->offset);

    /* parse_whole, with each vector code of the index this CPU has */

    whole->indexed = 0;

    for (i = 0; codes[i]; i++) {
        if (ngx_http_intercom_webhook_index_use(codes[i]) != NGX_OK) {
            continue;
        }

        run(body, len, INDEXED, &r);

        CHECK(same_result(whole, &r), "%s: parse_whole (%s) differs "
              "(whole: %d %s at %d; %d %s at %d)", name, codes[i],
              (int) whole->rc, whole->error ? whole->error : "",
              (int) whole->offset, (int) r.rc, r.error ? r.error : "",
              (int) r.offset);

        CHECK(r.rc == NGX_OK || !r.indexed, "%s: an error from the index",
              name);

        whole->indexed |= r.indexed;
    }

    (void) ngx_http_intercom_webhook_index_use(NULL);

    free(r.dump.data);
}


static u_char *
read_file(const char *dir, const char *name, size_t *len)
{
    FILE    *f;
    char     path[1024];
    u_char  *data;
    long     size;

    snprintf(path, sizeof(path), "%s/%s", dir, name);

    f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        return NULL;
    }

    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);

    data = malloc(size + 1);
    if (data == NULL || fread(data, 1, size, f) != (size_t) size) {
        abort();
    }

    fclose(f);

    *len = size;

    return data;
}


static int
text_is(ngx_http_intercom_webhook_value_t *v, const char *expect)
{
    ngx_str_t  text;

    if (ngx_http_intercom_webhook_value_text(v, &text, pool) != NGX_OK) {
        return 0;
    }

    return text.len == strlen(expect)
           && memcmp(text.data, expect, text.len) == 0;
}


static void
test_samples(const char *dir)
{
    json_t        *root;
    size_t         len;
    u_char        *body;
    result_t       res;
    ngx_uint_t     i;
    json_error_t   err;

    static const char  *names[] = {
        "ping.json",
        "conversation.user.created.json",
        "contact.user.created.json",
        "contact.deleted.json",
        "conversation.admin.replied.large.json",
        NULL
    };

    static const char  *topics[] = {
        "ping",
        "conversation.user.created",
        "contact.user.created",
        "contact.deleted",
        "conversation.admin.replied"
    };

    ngx_memzero(&res, sizeof(res));

    for (i = 0; names[i]; i++) {
        body = read_file(dir, names[i], &len);

        CHECK(body != NULL, "%s: read", names[i]);

        if (body == NULL) {
            continue;
        }

        consistent(body, len, names[i], &res);

        CHECK(res.rc == NGX_OK, "%s: %s at %d", names[i],
              res.error ? res.error : "", (int) res.offset);
        CHECK(res.offset == (off_t) len, "%s: offset %d", names[i],
              (int) res.offset);

        /* a notification is what the index settles */

        CHECK(res.indexed || ngx_http_intercom_webhook_index_code() == NULL,
              "%s: parse_whole (%s) left it to the streaming parser",
              names[i], ngx_http_intercom_webhook_index_code());

        run(body, len, WHOLE, &res);

        root = json_loadb((char *) body, len, 0, &err);

        CHECK(root != NULL, "%s: jansson: %s", names[i], err.text);

        if (root) {
            CHECK(same_as_dom(root, names[i]), "%s: captures", names[i]);
            json_decref(root);
        }

        CHECK(text_is(value_of("topic"), topics[i]), "%s: topic", names[i]);
        CHECK(text_is(value_of("type"), "notification_event"), "%s: type",
              names[i]);
        CHECK(text_is(value_of("app_id"), "q3fz8k2m"), "%s: app_id",
              names[i]);
        CHECK(value_of("data")->type == T_OBJECT, "%s: data", names[i]);
        CHECK(value_of("data.item")->type == T_OBJECT, "%s: data.item",
              names[i]);
        CHECK(value_of("links")->type == T_OBJECT, "%s: links", names[i]);
        CHECK(value_of("self")->type == T_NULL, "%s: self", names[i]);
        CHECK(text_is(value_of("delivery_attempts"), "1"),
              "%s: delivery_attempts", names[i]);
        CHECK(value_of("created_at")->type == T_NUMBER, "%s: created_at",
              names[i]);

        if (i == 0) {
            CHECK(value_of("id")->type == T_NULL, "ping: id null");
            CHECK(value_of("data.item.id")->type == T_MISSING,
                  "ping: no item id");
            CHECK(text_is(value_of("created_at"), "1764412800"),
                  "ping: created_at");

        } else {
            CHECK(value_of("id")->type == T_STRING
                  && value_of("id")->raw.len == 44, "%s: id", names[i]);
            CHECK(value_of("data.item.id")->type == T_STRING,
                  "%s: data.item.id", names[i]);
        }

        if (i < 2) {
            CHECK(value_of("delivery_status")->type == T_NULL,
                  "%s: delivery_status null", names[i]);

        } else {
            CHECK(text_is(value_of("delivery_status"), "pending"),
                  "%s: delivery_status", names[i]);
        }

        if (i == 3) {
            CHECK(value_of("data.item.deleted")->type == T_TRUE,
                  "contact.deleted: deleted");
            CHECK(text_is(value_of("data.item.deleted"), "true"),
                  "contact.deleted: deleted text");
            CHECK(text_is(value_of("data.item.id"),
                          "69b1e2f40c1d2e3f4a5b6c7d"),
                  "contact.deleted: item id");
        }

        if (i == 4) {
            CHECK(text_is(value_of("data.item.user.name"),
                          "\xc3\x85sa Lindqvist"), "large: user name");
            CHECK(value_of("data.item.conversation_parts.conversation_parts")
                  ->type == T_ARRAY, "large: parts array");
            CHECK(text_is(value_of("data.item.id"), "87120044511"),
                  "large: item id");
        }

        free(body);
    }

    free(res.dump.data);
}


typedef struct {
    const char  *body;
    size_t       len;         /* 0: strlen(body) */
    const char  *error;
    off_t        offset;
} bad_t;


static void
test_invalid(void)
{
    int           nul;
    size_t        len;
    json_t       *json;
    result_t      res;
    ngx_uint_t    i;
    json_error_t  err;

    static const bad_t  bad[] = {
        { "", 0, "empty body", 0 },
        { "  \n\t\r", 0, "empty body", 5 },
        { "[]", 0, "not an object", 0 },
        { "  [{}]", 0, "not an object", 2 },
        { "\"x\"", 0, "not an object", 0 },
        { "1", 0, "not an object", 0 },
        { "-1", 0, "not an object", 0 },
        { "null", 0, "not an object", 0 },
        { "true", 0, "not an object", 0 },
        { "x", 0, "unexpected character", 0 },
        { "\xef\xbb\xbf{}", 0, "unexpected character", 0 },
        { "{", 0, "truncated", 1 },
        { "{\"a\"", 0, "truncated", 4 },
        { "{\"a\":", 0, "truncated", 5 },
        { "{\"a\"", 0, "truncated", 4 },
        { "{\"a", 0, "unterminated string", 3 },
        { "{\"a\":\"x", 0, "unterminated string", 7 },
        { "{\"a\":\"\\u12", 0, "unterminated string", 10 },
        { "{\"a\":\"\\", 0, "unterminated string", 7 },
        { "{\"a\":\"\xe2\x82", 0, "unterminated string", 8 },
        { "{\"a\":1", 0, "truncated", 6 },
        { "{\"a\":-", 0, "truncated", 6 },
        { "{\"a\":nu", 0, "truncated", 7 },
        { "{\"a\":[1", 0, "truncated", 7 },
        { "{\"a\":{}", 0, "truncated", 7 },
        { "{\"a\":1}x", 0, "garbage after the object", 7 },
        { "{\"a\":1} {}", 0, "garbage after the object", 8 },
        { "{\"a\":1}}", 0, "garbage after the object", 7 },
        { "{}\x0c", 0, "garbage after the object", 2 },
        { "{}\0", 3, "garbage after the object", 2 },
        { "{\"a\":true\0}", 11, "unexpected character", 9 },
        { "{\"a\":1\0}", 8, "unexpected character", 6 },
        { "{\x0c}", 0, "unexpected character", 1 },
        { "{\x0b}", 0, "unexpected character", 1 },
        { "{\0}", 3, "unexpected character", 1 },
        { "{,}", 0, "unexpected character", 1 },
        { "{'a':1}", 0, "unexpected character", 1 },
        { "{a:1}", 0, "unexpected character", 1 },
        { "{\"a\":1,}", 0, "unexpected character", 7 },
        { "{\"a\":[1,]}", 0, "unexpected character", 8 },
        { "{\"a\":[,1]}", 0, "unexpected character", 6 },
        { "{\"a\" 1}", 0, "unexpected character", 5 },
        { "{\"a\"::1}", 0, "unexpected character", 5 },
        { "{\"a\":1 2}", 0, "unexpected character", 7 },
        { "{\"a\":1,\"b\"}", 0, "unexpected character", 10 },
        { "{\"a\":[}", 0, "unexpected character", 6 },
        { "{\"a\":{]}", 0, "unexpected character", 6 },
        { "{\"a\":[1}", 0, "unexpected character", 7 },
        { "{\"a\":{\"b\":1]}", 0, "unexpected character", 11 },
        { "{\"a\":01}", 0, "invalid number", 6 },
        { "{\"a\":00}", 0, "invalid number", 6 },
        { "{\"a\":-01}", 0, "invalid number", 7 },
        { "{\"a\":1.}", 0, "invalid number", 7 },
        { "{\"a\":1.e5}", 0, "invalid number", 7 },
        { "{\"a\":.5}", 0, "unexpected character", 5 },
        { "{\"a\":+1}", 0, "unexpected character", 5 },
        { "{\"a\":1e}", 0, "invalid number", 7 },
        { "{\"a\":1E+}", 0, "invalid number", 8 },
        { "{\"a\":1e-x}", 0, "invalid number", 8 },
        { "{\"a\":-}", 0, "invalid number", 6 },
        { "{\"a\":--1}", 0, "invalid number", 6 },
        { "{\"a\":-a}", 0, "invalid number", 6 },
        { "{\"a\":1.5.2}", 0, "unexpected character", 8 },
        { "{\"a\":0x1}", 0, "unexpected character", 6 },
        { "{\"a\":1e5e5}", 0, "unexpected character", 8 },
        { "{\"a\":Infinity}", 0, "unexpected character", 5 },
        { "{\"a\":NaN}", 0, "unexpected character", 5 },
        { "{\"a\":tru}", 0, "unexpected character", 8 },
        { "{\"a\":truex}", 0, "unexpected character", 9 },
        { "{\"a\":nul}", 0, "unexpected character", 8 },
        { "{\"a\":True}", 0, "unexpected character", 5 },
        { "{\"a\":fals}", 0, "unexpected character", 9 },
        { "{\"a\":nulll}", 0, "unexpected character", 9 },
        { "{\"a\":\"\x01\"}", 0, "control character in a string", 6 },
        { "{\"a\":\"\x1f\"}", 0, "control character in a string", 6 },
        { "{\"a\":\"\t\"}", 0, "control character in a string", 6 },
        { "{\"a\":\"\n\"}", 0, "control character in a string", 6 },
        { "{\"a\":\"\0\"}", 9, "control character in a string", 6 },
        { "{\"a\x0a\":1}", 0, "control character in a string", 3 },
        { "{\"a\":\"0123456789abcdef\x01\"}", 0,
          "control character in a string", 22 },
        { "{\"a\":\"\\x\"}", 0, "invalid escape", 7 },
        { "{\"a\":\"\\U0041\"}", 0, "invalid escape", 7 },
        { "{\"a\":\"\\'\"}", 0, "invalid escape", 7 },
        { "{\"a\":\"\\u12G4\"}", 0, "invalid escape", 10 },
        { "{\"a\":\"\\u\"}", 0, "invalid escape", 8 },
        { "{\"\\a\":1}", 0, "invalid escape", 3 },
        { "{\"a\":\"\\ud800\"}", 0, "invalid surrogate pair", 12 },
        { "{\"a\":\"\\udbff x\"}", 0, "invalid surrogate pair", 12 },
        { "{\"a\":\"\\udc00\"}", 0, "invalid surrogate pair", 11 },
        { "{\"a\":\"\\uDFFF\"}", 0, "invalid surrogate pair", 11 },
        { "{\"a\":\"\\ud800\\u0041\"}", 0, "invalid surrogate pair", 17 },
        { "{\"a\":\"\\ud800\\ud800\"}", 0, "invalid surrogate pair", 17 },
        { "{\"a\":\"\\ud800\\ue000\"}", 0, "invalid surrogate pair", 17 },
        { "{\"a\":\"\\ud800\\n\"}", 0, "invalid surrogate pair", 13 },
        { "{\"a\":\"\\ud800\\\"}", 0, "invalid surrogate pair", 13 },
        { "{\"\\udc01\":1}", 0, "invalid surrogate pair", 7 },
        { "{\"a\":\"\xc0\x80\"}", 0, "invalid UTF-8", 6 },
        { "{\"a\":\"\xc1\xbf\"}", 0, "invalid UTF-8", 6 },
        { "{\"a\":\"\xe0\x9f\xbf\"}", 0, "invalid UTF-8", 7 },
        { "{\"a\":\"\xe0\x80\x80\"}", 0, "invalid UTF-8", 7 },
        { "{\"a\":\"\xed\xa0\x80\"}", 0, "invalid UTF-8", 7 },
        { "{\"a\":\"\xed\xbf\xbf\"}", 0, "invalid UTF-8", 7 },
        { "{\"a\":\"\xf0\x8f\xbf\xbf\"}", 0, "invalid UTF-8", 7 },
        { "{\"a\":\"\xf4\x90\x80\x80\"}", 0, "invalid UTF-8", 7 },
        { "{\"a\":\"\xf5\x80\x80\x80\"}", 0, "invalid UTF-8", 6 },
        { "{\"a\":\"\xf8\x88\x80\x80\x80\"}", 0, "invalid UTF-8", 6 },
        { "{\"a\":\"\xfe\"}", 0, "invalid UTF-8", 6 },
        { "{\"a\":\"\xff\"}", 0, "invalid UTF-8", 6 },
        { "{\"a\":\"\x80\"}", 0, "invalid UTF-8", 6 },
        { "{\"a\":\"\xbf\"}", 0, "invalid UTF-8", 6 },
        { "{\"a\":\"\xc3\"}", 0, "invalid UTF-8", 7 },
        { "{\"a\":\"\xc3\xc3\xa9\"}", 0, "invalid UTF-8", 7 },
        { "{\"a\":\"\xe2\x82\"}", 0, "invalid UTF-8", 8 },
        { "{\"a\":\"\xe2\x82\x41\"}", 0, "invalid UTF-8", 8 },
        { "{\"a\":\"\xf0\x9f\x98\"}", 0, "invalid UTF-8", 9 },
        { "{\"a\":\"\xf0\x9f\x98\xc0\"}", 0, "invalid UTF-8", 9 },
        { "{\"a\":\"abcdefgh\xe9t\xe9\"}", 0, "invalid UTF-8", 15 },
        { "{\"\xe9\":1}", 0, "invalid UTF-8", 3 },
        { "{\"a\":1\xc3\xa9}", 0, "unexpected character", 6 },
        { NULL, 0, NULL, 0 }
    };

    static const char  *good[] = {
        "{}",
        " \n{ } \n\r\t ",
        "{\"a\":9223372036854775807}",
        "{\"a\":-9223372036854775808}",
        "{\"a\":922337203685477580}",
        "{\"a\":1e308}",
        "{\"a\":1.7976931348623157e308}",
        "{\"a\":1.7976931348623158e308}",
        "{\"a\":179769313486231580793728971405303415079934132710037826936173"
        "778980444968292764750946649017977587207096330286416692887910946555"
        "547851940402630657488671505820681908902000708383676273854845817711"
        "531764475730270069855571366959622842914819860834936475292719074168"
        "444365510704342711559699508093042880177904174497791.9}",
        "{\"a\":179769313486231580793728971405303415079934132710037826936173"
        "778980444968292764750946649017977587207096330286416692887910946555"
        "547851940402630657488671505820681908902000708383676273854845817711"
        "531764475730270069855571366959622842914819860834936475292719074168"
        "444365510704342711559699508093042880177904174497791.99999999999999"
        "999999999999999999999999999999999999999999999999999999999999999e0}",
        "{\"a\":1e-99999}",
        "{\"a\":0.000000000000000000000000000000000001e340}",
        "{\"a\":0e99999}",
        "{\"a\":-0.0e-0}",
        "{\"a\":-0}",
        "{\"a\":1E+2,\"b\":1e-2,\"c\":1.25E2}",
        "{\"a\":\"\x7f\"}",
        "{\"a\":\"\\ud800\\udc00\\udbff\\udfff\"}",
        "{\"a\":\"\\u0001\\u001f\\u007f\\uFFFF\\uffff\"}",
        "{\"a\":\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\"}",
        "{\"a\":\"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\xed\x9f\xbf\xee\x80\x80\"}",
        "{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}",
        "{\"\":\"\",\"\":{}}",
        "{\"a\":[[],{},[{}],{\"a\":[]}],\"b\":[true,false,null,0,\"\"]}",
        "{\"a\" : 1 ,\n \"b\"\t:\r[ 1 , 2 ] }\n",
        "{\"a\":\"\\u0000\"}",
        "{\"a\":\"x\\u0000y\",\"b\":[\"\\u0000\\u0000\"],"
        "\"c\":{\"d\":\"\\u0000\"}}",
        NULL
    };

    /*
     * valid JSON that jansson rejects: NUL in keys, numbers beyond 64-bit
     * integers and doubles
     */

    static const char  *beyond[] = {
        "{\"\\u0000\":1}",
        "{\"a\\u0000b\":1,\"\\u0000\":{\"\\u0000\":2}}",
        "{\"a\":1e309}",
        "{\"a\":-1e309}",
        "{\"a\":1.8e308}",
        "{\"a\":17976931348623159e292}",
        "{\"a\":0.1e310}",
        "{\"a\":1e999999999999999999}",
        "{\"a\":9223372036854775808}",
        "{\"a\":-9223372036854775809}",
        "{\"a\":10000000000000000000}",
        "{\"a\":18446744073709551616}",
        "{\"a\":[99999999999999999999999]}",
        "{\"a\":1797693134862315807937289714053034150799341327100378269361"
        "737789804449682927647509466490179775872070963302864166928879109465"
        "555478519404026306574886715058206819089020007083836762738548458177"
        "115317644757302700698555713669596228429148198608349364752927190741"
        "68444365510704342711559699508093042880177904174497792}",
        NULL
    };

    ngx_memzero(&res, sizeof(res));

    for (i = 0; bad[i].body; i++) {
        len = bad[i].len ? bad[i].len : strlen(bad[i].body);

        consistent((u_char *) bad[i].body, len, bad[i].body, &res);

        CHECK(res.rc == NGX_ERROR
              && res.code == NGX_HTTP_INTERCOM_WEBHOOK_PARSE_INVALID
              && strcmp(res.error, bad[i].error) == 0
              && res.offset == bad[i].offset,
              "bad #%u: \"%s\": %d \"%s\" at %d, expected \"%s\" at %d",
              (unsigned) i, bad[i].body, (int) res.rc,
              res.error ? res.error : "", (int) res.offset, bad[i].error,
              (int) bad[i].offset);

        json = json_loadb(bad[i].body, len, 0, &err);

        /* see differ() about NUL bytes */
        nul = res.offset > 0 && (size_t) res.offset < len
              && bad[i].body[res.offset] == '\0'
              && isalnum((u_char) bad[i].body[res.offset - 1]);

        CHECK(json == NULL || !json_is_object(json) || nul,
              "bad #%u: jansson accepts \"%s\"", (unsigned) i, bad[i].body);

        if (json) {
            json_decref(json);
        }
    }

    for (i = 0; good[i]; i++) {
        len = strlen(good[i]);

        consistent((u_char *) good[i], len, good[i], &res);

        CHECK(res.rc == NGX_OK, "good #%u: \"%s\": %s at %d", (unsigned) i,
              good[i], res.error ? res.error : "", (int) res.offset);

        json = json_loadb(good[i], len, JSON_ALLOW_NUL, &err);

        CHECK(json != NULL, "good #%u: jansson: %s", (unsigned) i, err.text);

        if (json) {
            json_decref(json);
        }
    }

    for (i = 0; beyond[i]; i++) {
        len = strlen(beyond[i]);

        consistent((u_char *) beyond[i], len, beyond[i], &res);

        CHECK(res.rc == NGX_OK, "beyond #%u: \"%.60s\": %s at %d",
              (unsigned) i, beyond[i], res.error ? res.error : "",
              (int) res.offset);

        json = json_loadb(beyond[i], len, JSON_ALLOW_NUL, &err);

        CHECK(json == NULL, "beyond #%u: jansson accepts it", (unsigned) i);

        if (json) {
            json_decref(json);
        }
    }

    free(res.dump.data);
}


static void
test_depth(void)
{
    buf_t       b;
    size_t      i, n;
    result_t    res;

    ngx_memzero(&b, sizeof(b));
    ngx_memzero(&res, sizeof(res));

    /* the root object and 511 arrays: the limit */

    buf_str(&b, "{\"a\":");
    for (i = 1; i < NGX_HTTP_INTERCOM_WEBHOOK_MAX_DEPTH; i++) {
        buf_str(&b, "[");
    }
    for (i = 1; i < NGX_HTTP_INTERCOM_WEBHOOK_MAX_DEPTH; i++) {
        buf_str(&b, "]");
    }
    buf_str(&b, "}");

    consistent(b.data, b.len, "depth 512", &res);
    CHECK(res.rc == NGX_OK, "depth 512: %s", res.error ? res.error : "");

    b.len = 0;
    buf_str(&b, "{\"a\":");
    for (i = 0; i < NGX_HTTP_INTERCOM_WEBHOOK_MAX_DEPTH; i++) {
        buf_str(&b, "[");
    }
    for (i = 0; i < NGX_HTTP_INTERCOM_WEBHOOK_MAX_DEPTH; i++) {
        buf_str(&b, "]");
    }
    buf_str(&b, "}");

    consistent(b.data, b.len, "depth 513", &res);
    CHECK(res.rc == NGX_ERROR
          && res.code == NGX_HTTP_INTERCOM_WEBHOOK_PARSE_TOO_DEEP
          && strcmp(res.error, "too deeply nested") == 0
          && res.offset == 5 + NGX_HTTP_INTERCOM_WEBHOOK_MAX_DEPTH - 1,
          "depth 513: %s at %d", res.error ? res.error : "",
          (int) res.offset);

    /* objects to the limit, and one more */

    for (n = 0; n < 2; n++) {
        b.len = 0;
        for (i = 0; i < NGX_HTTP_INTERCOM_WEBHOOK_MAX_DEPTH + n; i++) {
            buf_str(&b, "{\"x\":");
        }
        buf_str(&b, "0");
        for (i = 0; i < NGX_HTTP_INTERCOM_WEBHOOK_MAX_DEPTH + n; i++) {
            buf_str(&b, "}");
        }

        consistent(b.data, b.len, "deep objects", &res);
        CHECK(n ? res.code == NGX_HTTP_INTERCOM_WEBHOOK_PARSE_TOO_DEEP
                : res.rc == NGX_OK,
              "%u objects: %s", (unsigned) (NGX_HTTP_INTERCOM_WEBHOOK_MAX_DEPTH
                                            + n),
              res.error ? res.error : "");
    }

    /* objects deeper than any path, on and off the tree */

    b.len = 0;
    for (i = 0; i < 200; i++) {
        buf_str(&b, (i % 2) ? "{\"k\":[" : "{\"k\":{\"a\":1,\"k\":");
    }
    buf_str(&b, "1");
    for (i = 200; i-- > 0; /* void */) {
        buf_str(&b, (i % 2) ? "]}" : "}}");
    }

    consistent(b.data, b.len, "deep k", &res);
    CHECK(res.rc == NGX_OK, "deep k: %s", res.error ? res.error : "");
    CHECK(value_of("k.a")->type == T_NUMBER, "deep k: k.a");
    CHECK(value_of("k.k.k.k.k.k.k.k")->type == T_MISSING, "deep k: path");

    b.len = 0;
    for (i = 0; i < 9; i++) {
        buf_str(&b, "{\"k\":");
    }
    buf_str(&b, "\"deep\"");
    for (i = 0; i < 9; i++) {
        buf_str(&b, "}");
    }

    consistent(b.data, b.len, "k^8", &res);
    CHECK(res.rc == NGX_OK, "k^8: %s", res.error ? res.error : "");
    CHECK(value_of("k.k.k.k.k.k.k.k")->type == T_OBJECT, "k^8: object");

    b.len = 0;
    for (i = 0; i < 8; i++) {
        buf_str(&b, "{\"k\":");
    }
    buf_str(&b, "\"deep\"");
    for (i = 0; i < 8; i++) {
        buf_str(&b, "}");
    }

    consistent(b.data, b.len, "k^8 string", &res);
    CHECK(res.rc == NGX_OK, "k^8 string: %s", res.error ? res.error : "");
    CHECK(text_is(value_of("k.k.k.k.k.k.k.k"), "deep"), "k^8: string");

    free(b.data);
    free(res.dump.data);
}


static int
string_is(const char *path, const char *expect, size_t len)
{
    ngx_str_t  text;

    if (ngx_http_intercom_webhook_value_string(value_of(path), &text, pool)
        != NGX_OK)
    {
        return 0;
    }

    return text.len == len && memcmp(text.data, expect, len) == 0;
}


static int
raw_is(const char *path, ngx_uint_t type, const char *raw)
{
    ngx_http_intercom_webhook_value_t  *v;

    v = value_of(path);

    return v->type == type
           && v->raw.len == strlen(raw)
           && memcmp(v->raw.data, raw, v->raw.len) == 0;
}


static int
parse_ok(const char *body, const char *name)
{
    result_t  res;

    ngx_memzero(&res, sizeof(res));

    consistent((u_char *) body, strlen(body), name, &res);

    CHECK(res.rc == NGX_OK, "%s: %s at %d", name, res.error ? res.error : "",
          (int) res.offset);

    free(res.dump.data);

    /* the values of the last run, a random split: as the whole one */

    return res.rc == NGX_OK;
}


static size_t
last_of(const char *s, const char *needle)
{
    const char  *p, *found;

    found = NULL;

    for (p = strstr(s, needle); p; p = strstr(p + 1, needle)) {
        found = p;
    }

    return found ? (size_t) (found - s) : (size_t) -1;
}


static void
test_captures(void)
{
    buf_t       b;
    size_t      i, start;
    ngx_str_t   text;
    result_t    res;

    static const struct {
        const char  *body;
        const char  *error;
        const char  *at;      /* the offset: the last one of these */
    } dups[] = {
        { "{\"topic\":\"x\",\"topic\":\"y\"}",
          "duplicate key \"topic\"", "\"topic\"" },
        { "{\"topic\":\"x\",\"topic\":null}",
          "duplicate key \"topic\"", "\"topic\"" },
        { "{\"topic\":\"x\",\"t\\u006fpic\":\"y\"}",
          "duplicate key \"topic\"", "\"t\\u006fpic\"" },
        { "{\"\\u0074opic\":\"x\",\n  \"topic\" : \"y\"}",
          "duplicate key \"topic\"", "\"topic\"" },
        { "{\"self\":null,\"self\":null}",
          "duplicate key \"self\"", "\"self\"" },
        { "{\"data\":{\"item\":{\"id\":\"1\"}},\"data\":{}}",
          "duplicate key \"data\"", "\"data\"" },
        { "{\"data\":5,\"data\":{\"item\":{\"id\":7}}}",
          "duplicate key \"data\"", "\"data\"" },
        { "{\"data\":[],\"x\":1,\"d\\u0061ta\":[]}",
          "duplicate key \"data\"", "\"d\\u0061ta\"" },
        { "{\"data\":{\"item\":{\"id\":7,\"id\":8}}}",
          "duplicate key \"data.item.id\"", "\"id\"" },
        { "{\"data\":{\"item\":{\"id\":1},\"item\":{\"type\":\"t\"}}}",
          "duplicate key \"data.item\"", "\"item\"" },
        { "{\"data\":{\"type\":\"x\",\"item\":{\"type\":\"c\"},"
          "\"type\":\"y\"}}",
          "duplicate key \"data.type\"", "\"type\"" },
        { "{\"k\":{\"k\":{\"k\":{\"k\":{\"k\":{\"k\":{\"k\":{\"k\":1,"
          "\"k\":2}}}}}}}}",
          "duplicate key \"k.k.k.k.k.k.k.k\"", "\"k\"" },
        { "{\"a\":{\"b\":{\"c\":1,\"x\":2,\"c\":3}}}",
          "duplicate key \"a.b.c\"", "\"c\"" },
        { NULL, NULL, NULL }
    };

    static const char  *repeats[] = {
        "{\"x\":1,\"x\":2}",
        "{\"x\":{\"topic\":1},\"x\":{\"topic\":2}}",
        "{\"l\":[{\"topic\":1,\"topic\":2},{\"data\":1,\"data\":2}]}",
        "{\"data\":[{\"item\":1},{\"item\":2}]}",
        "{\"data\":{\"zz\":1,\"zz\":2,\"item\":{\"q\":1,\"q\":2}}}",
        "{\"top\\\"ic\":1,\"top\\\"ic\":2,\"topicc\":1,\"topicc\":2}",
        "{\"Topic\":1,\"Topic\":2,\"topi\":3,\"topi\":4}",
        "{\"a\":{\"b\":1},\"b\":{\"b\":2}}",
        "{\"k\":{\"a\":1,\"k\":{\"a\":2}}}",
        "{\"\":1,\"\":2}",
        "{\"\\u0000\":1,\"\\u0000\":2}",
        NULL
    };

    ngx_memzero(&b, sizeof(b));
    ngx_memzero(&res, sizeof(res));

    /* escapes in keys: matched by the decoded key */

    if (parse_ok("{\"to\\u0070ic\":\"ping\"}", "escaped key")) {
        CHECK(raw_is("topic", T_STRING, "\"ping\"")
              && !value_of("topic")->escaped, "escaped key: topic");
    }

    if (parse_ok("{\"\\u0074\\u006F\\u0070\\u0069\\u0063\":1}", "all \\u")) {
        CHECK(raw_is("topic", T_NUMBER, "1"), "all \\u: topic");
    }

    if (parse_ok("{\"d\\u0061ta\":{\"it\\u0065m\":{\"\\u0069d\":\"5\"}}}",
                 "escaped path"))
    {
        CHECK(raw_is("data.item.id", T_STRING, "\"5\""), "escaped path: id");
        CHECK(value_of("data")->type == T_OBJECT, "escaped path: data");
    }

    if (parse_ok("{\"top\\\"ic\":1,\"topi\":3,\"topicc\":4,\"Topic\":5}",
                 "near keys"))
    {
        CHECK(value_of("topic")->type == T_MISSING, "near keys: none");
    }

    /* escapes in values */

    if (parse_ok("{\"topic\":\"a\\/b\"}", "escaped value")) {
        CHECK(raw_is("topic", T_STRING, "\"a\\/b\"")
              && value_of("topic")->escaped, "escaped value: raw");
        CHECK(string_is("topic", "a/b", 3), "escaped value: decoded");
        CHECK(text_is(value_of("topic"), "a/b"), "escaped value: text");
    }

    if (parse_ok("{\"topic\":\"\\ud83d\\ude00 \\u00e9\"}", "surrogates")) {
        CHECK(string_is("topic", "\xf0\x9f\x98\x80 \xc3\xa9", 7),
              "surrogates: decoded");
        CHECK(text_is(value_of("topic"), "\xf0\x9f\x98\x80 \xc3\xa9"),
              "surrogates: text");
    }

    if (parse_ok("{\"topic\":\"a\\nb\",\"id\":\"\\u007f\",\"type\":\"\x7f\","
                 "\"app_id\":\"\\t\",\"a\":\"\\\"\\\\\"}", "unsafe"))
    {
        CHECK(string_is("topic", "a\nb", 3), "unsafe: decoded \\n");
        CHECK(!text_is(value_of("topic"), "a\nb"), "unsafe: \\n text");
        CHECK(ngx_http_intercom_webhook_value_text(value_of("id"), &text,
                                                   pool)
              == NGX_DECLINED, "unsafe: \\u007f");
        CHECK(ngx_http_intercom_webhook_value_text(value_of("type"), &text,
                                                   pool)
              == NGX_DECLINED, "unsafe: raw 0x7f");
        CHECK(ngx_http_intercom_webhook_value_text(value_of("app_id"), &text,
                                                   pool)
              == NGX_DECLINED, "unsafe: \\t");
        CHECK(text_is(value_of("a"), "\"\\"), "unsafe: quote, backslash");
    }

    if (parse_ok("{\"topic\":\"\",\"id\":\"\\/\"}", "empty strings")) {
        CHECK(text_is(value_of("topic"), ""), "empty: text");
        CHECK(string_is("id", "/", 1), "empty: escaped");
    }

    /* scalars */

    if (parse_ok("{\"topic\":-12.5e+3,\"id\":true,\"type\":false,"
                 "\"app_id\":null,\"a\":{},\"b\":[],\"self\":0}", "scalars"))
    {
        CHECK(raw_is("topic", T_NUMBER, "-12.5e+3"), "scalars: number");
        CHECK(text_is(value_of("topic"), "-12.5e+3"), "scalars: number text");
        CHECK(ngx_http_intercom_webhook_value_string(value_of("topic"), &text,
                                                     pool)
              == NGX_DECLINED, "scalars: number is not a string");
        CHECK(value_of("id")->type == T_TRUE
              && text_is(value_of("id"), "true"), "scalars: true");
        CHECK(value_of("type")->type == T_FALSE
              && text_is(value_of("type"), "false"), "scalars: false");
        CHECK(value_of("app_id")->type == T_NULL
              && ngx_http_intercom_webhook_value_text(value_of("app_id"),
                                                      &text, pool)
                 == NGX_DECLINED, "scalars: null");
        CHECK(value_of("a")->type == T_OBJECT
              && ngx_http_intercom_webhook_value_text(value_of("a"), &text,
                                                      pool)
                 == NGX_DECLINED, "scalars: object");
        CHECK(value_of("b")->type == T_ARRAY
              && ngx_http_intercom_webhook_value_text(value_of("b"), &text,
                                                      pool)
                 == NGX_DECLINED, "scalars: array");
        CHECK(text_is(value_of("self"), "0"), "scalars: zero");
        CHECK(ngx_http_intercom_webhook_value_text(value_of("links"), &text,
                                                   pool)
              == NGX_DECLINED, "scalars: missing");
        CHECK(value_of("a.b")->type == T_MISSING, "scalars: a.b");
    }

    /* duplicate keys of the tree: an error at the second one */

    for (i = 0; dups[i].body; i++) {
        consistent((u_char *) dups[i].body, strlen(dups[i].body),
                   dups[i].body, &res);

        start = last_of(dups[i].body, dups[i].at);

        CHECK(res.rc == NGX_ERROR
              && res.code == NGX_HTTP_INTERCOM_WEBHOOK_PARSE_DUPLICATE
              && strcmp(res.error, dups[i].error) == 0
              && res.offset == (off_t) start,
              "dup #%u: \"%s\": %s at %d, expected %s at %d", (unsigned) i,
              dups[i].body, res.error ? res.error : "", (int) res.offset,
              dups[i].error, (int) start);
    }

    /* keys the module does not read may repeat */

    for (i = 0; repeats[i]; i++) {
        (void) parse_ok(repeats[i], repeats[i]);
    }

    if (parse_ok("{\"x\":1,\"topic\":\"t\",\"x\":2,\"data\":{\"x\":[],"
                 "\"item\":{\"x\":1,\"id\":\"i\",\"x\":{}},\"x\":3}}",
                 "repeats around"))
    {
        CHECK(raw_is("topic", T_STRING, "\"t\"")
              && raw_is("data.item.id", T_STRING, "\"i\""),
              "repeats around: captures");
    }

    b.len = 0;
    buf_str(&b, "{");
    for (i = 0; i < 1000; i++) {
        buf_str(&b, "\"other\":1,");
    }
    buf_str(&b, "\"topic\":\"t\"}");
    buf_byte(&b, '\0');

    if (parse_ok((char *) b.data, "1000 repeats")) {
        CHECK(raw_is("topic", T_STRING, "\"t\""), "1000 repeats: topic");
    }

    /* the seen keys are per parse: the same fields again */

    if (parse_ok("{\"topic\":\"a\",\"data\":{\"item\":{\"id\":1}}}", "again")
        && parse_ok("{\"topic\":\"b\",\"data\":{\"item\":{\"id\":2}}}",
                    "again 2"))
    {
        CHECK(raw_is("topic", T_STRING, "\"b\"")
              && raw_is("data.item.id", T_NUMBER, "2"), "again: captures");
    }

    /* NUL in strings: accepted, kept in the decoded text, no header text */

    if (parse_ok("{\"topic\":\"a\\u0000b\",\"id\":\"\\u0000\","
                 "\"app_id\":\"ok\",\"\\u0000\":\"\\u0000\"}", "NUL"))
    {
        CHECK(string_is("topic", "a\0b", 3), "NUL: decoded");
        CHECK(ngx_http_intercom_webhook_value_text(value_of("topic"), &text,
                                                   pool)
              == NGX_DECLINED, "NUL: no text");
        CHECK(ngx_http_intercom_webhook_value_text(value_of("id"), &text,
                                                   pool)
              == NGX_DECLINED, "NUL: no text for \\u0000 alone");
        CHECK(text_is(value_of("app_id"), "ok"), "NUL: the others");
    }

    /* numbers of any size: their text as written */

    if (parse_ok("{\"topic\":1e400,\"id\":-123456789012345678901234567890,"
                 "\"app_id\":18446744073709551616,\"type\":0.1e-99999}",
                 "big numbers"))
    {
        CHECK(raw_is("topic", T_NUMBER, "1e400")
              && text_is(value_of("topic"), "1e400"), "big: real");
        CHECK(text_is(value_of("id"), "-123456789012345678901234567890"),
              "big: negative integer");
        CHECK(text_is(value_of("app_id"), "18446744073709551616"),
              "big: 2^64");
        CHECK(text_is(value_of("type"), "0.1e-99999"), "big: tiny");
    }

    /* only the paths: not nested keys of the same name, nor arrays */

    if (parse_ok("{\"x\":{\"topic\":\"no\"},\"topic\":\"yes\",\"l\":"
                 "[{\"topic\":\"no\"}]}", "nested"))
    {
        CHECK(raw_is("topic", T_STRING, "\"yes\""), "nested: topic");
    }

    if (parse_ok("{\"data\":[{\"item\":{\"id\":1}}]}", "array")) {
        CHECK(value_of("data")->type == T_ARRAY, "array: data");
        CHECK(value_of("data.item.id")->type == T_MISSING, "array: id");
    }

    if (parse_ok("{\"a\":{\"b\":{\"c\":[1,2]}}}", "a.b.c")) {
        CHECK(value_of("a")->type == T_OBJECT
              && value_of("a.b")->type == T_OBJECT
              && value_of("a.b.c")->type == T_ARRAY, "a.b.c: types");
    }

    /* long keys: off the tree, still checked */

    b.len = 0;
    buf_str(&b, "{\"");
    for (i = 0; i < 1000; i++) {
        buf_str(&b, (i % 7) ? "t" : "\\u0074");
    }
    buf_str(&b, "\":1,\"topic\":2}");
    buf_byte(&b, '\0');

    if (parse_ok((char *) b.data, "long key")) {
        CHECK(raw_is("topic", T_NUMBER, "2"), "long key: topic");
    }

    /* too long values */

    for (i = MAX_VALUE - 3; i <= MAX_VALUE + 1; i++) {
        b.len = 0;
        buf_str(&b, "{\"topic\":");
        start = b.len;
        buf_str(&b, "\"");
        while (b.len - start < i - 1) {
            buf_str(&b, (b.len % 5 || b.len - start + 2 > i - 1)
                        ? "x" : "\xc3\xa9");
        }
        buf_str(&b, "\",\"id\":");
        start = b.len;
        buf_str(&b, "0.");
        while (b.len - start < i) {
            buf_str(&b, "1");
        }
        buf_str(&b, ",\"type\":\"ok\"}");
        buf_byte(&b, '\0');

        if (parse_ok((char *) b.data, "long value")) {
            if (i <= MAX_VALUE) {
                CHECK(value_of("topic")->type == T_STRING
                      && value_of("topic")->raw.len == i,
                      "long value %u: string", (unsigned) i);
                CHECK(value_of("id")->type == T_NUMBER
                      && value_of("id")->raw.len == i,
                      "long value %u: number", (unsigned) i);

            } else {
                CHECK(value_of("topic")->type == T_TOO_LONG,
                      "long value %u: too long string", (unsigned) i);
                CHECK(value_of("id")->type == T_TOO_LONG,
                      "long value %u: too long number", (unsigned) i);
                CHECK(ngx_http_intercom_webhook_value_text(value_of("topic"),
                                                           &text, pool)
                      == NGX_DECLINED, "too long: text");
            }

            CHECK(raw_is("type", T_STRING, "\"ok\""), "long value: after");
        }
    }

    /* a too long value is still validated */

    b.len = 0;
    buf_str(&b, "{\"topic\":\"");
    for (i = 0; i < 3000; i++) {
        buf_str(&b, "x");
    }
    buf_str(&b, "\\q\"}");

    consistent(b.data, b.len, "too long, invalid", &res);
    CHECK(res.rc == NGX_ERROR && strcmp(res.error, "invalid escape") == 0
          && res.offset == 3011, "too long, invalid: %s at %d",
          res.error ? res.error : "", (int) res.offset);

    /* a body in one piece, then nothing: the captures stay */

    if (parse_ok("{\"topic\":\"conversation.user.created\"}", "topic")) {
        CHECK(string_is("topic", "conversation.user.created", 25),
              "topic: string");
    }

    free(b.data);
    free(res.dump.data);
}


/*
 * Every byte the scan stops at (string ends, escapes, control bytes,
 * UTF-8, the ends of whitespace and digit runs), at every offset of a
 * 16-byte block and of the 8-byte steps, and in every split of
 * consistent(): the vector code, its tail and the byte loops agree.
 */

/*
 * parse_whole's index: each value below, valid or not, at every offset
 * from a block of 64 bytes, so that escapes, strings, characters and
 * scalars straddle the blocks' boundaries; the valid ones must be
 * settled by the index, the invalid ones as the streaming parser does.
 */

static void
test_index(void)
{
    int          len;
    char         body[512], name[64];
    result_t     res;
    ngx_uint_t   i, k;

    static const char  *pad =
        "................................................................"
        "................";

    static const char  *good[] = {
        "\"a\\\"b\\\\\"",
        "\"\\\\\\\\\\\"\\\\\\\\\"",
        "\"\\\\\"",
        "\"\\u00e9\\n\\/\\b\\f\\r\\t\\uFFFF\"",
        "\"\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e\xf4\x8f\xbf\xbf\x7f\"",
        "[true,false,null,-0.5e+10,0,123,1E-2,[],{}]",
        " [ 1 ,\t2 ]\r\n",
        "{\"id\":\"x\",\"type\":1,\"item\":{\"id\":2}}",
        "\"{}[],:\"",
        NULL
    };

    static const char  *bad[] = {
        "\"a\\x\"",
        "\"a\x01\"",
        "\"\\u12G4\"",
        "\"\\ud800\"",
        "\"\\ud834\\udd1e\"",
        "\"\xc3(\"",
        "\"\xe0\x80\x80\"",
        "\"\xed\xa0\x80\"",
        "\"\xf4\x90\x80\x80\"",
        "\"\xc3",
        "truex",
        "nul",
        "01",
        "1.",
        "-",
        "1e+",
        "\"a\"\"b\"",
        "[1,]",
        "{\"a\"}",
        "\"a\\",
        NULL
    };

    ngx_memzero(&res, sizeof(res));

    for (k = 0; k <= 80; k++) {

        for (i = 0; good[i]; i++) {
            len = snprintf(body, sizeof(body),
                           "{\"pad\":\"%.*s\",\"v\":%s,\"topic\":\"ping\"}",
                           (int) k, pad, good[i]);
            snprintf(name, sizeof(name), "index: good %u at %u",
                     (unsigned) i, (unsigned) k);

            consistent((u_char *) body, len, name, &res);

            CHECK(res.rc == NGX_OK, "%s: %s at %d", name,
                  res.error ? res.error : "", (int) res.offset);
            CHECK(res.indexed
                  || ngx_http_intercom_webhook_index_code() == NULL,
                  "%s: left to the streaming parser", name);
        }

        for (i = 0; bad[i]; i++) {
            len = snprintf(body, sizeof(body),
                           "{\"pad\":\"%.*s\",\"v\":%s,\"topic\":\"ping\"}",
                           (int) k, pad, bad[i]);
            snprintf(name, sizeof(name), "index: bad %u at %u",
                     (unsigned) i, (unsigned) k);

            consistent((u_char *) body, len, name, &res);

            /* a surrogate pair is valid, the streaming parser's */

            CHECK((res.rc == NGX_OK) == (i == 4), "%s: %d", name,
                  (int) res.rc);
            CHECK(!res.indexed, "%s: settled by the index", name);

            /* and at the very end of the body */

            len = snprintf(body, sizeof(body), "{\"pad\":\"%.*s\",\"v\":%s",
                           (int) k, pad, bad[i]);

            consistent((u_char *) body, len, name, &res);

            CHECK(res.rc == NGX_ERROR && !res.indexed, "%s, truncated: %d",
                  name, (int) res.rc);
        }
    }

    free(res.dump.data);
}


static void
test_blocks(void)
{
    char        pad[48], name[128];
    size_t      k, i;
    buf_t       b, expect;
    result_t    res;
    ngx_uint_t  ok;

    static const char  *good[] = {
        "", "\\n", "\\\"", "\\u00e9", "\xc3\xa9", "\xe2\x82\xac",
        "\xf0\x9f\x98\x80", "\x7f", " ", "~", NULL
    };

    static struct {
        const char  *tail;
        const char  *error;
    } bad[] = {
        { "\x01", "control character in a string" },
        { "\x1f", "control character in a string" },
        { "\t", "control character in a string" },
        { "\x80", "invalid UTF-8" },
        { "\xff", "invalid UTF-8" },
        { "\xc0\x80", "invalid UTF-8" },
        { "\xe0\x80\x80", "invalid UTF-8" },
        { "\xed\xa0\x80", "invalid UTF-8" },
        { "\xf4\x90\x80\x80", "invalid UTF-8" },
        { "\\x", "invalid escape" },
        { NULL, NULL }
    };

    ngx_memzero(&b, sizeof(b));
    ngx_memzero(&expect, sizeof(expect));
    ngx_memzero(&res, sizeof(res));
    memset(pad, 'x', sizeof(pad));

    for (k = 0; k < 40; k++) {

        /* strings: plain bytes, then one to stop at, then more */

        for (i = 0; good[i]; i++) {
            expect.len = 0;
            buf_byte(&expect, '"');
            buf_add(&expect, pad, k);
            buf_str(&expect, good[i]);
            buf_add(&expect, pad, 40 - k);
            buf_byte(&expect, '"');

            b.len = 0;
            buf_str(&b, "{\"a\":");
            buf_add(&b, expect.data, expect.len);
            buf_str(&b, "}");

            snprintf(name, sizeof(name), "block: good #%u at %u",
                     (unsigned) i, (unsigned) k);
            consistent(b.data, b.len, name, &res);

            buf_byte(&expect, '\0');

            CHECK(res.rc == NGX_OK
                  && raw_is("a", T_STRING, (char *) expect.data),
                  "%s: %s at %d", name, res.error ? res.error : "",
                  (int) res.offset);
        }

        for (i = 0; bad[i].tail; i++) {
            b.len = 0;
            buf_str(&b, "{\"a\":\"");
            buf_add(&b, pad, k);
            buf_str(&b, bad[i].tail);
            buf_add(&b, pad, 40 - k);
            buf_str(&b, "\"}");

            snprintf(name, sizeof(name), "block: bad #%u at %u",
                     (unsigned) i, (unsigned) k);
            consistent(b.data, b.len, name, &res);

            CHECK(res.rc == NGX_ERROR && strcmp(res.error, bad[i].error) == 0,
                  "%s: %d %s at %d", name, (int) res.rc,
                  res.error ? res.error : "", (int) res.offset);
        }

        /* whitespace runs of any length, and a byte that is not one */

        b.len = 0;
        buf_str(&b, "{");
        for (i = 0; i < k; i++) {
            buf_byte(&b, " \t\r\n"[i % 4 == 3 ? rnd_n(4) : 0]);
        }
        buf_str(&b, "\"a\"");
        buf_add(&b, "                                        ", k);
        buf_str(&b, ":\n");
        buf_add(&b, "                                        ", k);
        buf_str(&b, "1");
        buf_add(&b, "                                        ", k);
        buf_str(&b, "}");

        snprintf(name, sizeof(name), "block: spaces %u", (unsigned) k);
        consistent(b.data, b.len, name, &res);

        CHECK(res.rc == NGX_OK && raw_is("a", T_NUMBER, "1"), "%s: %s at %d",
              name, res.error ? res.error : "", (int) res.offset);

        b.len = 0;
        buf_str(&b, "{\"a\":");
        buf_add(&b, "                                        ", k);
        buf_byte(&b, (k & 1) ? '\f' : '\v');
        buf_add(&b, "                                        ", 40 - k);
        buf_str(&b, "1}");

        snprintf(name, sizeof(name), "block: not a space at %u", (unsigned) k);
        consistent(b.data, b.len, name, &res);

        CHECK(res.rc == NGX_ERROR
              && strcmp(res.error, "unexpected character") == 0
              && res.offset == (off_t) (5 + k),
              "%s: %d %s at %d", name, (int) res.rc,
              res.error ? res.error : "", (int) res.offset);

        /* digits: a run of any length, then what ends it */

        for (i = 0; i < 4; i++) {
            expect.len = 0;
            buf_str(&expect, "1");
            buf_add(&expect, "98765432109876543210987654321098765432109", k);
            buf_str(&expect, (const char *[]) { "", ".5", "e7", "E-1" }[i]);

            b.len = 0;
            buf_str(&b, "{\"a\":");
            buf_add(&b, expect.data, expect.len);
            buf_str(&b, (i & 1) ? "}" : ",\"b\":0}");

            buf_byte(&expect, '\0');

            snprintf(name, sizeof(name), "block: digits %u, %u", (unsigned) k,
                     (unsigned) i);
            consistent(b.data, b.len, name, &res);

            CHECK(res.rc == NGX_OK
                  && raw_is("a", T_NUMBER, (char *) expect.data),
                  "%s: %s at %d", name, res.error ? res.error : "",
                  (int) res.offset);
        }

        /* the bytes next to the digits end a run, and are errors here */

        for (i = 0; i < 2; i++) {
            b.len = 0;
            buf_str(&b, "{\"a\":1");
            buf_add(&b, "98765432109876543210987654321098765432109", k);
            buf_byte(&b, "/:"[i]);
            buf_str(&b, "0000000000000000}");

            snprintf(name, sizeof(name), "block: after digits %u, %u",
                     (unsigned) k, (unsigned) i);
            consistent(b.data, b.len, name, &res);

            CHECK(res.rc == NGX_ERROR
                  && strcmp(res.error, "unexpected character") == 0
                  && res.offset == (off_t) (6 + k),
                  "%s: %d %s at %d", name, (int) res.rc,
                  res.error ? res.error : "", (int) res.offset);
        }

        /* literals whole and cut anywhere, then what follows them */

        ok = 1;

        for (i = 0; i < 3; i++) {
            b.len = 0;
            buf_str(&b, "{\"a\":");
            buf_add(&b, "                                        ", k);
            buf_str(&b, (const char *[]) { "true", "false", "null" }[i]);
            buf_str(&b, (k & 1) ? "}" : " }");

            snprintf(name, sizeof(name), "block: literal %u, %u", (unsigned) k,
                     (unsigned) i);
            consistent(b.data, b.len, name, &res);

            ok &= res.rc == NGX_OK
                  && value_of("a")->type
                     == (ngx_uint_t []) { T_TRUE, T_FALSE, T_NULL }[i];

            b.len = 0;
            buf_str(&b, "{\"a\":");
            buf_str(&b, (const char *[]) { "trux}", "falsy}", "nul}" }[i]);
            consistent(b.data, b.len, name, &res);

            ok &= res.rc == NGX_ERROR
                  && strcmp(res.error, "unexpected character") == 0
                  && res.offset == (off_t) (i == 1 ? 9 : (i == 0 ? 8 : 8));
        }

        CHECK(ok, "block: literals at %u", (unsigned) k);
    }

    free(b.data);
    free(expect.data);
    free(res.dump.data);
}


static void
test_memory(void)
{
    ngx_int_t                            rc;
    ngx_str_t                            text;
    const char                          *body;
    ngx_http_intercom_webhook_value_t    v;
    ngx_http_intercom_webhook_parser_t   p;

    body = "{\"topic\":\"ping\"}";

    ngx_stubs_alloc_fail = 0;
    rc = ngx_http_intercom_webhook_parser_init(&p, &fields, values, pool);
    ngx_stubs_alloc_fail = -1;

    CHECK(rc == NGX_OK, "nomem: init allocates nothing");

    rc = ngx_http_intercom_webhook_parser_init(&p, &fields, values, pool);
    CHECK(rc == NGX_OK, "init");

    ngx_stubs_alloc_fail = 0;
    rc = ngx_http_intercom_webhook_parse(&p, (u_char *) body,
                                         (u_char *) body + strlen(body));
    ngx_stubs_alloc_fail = -1;

    CHECK(rc == NGX_ERROR && strcmp(p.error, "out of memory") == 0
          && p.code == NGX_HTTP_INTERCOM_WEBHOOK_PARSE_NO_MEMORY
          && p.offset == 15, "nomem: parse: %d %s", (int) rc,
          p.error ? p.error : "");
    CHECK(ngx_http_intercom_webhook_parse_done(&p) == NGX_ERROR,
          "nomem: done after error");
    CHECK(ngx_http_intercom_webhook_parse(&p, (u_char *) body,
                                          (u_char *) body + 1)
          == NGX_ERROR, "nomem: parse after error");

    v.type = T_STRING;
    v.escaped = 1;
    ngx_str_set(&v.raw, "\"\\n\"");

    ngx_stubs_alloc_fail = 0;
    rc = ngx_http_intercom_webhook_value_string(&v, &text, pool);
    ngx_stubs_alloc_fail = -1;

    CHECK(rc == NGX_ERROR, "nomem: value_string");

    ngx_stubs_alloc_fail = 0;
    rc = ngx_http_intercom_webhook_value_text(&v, &text, pool);
    ngx_stubs_alloc_fail = -1;

    CHECK(rc == NGX_ERROR, "nomem: value_text");

    /* no fields at all: a pure validator */

    rc = ngx_http_intercom_webhook_parser_init(&p, NULL, NULL, pool);
    CHECK(rc == NGX_OK, "no fields: init");

    rc = ngx_http_intercom_webhook_parse(&p, (u_char *) body,
                                         (u_char *) body + strlen(body));
    CHECK(rc == NGX_AGAIN && ngx_http_intercom_webhook_parse_done(&p)
                             == NGX_OK, "no fields: parse");
}


static void
test_fields(void)
{
    char                                 name[32];
    ngx_int_t                            s1, s2;
    ngx_str_t                            path;
    ngx_uint_t                           i;
    ngx_http_intercom_webhook_fields_t   f;

    static char  key64[] = "a."
        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    static char  key65[] = "a."
        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    static const char  *bad[] = {
        "",
        ".",
        "a.",
        ".a",
        "a..b",
        "a.b.c.d.e.f.g.h.i",
        "a\x01",
        "a\x7f",
        "\xc3\xa9",
        key65,
        NULL
    };

    static const char  *good[] = {
        "a.b.c.d.e.f.g.h",
        key64,
        "with space",
        "x-y_z!~",
        NULL
    };

    CHECK(strlen(key64) == 2 + NGX_HTTP_INTERCOM_WEBHOOK_MAX_KEY
          && strlen(key65) == 3 + NGX_HTTP_INTERCOM_WEBHOOK_MAX_KEY,
          "key lengths");

    ngx_memzero(&f, sizeof(f));

    for (i = 0; bad[i]; i++) {
        path.data = (u_char *) bad[i];
        path.len = strlen(bad[i]);

        CHECK(ngx_http_intercom_webhook_fields_add(&f, &path, pool)
              == NGX_DECLINED, "fields_add(\"%s\") is invalid", bad[i]);
    }

    CHECK(f.nslots == 0 && f.root.children.nelts == 0,
          "invalid paths add nothing");

    for (i = 0; good[i]; i++) {
        path.data = (u_char *) good[i];
        path.len = strlen(good[i]);

        CHECK(ngx_http_intercom_webhook_fields_add(&f, &path, pool)
              == (ngx_int_t) i, "fields_add(\"%s\")", good[i]);
    }

    ngx_str_set(&path, "data.item.id");
    s1 = ngx_http_intercom_webhook_fields_add(&f, &path, pool);
    ngx_str_set(&path, "data");
    s2 = ngx_http_intercom_webhook_fields_add(&f, &path, pool);

    CHECK(s1 == 4 && s2 == 5, "prefix path: %d %d", (int) s1, (int) s2);

    ngx_str_set(&path, "data.item.id");
    CHECK(ngx_http_intercom_webhook_fields_add(&f, &path, pool) == s1,
          "same path, same slot");
    ngx_str_set(&path, "data");
    CHECK(ngx_http_intercom_webhook_fields_add(&f, &path, pool) == s2,
          "same prefix, same slot");
    CHECK(f.nslots == 6, "nslots %u", (unsigned) f.nslots);

    ngx_stubs_alloc_fail = 0;
    ngx_str_set(&path, "new.path");
    CHECK(ngx_http_intercom_webhook_fields_add(&f, &path, pool) == NGX_ERROR,
          "fields_add: no memory");
    ngx_stubs_alloc_fail = -1;

    /* at most MAX_NODES keys in the tree, all paths together */

    ngx_memzero(&f, sizeof(f));

    for (i = 0; i < NGX_HTTP_INTERCOM_WEBHOOK_MAX_NODES / 2; i++) {
        snprintf(name, sizeof(name), "n%u.x", (unsigned) i);
        path.data = (u_char *) name;
        path.len = strlen(name);

        CHECK(ngx_http_intercom_webhook_fields_add(&f, &path, pool)
              == (ngx_int_t) i, "fields_add(\"%s\")", name);
    }

    CHECK(f.nnodes == NGX_HTTP_INTERCOM_WEBHOOK_MAX_NODES, "nodes: %u",
          (unsigned) f.nnodes);

    ngx_str_set(&path, "n0.x");
    CHECK(ngx_http_intercom_webhook_fields_add(&f, &path, pool) == 0,
          "a known path in a full tree");
    ngx_str_set(&path, "n0");
    CHECK(ngx_http_intercom_webhook_fields_add(&f, &path, pool)
          == NGX_HTTP_INTERCOM_WEBHOOK_MAX_NODES / 2,
          "a known node in a full tree");
    ngx_str_set(&path, "n0.y");
    CHECK(ngx_http_intercom_webhook_fields_add(&f, &path, pool)
          == NGX_DECLINED, "one node too many");
    CHECK(f.nnodes == NGX_HTTP_INTERCOM_WEBHOOK_MAX_NODES, "nodes: still %u",
          (unsigned) f.nnodes);

    /* the setup used "data" and "data.item.id" too */

    CHECK(slot_of("data") != slot_of("data.item.id")
          && slot_of("data.item") != slot_of("data"), "setup slots");
}


static void
test_topics(void)
{
    ngx_str_t                           s;
    ngx_uint_t                          i;
    ngx_array_t                        *a;
    ngx_http_intercom_webhook_topic_t   t, *tp;

    static const char  *valid[] = {
        "ping",
        "a",
        "_",
        "conversation.user.created",
        "conversation_part.redacted",
        "contact.deleted",
        "a.b.c.d.e.f",
        "x____.y_",
        /* any visible ASCII: topics to come */
        "content_stat.v2",
        "Conversation.User",
        "a-b",
        "a1",
        "1",
        ".",
        "a..b",
        ".a",
        "a.",
        "*",
        "a.*",
        "!\"#$%&'()*+,-./0123456789:;<=>?@AZ[\\]^_`az{|}~",
        NULL
    };

    static const char  *invalid[] = {
        "",
        "a b",
        " ping",
        "ping ",
        "a\tb",
        "ping\n",
        "ping\r",
        "a\x01",
        "a\x7f",
        "p\xc3\xa9ng",
        "\xff",
        "\x80",
        NULL
    };

    for (i = 0; valid[i]; i++) {
        s.data = (u_char *) valid[i];
        s.len = strlen(valid[i]);

        CHECK(ngx_http_intercom_webhook_valid_topic(&s) == NGX_OK,
              "valid topic \"%s\"", valid[i]);
    }

    for (i = 0; invalid[i]; i++) {
        s.data = (u_char *) invalid[i];
        s.len = strlen(invalid[i]);

        CHECK(ngx_http_intercom_webhook_valid_topic(&s) == NGX_DECLINED,
              "invalid topic \"%s\"", invalid[i]);
    }

    s.data = malloc(NGX_HTTP_INTERCOM_WEBHOOK_MAX_TOPIC + 1);
    if (s.data == NULL) {
        abort();
    }

    memset(s.data, 'a', NGX_HTTP_INTERCOM_WEBHOOK_MAX_TOPIC + 1);

    s.len = NGX_HTTP_INTERCOM_WEBHOOK_MAX_TOPIC;
    CHECK(ngx_http_intercom_webhook_valid_topic(&s) == NGX_OK,
          "topic of the maximum length");

    s.len++;
    CHECK(ngx_http_intercom_webhook_valid_topic(&s) == NGX_DECLINED,
          "topic too long");

    s.len = 1;
    s.data[0] = '\0';
    CHECK(ngx_http_intercom_webhook_valid_topic(&s) == NGX_DECLINED,
          "topic NUL");

    CHECK(NGX_HTTP_INTERCOM_WEBHOOK_MAX_TOPIC == 255, "topics up to 255");

    free(s.data);

    /* patterns */

    ngx_str_set(&s, "*");
    CHECK(ngx_http_intercom_webhook_topic_pattern(&s, &t) == NGX_OK
          && t.any && !t.prefix, "pattern *");

    ngx_str_set(&s, "conversation.*");
    CHECK(ngx_http_intercom_webhook_topic_pattern(&s, &t) == NGX_OK
          && t.prefix && !t.any && t.name.len == 13
          && memcmp(t.name.data, "conversation.", 13) == 0,
          "pattern conversation.*");

    ngx_str_set(&s, "conversation.user.*");
    CHECK(ngx_http_intercom_webhook_topic_pattern(&s, &t) == NGX_OK
          && t.prefix, "pattern conversation.user.*");

    ngx_str_set(&s, "ping");
    CHECK(ngx_http_intercom_webhook_topic_pattern(&s, &t) == NGX_OK
          && !t.prefix && !t.any && t.name.len == 4, "pattern ping");

    {
        /* the alphabet of topics, "*" aside */

        static const char  *good[] = {
            "content_stat.v2", "content_stat.v2.*", "Conversation.*",
            "a-b.*", "a..*", "..*", "v1", "a.", "!\"#$%&'()+,-./09:;<=>?@AZ"
            "[\\]^_`az{|}~", NULL
        };

        for (i = 0; good[i]; i++) {
            s.data = (u_char *) good[i];
            s.len = strlen(good[i]);

            CHECK(ngx_http_intercom_webhook_topic_pattern(&s, &t) == NGX_OK
                  && !t.any, "pattern \"%s\" is valid", good[i]);
        }
    }

    {
        static const char  *bad[] = {
            "", "**", ".*", "*.*", "a.**", "a*", "conversation*", "a.b*",
            "a.*.b", "*.a", "a.*.*", "a b", "a\tb", "caf\xc3\xa9", "a\x7f",
            "a\x01", " ping", "ping.* ", NULL
        };

        for (i = 0; bad[i]; i++) {
            s.data = (u_char *) bad[i];
            s.len = strlen(bad[i]);

            CHECK(ngx_http_intercom_webhook_topic_pattern(&s, &t)
                  == NGX_DECLINED, "pattern \"%s\" is invalid", bad[i]);
        }
    }

    /* matching */

    a = ngx_array_create(pool, 2, sizeof(ngx_http_intercom_webhook_topic_t));
    if (a == NULL) {
        abort();
    }

    ngx_str_set(&s, "conversation.user.created");
    CHECK(ngx_http_intercom_webhook_topic_match(a, &s) == NGX_DECLINED,
          "no patterns: no match");
    CHECK(ngx_http_intercom_webhook_topic_match(NULL, &s) == NGX_DECLINED,
          "NULL patterns: no match");

    {
        static const char  *pats[] = { "conversation.*", "ping",
                                       "contact.user.*", NULL };

        for (i = 0; pats[i]; i++) {
            tp = ngx_array_push(a);
            if (tp == NULL) {
                abort();
            }

            s.data = (u_char *) pats[i];
            s.len = strlen(pats[i]);

            CHECK(ngx_http_intercom_webhook_topic_pattern(&s, tp) == NGX_OK,
                  "pattern %s", pats[i]);
        }
    }

    {
        static const char  *yes[] = {
            "conversation.user.created", "conversation.admin.replied",
            "ping", "contact.user.created", "conversation.x", NULL
        };

        static const char  *no[] = {
            "conversation", "conversation_part.created", "conversation.",
            "pingx", "pin", "contact.deleted", "contact.user", "ticket.created",
            "", NULL
        };

        for (i = 0; yes[i]; i++) {
            s.data = (u_char *) yes[i];
            s.len = strlen(yes[i]);

            CHECK(ngx_http_intercom_webhook_topic_match(a, &s) == NGX_OK,
                  "\"%s\" matches", yes[i]);
        }

        for (i = 0; no[i]; i++) {
            s.data = (u_char *) no[i];
            s.len = strlen(no[i]);

            CHECK(ngx_http_intercom_webhook_topic_match(a, &s)
                  == NGX_DECLINED, "\"%s\" does not match", no[i]);
        }
    }

    tp = ngx_array_push(a);
    if (tp == NULL) {
        abort();
    }

    ngx_str_set(&s, "*");
    (void) ngx_http_intercom_webhook_topic_pattern(&s, tp);

    ngx_str_set(&s, "ticket.created");
    CHECK(ngx_http_intercom_webhook_topic_match(a, &s) == NGX_OK,
          "\"*\" matches all");

    /* header_safe */

    ngx_str_set(&s, "caf\xc3\xa9 ~!");
    CHECK(ngx_http_intercom_webhook_header_safe(&s) == NGX_OK,
          "header_safe: UTF-8");
    ngx_str_set(&s, "");
    CHECK(ngx_http_intercom_webhook_header_safe(&s) == NGX_OK,
          "header_safe: empty");
    ngx_str_set(&s, "a\rb");
    CHECK(ngx_http_intercom_webhook_header_safe(&s) == NGX_DECLINED,
          "header_safe: CR");
    ngx_str_set(&s, "a\x7f");
    CHECK(ngx_http_intercom_webhook_header_safe(&s) == NGX_DECLINED,
          "header_safe: DEL");
    s.data = (u_char *) "a\0b";
    s.len = 3;
    CHECK(ngx_http_intercom_webhook_header_safe(&s) == NGX_DECLINED,
          "header_safe: NUL");
}


static ngx_int_t
notification(const char *body, const char **error)
{
    result_t   res;
    ngx_str_t  type, topic;

    ngx_memzero(&res, sizeof(res));

    run((u_char *) body, strlen(body), WHOLE, &res);
    free(res.dump.data);

    if (res.rc != NGX_OK) {
        *error = "parse";
        return NGX_ERROR;
    }

    /* as the module: no text where value_text declines */

    if (ngx_http_intercom_webhook_value_text(value_of("type"), &type, pool)
        != NGX_OK)
    {
        ngx_str_null(&type);
    }

    if (ngx_http_intercom_webhook_value_text(value_of("topic"), &topic, pool)
        != NGX_OK)
    {
        ngx_str_null(&topic);
    }

    *error = NULL;

    return ngx_http_intercom_webhook_notification_check(value_of("type"),
                                                        &type,
                                                        value_of("topic"),
                                                        &topic, error);
}


static void
test_notification(void)
{
    buf_t        b;
    size_t       n;
    ngx_int_t    rc;
    ngx_uint_t   i;
    const char  *error;

    static const struct {
        const char  *body;
        const char  *error;   /* NULL: NGX_OK */
    } cases[] = {
        { "{\"type\":\"notification_event\",\"topic\":\"ping\"}", NULL },
        { "{\"topic\":\"content_stat.v2\",\"type\":\"notification_event\"}",
          NULL },
        { "{\"type\":\"notification_\\u0065vent\",\"topic\":\"p\\u0069ng\"}",
          NULL },
        { "{\"type\":\"notification_event\",\"topic\":\"A-Z.1~!\"}", NULL },
        { "{\"topic\":\"ping\"}",
          "\"type\" is not \"notification_event\"" },
        { "{\"type\":\"notification\",\"topic\":\"ping\"}",
          "\"type\" is not \"notification_event\"" },
        { "{\"type\":\"notification_event\\u0000\",\"topic\":\"ping\"}",
          "\"type\" is not \"notification_event\"" },
        { "{\"type\":[\"notification_event\"],\"topic\":\"ping\"}",
          "\"type\" is not \"notification_event\"" },
        { "{\"type\":\"notification_event\"}", "no \"topic\"" },
        { "{\"type\":\"notification_event\",\"topic\":null}",
          "\"topic\" is not a string" },
        { "{\"type\":\"notification_event\",\"topic\":1}",
          "\"topic\" is not a string" },
        { "{\"type\":\"notification_event\",\"topic\":{}}",
          "\"topic\" is not a string" },
        { "{\"type\":\"notification_event\",\"topic\":\"\"}",
          "invalid \"topic\"" },
        { "{\"type\":\"notification_event\",\"topic\":\"a b\"}",
          "invalid \"topic\"" },
        { "{\"type\":\"notification_event\",\"topic\":\"p\xc3\xa9ng\"}",
          "invalid \"topic\"" },
        { "{\"type\":\"notification_event\",\"topic\":\"a\\nb\"}",
          "invalid \"topic\"" },
        { "{\"type\":\"notification_event\",\"topic\":\"a\\u0000\"}",
          "invalid \"topic\"" },
        { NULL, NULL }
    };

    for (i = 0; cases[i].body; i++) {
        rc = notification(cases[i].body, &error);

        CHECK(cases[i].error ? rc == NGX_DECLINED && error
                               && strcmp(error, cases[i].error) == 0
                             : rc == NGX_OK,
              "notification #%u: %s: %d %s", (unsigned) i, cases[i].body,
              (int) rc, error ? error : "");
    }

    /* long topics: 255 bytes, then "too long" as a string or not */

    ngx_memzero(&b, sizeof(b));

    for (n = 254; n <= MAX_VALUE; n += (n < 257) ? 1 : MAX_VALUE - 257) {
        b.len = 0;
        buf_str(&b, "{\"type\":\"notification_event\",\"topic\":\"");
        for (i = 0; i < n; i++) {
            buf_byte(&b, "abc.v2"[i % 6]);
        }
        buf_str(&b, "\"}");
        buf_byte(&b, '\0');

        rc = notification((char *) b.data, &error);

        CHECK(n <= NGX_HTTP_INTERCOM_WEBHOOK_MAX_TOPIC
              ? rc == NGX_OK
              : rc == NGX_DECLINED
                && strcmp(error, "\"topic\" is too long") == 0,
              "topic of %u bytes: %d %s", (unsigned) n, (int) rc,
              error ? error : "");
    }

    CHECK(value_of("topic")->type == T_TOO_LONG, "topic over MAX_VALUE");

    b.len = 0;
    buf_str(&b, "{\"type\":\"notification_event\",\"topic\":1");
    for (i = 0; i < MAX_VALUE; i++) {
        buf_byte(&b, '0');
    }
    buf_str(&b, "}");
    buf_byte(&b, '\0');

    rc = notification((char *) b.data, &error);

    CHECK(rc == NGX_DECLINED && strcmp(error, "\"topic\" is too long") == 0,
          "a too long number topic: %s", error ? error : "");

    free(b.data);
}


/* the differential corpus */

static void
gen_ws(buf_t *b)
{
    static const char  *ws[] = {
        "", "", "", " ", "\n    ", "\n        ", "\t", "\r\n", " \n "
    };

    if (rnd_n(400) == 0) {
        buf_str(b, rnd_n(2) ? "\x0c" : "\x0b");
        return;
    }

    buf_str(b, ws[rnd_n(sizeof(ws) / sizeof(ws[0]))]);
}


static void
gen_utf8(buf_t *b)
{
    uint32_t  c;

    switch (rnd_n(6)) {
    case 0:
        c = 0x80 + rnd_n(0x780);
        break;
    case 1:
        c = 0x800 + rnd_n(0xd800 - 0x800);
        break;
    case 2:
        c = 0xe000 + rnd_n(0x2000);
        break;
    case 3:
        c = 0x10000 + rnd_n(0x100000);
        break;
    case 4:
        /* the edges */
        {
            static const uint32_t  e[] = { 0x80, 0x7ff, 0x800, 0xd7ff,
                                           0xe000, 0xffff, 0x10000,
                                           0x10ffff, 0xfffd, 0xfeff };

            c = e[rnd_n(sizeof(e) / sizeof(e[0]))];
        }
        break;
    default:
        /* invalid: raw bytes, overlongs, surrogates, too high */
        {
            static const char  *bad[] = {
                "\x80", "\xbf", "\xc0\xaf", "\xc1\x81", "\xc3", "\xe0\x80\xaf",
                "\xed\xa0\x80", "\xed\xbf\xbf", "\xf4\x90\x80\x80", "\xf5",
                "\xff", "\xf0\x80\x80\xaf", "\xe2\x82", "\xf0\x9f\x98",
                "\xc3\xc3"
            };

            if (rnd_n(4)) {
                gen_utf8(b);
                return;
            }

            buf_str(b, bad[rnd_n(sizeof(bad) / sizeof(bad[0]))]);
            return;
        }
    }

    if (c < 0x800) {
        buf_byte(b, 0xc0 | (c >> 6));
        buf_byte(b, 0x80 | (c & 0x3f));

    } else if (c < 0x10000) {
        buf_byte(b, 0xe0 | (c >> 12));
        buf_byte(b, 0x80 | ((c >> 6) & 0x3f));
        buf_byte(b, 0x80 | (c & 0x3f));

    } else {
        buf_byte(b, 0xf0 | (c >> 18));
        buf_byte(b, 0x80 | ((c >> 12) & 0x3f));
        buf_byte(b, 0x80 | ((c >> 6) & 0x3f));
        buf_byte(b, 0x80 | (c & 0x3f));
    }
}


static void
gen_string(buf_t *b)
{
    size_t  i, n;
    u_char  c;

    static const char  *esc[] = {
        "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t",
        "\\u0041", "\\u00e9", "\\u20AC", "\\uD83D\\uDE00", "\\udbff\\udfff",
        "\\u0001", "\\u001F", "\\u007f", "\\uffff", "\\uFEFF"
    };

    static const char  *bad[] = {
        "\\u0000", "\\ud800", "\\udc00", "\\ud800\\u0041", "\\ud800x",
        "\\x", "\\", "\\u12", "\\u12g4", "\\U0041", "\\ud800\\n", "\x01",
        "\x1f", "\t", "\n"
    };

    buf_byte(b, '"');

    n = rnd_n(4) ? rnd_n(12) : rnd_n(80);

    for (i = 0; i < n; i++) {
        switch (rnd_n(10)) {
        case 0:
            buf_str(b, esc[rnd_n(sizeof(esc) / sizeof(esc[0]))]);
            break;
        case 1:
            gen_utf8(b);
            break;
        case 2:
            if (rnd_n(8) == 0) {
                buf_str(b, bad[rnd_n(sizeof(bad) / sizeof(bad[0]))]);
                break;
            }
            /* fall through */
        default:
            c = (u_char) (0x20 + rnd_n(0x60));
            buf_byte(b, (c == '"' || c == '\\') ? 'q' : c);
        }
    }

    /* a backslash left at the end would escape the quote */

    if (b->len && b->data[b->len - 1] == '\\' && rnd_n(2)) {
        buf_byte(b, 'n');
    }

    buf_byte(b, '"');
}


static void
gen_number(buf_t *b)
{
    size_t  i, n;

    static const char  *special[] = {
        "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "-9223372036854775809", "18446744073709551616", "1e308", "1e309",
        "1.7976931348623157e308", "1.7976931348623159e308", "-1e400",
        "1e-400", "0.0e999", "123456789012345678901234567890",
        "01", "-", "1.", ".1", "1e", "1e+", "+1", "-0", "0e0", "1E-0",
        "00", "1.5e3.2", "0x10", "-01.5", "2e308", "0.18e310", "0.17e309"
    };

    if (rnd_n(8) == 0) {
        buf_str(b, special[rnd_n(sizeof(special) / sizeof(special[0]))]);
        return;
    }

    if (rnd_n(3) == 0) {
        buf_byte(b, '-');
    }

    if (rnd_n(4) == 0) {
        buf_byte(b, '0');

    } else {
        buf_byte(b, '1' + rnd_n(9));

        n = rnd_n(rnd_n(4) ? 10 : 22);

        for (i = 0; i < n; i++) {
            buf_byte(b, '0' + rnd_n(10));
        }
    }

    if (rnd_n(3) == 0) {
        buf_byte(b, '.');

        n = 1 + rnd_n(8);

        for (i = 0; i < n; i++) {
            buf_byte(b, '0' + rnd_n(10));
        }
    }

    if (rnd_n(4) == 0) {
        buf_byte(b, rnd_n(2) ? 'e' : 'E');

        switch (rnd_n(3)) {
        case 0:
            buf_byte(b, '+');
            break;
        case 1:
            buf_byte(b, '-');
            break;
        }

        buf_printf(b, "%u", (unsigned) rnd_n(rnd_n(4) ? 30 : 400));
    }
}


static void
gen_key(buf_t *b)
{
    static const char  *keys[] = {
        "\"topic\"", "\"id\"", "\"data\"", "\"item\"", "\"type\"", "\"a\"",
        "\"b\"", "\"c\"", "\"k\"", "\"to\\u0070ic\"", "\"d\\u0061ta\"",
        "\"\\u0061\"", "\"top\\\"ic\"", "\"\"", "\"self\""
    };

    if (rnd_n(5) == 0) {
        gen_string(b);
        return;
    }

    buf_str(b, keys[rnd_n(sizeof(keys) / sizeof(keys[0]))]);
}


static void
gen_value(buf_t *b, ngx_uint_t depth)
{
    size_t  i, n;

    static const char  *junk[] = {
        ",", ":", "}", "]", "{", "[", "\"", "\\", "tru", "nul", "x", "1",
        "\xc3\xa9", "/", "'", "\0"
    };

    if (rnd_n(150) == 0) {
        buf_add(b, junk[rnd_n(sizeof(junk) / sizeof(junk[0]))],
                rnd_n(16) ? 1 : 2);
    }

    switch (depth > 12 ? 2 + rnd_n(4) : rnd_n(6)) {

    case 0:
        buf_byte(b, '{');
        gen_ws(b);

        n = rnd_n(6);

        for (i = 0; i < n; i++) {
            if (i) {
                buf_byte(b, ',');
                gen_ws(b);
            }

            gen_key(b);
            gen_ws(b);
            buf_byte(b, ':');
            gen_ws(b);
            gen_value(b, depth + 1);
            gen_ws(b);
        }

        if (rnd_n(200) == 0) {
            buf_byte(b, ',');
        }

        buf_byte(b, '}');
        break;

    case 1:
        buf_byte(b, '[');
        gen_ws(b);

        n = rnd_n(5);

        for (i = 0; i < n; i++) {
            if (i) {
                buf_byte(b, ',');
                gen_ws(b);
            }

            gen_value(b, depth + 1);
            gen_ws(b);
        }

        buf_byte(b, ']');
        break;

    case 2:
    case 3:
        gen_string(b);
        break;

    case 4:
        gen_number(b);
        break;

    default:
        {
            static const char  *lit[] = { "true", "false", "null" };

            buf_str(b, lit[rnd_n(3)]);
        }
    }
}


static void
gen_document(buf_t *b)
{
    b->len = 0;

    gen_ws(b);

    if (rnd_n(30) == 0) {
        gen_value(b, 0);

    } else {
        /* an object, with members more likely */

        do {
            b->len = 0;
            gen_ws(b);
            gen_value(b, 0);
        } while (b->data[b->len - 1] != '}' && rnd_n(10));
    }

    gen_ws(b);

    if (rnd_n(60) == 0) {
        buf_str(b, rnd_n(2) ? "x" : "{}");
    }

    if (rnd_n(60) == 0 && b->len) {
        b->len = rnd_n(b->len);
    }
}


static ngx_uint_t  diff_accepted, diff_rejected, diff_nul, diff_dup,
                   diff_big, diff_nul_key;


/*
 * jansson on a copy of the body where what jansson cannot represent but
 * RFC 8259 allows is replaced, offsets kept: a number out of its range
 * becomes "0" and spaces, "\u0000" in a key "\u0001" (in every string
 * then: *strings is set, their texts differ).
 */

static json_t *
jansson_load(u_char *copy, size_t len, json_error_t *err, int *strings)
{
    size_t   i, end;
    json_t  *json;

    *strings = 0;

    for ( ;; ) {
        json = json_loadb((char *) copy, len, JSON_ALLOW_NUL, err);

        if (json != NULL) {
            return json;
        }

        if (json_error_code(err) == json_error_numeric_overflow) {
            end = (size_t) err->position;

            while (end > 0 && strchr("0123456789+-.eE", copy[end - 1]) == NULL)
            {
                end--;
            }

            for (i = end; i > 0 && copy[i - 1] != '\0'
                          && strchr("0123456789+-.eE", copy[i - 1]);
                 i--)
            {
                /* void */
            }

            if (i == end) {
                return NULL;
            }

            copy[i++] = '0';
            memset(copy + i, ' ', end - i);
            diff_big++;
            continue;
        }

        if (json_error_code(err) == json_error_null_byte_in_key
            && !*strings)
        {
            for (i = 0; i + 6 <= len; i++) {
                if (copy[i] == '\\') {
                    if (memcmp(copy + i + 1, "u0000", 5) == 0) {
                        copy[i + 5] = '1';
                    }

                    i++;
                }
            }

            *strings = 1;
            diff_nul_key++;
            continue;
        }

        return NULL;
    }
}


static void
differ(const u_char *body, size_t len, const char *name)
{
    int           ours, theirs, strings, dup_ok;
    json_t       *json, *key;
    u_char       *copy;
    result_t      res;
    const char   *path;
    json_error_t  err, kerr;

    ngx_memzero(&res, sizeof(res));

    consistent(body, len, name, &res);

    ours = (res.rc == NGX_OK);

    copy = malloc(len + 1);
    if (copy == NULL) {
        abort();
    }

    memcpy(copy, body, len);

    json = jansson_load(copy, len, &err, &strings);
    theirs = (json != NULL && json_is_object(json));

    /*
     * jansson's lexer drops a NUL byte that follows a number or a
     * literal (its stream takes a NUL pushed back for an empty buffer):
     * "{\"a\":true\0}" loads.  The parser keeps to RFC 8259 there.
     */

    if (!ours && theirs
        && strcmp(res.error, "unexpected character") == 0
        && body[res.offset] == '\0' && res.offset > 0
        && isalnum(body[res.offset - 1]))
    {
        diff_nul++;
        theirs = 0;
    }

    if (!ours && res.code == NGX_HTTP_INTERCOM_WEBHOOK_PARSE_DUPLICATE) {

        /*
         * a key of the tree read twice: what comes before was valid, so
         * jansson fails after it if at all, and the key at the offset
         * is the last one of the path in the error
         */

        dup_ok = (theirs || (off_t) err.position > res.offset);

        key = json_loadb((char *) copy + res.offset, len - res.offset,
                         JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK
                         | JSON_ALLOW_NUL, &kerr);

        path = strrchr(res.error, '.');
        path = path ? path + 1 : res.error + sizeof("duplicate key \"") - 1;

        dup_ok = dup_ok && key && json_is_string(key)
                 && json_string_length(key) == strlen(path) - 1
                 && memcmp(json_string_value(key), path,
                           json_string_length(key)) == 0;

        CHECK(dup_ok, "%s: %s at %d, jansson %s (%s at %d) on \"%.*s\"",
              name, res.error, (int) res.offset,
              theirs ? "accepts" : "rejects", json ? "" : err.text,
              (int) err.position, (int) (len < 300 ? len : 300), body);

        if (key) {
            json_decref(key);
        }

        diff_dup++;

    } else {

        CHECK(ours == theirs, "%s: ours %s (%s at %d), jansson %s (%s) on "
              "\"%.*s\"", name, ours ? "accepts" : "rejects",
              res.error ? res.error : "", (int) res.offset,
              theirs ? "accepts" : "rejects", json ? "" : err.text,
              (int) (len < 300 ? len : 300), body);

        if (ours && theirs) {
            diff_accepted++;

            /* consistent() leaves the values of a random split */
            CHECK(strings || same_as_dom(json, name),
                  "%s: captures as jansson", name);

        } else {
            diff_rejected++;
        }
    }

    if (json) {
        json_decref(json);
    }

    free(copy);
    free(res.dump.data);
}


static void
test_differential(const char *dir)
{
    buf_t        b;
    size_t       len, i, n, at;
    u_char      *body;
    ngx_uint_t   k, m;
    char         name[64];

    static const char  *samples[] = {
        "ping.json",
        "contact.deleted.json",
        "conversation.user.created.json",
        "contact.user.created.json",
        NULL
    };

    static const u_char  bytes[] = {
        '{', '}', '[', ']', '"', ',', ':', '\\', ' ', '\n', '0', '1', '9',
        '-', '+', '.', 'e', 'E', 't', 'f', 'n', 'u', 'x', 0x00, 0x01, 0x1f,
        0x7f, 0x80, 0xbf, 0xc0, 0xc3, 0xe2, 0xed, 0xf0, 0xf4, 0xf5, 0xff
    };

    ngx_memzero(&b, sizeof(b));

    /* mutants of the samples */

    for (k = 0; samples[k]; k++) {
        body = read_file(dir, samples[k], &len);
        if (body == NULL) {
            CHECK(0, "%s: read", samples[k]);
            continue;
        }

        for (m = 0; m < 300; m++) {
            b.len = 0;
            buf_add(&b, body, len);

            n = 1 + rnd_n(3);

            for (i = 0; i < n && b.len > 0; i++) {
                at = rnd_n(b.len);

                switch (rnd_n(4)) {
                case 0:
                    b.data[at] = bytes[rnd_n(sizeof(bytes))];
                    break;
                case 1:
                    memmove(b.data + at, b.data + at + 1, b.len - at - 1);
                    b.len--;
                    break;
                case 2:
                    buf_byte(&b, 0);
                    memmove(b.data + at + 1, b.data + at, b.len - at - 1);
                    b.data[at] = bytes[rnd_n(sizeof(bytes))];
                    break;
                default:
                    b.len = at;
                }
            }

            snprintf(name, sizeof(name), "mutant %s #%u", samples[k],
                     (unsigned) m);

            differ(b.data, b.len, name);
        }

        free(body);
    }

    /* generated documents */

    for (m = 0; m < TEST_DOCS; m++) {
        gen_document(&b);

        snprintf(name, sizeof(name), "generated #%u", (unsigned) m);

        differ(b.data, b.len, name);
    }

    printf("differential: %u accepted, %u rejected by both, %u duplicate "
           "keys of the tree, %u with a NUL after a number or literal that "
           "jansson drops; for jansson %u numbers out of its range and %u "
           "bodies with NUL in keys replaced\n",
           (unsigned) diff_accepted, (unsigned) diff_rejected,
           (unsigned) diff_dup, (unsigned) diff_nul, (unsigned) diff_big,
           (unsigned) diff_nul_key);

    CHECK(diff_accepted > 1000 && diff_rejected > 1000,
          "differential corpus: %u accepted, %u rejected",
          (unsigned) diff_accepted, (unsigned) diff_rejected);

    free(b.data);
}


static int
compare_names(const void *a, const void *b)
{
    return strcmp(*(char * const *) a, *(char * const *) b);
}


static int
wrap(const char *dir)
{
    DIR            *d;
    char          **names, **nn;
    buf_t           b;
    size_t          len, n, size, i;
    u_char         *body;
    result_t        res;
    ngx_uint_t      ok[3][2], bad;
    struct dirent  *e;

    static const char  *kinds = "yni";
    static const char  *prefix =
        "{\"type\":\"notification_event\",\"topic\":\"ping\",\"x\": ";

    d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "cannot open %s\n", dir);
        return 2;
    }

    names = NULL;
    n = 0;
    size = 0;

    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }

        if (n == size) {
            size = size ? 2 * size : 256;
            nn = realloc(names, size * sizeof(char *));
            if (nn == NULL) {
                abort();
            }
            names = nn;
        }

        names[n] = strdup(e->d_name);
        if (names[n++] == NULL) {
            abort();
        }
    }

    closedir(d);

    qsort(names, n, sizeof(char *), compare_names);

    ngx_memzero(&b, sizeof(b));
    ngx_memzero(&res, sizeof(res));
    ngx_memzero(ok, sizeof(ok));
    bad = 0;

    for (i = 0; i < n; i++) {
        body = read_file(dir, names[i], &len);
        if (body == NULL) {
            bad++;
            continue;
        }

        b.len = 0;
        buf_str(&b, prefix);
        buf_add(&b, body, len);
        buf_str(&b, "}");
        free(body);

        consistent(b.data, b.len, names[i], &res);

        if (res.rc == NGX_OK) {
            printf("%s: accepted\n", names[i]);

        } else {
            /* the offset in the file */
            printf("%s: rejected: %s at offset %d\n", names[i], res.error,
                   (int) (res.offset - strlen(prefix)));
        }

        if (strchr(kinds, names[i][0]) && names[i][1] == '_') {
            ok[strchr(kinds, names[i][0]) - kinds][res.rc == NGX_OK]++;

            if ((names[i][0] == 'y' && res.rc != NGX_OK)
                || (names[i][0] == 'n' && res.rc == NGX_OK))
            {
                fprintf(stderr, "FAIL %s: %s\n", names[i],
                        res.rc == NGX_OK ? "accepted" : res.error);
                bad++;
            }
        }

        free(names[i]);
    }

    printf("wrap: y_ %u accepted, %u rejected; n_ %u accepted, %u rejected; "
           "i_ %u accepted, %u rejected\n",
           (unsigned) ok[0][1], (unsigned) ok[0][0], (unsigned) ok[1][1],
           (unsigned) ok[1][0], (unsigned) ok[2][1], (unsigned) ok[2][0]);

    free(names);
    free(b.data);
    free(res.dump.data);

    return (bad || failed) ? 1 : 0;
}


int
main(int argc, char **argv)
{
    const char  *dir;

    dir = (argc > 1) ? argv[1] : "t/payloads";

    pool = ngx_create_pool(4096, NULL);
    if (pool == NULL) {
        return 2;
    }

    setup_fields();

    if (argc > 2 && strcmp(argv[1], "--wrap") == 0) {
        return wrap(argv[2]);
    }

    test_fields();
    test_topics();
    test_notification();
    test_samples(dir);
    test_invalid();
    test_depth();
    test_captures();
    test_index();
    test_blocks();
    test_memory();
    test_differential(dir);

    ngx_destroy_pool(pool);

    printf("test_payload: %u passed, %u failed\n", (unsigned) passed,
           (unsigned) failed);

    return failed ? 1 : 0;
}
