
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_intercom_webhook_module.h"


static ngx_int_t ngx_http_intercom_webhook_init_module(ngx_cycle_t *cycle);
static ngx_int_t ngx_http_intercom_webhook_preconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_http_intercom_webhook_init(ngx_conf_t *cf);
static ngx_int_t ngx_http_intercom_webhook_guard(ngx_conf_t *cf,
    ngx_http_intercom_webhook_location_t *loc);
static ngx_int_t ngx_http_intercom_webhook_named(ngx_conf_t *cf,
    ngx_http_intercom_webhook_location_t *loc);
static void *ngx_http_intercom_webhook_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_intercom_webhook_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_intercom_webhook_merge_loc_conf(ngx_conf_t *cf,
    void *parent, void *child);
static char *ngx_http_intercom_webhook_compile(ngx_conf_t *cf,
    ngx_http_intercom_webhook_loc_conf_t *iwcf);
static void ngx_http_intercom_webhook_cleanup(void *data);


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


static ngx_conf_enum_t  ngx_http_intercom_webhook_modes[] = {
    { ngx_string("enforce"), NGX_HTTP_INTERCOM_WEBHOOK_MODE_ENFORCE },
    { ngx_string("report"), NGX_HTTP_INTERCOM_WEBHOOK_MODE_REPORT },
    { ngx_null_string, 0 }
};


static ngx_command_t  ngx_http_intercom_webhook_commands[] = {

    { ngx_string("intercom_webhook"),
      NGX_HTTP_LOC_CONF|NGX_CONF_TAKE12,
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

    { ngx_string("intercom_webhook_allow_file"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE12,
      ngx_http_intercom_webhook_allow_file,
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

    { ngx_string("intercom_webhook_unavailable"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE12,
      ngx_http_intercom_webhook_unavailable,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("intercom_webhook_zone"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_intercom_webhook_zone,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("intercom_webhook_dedup"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE12,
      ngx_http_intercom_webhook_dedup,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("intercom_webhook_max_age"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_intercom_webhook_max_age,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("intercom_webhook_mode"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_intercom_webhook_loc_conf_t, mode),
      &ngx_http_intercom_webhook_modes },

    { ngx_string("intercom_webhook_status"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_intercom_webhook_status,
      0,
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
    ngx_http_intercom_webhook_preconfiguration, /* preconfiguration */
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
    ngx_http_intercom_webhook_init_module, /* init module */
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


/* the version, in the error log at every start and reload */

static ngx_int_t
ngx_http_intercom_webhook_init_module(ngx_cycle_t *cycle)
{
    ngx_log_error(NGX_LOG_NOTICE, cycle->log, 0,
                  "ngx_http_intercom_webhook_module/"
                  NGX_HTTP_INTERCOM_WEBHOOK_VERSION);

    return NGX_OK;
}


static ngx_int_t
ngx_http_intercom_webhook_preconfiguration(ngx_conf_t *cf)
{
    return ngx_http_intercom_webhook_add_variables(cf);
}


/*
 * Every directive of every location has been read and merged by now, so
 * the content handler a location has besides the module is known, in
 * whatever order the directives were written: "on" keeps it and puts the
 * module in front of it; "@name" and a URI allow none.
 */

static ngx_int_t
ngx_http_intercom_webhook_init(ngx_conf_t *cf)
{
    ngx_uint_t                              i, forward;
    ngx_http_handler_pt                    *h;
    ngx_http_core_main_conf_t              *cmcf;
    ngx_http_intercom_webhook_location_t   *loc;
    ngx_http_intercom_webhook_main_conf_t  *iwmcf;

    iwmcf = ngx_http_conf_get_module_main_conf(cf,
                                             ngx_http_intercom_webhook_module);

    if (iwmcf->locations.nelts == 0) {
        return NGX_OK;
    }

    loc = iwmcf->locations.elts;
    forward = 0;

    for (i = 0; i < iwmcf->locations.nelts; i++) {

        if (ngx_http_intercom_webhook_guard(cf, &loc[i]) != NGX_OK) {
            return NGX_ERROR;
        }

        if (loc[i].iwcf->forward.len) {
            forward = 1;
        }
    }

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    if (forward) {
        /*
         * a redirected notification is "accepted" when the target's
         * rewrite phase is reached: after its client_max_body_size check,
         * and not at all on a redirection cycle
         */

        h = ngx_array_push(&cmcf->phases[NGX_HTTP_REWRITE_PHASE].handlers);
        if (h == NULL) {
            return NGX_ERROR;
        }

        *h = ngx_http_intercom_webhook_rewrite_handler;
    }

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_LOG_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_intercom_webhook_log_handler;

    return ngx_http_intercom_webhook_filter_init(cf);
}


static ngx_int_t
ngx_http_intercom_webhook_guard(ngx_conf_t *cf,
    ngx_http_intercom_webhook_location_t *loc)
{
    ngx_http_handler_pt                    handler;
    ngx_http_core_loc_conf_t              *clcf;
    ngx_http_intercom_webhook_loc_conf_t  *iwcf;

    clcf = loc->clcf;
    iwcf = loc->iwcf;
    handler = clcf->handler;

    if (iwcf->forward.len) {

        if (handler != NULL) {
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "\"intercom_webhook %V\" and another content "
                          "handler (such as \"proxy_pass\") in location "
                          "\"%V\" would forward unverified requests: "
                          "use \"intercom_webhook on\" with it in %V:%ui",
                          &iwcf->forward, &clcf->name, &iwcf->file,
                          iwcf->line);
            return NGX_ERROR;
        }

        if (!clcf->noname) {
            clcf->handler = ngx_http_intercom_webhook_handler;
        }

        if (iwcf->forward.data[0] == '@') {
            return ngx_http_intercom_webhook_named(cf, loc);
        }

        return NGX_OK;
    }

    if (handler == NULL) {

        /*
         * "if" and "limit_except" blocks without a handler of their own
         * keep the location's, which is the module's
         */

        if (clcf->noname && iwcf->parent && iwcf->parent->content_handler) {
            iwcf->content_handler = iwcf->parent->content_handler;
            return NGX_OK;
        }

        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "\"intercom_webhook on\" needs a content handler "
                      "(such as \"proxy_pass\") in location \"%V\" "
                      "to pass verified notifications to in %V:%ui",
                      &clcf->name, &iwcf->file, iwcf->line);
        return NGX_ERROR;
    }

    iwcf->content_handler = handler;
    clcf->handler = ngx_http_intercom_webhook_handler;

    return NGX_OK;
}


static ngx_int_t
ngx_http_intercom_webhook_named(ngx_conf_t *cf,
    ngx_http_intercom_webhook_location_t *loc)
{
    ngx_http_core_loc_conf_t              **clcfp;
    ngx_http_intercom_webhook_loc_conf_t   *iwcf;

    iwcf = loc->iwcf;

    for (clcfp = loc->cscf->named_locations; clcfp && *clcfp; clcfp++) {
        if ((*clcfp)->name.len == iwcf->forward.len
            && ngx_strncmp((*clcfp)->name.data, iwcf->forward.data,
                           iwcf->forward.len)
               == 0)
        {
            return NGX_OK;
        }
    }

    ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                  "named location \"%V\" of \"intercom_webhook\" "
                  "is not found in %V:%ui",
                  &iwcf->forward, &iwcf->file, iwcf->line);

    return NGX_ERROR;
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

    if (ngx_array_init(&iwmcf->locations, cf->pool, 4,
                       sizeof(ngx_http_intercom_webhook_location_t))
        != NGX_OK)
    {
        return NULL;
    }

    if (ngx_array_init(&iwmcf->zones, cf->pool, 2, sizeof(ngx_shm_zone_t *))
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
     *     conf->file = { 0, NULL };
     *     conf->line = 0;
     *     conf->fields = NULL;
     *     conf->headers = NULL;
     *     conf->content_handler = NULL;
     *     conf->parent = NULL;
     *     conf->status = NULL;
     *     conf->counters = NULL;
     */

    conf->enable = NGX_CONF_UNSET;
    conf->secrets = NGX_CONF_UNSET_PTR;
    conf->allow = NGX_CONF_UNSET_PTR;
    conf->topics = NGX_CONF_UNSET_PTR;
    conf->header_conf = NGX_CONF_UNSET_PTR;
    conf->ping = NGX_CONF_UNSET_UINT;
    conf->log_level = NGX_CONF_UNSET_UINT;
    conf->unavailable = NGX_CONF_UNSET;
    conf->retry_after = NGX_CONF_UNSET;
    conf->mode = NGX_CONF_UNSET_UINT;
    conf->max_age = NGX_CONF_UNSET;
    conf->dedup = NGX_CONF_UNSET_PTR;
    conf->dedup_ttl = NGX_CONF_UNSET;

    return conf;
}


static char *
ngx_http_intercom_webhook_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child)
{
    ngx_http_intercom_webhook_loc_conf_t *prev = parent;
    ngx_http_intercom_webhook_loc_conf_t *conf = child;

    ngx_str_t                               preset = ngx_string("intercom");
    ngx_http_intercom_webhook_location_t   *loc;
    ngx_http_intercom_webhook_main_conf_t  *iwmcf;

    if (conf->enable == NGX_CONF_UNSET) {

        /* a nested location, "if" or "limit_except" block inherits */

        conf->enable = (prev->enable == NGX_CONF_UNSET) ? 0 : prev->enable;
        conf->forward = prev->forward;
        conf->args = prev->args;
        conf->file = prev->file;
        conf->line = prev->line;
        conf->status = prev->status;
    }

    ngx_conf_merge_ptr_value(conf->secrets, prev->secrets, NULL);
    ngx_conf_merge_ptr_value(conf->topics, prev->topics, NULL);
    ngx_conf_merge_ptr_value(conf->header_conf, prev->header_conf, NULL);

    ngx_conf_merge_uint_value(conf->ping, prev->ping,
                              NGX_HTTP_INTERCOM_WEBHOOK_PING_RESPOND);
    ngx_conf_merge_uint_value(conf->log_level, prev->log_level, NGX_LOG_ERR);

    ngx_conf_merge_uint_value(conf->mode, prev->mode,
                              NGX_HTTP_INTERCOM_WEBHOOK_MODE_ENFORCE);
    ngx_conf_merge_value(conf->max_age, prev->max_age, 0);

    if (conf->dedup == NGX_CONF_UNSET_PTR) {
        conf->dedup = (prev->dedup == NGX_CONF_UNSET_PTR) ? NULL : prev->dedup;

        if (conf->dedup_ttl == NGX_CONF_UNSET) {
            conf->dedup_ttl = prev->dedup_ttl;
        }
    }

    ngx_conf_merge_value(conf->dedup_ttl, prev->dedup_ttl, 3600);

    if (conf->unavailable == NGX_CONF_UNSET) {
        if (prev->unavailable == NGX_CONF_UNSET) {
            conf->unavailable = NGX_HTTP_TOO_MANY_REQUESTS;
            conf->retry_after = 60;

        } else {
            conf->unavailable = prev->unavailable;
            conf->retry_after = prev->retry_after;
        }
    }

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

    if (!conf->enable) {
        return NGX_CONF_OK;
    }

    if (conf->secrets == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "no \"intercom_webhook_secret\" or "
                      "\"intercom_webhook_secret_file\" is defined "
                      "for \"intercom_webhook %s%V\" in %V:%ui",
                      conf->forward.len ? "" : "on", &conf->forward,
                      &conf->file, conf->line);
        return NGX_CONF_ERROR;
    }

    conf->parent = prev;

    iwmcf = ngx_http_conf_get_module_main_conf(cf,
                                             ngx_http_intercom_webhook_module);

    loc = ngx_array_push(&iwmcf->locations);
    if (loc == NULL) {
        return NGX_CONF_ERROR;
    }

    loc->clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    loc->cscf = ngx_http_conf_get_module_srv_conf(cf, ngx_http_core_module);
    loc->iwcf = conf;

    conf->name = loc->clcf->name;

    /* the counters: in the zone of "status=", or of de-duplication */

    if (conf->status == NULL) {
        conf->status = conf->dedup;
    }

    if (conf->status
        && ngx_http_intercom_webhook_zone_use(cf, conf->status, conf)
           != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    return ngx_http_intercom_webhook_compile(cf, conf);
}


static char *
ngx_http_intercom_webhook_compile(ngx_conf_t *cf,
    ngx_http_intercom_webhook_loc_conf_t *iwcf)
{
    ngx_int_t   slot;
    ngx_uint_t  i;

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

    if (ngx_http_intercom_webhook_compile_headers(cf, iwcf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


ngx_http_intercom_webhook_ctx_t *
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


ngx_http_intercom_webhook_ctx_t *
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
