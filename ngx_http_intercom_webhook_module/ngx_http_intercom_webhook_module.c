
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_intercom_webhook.h"


#define NGX_HTTP_INTERCOM_WEBHOOK_PING_RESPOND   0
#define NGX_HTTP_INTERCOM_WEBHOOK_PING_FORWARD   1

/* bytes of a temporary file read at once */
#define NGX_HTTP_INTERCOM_WEBHOOK_READ_SIZE      16384

#define NGX_HTTP_INTERCOM_WEBHOOK_MAX_ID         64
#define NGX_HTTP_INTERCOM_WEBHOOK_MAX_SECRET     4096


/* the payload fields known to the module, in slot order */

enum {
    NGX_HTTP_INTERCOM_WEBHOOK_TOPIC = 0,
    NGX_HTTP_INTERCOM_WEBHOOK_ID,
    NGX_HTTP_INTERCOM_WEBHOOK_APP_ID,
    NGX_HTTP_INTERCOM_WEBHOOK_ITEM_TYPE,
    NGX_HTTP_INTERCOM_WEBHOOK_ITEM_ID,
    NGX_HTTP_INTERCOM_WEBHOOK_DELIVERY_ATTEMPTS,
    NGX_HTTP_INTERCOM_WEBHOOK_CREATED_AT,
    NGX_HTTP_INTERCOM_WEBHOOK_TYPE,
    NGX_HTTP_INTERCOM_WEBHOOK_NFIELDS
};


/* $intercom_webhook_result */

enum {
    NGX_HTTP_INTERCOM_WEBHOOK_NONE = 0,
    NGX_HTTP_INTERCOM_WEBHOOK_ACCEPTED,
    NGX_HTTP_INTERCOM_WEBHOOK_IGNORED,
    NGX_HTTP_INTERCOM_WEBHOOK_PING,
    NGX_HTTP_INTERCOM_WEBHOOK_VALIDATION,
    NGX_HTTP_INTERCOM_WEBHOOK_FORBIDDEN,
    NGX_HTTP_INTERCOM_WEBHOOK_UNSIGNED,
    NGX_HTTP_INTERCOM_WEBHOOK_BAD_SIGNATURE,
    NGX_HTTP_INTERCOM_WEBHOOK_BAD_PAYLOAD,
    NGX_HTTP_INTERCOM_WEBHOOK_METHOD_NOT_ALLOWED
};


typedef struct {
    ngx_str_t                           name;
    ngx_str_t                           path;     /* empty for "off" */
} ngx_http_intercom_webhook_header_conf_t;


typedef struct {
    ngx_str_t                           name;
    u_char                             *lowcase_key;
    ngx_uint_t                          hash;
    ngx_int_t                           slot;     /* NGX_ERROR for "off" */
} ngx_http_intercom_webhook_header_t;


typedef struct {
    ngx_str_t                           forward;  /* "@name" or a URI */
    ngx_str_t                           args;

    ngx_array_t                        *secrets;  /* of secret_t */
    ngx_http_intercom_webhook_allow_t  *allow;
    ngx_array_t                        *topics;   /* of topic_t */
    ngx_array_t                        *header_conf;

    ngx_uint_t                          ping;
    ngx_uint_t                          log_level;

    /* compiled in locations with intercom_webhook */
    ngx_http_intercom_webhook_fields_t *fields;
    ngx_array_t                        *headers;  /* of header_t */
} ngx_http_intercom_webhook_loc_conf_t;


typedef struct {
    ngx_http_core_srv_conf_t           *cscf;
    ngx_http_intercom_webhook_loc_conf_t  *lcf;
    ngx_str_t                           file;
    ngx_uint_t                          line;
} ngx_http_intercom_webhook_named_t;


typedef struct {
    ngx_array_t                         named;    /* of named_t */
} ngx_http_intercom_webhook_main_conf_t;


/*
 * The request context lives in a pool cleanup, as realip's does, to be
 * found again after the redirect to the forward location has wiped the
 * module contexts: the variables are read there and in the log phase.
 */

typedef struct {
    ngx_uint_t                          result;
    ngx_str_t                           secret_id;
    ngx_str_t                          *texts;    /* per field slot */
    u_char                              digest[20];  /* SHA-1 */
} ngx_http_intercom_webhook_ctx_t;


static ngx_int_t ngx_http_intercom_webhook_handler(ngx_http_request_t *r);
static void ngx_http_intercom_webhook_body_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_intercom_webhook_process(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx);
static ngx_int_t ngx_http_intercom_webhook_verify(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx, u_char **buf);
static ngx_int_t ngx_http_intercom_webhook_parse_body(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx, u_char **buf);
static ngx_int_t ngx_http_intercom_webhook_read_file(ngx_http_request_t *r,
    ngx_buf_t *b, u_char **buf,
    ngx_int_t (*handler)(void *data, u_char *pos, u_char *last),
    void *data);
static ngx_int_t ngx_http_intercom_webhook_hmac_chunk(void *data, u_char *pos,
    u_char *last);
static ngx_int_t ngx_http_intercom_webhook_parse_chunk(void *data,
    u_char *pos, u_char *last);
static ngx_int_t ngx_http_intercom_webhook_forward(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx);
static ngx_int_t ngx_http_intercom_webhook_set_headers(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx);
static ngx_int_t ngx_http_intercom_webhook_strip_headers(
    ngx_http_request_t *r, ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_uint_t *fresh);
static ngx_int_t ngx_http_intercom_webhook_respond(ngx_http_request_t *r);
static ngx_table_elt_t *ngx_http_intercom_webhook_signature_header(
    ngx_http_request_t *r, ngx_uint_t *n);
static ngx_int_t ngx_http_intercom_webhook_reject(ngx_http_request_t *r,
    ngx_http_intercom_webhook_ctx_t *ctx, ngx_uint_t result,
    ngx_int_t status);

static ngx_http_intercom_webhook_ctx_t *ngx_http_intercom_webhook_create_ctx(
    ngx_http_request_t *r);
static ngx_http_intercom_webhook_ctx_t *ngx_http_intercom_webhook_get_ctx(
    ngx_http_request_t *r);
static void ngx_http_intercom_webhook_cleanup(void *data);

static ngx_int_t ngx_http_intercom_webhook_field_variable(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_intercom_webhook_secret_id_variable(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_intercom_webhook_result_variable(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);

static ngx_int_t ngx_http_intercom_webhook_add_variables(ngx_conf_t *cf);
static ngx_int_t ngx_http_intercom_webhook_init(ngx_conf_t *cf);
static void *ngx_http_intercom_webhook_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_intercom_webhook_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_intercom_webhook_merge_loc_conf(ngx_conf_t *cf,
    void *parent, void *child);
static char *ngx_http_intercom_webhook_compile(ngx_conf_t *cf,
    ngx_http_intercom_webhook_loc_conf_t *iwcf);

static char *ngx_http_intercom_webhook(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_intercom_webhook_secret(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_intercom_webhook_secret_read(ngx_conf_t *cf,
    ngx_str_t *name, ngx_str_t *key);
static char *ngx_http_intercom_webhook_allow(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_intercom_webhook_topics(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static char *ngx_http_intercom_webhook_header(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);


static ngx_conf_enum_t  ngx_http_intercom_webhook_ping_modes[] = {
    { ngx_string("respond"), NGX_HTTP_INTERCOM_WEBHOOK_PING_RESPOND },
    { ngx_string("forward"), NGX_HTTP_INTERCOM_WEBHOOK_PING_FORWARD },
    { ngx_null_string, 0 }
};


static ngx_conf_enum_t  ngx_http_intercom_webhook_log_levels[] = {
    { ngx_string("info"), NGX_LOG_INFO },
    { ngx_string("notice"), NGX_LOG_NOTICE },
    { ngx_string("warn"), NGX_LOG_WARN },
    { ngx_string("error"), NGX_LOG_ERR },
    { ngx_null_string, 0 }
};


static ngx_command_t  ngx_http_intercom_webhook_commands[] = {

    { ngx_string("intercom_webhook"),
      NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_intercom_webhook,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("intercom_webhook_secret"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE12,
      ngx_http_intercom_webhook_secret,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("intercom_webhook_secret_file"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE12,
      ngx_http_intercom_webhook_secret,
      NGX_HTTP_LOC_CONF_OFFSET,
      1,
      NULL },

    { ngx_string("intercom_webhook_allow"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_intercom_webhook_allow,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("intercom_webhook_topics"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_intercom_webhook_topics,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("intercom_webhook_ping"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_intercom_webhook_loc_conf_t, ping),
      &ngx_http_intercom_webhook_ping_modes },

    { ngx_string("intercom_webhook_header"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE2,
      ngx_http_intercom_webhook_header,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("intercom_webhook_log_level"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_intercom_webhook_loc_conf_t, log_level),
      &ngx_http_intercom_webhook_log_levels },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_intercom_webhook_module_ctx = {
    ngx_http_intercom_webhook_add_variables,    /* preconfiguration */
    ngx_http_intercom_webhook_init,             /* postconfiguration */

    ngx_http_intercom_webhook_create_main_conf, /* create main configuration */
    NULL,                                       /* init main configuration */

    NULL,                                       /* create server conf */
    NULL,                                       /* merge server conf */

    ngx_http_intercom_webhook_create_loc_conf,  /* create location conf */
    ngx_http_intercom_webhook_merge_loc_conf    /* merge location conf */
};


ngx_module_t  ngx_http_intercom_webhook_module = {
    NGX_MODULE_V1,
    &ngx_http_intercom_webhook_module_ctx, /* module context */
    ngx_http_intercom_webhook_commands,    /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_str_t  ngx_http_intercom_webhook_paths[] = {
    ngx_string("topic"),
    ngx_string("id"),
    ngx_string("app_id"),
    ngx_string("data.item.type"),
    ngx_string("data.item.id"),
    ngx_string("delivery_attempts"),
    ngx_string("created_at"),
    ngx_string("type")
};


static ngx_http_intercom_webhook_header_conf_t
    ngx_http_intercom_webhook_default_headers[] =
{
    { ngx_string("X-Intercom-Topic"), ngx_string("topic") },
    { ngx_string("X-Intercom-Notification-Id"), ngx_string("id") },
    { ngx_string("X-Intercom-App-Id"), ngx_string("app_id") },
    { ngx_string("X-Intercom-Item-Type"), ngx_string("data.item.type") },
    { ngx_string("X-Intercom-Item-Id"), ngx_string("data.item.id") },
    { ngx_string("X-Intercom-Delivery-Attempts"),
      ngx_string("delivery_attempts") },
    { ngx_string("X-Intercom-Created-At"), ngx_string("created_at") },
    { ngx_null_string, ngx_null_string }
};


static ngx_str_t  ngx_http_intercom_webhook_results[] = {
    ngx_null_string,
    ngx_string("accepted"),
    ngx_string("ignored"),
    ngx_string("ping"),
    ngx_string("validation"),
    ngx_string("forbidden"),
    ngx_string("unsigned"),
    ngx_string("bad_signature"),
    ngx_string("bad_payload"),
    ngx_string("method_not_allowed")
};


static ngx_http_variable_t  ngx_http_intercom_webhook_vars[] = {

    { ngx_string("intercom_webhook_topic"), NULL,
      ngx_http_intercom_webhook_field_variable,
      NGX_HTTP_INTERCOM_WEBHOOK_TOPIC, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("intercom_webhook_id"), NULL,
      ngx_http_intercom_webhook_field_variable,
      NGX_HTTP_INTERCOM_WEBHOOK_ID, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("intercom_webhook_app_id"), NULL,
      ngx_http_intercom_webhook_field_variable,
      NGX_HTTP_INTERCOM_WEBHOOK_APP_ID, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("intercom_webhook_item_type"), NULL,
      ngx_http_intercom_webhook_field_variable,
      NGX_HTTP_INTERCOM_WEBHOOK_ITEM_TYPE, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("intercom_webhook_item_id"), NULL,
      ngx_http_intercom_webhook_field_variable,
      NGX_HTTP_INTERCOM_WEBHOOK_ITEM_ID, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("intercom_webhook_delivery_attempts"), NULL,
      ngx_http_intercom_webhook_field_variable,
      NGX_HTTP_INTERCOM_WEBHOOK_DELIVERY_ATTEMPTS,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("intercom_webhook_created_at"), NULL,
      ngx_http_intercom_webhook_field_variable,
      NGX_HTTP_INTERCOM_WEBHOOK_CREATED_AT, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("intercom_webhook_secret_id"), NULL,
      ngx_http_intercom_webhook_secret_id_variable,
      0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("intercom_webhook_result"), NULL,
      ngx_http_intercom_webhook_result_variable,
      0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


static ngx_str_t  ngx_http_intercom_webhook_signature =
    ngx_string("x-hub-signature");

static ngx_str_t  ngx_http_intercom_webhook_allow_methods =
    ngx_string("POST, HEAD");

static ngx_str_t  ngx_http_intercom_webhook_notification_event =
    ngx_string("notification_event");


static ngx_int_t
ngx_http_intercom_webhook_handler(ngx_http_request_t *r)
{
    ngx_int_t                              rc;
    ngx_uint_t                             n;
    ngx_table_elt_t                       *h;
    ngx_http_intercom_webhook_ctx_t       *ctx;
    ngx_http_intercom_webhook_loc_conf_t  *iwcf;

    iwcf = ngx_http_get_module_loc_conf(r, ngx_http_intercom_webhook_module);

    ctx = ngx_http_intercom_webhook_create_ctx(r);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
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

    if (ngx_http_intercom_webhook_allow_match(iwcf->allow,
                                              r->connection->sockaddr)
        != NGX_OK)
    {
        ngx_log_error(iwcf->log_level, r->connection->log, 0,
                      "intercom webhook: client %V is not in the allowlist",
                      &r->connection->addr_text);

        return ngx_http_intercom_webhook_reject(r, ctx,
                                            NGX_HTTP_INTERCOM_WEBHOOK_FORBIDDEN,
                                            NGX_HTTP_FORBIDDEN);
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

        return ngx_http_intercom_webhook_reject(r, ctx,
                                            NGX_HTTP_INTERCOM_WEBHOOK_UNSIGNED,
                                            NGX_HTTP_UNAUTHORIZED);
    }

    if (n > 1) {
        ngx_log_error(iwcf->log_level, r->connection->log, 0,
                      "intercom webhook: several \"X-Hub-Signature\" headers");

        return ngx_http_intercom_webhook_reject(r, ctx,
                                       NGX_HTTP_INTERCOM_WEBHOOK_BAD_SIGNATURE,
                                       NGX_HTTP_UNAUTHORIZED);
    }

    if (ngx_http_intercom_webhook_parse_signature(&h->value, ctx->digest)
        != NGX_OK)
    {
        ngx_log_error(iwcf->log_level, r->connection->log, 0,
                      "intercom webhook: invalid \"X-Hub-Signature\" header, "
                      "not \"sha1=\" and 40 hex digits");

        return ngx_http_intercom_webhook_reject(r, ctx,
                                       NGX_HTTP_INTERCOM_WEBHOOK_BAD_SIGNATURE,
                                       NGX_HTTP_UNAUTHORIZED);
    }

    rc = ngx_http_read_client_request_body(r,
                                        ngx_http_intercom_webhook_body_handler);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


static void
ngx_http_intercom_webhook_body_handler(ngx_http_request_t *r)
{
    ngx_int_t                              rc;
    ngx_http_intercom_webhook_ctx_t       *ctx;
    ngx_http_intercom_webhook_loc_conf_t  *iwcf;

    iwcf = ngx_http_get_module_loc_conf(r, ngx_http_intercom_webhook_module);
    ctx = ngx_http_intercom_webhook_get_ctx(r);

    if (ctx == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    rc = ngx_http_intercom_webhook_process(r, iwcf, ctx);

    ngx_http_finalize_request(r, rc);
}


static ngx_int_t
ngx_http_intercom_webhook_process(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx)
{
    u_char     *buf;
    ngx_int_t   rc;
    ngx_str_t  *topic;

    buf = NULL;

    rc = ngx_http_intercom_webhook_verify(r, iwcf, ctx, &buf);
    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_http_intercom_webhook_parse_body(r, iwcf, ctx, &buf);
    if (rc != NGX_OK) {
        return rc;
    }

    topic = &ctx->texts[NGX_HTTP_INTERCOM_WEBHOOK_TOPIC];

    if (topic->len == 4 && ngx_strncmp(topic->data, "ping", 4) == 0) {

        if (iwcf->ping == NGX_HTTP_INTERCOM_WEBHOOK_PING_RESPOND) {
            ctx->result = NGX_HTTP_INTERCOM_WEBHOOK_PING;

            ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                           "intercom webhook: ping answered");

            return ngx_http_intercom_webhook_respond(r);
        }

        return ngx_http_intercom_webhook_forward(r, iwcf, ctx);
    }

    if (iwcf->topics
        && ngx_http_intercom_webhook_topic_match(iwcf->topics, topic)
           != NGX_OK)
    {
        ctx->result = NGX_HTTP_INTERCOM_WEBHOOK_IGNORED;

        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "intercom webhook: topic \"%V\" ignored", topic);

        return ngx_http_intercom_webhook_respond(r);
    }

    return ngx_http_intercom_webhook_forward(r, iwcf, ctx);
}


static ngx_int_t
ngx_http_intercom_webhook_verify(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx, u_char **buf)
{
    ngx_int_t                            rc;
    ngx_buf_t                           *b;
    ngx_chain_t                         *cl;
    ngx_http_intercom_webhook_hmac_t     hmac;
    ngx_http_intercom_webhook_secret_t  *secrets;

    secrets = iwcf->secrets->elts;

    if (ngx_http_intercom_webhook_hmac_init(&hmac, secrets,
                                            iwcf->secrets->nelts)
        != NGX_OK)
    {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "intercom webhook: HMAC context copy failed");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the body's buffers are hashed where they are, in memory or in file */

    for (cl = r->request_body ? r->request_body->bufs : NULL;
         cl;
         cl = cl->next)
    {
        b = cl->buf;

        if (ngx_buf_in_memory(b)) {
            rc = ngx_http_intercom_webhook_hmac_update(&hmac, b->pos,
                                                       b->last - b->pos);

        } else if (b->in_file) {
            rc = ngx_http_intercom_webhook_read_file(r, b, buf,
                                       ngx_http_intercom_webhook_hmac_chunk,
                                       &hmac);

        } else {
            rc = NGX_OK;
        }

        if (rc != NGX_OK) {
            ngx_http_intercom_webhook_hmac_abort(&hmac);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    rc = ngx_http_intercom_webhook_hmac_final(&hmac, ctx->digest);

    if (rc == NGX_ERROR) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "intercom webhook: HMAC computation failed");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc == NGX_DECLINED) {
        ngx_log_error(iwcf->log_level, r->connection->log, 0,
                      "intercom webhook: signature mismatch");

        return ngx_http_intercom_webhook_reject(r, ctx,
                                       NGX_HTTP_INTERCOM_WEBHOOK_BAD_SIGNATURE,
                                       NGX_HTTP_UNAUTHORIZED);
    }

    ctx->secret_id = secrets[rc].id;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "intercom webhook: signature verified, secret \"%V\"",
                   &ctx->secret_id);

    return NGX_OK;
}


static ngx_int_t
ngx_http_intercom_webhook_parse_body(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx, u_char **buf)
{
    ngx_int_t                            rc;
    ngx_str_t                           *text, *topic;
    ngx_buf_t                           *b;
    ngx_uint_t                           i, nslots;
    ngx_chain_t                         *cl;
    const char                          *error;
    ngx_http_intercom_webhook_value_t   *values, *value;
    ngx_http_intercom_webhook_parser_t  *parser, parser_state;

    nslots = iwcf->fields->nslots;

    values = ngx_palloc(r->pool,
                        nslots * sizeof(ngx_http_intercom_webhook_value_t));
    if (values == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->texts = ngx_pcalloc(r->pool, nslots * sizeof(ngx_str_t));
    if (ctx->texts == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the parser is needed in this function only */

    parser = &parser_state;

    if (ngx_http_intercom_webhook_parser_init(parser, iwcf->fields, values,
                                              r->pool)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = NGX_AGAIN;

    for (cl = r->request_body ? r->request_body->bufs : NULL;
         cl && rc == NGX_AGAIN;
         cl = cl->next)
    {
        b = cl->buf;

        if (ngx_buf_in_memory(b)) {
            rc = ngx_http_intercom_webhook_parse(parser, b->pos, b->last);

        } else if (b->in_file) {
            rc = ngx_http_intercom_webhook_read_file(r, b, buf,
                                       ngx_http_intercom_webhook_parse_chunk,
                                       parser);
            if (rc == NGX_OK) {
                rc = NGX_AGAIN;

            } else if (rc == NGX_HTTP_INTERNAL_SERVER_ERROR) {
                return rc;
            }
        }
    }

    if (rc == NGX_AGAIN) {
        rc = ngx_http_intercom_webhook_parse_done(parser);
    }

    if (rc != NGX_OK) {
        error = parser->error ? parser->error : "invalid JSON";

        if (ngx_strcmp(error, "out of memory") == 0) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_log_error(iwcf->log_level, r->connection->log, 0,
                      "intercom webhook: invalid payload: %s at offset %O",
                      error, parser->offset);

        return ngx_http_intercom_webhook_reject(r, ctx,
                                         NGX_HTTP_INTERCOM_WEBHOOK_BAD_PAYLOAD,
                                         NGX_HTTP_BAD_REQUEST);
    }

    /* the texts of the fields, for the variables and the headers */

    for (i = 0; i < nslots; i++) {
        value = &values[i];

        if (value->type == NGX_HTTP_INTERCOM_WEBHOOK_MISSING
            || value->type == NGX_HTTP_INTERCOM_WEBHOOK_NULL)
        {
            continue;
        }

        rc = ngx_http_intercom_webhook_value_text(value, &ctx->texts[i],
                                                  r->pool);
        if (rc == NGX_ERROR) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (rc == NGX_DECLINED) {
            ngx_str_null(&ctx->texts[i]);
        }
    }

    /* "type" was decoded with the other fields above */

    text = &ctx->texts[NGX_HTTP_INTERCOM_WEBHOOK_TYPE];

    if (values[NGX_HTTP_INTERCOM_WEBHOOK_TYPE].type
        != NGX_HTTP_INTERCOM_WEBHOOK_STRING
        || text->len != ngx_http_intercom_webhook_notification_event.len
        || ngx_strncmp(text->data,
                       ngx_http_intercom_webhook_notification_event.data,
                       text->len)
           != 0)
    {
        ngx_log_error(iwcf->log_level, r->connection->log, 0,
                      "intercom webhook: invalid payload: "
                      "\"type\" is not \"notification_event\"");

        return ngx_http_intercom_webhook_reject(r, ctx,
                                         NGX_HTTP_INTERCOM_WEBHOOK_BAD_PAYLOAD,
                                         NGX_HTTP_BAD_REQUEST);
    }

    value = &values[NGX_HTTP_INTERCOM_WEBHOOK_TOPIC];
    topic = &ctx->texts[NGX_HTTP_INTERCOM_WEBHOOK_TOPIC];

    if (value->type == NGX_HTTP_INTERCOM_WEBHOOK_MISSING) {
        error = "no \"topic\"";

    } else if (value->type != NGX_HTTP_INTERCOM_WEBHOOK_STRING) {
        error = "\"topic\" is not a string";

    } else if (topic->data == NULL
               || ngx_http_intercom_webhook_valid_topic(topic) != NGX_OK)
    {
        error = "invalid \"topic\"";

    } else {
        return NGX_OK;
    }

    ngx_str_null(topic);

    ngx_log_error(iwcf->log_level, r->connection->log, 0,
                  "intercom webhook: invalid payload: %s", error);

    return ngx_http_intercom_webhook_reject(r, ctx,
                                         NGX_HTTP_INTERCOM_WEBHOOK_BAD_PAYLOAD,
                                         NGX_HTTP_BAD_REQUEST);
}


static ngx_int_t
ngx_http_intercom_webhook_read_file(ngx_http_request_t *r, ngx_buf_t *b,
    u_char **buf, ngx_int_t (*handler)(void *data, u_char *pos, u_char *last),
    void *data)
{
    off_t      offset;
    size_t     size;
    ssize_t    n;
    ngx_int_t  rc;

    if (*buf == NULL) {
        *buf = ngx_palloc(r->pool, NGX_HTTP_INTERCOM_WEBHOOK_READ_SIZE);
        if (*buf == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    for (offset = b->file_pos; offset < b->file_last; offset += n) {

        size = (size_t) ngx_min(b->file_last - offset,
                                NGX_HTTP_INTERCOM_WEBHOOK_READ_SIZE);

        n = ngx_read_file(b->file, *buf, size, offset);

        if (n == NGX_ERROR) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if ((size_t) n != size) {
            ngx_log_error(NGX_LOG_CRIT, r->connection->log, 0,
                          ngx_read_file_n " read only %z of %uz from \"%V\"",
                          n, size, &b->file->name);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        rc = handler(data, *buf, *buf + n);

        if (rc != NGX_OK) {
            return rc;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_intercom_webhook_hmac_chunk(void *data, u_char *pos, u_char *last)
{
    ngx_http_intercom_webhook_hmac_t  *hmac = data;

    if (ngx_http_intercom_webhook_hmac_update(hmac, pos, last - pos)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_intercom_webhook_parse_chunk(void *data, u_char *pos, u_char *last)
{
    ngx_http_intercom_webhook_parser_t  *parser = data;

    ngx_int_t  rc;

    rc = ngx_http_intercom_webhook_parse(parser, pos, last);

    return (rc == NGX_AGAIN) ? NGX_OK : rc;
}


static ngx_int_t
ngx_http_intercom_webhook_forward(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx)
{
    ngx_str_t  args;

    if (ngx_http_intercom_webhook_set_headers(r, iwcf, ctx) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->result = NGX_HTTP_INTERCOM_WEBHOOK_ACCEPTED;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "intercom webhook: forward to \"%V\"", &iwcf->forward);

    if (iwcf->forward.data[0] == '@') {
        return ngx_http_named_location(r, &iwcf->forward);
    }

    args = iwcf->args;

    return ngx_http_internal_redirect(r, &iwcf->forward, &args);
}


static ngx_int_t
ngx_http_intercom_webhook_set_headers(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx)
{
    ngx_str_t                           *text;
    ngx_uint_t                           j, fresh;
    ngx_list_t                          *list;
    ngx_list_part_t                     *part;
    ngx_table_elt_t                     *h;
    ngx_http_intercom_webhook_header_t  *header;

    list = &r->headers_in.headers;
    header = iwcf->headers->elts;

    if (ngx_http_intercom_webhook_strip_headers(r, iwcf, &fresh) != NGX_OK) {
        return NGX_ERROR;
    }

    for (j = 0; j < iwcf->headers->nelts; j++) {

        if (header[j].slot == NGX_ERROR) {
            continue;
        }

        text = &ctx->texts[header[j].slot];

        if (text->data == NULL) {
            continue;
        }

        if (fresh) {

            /*
             * the last part was cut, its room is not nalloc elements
             * any more: ngx_list_push() gets a part of its own
             */

            part = ngx_palloc(r->pool, sizeof(ngx_list_part_t));
            if (part == NULL) {
                return NGX_ERROR;
            }

            part->elts = ngx_palloc(r->pool, list->nalloc * list->size);
            if (part->elts == NULL) {
                return NGX_ERROR;
            }

            part->nelts = 0;
            part->next = NULL;

            list->last->next = part;
            list->last = part;

            fresh = 0;
        }

        h = ngx_list_push(list);
        if (h == NULL) {
            return NGX_ERROR;
        }

        h->hash = header[j].hash;
        h->key = header[j].name;
        h->lowcase_key = header[j].lowcase_key;
        h->value = *text;
#if (nginx_version >= 1023000)
        h->next = NULL;
#endif

        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "intercom webhook: header \"%V: %V\"",
                       &h->key, &h->value);
    }

    return NGX_OK;
}


/*
 * No header of the configured names that the client sent is forwarded.
 * An element is taken out of the list without moving any other, as
 * elements are pointed to from r->headers_in and from each other: its
 * part is shortened from either end, or cut in two around it.  A part
 * left empty is unlinked (but the first, which nginx's loops skip).
 */

static ngx_int_t
ngx_http_intercom_webhook_strip_headers(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf, ngx_uint_t *fresh)
{
    ngx_uint_t                           i, j;
    ngx_list_t                          *list;
    ngx_list_part_t                     *part, *prev, *rest;
    ngx_table_elt_t                     *elts;
    ngx_http_intercom_webhook_header_t  *header;

    *fresh = 0;

    list = &r->headers_in.headers;
    header = iwcf->headers->elts;

    prev = NULL;
    part = &list->part;
    i = 0;

    for ( ;; ) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            prev = part;
            part = part->next;
            i = 0;
            continue;
        }

        elts = part->elts;

        for (j = 0; j < iwcf->headers->nelts; j++) {
            if (elts[i].key.len == header[j].name.len
                && ngx_strncasecmp(elts[i].key.data, header[j].name.data,
                                   header[j].name.len)
                   == 0)
            {
                break;
            }
        }

        if (j == iwcf->headers->nelts) {
            i++;
            continue;
        }

        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "intercom webhook: client header \"%V: %V\" removed",
                       &elts[i].key, &elts[i].value);

        if (list->last == part) {
            *fresh = 1;
        }

        if (i == 0) {
            part->elts = &elts[1];
            part->nelts--;

        } else if (i == part->nelts - 1) {
            part->nelts--;

        } else {
            rest = ngx_palloc(r->pool, sizeof(ngx_list_part_t));
            if (rest == NULL) {
                return NGX_ERROR;
            }

            rest->elts = &elts[i + 1];
            rest->nelts = part->nelts - i - 1;
            rest->next = part->next;

            part->nelts = i;
            part->next = rest;

            if (list->last == part) {
                list->last = rest;
            }
        }

        if (part->nelts == 0 && prev) {
            prev->next = part->next;

            if (list->last == part) {
                list->last = prev;
                *fresh = 1;
            }

            part = prev;
            i = prev->nelts;
        }

        /* i is the element after the removed one now */
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


static ngx_table_elt_t *
ngx_http_intercom_webhook_signature_header(ngx_http_request_t *r,
    ngx_uint_t *n)
{
    ngx_str_t        *name;
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h, *found;

    name = &ngx_http_intercom_webhook_signature;

    *n = 0;
    found = NULL;

    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

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

        if (h[i].key.len == name->len
            && ngx_strncasecmp(h[i].key.data, name->data, name->len) == 0)
        {
            found = &h[i];
            (*n)++;
        }
    }

    return found;
}


static ngx_int_t
ngx_http_intercom_webhook_reject(ngx_http_request_t *r,
    ngx_http_intercom_webhook_ctx_t *ctx, ngx_uint_t result, ngx_int_t status)
{
    ctx->result = result;

    return status;
}


static ngx_http_intercom_webhook_ctx_t *
ngx_http_intercom_webhook_create_ctx(ngx_http_request_t *r)
{
    ngx_pool_cleanup_t               *cln;
    ngx_http_intercom_webhook_ctx_t  *ctx;

    cln = ngx_pool_cleanup_add(r->pool,
                               sizeof(ngx_http_intercom_webhook_ctx_t));
    if (cln == NULL) {
        return NULL;
    }

    ctx = cln->data;
    ngx_memzero(ctx, sizeof(ngx_http_intercom_webhook_ctx_t));

    cln->handler = ngx_http_intercom_webhook_cleanup;

    ngx_http_set_ctx(r, ctx, ngx_http_intercom_webhook_module);

    return ctx;
}


static ngx_http_intercom_webhook_ctx_t *
ngx_http_intercom_webhook_get_ctx(ngx_http_request_t *r)
{
    ngx_pool_cleanup_t               *cln;
    ngx_http_intercom_webhook_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_intercom_webhook_module);

    if (ctx == NULL && (r->internal || r->filter_finalize)) {

        /*
         * if module context was reset, the context
         * can still be found in the cleanup handler
         */

        for (cln = r->pool->cleanup; cln; cln = cln->next) {
            if (cln->handler == ngx_http_intercom_webhook_cleanup) {
                ctx = cln->data;
                ngx_http_set_ctx(r, ctx, ngx_http_intercom_webhook_module);
                break;
            }
        }
    }

    return ctx;
}


static void
ngx_http_intercom_webhook_cleanup(void *data)
{
    /* nothing to free: the cleanup only keeps the context findable */
}


static ngx_int_t
ngx_http_intercom_webhook_field_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_str_t                        *text;
    ngx_http_intercom_webhook_ctx_t  *ctx;

    ctx = ngx_http_intercom_webhook_get_ctx(r);

    if (ctx == NULL || ctx->texts == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    text = &ctx->texts[data];

    if (text->data == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    v->len = text->len;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;
    v->data = text->data;

    return NGX_OK;
}


static ngx_int_t
ngx_http_intercom_webhook_secret_id_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_intercom_webhook_ctx_t  *ctx;

    ctx = ngx_http_intercom_webhook_get_ctx(r);

    if (ctx == NULL || ctx->secret_id.len == 0) {
        v->not_found = 1;
        return NGX_OK;
    }

    v->len = ctx->secret_id.len;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;
    v->data = ctx->secret_id.data;

    return NGX_OK;
}


static ngx_int_t
ngx_http_intercom_webhook_result_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_str_t                        *result;
    ngx_http_intercom_webhook_ctx_t  *ctx;

    ctx = ngx_http_intercom_webhook_get_ctx(r);

    if (ctx == NULL || ctx->result == NGX_HTTP_INTERCOM_WEBHOOK_NONE) {
        v->not_found = 1;
        return NGX_OK;
    }

    result = &ngx_http_intercom_webhook_results[ctx->result];

    v->len = result->len;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;
    v->data = result->data;

    return NGX_OK;
}


static ngx_int_t
ngx_http_intercom_webhook_add_variables(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_http_intercom_webhook_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_intercom_webhook_init(ngx_conf_t *cf)
{
    ngx_uint_t                              i;
    ngx_http_core_loc_conf_t              **clcfp;
    ngx_http_intercom_webhook_named_t      *named;
    ngx_http_intercom_webhook_main_conf_t  *iwmcf;

    /* named forward locations must exist in their server */

    iwmcf = ngx_http_conf_get_module_main_conf(cf,
                                             ngx_http_intercom_webhook_module);

    named = iwmcf->named.elts;

    for (i = 0; i < iwmcf->named.nelts; i++) {

        clcfp = named[i].cscf->named_locations;

        while (clcfp && *clcfp) {
            if ((*clcfp)->name.len == named[i].lcf->forward.len
                && ngx_strncmp((*clcfp)->name.data,
                               named[i].lcf->forward.data,
                               (*clcfp)->name.len)
                   == 0)
            {
                break;
            }

            clcfp++;
        }

        if (clcfp == NULL || *clcfp == NULL) {
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "named location \"%V\" of \"intercom_webhook\" "
                          "is not found in %V:%ui",
                          &named[i].lcf->forward, &named[i].file,
                          named[i].line);
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static void *
ngx_http_intercom_webhook_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_intercom_webhook_main_conf_t  *iwmcf;

    iwmcf = ngx_pcalloc(cf->pool,
                        sizeof(ngx_http_intercom_webhook_main_conf_t));
    if (iwmcf == NULL) {
        return NULL;
    }

    if (ngx_array_init(&iwmcf->named, cf->pool, 4,
                       sizeof(ngx_http_intercom_webhook_named_t))
        != NGX_OK)
    {
        return NULL;
    }

    return iwmcf;
}


static void *
ngx_http_intercom_webhook_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_intercom_webhook_loc_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_intercom_webhook_loc_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     conf->forward = { 0, NULL };
     *     conf->args = { 0, NULL };
     *     conf->fields = NULL;
     *     conf->headers = NULL;
     */

    conf->secrets = NGX_CONF_UNSET_PTR;
    conf->allow = NGX_CONF_UNSET_PTR;
    conf->topics = NGX_CONF_UNSET_PTR;
    conf->header_conf = NGX_CONF_UNSET_PTR;
    conf->ping = NGX_CONF_UNSET_UINT;
    conf->log_level = NGX_CONF_UNSET_UINT;

    return conf;
}


static char *
ngx_http_intercom_webhook_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child)
{
    ngx_http_intercom_webhook_loc_conf_t *prev = parent;
    ngx_http_intercom_webhook_loc_conf_t *conf = child;

    ngx_str_t  preset = ngx_string("intercom");

    ngx_conf_merge_ptr_value(conf->secrets, prev->secrets, NULL);
    ngx_conf_merge_ptr_value(conf->topics, prev->topics, NULL);
    ngx_conf_merge_ptr_value(conf->header_conf, prev->header_conf, NULL);

    ngx_conf_merge_uint_value(conf->ping, prev->ping,
                              NGX_HTTP_INTERCOM_WEBHOOK_PING_RESPOND);
    ngx_conf_merge_uint_value(conf->log_level, prev->log_level, NGX_LOG_ERR);

    if (conf->allow == NGX_CONF_UNSET_PTR) {

        if (prev->allow == NGX_CONF_UNSET_PTR) {

            /* the default: Intercom's published addresses */

            prev->allow = ngx_pcalloc(cf->pool,
                                   sizeof(ngx_http_intercom_webhook_allow_t));
            if (prev->allow == NULL) {
                return NGX_CONF_ERROR;
            }

            if (ngx_http_intercom_webhook_allow_add(prev->allow, &preset,
                                                    cf->pool)
                != NGX_OK)
            {
                return NGX_CONF_ERROR;
            }
        }

        conf->allow = prev->allow;
    }

    if (conf->forward.len == 0) {
        return NGX_CONF_OK;
    }

    if (conf->secrets == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "no \"intercom_webhook_secret\" or "
                           "\"intercom_webhook_secret_file\" is defined "
                           "for \"intercom_webhook %V\"", &conf->forward);
        return NGX_CONF_ERROR;
    }

    return ngx_http_intercom_webhook_compile(cf, conf);
}


static char *
ngx_http_intercom_webhook_compile(ngx_conf_t *cf,
    ngx_http_intercom_webhook_loc_conf_t *iwcf)
{
    ngx_int_t                                 slot;
    ngx_uint_t                                i, j;
    ngx_http_intercom_webhook_header_t       *header, *h;
    ngx_http_intercom_webhook_header_conf_t  *hc;

    iwcf->fields = ngx_pcalloc(cf->pool,
                               sizeof(ngx_http_intercom_webhook_fields_t));
    if (iwcf->fields == NULL) {
        return NGX_CONF_ERROR;
    }

    /* the fields of the variables take the first slots, in order */

    for (i = 0; i < NGX_HTTP_INTERCOM_WEBHOOK_NFIELDS; i++) {
        slot = ngx_http_intercom_webhook_fields_add(iwcf->fields,
                                       &ngx_http_intercom_webhook_paths[i],
                                       cf->pool);
        if (slot != (ngx_int_t) i) {
            return NGX_CONF_ERROR;
        }
    }

    iwcf->headers = ngx_array_create(cf->pool, 8,
                                   sizeof(ngx_http_intercom_webhook_header_t));
    if (iwcf->headers == NULL) {
        return NGX_CONF_ERROR;
    }

    /* the default headers, overridden or added to by the configured ones */

    for (i = 0; ngx_http_intercom_webhook_default_headers[i].name.len; i++) {
        header = ngx_array_push(iwcf->headers);
        if (header == NULL) {
            return NGX_CONF_ERROR;
        }

        hc = &ngx_http_intercom_webhook_default_headers[i];

        header->name = hc->name;
        header->slot = i;
    }

    hc = iwcf->header_conf ? iwcf->header_conf->elts : NULL;

    for (i = 0; iwcf->header_conf && i < iwcf->header_conf->nelts; i++) {

        header = iwcf->headers->elts;

        for (j = 0; j < iwcf->headers->nelts; j++) {
            if (header[j].name.len == hc[i].name.len
                && ngx_strncasecmp(header[j].name.data, hc[i].name.data,
                                   hc[i].name.len)
                   == 0)
            {
                break;
            }
        }

        if (j == iwcf->headers->nelts) {
            h = ngx_array_push(iwcf->headers);
            if (h == NULL) {
                return NGX_CONF_ERROR;
            }

            h->name = hc[i].name;

        } else {
            h = &header[j];
        }

        if (hc[i].path.len == 0) {
            h->slot = NGX_ERROR;
            continue;
        }

        slot = ngx_http_intercom_webhook_fields_add(iwcf->fields,
                                                    &hc[i].path, cf->pool);
        if (slot == NGX_ERROR) {
            return NGX_CONF_ERROR;
        }

        if (slot == NGX_DECLINED) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid payload path \"%V\"", &hc[i].path);
            return NGX_CONF_ERROR;
        }

        h->slot = slot;
    }

    header = iwcf->headers->elts;

    for (i = 0; i < iwcf->headers->nelts; i++) {
        h = &header[i];

        h->lowcase_key = ngx_pnalloc(cf->pool, h->name.len);
        if (h->lowcase_key == NULL) {
            return NGX_CONF_ERROR;
        }

        h->hash = ngx_hash_strlow(h->lowcase_key, h->name.data, h->name.len);
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_intercom_webhook(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_intercom_webhook_loc_conf_t *iwcf = conf;

    u_char                                 *p;
    ngx_str_t                              *value;
    ngx_http_core_loc_conf_t               *clcf;
    ngx_http_intercom_webhook_named_t      *named;
    ngx_http_intercom_webhook_main_conf_t  *iwmcf;

    if (iwcf->forward.len) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len > 1 && value[1].data[0] == '@') {
        iwcf->forward = value[1];

        iwmcf = ngx_http_conf_get_module_main_conf(cf,
                                             ngx_http_intercom_webhook_module);

        named = ngx_array_push(&iwmcf->named);
        if (named == NULL) {
            return NGX_CONF_ERROR;
        }

        named->cscf = ngx_http_conf_get_module_srv_conf(cf,
                                                        ngx_http_core_module);
        named->lcf = iwcf;
        named->file = cf->conf_file->file.name;
        named->line = cf->conf_file->line;

    } else if (value[1].len && value[1].data[0] == '/') {
        iwcf->forward = value[1];

        p = ngx_strlchr(value[1].data, value[1].data + value[1].len, '?');

        if (p) {
            iwcf->forward.len = p - value[1].data;
            iwcf->args.data = p + 1;
            iwcf->args.len = value[1].data + value[1].len - (p + 1);
        }

    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid forward location \"%V\", "
                           "a named location or a URI is expected",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_intercom_webhook_handler;

    return NGX_CONF_OK;
}


static char *
ngx_http_intercom_webhook_secret(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_intercom_webhook_loc_conf_t *iwcf = conf;

    char                                *rv;
    u_char                               c;
    ngx_int_t                            rc;
    ngx_str_t                           *value, key, id;
    ngx_uint_t                           i;
    ngx_http_intercom_webhook_secret_t  *secret, *s;

    value = cf->args->elts;

    if (iwcf->secrets == NGX_CONF_UNSET_PTR) {
        iwcf->secrets = ngx_array_create(cf->pool, 2,
                                   sizeof(ngx_http_intercom_webhook_secret_t));
        if (iwcf->secrets == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    if (iwcf->secrets->nelts == NGX_HTTP_INTERCOM_WEBHOOK_MAX_SECRETS) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "too many secrets, at most %d are supported",
                           NGX_HTTP_INTERCOM_WEBHOOK_MAX_SECRETS);
        return NGX_CONF_ERROR;
    }

    /* the id: "id=name", or the secret's position in the list */

    if (cf->args->nelts == 3) {

        if (value[2].len <= 3
            || ngx_strncmp(value[2].data, "id=", 3) != 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\"", &value[2]);
            return NGX_CONF_ERROR;
        }

        id.data = value[2].data + 3;
        id.len = value[2].len - 3;

        if (id.len > NGX_HTTP_INTERCOM_WEBHOOK_MAX_ID) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "secret id \"%V\" is too long", &id);
            return NGX_CONF_ERROR;
        }

        for (i = 0; i < id.len; i++) {
            c = ngx_tolower(id.data[i]);

            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                  || c == '_' || c == '-' || c == '.'))
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid secret id \"%V\", only letters, "
                                   "digits, \"_\", \"-\" and \".\" "
                                   "are allowed", &id);
                return NGX_CONF_ERROR;
            }
        }

    } else {
        id.data = ngx_pnalloc(cf->pool, NGX_INT_T_LEN);
        if (id.data == NULL) {
            return NGX_CONF_ERROR;
        }

        id.len = ngx_sprintf(id.data, "%ui", iwcf->secrets->nelts + 1)
                 - id.data;
    }

    s = iwcf->secrets->elts;

    for (i = 0; i < iwcf->secrets->nelts; i++) {
        if (s[i].id.len == id.len
            && ngx_strncmp(s[i].id.data, id.data, id.len) == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "duplicate secret id \"%V\"", &id);
            return NGX_CONF_ERROR;
        }
    }

    secret = ngx_array_push(iwcf->secrets);
    if (secret == NULL) {
        return NGX_CONF_ERROR;
    }

    secret->id = id;

    if (cmd->offset == 1) {
        rv = ngx_http_intercom_webhook_secret_read(cf, &value[1], &key);
        if (rv != NGX_CONF_OK) {
            return rv;
        }

    } else {
        key = value[1];

        if (key.len == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "empty secret in \"%V\"", &cmd->name);
            return NGX_CONF_ERROR;
        }
    }

    rc = ngx_http_intercom_webhook_secret_init(secret, key.data, key.len,
                                               cf->pool);

    if (cmd->offset == 1) {
        OPENSSL_cleanse(key.data, key.len);
    }

    if (rc != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "cannot make an HMAC-SHA1 context for "
                           "the secret \"%V\"", &id);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_intercom_webhook_secret_read(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *key)
{
    u_char           *buf;
    size_t            len;
    ssize_t           n;
    ngx_fd_t          fd;
    ngx_str_t         file;
    ngx_file_info_t   fi;

    file = *name;

    if (file.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "empty secret file name");
        return NGX_CONF_ERROR;
    }

    if (ngx_conf_full_name(cf->cycle, &file, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    fd = ngx_open_file(file.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

    if (fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_open_file_n " \"%s\" failed", file.data);
        return NGX_CONF_ERROR;
    }

    buf = NULL;
    n = 0;

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_fd_info_n " \"%s\" failed", file.data);
        goto failed;
    }

    if (ngx_file_size(&fi) > NGX_HTTP_INTERCOM_WEBHOOK_MAX_SECRET) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "secret file \"%s\" is too large, "
                           "a secret of at most %d bytes is expected",
                           file.data, NGX_HTTP_INTERCOM_WEBHOOK_MAX_SECRET);
        goto failed;
    }

    buf = ngx_pnalloc(cf->temp_pool, NGX_HTTP_INTERCOM_WEBHOOK_MAX_SECRET + 1);
    if (buf == NULL) {
        goto failed;
    }

    n = ngx_read_fd(fd, buf, NGX_HTTP_INTERCOM_WEBHOOK_MAX_SECRET + 1);

    if (n == -1) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_read_fd_n " \"%s\" failed", file.data);
        goto failed;
    }

    if (n > NGX_HTTP_INTERCOM_WEBHOOK_MAX_SECRET) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "secret file \"%s\" is too large", file.data);
        goto failed;
    }

    if (ngx_close_file(fd) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_ALERT, cf, ngx_errno,
                           ngx_close_file_n " \"%s\" failed", file.data);
    }

    /* a trailing newline and white space are not part of the secret */

    len = n;

    while (len
           && (buf[len - 1] == ' ' || buf[len - 1] == '\t'
               || buf[len - 1] == CR || buf[len - 1] == LF))
    {
        len--;
    }

    if (len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "empty secret in \"%s\"", file.data);
        OPENSSL_cleanse(buf, n);
        return NGX_CONF_ERROR;
    }

    /* the bytes after the secret are wiped now, the secret after use */

    OPENSSL_cleanse(buf + len, n - len);

    key->data = buf;
    key->len = len;

    return NGX_CONF_OK;

failed:

    if (buf && n > 0) {
        OPENSSL_cleanse(buf, n);
    }

    if (ngx_close_file(fd) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_ALERT, cf, ngx_errno,
                           ngx_close_file_n " \"%s\" failed", file.data);
    }

    return NGX_CONF_ERROR;
}


static char *
ngx_http_intercom_webhook_allow(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_intercom_webhook_loc_conf_t *iwcf = conf;

    ngx_int_t   rc;
    ngx_str_t  *value;

    value = cf->args->elts;

    if (iwcf->allow == NGX_CONF_UNSET_PTR) {
        iwcf->allow = ngx_pcalloc(cf->pool,
                                  sizeof(ngx_http_intercom_webhook_allow_t));
        if (iwcf->allow == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    rc = ngx_http_intercom_webhook_allow_add(iwcf->allow, &value[1], cf->pool);

    if (rc == NGX_ERROR) {
        return NGX_CONF_ERROR;
    }

    if (rc == NGX_DECLINED) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid parameter \"%V\", an address, a CIDR "
                           "block, \"intercom\", \"intercom_us\", "
                           "\"intercom_eu\", \"intercom_au\" or \"all\" "
                           "is expected", &value[1]);
        return NGX_CONF_ERROR;
    }

    if (rc == NGX_DONE) {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "low address bits of %V are meaningless",
                           &value[1]);
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_intercom_webhook_topics(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_intercom_webhook_loc_conf_t *iwcf = conf;

    ngx_str_t                          *value;
    ngx_uint_t                          i;
    ngx_http_intercom_webhook_topic_t  *topic;

    if (iwcf->topics != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    iwcf->topics = ngx_array_create(cf->pool, cf->args->nelts - 1,
                                    sizeof(ngx_http_intercom_webhook_topic_t));
    if (iwcf->topics == NULL) {
        return NGX_CONF_ERROR;
    }

    for (i = 1; i < cf->args->nelts; i++) {
        topic = ngx_array_push(iwcf->topics);
        if (topic == NULL) {
            return NGX_CONF_ERROR;
        }

        if (ngx_http_intercom_webhook_topic_pattern(&value[i], topic)
            != NGX_OK)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid topic pattern \"%V\", a topic, "
                               "\"prefix.*\" or \"*\" is expected",
                               &value[i]);
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_intercom_webhook_header(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_intercom_webhook_loc_conf_t *iwcf = conf;

    u_char                                    c;
    ngx_int_t                                 rc;
    ngx_str_t                                *value, *name;
    ngx_uint_t                                i;
    ngx_http_header_t                        *known;
    ngx_http_intercom_webhook_fields_t        fields;
    ngx_http_intercom_webhook_header_conf_t  *hc;

    value = cf->args->elts;
    name = &value[1];

    if (name->len == 0) {
        goto invalid;
    }

    for (i = 0; i < name->len; i++) {
        c = ngx_tolower(name->data[i]);

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
            goto invalid;
        }
    }

    /*
     * headers that nginx itself handles (Host, Content-Length, ...)
     * and the signature cannot be set from the payload
     */

    for (known = ngx_http_headers_in; known->name.len; known++) {
        if (known->name.len == name->len
            && ngx_strncasecmp(known->name.data, name->data, name->len) == 0)
        {
            goto reserved;
        }
    }

    if (name->len == ngx_http_intercom_webhook_signature.len
        && ngx_strncasecmp(name->data, ngx_http_intercom_webhook_signature.data,
                           name->len)
           == 0)
    {
        goto reserved;
    }

    if (iwcf->header_conf == NGX_CONF_UNSET_PTR) {
        iwcf->header_conf = ngx_array_create(cf->pool, 4,
                              sizeof(ngx_http_intercom_webhook_header_conf_t));
        if (iwcf->header_conf == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    hc = iwcf->header_conf->elts;

    for (i = 0; i < iwcf->header_conf->nelts; i++) {
        if (hc[i].name.len == name->len
            && ngx_strncasecmp(hc[i].name.data, name->data, name->len) == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "duplicate header \"%V\"", name);
            return NGX_CONF_ERROR;
        }
    }

    hc = ngx_array_push(iwcf->header_conf);
    if (hc == NULL) {
        return NGX_CONF_ERROR;
    }

    hc->name = *name;

    if (value[2].len == 3 && ngx_strncmp(value[2].data, "off", 3) == 0) {
        ngx_str_null(&hc->path);
        return NGX_CONF_OK;
    }

    /* the path is checked here, to report it at its line */

    ngx_memzero(&fields, sizeof(ngx_http_intercom_webhook_fields_t));

    rc = ngx_http_intercom_webhook_fields_add(&fields, &value[2],
                                              cf->temp_pool);
    if (rc == NGX_ERROR) {
        return NGX_CONF_ERROR;
    }

    if (rc == NGX_DECLINED) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid payload path \"%V\"", &value[2]);
        return NGX_CONF_ERROR;
    }

    hc->path = value[2];

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid header name \"%V\"", name);
    return NGX_CONF_ERROR;

reserved:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "header \"%V\" cannot be set by \"%V\"",
                       name, &cmd->name);
    return NGX_CONF_ERROR;
}
