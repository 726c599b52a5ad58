
/*
 * The module's cases of the microbenchmark (see micro.c): its pure C API
 * (ngx_http_intercom_webhook.h) driven as the module drives it per
 * request, with the configuration made once as at nginx's start: one
 * secret, the eight payload fields, the topic filter "*".
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_intercom_webhook.h"
#include "micro.h"


/* mod_parse's "chunk": the body in one buffer, parse_whole */
#define MICRO_WHOLE  0


static ngx_log_t                            micro_log;   /* log_level 0 */
static ngx_pool_t                          *conf_pool;
static ngx_http_intercom_webhook_secret_t   secret;
static ngx_http_intercom_webhook_fields_t   fields;
static ngx_int_t                            slot[MICRO_NFIELDS];
static ngx_array_t                         *topics;


int
micro_mod_init(const unsigned char *key, size_t len)
{
    int                                 i;
    ngx_str_t                           path, any = ngx_string("*");
    ngx_http_intercom_webhook_topic_t  *t;

    conf_pool = ngx_create_pool(16384, &micro_log);
    if (conf_pool == NULL) {
        return -1;
    }

    if (ngx_http_intercom_webhook_secret_init(&secret, (u_char *) key, len,
                                              conf_pool)
        != NGX_OK)
    {
        return -1;
    }

#ifdef NGX_HTTP_INTERCOM_WEBHOOK_INDEX_SIZE

    /* MICRO_INDEX=avx2 (or none): another code than the CPU's best */

    if (getenv("MICRO_INDEX")
        && ngx_http_intercom_webhook_index_use(getenv("MICRO_INDEX"))
           != NGX_OK)
    {
        return -1;
    }

#endif

    ngx_memzero(&fields, sizeof(fields));
    fields.root.slot = NGX_ERROR;

    for (i = 0; i < MICRO_NFIELDS; i++) {
        path.data = (u_char *) micro_field(i);
        path.len = ngx_strlen(path.data);

        slot[i] = ngx_http_intercom_webhook_fields_add(&fields, &path,
                                                       conf_pool);
        if (slot[i] < 0) {
            return -1;
        }
    }

    topics = ngx_array_create(conf_pool, 1,
                              sizeof(ngx_http_intercom_webhook_topic_t));
    if (topics == NULL) {
        return -1;
    }

    t = ngx_array_push(topics);
    if (t == NULL
        || ngx_http_intercom_webhook_topic_pattern(&any, t) != NGX_OK)
    {
        return -1;
    }

    return 0;
}


/* the signature over the body in pieces of at most chunk bytes */

static int
mod_sig(void *pl, size_t chunk)
{
    u_char                            *body, digest[20];
    size_t                             len, n;
    ngx_str_t                          header;
    ngx_http_intercom_webhook_hmac_t   hmac;

    body = (u_char *) micro_body(pl, &len);
    header.data = (u_char *) micro_header(pl);
    header.len = ngx_strlen(header.data);

    if (ngx_http_intercom_webhook_parse_signature(&header, digest) != NGX_OK
        || ngx_http_intercom_webhook_hmac_init(&hmac, &secret, 1) != NGX_OK)
    {
        return -1;
    }

    for ( /* void */ ; len; body += n, len -= n) {
        n = len < chunk ? len : chunk;

        if (ngx_http_intercom_webhook_hmac_update(&hmac, body, n) != NGX_OK) {
            ngx_http_intercom_webhook_hmac_abort(&hmac);
            return -1;
        }
    }

    return ngx_http_intercom_webhook_hmac_final(&hmac, digest) == 0 ? 0 : -1;
}


/* validation and extraction over the body in pieces, in a fresh pool */

static int
mod_parse(void *pl, size_t chunk)
{
    int                                  i, rc;
    u_char                              *body;
    size_t                               len, n;
    ngx_str_t                            text;
    ngx_pool_t                          *pool;
    ngx_http_intercom_webhook_value_t    values[MICRO_NFIELDS];
    ngx_http_intercom_webhook_parser_t   p;

    body = (u_char *) micro_body(pl, &len);

    pool = ngx_create_pool(4096, &micro_log);
    if (pool == NULL) {
        return -1;
    }

    rc = -1;

    if (ngx_http_intercom_webhook_parser_init(&p, &fields, values, pool)
        != NGX_OK)
    {
        goto done;
    }

#ifdef NGX_HTTP_INTERCOM_WEBHOOK_INDEX_SIZE

    if (chunk == MICRO_WHOLE) {

        /* a body in memory, as the module parses it since 0.5.0 */

        if (ngx_http_intercom_webhook_parse_whole(&p, body, body + len)
            != NGX_OK)
        {
            goto done;
        }

    } else
#endif
    {
        for ( /* void */ ; len; body += n, len -= n) {
            n = (chunk == MICRO_WHOLE || len < chunk) ? len : chunk;

            if (ngx_http_intercom_webhook_parse(&p, body, body + n)
                == NGX_ERROR)
            {
                goto done;
            }
        }

        if (ngx_http_intercom_webhook_parse_done(&p) != NGX_OK) {
            goto done;
        }
    }

    /* "type" must be "notification_event" */
    if (ngx_http_intercom_webhook_value_string(&values[slot[0]], &text, pool)
        != NGX_OK
        || text.len != sizeof("notification_event") - 1
        || ngx_strncmp(text.data, "notification_event", text.len) != 0)
    {
        goto done;
    }

    /* the header values; a null or absent one gives no header */
    for (i = 1; i < MICRO_NFIELDS; i++) {
        if (ngx_http_intercom_webhook_value_text(&values[slot[i]], &text,
                                                 pool)
            == NGX_ERROR)
        {
            goto done;
        }
    }

    /* the topic: valid and subscribed */
    if (ngx_http_intercom_webhook_value_text(&values[slot[1]], &text, pool)
        != NGX_OK
        || ngx_http_intercom_webhook_valid_topic(&text) != NGX_OK
        || ngx_http_intercom_webhook_topic_match(topics, &text) != NGX_OK)
    {
        goto done;
    }

    rc = 0;

done:

    ngx_destroy_pool(pool);
    return rc;
}


int
micro_mod_sig(void *pl)
{
    return mod_sig(pl, (size_t) -1);
}


int
micro_mod_parse(void *pl)
{
    return mod_parse(pl, MICRO_WHOLE);
}


int
micro_mod_stream(void *pl)
{
    return mod_parse(pl, (size_t) -1);
}


int
micro_mod_all(void *pl)
{
    return (mod_sig(pl, (size_t) -1) == 0 && mod_parse(pl, MICRO_WHOLE) == 0)
           ? 0 : -1;
}


int
micro_mod_all_16k(void *pl)
{
    return (mod_sig(pl, 16384) == 0 && mod_parse(pl, 16384) == 0) ? 0 : -1;
}
