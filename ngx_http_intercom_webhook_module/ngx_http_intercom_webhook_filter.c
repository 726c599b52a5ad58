
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_intercom_webhook_module.h"


/*
 * The answer to an accepted notification, on its way to Intercom.  An
 * application that could not take the notification (502, 503, 504, and
 * nginx's own answers for a refused connection, a timeout, a reset or no
 * live upstream) would make Intercom retry once or twice, a minute apart,
 * and drop it: the answer becomes intercom_webhook_unavailable's status,
 * 429 by default, with which Intercom keeps the notification and retries
 * for up to two hours.  410 would disable the subscription for good: it
 * never leaves nginx.  Every other response passes untouched.
 *
 * The time from the request's start to this header is the delivery's
 * duration, as Intercom sees it but for the body: counted here.
 */


static void ngx_http_intercom_webhook_clear_headers(ngx_http_request_t *r);


static ngx_http_output_header_filter_pt  ngx_http_next_header_filter;


ngx_int_t
ngx_http_intercom_webhook_header_filter(ngx_http_request_t *r)
{
    ngx_int_t                              status, answer;
    ngx_uint_t                             level;
    ngx_time_t                            *tp;
    ngx_msec_int_t                         ms;
    ngx_http_upstream_t                   *u;
    ngx_http_intercom_webhook_ctx_t       *ctx;
    ngx_http_intercom_webhook_loc_conf_t  *iwcf;

    if (r != r->main) {
        return ngx_http_next_header_filter(r);
    }

    ctx = ngx_http_intercom_webhook_get_ctx(r);

    if (ctx == NULL || !ctx->handed || ctx->upstream_status) {
        return ngx_http_next_header_filter(r);
    }

    iwcf = ctx->conf;
    status = r->headers_out.status;

    /* $intercom_webhook_upstream_status, once per request */

    ctx->upstream_status = status ? status : NGX_HTTP_INTERNAL_SERVER_ERROR;

    /* the delivery's duration, as $request_time counts it */

    tp = ngx_timeofday();

    ms = (ngx_msec_int_t) ((tp->sec - r->start_sec) * 1000
                           + (tp->msec - r->start_msec));

    ngx_http_intercom_webhook_count_duration(iwcf,
                                             (ngx_msec_t) ngx_max(ms, 0));

    /* delivered, for de-duplication, is the application's 2xx */

    ngx_http_intercom_webhook_dedup_end(r, ctx,
                                        status >= 200 && status < 300);

    switch (status) {

    case NGX_HTTP_BAD_GATEWAY:
    case NGX_HTTP_SERVICE_UNAVAILABLE:
    case NGX_HTTP_GATEWAY_TIME_OUT:

        if (iwcf->unavailable == 0) {
            return ngx_http_next_header_filter(r);
        }

        level = NGX_LOG_WARN;
        break;

    case NGX_HTTP_INTERCOM_WEBHOOK_GONE:
        level = NGX_LOG_ERR;
        break;

    default:
        return ngx_http_next_header_filter(r);
    }

    u = r->upstream;
    answer = iwcf->unavailable ? iwcf->unavailable : NGX_HTTP_BAD_GATEWAY;

    if (u && u->headers_in.status_n) {
        ngx_log_error(level, r->connection->log, 0,
                      "intercom webhook: the application answered %i "
                      "in location \"%V\"%s, Intercom gets %i",
                      status, &iwcf->name,
                      (status == NGX_HTTP_INTERCOM_WEBHOOK_GONE)
                      ? ", which would disable the subscription" : "",
                      answer);

    } else {
        ngx_log_error(level, r->connection->log, 0,
                      "intercom webhook: no answer from the application "
                      "in location \"%V\" (%i), Intercom gets %i",
                      &iwcf->name, status, answer);
    }

    r->headers_out.status = answer;

    if (r->err_status) {
        /* nginx's own error page: $status says what the client got */
        r->err_status = answer;
    }
    r->headers_out.status_line.len = 0;

    /*
     * The status alone, with the module's headers only: the application's
     * body, Retry-After, Set-Cookie or Location do not go to Intercom.
     */

    ngx_http_intercom_webhook_clear_headers(r);

    r->headers_out.content_length_n = 0;
    r->header_only = 1;

    if (iwcf->unavailable
        && iwcf->retry_after >= 0
        && ngx_http_intercom_webhook_retry_after(r, iwcf->retry_after)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    return ngx_http_next_header_filter(r);
}


/*
 * Every header of the response goes: those of the list, and what the
 * header filter would write from the fields that point into it.  The
 * Server and Date lines are the header filter's own, as on any answer.
 */

static void
ngx_http_intercom_webhook_clear_headers(ngx_http_request_t *r)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    part = &r->headers_out.headers.part;
    h = part->elts;

    for (i = 0; /* void */ ; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;

            if (part->nelts == 0) {
                i = (ngx_uint_t) -1;
                continue;
            }
        }

        h[i].hash = 0;
    }

    r->headers_out.server = NULL;
    r->headers_out.date = NULL;
    r->headers_out.content_length = NULL;
    r->headers_out.content_encoding = NULL;
    r->headers_out.location = NULL;
    r->headers_out.refresh = NULL;
    r->headers_out.last_modified = NULL;
    r->headers_out.content_range = NULL;
    r->headers_out.accept_ranges = NULL;
    r->headers_out.www_authenticate = NULL;
    r->headers_out.expires = NULL;
    r->headers_out.etag = NULL;

#if (nginx_version >= 1023000)
    r->headers_out.cache_control = NULL;
    r->headers_out.link = NULL;
#else
    r->headers_out.cache_control.nelts = 0;
    r->headers_out.link.nelts = 0;
#endif

    r->headers_out.content_type.len = 0;
    r->headers_out.content_type_len = 0;
    r->headers_out.content_type_lowcase = NULL;
    r->headers_out.charset.len = 0;
    r->headers_out.content_length_n = -1;
    r->headers_out.last_modified_time = -1;
}


/* Retry-After, in seconds */

ngx_int_t
ngx_http_intercom_webhook_retry_after(ngx_http_request_t *r, time_t seconds)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->value.data = ngx_pnalloc(r->pool, NGX_TIME_T_LEN);
    if (h->value.data == NULL) {
        h->hash = 0;
        return NGX_ERROR;
    }

    h->hash = 1;
#if (nginx_version >= 1023000)
    h->next = NULL;
#endif
    ngx_str_set(&h->key, "Retry-After");
    h->value.len = ngx_sprintf(h->value.data, "%T", seconds) - h->value.data;

    return NGX_OK;
}


ngx_int_t
ngx_http_intercom_webhook_filter_init(ngx_conf_t *cf)
{
    ngx_http_next_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_intercom_webhook_header_filter;

    return NGX_OK;
}
