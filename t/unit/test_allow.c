
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


/*
 * Unit tests of ngx_http_intercom_webhook_allow.c: addresses, CIDR
 * blocks, "all" and the Intercom presets, invalid values, and matching of
 * IPv4, IPv6 and IPv4-mapped IPv6 clients.  ngx_ptocidr() and
 * ngx_cidr_match() are the copies in ngx_stubs.c; t/allowlist.t runs
 * nginx's own.
 *
 * usage: test_allow
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_intercom_webhook.h"


#define CHECK(c, ...)  check((c) ? 1 : 0, __LINE__, __VA_ARGS__)


extern ngx_int_t  ngx_stubs_alloc_fail;


static ngx_uint_t   passed;
static ngx_uint_t   failed;
static ngx_pool_t  *pool;


/* Intercom's published outbound addresses, as in its documentation */

static const char  *us[] = {
    "34.231.68.152", "34.197.76.213", "35.171.78.91", "35.169.138.21",
    "52.70.27.159", "52.44.63.161", NULL
};

static const char  *eu[] = {
    "54.217.125.63", "54.246.173.113", "54.216.9.3", NULL
};

static const char  *au[] = {
    "52.63.36.185", "3.104.68.152", "52.64.2.165", NULL
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
    fprintf(stderr, "FAIL test_allow.c:%d: ", line);
    vfprintf(stderr, fmt, args);
    fprintf(stderr, "\n");
    va_end(args);
}


static ngx_int_t
add(ngx_http_intercom_webhook_allow_t *allow, const char *text)
{
    ngx_str_t  value;

    value.data = (u_char *) text;
    value.len = strlen(text);

    return ngx_http_intercom_webhook_allow_add(allow, &value, pool);
}


/*
 * Matches a client: "1.2.3.4" as a sockaddr_in, "2001:db8::1" and
 * "::ffff:1.2.3.4" as a sockaddr_in6, "unix:" as a sockaddr_un.
 */

static ngx_int_t
match(ngx_http_intercom_webhook_allow_t *allow, const char *text)
{
    struct sockaddr_in   sin;
    struct sockaddr_in6  sin6;
    struct sockaddr_un   saun;

    if (strcmp(text, "unix:") == 0) {
        ngx_memzero(&saun, sizeof(saun));
        saun.sun_family = AF_UNIX;

        return ngx_http_intercom_webhook_allow_match(allow,
                                                   (struct sockaddr *) &saun);
    }

    ngx_memzero(&sin, sizeof(sin));

    if (inet_pton(AF_INET, text, &sin.sin_addr) == 1) {
        sin.sin_family = AF_INET;
        sin.sin_port = htons(443);

        return ngx_http_intercom_webhook_allow_match(allow,
                                                     (struct sockaddr *) &sin);
    }

    ngx_memzero(&sin6, sizeof(sin6));

    if (inet_pton(AF_INET6, text, &sin6.sin6_addr) == 1) {
        sin6.sin6_family = AF_INET6;
        sin6.sin6_port = htons(443);

        return ngx_http_intercom_webhook_allow_match(allow,
                                                   (struct sockaddr *) &sin6);
    }

    fprintf(stderr, "bad test address \"%s\"\n", text);
    abort();
}


static void
expect(ngx_http_intercom_webhook_allow_t *allow, const char *what,
    const char **allowed, const char **denied, int line)
{
    ngx_int_t   rc;
    ngx_uint_t  i;

    for (i = 0; allowed && allowed[i]; i++) {
        rc = match(allow, allowed[i]);

        check(rc == NGX_OK, line, "%s: %s not allowed (%d)", what, allowed[i],
              (int) rc);
    }

    for (i = 0; denied && denied[i]; i++) {
        rc = match(allow, denied[i]);

        check(rc == NGX_DECLINED, line, "%s: %s allowed (%d)", what,
              denied[i], (int) rc);
    }
}


static ngx_uint_t
nelts(ngx_http_intercom_webhook_allow_t *allow)
{
    return allow->cidrs ? allow->cidrs->nelts : 0;
}


static void
test_addresses(void)
{
    ngx_int_t                          rc;
    ngx_http_intercom_webhook_allow_t  allow;

    static const char  *v4_allowed[] = { "192.0.2.1", "::ffff:192.0.2.1",
                                         NULL };
    static const char  *v4_denied[] = { "192.0.2.0", "192.0.2.2",
                                        "193.0.2.1", "1.2.0.192",
                                        "::ffff:192.0.2.2", "::192.0.2.1",
                                        "::ffff:0:192.0.2.1", "2001:db8::1",
                                        "0.0.0.0", "255.255.255.255",
                                        "unix:", NULL };

    static const char  *v6_allowed[] = { "2001:db8::1",
                                         "2001:0db8:0:0:0:0:0:1", NULL };
    static const char  *v6_denied[] = { "2001:db8::", "2001:db8::2",
                                        "2001:db8::1:1", "3001:db8::1",
                                        "::1", "192.0.2.1", "::", NULL };

    /* an IPv4 address */

    ngx_memzero(&allow, sizeof(allow));

    rc = add(&allow, "192.0.2.1");

    CHECK(rc == NGX_OK && nelts(&allow) == 1 && !allow.all,
          "192.0.2.1: %d", (int) rc);

    expect(&allow, "192.0.2.1", v4_allowed, v4_denied, __LINE__);

    /* an IPv6 address, uppercase and with leading zeros */

    ngx_memzero(&allow, sizeof(allow));

    rc = add(&allow, "2001:DB8:0000::0001");

    CHECK(rc == NGX_OK && nelts(&allow) == 1, "2001:DB8:0000::0001: %d",
          (int) rc);

    expect(&allow, "2001:db8::1", v6_allowed, v6_denied, __LINE__);

    /* both */

    ngx_memzero(&allow, sizeof(allow));

    CHECK(add(&allow, "2001:db8::1") == NGX_OK
          && add(&allow, "192.0.2.1") == NGX_OK
          && nelts(&allow) == 2,
          "two addresses");

    {
        static const char  *denied[] = { "192.0.2.2", "2001:db8::2", "::1",
                                         "::", "::192.0.2.1", "unix:",
                                         NULL };

        expect(&allow, "both", v4_allowed, denied, __LINE__);
        expect(&allow, "both", v6_allowed, NULL, __LINE__);
    }

    /* loopback and an IPv4-mapped address in the allowlist */

    ngx_memzero(&allow, sizeof(allow));

    CHECK(add(&allow, "127.0.0.1") == NGX_OK
          && add(&allow, "::1") == NGX_OK,
          "loopback");

    {
        static const char  *allowed[] = { "127.0.0.1", "::1",
                                          "::ffff:127.0.0.1", NULL };
        static const char  *denied[] = { "127.0.0.2", "::2", "::", NULL };

        expect(&allow, "loopback", allowed, denied, __LINE__);
    }

    /*
     * "::ffff:192.0.2.1" is taken as an IPv6 block, and a client is
     * matched by its IPv4 address when its address is mapped: as nginx's
     * allow directive, it matches no client
     */

    ngx_memzero(&allow, sizeof(allow));

    rc = add(&allow, "::ffff:192.0.2.1");

    CHECK(rc == NGX_OK, "::ffff:192.0.2.1: %d", (int) rc);

    {
        static const char  *denied[] = { "192.0.2.1", "::ffff:192.0.2.1",
                                         NULL };

        expect(&allow, "::ffff:192.0.2.1", NULL, denied, __LINE__);
    }
}


static void
test_cidr(void)
{
    ngx_int_t                          rc;
    ngx_uint_t                         i;
    ngx_cidr_t                        *cidr;
    ngx_http_intercom_webhook_allow_t  allow;

    static const struct {
        const char  *value;
        ngx_int_t    rc;
        const char  *allowed[6];
        const char  *denied[6];
    } cases[] = {

        { "10.0.0.0/8", NGX_OK,
          { "10.0.0.0", "10.255.255.255", "10.1.2.3", "::ffff:10.9.9.9" },
          { "11.0.0.0", "9.255.255.255", "0.0.0.10", "::a00:1" } },

        { "10.1.2.3/8", NGX_DONE,
          { "10.0.0.0", "10.200.0.1", "10.1.2.3" },
          { "11.1.2.3", "9.1.2.3" } },

        { "192.0.2.128/25", NGX_OK,
          { "192.0.2.128", "192.0.2.255", "192.0.2.200" },
          { "192.0.2.127", "192.0.2.0", "192.0.3.128" } },

        { "192.0.2.129/25", NGX_DONE,
          { "192.0.2.128", "192.0.2.255" },
          { "192.0.2.127" } },

        { "192.0.2.1/32", NGX_OK,
          { "192.0.2.1" },
          { "192.0.2.0", "192.0.2.2" } },

        { "192.0.2.1/31", NGX_DONE,
          { "192.0.2.0", "192.0.2.1" },
          { "192.0.2.2", "192.0.1.255" } },

        { "0.0.0.0/0", NGX_OK,
          { "0.0.0.0", "255.255.255.255", "34.231.68.152",
            "::ffff:1.2.3.4" },
          { "2001:db8::1", "::", "::1", "unix:" } },

        { "1.2.3.4/0", NGX_DONE,
          { "0.0.0.0", "255.255.255.255", "1.2.3.4" },
          { "::1" } },

        { "2001:db8::/32", NGX_OK,
          { "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
            "2001:db8:1::1" },
          { "2001:db9::", "2001:db7:ffff::", "192.0.2.1" } },

        { "2001:db8::1/32", NGX_DONE,
          { "2001:db8::", "2001:db8:1::1" },
          { "2001:db9::1" } },

        { "2001:db8::80/121", NGX_OK,
          { "2001:db8::80", "2001:db8::ff" },
          { "2001:db8::7f", "2001:db8::100" } },

        { "2001:db8::81/121", NGX_DONE,
          { "2001:db8::80", "2001:db8::ff" },
          { "2001:db8::7f" } },

        { "2001:db8::1/128", NGX_OK,
          { "2001:db8::1" },
          { "2001:db8::", "2001:db8::2" } },

        { "::/0", NGX_OK,
          { "::", "2001:db8::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
          /* a mapped address is matched as IPv4, as by nginx */
          { "192.0.2.1", "::ffff:192.0.2.1" } },

        { "::ffff:0:0/96", NGX_OK,
          { NULL },
          { "::ffff:192.0.2.1", "192.0.2.1" } },
    };

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ngx_memzero(&allow, sizeof(allow));

        rc = add(&allow, cases[i].value);

        CHECK(rc == cases[i].rc && nelts(&allow) == 1,
              "allow_add(\"%s\") = %d, %u entries", cases[i].value, (int) rc,
              (unsigned) nelts(&allow));

        expect(&allow, cases[i].value, (const char **) cases[i].allowed,
               (const char **) cases[i].denied, __LINE__);
    }

    /* host bits are cleared in what is stored */

    ngx_memzero(&allow, sizeof(allow));

    rc = add(&allow, "10.1.2.3/16");
    cidr = allow.cidrs ? allow.cidrs->elts : NULL;

    CHECK(rc == NGX_DONE && cidr != NULL && cidr->family == AF_INET
          && cidr->u.in.addr == htonl(0x0a010000)
          && cidr->u.in.mask == htonl(0xffff0000),
          "10.1.2.3/16 stored as 10.1.0.0/16");

    /* many entries, past the array's first allocation */

    ngx_memzero(&allow, sizeof(allow));

    for (i = 0; i < 100; i++) {
        char  text[32];

        snprintf(text, sizeof(text), "198.51.%u.0/24", (unsigned) i);

        if (add(&allow, text) != NGX_OK) {
            CHECK(0, "allow_add(\"%s\")", text);
        }

        snprintf(text, sizeof(text), "2001:db8:%x::/48", (unsigned) i);

        if (add(&allow, text) != NGX_OK) {
            CHECK(0, "allow_add(\"%s\")", text);
        }
    }

    CHECK(nelts(&allow) == 200, "%u entries", (unsigned) nelts(&allow));

    for (i = 0; i < 101; i++) {
        char  v4[32], v6[48];

        snprintf(v4, sizeof(v4), "198.51.%u.77", (unsigned) i);
        snprintf(v6, sizeof(v6), "2001:db8:%x:1::77", (unsigned) i);

        if (match(&allow, v4) != (i < 100 ? NGX_OK : NGX_DECLINED)
            || match(&allow, v6) != (i < 100 ? NGX_OK : NGX_DECLINED))
        {
            CHECK(0, "entry %u of 200", (unsigned) i);
        }
    }

    CHECK(1, "200 entries");
}


static void
test_all(void)
{
    ngx_http_intercom_webhook_allow_t  allow;

    static const char  *allowed[] = { "0.0.0.0", "192.0.2.1",
                                      "255.255.255.255", "::", "::1",
                                      "2001:db8::1", "::ffff:192.0.2.1",
                                      "unix:", NULL };

    ngx_memzero(&allow, sizeof(allow));

    CHECK(add(&allow, "all") == NGX_OK && allow.all && nelts(&allow) == 0,
          "all");

    expect(&allow, "all", allowed, NULL, __LINE__);

    /* with addresses */

    ngx_memzero(&allow, sizeof(allow));

    CHECK(add(&allow, "192.0.2.1") == NGX_OK && add(&allow, "all") == NGX_OK
          && allow.all,
          "an address and all");

    expect(&allow, "an address and all", allowed, NULL, __LINE__);
}


static void
test_presets(void)
{
    ngx_int_t                          rc;
    ngx_uint_t                         i;
    ngx_http_intercom_webhook_allow_t  allow;

    static const char  *other[] = { "34.231.68.153", "34.231.68.151",
                                    "54.217.125.62", "52.63.36.186",
                                    "3.104.68.153", "127.0.0.1",
                                    "192.0.2.1", "::1", "::34.231.68.152",
                                    "2001:db8::1", "unix:", NULL };

    static const char  *mapped_us[] = { "::ffff:34.231.68.152",
                                        "::ffff:52.44.63.161", NULL };
    static const char  *mapped_eu[] = { "::ffff:54.217.125.63",
                                        "::ffff:54.216.9.3", NULL };
    static const char  *mapped_au[] = { "::ffff:52.63.36.185",
                                        "::ffff:3.104.68.152", NULL };

    static const struct {
        const char   *name;
        const char  **allowed[3];
        const char  **denied[3];
        const char  **mapped_allowed;
        const char  **mapped_denied;
        ngx_uint_t    n;
    } presets[] = {
        { "intercom", { us, eu, au }, { NULL, NULL, NULL },
          mapped_us, NULL, 12 },
        { "intercom_us", { us, NULL, NULL }, { eu, au, NULL },
          mapped_us, mapped_eu, 6 },
        { "intercom_eu", { eu, NULL, NULL }, { us, au, NULL },
          mapped_eu, mapped_au, 3 },
        { "intercom_au", { au, NULL, NULL }, { us, eu, NULL },
          mapped_au, mapped_us, 3 },
    };

    for (i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {
        ngx_memzero(&allow, sizeof(allow));

        rc = add(&allow, presets[i].name);

        CHECK(rc == NGX_OK && !allow.all && nelts(&allow) == presets[i].n,
              "allow_add(\"%s\") = %d, %u entries", presets[i].name,
              (int) rc, (unsigned) nelts(&allow));

        expect(&allow, presets[i].name, presets[i].allowed[0],
               presets[i].denied[0], __LINE__);
        expect(&allow, presets[i].name, presets[i].allowed[1],
               presets[i].denied[1], __LINE__);
        expect(&allow, presets[i].name, presets[i].allowed[2],
               presets[i].denied[2], __LINE__);
        expect(&allow, presets[i].name, presets[i].mapped_allowed,
               presets[i].mapped_denied, __LINE__);
        expect(&allow, presets[i].name, NULL, other, __LINE__);
    }

    /* the ones named in the documentation */

    ngx_memzero(&allow, sizeof(allow));

    CHECK(add(&allow, "intercom_eu") == NGX_OK
          && match(&allow, "34.231.68.152") == NGX_DECLINED
          && match(&allow, "54.217.125.63") == NGX_OK,
          "intercom_eu does not allow 34.231.68.152");

    ngx_memzero(&allow, sizeof(allow));

    CHECK(add(&allow, "intercom") == NGX_OK
          && match(&allow, "::ffff:34.231.68.152") == NGX_OK,
          "intercom allows ::ffff:34.231.68.152");

    /* presets add up, with addresses too */

    ngx_memzero(&allow, sizeof(allow));

    CHECK(add(&allow, "intercom_eu") == NGX_OK
          && add(&allow, "intercom_au") == NGX_OK
          && add(&allow, "192.0.2.0/24") == NGX_OK
          && nelts(&allow) == 7,
          "intercom_eu, intercom_au and a block");

    expect(&allow, "eu+au", eu, us, __LINE__);
    expect(&allow, "eu+au", au, NULL, __LINE__);

    CHECK(match(&allow, "192.0.2.99") == NGX_OK, "eu+au: the block");
}


static void
test_invalid(void)
{
    ngx_int_t                          rc;
    ngx_uint_t                         i;
    ngx_http_intercom_webhook_allow_t  allow;

    static const char  *invalid[] = {
        "", " ", "all ", " all", "ALL", "All", "al", "alll", "all/0",
        "intercom_xx", "intercom_", "intercom_US", "Intercom", "INTERCOM",
        "intercom ", " intercom", "intercom_us ", "intercom_use",
        "intercom_eu,intercom_au", "intercom/24",
        "1.2.3.4/33", "1.2.3.4/", "1.2.3.4/-1", "1.2.3.4/+8", "1.2.3.4/a",
        "1.2.3.4/8/8", "1.2.3.4/ 8", "1.2.3.4/999999999999999999999",
        "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "1.2.3.4 ",
        " 1.2.3.4", "1.2.3.-4", "0x1.2.3.4", "1.2.3.4:80", "/8", "/",
        "::g", ":::", "::1::1", "1:2:3:4:5:6:7:8:9", "12345::",
        "2001:db8::/129", "2001:db8::/", "[::1]", "::1%eth0", ":1",
        "localhost", "example.com", "*", "unix:", "unix:/tmp/s", "none",
        "deny", NULL
    };

    for (i = 0; invalid[i]; i++) {
        ngx_memzero(&allow, sizeof(allow));

        rc = add(&allow, invalid[i]);

        CHECK(rc == NGX_DECLINED && nelts(&allow) == 0 && !allow.all,
              "allow_add(\"%s\") = %d, %u entries", invalid[i], (int) rc,
              (unsigned) nelts(&allow));
    }

    /* NUL is not the end of the value */

    {
        ngx_str_t  value;

        value.data = (u_char *) "all\0";
        value.len = 4;

        ngx_memzero(&allow, sizeof(allow));

        rc = ngx_http_intercom_webhook_allow_add(&allow, &value, pool);

        CHECK(rc == NGX_DECLINED && !allow.all, "\"all\\0\": %d", (int) rc);

        value.data = (u_char *) "192.0.2.1\0";
        value.len = 10;

        rc = ngx_http_intercom_webhook_allow_add(&allow, &value, pool);

        CHECK(rc == NGX_DECLINED, "\"192.0.2.1\\0\": %d", (int) rc);

        value.data = (u_char *) "intercom\0";
        value.len = 9;

        rc = ngx_http_intercom_webhook_allow_add(&allow, &value, pool);

        CHECK(rc == NGX_DECLINED, "\"intercom\\0\": %d", (int) rc);
    }

    /* an invalid value leaves the allowlist as it was */

    ngx_memzero(&allow, sizeof(allow));

    CHECK(add(&allow, "192.0.2.1") == NGX_OK
          && add(&allow, "1.2.3.4/33") == NGX_DECLINED
          && add(&allow, "intercom_xx") == NGX_DECLINED
          && nelts(&allow) == 1
          && match(&allow, "192.0.2.1") == NGX_OK
          && match(&allow, "1.2.3.4") == NGX_DECLINED,
          "invalid values after a valid one");
}


static void
test_empty(void)
{
    ngx_http_intercom_webhook_allow_t  allow;

    static const char  *denied[] = { "0.0.0.0", "192.0.2.1",
                                     "34.231.68.152", "::", "::1",
                                     "::ffff:34.231.68.152", "unix:", NULL };

    ngx_memzero(&allow, sizeof(allow));

    expect(&allow, "empty", NULL, denied, __LINE__);

    /* after invalid values only */

    (void) add(&allow, "");
    (void) add(&allow, "intercom_xx");

    expect(&allow, "empty after invalid values", NULL, denied, __LINE__);

    /* an allowlist made empty (an array with no entries) */

    allow.cidrs = ngx_array_create(pool, 4, sizeof(ngx_cidr_t));
    if (allow.cidrs == NULL) {
        abort();
    }

    expect(&allow, "an empty array", NULL, denied, __LINE__);
}


static void
test_memory(void)
{
    ngx_int_t                          rc;
    ngx_uint_t                         n;
    ngx_http_intercom_webhook_allow_t  allow;

    /* every allocation fails in turn: NGX_ERROR, never a crash */

    for (n = 0; n < 8; n++) {
        ngx_memzero(&allow, sizeof(allow));

        ngx_stubs_alloc_fail = n;
        rc = add(&allow, "intercom");
        ngx_stubs_alloc_fail = -1;

        CHECK(rc == NGX_OK || rc == NGX_ERROR,
              "allow_add(\"intercom\") with allocation %u failing = %d",
              (unsigned) n, (int) rc);

        ngx_memzero(&allow, sizeof(allow));

        ngx_stubs_alloc_fail = n;
        rc = add(&allow, "192.0.2.1/24");
        ngx_stubs_alloc_fail = -1;

        CHECK(rc == NGX_DONE || rc == NGX_ERROR,
              "allow_add(\"192.0.2.1/24\") with allocation %u failing = %d",
              (unsigned) n, (int) rc);
    }

    ngx_memzero(&allow, sizeof(allow));

    ngx_stubs_alloc_fail = 0;
    rc = add(&allow, "192.0.2.1");
    ngx_stubs_alloc_fail = -1;

    CHECK(rc == NGX_ERROR, "allow_add() with no memory = %d", (int) rc);

    /* "all" needs none */

    ngx_stubs_alloc_fail = 0;
    rc = add(&allow, "all");
    ngx_stubs_alloc_fail = -1;

    CHECK(rc == NGX_OK, "allow_add(\"all\") with no memory = %d", (int) rc);
}


int
main(int argc, char **argv)
{
    pool = ngx_create_pool(4096, NULL);
    if (pool == NULL) {
        return 2;
    }

    test_addresses();
    test_cidr();
    test_all();
    test_presets();
    test_invalid();
    test_empty();
    test_memory();

    ngx_destroy_pool(pool);

    printf("test_allow: %u passed, %u failed\n", (unsigned) passed,
           (unsigned) failed);

    return failed ? 1 : 0;
}
