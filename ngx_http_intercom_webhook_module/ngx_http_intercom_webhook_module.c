
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
static void ngx_http_intercom_webhook_unused(ngx_conf_t *cf,
    ngx_http_intercom_webhook_main_conf_t *iwmcf);
static void *ngx_http_intercom_webhook_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_intercom_webhook_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_intercom_webhook_merge_loc_conf(ngx_conf_t *cf,
    void *parent, void *child);
static ngx_int_t ngx_http_intercom_webhook_compile(ngx_conf_t *cf,
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
      ngx_http_intercom_webhook_set_enum,
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
      ngx_http_intercom_webhook_set_enum,
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
      ngx_http_intercom_webhook_set_enum,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_intercom_webhook_loc_conf_t, log_level),
      &ngx_http_intercom_webhook_log_levels },

    { ngx_string("intercom_webhook_redis"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_intercom_webhook_redis,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("intercom_webhook_enqueue"),
      NGX_HTTP_LOC_CONF|NGX_CONF_2MORE,
      ngx_http_intercom_webhook_enqueue,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

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

/* a path for each field, in the order of the field enum */
ngx_http_intercom_webhook_check(paths,
    ngx_http_intercom_webhook_nelts(ngx_http_intercom_webhook_paths)
    == NGX_HTTP_INTERCOM_WEBHOOK_NFIELDS);


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
 * Every location has been merged by now: the locations where the module
 * is on get their fields, headers and counters, and the gate goes into
 * the precontent phase.  Handlers of a phase run in the reverse order of
 * their registration, and this module's postconfiguration runs after
 * those of nginx's own modules (it is a filter module, and a dynamic
 * module comes after every built-in one), so the gate runs before
 * try_files and mirror.
 */

static ngx_int_t
ngx_http_intercom_webhook_init(ngx_conf_t *cf)
{
    ngx_uint_t                              i;
    ngx_http_handler_pt                    *h;
    ngx_http_core_main_conf_t              *cmcf;
    ngx_http_intercom_webhook_location_t   *loc;
    ngx_http_intercom_webhook_loc_conf_t   *iwcf;
    ngx_http_intercom_webhook_main_conf_t  *iwmcf;

    iwmcf = ngx_http_conf_get_module_main_conf(cf,
                                             ngx_http_intercom_webhook_module);

    ngx_http_intercom_webhook_unused(cf, iwmcf);

    if (ngx_http_intercom_webhook_redis_init(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    if (iwmcf->locations.nelts == 0) {
        return NGX_OK;
    }

    /* the compiled-in addresses, and their date, once per load */

    ngx_http_intercom_webhook_preset_notice(cf, iwmcf);

    loc = iwmcf->locations.elts;

    for (i = 0; i < iwmcf->locations.nelts; i++) {
        iwcf = loc[i].iwcf;

        /* the counters: in the zone of "status=", or of de-duplication */

        iwcf->status = iwcf->gate->status ? iwcf->gate->status : iwcf->dedup;

        if (iwcf->status
            && ngx_http_intercom_webhook_zone_use(cf, iwcf->status, iwcf)
               != NGX_OK)
        {
            return NGX_ERROR;
        }

        if (ngx_http_intercom_webhook_compile(cf, iwcf) != NGX_OK) {
            return NGX_ERROR;
        }

        /* the gate enforces client_max_body_size, and its 413 is final */

        iwcf->max_body = loc[i].clcf->client_max_body_size;
        loc[i].clcf->client_max_body_size = 0;
    }

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_PRECONTENT_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_intercom_webhook_gate;

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_LOG_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_intercom_webhook_log_handler;

    if (ngx_http_intercom_webhook_gate_init(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_intercom_webhook_filter_init(cf);
}


/*
 * Request-path directives at the http or server level are defaults for
 * the locations below: in a server where no location turns the module
 * on, they are probably meant for a location that forgot to.
 */

static void
ngx_http_intercom_webhook_unused(ngx_conf_t *cf,
    ngx_http_intercom_webhook_main_conf_t *iwmcf)
{
    ngx_uint_t                              i, j;
    ngx_http_intercom_webhook_server_t     *srv;
    ngx_http_intercom_webhook_location_t   *loc;

    srv = iwmcf->servers.elts;
    loc = iwmcf->locations.elts;

    for (i = 0; i < iwmcf->servers.nelts; i++) {

        for (j = 0; j < iwmcf->locations.nelts; j++) {
            if (loc[j].cscf == srv[i].cscf) {
                break;
            }
        }

        if (j < iwmcf->locations.nelts) {
            continue;
        }

        ngx_log_error(NGX_LOG_WARN, cf->log, 0,
                      "\"%V\" in %V:%ui has no effect in server \"%V\" "
                      "in %s:%ui: none of its locations has "
                      "\"intercom_webhook on\"",
                      &srv[i].where.name, &srv[i].where.file,
                      srv[i].where.line, &srv[i].cscf->server_name,
                      srv[i].cscf->file_name, srv[i].cscf->line);
    }
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

    if (ngx_array_init(&iwmcf->servers, cf->pool, 2,
                       sizeof(ngx_http_intercom_webhook_server_t))
        != NGX_OK)
    {
        return NULL;
    }

    if (ngx_array_init(&iwmcf->redis, cf->pool, 1,
                       sizeof(ngx_http_intercom_webhook_redis_t *))
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
     *     conf->enable = 0;
     *     conf->where = { { 0, NULL }, { 0, NULL }, 0 };
     *     conf->fields = NULL;
     *     conf->headers = NULL;
     *     conf->status = NULL;
     *     conf->counters = NULL;
     *     conf->dedup_redis = NULL;
     *     conf->redis_log = 0;
     */

    conf->gate = NGX_CONF_UNSET_PTR;
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
    ngx_http_core_loc_conf_t               *clcf;
    ngx_http_core_srv_conf_t               *cscf;
    ngx_http_intercom_webhook_where_t       here;
    ngx_http_intercom_webhook_server_t     *srv;
    ngx_http_intercom_webhook_location_t   *loc;
    ngx_http_intercom_webhook_main_conf_t  *iwmcf;

    /* "intercom_webhook" is inherited whole by nested blocks */

    ngx_conf_merge_ptr_value(conf->gate, prev->gate, NULL);

    conf->enable = (conf->gate && conf->gate->enable);

    here = conf->where;

    if (conf->where.name.len == 0) {
        conf->where = prev->where;
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
        conf->dedup_redis = prev->dedup_redis;

        if (conf->dedup_ttl == NGX_CONF_UNSET) {
            conf->dedup_ttl = prev->dedup_ttl;
        }

    } else if (conf->dedup_ttl == NGX_CONF_UNSET) {

        /* a zone or Redis of its own: not the ttl given with the parent's */

        conf->dedup_ttl = 3600;
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

    /* what is merged now: a server's level, or a location */

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    cscf = ngx_http_conf_get_module_srv_conf(cf, ngx_http_core_module);

    iwmcf = ngx_http_conf_get_module_main_conf(cf,
                                             ngx_http_intercom_webhook_module);

    if (cscf->ctx->loc_conf[ngx_http_core_module.ctx_index] == clcf) {

        if (conf->where.name.len) {
            srv = ngx_array_push(&iwmcf->servers);
            if (srv == NULL) {
                return NGX_CONF_ERROR;
            }

            srv->cscf = cscf;
            srv->where = conf->where;
        }

        return NGX_CONF_OK;
    }

    if (!conf->enable) {

        /* fail closed: a location that looks guarded must be */

        if (here.name.len) {
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "\"%V\" in location \"%V\" needs "
                          "\"intercom_webhook on;\" in that location "
                          "(or in an enclosing one), else the location "
                          "passes unverified requests on; or move it to the "
                          "server level as a default, in %V:%ui",
                          &here.name, &clcf->name, &here.file, here.line);
            return NGX_CONF_ERROR;
        }

        return NGX_CONF_OK;
    }

    if (conf->secrets == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "no \"intercom_webhook_secret\" or "
                      "\"intercom_webhook_secret_file\" is defined "
                      "for \"intercom_webhook on\" in %V:%ui",
                      &conf->gate->file, conf->gate->line);
        return NGX_CONF_ERROR;
    }

    loc = ngx_array_push(&iwmcf->locations);
    if (loc == NULL) {
        return NGX_CONF_ERROR;
    }

    loc->clcf = clcf;
    loc->cscf = cscf;
    loc->iwcf = conf;

    conf->name = clcf->name;

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_intercom_webhook_compile(ngx_conf_t *cf,
    ngx_http_intercom_webhook_loc_conf_t *iwcf)
{
    ngx_int_t   slot;
    ngx_uint_t  i;

    iwcf->fields = ngx_pcalloc(cf->pool,
                               sizeof(ngx_http_intercom_webhook_fields_t));
    if (iwcf->fields == NULL) {
        return NGX_ERROR;
    }

    /* the fields of the variables take the first slots, in order */

    for (i = 0; i < NGX_HTTP_INTERCOM_WEBHOOK_NFIELDS; i++) {
        slot = ngx_http_intercom_webhook_fields_add(iwcf->fields,
                                       &ngx_http_intercom_webhook_paths[i],
                                       cf->pool);
        if (slot != (ngx_int_t) i) {
            return NGX_ERROR;
        }
    }

    return ngx_http_intercom_webhook_compile_headers(cf, iwcf);
}


/* a request-path directive: where it was first written in its block */

void
ngx_http_intercom_webhook_note(ngx_conf_t *cf, ngx_command_t *cmd,
    ngx_http_intercom_webhook_loc_conf_t *iwcf)
{
    if (iwcf->where.name.len) {
        return;
    }

    iwcf->where.name = cmd->name;
    iwcf->where.file = cf->conf_file->file.name;
    iwcf->where.line = cf->conf_file->line;
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
