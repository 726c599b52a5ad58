
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_intercom_webhook.h"


#define NGX_HTTP_INTERCOM_WEBHOOK_PREFIX      "sha1="
#define NGX_HTTP_INTERCOM_WEBHOOK_PREFIX_LEN  (sizeof("sha1=") - 1)


static ngx_http_intercom_webhook_mac_t *ngx_http_intercom_webhook_mac_dup(
    ngx_http_intercom_webhook_mac_t *mac);
static void ngx_http_intercom_webhook_mac_free(
    ngx_http_intercom_webhook_mac_t *mac);
static void ngx_http_intercom_webhook_secret_cleanup(void *data);


ngx_int_t
ngx_http_intercom_webhook_parse_signature(ngx_str_t *value, u_char *digest)
{
    u_char      c, *p;
    ngx_int_t   hi, lo;
    ngx_uint_t  i;

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

        c = p[2 * i];
        hi = ngx_hextoi(&c, 1);

        c = p[2 * i + 1];
        lo = ngx_hextoi(&c, 1);

        if (hi == NGX_ERROR || lo == NGX_ERROR) {
            return NGX_DECLINED;
        }

        digest[i] = (u_char) (hi << 4 | lo);
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
#endif

    if (len == 0) {
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

    mac = HMAC_CTX_new();
    if (mac == NULL) {
        return NGX_ERROR;
    }

    cln->handler = ngx_http_intercom_webhook_secret_cleanup;
    cln->data = mac;

    if (HMAC_Init_ex(mac, key, (int) len, EVP_sha1(), NULL) != 1) {
        return NGX_ERROR;
    }

#endif

    secret->mac = mac;

    return NGX_OK;
}


static void
ngx_http_intercom_webhook_secret_cleanup(void *data)
{
    ngx_http_intercom_webhook_mac_free(data);
}


ngx_int_t
ngx_http_intercom_webhook_hmac_init(ngx_http_intercom_webhook_hmac_t *hmac,
    ngx_http_intercom_webhook_secret_t *secrets, ngx_uint_t n)
{
    ngx_uint_t  i;

    if (n > NGX_HTTP_INTERCOM_WEBHOOK_MAX_SECRETS) {
        return NGX_ERROR;
    }

    hmac->secrets = secrets;
    hmac->nsecrets = 0;

    for (i = 0; i < n; i++) {
        hmac->mac[i] = ngx_http_intercom_webhook_mac_dup(secrets[i].mac);

        if (hmac->mac[i] == NULL) {
            ngx_http_intercom_webhook_hmac_abort(hmac);
            return NGX_ERROR;
        }

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
        if (EVP_MAC_update(hmac->mac[i], data, len) != 1) {
            return NGX_ERROR;
        }
#else
        if (HMAC_Update(hmac->mac[i], data, len) != 1) {
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
    ngx_int_t   rc, match;
    ngx_uint_t  i;
#if (NGX_HTTP_INTERCOM_WEBHOOK_EVP_MAC)
    size_t      len;
#else
    unsigned    len;
#endif

    rc = NGX_OK;
    match = NGX_DECLINED;

    /*
     * every secret is computed and compared, whichever matches,
     * so that the time taken does not tell which one did
     */

    for (i = 0; i < hmac->nsecrets; i++) {

#if (NGX_HTTP_INTERCOM_WEBHOOK_EVP_MAC)
        if (EVP_MAC_final(hmac->mac[i], md, &len, sizeof(md)) != 1) {
            rc = NGX_ERROR;
            continue;
        }
#else
        if (HMAC_Final(hmac->mac[i], md, &len) != 1) {
            rc = NGX_ERROR;
            continue;
        }
#endif

        if (len == NGX_HTTP_INTERCOM_WEBHOOK_DIGEST_LEN
            && CRYPTO_memcmp(md, digest, NGX_HTTP_INTERCOM_WEBHOOK_DIGEST_LEN)
               == 0)
        {
            match = i;
        }
    }

    ngx_http_intercom_webhook_hmac_abort(hmac);

    return (rc == NGX_OK) ? match : rc;
}


void
ngx_http_intercom_webhook_hmac_abort(ngx_http_intercom_webhook_hmac_t *hmac)
{
    ngx_uint_t  i;

    for (i = 0; i < hmac->nsecrets; i++) {
        ngx_http_intercom_webhook_mac_free(hmac->mac[i]);
        hmac->mac[i] = NULL;
    }

    hmac->nsecrets = 0;
}


static ngx_http_intercom_webhook_mac_t *
ngx_http_intercom_webhook_mac_dup(ngx_http_intercom_webhook_mac_t *mac)
{
#if (NGX_HTTP_INTERCOM_WEBHOOK_EVP_MAC)

    return EVP_MAC_CTX_dup(mac);

#else

    HMAC_CTX  *copy;

    copy = HMAC_CTX_new();
    if (copy == NULL) {
        return NULL;
    }

    if (HMAC_CTX_copy(copy, mac) != 1) {
        HMAC_CTX_free(copy);
        return NULL;
    }

    return copy;

#endif
}


static void
ngx_http_intercom_webhook_mac_free(ngx_http_intercom_webhook_mac_t *mac)
{
#if (NGX_HTTP_INTERCOM_WEBHOOK_EVP_MAC)
    EVP_MAC_CTX_free(mac);
#else
    HMAC_CTX_free(mac);
#endif
}
