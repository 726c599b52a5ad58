
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


/*
 * Unit tests of the text parsing of ngx_http_intercom_webhook_ranges.c
 * (intercom_webhook_allow_file): Intercom's JSON, where only the
 * INTERCOM-OUTBOUND entries are allowed, plain lists, each reason to
 * reject a file, host bits, the messages' escaping, the dates, and
 * memory shortage at every allocation.  Built with
 * ngx_http_intercom_webhook_allow.c; t/allow_file.t runs the directive.
 *
 * usage: test_ranges
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_intercom_webhook.h"


#define CHECK(c, ...)  check((c) ? 1 : 0, __LINE__, __VA_ARGS__)


extern ngx_int_t  ngx_stubs_alloc_fail;


static ngx_uint_t   passed;
static ngx_uint_t   failed;
static ngx_pool_t  *pool;


static const char  intercom_us[] =
    "{\n"
    "  \"ip_ranges\": [\n"
    "    { \"range\": \"34.197.76.213/32\", \"region\": \"US\",\n"
    "      \"service\": \"INTERCOM-OUTBOUND\" },\n"
    "    { \"range\": \"34.231.68.152/32\", \"region\": \"US\",\n"
    "      \"service\": \"INTERCOM-OUTBOUND\" },\n"
    "    { \"range\": \"2001:db8::/32\", \"region\": \"US\",\n"
    "      \"service\": \"INTERCOM-OUTBOUND\" },\n"
    "    { \"range\": \"52.1.0.0/16\", \"region\": \"US\",\n"
    "      \"service\": \"INTERCOM-ENDPOINTS\" },\n"
    "    { \"range\": \"127.0.0.1/32\", \"region\": \"US\",\n"
    "      \"service\": \"INTERCOM-GENERAL\" },\n"
    "    { \"range\": \"10.0.0.0/8\", \"region\": \"US\",\n"
    "      \"service\": \"intercom-outbound\" },\n"
    "    { \"range\": \"not a range\", \"service\": \"INTERCOM-GENERAL\" },\n"
    "    { \"range\": \"192.0.2.0/24\" }\n"
    "  ],\n"
    "  \"date\": \"2025-07-25\"\n"
    "}\n";


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
    fprintf(stderr, "FAIL test_ranges.c:%d: ", line);
    vfprintf(stderr, fmt, args);
    fprintf(stderr, "\n");
    va_end(args);
}


static ngx_int_t
parse(ngx_http_intercom_webhook_allow_t *allow, const char *text,
    ngx_str_t *date, ngx_str_t *error)
{
    ngx_memzero(allow, sizeof(ngx_http_intercom_webhook_allow_t));

    return ngx_http_intercom_webhook_ranges_parse(allow, (u_char *) text,
                                                  strlen(text), pool, date,
                                                  error);
}


static int
is(ngx_str_t *s, const char *text)
{
    return s->len == strlen(text) && ngx_memcmp(s->data, text, s->len) == 0;
}


static ngx_int_t
match(ngx_http_intercom_webhook_allow_t *allow, const char *text)
{
    struct sockaddr_in   sin;
    struct sockaddr_in6  sin6;

    ngx_memzero(&sin, sizeof(sin));

    if (inet_pton(AF_INET, text, &sin.sin_addr) == 1) {
        sin.sin_family = AF_INET;

        return ngx_http_intercom_webhook_allow_match(allow,
                                                     (struct sockaddr *) &sin);
    }

    ngx_memzero(&sin6, sizeof(sin6));

    if (inet_pton(AF_INET6, text, &sin6.sin6_addr) == 1) {
        sin6.sin6_family = AF_INET6;

        return ngx_http_intercom_webhook_allow_match(allow,
                                                   (struct sockaddr *) &sin6);
    }

    fprintf(stderr, "bad test address \"%s\"\n", text);
    abort();
}


static void
test_json(void)
{
    ngx_int_t                          rc;
    ngx_str_t                          date, error;
    ngx_http_intercom_webhook_allow_t  allow;

    rc = parse(&allow, intercom_us, &date, &error);

    CHECK(rc == NGX_OK, "Intercom's JSON = %d", (int) rc);
    CHECK(allow.cidrs && allow.cidrs->nelts == 3,
          "the three INTERCOM-OUTBOUND ranges only");
    CHECK(is(&date, "2025-07-25"), "the date is \"%.*s\"", (int) date.len,
          date.data);
    CHECK(!allow.all, "not all");

    CHECK(match(&allow, "34.197.76.213") == NGX_OK, "outbound allowed");
    CHECK(match(&allow, "34.231.68.152") == NGX_OK, "outbound allowed");
    CHECK(match(&allow, "2001:db8::7") == NGX_OK, "outbound IPv6 allowed");
    CHECK(match(&allow, "127.0.0.1") == NGX_DECLINED,
          "INTERCOM-GENERAL not allowed");
    CHECK(match(&allow, "52.1.2.3") == NGX_DECLINED,
          "INTERCOM-ENDPOINTS not allowed");
    CHECK(match(&allow, "10.1.2.3") == NGX_DECLINED,
          "the service compares case-sensitively");
    CHECK(match(&allow, "192.0.2.1") == NGX_DECLINED,
          "an entry without a service is not allowed");

    /* no date, a date that is not a string: no date */

    rc = parse(&allow, "{\"ip_ranges\": [{\"range\": \"1.2.3.4\", "
                       "\"service\": \"INTERCOM-OUTBOUND\"}]}", &date, &error);

    CHECK(rc == NGX_OK && date.len == 0, "no date = %d, %d", (int) rc,
          (int) date.len);

    rc = parse(&allow, "{\"ip_ranges\": [{\"range\": \"1.2.3.4\", "
                       "\"service\": \"INTERCOM-OUTBOUND\"}], \"date\": 7}",
               &date, &error);

    CHECK(rc == NGX_OK && date.len == 0, "a number as date = %d, %d",
          (int) rc, (int) date.len);

    /* a date with control characters, or too long, is not kept */

    rc = parse(&allow, "{\"ip_ranges\": [{\"range\": \"1.2.3.4\", "
                       "\"service\": \"INTERCOM-OUTBOUND\"}], "
                       "\"date\": \"2025-07-25\\n\"}", &date, &error);

    CHECK(rc == NGX_OK && date.len == 0, "a date with a newline = %d, %d",
          (int) rc, (int) date.len);

    rc = parse(&allow, "{\"ip_ranges\": [{\"range\": \"1.2.3.4\", "
                       "\"service\": \"INTERCOM-OUTBOUND\"}], "
                       "\"date\": \"2025-07-25T00:00:00.000000000000000000"
                       "0000000000000000000000000000000000000000000Z\"}",
               &date, &error);

    CHECK(rc == NGX_OK && date.len == 0, "a date over 64 bytes = %d, %d",
          (int) rc, (int) date.len);

    rc = parse(&allow, "{\"ip_ranges\": [{\"range\": \"1.2.3.4\", "
                       "\"service\": \"INTERCOM-OUTBOUND\"}], "
                       "\"date\": \"2025-07-25T00:00:00Z\"}", &date, &error);

    CHECK(rc == NGX_OK && is(&date, "2025-07-25T00:00:00Z"),
          "a date and time = %d, \"%.*s\"", (int) rc, (int) date.len,
          date.data);

    /* the file adds to what the list has */

    rc = parse(&allow, intercom_us, &date, &error);
    rc = ngx_http_intercom_webhook_ranges_parse(&allow,
                                  (u_char *) "198.51.100.0/24\n",
                                  sizeof("198.51.100.0/24\n") - 1, pool,
                                  &date, &error);

    CHECK(rc == NGX_OK && allow.cidrs->nelts == 4, "a second file adds");
    CHECK(match(&allow, "34.197.76.213") == NGX_OK
          && match(&allow, "198.51.100.9") == NGX_OK, "both are allowed");
}


static void
test_list(void)
{
    ngx_int_t                          rc;
    ngx_str_t                          date, error;
    ngx_http_intercom_webhook_allow_t  allow;

    rc = parse(&allow, "# Intercom, US\n"
                       "\n"
                       "34.197.76.213\r\n"
                       "  34.231.68.0/24   # a block\n"
                       "\t\n"
                       "2001:db8::1\n"
                       "# the end", &date, &error);

    CHECK(rc == NGX_OK, "a plain list = %d", (int) rc);
    CHECK(allow.cidrs && allow.cidrs->nelts == 3, "three ranges");
    CHECK(date.len == 0, "no date");
    CHECK(match(&allow, "34.197.76.213") == NGX_OK, "address allowed");
    CHECK(match(&allow, "34.231.68.200") == NGX_OK, "block allowed");
    CHECK(match(&allow, "2001:db8::1") == NGX_OK, "IPv6 allowed");
    CHECK(match(&allow, "34.197.76.214") == NGX_DECLINED, "others not");

    rc = parse(&allow, "127.0.0.1", &date, &error);

    CHECK(rc == NGX_OK && match(&allow, "127.0.0.1") == NGX_OK,
          "one line without a newline = %d", (int) rc);
}


static void
test_host_bits(void)
{
    ngx_int_t                          rc;
    ngx_str_t                          date, error;
    ngx_http_intercom_webhook_allow_t  allow;

    rc = parse(&allow, "10.0.0.0/8\n10.1.2.3/8\n192.168.1.1/16\n",
               &date, &error);

    CHECK(rc == NGX_DONE, "host bits = %d", (int) rc);
    CHECK(is(&error, "low address bits of \"10.1.2.3/8\" on line 2"),
          "the first one is named: \"%.*s\"", (int) error.len, error.data);
    CHECK(match(&allow, "10.200.0.1") == NGX_OK
          && match(&allow, "192.168.7.7") == NGX_OK, "the blocks are allowed");

    rc = parse(&allow, "{\"ip_ranges\": [{\"range\": \"34.197.76.213/24\", "
                       "\"service\": \"INTERCOM-OUTBOUND\"}]}", &date, &error);

    CHECK(rc == NGX_DONE, "host bits in JSON = %d", (int) rc);
    CHECK(is(&error, "low address bits of \"34.197.76.213/24\" "
                     "(ip_ranges[0])"),
          "in JSON: \"%.*s\"", (int) error.len, error.data);
}


static void
test_invalid(void)
{
    ngx_int_t                          rc;
    ngx_str_t                          date, error;
    ngx_uint_t                         i;
    ngx_http_intercom_webhook_allow_t  allow;

    static const struct {
        const char  *text;
        const char  *error;
    } tests[] = {

        { "", "is empty" },
        { " \r\n\t\n", "is empty" },

        /* a truncated download */
        { "{\"ip_ranges\": [{\"range\": \"34.197.76.213/32\", \"serv",
          NULL },
        { "{", NULL },
        { "{\"ip_ranges\": []} x", NULL },
        { "{\"ip_ranges\": [], \"ip_ranges\": []}", NULL },

        { "[]", "has no \"ip_ranges\" array" },
        { "{}", "has no \"ip_ranges\" array" },
        { "{\"ip_ranges\": {}}", "has no \"ip_ranges\" array" },
        { "{\"ip_ranges\": []}", "has no INTERCOM-OUTBOUND range" },
        { "{\"ip_ranges\": [{\"range\": \"127.0.0.1/32\", "
          "\"service\": \"INTERCOM-GENERAL\"}], \"date\": \"2025-07-25\"}",
          "has no INTERCOM-OUTBOUND range" },
        { "{\"ip_ranges\": [{\"range\": \"1.2.3.4\", "
          "\"service\": \"INTERCOM-OUTBOUND\"}, 7]}",
          "has an entry that is not an object (ip_ranges[1])" },
        { "{\"ip_ranges\": [{\"service\": \"INTERCOM-OUTBOUND\"}]}",
          "has an INTERCOM-OUTBOUND entry without a \"range\" string "
          "(ip_ranges[0])" },
        { "{\"ip_ranges\": [{\"range\": 1234, "
          "\"service\": \"INTERCOM-OUTBOUND\"}]}",
          "has an INTERCOM-OUTBOUND entry without a \"range\" string "
          "(ip_ranges[0])" },
        { "{\"ip_ranges\": [{\"range\": \"1.2.3.4/33\", "
          "\"service\": \"INTERCOM-OUTBOUND\"}]}",
          "has an invalid range \"1.2.3.4/33\" (ip_ranges[0])" },
        { "{\"ip_ranges\": [{\"range\": \"all\", "
          "\"service\": \"INTERCOM-OUTBOUND\"}]}",
          "has an invalid range \"all\" (ip_ranges[0])" },

        { "# nothing\n\n# here\n", "has no range" },
        { "1.2.3.4\n1.2.3.256\n", "has an invalid range \"1.2.3.256\" "
          "on line 2" },
        { "1.2.3.4 5.6.7.8\n", "has an invalid range \"1.2.3.4 5.6.7.8\" "
          "on line 1" },
        { "\n\nall\n", "has an invalid range \"all\" on line 3" },

        /* "all" in other words: a block of prefix length 0 */
        { "192.0.2.1\n0.0.0.0/0\n",
          "cannot allow every address: \"0.0.0.0/0\" on line 2" },
        { "::/0\n", "cannot allow every address: \"::/0\" on line 1" },
        { "2001:db8::/0\n",
          "cannot allow every address: \"2001:db8::/0\" on line 1" },
        { "203.0.113.9/0 # host bits too\n",
          "cannot allow every address: \"203.0.113.9/0\" on line 1" },
        { "{\"ip_ranges\": [{\"range\": \"0.0.0.0/0\", "
          "\"service\": \"INTERCOM-OUTBOUND\"}]}",
          "cannot allow every address: \"0.0.0.0/0\" (ip_ranges[0])" },
        { "{\"ip_ranges\": [{\"range\": \"0.0.0.0/00\", "
          "\"service\": \"INTERCOM-OUTBOUND\"}]}",
          "cannot allow every address: \"0.0.0.0/00\" (ip_ranges[0])" },
        { "intercom\n", "has an invalid range \"intercom\" on line 1" },
        { "intercom_us\n", "has an invalid range \"intercom_us\" on line 1" },
        { "<html>\n", "has an invalid range \"<html>\" on line 1" },

        /* bytes from the network are not logged as they are */
        { "1.2.3.4\x1b[31m\n", "has an invalid range \"1.2.3.4?[31m\" "
          "on line 1" },
        { "1.2.3.4/" "3333333333" "3333333333" "3333333333" "3333333333"
          "3333333333" "3333333333" "3333333333\n",
          "has an invalid range \"1.2.3.4/" "3333333333" "3333333333"
          "3333333333" "3333333333" "3333333333" "333333...\" on line 1" }
    };

    for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        rc = parse(&allow, tests[i].text, &date, &error);

        CHECK(rc == NGX_DECLINED, "\"%s\" = %d", tests[i].text, (int) rc);
        CHECK(!allow.all, "\"%s\" allows all", tests[i].text);
        CHECK(match(&allow, "198.51.100.7") == NGX_DECLINED
              && match(&allow, "2001:db8:1::7") == NGX_DECLINED,
              "\"%s\" allows any address", tests[i].text);

        if (tests[i].error) {
            CHECK(is(&error, tests[i].error), "\"%s\": \"%.*s\"",
                  tests[i].text, (int) error.len, error.data);

        } else {
            CHECK(error.len > sizeof("is not valid JSON: \"")
                  && ngx_strncmp(error.data, "is not valid JSON: \"",
                                 sizeof("is not valid JSON: \"") - 1) == 0,
                  "\"%s\": \"%.*s\"", tests[i].text, (int) error.len,
                  error.data);
        }
    }

    /* a NUL byte */

    ngx_memzero(&allow, sizeof(allow));
    rc = ngx_http_intercom_webhook_ranges_parse(&allow,
                                                (u_char *) "1.2.3.4\0\n", 9,
                                                pool, &date, &error);

    CHECK(rc == NGX_DECLINED && is(&error, "has an invalid range "
                                           "\"1.2.3.4?\" on line 1"),
          "a NUL byte = %d \"%.*s\"", (int) rc, (int) error.len, error.data);
}


static void
test_day(void)
{
    ngx_str_t   s;
    ngx_int_t   day;
    ngx_uint_t  i;

    static const struct {
        const char  *date;
        ngx_int_t    day;
    } tests[] = {
        { "1970-01-01", 0 },
        { "2000-03-01", 11017 },
        { "2024-02-29", 19782 },
        { "2025-07-25", 20294 },
        { "2025-07-25T12:00:00Z", 20294 },
        { "2025-07-25 12:00", 20294 },
        { "2026-12-01", 20788 },
        { "2025-02-29", NGX_ERROR },
        { "2100-02-29", NGX_ERROR },
        { "2025-13-01", NGX_ERROR },
        { "2025-00-10", NGX_ERROR },
        { "2025-04-31", NGX_ERROR },
        { "2025-07-00", NGX_ERROR },
        { "1969-12-31", NGX_ERROR },
        { "2025-7-25", NGX_ERROR },
        { "2025/07/25", NGX_ERROR },
        { "2025-07-25x", NGX_ERROR },
        { "25-07-2025", NGX_ERROR },
        { "", NGX_ERROR }
    };

    for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        s.data = (u_char *) tests[i].date;
        s.len = strlen(tests[i].date);

        day = ngx_http_intercom_webhook_ranges_day(&s);

        CHECK(day == tests[i].day, "day(\"%s\") = %d, not %d", tests[i].date,
              (int) day, (int) tests[i].day);
    }
}


static void
test_memory(void)
{
    ngx_int_t                          rc, n;
    ngx_str_t                          date, error;
    ngx_uint_t                         i, errors;
    ngx_http_intercom_webhook_allow_t  allow;

    static const char  *texts[] = {
        intercom_us,
        "10.0.0.0/8\n10.1.2.3/8\n",
        "{\"ip_ranges\": [1]}",
        "1.2.3.4\nbad\n",
        "{"
    };

    /* every allocation fails once: NGX_ERROR, or the result without it */

    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        errors = 0;

        for (n = 0; n < 64; n++) {
            ngx_stubs_alloc_fail = n;
            rc = parse(&allow, texts[i], &date, &error);
            ngx_stubs_alloc_fail = -1;

            if (rc == NGX_ERROR) {
                errors++;
                continue;
            }

            break;
        }

        CHECK(n < 64 && errors > 0, "text %d: %d allocations failed "
              "with NGX_ERROR, then %d", (int) i, (int) errors, (int) rc);
    }
}


int
main(int argc, char **argv)
{
    pool = ngx_create_pool(4096, NULL);
    if (pool == NULL) {
        return 2;
    }

    test_json();
    test_list();
    test_host_bits();
    test_invalid();
    test_day();
    test_memory();

    ngx_destroy_pool(pool);

    printf("test_ranges: %u passed, %u failed\n", (unsigned) passed,
           (unsigned) failed);

    return failed ? 1 : 0;
}
