
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_intercom_webhook_module.h"


/* bytes of a temporary file read at once */
#define NGX_HTTP_INTERCOM_WEBHOOK_READ_SIZE      16384

/* seconds between two realip hints of a location, per worker */
#define NGX_HTTP_INTERCOM_WEBHOOK_HINT_INTERVAL  60

/* ' (16 secrets tried: "id", "id", ...)' */
#define NGX_HTTP_INTERCOM_WEBHOOK_TRIED_LEN                                   \
    (sizeof(" (NN secrets tried: )")                                          \
     + NGX_HTTP_INTERCOM_WEBHOOK_MAX_SECRETS                                  \
       * (NGX_HTTP_INTERCOM_WEBHOOK_MAX_ID + sizeof("\"\", ")))


/*
 * One pass over the body: the HMAC of every byte, and the streaming
 * parser, or none for a body in memory, parsed whole afterwards (from
 * its copy in one piece when it is in several buffers)
 */

typedef struct {
    ngx_http_intercom_webhook_hmac_t     hmac;
    /* NGX_AGAIN while fed, NGX_DONE for a body in memory */
    ngx_int_t                            parsed;
    u_char                              *start;
    u_char                              *last;
    unsigned                             copy:1;
    off_t                                bytes;
    ngx_http_intercom_webhook_parser_t   parser;
} ngx_http_intercom_webhook_body_t;


/*
 * The copy of a body in two buffers for the parser's index, the worker's:
 * kept from request to request and grown as needed, as a fresh one for
 * each request cost more than the index saves at 64 KB (bench/run: its
 * page faults); it is free again once parse_whole returned, which keeps
 * copies of the values.
 */

static u_char  *ngx_http_intercom_webhook_copy;
static size_t   ngx_http_intercom_webhook_copy_size;


static ngx_int_t ngx_http_intercom_webhook_begin(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx);
static void ngx_http_intercom_webhook_log_forbidden(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf);
static ngx_uint_t ngx_http_intercom_webhook_realip_changed(
    ngx_http_request_t *r);
static void ngx_http_intercom_webhook_log_mismatch(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf);
static void ngx_http_intercom_webhook_body_handler(ngx_http_request_t *r);
static void ngx_http_intercom_webhook_go_on(ngx_http_request_t *r,
    ngx_int_t rc);
static ngx_int_t ngx_http_intercom_webhook_process(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx);
static ngx_int_t ngx_http_intercom_webhook_body_chunk(void *data,
    u_char *pos, u_char *last);
static ngx_int_t ngx_http_intercom_webhook_notification(
    ngx_http_request_t *r, ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx,
    ngx_http_intercom_webhook_value_t *values);
static ngx_int_t ngx_http_intercom_webhook_deliver(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx,
    ngx_http_intercom_webhook_value_t *values);
static ngx_int_t ngx_http_intercom_webhook_dedup_verdict(
    ngx_http_request_t *r, ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx, ngx_int_t rc);
static ngx_int_t ngx_http_intercom_webhook_hand_over(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx);
static ngx_int_t ngx_http_intercom_webhook_respond(ngx_http_request_t *r);
static ngx_int_t ngx_http_intercom_webhook_reject(ngx_http_request_t *r,
    ngx_http_intercom_webhook_ctx_t *ctx, ngx_uint_t result,
    ngx_int_t status);
static ngx_int_t ngx_http_intercom_webhook_final(ngx_http_request_t *r,
    ngx_int_t rc);
static ngx_int_t ngx_http_intercom_webhook_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);


static ngx_http_request_body_filter_pt  ngx_http_next_request_body_filter;


static ngx_str_t  ngx_http_intercom_webhook_allow_methods =
    ngx_string("POST, HEAD");


/* the headers of a proxy in front of nginx */

static ngx_str_t  ngx_http_intercom_webhook_proxy_headers[] = {
    ngx_string("X-Forwarded-For"),
    ngx_string("X-Real-IP"),
    ngx_string("Forwarded"),
    ngx_null_string
};


/*
 * The gate, in the precontent phase: NGX_DECLINED lets a request go on
 * through the phases, to whatever the location does; anything else is
 * the gate's own answer, and final.  A request that was verified keeps
 * its verdict through internal redirects, and is not verified again.
 */

ngx_int_t
ngx_http_intercom_webhook_gate(ngx_http_request_t *r)
{
    ngx_int_t                              rc;
    ngx_http_intercom_webhook_ctx_t       *ctx;
    ngx_http_intercom_webhook_loc_conf_t  *iwcf;

    iwcf = ngx_http_get_module_loc_conf(r, ngx_http_intercom_webhook_module);

    if (!iwcf->enable) {
        return NGX_DECLINED;
    }

    if (r != r->main) {

        /*
         * a subrequest shares the headers of its parent and has a body
         * only if the parent read it: it is let through only if the
         * parent was passed on by a gate (a mirror of a notification)
         */

        ctx = ngx_http_intercom_webhook_get_ctx(r->main);

        if (ctx && ctx->handed) {
            return NGX_DECLINED;
        }

        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "intercom webhook: refused in a subrequest");

        return NGX_HTTP_FORBIDDEN;
    }

    ctx = ngx_http_intercom_webhook_get_ctx(r);

    if (ctx) {

        if (ctx->handed) {
            ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                           "intercom webhook: verified already");
            return NGX_DECLINED;
        }

        /* the gate's own answer is on its way: nothing goes past it */

        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "intercom webhook: gate entered again by a request "
                      "it did not pass on");

        return ngx_http_intercom_webhook_final(r,
                                           NGX_HTTP_INTERNAL_SERVER_ERROR);
    }

    ctx = ngx_http_intercom_webhook_create_ctx(r);
    if (ctx == NULL) {
        return ngx_http_intercom_webhook_final(r,
                                           NGX_HTTP_INTERNAL_SERVER_ERROR);
    }

    ctx->conf = iwcf;
    ctx->secret = -1;

    /*
     * whatever fails while the gate decides, the body's read too, is the
     * gate's answer: error_page is restored only for a request passed on
     */

    ctx->error_page = r->error_page;
    r->error_page = 1;

    rc = ngx_http_intercom_webhook_begin(r, iwcf, ctx);

    if (rc != NGX_DECLINED) {
        return ngx_http_intercom_webhook_final(r, rc);
    }

    /* the outcome while the body is read: it stays if the read fails */

    ctx->result = NGX_HTTP_INTERCOM_WEBHOOK_BODY_ERROR;

    if (iwcf->max_body && r->headers_in.content_length_n > iwcf->max_body) {

        /* logged with the size by the log handler; no "100 Continue" */

        r->expect_tested = 1;

        return ngx_http_intercom_webhook_final(r,
                                         NGX_HTTP_REQUEST_ENTITY_TOO_LARGE);
    }

    rc = ngx_http_read_client_request_body(r,
                                        ngx_http_intercom_webhook_body_handler);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return ngx_http_intercom_webhook_final(r, rc);
    }

    ngx_http_finalize_request(r, NGX_DONE);

    return NGX_DONE;
}


/*
 * The checks that need no body: the address, the method, the signature
 * header.  NGX_DECLINED: the body is to be read; anything else is the
 * answer.
 */

static ngx_int_t
ngx_http_intercom_webhook_begin(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx)
{
    ngx_int_t         rc;
    ngx_uint_t        n;
    ngx_table_elt_t  *h;

    /* the address first: a client from elsewhere learns nothing more */

    if (ngx_http_intercom_webhook_allow_match(iwcf->allow,
                                              r->connection->sockaddr)
        != NGX_OK)
    {
        ngx_http_intercom_webhook_log_forbidden(r, iwcf);

        rc = ngx_http_intercom_webhook_reject(r, ctx,
                                            NGX_HTTP_INTERCOM_WEBHOOK_FORBIDDEN,
                                            NGX_HTTP_FORBIDDEN);
        if (rc != NGX_DECLINED) {
            return rc;
        }
    }

    if (!(r->method & (NGX_HTTP_POST|NGX_HTTP_HEAD))) {

        ngx_log_error(iwcf->log_level, r->connection->log, 0,
                      "intercom webhook: method \"%V\" not allowed",
                      &r->method_name);

        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        h->hash = 1;
#if (nginx_version >= 1023000)
        h->next = NULL;
#endif
        ngx_str_set(&h->key, "Allow");
        h->value = ngx_http_intercom_webhook_allow_methods;

        return ngx_http_intercom_webhook_reject(r, ctx,
                                  NGX_HTTP_INTERCOM_WEBHOOK_METHOD_NOT_ALLOWED,
                                  NGX_HTTP_NOT_ALLOWED);
    }

    if (r->method == NGX_HTTP_HEAD) {

        /* Intercom checks the URL with a HEAD request when it is saved */

        ctx->result = NGX_HTTP_INTERCOM_WEBHOOK_VALIDATION;

        rc = ngx_http_discard_request_body(r);
        if (rc != NGX_OK) {
            return rc;
        }

        return ngx_http_intercom_webhook_respond(r);
    }

    h = ngx_http_intercom_webhook_signature_header(r, &n);

    if (n == 0) {
        ngx_log_error(iwcf->log_level, r->connection->log, 0,
                      "intercom webhook: no \"X-Hub-Signature\" header");

        rc = ngx_http_intercom_webhook_reject(r, ctx,
                                            NGX_HTTP_INTERCOM_WEBHOOK_UNSIGNED,
                                            NGX_HTTP_UNAUTHORIZED);
        if (rc != NGX_DECLINED) {
            return rc;
        }

    } else if (n > 1) {
        ngx_log_error(iwcf->log_level, r->connection->log, 0,
                      "intercom webhook: several \"X-Hub-Signature\" headers");

        rc = ngx_http_intercom_webhook_reject(r, ctx,
                                       NGX_HTTP_INTERCOM_WEBHOOK_BAD_SIGNATURE,
                                       NGX_HTTP_UNAUTHORIZED);
        if (rc != NGX_DECLINED) {
            return rc;
        }

    } else if (ngx_http_intercom_webhook_parse_signature(&h->value,
                                                         ctx->digest)
               != NGX_OK)
    {
        ngx_log_error(iwcf->log_level, r->connection->log, 0,
                      "intercom webhook: invalid \"X-Hub-Signature\" header, "
                      "not \"sha1=\" and 40 hex digits");

        rc = ngx_http_intercom_webhook_reject(r, ctx,
                                       NGX_HTTP_INTERCOM_WEBHOOK_BAD_SIGNATURE,
                                       NGX_HTTP_UNAUTHORIZED);
        if (rc != NGX_DECLINED) {
            return rc;
        }
    }

    return NGX_DECLINED;
}


static void
ngx_http_intercom_webhook_body_handler(ngx_http_request_t *r)
{
    ngx_int_t                         rc;
    ngx_http_intercom_webhook_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_intercom_webhook_module);

    if (ctx == NULL) {
        (void) ngx_http_intercom_webhook_final(r,
                                           NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    rc = ngx_http_intercom_webhook_process(r, ctx->conf, ctx);

    ngx_http_intercom_webhook_go_on(r, rc);
}


/*
 * The gate's verdict after the body, or after Redis: NGX_DECLINED passes
 * the request on, NGX_DONE waits for Redis, anything else is the answer.
 */

static void
ngx_http_intercom_webhook_go_on(ngx_http_request_t *r, ngx_int_t rc)
{
    if (rc != NGX_DECLINED) {
        (void) ngx_http_intercom_webhook_final(r, rc);
        return;
    }

    /* passed on: the phases go on from the gate, as after mirror's read */

    r->preserve_body = 1;

    r->write_event_handler = ngx_http_core_run_phases;
    ngx_http_core_run_phases(r);
}


/*
 * Redis answered the claim of the request's notification (_zone.c): rc as
 * ngx_http_intercom_webhook_dedup_begin()'s.  The caller runs the posted
 * requests.
 */

void
ngx_http_intercom_webhook_dedup_resume(ngx_http_request_t *r, ngx_int_t rc)
{
    ngx_http_intercom_webhook_ctx_t  *ctx;

    ctx = ngx_http_intercom_webhook_get_ctx(r);

    if (ctx == NULL) {
        (void) ngx_http_intercom_webhook_final(r,
                                           NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    rc = ngx_http_intercom_webhook_dedup_verdict(r, ctx->conf, ctx, rc);

    ngx_http_intercom_webhook_go_on(r, rc);
}


/*
 * A client not allowed.  Behind a load balancer whose address realip was
 * not told to trust (set_real_ip_from), every genuine delivery comes from
 * the balancer: when the request carries a proxy's header and realip did
 * not change the address, the line says so, at most once a minute per
 * location (per worker: the time is the location's, written unlocked).
 */

static void
ngx_http_intercom_webhook_log_forbidden(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf)
{
    time_t            now;
    ngx_table_elt_t  *h;

    now = ngx_time();

    if (now - iwcf->realip_hint >= NGX_HTTP_INTERCOM_WEBHOOK_HINT_INTERVAL) {

        h = ngx_http_intercom_webhook_find_header(r,
                                      ngx_http_intercom_webhook_proxy_headers);

        if (h && !ngx_http_intercom_webhook_realip_changed(r)) {
            iwcf->realip_hint = now;

            ngx_log_error(iwcf->log_level, r->connection->log, 0,
                          "intercom webhook: client %V is not in the "
                          "allowlist; the request has a \"%V\" header but "
                          "the realip module did not change the client "
                          "address: behind a load balancer or a proxy, "
                          "trust its address with \"set_real_ip_from\" "
                          "and \"real_ip_header\" (at most one such line "
                          "a minute)",
                          &r->connection->addr_text, &h->key);
            return;
        }
    }

    ngx_log_error(iwcf->log_level, r->connection->log, 0,
                  "intercom webhook: client %V is not in the allowlist",
                  &r->connection->addr_text);
}


/*
 * Whether the realip module changed the client address of the request:
 * it keeps the original in its context, set only then.  The module is
 * found by its name, as nginx may be built without it (then: 0).
 */

static ngx_uint_t
ngx_http_intercom_webhook_realip_changed(ngx_http_request_t *r)
{
    ngx_uint_t      i;
    ngx_module_t  **modules;

    modules = ngx_cycle->modules;

    for (i = 0; modules[i]; i++) {
        if (modules[i]->type == NGX_HTTP_MODULE
            && ngx_strcmp(modules[i]->name, "ngx_http_realip_module") == 0)
        {
            return r->ctx[modules[i]->ctx_index] != NULL;
        }
    }

    return 0;
}


/* a signature mismatch names the secrets tried, by id, never by value */

static void
ngx_http_intercom_webhook_log_mismatch(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf)
{
    u_char                              *p, *last;
    ngx_uint_t                           i, n;
    ngx_http_intercom_webhook_secret_t  *secrets;
    u_char                               tried[
                                       NGX_HTTP_INTERCOM_WEBHOOK_TRIED_LEN];

    secrets = iwcf->secrets->elts;
    n = iwcf->secrets->nelts;

    p = tried;
    last = tried + sizeof(tried);

    p = ngx_slprintf(p, last, " (%ui secret%s tried: ", n,
                     n == 1 ? "" : "s");

    for (i = 0; i < n; i++) {
        p = ngx_slprintf(p, last, "%s\"%V\"", i ? ", " : "",
                         &secrets[i].id);
    }

    p = ngx_slprintf(p, last, ")");

    ngx_log_error(iwcf->log_level, r->connection->log, 0,
                  "intercom webhook: signature mismatch%*s",
                  (size_t) (p - tried), tried);
}


static ngx_int_t
ngx_http_intercom_webhook_process(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx)
{
    off_t                                size;
    u_char                              *copy;
    ngx_int_t                            rc;
    ngx_uint_t                           n;
    const char                          *code, *error;
    ngx_chain_t                         *cl;
    ngx_http_intercom_webhook_body_t     body;
    ngx_http_intercom_webhook_value_t   *values;
    ngx_http_intercom_webhook_secret_t  *secrets;

    ctx->result = NGX_HTTP_INTERCOM_WEBHOOK_ERROR;

    values = ngx_palloc(r->pool, iwcf->fields->nslots
                                 * sizeof(ngx_http_intercom_webhook_value_t));
    if (values == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    secrets = iwcf->secrets->elts;

    if (ngx_http_intercom_webhook_parser_init(&body.parser, iwcf->fields,
                                              values, r->pool)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_intercom_webhook_hmac_init(&body.hmac, secrets,
                                            iwcf->secrets->nelts)
        != NGX_OK)
    {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "intercom webhook: HMAC context copy failed");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /*
     * The signature and the parser are fed in the same pass, the parser
     * until it has a verdict; the parser's verdict counts only for a body
     * whose signature matched.  Where the CPU has the vectors for the
     * parser's index, a body in one buffer in memory is parsed whole once
     * its signature matched, from the index of its tokens.  A body in
     * memory is in two buffers as often as in one (the part read with the
     * headers, and the rest): with AVX-512 the pass copies it into one
     * then, which costs less than the index saves; with AVX2 the index
     * saves too little for a copy (bench/micro: as much time as the
     * streaming parser at 4 KB, 8 % less at 64 KB).
     */

    code = ngx_http_intercom_webhook_index_code();

    size = 0;
    n = 0;

    for (cl = (r->request_body && code) ? r->request_body->bufs : NULL;
         cl;
         cl = cl->next)
    {
        /* the empty buffer that ends the chain, as a rule */

        if (ngx_buf_size(cl->buf) == 0) {
            continue;
        }

        if (!ngx_buf_in_memory(cl->buf)) {
            n = 0;
            break;
        }

        if (n++ == 0) {
            body.start = cl->buf->pos;
            body.last = cl->buf->last;
        }

        size += ngx_buf_size(cl->buf);
    }

    if (n > 1 && !ngx_http_intercom_webhook_index_copy_pays()) {
        n = 0;
    }

    body.parsed = n ? NGX_DONE : NGX_AGAIN;
    body.copy = (n > 1);

    if (body.copy) {

        if ((size_t) size > ngx_http_intercom_webhook_copy_size) {
            copy = ngx_alloc((size_t) size, r->connection->log);
            if (copy == NULL) {
                ngx_http_intercom_webhook_hmac_abort(&body.hmac);
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            if (ngx_http_intercom_webhook_copy) {
                ngx_free(ngx_http_intercom_webhook_copy);
            }

            ngx_http_intercom_webhook_copy = copy;
            ngx_http_intercom_webhook_copy_size = (size_t) size;
        }

        body.start = ngx_http_intercom_webhook_copy;
        body.last = body.start;
    }

    body.bytes = 0;

    rc = ngx_http_intercom_webhook_read_body(r,
                                        ngx_http_intercom_webhook_body_chunk,
                                        &body);
    if (rc != NGX_OK) {
        ngx_http_intercom_webhook_hmac_abort(&body.hmac);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_intercom_webhook_hmac_final(&body.hmac, ctx->digest);

    if (rc == NGX_ERROR) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "intercom webhook: HMAC computation failed");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ctx->would == NGX_HTTP_INTERCOM_WEBHOOK_UNSIGNED
        || ctx->would == NGX_HTTP_INTERCOM_WEBHOOK_BAD_SIGNATURE)
    {
        /* report: no signature to check */
        return ngx_http_intercom_webhook_hand_over(r, iwcf, ctx);
    }

    if (rc == NGX_DECLINED) {
        ngx_http_intercom_webhook_log_mismatch(r, iwcf);

        rc = ngx_http_intercom_webhook_reject(r, ctx,
                                       NGX_HTTP_INTERCOM_WEBHOOK_BAD_SIGNATURE,
                                       NGX_HTTP_UNAUTHORIZED);
        if (rc != NGX_DECLINED) {
            return rc;
        }

        return ngx_http_intercom_webhook_hand_over(r, iwcf, ctx);
    }

    ctx->secret = rc;
    ctx->secret_id = secrets[rc].id;
    ctx->bytes = body.bytes;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "intercom webhook: signature verified, secret \"%V\"",
                   &ctx->secret_id);

    rc = body.parsed;

    if (rc == NGX_DONE) {
        rc = ngx_http_intercom_webhook_parse_whole(&body.parser, body.start,
                                                   body.last);

        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "intercom webhook: body parsed whole%s, %s",
                       body.copy ? " from a copy" : "",
                       body.parser.indexed ? "from its index"
                                           : "by the streaming parser");

    } else if (rc == NGX_AGAIN) {
        rc = ngx_http_intercom_webhook_parse_done(&body.parser);
    }

    if (rc != NGX_OK) {
        if (body.parser.code == NGX_HTTP_INTERCOM_WEBHOOK_PARSE_NO_MEMORY) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        error = body.parser.error ? body.parser.error : "invalid JSON";

        ngx_log_error(iwcf->log_level, r->connection->log, 0,
                      "intercom webhook: invalid payload: %s at offset %O",
                      error, body.parser.offset);

        rc = ngx_http_intercom_webhook_reject(r, ctx,
                                         NGX_HTTP_INTERCOM_WEBHOOK_BAD_PAYLOAD,
                                         NGX_HTTP_BAD_REQUEST);
        if (rc != NGX_DECLINED) {
            return rc;
        }

        return ngx_http_intercom_webhook_hand_over(r, iwcf, ctx);
    }

    return ngx_http_intercom_webhook_notification(r, iwcf, ctx, values);
}


/*
 * The body's buffers where they are, in memory or in a temporary file,
 * given to the handler in order; it returns NGX_OK to go on.  The queue
 * reads the verified body with it too.
 */

ngx_int_t
ngx_http_intercom_webhook_read_body(ngx_http_request_t *r,
    ngx_http_intercom_webhook_chunk_pt handler, void *data)
{
    off_t         offset;
    size_t        size;
    u_char       *buf;
    ssize_t       n;
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    buf = NULL;

    for (cl = r->request_body ? r->request_body->bufs : NULL;
         cl;
         cl = cl->next)
    {
        b = cl->buf;

        if (ngx_buf_in_memory(b)) {
            rc = handler(data, b->pos, b->last);
            if (rc != NGX_OK) {
                return rc;
            }

            continue;
        }

        if (!b->in_file) {
            continue;
        }

        if (buf == NULL) {
            buf = ngx_palloc(r->pool, NGX_HTTP_INTERCOM_WEBHOOK_READ_SIZE);
            if (buf == NULL) {
                return NGX_ERROR;
            }
        }

        for (offset = b->file_pos; offset < b->file_last; offset += n) {

            size = (size_t) ngx_min(b->file_last - offset,
                                    NGX_HTTP_INTERCOM_WEBHOOK_READ_SIZE);

            n = ngx_read_file(b->file, buf, size, offset);

            if (n == NGX_ERROR) {
                return NGX_ERROR;
            }

            if ((size_t) n != size) {
                ngx_log_error(NGX_LOG_CRIT, r->connection->log, 0,
                              ngx_read_file_n " read only %z of %uz "
                              "from \"%V\"", n, size, &b->file->name);
                return NGX_ERROR;
            }

            rc = handler(data, buf, buf + n);
            if (rc != NGX_OK) {
                return rc;
            }
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_intercom_webhook_body_chunk(void *data, u_char *pos, u_char *last)
{
    ngx_http_intercom_webhook_body_t  *body = data;

    if (ngx_http_intercom_webhook_hmac_update(&body->hmac, pos, last - pos)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    body->bytes += last - pos;

    if (body->copy) {
        body->last = ngx_cpymem(body->last, pos, last - pos);
    }

    if (body->parsed == NGX_AGAIN) {
        body->parsed = ngx_http_intercom_webhook_parse(&body->parser, pos,
                                                       last);
    }

    return NGX_OK;
}


/* a verified, well-formed body: the notification's fields, its verdict */

static ngx_int_t
ngx_http_intercom_webhook_notification(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx,
    ngx_http_intercom_webhook_value_t *values)
{
    ngx_int_t                           rc;
    ngx_str_t                          *texts, *topic;
    ngx_uint_t                          i;
    const char                         *error;
    ngx_http_intercom_webhook_value_t  *value;

    texts = ngx_pcalloc(r->pool, iwcf->fields->nslots * sizeof(ngx_str_t));
    if (texts == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the texts of the fields, for the variables and the headers */

    for (i = 0; i < iwcf->fields->nslots; i++) {
        value = &values[i];

        if (value->type == NGX_HTTP_INTERCOM_WEBHOOK_MISSING
            || value->type == NGX_HTTP_INTERCOM_WEBHOOK_NULL)
        {
            continue;
        }

        rc = ngx_http_intercom_webhook_value_text(value, &texts[i], r->pool);

        if (rc == NGX_ERROR) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (rc == NGX_DECLINED) {
            ngx_str_null(&texts[i]);
        }
    }

    topic = &texts[NGX_HTTP_INTERCOM_WEBHOOK_TOPIC];

    if (ngx_http_intercom_webhook_notification_check(
                                      &values[NGX_HTTP_INTERCOM_WEBHOOK_TYPE],
                                      &texts[NGX_HTTP_INTERCOM_WEBHOOK_TYPE],
                                      &values[NGX_HTTP_INTERCOM_WEBHOOK_TOPIC],
                                      topic, &error)
        == NGX_OK)
    {
        error = NULL;
    }

    /* verified: the fields are the notification's, but an invalid topic */

    ctx->texts = texts;

    if (error) {
        ngx_str_null(topic);

        ngx_log_error(iwcf->log_level, r->connection->log, 0,
                      "intercom webhook: invalid payload: %s", error);

        rc = ngx_http_intercom_webhook_reject(r, ctx,
                                         NGX_HTTP_INTERCOM_WEBHOOK_BAD_PAYLOAD,
                                         NGX_HTTP_BAD_REQUEST);
        if (rc != NGX_DECLINED) {
            return rc;
        }

        return ngx_http_intercom_webhook_hand_over(r, iwcf, ctx);
    }

    if (topic->len == 4 && ngx_strncmp(topic->data, "ping", 4) == 0) {

        if (iwcf->ping == NGX_HTTP_INTERCOM_WEBHOOK_PING_RESPOND) {
            ctx->result = NGX_HTTP_INTERCOM_WEBHOOK_PING;

            ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                           "intercom webhook: ping answered");

            return ngx_http_intercom_webhook_respond(r);
        }

        return ngx_http_intercom_webhook_deliver(r, iwcf, ctx, values);
    }

    if (iwcf->topics
        && ngx_http_intercom_webhook_topic_match(iwcf->topics, topic)
           != NGX_OK)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "intercom webhook: topic \"%V\" ignored", topic);

        if (iwcf->mode == NGX_HTTP_INTERCOM_WEBHOOK_MODE_REPORT) {
            ctx->would = NGX_HTTP_INTERCOM_WEBHOOK_IGNORED;
            return ngx_http_intercom_webhook_hand_over(r, iwcf, ctx);
        }

        ctx->result = NGX_HTTP_INTERCOM_WEBHOOK_IGNORED;

        return ngx_http_intercom_webhook_respond(r);
    }

    return ngx_http_intercom_webhook_deliver(r, iwcf, ctx, values);
}


/*
 * A verified, wanted notification: not if it is older than max_age, nor
 * if it was delivered already; then handed over.
 */

static ngx_int_t
ngx_http_intercom_webhook_deliver(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx,
    ngx_http_intercom_webhook_value_t *values)
{
    time_t      created, age;
    ngx_int_t   rc;
    ngx_str_t  *text, *topic;

    text = &ctx->texts[NGX_HTTP_INTERCOM_WEBHOOK_CREATED_AT];

    /* an integer of Unix seconds; anything else, a string too, is not */

    if (iwcf->max_age
        && values[NGX_HTTP_INTERCOM_WEBHOOK_CREATED_AT].type
           == NGX_HTTP_INTERCOM_WEBHOOK_NUMBER
        && text->data)
    {
        created = ngx_atotm(text->data, text->len);
        age = ngx_time() - created;

        if (created != NGX_ERROR && age > iwcf->max_age) {

            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "intercom webhook: notification \"%V\" created "
                          "%T s ago is stale%s",
                          &ctx->texts[NGX_HTTP_INTERCOM_WEBHOOK_ID], age,
                          iwcf->mode == NGX_HTTP_INTERCOM_WEBHOOK_MODE_REPORT
                          ? "" : ", not passed on");

            if (iwcf->mode == NGX_HTTP_INTERCOM_WEBHOOK_MODE_REPORT) {

                /* report mode passes everything on, marked */

                if (ctx->would == NGX_HTTP_INTERCOM_WEBHOOK_NONE) {
                    ctx->would = NGX_HTTP_INTERCOM_WEBHOOK_STALE;
                }

                return ngx_http_intercom_webhook_hand_over(r, iwcf, ctx);
            }

            ctx->result = NGX_HTTP_INTERCOM_WEBHOOK_STALE;

            return ngx_http_intercom_webhook_respond(r);
        }
    }

    topic = &ctx->texts[NGX_HTTP_INTERCOM_WEBHOOK_TOPIC];

    if (ctx->would != NGX_HTTP_INTERCOM_WEBHOOK_NONE
        || (topic->len == 4 && ngx_strncmp(topic->data, "ping", 4) == 0))
    {
        /* report mode, or ping: never de-duplicated */
        return ngx_http_intercom_webhook_hand_over(r, iwcf, ctx);
    }

    if (iwcf->dedup_redis) {

        /* the claim is Redis's answer, later: the request waits for it */

        rc = ngx_http_intercom_webhook_dedup_redis(r, iwcf, ctx, values);

        if (rc == NGX_ERROR) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (rc == NGX_AGAIN) {

            /*
             * nothing runs the phases while the claim is asked: a body
             * read at once left them as the write event handler, and a
             * write event on a connection kept alive would enter the
             * gate again
             */

            r->write_event_handler = ngx_http_request_empty_handler;

            r->main->count++;
            return NGX_DONE;
        }

        return ngx_http_intercom_webhook_hand_over(r, iwcf, ctx);
    }

    if (iwcf->dedup) {
        rc = ngx_http_intercom_webhook_dedup_begin(r, iwcf, ctx);
        return ngx_http_intercom_webhook_dedup_verdict(r, iwcf, ctx, rc);
    }

    return ngx_http_intercom_webhook_hand_over(r, iwcf, ctx);
}


/*
 * De-duplication's answer: NGX_OK passes the notification on, NGX_DECLINED
 * says it was delivered already, NGX_BUSY that another copy is being
 * delivered.
 */

static ngx_int_t
ngx_http_intercom_webhook_dedup_verdict(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx, ngx_int_t rc)
{
    if (rc == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc == NGX_DECLINED) {
        ctx->result = NGX_HTTP_INTERCOM_WEBHOOK_DELIVERED_ALREADY;

        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "intercom webhook: notification \"%V\" of app "
                      "\"%V\" was delivered already, not passed on",
                      &ctx->texts[NGX_HTTP_INTERCOM_WEBHOOK_ID],
                      &ctx->texts[NGX_HTTP_INTERCOM_WEBHOOK_APP_ID]);

        return ngx_http_intercom_webhook_respond(r);
    }

    if (rc == NGX_BUSY) {

        /* another copy is being delivered: Intercom tries again */

        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "intercom webhook: notification \"%V\" of app "
                      "\"%V\" is being delivered by another request",
                      &ctx->texts[NGX_HTTP_INTERCOM_WEBHOOK_ID],
                      &ctx->texts[NGX_HTTP_INTERCOM_WEBHOOK_APP_ID]);

        ctx->result = NGX_HTTP_INTERCOM_WEBHOOK_IN_FLIGHT;

        return ngx_http_intercom_webhook_retry_later(r, iwcf);
    }

    return ngx_http_intercom_webhook_hand_over(r, iwcf, ctx);
}


/*
 * 429 (or the unavailable status) with Retry-After, and no body: also the
 * queue's answer when Redis did not keep a notification
 */

ngx_int_t
ngx_http_intercom_webhook_retry_later(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf)
{
    ngx_int_t  rc;

    if (ngx_http_intercom_webhook_retry_after(r, iwcf->retry_after > 0
                                                 ? iwcf->retry_after : 60)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.status = iwcf->unavailable ? iwcf->unavailable
                                              : NGX_HTTP_TOO_MANY_REQUESTS;
    r->headers_out.content_length_n = 0;
    r->header_only = 1;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    return ngx_http_send_special(r, NGX_HTTP_LAST);
}


/*
 * An accepted notification gets its headers and goes on through the
 * phases, to whatever the location does: NGX_DECLINED.
 */

static ngx_int_t
ngx_http_intercom_webhook_hand_over(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx)
{
    if (ngx_http_intercom_webhook_set_headers(r, iwcf, ctx) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->handed = 1;

    /* what the location does next may use error_page as usual */

    r->error_page = ctx->error_page;

    if (ctx->would != NGX_HTTP_INTERCOM_WEBHOOK_NONE) {

        /* report: what enforce would have said, and passed on */

        ctx->result = ctx->would;

        ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                      "intercom webhook: report mode: passed on what would "
                      "have been \"%V\"",
                      &ngx_http_intercom_webhook_results[ctx->would]);

        return NGX_DECLINED;
    }

    ctx->result = NGX_HTTP_INTERCOM_WEBHOOK_ACCEPTED;

    ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "intercom webhook: passed on");

    return NGX_DECLINED;
}


/*
 * client_max_body_size of a webhook location, which the gate took over at
 * configuration, for whoever reads the body before the request is passed
 * on: the gate, or another module before it.  It counts what nginx's own
 * check counts: the length given, a chunked body's length decoded so far
 * (HTTP/1.1), the bytes received (HTTP/2).  Its 413 is final.
 */

static ngx_int_t
ngx_http_intercom_webhook_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    off_t                                  received;
    ngx_http_intercom_webhook_ctx_t       *ctx;
    ngx_http_intercom_webhook_loc_conf_t  *iwcf;

    iwcf = ngx_http_get_module_loc_conf(r, ngx_http_intercom_webhook_module);

    if (!iwcf->enable || iwcf->max_body == 0 || r->request_body == NULL) {
        return ngx_http_next_request_body_filter(r, in);
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_intercom_webhook_module);

    if (ctx && ctx->handed) {
        return ngx_http_next_request_body_filter(r, in);
    }

    received = ngx_max(r->headers_in.content_length_n,
                       r->request_body->received);

    if (received > iwcf->max_body) {
        r->error_page = 1;
        r->lingering_close = 1;

        return NGX_HTTP_REQUEST_ENTITY_TOO_LARGE;
    }

    return ngx_http_next_request_body_filter(r, in);
}


ngx_int_t
ngx_http_intercom_webhook_gate_init(ngx_conf_t *cf)
{
    ngx_http_next_request_body_filter = ngx_http_top_request_body_filter;
    ngx_http_top_request_body_filter = ngx_http_intercom_webhook_body_filter;

    return NGX_OK;
}


/*
 * A notification over client_max_body_size is lost, as Intercom does not
 * send it again: that deserves a line of its own, with the size.
 */

ngx_int_t
ngx_http_intercom_webhook_log_handler(ngx_http_request_t *r)
{
    off_t                             max;
    ngx_http_intercom_webhook_ctx_t  *ctx;

    if (r != r->main) {
        return NGX_OK;
    }

    ctx = ngx_http_intercom_webhook_get_ctx(r);

    if (ctx == NULL) {
        return NGX_OK;
    }

    /* the counters, with the final outcome, in the verifying location's */

    if (!ctx->counted) {
        ctx->counted = 1;
        ngx_http_intercom_webhook_count(r, ctx->conf, ctx, ctx->result);
    }

    if (r->headers_out.status != NGX_HTTP_REQUEST_ENTITY_TOO_LARGE
        || ctx->result != NGX_HTTP_INTERCOM_WEBHOOK_BODY_ERROR)
    {
        /* the application's own 413, or no notification */
        return NGX_OK;
    }

    max = ctx->conf->max_body;

    /* the header, as content_length_n is reset when the body is discarded */

    if (r->headers_in.content_length) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "intercom webhook: notification of %V bytes refused, "
                      "larger than client_max_body_size %O",
                      &r->headers_in.content_length->value, max);

    } else {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "intercom webhook: chunked notification refused, "
                      "larger than client_max_body_size %O", max);
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_intercom_webhook_respond(ngx_http_request_t *r)
{
    ngx_int_t  rc;

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = 0;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    return ngx_http_send_special(r, NGX_HTTP_LAST);
}


/*
 * The gate's answer, final: error_page does not send a rejection to
 * another location, where it would be taken for a verified request.
 */

static ngx_int_t
ngx_http_intercom_webhook_final(ngx_http_request_t *r, ngx_int_t rc)
{
    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        r->error_page = 1;
    }

    ngx_http_finalize_request(r, rc);

    return NGX_DONE;
}


/*
 * The status of a rejection; in report mode, NGX_DECLINED for one that
 * the request is passed on with all the same (the first verdict counts).
 */

static ngx_int_t
ngx_http_intercom_webhook_reject(ngx_http_request_t *r,
    ngx_http_intercom_webhook_ctx_t *ctx, ngx_uint_t result, ngx_int_t status)
{
    if (ctx->conf->mode == NGX_HTTP_INTERCOM_WEBHOOK_MODE_REPORT
        && status != NGX_HTTP_NOT_ALLOWED)
    {
        if (ctx->would == NGX_HTTP_INTERCOM_WEBHOOK_NONE) {
            ctx->would = result;
        }

        return NGX_DECLINED;
    }

    ctx->result = result;

    return status;
}
