
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_intercom_webhook_module.h"


/*
 * The shared zone: the de-duplication entries of notifications, in an
 * rbtree keyed by a hash of "app_id id" with an LRU queue, in the manner
 * of limit_req, and the counters of each location that keeps them there.
 * The counters are atomic and need no lock; the tree and the lists do.
 */


/* how long a copy being delivered blocks another */
#define NGX_HTTP_INTERCOM_WEBHOOK_IN_FLIGHT      60

#define NGX_HTTP_INTERCOM_WEBHOOK_FLIGHT         0
#define NGX_HTTP_INTERCOM_WEBHOOK_DELIVERED      1


typedef struct {
    u_char                              color;
    u_char                              state;
    u_short                             len;
    ngx_queue_t                         queue;
    time_t                              expire;
    ngx_atomic_uint_t                   owner;    /* the request's */
    u_char                              data[1];
} ngx_http_intercom_webhook_entry_t;


static ngx_int_t ngx_http_intercom_webhook_init_zone(
    ngx_shm_zone_t *shm_zone, void *data);
static ngx_http_intercom_webhook_counters_t *
    ngx_http_intercom_webhook_counters(ngx_http_intercom_webhook_zone_t *zone,
    ngx_str_t *name);
static void ngx_http_intercom_webhook_rbtree_insert_value(
    ngx_rbtree_node_t *temp, ngx_rbtree_node_t *node,
    ngx_rbtree_node_t *sentinel);
static ngx_rbtree_node_t *ngx_http_intercom_webhook_lookup(
    ngx_http_intercom_webhook_zone_t *zone, ngx_str_t *key, uint32_t hash);
static void ngx_http_intercom_webhook_expire(
    ngx_http_intercom_webhook_zone_t *zone, ngx_uint_t n);
static void ngx_http_intercom_webhook_delete(
    ngx_http_intercom_webhook_zone_t *zone, ngx_rbtree_node_t *node);
static ngx_atomic_uint_t ngx_http_intercom_webhook_owner(
    ngx_http_request_t *r);
static void ngx_http_intercom_webhook_dedup_cleanup(void *data);
static void ngx_http_intercom_webhook_count_name(
    ngx_http_intercom_webhook_zone_t *zone,
    ngx_http_intercom_webhook_counters_t *c, ngx_str_t *topic);


char *
ngx_http_intercom_webhook_zone(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    u_char                                 *p;
    ssize_t                                 size;
    ngx_str_t                              *value, name, s;
    ngx_shm_zone_t                         *shm_zone, **z;
    ngx_http_intercom_webhook_zone_t       *zone;
    ngx_http_intercom_webhook_main_conf_t  *iwmcf = conf;

    value = cf->args->elts;

    p = (u_char *) ngx_strchr(value[1].data, ':');

    if (p == NULL || p == value[1].data) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid zone \"%V\", \"name:size\" is expected",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    name.data = value[1].data;
    name.len = p - value[1].data;

    s.data = p + 1;
    s.len = value[1].data + value[1].len - s.data;

    size = ngx_parse_size(&s);

    if (size == NGX_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid zone size \"%V\"", &value[1]);
        return NGX_CONF_ERROR;
    }

    if (size < (ssize_t) (8 * ngx_pagesize)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "zone \"%V\" is too small", &value[1]);
        return NGX_CONF_ERROR;
    }

    if (ngx_http_intercom_webhook_find_zone(cf, &name)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "duplicate zone \"%V\"", &name);
        return NGX_CONF_ERROR;
    }

    zone = ngx_pcalloc(cf->pool, sizeof(ngx_http_intercom_webhook_zone_t));
    if (zone == NULL) {
        return NGX_CONF_ERROR;
    }

    if (ngx_array_init(&zone->users, cf->pool, 4, sizeof(void *)) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    shm_zone = ngx_shared_memory_add(cf, &name, size,
                                     &ngx_http_intercom_webhook_module);
    if (shm_zone == NULL) {
        return NGX_CONF_ERROR;
    }

    if (shm_zone->data) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "zone \"%V\" is already used by another module",
                           &name);
        return NGX_CONF_ERROR;
    }

    zone->shm_zone = shm_zone;

    shm_zone->init = ngx_http_intercom_webhook_init_zone;
    shm_zone->data = zone;

    z = ngx_array_push(&iwmcf->zones);
    if (z == NULL) {
        return NGX_CONF_ERROR;
    }

    *z = shm_zone;

    return NGX_CONF_OK;
}


ngx_shm_zone_t *
ngx_http_intercom_webhook_find_zone(ngx_conf_t *cf, ngx_str_t *name)
{
    ngx_uint_t                              i;
    ngx_shm_zone_t                        **z;
    ngx_http_intercom_webhook_main_conf_t  *iwmcf;

    iwmcf = ngx_http_conf_get_module_main_conf(cf,
                                             ngx_http_intercom_webhook_module);

    z = iwmcf->zones.elts;

    for (i = 0; i < iwmcf->zones.nelts; i++) {
        if (z[i]->shm.name.len == name->len
            && ngx_strncmp(z[i]->shm.name.data, name->data, name->len) == 0)
        {
            return z[i];
        }
    }

    return NULL;
}


/* the location keeps its counters in the zone: found at the zone's init */

ngx_int_t
ngx_http_intercom_webhook_zone_use(ngx_conf_t *cf, ngx_shm_zone_t *shm_zone,
    ngx_http_intercom_webhook_loc_conf_t *iwcf)
{
    ngx_http_intercom_webhook_zone_t       *zone;
    ngx_http_intercom_webhook_loc_conf_t  **user;

    zone = shm_zone->data;

    user = ngx_array_push(&zone->users);
    if (user == NULL) {
        return NGX_ERROR;
    }

    *user = iwcf;

    return NGX_OK;
}


char *
ngx_http_intercom_webhook_dedup(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_intercom_webhook_loc_conf_t *iwcf = conf;

    ngx_str_t       *value, s, name;
    ngx_uint_t       i;

    ngx_http_intercom_webhook_note(cf, cmd, iwcf);

    if (iwcf->dedup != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len == 3 && ngx_strncmp(value[1].data, "off", 3) == 0) {
        if (cf->args->nelts > 2) {
            return "takes no parameters after \"off\"";
        }

        iwcf->dedup = NULL;
        return NGX_CONF_OK;
    }

    ngx_str_null(&name);

    for (i = 1; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "zone=", 5) == 0) {
            name.data = value[i].data + 5;
            name.len = value[i].len - 5;
            continue;
        }

        if (ngx_strncmp(value[i].data, "ttl=", 4) == 0) {
            s.data = value[i].data + 4;
            s.len = value[i].len - 4;

            iwcf->dedup_ttl = ngx_parse_time(&s, 1);

            if (iwcf->dedup_ttl == (time_t) NGX_ERROR
                || iwcf->dedup_ttl == 0)
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid ttl \"%V\"", &value[i]);
                return NGX_CONF_ERROR;
            }

            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid parameter \"%V\"", &value[i]);
        return NGX_CONF_ERROR;
    }

    if (name.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" must have \"zone\" parameter",
                           &cmd->name);
        return NGX_CONF_ERROR;
    }

    iwcf->dedup = ngx_http_intercom_webhook_find_zone(cf, &name);

    if (iwcf->dedup == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "unknown zone \"%V\": \"intercom_webhook_zone\" "
                           "must declare it before", &name);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_intercom_webhook_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_http_intercom_webhook_zone_t  *ozone = data;

    size_t                                  len;
    ngx_int_t                               day;
    ngx_uint_t                              i, j, k;
    ngx_http_intercom_webhook_zone_t       *zone;
    ngx_http_intercom_webhook_secret_t     *secrets;
    ngx_http_intercom_webhook_counters_t   *c;
    ngx_http_intercom_webhook_named_count_t  *n;
    ngx_http_intercom_webhook_loc_conf_t  **user;

    zone = shm_zone->data;

    if (ozone) {
        /* a reload with the same size: entries and counters are kept */
        zone->sh = ozone->sh;
        zone->shpool = ozone->shpool;
        goto users;
    }

    zone->shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shm_zone->shm.exists) {
        zone->sh = zone->shpool->data;
        goto users;
    }

    zone->sh = ngx_slab_alloc(zone->shpool,
                              sizeof(ngx_http_intercom_webhook_shctx_t));
    if (zone->sh == NULL) {
        return NGX_ERROR;
    }

    zone->shpool->data = zone->sh;

    ngx_rbtree_init(&zone->sh->rbtree, &zone->sh->sentinel,
                    ngx_http_intercom_webhook_rbtree_insert_value);

    ngx_queue_init(&zone->sh->lru);
    ngx_queue_init(&zone->sh->counters);
    zone->sh->entries = 0;
    zone->sh->full = 0;

    len = sizeof(" in intercom_webhook_zone \"\"") + shm_zone->shm.name.len;

    zone->shpool->log_ctx = ngx_slab_alloc(zone->shpool, len);
    if (zone->shpool->log_ctx == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(zone->shpool->log_ctx, " in intercom_webhook_zone \"%V\"%Z",
                &shm_zone->shm.name);

    zone->shpool->log_nomem = 0;

users:

    user = zone->users.elts;

    for (i = 0; i < zone->users.nelts; i++) {

        c = ngx_http_intercom_webhook_counters(zone, &user[i]->name);
        if (c == NULL) {
            ngx_log_error(NGX_LOG_EMERG, shm_zone->shm.log, 0,
                          "intercom_webhook_zone \"%V\" is too small for "
                          "the counters of location \"%V\"",
                          &shm_zone->shm.name, &user[i]->name);
            return NGX_ERROR;
        }

        user[i]->counters = c;

        /* the date of the configuration now loaded, for the status */

        c->allow_date = 0;

        if (user[i]->allow->date.len) {
            day = ngx_http_intercom_webhook_ranges_day(&user[i]->allow->date);

            if (day != NGX_ERROR) {
                c->allow_date = (ngx_atomic_uint_t) day * 86400;
            }
        }

        /* each secret's counter is found by its id */

        secrets = user[i]->secrets->elts;

        for (j = 0; j < user[i]->secrets->nelts; j++) {

            for (k = 0; k < c->nsecrets; k++) {
                n = &c->secrets[k];

                if (n->len == secrets[j].id.len
                    && ngx_strncmp(n->name, secrets[j].id.data, n->len) == 0)
                {
                    break;
                }
            }

            if (k == c->nsecrets) {

                if (k == NGX_HTTP_INTERCOM_WEBHOOK_MAX_SECRETS) {
                    /* all slots were taken by ids over time: one restarts */
                    k = j;

                } else {
                    c->nsecrets++;
                }

                n = &c->secrets[k];
                n->len = (u_char) secrets[j].id.len;
                ngx_memcpy(n->name, secrets[j].id.data, n->len);
                n->count = 0;
            }

            user[i]->secret_slot[j] = k;
        }
    }

    return NGX_OK;
}


static ngx_http_intercom_webhook_counters_t *
ngx_http_intercom_webhook_counters(ngx_http_intercom_webhook_zone_t *zone,
    ngx_str_t *name)
{
    size_t                                 len;
    ngx_queue_t                           *q;
    ngx_http_intercom_webhook_counters_t  *c;

    len = ngx_min(name->len, NGX_HTTP_INTERCOM_WEBHOOK_NAME_LEN);

    for (q = ngx_queue_head(&zone->sh->counters);
         q != ngx_queue_sentinel(&zone->sh->counters);
         q = ngx_queue_next(q))
    {
        c = ngx_queue_data(q, ngx_http_intercom_webhook_counters_t, queue);

        if (c->len == len && ngx_strncmp(c->name, name->data, len) == 0) {
            return c;
        }
    }

    c = ngx_slab_calloc(zone->shpool,
                        sizeof(ngx_http_intercom_webhook_counters_t));
    if (c == NULL) {
        return NULL;
    }

    c->len = len;
    ngx_memcpy(c->name, name->data, len);

    ngx_queue_insert_tail(&zone->sh->counters, &c->queue);

    return c;
}


/*
 * NGX_OK: the notification goes on, and this request holds its entry
 * until the answer; NGX_DECLINED: it was delivered within the ttl;
 * NGX_BUSY: another copy is being delivered now.
 */

ngx_int_t
ngx_http_intercom_webhook_dedup_begin(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx)
{
    size_t                              n;
    u_char                             *p;
    time_t                              now;
    ngx_int_t                           rc;
    ngx_str_t                          *id, *app_id, key;
    ngx_uint_t                          tries;
    ngx_rbtree_node_t                  *node;
    ngx_pool_cleanup_t                 *cln;
    ngx_http_intercom_webhook_zone_t   *zone;
    ngx_http_intercom_webhook_entry_t  *e;

    id = &ctx->texts[NGX_HTTP_INTERCOM_WEBHOOK_ID];
    app_id = &ctx->texts[NGX_HTTP_INTERCOM_WEBHOOK_APP_ID];

    if (id->data == NULL || id->len == 0 || id->len > 255) {
        /* ping, or no id to know the notification by */
        return NGX_OK;
    }

    key.len = app_id->len + 1 + id->len;
    key.data = ngx_pnalloc(r->pool, key.len);
    if (key.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(key.data, app_id->data, app_id->len);
    *p++ = ' ';
    ngx_memcpy(p, id->data, id->len);

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    zone = iwcf->dedup->data;
    now = ngx_time();

    ctx->dedup_key = key;
    ctx->dedup_hash = ngx_crc32_short(key.data, key.len);

    ngx_shmtx_lock(&zone->shpool->mutex);

    ngx_http_intercom_webhook_expire(zone, 1);

    node = ngx_http_intercom_webhook_lookup(zone, &key, ctx->dedup_hash);

    if (node) {
        e = (ngx_http_intercom_webhook_entry_t *) &node->color;

        rc = (e->state == NGX_HTTP_INTERCOM_WEBHOOK_DELIVERED) ? NGX_DECLINED
                                                               : NGX_BUSY;

        ngx_shmtx_unlock(&zone->shpool->mutex);

        return rc;
    }

    n = offsetof(ngx_rbtree_node_t, color)
        + offsetof(ngx_http_intercom_webhook_entry_t, data)
        + key.len;

    for (tries = 0; /* void */ ; tries++) {

        node = ngx_slab_alloc_locked(zone->shpool, n);

        if (node || tries == 2) {
            break;
        }

        /* full: the oldest entries go first */

        ngx_http_intercom_webhook_expire(zone, 0);

        if (now - zone->sh->full >= 60) {
            zone->sh->full = now;
            ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                          "intercom webhook: zone \"%V\" is full, "
                          "the oldest de-duplication entries are dropped",
                          &iwcf->dedup->shm.name);
        }
    }

    if (node == NULL) {
        ngx_shmtx_unlock(&zone->shpool->mutex);

        /* no room at all: deliver rather than lose */
        return NGX_OK;
    }

    node->key = ctx->dedup_hash;

    e = (ngx_http_intercom_webhook_entry_t *) &node->color;

    e->len = (u_short) key.len;
    e->state = NGX_HTTP_INTERCOM_WEBHOOK_FLIGHT;
    e->expire = now + NGX_HTTP_INTERCOM_WEBHOOK_IN_FLIGHT;
    e->owner = ngx_http_intercom_webhook_owner(r);
    ngx_memcpy(e->data, key.data, key.len);

    ngx_rbtree_insert(&zone->sh->rbtree, node);
    ngx_queue_insert_head(&zone->sh->lru, &e->queue);
    zone->sh->entries++;

    ngx_shmtx_unlock(&zone->shpool->mutex);

    ctx->dedup_held = 1;

    cln->handler = ngx_http_intercom_webhook_dedup_cleanup;
    cln->data = r;

    return NGX_OK;
}


/*
 * The answer to a notification this request holds the entry of: a 2xx
 * marks it delivered for the ttl; anything else, or no answer at all,
 * lets the next copy through, as losing it is worse than a duplicate.
 */

void
ngx_http_intercom_webhook_dedup_end(ngx_http_request_t *r,
    ngx_http_intercom_webhook_ctx_t *ctx, ngx_uint_t delivered)
{
    ngx_rbtree_node_t                  *node;
    ngx_http_intercom_webhook_zone_t   *zone;
    ngx_http_intercom_webhook_entry_t  *e;

    if (!ctx->dedup_held) {
        return;
    }

    ctx->dedup_held = 0;

    zone = ctx->conf->dedup->data;

    ngx_shmtx_lock(&zone->shpool->mutex);

    node = ngx_http_intercom_webhook_lookup(zone, &ctx->dedup_key,
                                            ctx->dedup_hash);

    if (node) {
        e = (ngx_http_intercom_webhook_entry_t *) &node->color;

        if (e->state == NGX_HTTP_INTERCOM_WEBHOOK_FLIGHT
            && e->owner == ngx_http_intercom_webhook_owner(r))
        {
            if (delivered) {
                e->state = NGX_HTTP_INTERCOM_WEBHOOK_DELIVERED;
                e->expire = ngx_time() + ctx->conf->dedup_ttl;

                ngx_queue_remove(&e->queue);
                ngx_queue_insert_head(&zone->sh->lru, &e->queue);

            } else {
                ngx_http_intercom_webhook_delete(zone, node);
            }
        }
    }

    ngx_shmtx_unlock(&zone->shpool->mutex);
}


static void
ngx_http_intercom_webhook_dedup_cleanup(void *data)
{
    ngx_http_request_t *r = data;

    ngx_http_intercom_webhook_ctx_t  *ctx;

    ctx = ngx_http_intercom_webhook_get_ctx(r);

    if (ctx) {
        ngx_http_intercom_webhook_dedup_end(r, ctx, 0);
    }
}


static ngx_atomic_uint_t
ngx_http_intercom_webhook_owner(ngx_http_request_t *r)
{
    /* connection numbers are unique across workers */

    return (ngx_atomic_uint_t) r->connection->number * 1024
           + r->connection->requests;
}


static ngx_rbtree_node_t *
ngx_http_intercom_webhook_lookup(ngx_http_intercom_webhook_zone_t *zone,
    ngx_str_t *key, uint32_t hash)
{
    ngx_int_t                           rc;
    ngx_rbtree_node_t                  *node, *sentinel;
    ngx_http_intercom_webhook_entry_t  *e;

    node = zone->sh->rbtree.root;
    sentinel = zone->sh->rbtree.sentinel;

    while (node != sentinel) {

        if (hash < node->key) {
            node = node->left;
            continue;
        }

        if (hash > node->key) {
            node = node->right;
            continue;
        }

        e = (ngx_http_intercom_webhook_entry_t *) &node->color;

        rc = ngx_memn2cmp(key->data, e->data, key->len, (size_t) e->len);

        if (rc == 0) {
            if (e->expire < ngx_time()) {
                ngx_http_intercom_webhook_delete(zone, node);
                return NULL;
            }

            return node;
        }

        node = (rc < 0) ? node->left : node->right;
    }

    return NULL;
}


/*
 * n == 1: at most two expired entries from the LRU tail, as limit_req
 * does on each lookup; n == 0: the ten oldest, expired or not.
 */

static void
ngx_http_intercom_webhook_expire(ngx_http_intercom_webhook_zone_t *zone,
    ngx_uint_t n)
{
    time_t                              now;
    ngx_uint_t                          i;
    ngx_queue_t                        *q;
    ngx_rbtree_node_t                  *node;
    ngx_http_intercom_webhook_entry_t  *e;

    now = ngx_time();

    for (i = 0; i < (n ? 2 : 10); i++) {

        if (ngx_queue_empty(&zone->sh->lru)) {
            return;
        }

        q = ngx_queue_last(&zone->sh->lru);

        e = ngx_queue_data(q, ngx_http_intercom_webhook_entry_t, queue);

        if (n && e->expire >= now) {
            return;
        }

        node = (ngx_rbtree_node_t *)
                   ((u_char *) e - offsetof(ngx_rbtree_node_t, color));

        ngx_http_intercom_webhook_delete(zone, node);
    }
}


static void
ngx_http_intercom_webhook_delete(ngx_http_intercom_webhook_zone_t *zone,
    ngx_rbtree_node_t *node)
{
    ngx_http_intercom_webhook_entry_t  *e;

    e = (ngx_http_intercom_webhook_entry_t *) &node->color;

    ngx_queue_remove(&e->queue);
    ngx_rbtree_delete(&zone->sh->rbtree, node);
    ngx_slab_free_locked(zone->shpool, node);

    zone->sh->entries--;
}


static void
ngx_http_intercom_webhook_rbtree_insert_value(ngx_rbtree_node_t *temp,
    ngx_rbtree_node_t *node, ngx_rbtree_node_t *sentinel)
{
    ngx_rbtree_node_t                  **p;
    ngx_http_intercom_webhook_entry_t   *e, *et;

    for ( ;; ) {

        if (node->key < temp->key) {
            p = &temp->left;

        } else if (node->key > temp->key) {
            p = &temp->right;

        } else {
            e = (ngx_http_intercom_webhook_entry_t *) &node->color;
            et = (ngx_http_intercom_webhook_entry_t *) &temp->color;

            p = (ngx_memn2cmp(e->data, et->data, e->len, et->len) < 0)
                ? &temp->left : &temp->right;
        }

        if (*p == sentinel) {
            break;
        }

        temp = *p;
    }

    *p = node;
    node->parent = temp;
    node->left = sentinel;
    node->right = sentinel;
    ngx_rbt_red(node);
}


/* once per request, with its final outcome */

void
ngx_http_intercom_webhook_count(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx, ngx_uint_t result)
{
    ngx_int_t                              status;
    ngx_http_intercom_webhook_counters_t  *c;

    c = iwcf->counters;

    if (c == NULL || result >= NGX_HTTP_INTERCOM_WEBHOOK_NRESULTS) {
        return;
    }

    (void) ngx_atomic_fetch_add(&c->results[result], 1);

    if (ctx == NULL) {
        return;
    }

    if (ctx->secret >= 0) {
        (void) ngx_atomic_fetch_add(
                      &c->secrets[iwcf->secret_slot[ctx->secret]].count, 1);
        (void) ngx_atomic_fetch_add(&c->verified_bytes, ctx->bytes);
    }

    if (!ctx->handed) {
        return;
    }

    if (ctx->texts && ctx->texts[NGX_HTTP_INTERCOM_WEBHOOK_TOPIC].data) {
        ngx_http_intercom_webhook_count_name(iwcf->status->data, c,
                                &ctx->texts[NGX_HTTP_INTERCOM_WEBHOOK_TOPIC]);
    }

    status = ctx->upstream_status;

    if (status >= 100 && status < 600) {
        (void) ngx_atomic_fetch_add(&c->classes[status / 100], 1);
    }

    if (status == NGX_HTTP_INTERCOM_WEBHOOK_GONE) {
        (void) ngx_atomic_fetch_add(&c->gone, 1);

    } else if (r->headers_out.status != (ngx_uint_t) status
               && (status == NGX_HTTP_BAD_GATEWAY
                   || status == NGX_HTTP_SERVICE_UNAVAILABLE
                   || status == NGX_HTTP_GATEWAY_TIME_OUT))
    {
        (void) ngx_atomic_fetch_add(&c->unavailable, 1);
    }
}


/*
 * A topic's counter: found without the lock, as a slot's name is written
 * before the count of slots grows; a new topic takes a slot under the
 * lock, and topics beyond the slots count as "other".
 */

static void
ngx_http_intercom_webhook_count_name(ngx_http_intercom_webhook_zone_t *zone,
    ngx_http_intercom_webhook_counters_t *c, ngx_str_t *topic)
{
    ngx_uint_t                                i, n;
    ngx_http_intercom_webhook_named_count_t  *t;

    if (topic->len > NGX_HTTP_INTERCOM_WEBHOOK_TOPIC_LEN) {
        (void) ngx_atomic_fetch_add(&c->other_topics, 1);
        return;
    }

    n = c->ntopics;

    for (i = 0; i < n; i++) {
        t = &c->topics[i];

        if (t->len == topic->len
            && ngx_strncmp(t->name, topic->data, topic->len) == 0)
        {
            (void) ngx_atomic_fetch_add(&t->count, 1);
            return;
        }
    }

    ngx_shmtx_lock(&zone->shpool->mutex);

    for ( /* void */ ; i < c->ntopics; i++) {
        t = &c->topics[i];

        if (t->len == topic->len
            && ngx_strncmp(t->name, topic->data, topic->len) == 0)
        {
            break;
        }
    }

    if (i == NGX_HTTP_INTERCOM_WEBHOOK_TOPICS) {
        ngx_shmtx_unlock(&zone->shpool->mutex);
        (void) ngx_atomic_fetch_add(&c->other_topics, 1);
        return;
    }

    t = &c->topics[i];

    if (i == c->ntopics) {
        t->len = (u_char) topic->len;
        ngx_memcpy(t->name, topic->data, topic->len);
        t->count = 0;

        ngx_memory_barrier();

        c->ntopics = i + 1;
    }

    ngx_shmtx_unlock(&zone->shpool->mutex);

    (void) ngx_atomic_fetch_add(&t->count, 1);
}
