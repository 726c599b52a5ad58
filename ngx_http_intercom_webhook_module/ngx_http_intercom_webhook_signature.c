
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_intercom_webhook.h"


#define NGX_HTTP_INTERCOM_WEBHOOK_PREFIX      "sha1="
#define NGX_HTTP_INTERCOM_WEBHOOK_PREFIX_LEN  (sizeof("sha1=") - 1)


static void ngx_http_intercom_webhook_secret_cleanup(void *data);


ngx_int_t
ngx_http_intercom_webhook_parse_signature(ngx_str_t *value, u_char *digest)
{
    u_char      *p;
    ngx_int_t    hi, lo;
    ngx_uint_t   i;

    if (value->len != NGX_HTTP_INTERCOM_WEBHOOK_PREFIX_LEN
                      + 2 * NGX_HTTP_INTERCOM_WEBHOOK_DIGEST_LEN
        || ngx_strncmp(value->data, NGX_HTTP_INTERCOM_WEBHOOK_PREFIX,
                       NGX_HTTP_INTERCOM_WEBHOOK_PREFIX_LEN)
           != 0)
    {
        return NGX_DECLINED;
    }

    p = value->data + NGX_HTTP_INTERCOM_WEBHOOK_PREFIX_LEN;

    for (i = 0; i < NGX_HTTP_INTERCOM_WEBHOOK_DIGEST_LEN; i++) {

        hi = ngx_http_intercom_webhook_hex(p[2 * i]);
        lo = ngx_http_intercom_webhook_hex(p[2 * i + 1]);

        if (hi == NGX_ERROR || lo == NGX_ERROR) {
            return NGX_DECLINED;
        }

        digest[i] = (u_char) (hi << 4 | lo);
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_intercom_webhook_secret_blank(u_char *key, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        switch (key[i]) {
        case ' ':
        case '\t':
        case CR:
        case LF:
            break;

        default:
            return NGX_DECLINED;
        }
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_intercom_webhook_secret_init(
    ngx_http_intercom_webhook_secret_t *secret, u_char *key, size_t len,
    ngx_pool_t *pool)
{
    ngx_pool_cleanup_t               *cln;
    ngx_http_intercom_webhook_mac_t  *mac;
#if (NGX_HTTP_INTERCOM_WEBHOOK_EVP_MAC)
    EVP_MAC                          *hmac;
    OSSL_PARAM                        params[2];
    char                              digest[] = "SHA1";
#else
    u_char                            ipad[SHA_CBLOCK], opad[SHA_CBLOCK];
    u_char                            md[SHA_DIGEST_LENGTH];
    ngx_uint_t                        i;
#endif

    if (ngx_http_intercom_webhook_secret_blank(key, len) == NGX_OK) {
        return NGX_DECLINED;
    }

    cln = ngx_pool_cleanup_add(pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

#if (NGX_HTTP_INTERCOM_WEBHOOK_EVP_MAC)

    hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (hmac == NULL) {
        return NGX_ERROR;
    }

    mac = EVP_MAC_CTX_new(hmac);

    /* the context holds its own reference */
    EVP_MAC_free(hmac);

    if (mac == NULL) {
        return NGX_ERROR;
    }

    cln->handler = ngx_http_intercom_webhook_secret_cleanup;
    cln->data = mac;

    params[0] = OSSL_PARAM_construct_utf8_string("digest", digest, 0);
    params[1] = OSSL_PARAM_construct_end();

    if (EVP_MAC_init(mac, key, len, params) != 1) {
        return NGX_ERROR;
    }

#else

    mac = ngx_palloc(pool, sizeof(ngx_http_intercom_webhook_mac_t));
    if (mac == NULL) {
        return NGX_ERROR;
    }

    cln->handler = ngx_http_intercom_webhook_secret_cleanup;
    cln->data = mac;

    /* a key longer than a block is its digest (RFC 2104, 2.) */

    if (len > SHA_CBLOCK) {
        if (SHA1(key, len, md) == NULL) {
            return NGX_ERROR;
        }

        key = md;
        len = SHA_DIGEST_LENGTH;
    }

    ngx_memset(ipad, 0x36, SHA_CBLOCK);
    ngx_memset(opad, 0x5c, SHA_CBLOCK);

    for (i = 0; i < len; i++) {
        ipad[i] ^= key[i];
        opad[i] ^= key[i];
    }

    if (SHA1_Init(&mac->inner) != 1
        || SHA1_Update(&mac->inner, ipad, SHA_CBLOCK) != 1
        || SHA1_Init(&mac->outer) != 1
        || SHA1_Update(&mac->outer, opad, SHA_CBLOCK) != 1)
    {
        OPENSSL_cleanse(ipad, SHA_CBLOCK);
        OPENSSL_cleanse(opad, SHA_CBLOCK);
        OPENSSL_cleanse(md, SHA_DIGEST_LENGTH);
        return NGX_ERROR;
    }

    OPENSSL_cleanse(ipad, SHA_CBLOCK);
    OPENSSL_cleanse(opad, SHA_CBLOCK);
    OPENSSL_cleanse(md, SHA_DIGEST_LENGTH);

#endif

    secret->mac = mac;

    return NGX_OK;
}


static void
ngx_http_intercom_webhook_secret_cleanup(void *data)
{
#if (NGX_HTTP_INTERCOM_WEBHOOK_EVP_MAC)
    EVP_MAC_CTX_free(data);
#else
    OPENSSL_cleanse(data, sizeof(ngx_http_intercom_webhook_mac_t));
#endif
}


ngx_int_t
ngx_http_intercom_webhook_hmac_init(ngx_http_intercom_webhook_hmac_t *hmac,
    ngx_http_intercom_webhook_secret_t *secrets, ngx_uint_t n)
{
    ngx_uint_t  i;

    hmac->secrets = secrets;
    hmac->nsecrets = 0;

    if (n > NGX_HTTP_INTERCOM_WEBHOOK_MAX_SECRETS) {
        return NGX_ERROR;
    }

    for (i = 0; i < n; i++) {

#if (NGX_HTTP_INTERCOM_WEBHOOK_EVP_MAC)
        hmac->state[i] = EVP_MAC_CTX_dup(secrets[i].mac);

        if (hmac->state[i] == NULL) {
            ngx_http_intercom_webhook_hmac_abort(hmac);
            return NGX_ERROR;
        }
#else
        hmac->state[i] = secrets[i].mac->inner;
#endif

        hmac->nsecrets++;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_intercom_webhook_hmac_update(ngx_http_intercom_webhook_hmac_t *hmac,
    u_char *data, size_t len)
{
    ngx_uint_t  i;

    if (len == 0) {
        return NGX_OK;
    }

    for (i = 0; i < hmac->nsecrets; i++) {

#if (NGX_HTTP_INTERCOM_WEBHOOK_EVP_MAC)
        if (EVP_MAC_update(hmac->state[i], data, len) != 1) {
            return NGX_ERROR;
        }
#else
        if (SHA1_Update(&hmac->state[i], data, len) != 1) {
            return NGX_ERROR;
        }
#endif
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_intercom_webhook_hmac_final(ngx_http_intercom_webhook_hmac_t *hmac,
    u_char *digest)
{
    u_char      md[EVP_MAX_MD_SIZE];
    size_t      len;
    ngx_int_t   rc, match;
    ngx_uint_t  i;
#if !(NGX_HTTP_INTERCOM_WEBHOOK_EVP_MAC)
    SHA_CTX     outer;
#endif

    rc = NGX_OK;
    match = NGX_DECLINED;

    /*
     * every secret is computed and compared, whichever matches,
     * so that the time taken does not tell which one did
     */

    for (i = 0; i < hmac->nsecrets; i++) {

#if (NGX_HTTP_INTERCOM_WEBHOOK_EVP_MAC)

        if (EVP_MAC_final(hmac->state[i], md, &len, sizeof(md)) != 1) {
            rc = NGX_ERROR;
            continue;
        }

#else

        outer = hmac->secrets[i].mac->outer;

        if (SHA1_Final(md, &hmac->state[i]) != 1
            || SHA1_Update(&outer, md, SHA_DIGEST_LENGTH) != 1
            || SHA1_Final(md, &outer) != 1)
        {
            rc = NGX_ERROR;
            continue;
        }

        len = SHA_DIGEST_LENGTH;

#endif

        if (len == NGX_HTTP_INTERCOM_WEBHOOK_DIGEST_LEN
            && CRYPTO_memcmp(md, digest, NGX_HTTP_INTERCOM_WEBHOOK_DIGEST_LEN)
               == 0)
        {
            match = i;
        }
    }

    /* the last digest computed is a valid signature of the body */

    OPENSSL_cleanse(md, sizeof(md));

#if !(NGX_HTTP_INTERCOM_WEBHOOK_EVP_MAC)
    OPENSSL_cleanse(&outer, sizeof(SHA_CTX));
#endif

    ngx_http_intercom_webhook_hmac_abort(hmac);

    return (rc == NGX_OK) ? match : rc;
}


void
ngx_http_intercom_webhook_hmac_abort(ngx_http_intercom_webhook_hmac_t *hmac)
{
#if (NGX_HTTP_INTERCOM_WEBHOOK_EVP_MAC)

    ngx_uint_t  i;

    for (i = 0; i < hmac->nsecrets; i++) {
        EVP_MAC_CTX_free(hmac->state[i]);
        hmac->state[i] = NULL;
    }

#else

    /* a state copied before any update is as good as the key */

    OPENSSL_cleanse(hmac->state, hmac->nsecrets * sizeof(SHA_CTX));

#endif

    hmac->nsecrets = 0;
}
