
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_intercom_webhook_module.h"


static ngx_int_t ngx_http_intercom_webhook_field_variable(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_intercom_webhook_secret_id_variable(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_intercom_webhook_result_variable(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_intercom_webhook_upstream_status_variable(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);


ngx_str_t  ngx_http_intercom_webhook_results[] = {
    ngx_null_string,
    ngx_string("accepted"),
    ngx_string("ignored"),
    ngx_string("ping"),
    ngx_string("validation"),
    ngx_string("forbidden"),
    ngx_string("unsigned"),
    ngx_string("bad_signature"),
    ngx_string("bad_payload"),
    ngx_string("method_not_allowed"),
    ngx_string("body_error"),
    ngx_string("error"),
    ngx_string("duplicate"),
    ngx_string("stale")
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

    { ngx_string("intercom_webhook_upstream_status"), NULL,
      ngx_http_intercom_webhook_upstream_status_variable,
      0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};

/* a variable for each field but "type", the three others, the end */
ngx_http_intercom_webhook_check(variables,
    ngx_http_intercom_webhook_nelts(ngx_http_intercom_webhook_vars)
    == NGX_HTTP_INTERCOM_WEBHOOK_TYPE + 3 + 1);


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
    ngx_uint_t                        n;
    ngx_http_intercom_webhook_ctx_t  *ctx;

    ctx = ngx_http_intercom_webhook_get_ctx(r);

    n = ctx ? ctx->result : NGX_HTTP_INTERCOM_WEBHOOK_NONE;

    if (n == NGX_HTTP_INTERCOM_WEBHOOK_NONE) {
        v->not_found = 1;
        return NGX_OK;
    }

    result = &ngx_http_intercom_webhook_results[n];

    v->len = result->len;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;
    v->data = result->data;

    return NGX_OK;
}


static ngx_int_t
ngx_http_intercom_webhook_upstream_status_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    u_char                           *p;
    ngx_http_intercom_webhook_ctx_t  *ctx;

    ctx = ngx_http_intercom_webhook_get_ctx(r);

    if (ctx == NULL || ctx->upstream_status == 0) {
        v->not_found = 1;
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, NGX_INT_T_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    v->len = ngx_sprintf(p, "%i", ctx->upstream_status) - p;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;
    v->data = p;

    return NGX_OK;
}


ngx_int_t
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
