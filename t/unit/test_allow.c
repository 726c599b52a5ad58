
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


/*
 * Unit tests of ngx_http_intercom_webhook_allow.c: addresses, CIDR
 * blocks, "all" and the Intercom presets, invalid values, and matching of
 * IPv4, IPv6 and IPv4-mapped IPv6 clients (on both sides of 128.0.0.0,
 * where ngx_cidr_match() has a signed shift overflow), and the address
 * forms that nginx's own parser, ngx_ptocidr() from ngx_inet.c, linked
 * here, accepts.  The presets are checked against the addresses of
 * Intercom's documentation, copied into t/unit/intercom-addresses.txt.
 *
 * usage: test_allow (from the repository's top directory)
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_intercom_webhook.h"


#define CHECK(c, ...)  check((c) ? 1 : 0, __LINE__, __VA_ARGS__)


extern ngx_int_t  ngx_stubs_alloc_fail;


static ngx_uint_t   passed;
static ngx_uint_t   failed;
static ngx_pool_t  *pool;


/*
 * Intercom's published outbound addresses per region, read from
 * t/unit/intercom-addresses.txt (a copy of the documentation's table)
 */

#define ADDRESSES  "t/unit/intercom-addresses.txt"
#define MAX_ADDRS  64

static char         addr_text[3][MAX_ADDRS][NGX_INET_ADDRSTRLEN + 1];
static const char  *us[MAX_ADDRS + 1];
static const char  *eu[MAX_ADDRS + 1];
static const char  *au[MAX_ADDRS + 1];
static ngx_uint_t   nus, neu, nau;


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

    const struct {
        const char   *name;
        const char  **allowed[3];
        const char  **denied[3];
        const char  **mapped_allowed;
        const char  **mapped_denied;
        ngx_uint_t    n;
    } presets[] = {
        { "intercom", { us, eu, au }, { NULL, NULL, NULL },
          mapped_us, NULL, nus + neu + nau },
        { "intercom_us", { us, NULL, NULL }, { eu, au, NULL },
          mapped_us, mapped_eu, nus },
        { "intercom_eu", { eu, NULL, NULL }, { us, au, NULL },
          mapped_eu, mapped_au, neu },
        { "intercom_au", { au, NULL, NULL }, { us, eu, NULL },
          mapped_au, mapped_us, nau },
    };

    for (i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {
        ngx_memzero(&allow, sizeof(allow));

        rc = add(&allow, presets[i].name);

        CHECK(rc == NGX_OK && !allow.all && nelts(&allow) == presets[i].n,
              "allow_add(\"%s\") = %d, %u entries", presets[i].name,
              (int) rc, (unsigned) nelts(&allow));

        /* the mark of the built-in addresses, whose date is logged */

        CHECK(allow.preset, "allow_add(\"%s\"): no preset mark",
              presets[i].name);

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

    /* addresses, blocks and "all" are not presets */

    ngx_memzero(&allow, sizeof(allow));

    CHECK(add(&allow, "192.0.2.0/24") == NGX_OK
          && add(&allow, "2001:db8::1") == NGX_OK
          && add(&allow, "all") == NGX_OK
          && !allow.preset,
          "addresses and \"all\" marked as a preset");
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


/*
 * Reads t/unit/intercom-addresses.txt: "REGION ADDRESS" lines, "#"
 * comments and blank lines; each address must be a dotted IPv4 address.
 */

static ngx_int_t
load_addresses(void)
{
    int          r;
    char         line[256], region[8], text[64], *p;
    FILE        *f;
    ngx_uint_t  *n, lineno;
    const char **list;
    in_addr_t    a;

    f = fopen(ADDRESSES, "r");
    if (f == NULL) {
        fprintf(stderr, "test_allow: cannot open %s: %s\n", ADDRESSES,
                strerror(errno));
        return NGX_ERROR;
    }

    lineno = 0;

    while (fgets(line, sizeof(line), f)) {
        lineno++;

        for (p = line; *p == ' ' || *p == '\t'; p++) { /* void */ }

        if (*p == '#' || *p == '\n' || *p == '\0') {
            continue;
        }

        if (sscanf(p, "%7s %63s", region, text) != 2
            || inet_pton(AF_INET, text, &a) != 1)
        {
            fprintf(stderr, "%s:%u: bad line\n", ADDRESSES, (unsigned) lineno);
            fclose(f);
            return NGX_ERROR;
        }

        if (strcmp(region, "us") == 0) {
            r = 0; list = us; n = &nus;

        } else if (strcmp(region, "eu") == 0) {
            r = 1; list = eu; n = &neu;

        } else if (strcmp(region, "au") == 0) {
            r = 2; list = au; n = &nau;

        } else {
            fprintf(stderr, "%s:%u: unknown region \"%s\"\n", ADDRESSES,
                    (unsigned) lineno, region);
            fclose(f);
            return NGX_ERROR;
        }

        if (*n == MAX_ADDRS) {
            fprintf(stderr, "%s: too many addresses\n", ADDRESSES);
            fclose(f);
            return NGX_ERROR;
        }

        ngx_cpystrn((u_char *) addr_text[r][*n], (u_char *) text,
                    NGX_INET_ADDRSTRLEN + 1);
        list[*n] = addr_text[r][*n];
        (*n)++;
        list[*n] = NULL;
    }

    fclose(f);

    if (nus == 0 || neu == 0 || nau == 0) {
        fprintf(stderr, "%s: a region has no address\n", ADDRESSES);
        return NGX_ERROR;
    }

    return NGX_OK;
}


static int
cmp_addr(const void *one, const void *two)
{
    uint32_t  a, b;

    a = *(const uint32_t *) one;
    b = *(const uint32_t *) two;

    return (a > b) - (a < b);
}


/*
 * Each preset holds exactly the documented addresses of its regions: the
 * same set, nothing more, nothing less, each a /32.
 */

static void
test_presets_doc(void)
{
    ngx_int_t                          rc;
    ngx_uint_t                         i, j, n, k, bad;
    uint32_t                           want[3 * MAX_ADDRS];
    uint32_t                           got[3 * MAX_ADDRS];
    in_addr_t                          a;
    ngx_cidr_t                        *cidr;
    ngx_http_intercom_webhook_allow_t  allow;

    const struct {
        const char   *name;
        const char  **regions[3];
    } presets[] = {
        { "intercom_us", { us, NULL, NULL } },
        { "intercom_eu", { eu, NULL, NULL } },
        { "intercom_au", { au, NULL, NULL } },
        { "intercom", { us, eu, au } },
    };

    for (i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {

        n = 0;

        for (j = 0; j < 3 && presets[i].regions[j]; j++) {
            for (k = 0; presets[i].regions[j][k]; k++) {
                (void) inet_pton(AF_INET, presets[i].regions[j][k], &a);
                want[n++] = ntohl(a);
            }
        }

        ngx_memzero(&allow, sizeof(allow));

        rc = add(&allow, presets[i].name);

        CHECK(rc == NGX_OK && nelts(&allow) == n,
              "%s: %d, %u entries, %u documented", presets[i].name, (int) rc,
              (unsigned) nelts(&allow), (unsigned) n);

        if (rc != NGX_OK || nelts(&allow) != n) {
            continue;
        }

        cidr = allow.cidrs->elts;
        bad = 0;

        for (j = 0; j < n; j++) {
            if (cidr[j].family != AF_INET
                || cidr[j].u.in.mask != 0xffffffff)
            {
                bad++;
            }

            got[j] = ntohl(cidr[j].u.in.addr);
        }

        CHECK(bad == 0, "%s: %u entries not IPv4 /32", presets[i].name,
              (unsigned) bad);

        qsort(want, n, sizeof(uint32_t), cmp_addr);
        qsort(got, n, sizeof(uint32_t), cmp_addr);

        for (j = 0; j < n; j++) {
            CHECK(want[j] == got[j], "%s: has %u.%u.%u.%u where the"
                  " documentation has %u.%u.%u.%u", presets[i].name,
                  got[j] >> 24, (got[j] >> 16) & 0xff, (got[j] >> 8) & 0xff,
                  got[j] & 0xff, want[j] >> 24, (want[j] >> 16) & 0xff,
                  (want[j] >> 8) & 0xff, want[j] & 0xff);
        }
    }
}


/*
 * IPv4-mapped IPv6 clients (::ffff:a.b.c.d) are matched as their IPv4
 * address, below and above 128.0.0.0 (where ngx_cidr_match() shifts into
 * the sign bit): the module matches them itself.
 */

static void
test_mapped(void)
{
    ngx_http_intercom_webhook_allow_t  allow;

    ngx_memzero(&allow, sizeof(allow));

    CHECK(add(&allow, "intercom") == NGX_OK, "intercom");

    {
        static const char  *allowed[] = { "::ffff:34.231.68.152",
                                          "::ffff:54.246.173.113",
                                          "::ffff:3.104.68.152", NULL };
        static const char  *denied[] = { "::ffff:200.1.2.3",
                                         "::ffff:128.0.0.0",
                                         "::ffff:255.255.255.255",
                                         "::ffff:127.255.255.255",
                                         "::ffff:34.231.68.153",
                                         "::ffff:162.231.68.152",
                                         "::ffff:0.0.0.0", NULL };

        expect(&allow, "mapped, intercom", allowed, denied, __LINE__);
    }

    ngx_memzero(&allow, sizeof(allow));

    CHECK(add(&allow, "127.0.0.1/32") == NGX_OK, "127.0.0.1/32");

    {
        static const char  *allowed[] = { "::ffff:127.0.0.1", "127.0.0.1",
                                          NULL };
        static const char  *denied[] = { "::ffff:127.0.0.2",
                                         "::ffff:255.0.0.1",
                                         "::ffff:128.0.0.1", "::1",
                                         "::127.0.0.1", NULL };

        expect(&allow, "mapped, 127.0.0.1/32", allowed, denied, __LINE__);
    }

    /* blocks at and above 128.0.0.0 */

    ngx_memzero(&allow, sizeof(allow));

    CHECK(add(&allow, "200.0.0.0/8") == NGX_OK
          && add(&allow, "128.0.0.0/32") == NGX_OK
          && add(&allow, "255.255.255.0/24") == NGX_OK,
          "blocks above 128.0.0.0");

    {
        static const char  *allowed[] = { "::ffff:200.1.2.3",
                                          "::ffff:200.255.255.255",
                                          "::ffff:128.0.0.0",
                                          "::ffff:255.255.255.255",
                                          "::ffff:255.255.255.0",
                                          "200.1.2.3", "128.0.0.0", NULL };
        static const char  *denied[] = { "::ffff:201.1.2.3",
                                         "::ffff:199.255.255.255",
                                         "::ffff:128.0.0.1",
                                         "::ffff:127.255.255.255",
                                         "::ffff:255.255.254.255",
                                         "::ffff:72.1.2.3", "::c801:203",
                                         NULL };

        expect(&allow, "mapped, above 128.0.0.0", allowed, denied, __LINE__);
    }

    ngx_memzero(&allow, sizeof(allow));

    CHECK(add(&allow, "128.0.0.0/1") == NGX_OK, "128.0.0.0/1");

    {
        static const char  *allowed[] = { "::ffff:128.0.0.0",
                                          "::ffff:200.1.2.3",
                                          "::ffff:255.255.255.255", NULL };
        static const char  *denied[] = { "::ffff:127.255.255.255",
                                         "::ffff:0.0.0.0",
                                         "::ffff:34.231.68.152", NULL };

        expect(&allow, "mapped, 128.0.0.0/1", allowed, denied, __LINE__);
    }
}


/*
 * Address forms as nginx's own ngx_ptocidr() takes them (the allow
 * directive's parser), odd ones included: leading zeros, empty octets,
 * a prefix length with leading zeros; 255.255.255.255 is INADDR_NONE to
 * it, and "::" may not stand for a single group.
 */

static void
test_nginx_forms(void)
{
    ngx_int_t                          rc;
    ngx_uint_t                         i;
    ngx_http_intercom_webhook_allow_t  allow;

    static const struct {
        const char  *value;
        ngx_int_t    rc;
        const char  *allowed;
        const char  *denied;
    } cases[] = {
        { "010.001.002.003", NGX_OK, "10.1.2.3", "8.1.2.3" },
        { "192.0.2.0/024", NGX_OK, "192.0.2.77", "192.0.3.1" },
        { "192.0.2.1/0024", NGX_DONE, "192.0.2.254", "192.0.1.1" },
        { "1..2.3", NGX_OK, "1.0.2.3", "1.2.3.0" },
        { ".1.2.3", NGX_OK, "0.1.2.3", "1.2.3.0" },
        { "1.2.3.", NGX_OK, "1.2.3.0", "1.2.3.3" },
        { "...", NGX_OK, "0.0.0.0", "0.0.0.1" },
        { "255.255.255.254", NGX_OK, "255.255.255.254", "255.255.255.255" },
        { "255.255.255.255", NGX_DECLINED, NULL, NULL },
        { "255.255.255.255/32", NGX_DECLINED, NULL, NULL },
        { "64:ff9b::010.1.2.3", NGX_OK, "64:ff9b::a01:203", "10.1.2.3" },
        { "2001:DB8::0001/0128", NGX_OK, "2001:db8::1", "2001:db8::2" },
        { "1:2:3:4:5:6:7::", NGX_DECLINED, NULL, NULL },
        { "::1:2:3:4:5:6:7", NGX_OK, "0:1:2:3:4:5:6:7", "1:2:3:4:5:6:7:0" },
        { "1:2:3:4:5:6:7:8", NGX_OK, "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:9" },
        { "1:2:3:4:5:6:1.2.3.4", NGX_OK, "1:2:3:4:5:6:102:304", "1.2.3.4" },
        { "00000::1", NGX_DECLINED, NULL, NULL },
        { "1.2.3.4/33", NGX_DECLINED, NULL, NULL },
    };

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ngx_memzero(&allow, sizeof(allow));

        rc = add(&allow, cases[i].value);

        CHECK(rc == cases[i].rc, "nginx form \"%s\": %d, expected %d",
              cases[i].value, (int) rc, (int) cases[i].rc);

        if (cases[i].allowed) {
            CHECK(match(&allow, cases[i].allowed) == NGX_OK,
                  "nginx form \"%s\": %s not allowed", cases[i].value,
                  cases[i].allowed);
        }

        if (cases[i].denied) {
            CHECK(match(&allow, cases[i].denied) == NGX_DECLINED,
                  "nginx form \"%s\": %s allowed", cases[i].value,
                  cases[i].denied);
        }
    }
}


int
main(int argc, char **argv)
{
    pool = ngx_create_pool(4096, NULL);
    if (pool == NULL) {
        return 2;
    }

    if (load_addresses() != NGX_OK) {
        printf("test_allow: 0 passed, 1 failed\n");
        return 1;
    }

    test_addresses();
    test_cidr();
    test_all();
    test_presets();
    test_presets_doc();
    test_mapped();
    test_nginx_forms();
    test_invalid();
    test_empty();
    test_memory();

    ngx_destroy_pool(pool);

    printf("test_allow: %u passed, %u failed\n", (unsigned) passed,
           (unsigned) failed);

    return failed ? 1 : 0;
}
