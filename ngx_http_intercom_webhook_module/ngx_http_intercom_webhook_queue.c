
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_intercom_webhook_module.h"


/*
 * intercom_webhook_enqueue: the content handler of a webhook location
 * that keeps a verified notification in a Redis Stream.  The body goes
 * in byte for byte, with the fields the gate read; the answer is 200 only
 * once Redis has the entry (and, with wait=, enough replicas), else the
 * location's unavailable status with Retry-After, and Intercom retries.
 */


/* the fields of an entry, the body last */

enum {
    NGX_HTTP_INTERCOM_WEBHOOK_QUEUE_TOPIC = 0,
    NGX_HTTP_INTERCOM_WEBHOOK_QUEUE_ID,
    NGX_HTTP_INTERCOM_WEBHOOK_QUEUE_APP_ID,
    NGX_HTTP_INTERCOM_WEBHOOK_QUEUE_CREATED_AT,
    NGX_HTTP_INTERCOM_WEBHOOK_QUEUE_SECRET,
    NGX_HTTP_INTERCOM_WEBHOOK_QUEUE_RECEIVED,
    NGX_HTTP_INTERCOM_WEBHOOK_QUEUE_BODY,
    NGX_HTTP_INTERCOM_WEBHOOK_QUEUE_NFIELDS
};


/* XADD key [MAXLEN [~] n] * field value ... */
#define NGX_HTTP_INTERCOM_WEBHOOK_QUEUE_ARGS                                  \
    (6 + 2 * NGX_HTTP_INTERCOM_WEBHOOK_QUEUE_NFIELDS)

/* "1733580000.123" */
#define NGX_HTTP_INTERCOM_WEBHOOK_QUEUE_TIME_LEN  (NGX_TIME_T_LEN + 4)

struct ngx_http_intercom_webhook_queue_s {
    ngx_str_t                           redis_name;
    ngx_http_intercom_webhook_redis_t  *redis;
    ngx_str_t                           stream;
    ngx_str_t                           maxlen;     /* empty: none */
    ngx_uint_t                          approximate; /* "~" */
    ngx_uint_t                          wait;       /* replicas, 0: none */
    ngx_str_t                           wait_argv;
    ngx_str_t                           wait_timeout;
};


/* a request's operation in flight: the data of a pool cleanup */

typedef struct {
    ngx_http_request_t                    *request;
    ngx_http_intercom_webhook_loc_conf_t  *conf;
    ngx_http_intercom_webhook_ctx_t       *ctx;
    ngx_http_intercom_webhook_redis_op_t  *op;
} ngx_http_intercom_webhook_queue_ctx_t;


typedef struct {
    u_char                             *last;
    u_char                             *end;
} ngx_http_intercom_webhook_queue_copy_t;


static ngx_int_t ngx_http_intercom_webhook_queue_handler(
    ngx_http_request_t *r);
static ngx_int_t ngx_http_intercom_webhook_queue_body(ngx_http_request_t *r,
    ngx_str_t *body);
static ngx_int_t ngx_http_intercom_webhook_queue_chunk(void *data,
    u_char *pos, u_char *last);
static void ngx_http_intercom_webhook_queue_done(
    ngx_http_intercom_webhook_redis_op_t *op);
static ngx_uint_t ngx_http_intercom_webhook_queue_check(
    ngx_http_request_t *r, ngx_http_intercom_webhook_queue_t *queue,
    ngx_http_intercom_webhook_redis_op_t *op);
static void ngx_http_intercom_webhook_queue_cleanup(void *data);


static ngx_str_t  ngx_http_intercom_webhook_queue_fields[] = {
    ngx_string("topic"),
    ngx_string("id"),
    ngx_string("app_id"),
    ngx_string("created_at"),
    ngx_string("secret"),
    ngx_string("received"),
    ngx_string("body")
};

ngx_http_intercom_webhook_check(queue_fields,
    ngx_http_intercom_webhook_nelts(ngx_http_intercom_webhook_queue_fields)
    == NGX_HTTP_INTERCOM_WEBHOOK_QUEUE_NFIELDS);


/* the payload's field slot of each entry field, or -1 */

static ngx_int_t  ngx_http_intercom_webhook_queue_slots[] = {
    NGX_HTTP_INTERCOM_WEBHOOK_TOPIC,
    NGX_HTTP_INTERCOM_WEBHOOK_ID,
    NGX_HTTP_INTERCOM_WEBHOOK_APP_ID,
    NGX_HTTP_INTERCOM_WEBHOOK_CREATED_AT,
    -1,
    -1,
    -1
};

ngx_http_intercom_webhook_check(queue_slots,
    ngx_http_intercom_webhook_nelts(ngx_http_intercom_webhook_queue_slots)
    == NGX_HTTP_INTERCOM_WEBHOOK_QUEUE_NFIELDS);


/*
 * intercom_webhook_enqueue redis=name stream=key [maxlen=[~]n] [wait=n]
 *                          [wait_timeout=time];
 */

char *
ngx_http_intercom_webhook_enqueue(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_intercom_webhook_loc_conf_t *iwcf = conf;

    ngx_int_t                           n;
    ngx_str_t                          *value, s;
    ngx_uint_t                          i;
    ngx_msec_t                          ms;
    ngx_http_core_loc_conf_t           *clcf;
    ngx_http_intercom_webhook_queue_t  *queue;

    if (iwcf->queue) {
        return "is duplicate";
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->handler) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "location \"%V\" has a content handler already "
                           "(proxy_pass, ...)", &clcf->name);
        return NGX_CONF_ERROR;
    }

    /* it needs "intercom_webhook on": the merge says so otherwise */

    ngx_http_intercom_webhook_note(cf, cmd, iwcf);

    queue = ngx_pcalloc(cf->pool, sizeof(ngx_http_intercom_webhook_queue_t));
    if (queue == NULL) {
        return NGX_CONF_ERROR;
    }

    /* the WAIT's own timeout, in milliseconds */

    ngx_str_set(&queue->wait_timeout, "200");

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "redis=", 6) == 0) {
            queue->redis_name.data = value[i].data + 6;
            queue->redis_name.len = value[i].len - 6;

            if (queue->redis_name.len == 0) {
                goto invalid;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "stream=", 7) == 0) {
            queue->stream.data = value[i].data + 7;
            queue->stream.len = value[i].len - 7;

            if (queue->stream.len == 0) {
                goto invalid;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "maxlen=", 7) == 0) {
            s.data = value[i].data + 7;
            s.len = value[i].len - 7;

            if (s.len && s.data[0] == '~') {
                queue->approximate = 1;
                s.data++;
                s.len--;
            }

            n = ngx_atoi(s.data, s.len);

            if (n == NGX_ERROR || n == 0) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid \"%V\", \"maxlen=number\" or "
                                   "\"maxlen=~number\" of at least 1 is "
                                   "expected", &value[i]);
                return NGX_CONF_ERROR;
            }

            queue->maxlen = s;

            continue;
        }

        if (ngx_strncmp(value[i].data, "wait=", 5) == 0) {
            n = ngx_atoi(value[i].data + 5, value[i].len - 5);

            if (n == NGX_ERROR || n == 0) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid \"%V\", \"wait=number\" of "
                                   "replicas, at least 1, is expected",
                                   &value[i]);
                return NGX_CONF_ERROR;
            }

            queue->wait = n;
            queue->wait_argv.data = value[i].data + 5;
            queue->wait_argv.len = value[i].len - 5;

            continue;
        }

        if (ngx_strncmp(value[i].data, "wait_timeout=", 13) == 0) {
            s.data = value[i].data + 13;
            s.len = value[i].len - 13;

            ms = ngx_parse_time(&s, 0);

            if (ms == (ngx_msec_t) NGX_ERROR || ms == 0) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid \"%V\", \"wait_timeout=time\" "
                                   "is expected", &value[i]);
                return NGX_CONF_ERROR;
            }

            queue->wait_timeout.data = ngx_pnalloc(cf->pool, NGX_INT_T_LEN);
            if (queue->wait_timeout.data == NULL) {
                return NGX_CONF_ERROR;
            }

            queue->wait_timeout.len = ngx_sprintf(queue->wait_timeout.data,
                                                  "%M", ms)
                                      - queue->wait_timeout.data;

            continue;
        }

        goto invalid;
    }

    if (queue->redis_name.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"redis=name\" of an \"intercom_webhook_redis\" "
                           "is required");
        return NGX_CONF_ERROR;
    }

    if (queue->stream.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"stream=key\" is required");
        return NGX_CONF_ERROR;
    }

    /* an unknown name fails in postconfiguration, with this file:line */

    queue->redis = ngx_http_intercom_webhook_redis_find(cf,
                                                        &queue->redis_name);
    if (queue->redis == NULL) {
        return NGX_CONF_ERROR;
    }

    iwcf->queue = queue;

    clcf->handler = ngx_http_intercom_webhook_queue_handler;

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid parameter \"%V\"", &value[i]);

    return NGX_CONF_ERROR;
}


static ngx_int_t
ngx_http_intercom_webhook_queue_handler(ngx_http_request_t *r)
{
    u_char                                 *p;
    size_t                                  len;
    ngx_str_t                               argv[
                                         NGX_HTTP_INTERCOM_WEBHOOK_QUEUE_ARGS];
    ngx_str_t                               wait[3], body, *text;
    ngx_int_t                               slot;
    ngx_uint_t                              i, n;
    ngx_time_t                             *tp;
    ngx_pool_cleanup_t                     *cln;
    ngx_http_intercom_webhook_ctx_t        *ctx;
    ngx_http_intercom_webhook_queue_t      *queue;
    ngx_http_intercom_webhook_redis_op_t   *op;
    ngx_http_intercom_webhook_loc_conf_t   *iwcf;
    ngx_http_intercom_webhook_queue_ctx_t  *qctx;

    iwcf = ngx_http_get_module_loc_conf(r, ngx_http_intercom_webhook_module);
    queue = iwcf->queue;

    ctx = ngx_http_intercom_webhook_get_ctx(r->main);

    /*
     * Only what a gate verified and passed on: a signature matched, the
     * payload is a notification; in report mode, not what enforce would
     * have refused.  Anything else, whatever led it here, is never queued.
     */

    if (r != r->main
        || ctx == NULL
        || !ctx->handed
        || ctx->secret < 0
        || ctx->texts == NULL
        || (ctx->would != NGX_HTTP_INTERCOM_WEBHOOK_NONE
            && ctx->would != NGX_HTTP_INTERCOM_WEBHOOK_IGNORED
            && ctx->would != NGX_HTTP_INTERCOM_WEBHOOK_STALE)
        || r->request_body == NULL)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "intercom webhook: a request not verified by the gate "
                      "is not queued in location \"%V\"", &iwcf->name);

        return NGX_HTTP_FORBIDDEN;
    }

    if (ngx_http_intercom_webhook_queue_body(r, &body) != NGX_OK) {
        goto failed;
    }

    /* XADD stream [MAXLEN [~] n] * topic ... body */

    n = 0;

    ngx_str_set(&argv[n], "XADD"); n++;
    argv[n++] = queue->stream;

    if (queue->maxlen.len) {
        ngx_str_set(&argv[n], "MAXLEN"); n++;

        if (queue->approximate) {
            ngx_str_set(&argv[n], "~"); n++;
        }

        argv[n++] = queue->maxlen;
    }

    ngx_str_set(&argv[n], "*"); n++;

    for (i = 0; i < NGX_HTTP_INTERCOM_WEBHOOK_QUEUE_NFIELDS; i++) {
        argv[n++] = ngx_http_intercom_webhook_queue_fields[i];

        slot = ngx_http_intercom_webhook_queue_slots[i];

        if (slot >= 0) {
            text = &ctx->texts[slot];

            if (text->data) {
                argv[n++] = *text;

            } else {
                ngx_str_set(&argv[n], ""); n++;
            }

            continue;
        }

        switch (i) {

        case NGX_HTTP_INTERCOM_WEBHOOK_QUEUE_SECRET:
            argv[n++] = ctx->secret_id;    /* its id, never its value */
            break;

        case NGX_HTTP_INTERCOM_WEBHOOK_QUEUE_RECEIVED:
            len = NGX_HTTP_INTERCOM_WEBHOOK_QUEUE_TIME_LEN;

            p = ngx_pnalloc(r->pool, len);
            if (p == NULL) {
                goto failed;
            }

            tp = ngx_timeofday();

            argv[n].data = p;
            argv[n].len = ngx_snprintf(p, len, "%T.%03M", tp->sec, tp->msec)
                          - p;
            n++;
            break;

        default: /* NGX_HTTP_INTERCOM_WEBHOOK_QUEUE_BODY */
            argv[n++] = body;
            break;
        }
    }

    op = ngx_http_intercom_webhook_redis_create(queue->redis);
    if (op == NULL) {
        goto failed;
    }

    cln = ngx_pool_cleanup_add(r->pool,
                               sizeof(ngx_http_intercom_webhook_queue_ctx_t));
    if (cln == NULL) {
        ngx_http_intercom_webhook_redis_detach(op);
        goto failed;
    }

    qctx = cln->data;
    qctx->request = r;
    qctx->conf = iwcf;
    qctx->ctx = ctx;
    qctx->op = NULL;

    cln->handler = ngx_http_intercom_webhook_queue_cleanup;

    /* no memory: an operation not started is freed by _detach() */

    if (ngx_http_intercom_webhook_redis_command(op, n, argv) != NGX_OK) {
        ngx_http_intercom_webhook_redis_detach(op);
        goto failed;
    }

    if (queue->wait) {
        ngx_str_set(&wait[0], "WAIT");
        wait[1] = queue->wait_argv;
        wait[2] = queue->wait_timeout;

        if (ngx_http_intercom_webhook_redis_command(op, 3, wait) != NGX_OK) {
            ngx_http_intercom_webhook_redis_detach(op);
            goto failed;
        }
    }

    op->handler = ngx_http_intercom_webhook_queue_done;
    op->data = qctx;
    qctx->op = op;

    ngx_http_intercom_webhook_redis_start(op);

    r->main->count++;

    return NGX_DONE;

failed:

    /* not kept: Intercom retries, as for a Redis that failed */

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "intercom webhook: notification not queued in \"%V\": "
                  "no memory or the body could not be read, Intercom will "
                  "retry", &queue->stream);

    ngx_http_intercom_webhook_count_enqueue(iwcf, 0);

    return ngx_http_intercom_webhook_retry_later(r, iwcf);
}


/* the verified body, in one piece: from memory and the temporary file */

static ngx_int_t
ngx_http_intercom_webhook_queue_body(ngx_http_request_t *r, ngx_str_t *body)
{
    off_t                                    len;
    ngx_buf_t                               *b;
    ngx_chain_t                             *cl;
    ngx_http_intercom_webhook_queue_copy_t   copy;

    len = 0;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (ngx_buf_in_memory(b)) {
            len += b->last - b->pos;

        } else if (b->in_file) {
            len += b->file_last - b->file_pos;
        }
    }

    if (len > NGX_MAX_SIZE_T_VALUE / 2) {
        return NGX_ERROR;
    }

    body->len = (size_t) len;
    body->data = ngx_pnalloc(r->pool, body->len ? body->len : 1);
    if (body->data == NULL) {
        return NGX_ERROR;
    }

    copy.last = body->data;
    copy.end = body->data + body->len;

    if (ngx_http_intercom_webhook_read_body(r,
                                        ngx_http_intercom_webhook_queue_chunk,
                                        &copy)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (copy.last != copy.end) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "intercom webhook: the body read for the queue has "
                      "%uz bytes, not %uz", (size_t) (copy.last - body->data),
                      body->len);
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_intercom_webhook_queue_chunk(void *data, u_char *pos, u_char *last)
{
    ngx_http_intercom_webhook_queue_copy_t  *copy = data;

    if (last - pos > copy->end - copy->last) {
        return NGX_ERROR;
    }

    copy->last = ngx_cpymem(copy->last, pos, last - pos);

    return NGX_OK;
}


/* Redis's answer: 200, or the unavailable status for Intercom to retry */

static void
ngx_http_intercom_webhook_queue_done(ngx_http_intercom_webhook_redis_op_t *op)
{
    ngx_int_t                               rc;
    ngx_uint_t                              queued;
    ngx_connection_t                       *c;
    ngx_http_request_t                     *r;
    ngx_http_intercom_webhook_queue_ctx_t  *qctx;

    qctx = op->data;
    qctx->op = NULL;

    r = qctx->request;
    c = r->connection;

    ngx_http_intercom_webhook_count_redis(qctx->conf, op);

    queued = ngx_http_intercom_webhook_queue_check(r, qctx->conf->queue, op);

    ngx_http_intercom_webhook_count_enqueue(qctx->conf, queued);

    if (queued) {
        ngx_log_error(NGX_LOG_INFO, c->log, 0,
                      "intercom webhook: notification \"%V\" queued in "
                      "\"%V\" as %V in %M ms",
                      &qctx->ctx->texts[NGX_HTTP_INTERCOM_WEBHOOK_ID],
                      &qctx->conf->queue->stream, &op->replies[0].str,
                      op->elapsed);

        r->headers_out.status = NGX_HTTP_OK;
        r->headers_out.content_length_n = 0;
        r->header_only = 1;

        rc = ngx_http_send_header(r);

    } else {
        rc = ngx_http_intercom_webhook_retry_later(r, qctx->conf);
    }

    ngx_http_finalize_request(r, rc);
    ngx_http_run_posted_requests(c);
}


/* kept: the entry's id, and with wait=, as many replicas as asked */

static ngx_uint_t
ngx_http_intercom_webhook_queue_check(ngx_http_request_t *r,
    ngx_http_intercom_webhook_queue_t *queue,
    ngx_http_intercom_webhook_redis_op_t *op)
{
    ngx_str_t                          *id;
    ngx_uint_t                          i;
    ngx_http_intercom_webhook_reply_t  *reply;

    id = &queue->stream;

    if (op->outcome != NGX_HTTP_INTERCOM_WEBHOOK_REDIS_OK) {

        for (i = 0; i < op->nreplies; i++) {
            reply = &op->replies[i];

            if (reply->type == NGX_HTTP_INTERCOM_WEBHOOK_REPLY_ERROR) {
                ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                              "intercom webhook: notification not queued "
                              "in \"%V\": Redis answered \"%V\", Intercom "
                              "will retry", id, &reply->str);
                return 0;
            }
        }

        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "intercom webhook: notification not queued in \"%V\": "
                      "Redis: %V after %M ms, Intercom will retry", id,
                      ngx_http_intercom_webhook_redis_outcome(op->outcome),
                      op->elapsed);
        return 0;
    }

    if (op->nreplies < 1
        || op->replies[0].type != NGX_HTTP_INTERCOM_WEBHOOK_REPLY_STRING)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "intercom webhook: notification not queued in \"%V\": "
                      "no entry id in Redis's reply, Intercom will retry",
                      id);
        return 0;
    }

    if (queue->wait == 0) {
        return 1;
    }

    if (op->nreplies < 2
        || op->replies[1].type != NGX_HTTP_INTERCOM_WEBHOOK_REPLY_INTEGER
        || op->replies[1].integer < (int64_t) queue->wait)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "intercom webhook: notification queued in \"%V\" as "
                      "%V, but only %L of %ui replicas have it, Intercom "
                      "will retry", id, &op->replies[0].str,
                      (op->nreplies >= 2 ? op->replies[1].integer : 0),
                      queue->wait);
        return 0;
    }

    return 1;
}


/* the request goes away with its operation in flight: it ends quietly */

static void
ngx_http_intercom_webhook_queue_cleanup(void *data)
{
    ngx_http_intercom_webhook_queue_ctx_t  *qctx = data;

    if (qctx->op) {
        ngx_http_intercom_webhook_redis_detach(qctx->op);
        qctx->op = NULL;
    }
}
