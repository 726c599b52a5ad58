
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


/*
 * libFuzzer harness of the signature part: parse_signature, and the
 * HMAC-SHA1 of hmac_init, hmac_update and hmac_final over a body given
 * in pieces, against OpenSSL's one-shot HMAC().  Built twice by
 * t/fuzz/run: with the SHA-1 midstates (fuzz_signature) and with EVP_MAC
 * (fuzz_signature_evp).
 *
 * The input is: a byte K, K % 100 bytes of key, a byte choosing the
 * split, and the body.  The whole input is also given to parse_signature
 * as a header value.
 */


#include "fuzz.h"

#include <openssl/hmac.h>


static void fuzz_parse_signature(const uint8_t *data, size_t size);
static ngx_int_t fuzz_hmac(ngx_http_intercom_webhook_secret_t *secrets,
    ngx_uint_t n, u_char *body, size_t len, u_char seed, u_char *digest);


static const char  fuzz_hex[] = "0123456789abcdef";


/* "sha1=" and 40 hex digits of either case, nothing else */

static void
fuzz_parse_signature(const uint8_t *data, size_t size)
{
    u_char     *copy, digest[NGX_HTTP_INTERCOM_WEBHOOK_DIGEST_LEN], c;
    size_t      i;
    ngx_int_t   rc, want;
    ngx_str_t   value;

    want = NGX_DECLINED;

    if (size == 45 && memcmp(data, "sha1=", 5) == 0) {
        want = NGX_OK;

        for (i = 5; i < 45; i++) {
            c = data[i];

            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')
                  || (c >= 'A' && c <= 'F')))
            {
                want = NGX_DECLINED;
            }
        }
    }

    copy = fuzz_copy(data, size);

    value.data = copy;
    value.len = size;

    rc = ngx_http_intercom_webhook_parse_signature(&value, digest);

    FUZZ_CHECK(rc == want, "parse_signature: %d, expected %d", (int) rc,
               (int) want);

    if (rc == NGX_OK) {
        for (i = 0; i < NGX_HTTP_INTERCOM_WEBHOOK_DIGEST_LEN; i++) {
            FUZZ_CHECK(fuzz_hex[digest[i] >> 4] == (copy[5 + 2 * i] | 0x20)
                       && fuzz_hex[digest[i] & 0xf]
                          == (copy[6 + 2 * i] | 0x20),
                       "digest byte %zu", i);
        }
    }

    free(copy);
}


/* the HMAC of the body in pieces, each a buffer of its own */

static ngx_int_t
fuzz_hmac(ngx_http_intercom_webhook_secret_t *secrets, ngx_uint_t n,
    u_char *body, size_t len, u_char seed, u_char *digest)
{
    u_char                            *piece;
    size_t                             k, off;
    ngx_int_t                          rc;
    fuzz_split_t                       s;
    ngx_http_intercom_webhook_hmac_t   hmac;

    rc = ngx_http_intercom_webhook_hmac_init(&hmac, secrets, n);
    FUZZ_CHECK(rc == NGX_OK, "hmac_init: %d", (int) rc);

    fuzz_split_init(&s, seed, len);

    for (off = 0; s.rest; off += k) {
        k = fuzz_piece(&s);

        piece = fuzz_copy(body + off, k);
        rc = ngx_http_intercom_webhook_hmac_update(&hmac, piece, k);
        free(piece);

        FUZZ_CHECK(rc == NGX_OK, "hmac_update: %d", (int) rc);
    }

    return ngx_http_intercom_webhook_hmac_final(&hmac, digest);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char                              *key, *key2, *body, seed;
    u_char                               md[EVP_MAX_MD_SIZE];
    u_char                               wrong[EVP_MAX_MD_SIZE];
    size_t                               klen, len;
    unsigned int                         mdlen;
    ngx_int_t                            rc, blank, n;
    ngx_pool_t                          *pool;
    ngx_http_intercom_webhook_hmac_t     hmac;
    ngx_http_intercom_webhook_secret_t   secrets[3];

    fuzz_parse_signature(data, size);

    if (size < 2) {
        return 0;
    }

    klen = data[0] % 100;
    if (klen > size - 2) {
        klen = size - 2;
    }

    key = fuzz_copy(data + 1, klen);
    seed = data[1 + klen];
    body = fuzz_copy(data + 2 + klen, size - 2 - klen);
    len = size - 2 - klen;

    /* a second key, never blank, and the same key again */

    key2 = malloc(klen + 1);
    FUZZ_CHECK(key2 != NULL, "malloc");
    memcpy(key2, key, klen);
    key2[klen] = 'x';

    pool = ngx_create_pool(4096, NULL);
    FUZZ_CHECK(pool != NULL, "pool");

    blank = ngx_http_intercom_webhook_secret_blank(key, klen);

    n = 0;

    ngx_memzero(secrets, sizeof(secrets));

    rc = ngx_http_intercom_webhook_secret_init(&secrets[n], key2, klen + 1,
                                               pool);
    FUZZ_CHECK(rc == NGX_OK, "secret_init(key2): %d", (int) rc);
    n++;

    rc = ngx_http_intercom_webhook_secret_init(&secrets[n], key, klen, pool);
    FUZZ_CHECK(rc == (blank == NGX_OK ? NGX_DECLINED : NGX_OK),
               "secret_init: %d, blank %d", (int) rc, (int) blank);

    if (rc == NGX_OK) {
        n++;
    }

    /* the keys are copied: they may go */

    OPENSSL_cleanse(key2, klen + 1);
    free(key2);

    FUZZ_CHECK(HMAC(EVP_sha1(), data + 1, (int) klen, body, len, md, &mdlen)
               != NULL && mdlen == NGX_HTTP_INTERCOM_WEBHOOK_DIGEST_LEN,
               "HMAC()");

    memcpy(wrong, md, mdlen);
    wrong[seed % mdlen] ^= 1 << (seed % 8);

    rc = fuzz_hmac(secrets, n, body, len, seed, md);

    if (n == 2) {
        FUZZ_CHECK(rc == 1, "the key's HMAC: %d", (int) rc);

    } else {
        /* a blank key has no secret: its HMAC matches none */
        FUZZ_CHECK(rc == NGX_DECLINED, "a blank key's HMAC: %d", (int) rc);
    }

    rc = fuzz_hmac(secrets, n, body, len, seed, wrong);
    FUZZ_CHECK(rc == NGX_DECLINED, "a wrong HMAC: %d", (int) rc);

    /* the key's HMAC, with the other secret only */

    rc = ngx_http_intercom_webhook_hmac_init(&hmac, secrets, 1);
    FUZZ_CHECK(rc == NGX_OK, "hmac_init: %d", (int) rc);

    rc = ngx_http_intercom_webhook_hmac_update(&hmac, body, len);
    FUZZ_CHECK(rc == NGX_OK, "hmac_update: %d", (int) rc);

    rc = ngx_http_intercom_webhook_hmac_final(&hmac, md);
    FUZZ_CHECK(rc == NGX_DECLINED, "the key's HMAC matches another key");

    /* an aborted HMAC leaves nothing behind (ASan counts leaks) */

    rc = ngx_http_intercom_webhook_hmac_init(&hmac, secrets, n);
    FUZZ_CHECK(rc == NGX_OK, "hmac_init: %d", (int) rc);

    (void) ngx_http_intercom_webhook_hmac_update(&hmac, body, len / 2);
    ngx_http_intercom_webhook_hmac_abort(&hmac);

    ngx_destroy_pool(pool);

    free(key);
    free(body);

    return 0;
}
