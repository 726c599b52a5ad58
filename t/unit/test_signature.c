
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


/*
 * Unit tests of ngx_http_intercom_webhook_signature.c: parsing of the
 * X-Hub-Signature value, keyed secrets, the RFC 2202 HMAC-SHA1 vectors,
 * and a differential check against OpenSSL's one-shot HMAC() with
 * random keys, bodies, splits and sets of secrets.  t/unit/run builds it
 * twice: with the default SHA-1 midstates, and with
 * -DNGX_HTTP_INTERCOM_WEBHOOK_USE_EVP_MAC.
 *
 * usage: test_signature
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <openssl/hmac.h>

#include "ngx_http_intercom_webhook.h"


#define DIGEST_LEN   NGX_HTTP_INTERCOM_WEBHOOK_DIGEST_LEN
#define MAX_SECRETS  NGX_HTTP_INTERCOM_WEBHOOK_MAX_SECRETS
#define SIG_LEN      (sizeof("sha1=") - 1 + 2 * DIGEST_LEN)

#define CHECK(c, ...)  check((c) ? 1 : 0, __LINE__, __VA_ARGS__)

/* -DTEST_SEED=... -DTEST_ROUNDS=... for a longer run */
#ifndef TEST_SEED
#define TEST_SEED    0x9e3779b97f4a7c15ULL
#endif
#ifndef TEST_ROUNDS
#define TEST_ROUNDS  1500
#endif

#define MAX_KEY      200
#define MAX_DATA     5000

/* request() could not start or feed the HMAC */
#define INIT_FAILED    -100
#define UPDATE_FAILED  -101


extern ngx_int_t  ngx_stubs_alloc_fail;


typedef struct {
    u_char      *data;
    size_t       len;
} test_key_t;


static ngx_uint_t   passed;
static ngx_uint_t   failed;
static uint64_t     rng = TEST_SEED;


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
    fprintf(stderr, "FAIL test_signature.c:%d: ", line);
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
rnd_bytes(u_char *p, size_t len)
{
    while (len--) {
        *p++ = (u_char) rnd();
    }
}


static void
hex(u_char *dst, const u_char *src, size_t len, int upper)
{
    static const char  lower_digits[] = "0123456789abcdef";
    static const char  upper_digits[] = "0123456789ABCDEF";

    const char  *digits;

    while (len--) {
        digits = (upper == 1 || (upper == 2 && rnd_n(2)))
                 ? upper_digits : lower_digits;
        *dst++ = digits[*src >> 4];

        digits = (upper == 1 || (upper == 2 && rnd_n(2)))
                 ? upper_digits : lower_digits;
        *dst++ = digits[*src & 0xf];

        src++;
    }
}


static size_t
unhex(u_char *dst, const char *src)
{
    size_t  n;

    for (n = 0; src[0] && src[1]; src += 2, n++) {
        dst[n] = (u_char) ngx_hextoi((u_char *) src, 2);
    }

    return n;
}


static ngx_int_t
parse(const void *data, size_t len, u_char *digest)
{
    ngx_str_t  value;

    value.data = (u_char *) data;
    value.len = len;

    return ngx_http_intercom_webhook_parse_signature(&value, digest);
}


static void
reference(const u_char *key, size_t key_len, const u_char *data,
    size_t len, u_char *md)
{
    unsigned int  md_len;

    if (HMAC(EVP_sha1(), key, (int) key_len, data, len, md, &md_len) == NULL
        || md_len != DIGEST_LEN)
    {
        fprintf(stderr, "HMAC() failed\n");
        abort();
    }
}


/*
 * One request: init, the body whole (split 0), byte by byte (1) or in
 * random pieces (2), each copied into its own buffer that is wiped and
 * freed after the call, 0-length pieces included (1, 2), and final.
 */

static ngx_int_t
request(ngx_http_intercom_webhook_secret_t *secrets, ngx_uint_t n,
    const u_char *data, size_t len, u_char *digest, int split)
{
    u_char                            *piece;
    size_t                             off, k;
    ngx_int_t                          rc;
    ngx_http_intercom_webhook_hmac_t   hmac;

    if (ngx_http_intercom_webhook_hmac_init(&hmac, secrets, n) != NGX_OK) {
        return INIT_FAILED;
    }

    off = 0;

    while (off < len || (split && rnd_n(4) == 0)) {

        switch (split) {
        case 0:
            k = len - off;
            break;
        case 1:
            k = (off < len) ? 1 : 0;
            break;
        default:
            k = rnd_n(4) ? rnd_n(len - off + 1) : rnd_n(3);
            if (k > len - off) {
                k = len - off;
            }
        }

        piece = malloc(k + 1);
        if (piece == NULL) {
            abort();
        }

        if (k) {
            memcpy(piece, data + off, k);
        }

        rc = ngx_http_intercom_webhook_hmac_update(&hmac, piece, k);

        ngx_memset(piece, 0xa5, k + 1);
        free(piece);

        if (rc != NGX_OK) {
            ngx_http_intercom_webhook_hmac_abort(&hmac);
            return UPDATE_FAILED;
        }

        off += k;
    }

    return ngx_http_intercom_webhook_hmac_final(&hmac, digest);
}


static void
test_implementation(void)
{
#if (NGX_HTTP_INTERCOM_WEBHOOK_EVP_MAC)
    printf("implementation: EVP_MAC (%s)\n", OpenSSL_version(OPENSSL_VERSION));
#else
    printf("implementation: SHA-1 midstates (%s)\n",
           OpenSSL_version(OPENSSL_VERSION));
#endif

    /* the variant of t/unit/run tests what it says */

#if (defined NGX_HTTP_INTERCOM_WEBHOOK_USE_EVP_MAC                           \
     && !defined NGX_HTTP_INTERCOM_WEBHOOK_EVP_MAC)
    CHECK(0, "NGX_HTTP_INTERCOM_WEBHOOK_USE_EVP_MAC did not select EVP_MAC");
#else
    CHECK(1, "implementation");
#endif
}


static void
test_parse(void)
{
    u_char      sig[64], bytes[DIGEST_LEN], digest[DIGEST_LEN + 1];
    size_t      len;
    ngx_int_t   rc;
    ngx_uint_t  i, c, pos, bad, upper, n;

    static const char  *rejected[] = {
        /* wrong prefixes */
        "SHA1=0123456789abcdef0123456789abcdef01234567",
        "Sha1=0123456789abcdef0123456789abcdef01234567",
        "sHA1=0123456789abcdef0123456789abcdef01234567",
        "sha1:0123456789abcdef0123456789abcdef01234567",
        "sha1 0123456789abcdef0123456789abcdef01234567",
        "sha2=0123456789abcdef0123456789abcdef01234567",
        "sha256=0123456789abcdef0123456789abcdef012345",
        "sha256=0123456789abcdef0123456789abcdef01234567",
        "sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab"
            "cdef",
        "=0123456789abcdef0123456789abcdef01234567",
        "0123456789abcdef0123456789abcdef01234567",
        "01230123456789abcdef0123456789abcdef01234567",
        "012340123456789abcdef0123456789abcdef01234567",
        "sha10123456789abcdef0123456789abcdef01234567",
        "sha1==123456789abcdef0123456789abcdef01234567",

        /* lengths */
        "",
        "s",
        "sha1",
        "sha1=",
        "sha1=0",
        "sha1=0123456789abcdef0123456789abcdef0123456",
        "sha1=0123456789abcdef0123456789abcdef012345678",
        "sha1=0123456789abcdef0123456789abcdef0123456789",
        "sha1=0123456789abcdef0123456789abcdef01234567sha1=",

        /* spaces */
        " sha1=0123456789abcdef0123456789abcdef01234567",
        "sha1=0123456789abcdef0123456789abcdef01234567 ",
        "sha1= 0123456789abcdef0123456789abcdef0123456",
        "sha1=0123456789abcdef0123456789abcdef0123456 ",
        " sha1=0123456789abcdef0123456789abcdef0123456",
        "sha1 =0123456789abcdef0123456789abcdef0123456",
        "sha1=01234567 9abcdef0123456789abcdef01234567",
        "sha1=0123456789abcdef0123456789abcdef01234567\t",
        "sha1=0123456789abcdef0123456789abcdef0123456\n",

        /* what strtol() or sscanf() would take */
        "sha1=0x23456789abcdef0123456789abcdef01234567",
        "sha1=+123456789abcdef0123456789abcdef01234567",
        "sha1=-123456789abcdef0123456789abcdef01234567",

        NULL
    };

    /* valid: lowercase, uppercase, mixed case */

    for (i = 0; i < 300; i++) {
        if (i == 0) {
            ngx_memzero(bytes, DIGEST_LEN);

        } else if (i == 1) {
            ngx_memset(bytes, 0xff, DIGEST_LEN);

        } else {
            rnd_bytes(bytes, DIGEST_LEN);
        }

        upper = i % 3;

        ngx_memcpy(sig, "sha1=", 5);
        hex(sig + 5, bytes, DIGEST_LEN, (int) upper);

        ngx_memset(digest, 0x5a, sizeof(digest));

        rc = parse(sig, SIG_LEN, digest);

        CHECK(rc == NGX_OK
              && ngx_memcmp(digest, bytes, DIGEST_LEN) == 0
              && digest[DIGEST_LEN] == 0x5a,
              "parse(\"%.*s\") = %d, or the digest differs or overruns",
              (int) SIG_LEN, sig, (int) rc);
    }

    /* every hex digit of either case, at every position */

    for (pos = 0; pos < 2 * DIGEST_LEN; pos++) {
        n = 0;

        for (c = 0; c < 22; c++) {
            ngx_memcpy(sig, "sha1=", 5);
            ngx_memset(sig + 5, '0', 2 * DIGEST_LEN);
            sig[5 + pos] = "0123456789abcdefABCDEF"[c];

            ngx_memset(digest, 0x5a, sizeof(digest));

            if (parse(sig, SIG_LEN, digest) != NGX_OK
                || digest[pos / 2]
                   != (u_char) (ngx_hextoi(&sig[5 + pos], 1)
                                << ((pos % 2) ? 0 : 4)))
            {
                n++;
            }
        }

        CHECK(n == 0, "%u hex digits misread at position %u", (unsigned) n,
              (unsigned) pos);
    }

    /* every other byte, NUL included, at every position */

    for (pos = 0; pos < SIG_LEN; pos++) {
        bad = 0;

        for (c = 0; c < 256; c++) {
            ngx_memcpy(sig, "sha1=", 5);
            ngx_memset(sig + 5, 'a', 2 * DIGEST_LEN);

            if (pos >= 5 && ngx_strchr("0123456789abcdefABCDEF", c) != NULL
                && c != 0)
            {
                continue;
            }

            if (pos < 5 && c == (u_char) "sha1="[pos]) {
                continue;
            }

            sig[pos] = (u_char) c;

            if (parse(sig, SIG_LEN, digest) != NGX_DECLINED) {
                bad++;
            }
        }

        CHECK(bad == 0, "%u bad bytes accepted at position %u",
              (unsigned) bad, (unsigned) pos);
    }

    for (i = 0; rejected[i]; i++) {
        rc = parse(rejected[i], ngx_strlen(rejected[i]), digest);

        CHECK(rc == NGX_DECLINED, "parse(\"%s\") = %d", rejected[i], (int) rc);
    }

    /* every length but the right one */

    ngx_memcpy(sig, "sha1=", 5);
    ngx_memset(sig + 5, 'f', sizeof(sig) - 5);

    for (len = 0; len < sizeof(sig); len++) {
        if (len == SIG_LEN) {
            continue;
        }

        rc = parse(sig, len, digest);

        CHECK(rc == NGX_DECLINED, "parse() of %u bytes = %d", (unsigned) len,
              (int) rc);
    }

    /* embedded NUL: in the prefix, after it, at the end */

    CHECK(parse("sha1\0=0123456789abcdef0123456789abcdef0123456", SIG_LEN,
                digest)
          == NGX_DECLINED, "NUL in the prefix");
    CHECK(parse("sha1=\0" "123456789abcdef0123456789abcdef01234567", SIG_LEN,
                digest)
          == NGX_DECLINED, "NUL after the prefix");
    CHECK(parse("sha1=0123456789abcdef0123456789abcdef0123456\0", SIG_LEN,
                digest)
          == NGX_DECLINED, "NUL as the last digit");
    CHECK(parse("\0" "ha1=0123456789abcdef0123456789abcdef01234567", SIG_LEN,
                digest)
          == NGX_DECLINED, "NUL first");

    /* a value that is not NUL-terminated, right at the end of its buffer */

    {
        u_char  *p;

        p = malloc(SIG_LEN);
        if (p == NULL) {
            abort();
        }

        ngx_memcpy(p, "sha1=00112233445566778899AaBbCcDdEeFf01020304",
                   SIG_LEN);

        rc = parse(p, SIG_LEN, digest);

        CHECK(rc == NGX_OK
              && digest[0] == 0x00 && digest[9] == 0x99
              && digest[10] == 0xaa && digest[15] == 0xff
              && digest[19] == 0x04,
              "unterminated value: %d", (int) rc);

        free(p);
    }
}


static void
test_secret_init(void)
{
    u_char                              key[MAX_KEY + 2], copy[MAX_KEY];
    u_char                              expect[DIGEST_LEN];
    u_char                              data[300];
    u_char                              hashed[SHA_DIGEST_LENGTH];
    ngx_int_t                           rc;
    ngx_uint_t                          i, k;
    ngx_pool_t                         *pool;
    ngx_http_intercom_webhook_secret_t  secret, secrets[2];

    static size_t  lens[] = { 1, 2, 19, 20, 21, 55, 56, 63, 64, 65, 127, 128,
                              129, 200 };

    pool = ngx_create_pool(4096, NULL);
    if (pool == NULL) {
        abort();
    }

    /* an empty key */

    ngx_memzero(&secret, sizeof(secret));

    rc = ngx_http_intercom_webhook_secret_init(&secret, key, 0, pool);

    CHECK(rc == NGX_DECLINED && secret.mac == NULL,
          "secret_init() of an empty key = %d", (int) rc);

    rc = ngx_http_intercom_webhook_secret_init(&secret, NULL, 0, pool);

    CHECK(rc == NGX_DECLINED, "secret_init(NULL, 0) = %d", (int) rc);

    rnd_bytes(data, sizeof(data));

    for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {

        for (k = 0; k < 2; k++) {

            /* random bytes, then printable ones as configured secrets are */

            if (k == 0) {
                rnd_bytes(key, lens[i]);

            } else {
                hex(key, data, lens[i] / 2 + 1, 0);
            }

            ngx_memcpy(copy, key, lens[i]);

            reference(key, lens[i], data, sizeof(data), expect);

            ngx_memzero(&secret, sizeof(secret));

            rc = ngx_http_intercom_webhook_secret_init(&secret, key, lens[i],
                                                       pool);

            CHECK(rc == NGX_OK && secret.mac != NULL,
                  "secret_init() of %u bytes = %d", (unsigned) lens[i],
                  (int) rc);

            if (rc != NGX_OK) {
                continue;
            }

            CHECK(ngx_memcmp(key, copy, lens[i]) == 0,
                  "secret_init() changed the key of %u bytes",
                  (unsigned) lens[i]);

            /* the module wipes the key once the secret is made */

            ngx_memset(key, 0, lens[i]);

            rc = request(&secret, 1, data, sizeof(data), expect, 0);

            CHECK(rc == 0, "HMAC with a key of %u bytes = %d",
                  (unsigned) lens[i], (int) rc);

            /* a key longer than a block is hashed first (RFC 2104, 2.) */

            if (lens[i] > 64) {
                SHA1(copy, lens[i], hashed);

                ngx_memzero(&secrets[1], sizeof(secrets[1]));

                rc = ngx_http_intercom_webhook_secret_init(&secrets[1], hashed,
                                                           sizeof(hashed),
                                                           pool);

                secrets[0] = secret;

                CHECK(rc == NGX_OK
                      && request(&secrets[1], 1, data, sizeof(data), expect,
                                 2)
                         == 0
                      && request(secrets, 2, data, sizeof(data), expect, 1)
                         >= 0,
                      "a key of %u bytes is not its SHA-1 digest",
                      (unsigned) lens[i]);
            }

            /* and a key is padded with zeros to a block */

            if (lens[i] < 64) {
                ngx_memcpy(key, copy, lens[i]);
                key[lens[i]] = '\0';

                rc = ngx_http_intercom_webhook_secret_init(&secrets[1], key,
                                                           lens[i] + 1, pool);

                CHECK(rc == NGX_OK
                      && request(&secrets[1], 1, data, sizeof(data), expect,
                                 2)
                         == 0,
                      "a key of %u bytes and a NUL differs",
                      (unsigned) lens[i]);
            }
        }
    }

    ngx_destroy_pool(pool);
}


static void
test_rfc2202(void)
{
    u_char                              key[80], data[80];
    u_char                              digest[DIGEST_LEN], md[DIGEST_LEN];
    u_char                              sig[SIG_LEN];
    size_t                              key_len, len;
    ngx_int_t                           rc;
    ngx_uint_t                          i, split;
    ngx_pool_t                         *pool;
    ngx_http_intercom_webhook_secret_t  secret;

    /* RFC 2202, 3. Test Cases for HMAC-SHA-1 */

    static const struct {
        int          key_byte;  /* -1: key is text */
        size_t       key_len;
        const char  *key;
        int          data_byte; /* -1: data is text */
        size_t       data_len;
        const char  *data;
        const char  *digest;
    } cases[] = {

        { 0x0b, 20, NULL, -1, 0, "Hi There",
          "b617318655057264e28bc0b6fb378c8ef146be00" },

        { -1, 0, "Jefe", -1, 0, "what do ya want for nothing?",
          "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },

        { 0xaa, 20, NULL, 0xdd, 50, NULL,
          "125d7342b9ac11cd91a39af48aa17b4f63f175d3" },

        /* 0x01, 0x02, ... 0x19 */
        { 0, 25, NULL, 0xcd, 50, NULL,
          "4c9007f4026250c6bc8414f9bf50c86c2d7235da" },

        { 0x0c, 20, NULL, -1, 0, "Test With Truncation",
          "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04" },

        { 0xaa, 80, NULL, -1, 0,
          "Test Using Larger Than Block-Size Key - Hash Key First",
          "aa4ae5e15272d00e95705637ce8a3b55ed402112" },

        { 0xaa, 80, NULL, -1, 0,
          "Test Using Larger Than Block-Size Key and Larger Than One "
          "Block-Size Data",
          "e8e99d0f45237d786d6bbaa7965c7808bbff1a91" },
    };

    pool = ngx_create_pool(4096, NULL);
    if (pool == NULL) {
        abort();
    }

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {

        if (cases[i].key_byte == -1) {
            key_len = ngx_strlen(cases[i].key);
            ngx_memcpy(key, cases[i].key, key_len);

        } else if (cases[i].key_byte == 0) {
            key_len = cases[i].key_len;
            for (len = 0; len < key_len; len++) {
                key[len] = (u_char) (len + 1);
            }

        } else {
            key_len = cases[i].key_len;
            ngx_memset(key, cases[i].key_byte, key_len);
        }

        if (cases[i].data_byte == -1) {
            len = ngx_strlen(cases[i].data);
            ngx_memcpy(data, cases[i].data, len);

        } else {
            len = cases[i].data_len;
            ngx_memset(data, cases[i].data_byte, len);
        }

        unhex(digest, cases[i].digest);

        /* the vectors and OpenSSL agree */

        reference(key, key_len, data, len, md);

        CHECK(ngx_memcmp(md, digest, DIGEST_LEN) == 0,
              "RFC 2202 case %u: HMAC() differs", (unsigned) i + 1);

        rc = ngx_http_intercom_webhook_secret_init(&secret, key, key_len,
                                                   pool);

        CHECK(rc == NGX_OK, "RFC 2202 case %u: secret_init() = %d",
              (unsigned) i + 1, (int) rc);

        if (rc != NGX_OK) {
            continue;
        }

        for (split = 0; split < 3; split++) {
            rc = request(&secret, 1, data, len, digest, (int) split);

            CHECK(rc == 0, "RFC 2202 case %u, split %u: final() = %d",
                  (unsigned) i + 1, (unsigned) split, (int) rc);
        }

        /* and as a header value, in uppercase */

        ngx_memcpy(sig, "sha1=", 5);
        hex(sig + 5, digest, DIGEST_LEN, 1);

        rc = parse(sig, SIG_LEN, md);

        CHECK(rc == NGX_OK && request(&secret, 1, data, len, md, 2) == 0,
              "RFC 2202 case %u: parse() and final()", (unsigned) i + 1);
    }

    ngx_destroy_pool(pool);
}


/* which secrets make md of the data */

static void
expect_set(test_key_t *keys, ngx_uint_t n, const u_char *data, size_t len,
    const u_char *md, u_char *set)
{
    u_char      m[DIGEST_LEN];
    ngx_uint_t  i;

    for (i = 0; i < n; i++) {
        reference(keys[i].data, keys[i].len, data, len, m);
        set[i] = (ngx_memcmp(m, md, DIGEST_LEN) == 0);
    }
}


static void
test_differential(void)
{
    u_char                              *data, keybuf[MAX_SECRETS][MAX_KEY];
    u_char                               md[DIGEST_LEN], set[MAX_SECRETS];
    size_t                               len;
    test_key_t                               keys[MAX_SECRETS];
    ngx_int_t                            rc, target;
    ngx_uint_t                           round, n, i, bit, none, errors;

    ngx_uint_t                           matched, declined;
    ngx_pool_t                          *pool;
    ngx_http_intercom_webhook_secret_t   secrets[MAX_SECRETS];

    data = malloc(MAX_DATA);
    if (data == NULL) {
        abort();
    }

    pool = NULL;
    n = 0;
    errors = 0;
    matched = 0;
    declined = 0;

    for (round = 0; round < TEST_ROUNDS; round++) {

        /* new secrets now and then, in a new pool */

        if (round % 10 == 0) {
            if (pool) {
                ngx_destroy_pool(pool);
            }

            pool = ngx_create_pool(4096, NULL);
            if (pool == NULL) {
                abort();
            }

            n = 1 + rnd_n(MAX_SECRETS);

            if (round % 30 == 0) {
                n = 1;
            }

            for (i = 0; i < n; i++) {
                keys[i].data = keybuf[i];
                keys[i].len = 1 + rnd_n(MAX_KEY);

                if (rnd_n(3) == 0) {
                    keys[i].len = 60 + rnd_n(10);
                }

                rnd_bytes(keys[i].data, keys[i].len);

                rc = ngx_http_intercom_webhook_secret_init(&secrets[i],
                                                           keys[i].data,
                                                           keys[i].len,
                                                           pool);
                if (rc != NGX_OK) {
                    CHECK(0, "secret_init() of %u bytes = %d",
                          (unsigned) keys[i].len, (int) rc);
                    abort();
                }
            }
        }

        len = rnd_n(4) ? rnd_n(MAX_DATA + 1) : rnd_n(130);
        rnd_bytes(data, len);

        /* the signature of one secret, or of another key */

        none = (rnd_n(5) == 0);
        target = none ? -1 : (ngx_int_t) rnd_n(n);

        if (none) {
            u_char  other[MAX_KEY];
            size_t  other_len;

            other_len = 1 + rnd_n(MAX_KEY);
            rnd_bytes(other, other_len);

            reference(other, other_len, data, len, md);

        } else {
            reference(keys[target].data, keys[target].len, data, len, md);
        }

        expect_set(keys, n, data, len, md, set);

        rc = request(secrets, n, data, len, md, 2);

        if (rc >= 0 && (ngx_uint_t) rc < n && set[rc]) {
            matched++;

        } else if (rc == NGX_DECLINED && none) {
            for (i = 0; i < n && !set[i]; i++) { /* void */ }

            if (i == n) {
                declined++;

            } else {
                errors++;
            }

        } else {
            errors++;

            if (errors < 10) {
                CHECK(0, "round %u: %u secrets, %u bytes, target %d: "
                      "final() = %d", (unsigned) round, (unsigned) n,
                      (unsigned) len, (int) target, (int) rc);
            }
        }

        /* one bit off: none matches */

        bit = rnd_n(8 * DIGEST_LEN);
        md[bit / 8] ^= (u_char) (1 << (bit % 8));

        rc = request(secrets, n, data, len, md, 2);

        if (rc != NGX_DECLINED) {
            errors++;

            if (errors < 10) {
                CHECK(0, "round %u: bit %u flipped: final() = %d",
                      (unsigned) round, (unsigned) bit, (int) rc);
            }
        }
    }

    printf("differential: %u rounds, %u matched, %u declined\n",
           (unsigned) TEST_ROUNDS, (unsigned) matched, (unsigned) declined);

    CHECK(errors == 0, "differential: %u errors", (unsigned) errors);
    CHECK(matched > TEST_ROUNDS / 2 && declined > TEST_ROUNDS / 10,
          "differential: %u matched, %u declined", (unsigned) matched,
          (unsigned) declined);

    ngx_destroy_pool(pool);
    free(data);
}


static void
test_secrets(void)
{
    u_char                              *data, keybuf[MAX_SECRETS + 1][64];
    u_char                               md[DIGEST_LEN];
    size_t                               len;
    test_key_t                               keys[MAX_SECRETS + 1];
    ngx_int_t                            rc;
    ngx_uint_t                           n, t, bit, bad, i;
    ngx_pool_t                          *pool;
    ngx_http_intercom_webhook_hmac_t     hmac;
    ngx_http_intercom_webhook_secret_t   secrets[MAX_SECRETS + 1];

    data = malloc(MAX_DATA);
    if (data == NULL) {
        abort();
    }

    pool = ngx_create_pool(4096, NULL);
    if (pool == NULL) {
        abort();
    }

    for (i = 0; i < MAX_SECRETS + 1; i++) {
        keys[i].data = keybuf[i];
        keys[i].len = 16 + i;

        /* distinct, printable */
        ngx_memset(keys[i].data, 'a' + (int) i, 64);
        keys[i].data[0] = (u_char) ('0' + i % 10);

        rc = ngx_http_intercom_webhook_secret_init(&secrets[i], keys[i].data,
                                                   keys[i].len, pool);
        if (rc != NGX_OK) {
            CHECK(0, "secret_init() = %d", (int) rc);
            abort();
        }
    }

    /* every count of secrets, the right one at every index */

    len = 1000;
    rnd_bytes(data, len);

    bad = 0;

    for (n = 1; n <= MAX_SECRETS; n++) {
        for (t = 0; t < n; t++) {
            reference(keys[t].data, keys[t].len, data, len, md);

            rc = request(secrets, n, data, len, md, 2);

            if (rc != (ngx_int_t) t) {
                bad++;
                fprintf(stderr, "%u secrets, index %u: final() = %d\n",
                        (unsigned) n, (unsigned) t, (int) rc);
            }
        }

        /* a secret that is not in the set */

        reference(keys[n].data, keys[n].len, data, len, md);

        rc = request(secrets, n, data, len, md, 2);

        if (rc != NGX_DECLINED) {
            bad++;
            fprintf(stderr, "%u secrets, another key: final() = %d\n",
                    (unsigned) n, (int) rc);
        }
    }

    CHECK(bad == 0, "%u wrong indexes with 1..%u secrets", (unsigned) bad,
          (unsigned) MAX_SECRETS);

    /* one bit flipped at every position of the digest */

    for (t = 0; t < MAX_SECRETS; t += 5) {
        len = (t == 0) ? 0 : rnd_n(MAX_DATA + 1);
        rnd_bytes(data, len);

        reference(keys[t].data, keys[t].len, data, len, md);

        CHECK(request(secrets, MAX_SECRETS, data, len, md, 2)
              == (ngx_int_t) t,
              "secret %u of %u", (unsigned) t, (unsigned) MAX_SECRETS);

        bad = 0;

        for (bit = 0; bit < 8 * DIGEST_LEN; bit++) {
            md[bit / 8] ^= (u_char) (1 << (bit % 8));

            rc = request(secrets, MAX_SECRETS, data, len, md, 0);

            md[bit / 8] ^= (u_char) (1 << (bit % 8));

            if (rc != NGX_DECLINED) {
                bad++;
                fprintf(stderr, "secret %u, bit %u flipped: final() = %d\n",
                        (unsigned) t, (unsigned) bit, (int) rc);
            }
        }

        CHECK(bad == 0, "secret %u: %u flipped bits accepted", (unsigned) t,
              (unsigned) bad);
    }

    /* more secrets than can be */

    ngx_memzero(&hmac, sizeof(hmac));

    rc = ngx_http_intercom_webhook_hmac_init(&hmac, secrets, MAX_SECRETS + 1);

    CHECK(rc == NGX_ERROR, "hmac_init() of %u secrets = %d",
          (unsigned) MAX_SECRETS + 1, (int) rc);

    rc = ngx_http_intercom_webhook_hmac_init(&hmac, secrets, (ngx_uint_t) -1);

    CHECK(rc == NGX_ERROR, "hmac_init() of -1 secrets = %d", (int) rc);

    /* no secrets: nothing matches */

    rc = request(secrets, 0, data, 100, md, 2);

    CHECK(rc == NGX_DECLINED, "no secrets: final() = %d", (int) rc);

    /* abort after init, after updates, twice, then a new request */

    reference(keys[3].data, keys[3].len, data, 100, md);

    rc = ngx_http_intercom_webhook_hmac_init(&hmac, secrets, 8);
    ngx_http_intercom_webhook_hmac_abort(&hmac);

    CHECK(rc == NGX_OK && hmac.nsecrets == 0, "abort after init");

    rc = ngx_http_intercom_webhook_hmac_init(&hmac, secrets, 8);
    (void) ngx_http_intercom_webhook_hmac_update(&hmac, data, 50);
    ngx_http_intercom_webhook_hmac_abort(&hmac);
    ngx_http_intercom_webhook_hmac_abort(&hmac);

    CHECK(rc == NGX_OK && hmac.nsecrets == 0, "abort after update");

    rc = ngx_http_intercom_webhook_hmac_init(&hmac, secrets, 8);

    CHECK(rc == NGX_OK
          && ngx_http_intercom_webhook_hmac_update(&hmac, data, 60) == NGX_OK
          && ngx_http_intercom_webhook_hmac_update(&hmac, data + 60, 0)
             == NGX_OK
          && ngx_http_intercom_webhook_hmac_update(&hmac, data + 60, 40)
             == NGX_OK
          && ngx_http_intercom_webhook_hmac_final(&hmac, md) == 3,
          "a request after abort");

    /* final wipes: abort after it is harmless, nothing is left */

    CHECK(hmac.nsecrets == 0, "final() left %u states",
          (unsigned) hmac.nsecrets);

    ngx_http_intercom_webhook_hmac_abort(&hmac);

    CHECK(request(secrets, 8, data, 100, md, 1) == 3, "a request after all");

    ngx_destroy_pool(pool);
    free(data);
}


/*
 * The keyed contexts are shared by every request of a worker: a request,
 * finished or aborted, must leave them as they were.
 */

static void
test_reuse(void)
{
    u_char                               *data[4], md[4][DIGEST_LEN];
    u_char                                keybuf[4][40];
    size_t                                len[4], off[4], k;
    ngx_int_t                             rc;
    ngx_uint_t                            i, j, r, bad;
    ngx_pool_t                           *pool;
    ngx_http_intercom_webhook_hmac_t      hmac[4];
    ngx_http_intercom_webhook_secret_t    secrets[4];
#if !(NGX_HTTP_INTERCOM_WEBHOOK_EVP_MAC)
    ngx_http_intercom_webhook_mac_t       saved[4];
#endif

    pool = ngx_create_pool(4096, NULL);
    if (pool == NULL) {
        abort();
    }

    for (i = 0; i < 4; i++) {
        rnd_bytes(keybuf[i], sizeof(keybuf[i]));

        rc = ngx_http_intercom_webhook_secret_init(&secrets[i], keybuf[i],
                                                   sizeof(keybuf[i]), pool);
        if (rc != NGX_OK) {
            CHECK(0, "secret_init() = %d", (int) rc);
            abort();
        }

#if !(NGX_HTTP_INTERCOM_WEBHOOK_EVP_MAC)
        saved[i] = *secrets[i].mac;
#endif

        data[i] = malloc(MAX_DATA);
        if (data[i] == NULL) {
            abort();
        }
    }

    bad = 0;

    for (r = 0; r < 300; r++) {

        /* four requests at once, interleaved, as in one worker */

        for (i = 0; i < 4; i++) {
            len[i] = rnd_n(MAX_DATA + 1);
            off[i] = 0;
            rnd_bytes(data[i], len[i]);

            reference(keybuf[(i + r) % 4], sizeof(keybuf[0]), data[i], len[i],
                      md[i]);

            if (ngx_http_intercom_webhook_hmac_init(&hmac[i], secrets, 4)
                != NGX_OK)
            {
                bad++;
            }
        }

        for ( ;; ) {
            for (j = 0; j < 4 && off[j] == len[j]; j++) { /* void */ }

            if (j == 4) {
                break;
            }

            i = rnd_n(4);
            k = rnd_n(len[i] - off[i] + 1);

            if (ngx_http_intercom_webhook_hmac_update(&hmac[i],
                                                      data[i] + off[i], k)
                != NGX_OK)
            {
                bad++;
            }

            off[i] += k;
        }

        for (i = 0; i < 4; i++) {

            /* every 7th request fails midway */

            if ((r + i) % 7 == 0) {
                ngx_http_intercom_webhook_hmac_abort(&hmac[i]);
                continue;
            }

            rc = ngx_http_intercom_webhook_hmac_final(&hmac[i], md[i]);

            if (rc != (ngx_int_t) ((i + r) % 4)) {
                bad++;
                fprintf(stderr, "reuse %u, request %u: final() = %d\n",
                        (unsigned) r, (unsigned) i, (int) rc);
            }
        }
    }

    CHECK(bad == 0, "%u errors in interleaved requests", (unsigned) bad);

#if !(NGX_HTTP_INTERCOM_WEBHOOK_EVP_MAC)
    for (i = 0; i < 4; i++) {
        CHECK(ngx_memcmp(&saved[i], secrets[i].mac, sizeof(saved[i])) == 0,
              "the keyed state of secret %u changed", (unsigned) i);
    }
#endif

    for (i = 0; i < 4; i++) {
        free(data[i]);
    }

    ngx_destroy_pool(pool);
}


/* the secrets are wiped and freed with their pool, failures included */

static void
test_cleanup(void)
{
    u_char                              key[100], zero[DIGEST_LEN];
#if !(NGX_HTTP_INTERCOM_WEBHOOK_EVP_MAC)
    u_char                              wiped[sizeof(
                                            ngx_http_intercom_webhook_mac_t)];
#endif
    ngx_int_t                           rc;
    ngx_uint_t                          i, n, found;
    ngx_pool_t                         *pool;
    ngx_pool_cleanup_t                 *c;
    ngx_http_intercom_webhook_secret_t  secrets[5];

    rnd_bytes(key, sizeof(key));
    ngx_memzero(zero, sizeof(zero));
#if !(NGX_HTTP_INTERCOM_WEBHOOK_EVP_MAC)
    ngx_memzero(wiped, sizeof(wiped));
#endif

    pool = ngx_create_pool(4096, NULL);
    if (pool == NULL) {
        abort();
    }

    for (i = 0; i < 5; i++) {
        rc = ngx_http_intercom_webhook_secret_init(&secrets[i], key,
                                                   20 * i + 1, pool);
        CHECK(rc == NGX_OK, "secret_init() = %d", (int) rc);
    }

    /* one handler for each secret, on its context */

    for (i = 0; i < 5; i++) {
        found = 0;

        for (c = pool->cleanup; c; c = c->next) {
            if (c->handler && c->data == secrets[i].mac) {
                found++;
            }
        }

        CHECK(found == 1, "secret %u has %u cleanup handlers", (unsigned) i,
              (unsigned) found);
    }

#if !(NGX_HTTP_INTERCOM_WEBHOOK_EVP_MAC)

    /* the handler wipes the keyed states; running it again is harmless */

    for (c = pool->cleanup; c; c = c->next) {
        if (c->handler && c->data == secrets[2].mac) {
            c->handler(c->data);
        }
    }

    CHECK(ngx_memcmp(secrets[2].mac, wiped, sizeof(wiped)) == 0,
          "the cleanup did not wipe the keyed states");

#endif

    /* the handlers run, then the memory is freed: run under ASan */

    ngx_destroy_pool(pool);

    CHECK(1, "ngx_destroy_pool() ran the cleanups");

    /* memory shortage at every allocation secret_init() makes */

    for (n = 0; n < 4; n++) {
        pool = ngx_create_pool(4096, NULL);
        if (pool == NULL) {
            abort();
        }

        ngx_memzero(&secrets[0], sizeof(secrets[0]));

        ngx_stubs_alloc_fail = n;

        rc = ngx_http_intercom_webhook_secret_init(&secrets[0], key, 70,
                                                   pool);
        ngx_stubs_alloc_fail = -1;

        CHECK(rc == NGX_OK || rc == NGX_ERROR,
              "secret_init() with allocation %u failing = %d", (unsigned) n,
              (int) rc);

        if (rc == NGX_OK) {
            CHECK(request(&secrets[0], 1, key, 10, zero, 2) == NGX_DECLINED,
                  "a secret made after a failed allocation");
        }

        ngx_destroy_pool(pool);
    }
}


/*
 * t/unit/run links this test with -Wl,--wrap=CRYPTO_memcmp: every digest
 * comparison of the module goes through here and is counted, so that a
 * comparison that is not constant-time (memcmp), or a loop that stops at
 * the first match, fails the test below.
 */

static ngx_uint_t  memcmp_calls;

int __real_CRYPTO_memcmp(const void *a, const void *b, size_t len);
int __wrap_CRYPTO_memcmp(const void *a, const void *b, size_t len);


int
__wrap_CRYPTO_memcmp(const void *a, const void *b, size_t len)
{
    memcmp_calls++;

    return __real_CRYPTO_memcmp(a, b, len);
}


static void
test_constant_time(void)
{
    u_char                              *data, md[20];
    ngx_int_t                            rc;
    ngx_uint_t                           i, n;
    ngx_pool_t                          *pool;
    ngx_http_intercom_webhook_secret_t   secrets[8];

    static u_char                        key[] = "key-0";

    pool = ngx_create_pool(4096, NULL);
    data = malloc(100);
    if (pool == NULL || data == NULL) {
        abort();
    }

    ngx_memset(data, 'x', 100);

    for (i = 0; i < 8; i++) {
        key[4] = (u_char) ('0' + i);
        ngx_str_set(&secrets[i].id, "s");

        if (ngx_http_intercom_webhook_secret_init(&secrets[i], key, 5, pool)
            != NGX_OK)
        {
            abort();
        }
    }

    /* the first secret matches: the other seven are compared all the same */

    for (n = 1; n <= 8; n++) {
        reference((u_char *) "key-0", 5, data, 100, md);

        memcmp_calls = 0;
        rc = request(secrets, n, data, 100, md, 1);

        CHECK(rc == 0 && memcmp_calls == n,
              "%u secrets, the first matching: final() = %d after %u "
              "constant-time comparisons", (unsigned) n, (int) rc,
              (unsigned) memcmp_calls);
    }

    /* none matches: every one is compared */

    md[0] ^= 1;
    memcmp_calls = 0;
    rc = request(secrets, 8, data, 100, md, 1);

    CHECK(rc == NGX_DECLINED && memcmp_calls == 8,
          "8 secrets, none matching: final() = %d after %u constant-time "
          "comparisons", (int) rc, (unsigned) memcmp_calls);

    ngx_destroy_pool(pool);
    free(data);
}


int
main(int argc, char **argv)
{
    test_implementation();
    test_parse();
    test_secret_init();
    test_rfc2202();
    test_secrets();
    test_differential();
    test_reuse();
    test_cleanup();
    test_constant_time();

    printf("test_signature: %u passed, %u failed\n", (unsigned) passed,
           (unsigned) failed);

    return failed ? 1 : 0;
}
