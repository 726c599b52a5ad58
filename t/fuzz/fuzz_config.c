
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


/*
 * libFuzzer harness of the configuration values: the allowlist
 * (allow_add with fuzzed text, allow_match with fuzzed client addresses)
 * and the secrets (secret_blank, secret_init).
 *
 * The input is: a byte choosing the client's family (IPv4, IPv6, IPv4-
 * mapped IPv6, UNIX-domain, or that byte as the family), 16 bytes of
 * client address, then text: each line is given to allow_add, the whole
 * text to secret_blank and secret_init.  allow_add must agree with
 * nginx's ngx_ptocidr() (the allow directive's parser), and allow_match
 * with nginx's ngx_cidr_match(), whose IPv4-mapped case the module
 * reimplements.
 */


#include "fuzz.h"

#include <openssl/hmac.h>


static void fuzz_allow(u_char *text, size_t len, const uint8_t *client,
    u_char family, ngx_pool_t *pool);
static void fuzz_secret(u_char *text, size_t len, ngx_pool_t *pool);


static const struct {
    const char  *name;
    ngx_uint_t   n;
} fuzz_presets[] = {
    { "intercom", 12 },
    { "intercom_us", 6 },
    { "intercom_eu", 3 },
    { "intercom_au", 3 },
    { NULL, 0 }
};


static void
fuzz_allow(u_char *text, size_t len, const uint8_t *client, u_char family,
    ngx_pool_t *pool)
{
    u_char                             *p, *last, *nl;
    ngx_int_t                           rc, want, got;
    ngx_str_t                           value;
    ngx_uint_t                          i, before, preset;
    ngx_cidr_t                          cidr, *c;
    struct sockaddr                    *sa;
    struct sockaddr_in                 *sin;
    struct sockaddr_in6                *sin6;
    struct sockaddr_storage             ss;
    ngx_http_intercom_webhook_allow_t   allow;

    ngx_memzero(&allow, sizeof(allow));

    last = text + len;

    for (p = text; p < last; p = nl + 1) {
        nl = memchr(p, '\n', last - p);
        if (nl == NULL) {
            nl = last;
        }

        value.data = fuzz_copy(p, nl - p);
        value.len = nl - p;

        before = allow.cidrs ? allow.cidrs->nelts : 0;

        rc = ngx_http_intercom_webhook_allow_add(&allow, &value, pool);

        FUZZ_CHECK(rc == NGX_OK || rc == NGX_DONE || rc == NGX_DECLINED,
                   "allow_add: %d", (int) rc);

        preset = 0;

        for (i = 0; fuzz_presets[i].name; i++) {
            if (value.len == strlen(fuzz_presets[i].name)
                && memcmp(value.data, fuzz_presets[i].name, value.len) == 0)
            {
                FUZZ_CHECK(rc == NGX_OK
                           && allow.cidrs->nelts
                              == before + fuzz_presets[i].n,
                           "preset %s", fuzz_presets[i].name);
                preset = 1;
            }
        }

        if (value.len == 3 && memcmp(value.data, "all", 3) == 0) {
            FUZZ_CHECK(rc == NGX_OK && allow.all, "all");
            preset = 1;
        }

        if (!preset) {
            ngx_memzero(&cidr, sizeof(ngx_cidr_t));

            want = ngx_ptocidr(&value, &cidr);
            if (want == NGX_ERROR) {
                want = NGX_DECLINED;
            }

            FUZZ_CHECK(rc == want, "allow_add(\"%.*s\"): %d, nginx %d",
                       (int) value.len, value.data, (int) rc, (int) want);

            if (rc == NGX_DECLINED) {
                FUZZ_CHECK((allow.cidrs ? allow.cidrs->nelts : 0) == before,
                           "an invalid value was added");

            } else {
                FUZZ_CHECK(allow.cidrs->nelts == before + 1, "not added");

                c = allow.cidrs->elts;
                c += before;

                FUZZ_CHECK(c->family == cidr.family
                           && (cidr.family == AF_INET
                               ? c->u.in.addr == cidr.u.in.addr
                                 && c->u.in.mask == cidr.u.in.mask
                               : memcmp(&c->u.in6, &cidr.u.in6,
                                        sizeof(cidr.u.in6)) == 0),
                           "stored unlike ngx_ptocidr()");
            }
        }

        free(value.data);

        if (nl == last) {
            break;
        }
    }

    /* the client */

    ngx_memzero(&ss, sizeof(ss));
    sa = (struct sockaddr *) &ss;
    sin = (struct sockaddr_in *) &ss;
    sin6 = (struct sockaddr_in6 *) &ss;

    switch (family % 8) {

    case 0:
    case 1:
        sin->sin_family = AF_INET;
        memcpy(&sin->sin_addr, client, 4);
        break;

    case 2:
    case 3:
        sin6->sin6_family = AF_INET6;
        memcpy(&sin6->sin6_addr, client, 16);
        break;

    case 4:
    case 5:
        sin6->sin6_family = AF_INET6;
        memset(&sin6->sin6_addr.s6_addr[10], 0xff, 2);
        memcpy(&sin6->sin6_addr.s6_addr[12], client, 4);
        break;

    case 6:
        sa->sa_family = AF_UNIX;
        break;

    default:
        sa->sa_family = family;
        memcpy(&ss.__ss_padding, client, 16);
        break;
    }

    rc = ngx_http_intercom_webhook_allow_match(&allow, sa);

    if (allow.all) {
        want = NGX_OK;

    } else if (allow.cidrs == NULL
               || (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
    {
        want = NGX_DECLINED;

    } else {
        want = ngx_cidr_match(sa, allow.cidrs);
    }

    FUZZ_CHECK(rc == want, "allow_match: %d, nginx %d (family %d)", (int) rc,
               (int) want, (int) sa->sa_family);

    /* a mapped client is its IPv4 address */

    if (sa->sa_family == AF_INET6
        && IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
    {
        struct sockaddr_in  v4;

        ngx_memzero(&v4, sizeof(v4));
        v4.sin_family = AF_INET;
        memcpy(&v4.sin_addr, &sin6->sin6_addr.s6_addr[12], 4);

        got = ngx_http_intercom_webhook_allow_match(&allow,
                                                    (struct sockaddr *) &v4);
        FUZZ_CHECK(got == rc, "mapped %d, IPv4 %d", (int) rc, (int) got);
    }
}


static void
fuzz_secret(u_char *text, size_t len, ngx_pool_t *pool)
{
    u_char                              md[EVP_MAX_MD_SIZE];
    size_t                              i;
    ngx_int_t                           rc, want;
    unsigned int                        mdlen;
    ngx_http_intercom_webhook_hmac_t    hmac;
    ngx_http_intercom_webhook_secret_t  secret;

    static u_char  msg[] = "{\"type\":\"notification_event\"}";

    want = NGX_OK;

    for (i = 0; i < len; i++) {
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r'
            && text[i] != '\n')
        {
            want = NGX_DECLINED;
            break;
        }
    }

    rc = ngx_http_intercom_webhook_secret_blank(text, len);
    FUZZ_CHECK(rc == want, "secret_blank: %d", (int) rc);

    ngx_memzero(&secret, sizeof(secret));

    rc = ngx_http_intercom_webhook_secret_init(&secret, text, len, pool);

    if (want == NGX_OK) {
        FUZZ_CHECK(rc == NGX_DECLINED, "a blank secret: %d", (int) rc);
        return;
    }

    FUZZ_CHECK(rc == NGX_OK, "secret_init: %d", (int) rc);

    FUZZ_CHECK(HMAC(EVP_sha1(), text, (int) len, msg, sizeof(msg) - 1, md,
                    &mdlen) != NULL, "HMAC()");

    FUZZ_CHECK(ngx_http_intercom_webhook_hmac_init(&hmac, &secret, 1)
               == NGX_OK
               && ngx_http_intercom_webhook_hmac_update(&hmac, msg,
                                                        sizeof(msg) - 1)
                  == NGX_OK
               && ngx_http_intercom_webhook_hmac_final(&hmac, md) == 0,
               "the secret's HMAC");
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char       *text, family;
    size_t        len;
    uint8_t       client[16];
    ngx_pool_t   *pool;

    ngx_memzero(client, sizeof(client));

    family = size ? data[0] : 0;

    if (size > 1) {
        memcpy(client, data + 1, ngx_min(size - 1, 16));
    }

    len = size > 17 ? size - 17 : 0;
    text = fuzz_copy(data + (size > 17 ? 17 : size), len);

    pool = ngx_create_pool(4096, NULL);
    FUZZ_CHECK(pool != NULL, "pool");

    fuzz_allow(text, len, client, family, pool);
    fuzz_secret(text, len, pool);

    ngx_destroy_pool(pool);
    free(text);

    return 0;
}
