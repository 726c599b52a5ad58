
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


/*
 * libFuzzer harness of the topic and header value checks: topic_pattern,
 * topic_match, valid_topic, header_safe, and value_text and value_string
 * on a captured "topic".
 *
 * The input is lines: every line but the last is a topic pattern (as in
 * intercom_webhook_topics), the last one is a topic.  Each function is
 * compared with a plain reimplementation of its documented rule; the
 * topic is also put in a body, {"topic":TOPIC}, as raw JSON text, and
 * the text value_text and value_string give must be jansson's decoding.
 */


#include "fuzz.h"

#include <jansson.h>


#define FUZZ_MAX_PATTERNS  16


static ngx_int_t fuzz_valid(u_char *p, size_t len, ngx_uint_t pattern);
static void fuzz_value(u_char *topic, size_t len);


static ngx_pool_t                          *fuzz_cf_pool;
static ngx_http_intercom_webhook_fields_t   fuzz_fields;
static ngx_int_t                            fuzz_slot;
static ngx_http_intercom_webhook_parser_t  *fuzz_parser;


/* 1 to MAX_TOPIC bytes of visible ASCII; for a pattern's name, no "*" */

static ngx_int_t
fuzz_valid(u_char *p, size_t len, ngx_uint_t pattern)
{
    size_t  i;

    if (len == 0 || len > NGX_HTTP_INTERCOM_WEBHOOK_MAX_TOPIC) {
        return NGX_DECLINED;
    }

    for (i = 0; i < len; i++) {
        if (p[i] < 0x21 || p[i] > 0x7e || (pattern && p[i] == '*')) {
            return NGX_DECLINED;
        }
    }

    return NGX_OK;
}


static void
fuzz_value(u_char *topic, size_t len)
{
    u_char                             *body, *p, *start, *end;
    size_t                              n;
    json_t                             *json, *item, *number;
    ngx_int_t                           rc;
    ngx_str_t                           text;
    ngx_pool_t                         *pool;
    json_error_t                        err;
    ngx_http_intercom_webhook_value_t   value;

    static const char  head[] = "{\"topic\":";

    n = sizeof(head) - 1 + len + 1;

    body = malloc(n);
    FUZZ_CHECK(body != NULL, "malloc");

    p = ngx_cpymem(body, head, sizeof(head) - 1);
    p = ngx_cpymem(p, topic, len);
    *p = '}';

    pool = ngx_create_pool(4096, NULL);
    FUZZ_CHECK(pool != NULL, "pool");

    rc = ngx_http_intercom_webhook_parser_init(fuzz_parser, &fuzz_fields,
                                               &value, pool);
    FUZZ_CHECK(rc == NGX_OK, "parser_init");

    rc = ngx_http_intercom_webhook_parse(fuzz_parser, body, body + n);

    if (rc == NGX_AGAIN) {
        rc = ngx_http_intercom_webhook_parse_done(fuzz_parser);
    }

    if (rc != NGX_OK || memchr(body, '\0', n) != NULL) {
        goto done;
    }

    json = json_loadb((char *) body, n, JSON_ALLOW_NUL, &err);

    /*
     * valid JSON that jansson refuses: numbers beyond doubles and 64-bit
     * integers, "\u0000" in a key
     */

    if (json == NULL
        && (json_error_code(&err) == json_error_numeric_overflow
            || json_error_code(&err) == json_error_null_byte_in_key))
    {
        goto done;
    }

    FUZZ_CHECK(json != NULL, "accepted, jansson rejects: %s", err.text);

    item = json_object_get(json, "topic");
    FUZZ_CHECK(item != NULL, "no topic to jansson");

    rc = ngx_http_intercom_webhook_value_text(&value, &text, pool);

    FUZZ_CHECK(rc == NGX_OK || rc == NGX_DECLINED, "value_text: %d",
               (int) rc);

    switch (json_typeof(item)) {

    case JSON_STRING:
        if (value.type == NGX_HTTP_INTERCOM_WEBHOOK_TOO_LONG) {
            FUZZ_CHECK(rc == NGX_DECLINED, "too long, yet a text");
            break;
        }

        FUZZ_CHECK(value.type == NGX_HTTP_INTERCOM_WEBHOOK_STRING,
                   "a string to jansson, type %d", (int) value.type);

        if (rc == NGX_OK) {
            FUZZ_CHECK(text.len == json_string_length(item)
                       && memcmp(text.data, json_string_value(item),
                                 text.len) == 0,
                       "value_text unlike jansson");
            FUZZ_CHECK(ngx_http_intercom_webhook_header_safe(&text)
                       == NGX_OK, "value_text not header safe");
        }

        rc = ngx_http_intercom_webhook_value_string(&value, &text, pool);
        FUZZ_CHECK(rc == NGX_OK, "value_string: %d", (int) rc);

        FUZZ_CHECK(text.len == json_string_length(item)
                   && memcmp(text.data, json_string_value(item), text.len)
                      == 0,
                   "value_string unlike jansson");

        /* value_text declines exactly the texts with control characters */

        FUZZ_CHECK((ngx_http_intercom_webhook_value_text(&value, &text, pool)
                    == NGX_OK)
                   == (ngx_http_intercom_webhook_header_safe(&text)
                       == NGX_OK),
                   "value_text and header_safe disagree");
        break;

    case JSON_INTEGER:
    case JSON_REAL:
        if (value.type == NGX_HTTP_INTERCOM_WEBHOOK_TOO_LONG) {
            FUZZ_CHECK(rc == NGX_DECLINED, "too long, yet a text");
            break;
        }

        FUZZ_CHECK(value.type == NGX_HTTP_INTERCOM_WEBHOOK_NUMBER
                   && rc == NGX_OK,
                   "a number to jansson, type %d, rc %d", (int) value.type,
                   (int) rc);

        /*
         * the number as written: the first token after the white space
         * (more members may follow it), with jansson's value
         */

        start = topic;
        end = topic + len;

        while (start < end && (*start == ' ' || *start == '\t'
                               || *start == '\r' || *start == '\n'))
        {
            start++;
        }

        FUZZ_CHECK(text.len > 0 && text.len <= (size_t) (end - start)
                   && memcmp(text.data, start, text.len) == 0,
                   "number \"%.*s\" not as written", (int) text.len,
                   text.data);

        number = json_loadb((char *) text.data, text.len, JSON_DECODE_ANY,
                            &err);
        FUZZ_CHECK(number != NULL && json_equal(number, item),
                   "number \"%.*s\" unlike jansson's", (int) text.len,
                   text.data);
        json_decref(number);
        break;

    case JSON_TRUE:
        FUZZ_CHECK(rc == NGX_OK && text.len == 4
                   && memcmp(text.data, "true", 4) == 0, "true");
        break;

    case JSON_FALSE:
        FUZZ_CHECK(rc == NGX_OK && text.len == 5
                   && memcmp(text.data, "false", 5) == 0, "false");
        break;

    default:
        /* null, an object, an array */
        FUZZ_CHECK(rc == NGX_DECLINED, "a text for a null or structure");
        break;
    }

    json_decref(json);

done:

    ngx_destroy_pool(pool);
    free(body);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char                             *input, *p, *last, *nl, *topic;
    size_t                              len;
    ngx_int_t                           rc, want, match;
    ngx_str_t                           text, path;
    ngx_uint_t                          i, np;
    ngx_pool_t                         *pool;
    ngx_array_t                         topics;
    ngx_http_intercom_webhook_topic_t  *t, patterns[FUZZ_MAX_PATTERNS];

    if (fuzz_cf_pool == NULL) {
        fuzz_cf_pool = ngx_create_pool(4096, NULL);
        FUZZ_CHECK(fuzz_cf_pool != NULL, "pool");

        ngx_str_set(&path, "topic");
        fuzz_slot = ngx_http_intercom_webhook_fields_add(&fuzz_fields, &path,
                                                         fuzz_cf_pool);
        FUZZ_CHECK(fuzz_slot == 0, "fields_add: %d", (int) fuzz_slot);

        fuzz_parser = malloc(sizeof(ngx_http_intercom_webhook_parser_t));
        FUZZ_CHECK(fuzz_parser != NULL, "parser");
    }

    input = fuzz_copy(data, size);
    last = input + size;

    /* the patterns */

    pool = ngx_create_pool(4096, NULL);
    FUZZ_CHECK(pool != NULL, "pool");

    FUZZ_CHECK(ngx_array_init(&topics, pool, FUZZ_MAX_PATTERNS,
                              sizeof(ngx_http_intercom_webhook_topic_t))
               == NGX_OK, "array");

    np = 0;

    for (p = input; np < FUZZ_MAX_PATTERNS; p = nl + 1) {
        nl = memchr(p, '\n', last - p);
        if (nl == NULL) {
            break;
        }

        text.data = p;
        text.len = nl - p;

        rc = ngx_http_intercom_webhook_topic_pattern(&text, &patterns[np]);

        if (text.len == 1 && text.data[0] == '*') {
            FUZZ_CHECK(rc == NGX_OK && patterns[np].any, "\"*\"");

        } else if (text.len > 2 && nl[-1] == '*' && nl[-2] == '.') {
            want = fuzz_valid(text.data, text.len - 2, 1);

            FUZZ_CHECK(rc == want, "pattern \"%.*s\": %d", (int) text.len,
                       text.data, (int) rc);

            FUZZ_CHECK(rc != NGX_OK
                       || (patterns[np].prefix && !patterns[np].any
                           && patterns[np].name.data == text.data
                           && patterns[np].name.len == text.len - 1),
                       "prefix pattern");

        } else {
            want = fuzz_valid(text.data, text.len, 1);

            FUZZ_CHECK(rc == want, "pattern \"%.*s\": %d", (int) text.len,
                       text.data, (int) rc);

            FUZZ_CHECK(rc != NGX_OK
                       || (!patterns[np].prefix && !patterns[np].any
                           && patterns[np].name.len == text.len),
                       "exact pattern");
        }

        if (rc == NGX_OK) {
            t = ngx_array_push(&topics);
            FUZZ_CHECK(t != NULL, "push");
            *t = patterns[np];
            np++;
        }
    }

    /* the topic: the rest */

    topic = p;
    len = last - p;

    text.data = topic;
    text.len = len;

    rc = ngx_http_intercom_webhook_valid_topic(&text);
    FUZZ_CHECK(rc == fuzz_valid(topic, len, 0), "valid_topic(\"%.*s\"): %d",
               (int) len, topic, (int) rc);

    match = NGX_DECLINED;
    t = topics.elts;

    for (i = 0; i < topics.nelts; i++) {
        if (t[i].any
            || (t[i].prefix && len > t[i].name.len
                && memcmp(topic, t[i].name.data, t[i].name.len) == 0)
            || (!t[i].prefix && len == t[i].name.len
                && memcmp(topic, t[i].name.data, len) == 0))
        {
            match = NGX_OK;
            break;
        }
    }

    rc = ngx_http_intercom_webhook_topic_match(&topics, &text);
    FUZZ_CHECK(rc == match, "topic_match(\"%.*s\"): %d", (int) len, topic,
               (int) rc);

    FUZZ_CHECK(ngx_http_intercom_webhook_topic_match(NULL, &text)
               == NGX_DECLINED, "topic_match(NULL)");

    want = NGX_OK;
    for (i = 0; i < len; i++) {
        if (topic[i] < 0x20 || topic[i] == 0x7f) {
            want = NGX_DECLINED;
        }
    }

    rc = ngx_http_intercom_webhook_header_safe(&text);
    FUZZ_CHECK(rc == want, "header_safe: %d", (int) rc);

    fuzz_value(topic, len);

    ngx_destroy_pool(pool);
    free(input);

    return 0;
}
