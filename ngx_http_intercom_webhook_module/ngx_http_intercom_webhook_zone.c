
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
 *
 * The counters have an area of their own, allocated first when the zone
 * is made and never given to entries: an eighth of the zone, or one row
 * at least.  Its size depends on the zone's size alone, which nginx keeps
 * the zone across a reload for, so that "nginx -t" knows whether a
 * configuration's locations fit, and a reload never finds the zone too
 * full for them.  A row is a location's, by its server's name and its
 * own; a reload finds it again, and a row no longer used is taken by a
 * new location when none was ever used.  The counters are atomic and need
 * no lock; the tree, the rows' names and the lists do.
 */


/* how long a copy being delivered blocks another */
#define NGX_HTTP_INTERCOM_WEBHOOK_IN_FLIGHT      60

/*
 * A full zone: the oldest entries looked at, how many freed at most, and
 * how many times, for a request, under the lock.
 */
#define NGX_HTTP_INTERCOM_WEBHOOK_EVICT_SCAN     100
#define NGX_HTTP_INTERCOM_WEBHOOK_EVICT          10
#define NGX_HTTP_INTERCOM_WEBHOOK_EVICT_TRIES    3

/* the warnings of a full zone, at most once in this many seconds */
#define NGX_HTTP_INTERCOM_WEBHOOK_FULL_LOG       60

#define NGX_HTTP_INTERCOM_WEBHOOK_FLIGHT         0
#define NGX_HTTP_INTERCOM_WEBHOOK_DELIVERED      1

/* Redis: the keys' prefix, and the scripts of a claim's end */
#define NGX_HTTP_INTERCOM_WEBHOOK_REDIS_PREFIX   "intercom:dedup:"

#define NGX_HTTP_INTERCOM_WEBHOOK_REDIS_DELIVERED                            \
    "if redis.call('GET', KEYS[1]) == ARGV[1] then "                         \
    "redis.call('SET', KEYS[1], 'd', 'PX', ARGV[2]) return 1 end return 0"

#define NGX_HTTP_INTERCOM_WEBHOOK_REDIS_RELEASE                              \
    "if redis.call('GET', KEYS[1]) == ARGV[1] then "                         \
    "return redis.call('DEL', KEYS[1]) end return 0"

/* "f:host/pid/random/n", but the host */
#define NGX_HTTP_INTERCOM_WEBHOOK_TOKEN_LEN                                   \
    (sizeof("f:///") - 1 + NGX_INT64_LEN + 16 + NGX_INT64_LEN)

/* the most bytes of a Redis error reply in the log */
#define NGX_HTTP_INTERCOM_WEBHOOK_REDIS_ERROR_LEN  128

/* the steps of de-duplication through Redis, for the log */
#define NGX_HTTP_INTERCOM_WEBHOOK_STEP_CLAIM     0
#define NGX_HTTP_INTERCOM_WEBHOOK_STEP_DELIVERED 1
#define NGX_HTTP_INTERCOM_WEBHOOK_STEP_RELEASE   2

/* the key of a notification of Intercom's, for the zone's limit */
#define NGX_HTTP_INTERCOM_WEBHOOK_TYPICAL_KEY                                 \
    "q3fz8k2m notif_00000000-0000-4000-9e37-79b97f4a7c15"


/* a location that keeps its counters in a zone */

typedef struct {
    ngx_str_t                              server;  /* its first server_name */
    ngx_str_t                              name;
    ngx_http_intercom_webhook_loc_conf_t  *iwcf;
} ngx_http_intercom_webhook_user_t;


/* the lengths fit the u_char they are kept in; an id fits a name slot */
ngx_http_intercom_webhook_check(zone_lengths,
    NGX_HTTP_INTERCOM_WEBHOOK_NAME_LEN <= 255
    && NGX_HTTP_INTERCOM_WEBHOOK_TOPIC_LEN <= 255
    && NGX_HTTP_INTERCOM_WEBHOOK_MAX_ID <= NGX_HTTP_INTERCOM_WEBHOOK_TOPIC_LEN);


/*
 * The bounds of the delivery's duration buckets, in milliseconds, but
 * +Inf's: Intercom lowers the priority of an endpoint slower than 500 ms
 * and fails a delivery after 5 s.
 */

ngx_msec_t  ngx_http_intercom_webhook_bounds[] = {
    50, 100, 250, 500, 1000, 2500, 5000, 10000
};

ngx_http_intercom_webhook_check(bounds,
    ngx_http_intercom_webhook_nelts(ngx_http_intercom_webhook_bounds)
    == NGX_HTTP_INTERCOM_WEBHOOK_BUCKETS - 1);


/* a Redis operation's time, in milliseconds: the buckets' upper bounds */

ngx_msec_t  ngx_http_intercom_webhook_redis_bounds[] = {
    1, 2, 5, 10, 25, 50, 100, 1000
};

ngx_http_intercom_webhook_check(redis_bounds,
    ngx_http_intercom_webhook_nelts(ngx_http_intercom_webhook_redis_bounds)
    == NGX_HTTP_INTERCOM_WEBHOOK_BUCKETS - 1);


/* what a failed Redis operation did, by outcome, and a value not ours */

static char  *ngx_http_intercom_webhook_redis_outcomes[] = {
    "answered",
    "answered an error",
    "timed out",
    "was unavailable",
    "answered a value this module does not set"
};

ngx_http_intercom_webhook_check(redis_outcomes,
    ngx_http_intercom_webhook_nelts(ngx_http_intercom_webhook_redis_outcomes)
    == NGX_HTTP_INTERCOM_WEBHOOK_REDIS_NOUTCOMES + 1);


static char  *ngx_http_intercom_webhook_redis_steps[] = {
    "the claim of a notification",
    "the mark of a notification delivered",
    "the release of a notification not delivered"
};

static char  *ngx_http_intercom_webhook_redis_then[] = {
    "it is passed on without de-duplication",
    "a copy of it may be passed on again",
    "its copies wait until the claim expires"
};

ngx_http_intercom_webhook_check(redis_steps,
    ngx_http_intercom_webhook_nelts(ngx_http_intercom_webhook_redis_steps)
    == NGX_HTTP_INTERCOM_WEBHOOK_STEP_RELEASE + 1
    && ngx_http_intercom_webhook_nelts(ngx_http_intercom_webhook_redis_then)
    == NGX_HTTP_INTERCOM_WEBHOOK_STEP_RELEASE + 1);


typedef struct {
    u_char                              color;
    u_char                              state;
    u_short                             len;
    ngx_queue_t                         queue;
    time_t                              expire;
    uint64_t                            owner;    /* the request's */
    u_char                              data[1];
} ngx_http_intercom_webhook_entry_t;


static ngx_int_t ngx_http_intercom_webhook_init_zone(
    ngx_shm_zone_t *shm_zone, void *data);
static ngx_uint_t ngx_http_intercom_webhook_rows(ngx_shm_zone_t *shm_zone);
static ngx_uint_t ngx_http_intercom_webhook_limit(ngx_slab_pool_t *shpool);
static ngx_int_t ngx_http_intercom_webhook_init_rows(
    ngx_http_intercom_webhook_zone_t *zone);
static ngx_http_intercom_webhook_counters_t *
    ngx_http_intercom_webhook_find_row(ngx_http_intercom_webhook_zone_t *zone,
    ngx_http_intercom_webhook_user_t *user, ngx_uint_t create);
static void ngx_http_intercom_webhook_init_secrets(
    ngx_http_intercom_webhook_counters_t *c,
    ngx_http_intercom_webhook_loc_conf_t *iwcf);
static void ngx_http_intercom_webhook_rbtree_insert_value(
    ngx_rbtree_node_t *temp, ngx_rbtree_node_t *node,
    ngx_rbtree_node_t *sentinel);
static ngx_rbtree_node_t *ngx_http_intercom_webhook_lookup(
    ngx_http_intercom_webhook_zone_t *zone, ngx_str_t *key, uint32_t hash);
static void ngx_http_intercom_webhook_expire(
    ngx_http_intercom_webhook_zone_t *zone);
static ngx_uint_t ngx_http_intercom_webhook_evict(
    ngx_http_intercom_webhook_zone_t *zone);
static void ngx_http_intercom_webhook_delete(
    ngx_http_intercom_webhook_zone_t *zone, ngx_rbtree_node_t *node);
static uint64_t ngx_http_intercom_webhook_owner(void);
static void ngx_http_intercom_webhook_dedup_release(
    ngx_http_intercom_webhook_dedup_t *d, ngx_uint_t delivered);
static void ngx_http_intercom_webhook_dedup_cleanup(void *data);
static ngx_int_t ngx_http_intercom_webhook_redis_token(ngx_http_request_t *r,
    ngx_str_t *token);
static ngx_int_t ngx_http_intercom_webhook_dedup_id(ngx_http_request_t *r,
    ngx_http_intercom_webhook_ctx_t *ctx,
    ngx_http_intercom_webhook_value_t *values, ngx_uint_t slot,
    ngx_str_t *text);
static void ngx_http_intercom_webhook_claim_handler(
    ngx_http_intercom_webhook_redis_op_t *op);
static void ngx_http_intercom_webhook_redis_release(
    ngx_http_intercom_webhook_dedup_t *d, ngx_uint_t delivered);
static void ngx_http_intercom_webhook_delivered_handler(
    ngx_http_intercom_webhook_redis_op_t *op);
static void ngx_http_intercom_webhook_released_handler(
    ngx_http_intercom_webhook_redis_op_t *op);
static void ngx_http_intercom_webhook_redis_warn(ngx_log_t *log,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_redis_op_t *op, ngx_uint_t step);
static void ngx_http_intercom_webhook_count_topic(
    ngx_http_intercom_webhook_zone_t *zone,
    ngx_http_intercom_webhook_counters_t *c, ngx_str_t *topic,
    ngx_uint_t ignored);


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
                           "invalid zone size \"%V\", \"name:size\" with "
                           "a size such as \"1m\" is expected", &value[1]);
        return NGX_CONF_ERROR;
    }

    if (size < (ssize_t) (8 * ngx_pagesize)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "zone \"%V\" is too small, the minimum size is "
                           "%uzk", &value[1], 8 * ngx_pagesize / 1024);
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

    if (ngx_array_init(&zone->users, cf->pool, 4,
                       sizeof(ngx_http_intercom_webhook_user_t))
        != NGX_OK)
    {
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


/*
 * The location keeps its counters in the zone, in the row of its server's
 * name and its own, found at the zone's init; locations of one name in
 * servers of one name (on ports 80 and 443, say) share a row.  Whether
 * the rows fit is known here, from the zone's size alone.
 */

ngx_int_t
ngx_http_intercom_webhook_zone_use(ngx_conf_t *cf, ngx_shm_zone_t *shm_zone,
    ngx_http_intercom_webhook_loc_conf_t *iwcf)
{
    ngx_uint_t                              i, rows;
    ngx_str_t                               server;
    ngx_http_intercom_webhook_zone_t       *zone;
    ngx_http_intercom_webhook_user_t       *user, *u;
    ngx_http_intercom_webhook_location_t   *loc;
    ngx_http_intercom_webhook_main_conf_t  *iwmcf;

    zone = shm_zone->data;

    /* the location's server, as the checks of the locations know it */

    iwmcf = ngx_http_conf_get_module_main_conf(cf,
                                             ngx_http_intercom_webhook_module);

    ngx_str_null(&server);
    loc = iwmcf->locations.elts;

    for (i = 0; i < iwmcf->locations.nelts; i++) {
        if (loc[i].iwcf == iwcf) {
            server = loc[i].cscf->server_name;
            break;
        }
    }

    user = ngx_array_push(&zone->users);
    if (user == NULL) {
        return NGX_ERROR;
    }

    /* the names as the row keeps them */

    user->iwcf = iwcf;
    user->server.data = server.data;
    user->server.len = ngx_min(server.len, NGX_HTTP_INTERCOM_WEBHOOK_NAME_LEN);
    user->name.data = iwcf->name.data;
    user->name.len = ngx_min(iwcf->name.len,
                             NGX_HTTP_INTERCOM_WEBHOOK_NAME_LEN);

    u = zone->users.elts;

    for (i = 0; i < zone->users.nelts - 1; i++) {
        if (u[i].server.len == user->server.len
            && u[i].name.len == user->name.len
            && ngx_strncmp(u[i].server.data, user->server.data,
                           user->server.len) == 0
            && ngx_strncmp(u[i].name.data, user->name.data, user->name.len)
               == 0)
        {
            return NGX_OK;
        }
    }

    zone->rows++;

    rows = ngx_http_intercom_webhook_rows(shm_zone);

    if (zone->rows > rows) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "intercom_webhook_zone \"%V\" of %uz bytes has room "
                      "for the counters of %ui locations, location \"%V\" "
                      "of server \"%V\" is one more: make it larger by "
                      "%uz bytes for each location",
                      &shm_zone->shm.name, shm_zone->shm.size, rows,
                      &iwcf->name, &server,
                      NGX_HTTP_INTERCOM_WEBHOOK_COUNTERS_SHARE
                      * sizeof(ngx_http_intercom_webhook_counters_t));
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* the rows of the counters' area, from the zone's size alone */

static ngx_uint_t
ngx_http_intercom_webhook_rows(ngx_shm_zone_t *shm_zone)
{
    ngx_uint_t  rows;

    rows = shm_zone->shm.size / NGX_HTTP_INTERCOM_WEBHOOK_COUNTERS_SHARE
           / sizeof(ngx_http_intercom_webhook_counters_t);

    return rows ? rows : 1;
}


char *
ngx_http_intercom_webhook_dedup(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_intercom_webhook_loc_conf_t *iwcf = conf;

    ngx_str_t       *value, s, name, redis;
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
        iwcf->dedup_redis = NULL;
        return NGX_CONF_OK;
    }

    ngx_str_null(&name);
    ngx_str_null(&redis);

    for (i = 1; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "zone=", 5) == 0) {
            name.data = value[i].data + 5;
            name.len = value[i].len - 5;
            continue;
        }

        if (ngx_strncmp(value[i].data, "redis=", 6) == 0) {
            redis.data = value[i].data + 6;
            redis.len = value[i].len - 6;
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
                                   "invalid ttl \"%V\", \"ttl=time\" with "
                                   "a time such as \"1h\" is expected",
                                   &value[i]);
                return NGX_CONF_ERROR;
            }

            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid parameter \"%V\", \"zone=name\", "
                           "\"redis=name\" or \"ttl=time\" is expected",
                           &value[i]);
        return NGX_CONF_ERROR;
    }

    if (name.len && redis.len) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" takes \"zone=name\" or \"redis=name\", "
                           "not both", &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (redis.len) {

        /* the notifications of the fleet: one Redis, shared */

        iwcf->dedup = NULL;
        iwcf->dedup_redis = ngx_http_intercom_webhook_redis_find(cf, &redis);

        /* a name not declared (yet) is checked in postconfiguration */

        if (iwcf->dedup_redis == NULL) {
            return NGX_CONF_ERROR;
        }

        return NGX_CONF_OK;
    }

    if (name.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" must have the \"zone=name\" or the "
                           "\"redis=name\" parameter, \"%V zone=name "
                           "[ttl=time];\", \"%V redis=name [ttl=time];\" or "
                           "\"%V off;\" is expected", &cmd->name, &cmd->name,
                           &cmd->name, &cmd->name);
        return NGX_CONF_ERROR;
    }

    iwcf->dedup_redis = NULL;
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

    size_t                             len, size;
    ngx_uint_t                         rows;
    ngx_http_intercom_webhook_zone_t  *zone;

    zone = shm_zone->data;

    if (ozone) {
        /* a reload with the same size: entries and counters are kept */
        zone->sh = ozone->sh;
        zone->shpool = ozone->shpool;
        return ngx_http_intercom_webhook_init_rows(zone);
    }

    zone->shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shm_zone->shm.exists) {
        zone->sh = zone->shpool->data;
        return ngx_http_intercom_webhook_init_rows(zone);
    }

    zone->sh = ngx_slab_calloc(zone->shpool,
                               sizeof(ngx_http_intercom_webhook_shctx_t));
    if (zone->sh == NULL) {
        return NGX_ERROR;
    }

    zone->shpool->data = zone->sh;

    /* the counters' area first, while the zone is empty */

    rows = ngx_http_intercom_webhook_rows(shm_zone);
    size = rows * sizeof(ngx_http_intercom_webhook_counters_t);

    zone->sh->counters = ngx_slab_calloc(zone->shpool, size);
    if (zone->sh->counters == NULL) {
        return NGX_ERROR;
    }

    zone->sh->ncounters = rows;

    ngx_rbtree_init(&zone->sh->rbtree, &zone->sh->sentinel,
                    ngx_http_intercom_webhook_rbtree_insert_value);

    ngx_queue_init(&zone->sh->lru);
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

    zone->sh->limit = ngx_http_intercom_webhook_limit(zone->shpool);

    return ngx_http_intercom_webhook_init_rows(zone);
}


/*
 * The entries the zone holds, when it is made: each of Intercom's
 * notifications takes a slot of the slab's size for it, in a free page or
 * one of that size already in use.
 */

static ngx_uint_t
ngx_http_intercom_webhook_limit(ngx_slab_pool_t *shpool)
{
    size_t            n;
    ngx_uint_t        shift;
    ngx_slab_stat_t  *stat;

    n = offsetof(ngx_rbtree_node_t, color)
        + offsetof(ngx_http_intercom_webhook_entry_t, data)
        + sizeof(NGX_HTTP_INTERCOM_WEBHOOK_TYPICAL_KEY) - 1;

    for (shift = shpool->min_shift; ((size_t) 1 << shift) < n; shift++) {
        /* void */
    }

    stat = &shpool->stats[shift - shpool->min_shift];

    return shpool->pfree * (ngx_pagesize >> shift)
           + (stat->total - stat->used);
}


/*
 * Each location finds its row, under the lock, as the workers of the
 * configuration before write the topics' names and read the rows for the
 * status.  A row was the location's before, or was never used, or else is
 * one that the configuration now loaded does not use, counted from 0.
 */

static ngx_int_t
ngx_http_intercom_webhook_init_rows(ngx_http_intercom_webhook_zone_t *zone)
{
    ngx_int_t                              day, rc;
    ngx_uint_t                             i;
    ngx_http_intercom_webhook_user_t      *user;
    ngx_http_intercom_webhook_counters_t  *c;

    user = zone->users.elts;
    rc = NGX_OK;

    ngx_shmtx_lock(&zone->shpool->mutex);

    for (i = 0; i < zone->sh->ncounters; i++) {
        zone->sh->counters[i].active = 0;
    }

    /* the rows kept first, then new ones */

    for (i = 0; i < zone->users.nelts; i++) {
        c = ngx_http_intercom_webhook_find_row(zone, &user[i], 0);

        if (c) {
            c->active = 1;
        }

        user[i].iwcf->counters = c;
    }

    for (i = 0; i < zone->users.nelts; i++) {

        c = user[i].iwcf->counters;

        if (c == NULL) {
            c = ngx_http_intercom_webhook_find_row(zone, &user[i], 1);
        }

        if (c == NULL) {
            /* not with a zone of the size zone_use() counted with */
            ngx_log_error(NGX_LOG_EMERG, zone->shm_zone->shm.log, 0,
                          "intercom_webhook_zone \"%V\" has no row left for "
                          "the counters of location \"%V\"",
                          &zone->shm_zone->shm.name, &user[i].name);
            rc = NGX_ERROR;
            break;
        }

        c->active = 1;
        user[i].iwcf->counters = c;

        /* the date of the configuration now loaded, for the status */

        c->allow_date = 0;

        if (user[i].iwcf->allow->date.len) {
            day = ngx_http_intercom_webhook_ranges_day(
                                                 &user[i].iwcf->allow->date);

            if (day != NGX_ERROR) {
                c->allow_date = (ngx_atomic_uint_t) day * 86400;
            }
        }

        ngx_http_intercom_webhook_init_secrets(c, user[i].iwcf);
    }

    ngx_shmtx_unlock(&zone->shpool->mutex);

    return rc;
}


/*
 * The row of a location; with "create", a row never used, or one that the
 * configuration now loaded does not use, counted from 0.
 */

static ngx_http_intercom_webhook_counters_t *
ngx_http_intercom_webhook_find_row(ngx_http_intercom_webhook_zone_t *zone,
    ngx_http_intercom_webhook_user_t *user, ngx_uint_t create)
{
    ngx_uint_t                             i;
    ngx_http_intercom_webhook_counters_t  *c, *row;

    row = NULL;

    for (i = 0; i < zone->sh->ncounters; i++) {
        c = &zone->sh->counters[i];

        if (c->server_len == user->server.len
            && c->len == user->name.len
            && c->len != 0
            && ngx_strncmp(c->server, user->server.data, c->server_len) == 0
            && ngx_strncmp(c->name, user->name.data, c->len) == 0)
        {
            return c;
        }

        if (!create || c->active) {
            continue;
        }

        if (row == NULL || (c->len == 0 && row->len != 0)) {
            row = c;
        }
    }

    if (row == NULL) {
        return NULL;
    }

    ngx_memzero(row, sizeof(ngx_http_intercom_webhook_counters_t));

    row->active = 1;
    row->server_len = (u_char) user->server.len;
    row->len = (u_char) user->name.len;
    ngx_memcpy(row->server, user->server.data, user->server.len);
    ngx_memcpy(row->name, user->name.data, user->name.len);

    return row;
}


/* each secret's counter is found by its id */

static void
ngx_http_intercom_webhook_init_secrets(ngx_http_intercom_webhook_counters_t *c,
    ngx_http_intercom_webhook_loc_conf_t *iwcf)
{
    ngx_uint_t                                j, k;
    ngx_http_intercom_webhook_secret_t       *secrets;
    ngx_http_intercom_webhook_named_count_t  *n;

    secrets = iwcf->secrets->elts;

    for (j = 0; j < iwcf->secrets->nelts; j++) {

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

        iwcf->secret_slot[j] = k;
    }
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
    ngx_str_t                          *id, *app_id;
    ngx_uint_t                          tries;
    ngx_rbtree_node_t                  *node;
    ngx_pool_cleanup_t                 *cln;
    ngx_http_intercom_webhook_zone_t   *zone;
    ngx_http_intercom_webhook_entry_t  *e;
    ngx_http_intercom_webhook_dedup_t  *d;

    id = &ctx->texts[NGX_HTTP_INTERCOM_WEBHOOK_ID];
    app_id = &ctx->texts[NGX_HTTP_INTERCOM_WEBHOOK_APP_ID];

    if (id->data == NULL || id->len == 0 || id->len > 255
        || app_id->len > 255)
    {
        /*
         * ping, or no id to know the notification by; the limits keep the
         * key's length within the entry's
         */

        return NGX_OK;
    }

    /* the cleanup's data holds the key: nothing of the request is needed */

    cln = ngx_pool_cleanup_add(r->pool,
                               sizeof(ngx_http_intercom_webhook_dedup_t));
    if (cln == NULL) {
        return NGX_ERROR;
    }

    d = cln->data;
    ngx_memzero(d, sizeof(ngx_http_intercom_webhook_dedup_t));

    d->key.len = app_id->len + 1 + id->len;
    d->key.data = ngx_pnalloc(r->pool, d->key.len);
    if (d->key.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(d->key.data, app_id->data, app_id->len);
    *p++ = ' ';
    ngx_memcpy(p, id->data, id->len);

    zone = iwcf->dedup->data;
    now = ngx_time();

    d->zone = zone;
    d->hash = ngx_crc32_short(d->key.data, d->key.len);
    d->ttl = iwcf->dedup_ttl;
    d->owner = ngx_http_intercom_webhook_owner();

    ngx_shmtx_lock(&zone->shpool->mutex);

    ngx_http_intercom_webhook_expire(zone);

    node = ngx_http_intercom_webhook_lookup(zone, &d->key, d->hash);

    if (node) {
        e = (ngx_http_intercom_webhook_entry_t *) &node->color;

        rc = (e->state == NGX_HTTP_INTERCOM_WEBHOOK_DELIVERED) ? NGX_DECLINED
                                                               : NGX_BUSY;

        ngx_shmtx_unlock(&zone->shpool->mutex);

        return rc;
    }

    n = offsetof(ngx_rbtree_node_t, color)
        + offsetof(ngx_http_intercom_webhook_entry_t, data)
        + d->key.len;

    for (tries = 0; /* void */ ; tries++) {

        node = ngx_slab_alloc_locked(zone->shpool, n);

        if (node || tries == NGX_HTTP_INTERCOM_WEBHOOK_EVICT_TRIES) {
            break;
        }

        /* full: the oldest delivered entries go, never those in flight */

        if (ngx_http_intercom_webhook_evict(zone) == 0) {
            break;
        }

        if (now - zone->sh->full >= NGX_HTTP_INTERCOM_WEBHOOK_FULL_LOG) {
            zone->sh->full = now;
            ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                          "intercom webhook: zone \"%V\" is full, the "
                          "oldest delivered notifications are forgotten",
                          &iwcf->dedup->shm.name);
        }
    }

    if (node == NULL) {

        if (now - zone->sh->full >= NGX_HTTP_INTERCOM_WEBHOOK_FULL_LOG) {
            zone->sh->full = now;
            ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                          "intercom webhook: zone \"%V\" has no room left "
                          "but for notifications being delivered, "
                          "notification \"%V\" is passed on without "
                          "de-duplication", &iwcf->dedup->shm.name, id);
        }

        ngx_shmtx_unlock(&zone->shpool->mutex);

        /* no room at all: deliver rather than lose */
        return NGX_OK;
    }

    node->key = d->hash;

    e = (ngx_http_intercom_webhook_entry_t *) &node->color;

    e->len = (u_short) d->key.len;
    e->state = NGX_HTTP_INTERCOM_WEBHOOK_FLIGHT;
    e->expire = now + NGX_HTTP_INTERCOM_WEBHOOK_IN_FLIGHT;
    e->owner = d->owner;
    ngx_memcpy(e->data, d->key.data, d->key.len);

    ngx_rbtree_insert(&zone->sh->rbtree, node);
    ngx_queue_insert_head(&zone->sh->lru, &e->queue);
    zone->sh->entries++;

    ngx_shmtx_unlock(&zone->shpool->mutex);

    d->held = 1;
    ctx->dedup = d;

    cln->handler = ngx_http_intercom_webhook_dedup_cleanup;

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
    if (ctx->dedup) {
        ngx_http_intercom_webhook_dedup_release(ctx->dedup, delivered);
    }
}


/* the request ended without an answer: its pool's cleanup */

static void
ngx_http_intercom_webhook_dedup_cleanup(void *data)
{
    ngx_http_intercom_webhook_dedup_release(data, 0);
}


static void
ngx_http_intercom_webhook_dedup_release(ngx_http_intercom_webhook_dedup_t *d,
    ngx_uint_t delivered)
{
    ngx_rbtree_node_t                  *node;
    ngx_http_intercom_webhook_zone_t   *zone;
    ngx_http_intercom_webhook_entry_t  *e;

    if (d->redis) {
        ngx_http_intercom_webhook_redis_release(d, delivered);
        return;
    }

    if (!d->held) {
        return;
    }

    d->held = 0;
    zone = d->zone;

    ngx_shmtx_lock(&zone->shpool->mutex);

    node = ngx_http_intercom_webhook_lookup(zone, &d->key, d->hash);

    if (node) {
        e = (ngx_http_intercom_webhook_entry_t *) &node->color;

        /* not an entry taken by another copy once this one's expired */

        if (e->state == NGX_HTTP_INTERCOM_WEBHOOK_FLIGHT
            && e->owner == d->owner)
        {
            if (delivered) {
                e->state = NGX_HTTP_INTERCOM_WEBHOOK_DELIVERED;
                e->expire = ngx_time() + d->ttl;

                ngx_queue_remove(&e->queue);
                ngx_queue_insert_head(&zone->sh->lru, &e->queue);

            } else {
                ngx_http_intercom_webhook_delete(zone, node);
            }
        }
    }

    ngx_shmtx_unlock(&zone->shpool->mutex);
}


/*
 * Unique across workers and time: the worker's pid, and a count of the
 * entries it took (40 bits: 10^12).
 */

static uint64_t
ngx_http_intercom_webhook_owner(void)
{
    static uint64_t  n;

    n = (n + 1) & 0xffffffffff;

    return ((uint64_t) ngx_pid << 40) | n;
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


/* at most two expired entries from the LRU tail, as limit_req does */

static void
ngx_http_intercom_webhook_expire(ngx_http_intercom_webhook_zone_t *zone)
{
    time_t                              now;
    ngx_uint_t                          i;
    ngx_queue_t                        *q;
    ngx_rbtree_node_t                  *node;
    ngx_http_intercom_webhook_entry_t  *e;

    now = ngx_time();

    for (i = 0; i < 2; i++) {

        if (ngx_queue_empty(&zone->sh->lru)) {
            return;
        }

        q = ngx_queue_last(&zone->sh->lru);

        e = ngx_queue_data(q, ngx_http_intercom_webhook_entry_t, queue);

        if (e->expire >= now) {
            return;
        }

        node = (ngx_rbtree_node_t *)
                   ((u_char *) e - offsetof(ngx_rbtree_node_t, color));

        ngx_http_intercom_webhook_delete(zone, node);
    }
}


/*
 * A full zone: the oldest entries delivered (or expired) go, some at a
 * time; an entry in flight stays, or its copy would be passed on during a
 * slow delivery.  The number of entries freed.
 */

static ngx_uint_t
ngx_http_intercom_webhook_evict(ngx_http_intercom_webhook_zone_t *zone)
{
    time_t                              now;
    ngx_uint_t                          i, n;
    ngx_queue_t                        *q, *prev;
    ngx_rbtree_node_t                  *node;
    ngx_http_intercom_webhook_entry_t  *e;

    now = ngx_time();
    n = 0;

    q = ngx_queue_last(&zone->sh->lru);

    for (i = 0;
         i < NGX_HTTP_INTERCOM_WEBHOOK_EVICT_SCAN
         && n < NGX_HTTP_INTERCOM_WEBHOOK_EVICT
         && q != ngx_queue_sentinel(&zone->sh->lru);
         i++)
    {
        prev = ngx_queue_prev(q);

        e = ngx_queue_data(q, ngx_http_intercom_webhook_entry_t, queue);

        if (e->state == NGX_HTTP_INTERCOM_WEBHOOK_DELIVERED
            || e->expire < now)
        {
            /* forgotten before its time: an eviction */

            if (e->expire >= now) {
                zone->sh->evictions++;
            }

            node = (ngx_rbtree_node_t *)
                       ((u_char *) e - offsetof(ngx_rbtree_node_t, color));

            ngx_http_intercom_webhook_delete(zone, node);
            n++;
        }

        q = prev;
    }

    return n;
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

    if (result == NGX_HTTP_INTERCOM_WEBHOOK_IGNORED
        && ctx->texts && ctx->texts[NGX_HTTP_INTERCOM_WEBHOOK_TOPIC].data)
    {
        /* what is dropped, by topic: a pattern mistyped shows there */

        ngx_http_intercom_webhook_count_topic(iwcf->status->data, c,
                                &ctx->texts[NGX_HTTP_INTERCOM_WEBHOOK_TOPIC],
                                1);
    }

    if (!ctx->handed) {
        return;
    }

    if (ctx->texts && ctx->texts[NGX_HTTP_INTERCOM_WEBHOOK_TOPIC].data) {
        ngx_http_intercom_webhook_count_topic(iwcf->status->data, c,
                                &ctx->texts[NGX_HTTP_INTERCOM_WEBHOOK_TOPIC],
                                0);
    }

    status = ctx->upstream_status;

    if (status >= 100
        && status < 100 * NGX_HTTP_INTERCOM_WEBHOOK_CLASSES)
    {
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


/* a notification passed on, by the time to its response header */

void
ngx_http_intercom_webhook_count_duration(
    ngx_http_intercom_webhook_loc_conf_t *iwcf, ngx_msec_t ms)
{
    ngx_uint_t                             i;
    ngx_http_intercom_webhook_counters_t  *c;

    c = iwcf->counters;

    if (c == NULL) {
        return;
    }

    for (i = 0; i < NGX_HTTP_INTERCOM_WEBHOOK_BUCKETS - 1; i++) {
        if (ms <= ngx_http_intercom_webhook_bounds[i]) {
            break;
        }
    }

    (void) ngx_atomic_fetch_add(&c->duration[i], 1);
    (void) ngx_atomic_fetch_add(&c->duration_ms, ms);
}


/* a Redis operation of the location, by its outcome and time */

void
ngx_http_intercom_webhook_count_redis(
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_redis_op_t *op)
{
    ngx_uint_t                             i;
    ngx_http_intercom_webhook_counters_t  *c;

    c = iwcf->counters;

    if (c == NULL || op->outcome >= NGX_HTTP_INTERCOM_WEBHOOK_REDIS_NOUTCOMES)
    {
        return;
    }

    for (i = 0; i < NGX_HTTP_INTERCOM_WEBHOOK_BUCKETS - 1; i++) {
        if (op->elapsed <= ngx_http_intercom_webhook_redis_bounds[i]) {
            break;
        }
    }

    (void) ngx_atomic_fetch_add(&c->redis[op->outcome], 1);
    (void) ngx_atomic_fetch_add(&c->redis_duration[i], 1);
    (void) ngx_atomic_fetch_add(&c->redis_ms, op->elapsed);
}


/* a notification queued by intercom_webhook_enqueue, or not */

void
ngx_http_intercom_webhook_count_enqueue(
    ngx_http_intercom_webhook_loc_conf_t *iwcf, ngx_uint_t queued)
{
    ngx_http_intercom_webhook_counters_t  *c;

    c = iwcf->counters;

    if (c == NULL) {
        return;
    }

    (void) ngx_atomic_fetch_add(queued ? &c->enqueued : &c->enqueue_failed,
                                1);
}


/*
 * A topic's counter, of notifications passed on or ignored: found without
 * the lock, as a slot's name is written before the count of slots grows;
 * a new topic takes a slot under the lock.  Topics beyond the slots, and
 * names not made of letters, digits, '.', '_' and '-' as Intercom's are,
 * count together, under a name that no topic counted by its own can have:
 * "(other)" in the status.
 */

static void
ngx_http_intercom_webhook_count_topic(ngx_http_intercom_webhook_zone_t *zone,
    ngx_http_intercom_webhook_counters_t *c, ngx_str_t *topic,
    ngx_uint_t ignored)
{
    u_char                                    ch;
    ngx_uint_t                                i, n;
    ngx_atomic_t                             *other;
    ngx_http_intercom_webhook_topic_count_t  *t;

    other = ignored ? &c->other_ignored : &c->other_topics;

    if (topic->len == 0 || topic->len > NGX_HTTP_INTERCOM_WEBHOOK_TOPIC_LEN) {
        (void) ngx_atomic_fetch_add(other, 1);
        return;
    }

    for (i = 0; i < topic->len; i++) {
        ch = topic->data[i];

        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
            || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-')
        {
            continue;
        }

        (void) ngx_atomic_fetch_add(other, 1);
        return;
    }

    n = c->ntopics;

    for (i = 0; i < n; i++) {
        t = &c->topics[i];

        if (t->len == topic->len
            && ngx_strncmp(t->name, topic->data, topic->len) == 0)
        {
            (void) ngx_atomic_fetch_add(ignored ? &t->ignored : &t->count,
                                        1);
            return;
        }
    }

    ngx_shmtx_lock(&zone->shpool->mutex);

    /*
     * from the first slot again: without the lock, a slot's name may have
     * been read before it was written, on a CPU that reorders loads
     */

    for (i = 0; i < c->ntopics; i++) {
        t = &c->topics[i];

        if (t->len == topic->len
            && ngx_strncmp(t->name, topic->data, topic->len) == 0)
        {
            break;
        }
    }

    if (i == NGX_HTTP_INTERCOM_WEBHOOK_TOPICS) {
        ngx_shmtx_unlock(&zone->shpool->mutex);
        (void) ngx_atomic_fetch_add(other, 1);
        return;
    }

    t = &c->topics[i];

    if (i == c->ntopics) {
        t->len = (u_char) topic->len;
        ngx_memcpy(t->name, topic->data, topic->len);
        t->count = 0;
        t->ignored = 0;

        ngx_memory_barrier();

        c->ntopics = i + 1;
    }

    ngx_shmtx_unlock(&zone->shpool->mutex);

    (void) ngx_atomic_fetch_add(ignored ? &t->ignored : &t->count, 1);
}


/*
 * De-duplication through Redis (redis=), shared by every node of a fleet:
 * a key per notification, each step one atomic command.  The claim sets
 * the key to the request's token unless it exists, for the time a copy in
 * flight blocks others, and returns what was there: nothing (claimed), "d"
 * (delivered already) or another token (in flight elsewhere).  A 2xx sets
 * it to "d" for the ttl, anything else deletes it, each only if it still
 * holds the token: a claim that expired and was taken again is not
 * another's to change.  Redis unreachable, slow or refusing: the
 * notification is passed on, as a duplicate is better than a loss.
 */

static ngx_int_t
ngx_http_intercom_webhook_redis_token(ngx_http_request_t *r,
    ngx_str_t *token)
{
    static ngx_pid_t  pid;
    static uint64_t   n, rnd;

    if (pid != ngx_pid) {

        /* a worker's own: its host, pid, and a random number */

        pid = ngx_pid;
        n = 0;
        rnd = ((uint64_t) ngx_random() << 32) ^ (uint64_t) ngx_random()
              ^ (uint64_t) ngx_time();
    }

    n++;

    token->data = ngx_pnalloc(r->pool, NGX_HTTP_INTERCOM_WEBHOOK_TOKEN_LEN
                                       + ngx_cycle->hostname.len);
    if (token->data == NULL) {
        return NGX_ERROR;
    }

    token->len = ngx_sprintf(token->data, "f:%V/%P/%016uxL/%uL",
                             &ngx_cycle->hostname, ngx_pid, rnd, n)
                 - token->data;

    return NGX_OK;
}


/*
 * NGX_AGAIN: the claim is on its way, and the request waits for it;
 * NGX_OK: nothing to claim (no id), or no memory for an operation: the
 * notification goes on; NGX_ERROR: no memory.
 */

ngx_int_t
ngx_http_intercom_webhook_dedup_redis(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx,
    ngx_http_intercom_webhook_value_t *values)
{
    u_char                                *p;
    ngx_str_t                              id, app_id, argv[7];
    ngx_pool_cleanup_t                    *cln;
    ngx_http_intercom_webhook_dedup_t     *d;
    ngx_http_intercom_webhook_redis_op_t  *op;
    u_char                                 px[NGX_TIME_T_LEN + 3];

    /* the ids as they were sent, any bytes, CR and LF too */

    if (ngx_http_intercom_webhook_dedup_id(r, ctx, values,
                                           NGX_HTTP_INTERCOM_WEBHOOK_ID, &id)
        != NGX_OK
        || ngx_http_intercom_webhook_dedup_id(r, ctx, values,
                                         NGX_HTTP_INTERCOM_WEBHOOK_APP_ID,
                                         &app_id)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (id.data == NULL || id.len == 0 || id.len > 255 || app_id.len > 255) {
        /* ping, or no id to know the notification by: as the zone's */
        return NGX_OK;
    }

    cln = ngx_pool_cleanup_add(r->pool,
                               sizeof(ngx_http_intercom_webhook_dedup_t));
    if (cln == NULL) {
        return NGX_ERROR;
    }

    d = cln->data;
    ngx_memzero(d, sizeof(ngx_http_intercom_webhook_dedup_t));

    d->key.len = sizeof(NGX_HTTP_INTERCOM_WEBHOOK_REDIS_PREFIX) - 1
                 + app_id.len + 1 + id.len;
    d->key.data = ngx_pnalloc(r->pool, d->key.len);
    if (d->key.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(d->key.data, NGX_HTTP_INTERCOM_WEBHOOK_REDIS_PREFIX,
                   sizeof(NGX_HTTP_INTERCOM_WEBHOOK_REDIS_PREFIX) - 1);
    p = ngx_cpymem(p, app_id.data, app_id.len);
    *p++ = ' ';
    ngx_memcpy(p, id.data, id.len);

    if (ngx_http_intercom_webhook_redis_token(r, &d->token) != NGX_OK) {
        return NGX_ERROR;
    }

    d->redis = iwcf->dedup_redis;
    d->ttl = iwcf->dedup_ttl;
    d->conf = iwcf;

    cln->handler = ngx_http_intercom_webhook_dedup_cleanup;

    op = ngx_http_intercom_webhook_redis_create(d->redis);
    if (op == NULL) {
        return NGX_OK;
    }

    /* SET key token NX PX <in flight> GET: claimed if the reply is nil */

    ngx_str_set(&argv[0], "SET");
    argv[1] = d->key;
    argv[2] = d->token;
    ngx_str_set(&argv[3], "NX");
    ngx_str_set(&argv[4], "PX");
    argv[5].data = px;
    argv[5].len = ngx_sprintf(px, "%T000",
                              (time_t) NGX_HTTP_INTERCOM_WEBHOOK_IN_FLIGHT)
                  - px;
    ngx_str_set(&argv[6], "GET");

    if (ngx_http_intercom_webhook_redis_command(op, 7, argv) != NGX_OK) {
        ngx_http_intercom_webhook_redis_detach(op);
        return NGX_ERROR;
    }

    op->handler = ngx_http_intercom_webhook_claim_handler;
    op->data = r;

    d->op = op;
    ctx->dedup = d;

    ngx_http_intercom_webhook_redis_start(op);

    return NGX_AGAIN;
}


/* a field's text for the key: a string decoded, with every byte it has */

static ngx_int_t
ngx_http_intercom_webhook_dedup_id(ngx_http_request_t *r,
    ngx_http_intercom_webhook_ctx_t *ctx,
    ngx_http_intercom_webhook_value_t *values, ngx_uint_t slot,
    ngx_str_t *text)
{
    ngx_int_t  rc;

    if (values[slot].type != NGX_HTTP_INTERCOM_WEBHOOK_STRING) {
        *text = ctx->texts[slot];
        return NGX_OK;
    }

    rc = ngx_http_intercom_webhook_value_string(&values[slot], text, r->pool);

    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (rc != NGX_OK) {
        ngx_str_null(text);
    }

    return NGX_OK;
}


static void
ngx_http_intercom_webhook_claim_handler(
    ngx_http_intercom_webhook_redis_op_t *op)
{
    ngx_int_t                           rc;
    ngx_connection_t                   *c;
    ngx_http_request_t                 *r;
    ngx_http_intercom_webhook_ctx_t    *ctx;
    ngx_http_intercom_webhook_reply_t  *reply;
    ngx_http_intercom_webhook_dedup_t  *d;

    r = op->data;
    c = r->connection;

    ctx = ngx_http_intercom_webhook_get_ctx(r);
    d = ctx->dedup;
    d->op = NULL;

    ngx_http_intercom_webhook_count_redis(d->conf, op);

    rc = NGX_OK;
    reply = &op->replies[0];

    if (op->outcome != NGX_HTTP_INTERCOM_WEBHOOK_REDIS_OK
        || op->nreplies != 1)
    {
        if (op->outcome == NGX_HTTP_INTERCOM_WEBHOOK_REDIS_TIMEOUT) {

            /*
             * Redis may carry the claim out later: the mark or the
             * release is sent all the same, and acts only on the token
             */

            d->held = 1;
        }

        ngx_http_intercom_webhook_redis_warn(c->log, d->conf, op,
                                        NGX_HTTP_INTERCOM_WEBHOOK_STEP_CLAIM);

    } else if (reply->type == NGX_HTTP_INTERCOM_WEBHOOK_REPLY_NIL) {

        /* claimed: released or marked delivered when the answer comes */

        d->held = 1;

    } else if (reply->type == NGX_HTTP_INTERCOM_WEBHOOK_REPLY_STRING
               && reply->str.len == 1 && reply->str.data[0] == 'd')
    {
        rc = NGX_DECLINED;

    } else if (reply->type == NGX_HTTP_INTERCOM_WEBHOOK_REPLY_STRING
               && reply->str.len > 2
               && reply->str.data[0] == 'f' && reply->str.data[1] == ':')
    {
        rc = NGX_BUSY;

    } else {
        /* a value not of this module's: passed on, and said */
        op->outcome = NGX_HTTP_INTERCOM_WEBHOOK_REDIS_NOUTCOMES;
        ngx_http_intercom_webhook_redis_warn(c->log, d->conf, op,
                                        NGX_HTTP_INTERCOM_WEBHOOK_STEP_CLAIM);
    }

    ngx_http_intercom_webhook_dedup_resume(r, rc);

    ngx_http_run_posted_requests(c);
}


/*
 * The answer to a notification claimed through Redis, or none: "d" for
 * the ttl, or the key deleted, if it still holds the token.  Nothing of
 * the request is needed: the operation goes on after it.
 */

static void
ngx_http_intercom_webhook_redis_release(ngx_http_intercom_webhook_dedup_t *d,
    ngx_uint_t delivered)
{
    u_char                                *p;
    ngx_str_t                              argv[6];
    ngx_http_intercom_webhook_redis_op_t  *op;
    u_char                                 ttl[NGX_TIME_T_LEN + 3];

    if (d->op) {
        /* the request went away while its claim was asked */
        ngx_http_intercom_webhook_redis_detach(d->op);
        d->op = NULL;
    }

    if (!d->held) {
        return;
    }

    d->held = 0;

    op = ngx_http_intercom_webhook_redis_create(d->redis);
    if (op == NULL) {
        return;
    }

    ngx_str_set(&argv[0], "EVAL");
    ngx_str_set(&argv[2], "1");
    argv[3] = d->key;
    argv[4] = d->token;

    if (delivered) {
        ngx_str_set(&argv[1], NGX_HTTP_INTERCOM_WEBHOOK_REDIS_DELIVERED);

        p = ngx_sprintf(ttl, "%T000", d->ttl);
        argv[5].data = ttl;
        argv[5].len = p - ttl;

    } else {
        ngx_str_set(&argv[1], NGX_HTTP_INTERCOM_WEBHOOK_REDIS_RELEASE);
    }

    if (ngx_http_intercom_webhook_redis_command(op, delivered ? 6 : 5, argv)
        != NGX_OK)
    {
        ngx_http_intercom_webhook_redis_detach(op);
        return;
    }

    op->handler = delivered ? ngx_http_intercom_webhook_delivered_handler
                            : ngx_http_intercom_webhook_released_handler;
    op->data = d->conf;

    ngx_http_intercom_webhook_redis_start(op);
}


static void
ngx_http_intercom_webhook_delivered_handler(
    ngx_http_intercom_webhook_redis_op_t *op)
{
    ngx_http_intercom_webhook_loc_conf_t  *iwcf = op->data;

    ngx_http_intercom_webhook_count_redis(iwcf, op);

    if (op->outcome != NGX_HTTP_INTERCOM_WEBHOOK_REDIS_OK) {
        ngx_http_intercom_webhook_redis_warn(ngx_cycle->log, iwcf, op,
                                    NGX_HTTP_INTERCOM_WEBHOOK_STEP_DELIVERED);
    }
}


static void
ngx_http_intercom_webhook_released_handler(
    ngx_http_intercom_webhook_redis_op_t *op)
{
    ngx_http_intercom_webhook_loc_conf_t  *iwcf = op->data;

    ngx_http_intercom_webhook_count_redis(iwcf, op);

    if (op->outcome != NGX_HTTP_INTERCOM_WEBHOOK_REDIS_OK) {
        ngx_http_intercom_webhook_redis_warn(ngx_cycle->log, iwcf, op,
                                     NGX_HTTP_INTERCOM_WEBHOOK_STEP_RELEASE);
    }
}


/*
 * A Redis operation that failed: a line at warn, at most one a minute per
 * location (per worker), naming Redis, the location, what was asked and
 * the outcome; an error reply's text, which holds no secret, is quoted.
 */

static void
ngx_http_intercom_webhook_redis_warn(ngx_log_t *log,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_redis_op_t *op, ngx_uint_t step)
{
    size_t                              len;
    time_t                              now;
    ngx_str_t                          *name;
    ngx_uint_t                          i;
    ngx_http_intercom_webhook_reply_t  *reply;

    now = ngx_time();

    if (now - iwcf->redis_log < NGX_HTTP_INTERCOM_WEBHOOK_FULL_LOG) {
        return;
    }

    iwcf->redis_log = now;

    name = ngx_http_intercom_webhook_redis_name(iwcf->dedup_redis);

    for (i = 0; i < op->nreplies; i++) {
        reply = &op->replies[i];

        if (reply->type == NGX_HTTP_INTERCOM_WEBHOOK_REPLY_ERROR) {
            len = ngx_min(reply->str.len,
                          NGX_HTTP_INTERCOM_WEBHOOK_REDIS_ERROR_LEN);

            ngx_log_error(NGX_LOG_WARN, log, 0,
                          "intercom webhook: Redis \"%V\" answered an error "
                          "to %s in location \"%V\": \"%*s\"; %s (at most "
                          "one such line a minute)",
                          name, ngx_http_intercom_webhook_redis_steps[step],
                          &iwcf->name, len, reply->str.data,
                          ngx_http_intercom_webhook_redis_then[step]);
            return;
        }
    }

    ngx_log_error(NGX_LOG_WARN, log, 0,
                  "intercom webhook: Redis \"%V\" %s to %s in location "
                  "\"%V\"; %s (at most one such line a minute)",
                  name, ngx_http_intercom_webhook_redis_outcomes[op->outcome],
                  ngx_http_intercom_webhook_redis_steps[step], &iwcf->name,
                  ngx_http_intercom_webhook_redis_then[step]);
}
