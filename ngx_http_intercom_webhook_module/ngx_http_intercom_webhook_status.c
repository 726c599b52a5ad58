
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_intercom_webhook_module.h"


/*
 * intercom_webhook_status: the counters of every zone, as JSON, or in
 * Prometheus's text exposition format for "?format=prometheus" or an
 * Accept header that asks for text/plain or OpenMetrics.
 *
 * The rows of each zone are copied under its lock, then written from the
 * copy.  Two tables of the metric families, a zone's and a location's,
 * drive both writers and the size of the buffer, and the writers know the
 * buffer's end.
 */


/* the bytes of a series, but for the names it holds */
#define NGX_HTTP_INTERCOM_WEBHOOK_SERIES_LEN                                  \
    (sizeof("nginx_intercom_webhook_{zone=\"\",server=\"\",location=\"\","  \
            "=\"\"} \n") - 1 + NGX_ATOMIC_T_LEN)
#define NGX_HTTP_INTERCOM_WEBHOOK_JSON_SERIES_LEN                             \
    (sizeof(",\"\":") - 1 + NGX_ATOMIC_T_LEN)

/* a zone's series, but for the zone's name and the family's */
#define NGX_HTTP_INTERCOM_WEBHOOK_ZONE_SERIES_LEN                             \
    (sizeof("nginx_intercom_webhook_{zone=\"\"} \n") - 1 + NGX_ATOMIC_T_LEN)

/* the bytes of a zone, of a location, but for their names */
#define NGX_HTTP_INTERCOM_WEBHOOK_ZONE_LEN                                    \
    (sizeof(",\"\":{\"locations\":[]}") - 1)
#define NGX_HTTP_INTERCOM_WEBHOOK_ROW_LEN                                     \
    (sizeof(",{\"server\":\"\",\"location\":\"\"}") - 1)

/*
 * A histogram's more bytes: "_bucket" of each series; the lines of its
 * sum (milliseconds as seconds) and count; their JSON
 */
#define NGX_HTTP_INTERCOM_WEBHOOK_BUCKET_LEN  (sizeof("_bucket") - 1)
#define NGX_HTTP_INTERCOM_WEBHOOK_SUM_LEN                                     \
    (sizeof("_count") - 1 + sizeof(".000") - 1)
#define NGX_HTTP_INTERCOM_WEBHOOK_JSON_HISTOGRAM_LEN                          \
    (sizeof("\"buckets\":{},\"sum\":.000,\"count\":") - 1                     \
     + 2 * NGX_ATOMIC_T_LEN)

/* the most bytes a byte of a name takes: JSON's \u00XX, Prometheus's \" */
#define NGX_HTTP_INTERCOM_WEBHOOK_JSON_ESCAPED   6
#define NGX_HTTP_INTERCOM_WEBHOOK_LABEL_ESCAPED  2

/* a family's series have no object of their own in JSON */
#define NGX_HTTP_INTERCOM_WEBHOOK_FLAT           1
/* its value is a date: a day in JSON, and no series for 0 */
#define NGX_HTTP_INTERCOM_WEBHOOK_DATE           2
/* a histogram: its series are the cumulative buckets, then sum and count */
#define NGX_HTTP_INTERCOM_WEBHOOK_HISTOGRAM      4


/* the series i of a family in a row: 1, or 0 past the last */

typedef ngx_uint_t (*ngx_http_intercom_webhook_series_pt)(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value);

/* a histogram's sum, in milliseconds */

typedef ngx_atomic_uint_t (*ngx_http_intercom_webhook_sum_pt)(
    ngx_http_intercom_webhook_counters_t *c);


typedef struct {
    ngx_str_t                              name;   /* in Prometheus */
    char                                  *type;
    char                                  *help;
    ngx_str_t                              label;  /* empty: one series */
    ngx_str_t                              json;   /* the location's key */
    ngx_uint_t                             flags;
    ngx_http_intercom_webhook_series_pt    series;
    ngx_http_intercom_webhook_sum_pt       sum;    /* a histogram's */
} ngx_http_intercom_webhook_family_t;


/* a zone's rows, copied under its lock, and its own values */

typedef struct {
    ngx_str_t                              name;
    ngx_atomic_uint_t                      entries;
    ngx_atomic_uint_t                      limit;
    ngx_atomic_uint_t                      evictions;
    ngx_uint_t                             nrows;
    ngx_http_intercom_webhook_counters_t  *rows;
} ngx_http_intercom_webhook_snapshot_t;


/* a family of one series per zone: its value in the snapshot */

typedef struct {
    ngx_str_t                              name;   /* in Prometheus */
    char                                  *type;
    char                                  *help;
    ngx_str_t                              json;   /* the zone's key */
    size_t                                 offset;
} ngx_http_intercom_webhook_zone_family_t;


static ngx_int_t ngx_http_intercom_webhook_status_handler(
    ngx_http_request_t *r);
static ngx_int_t ngx_http_intercom_webhook_snapshot(ngx_http_request_t *r,
    ngx_array_t *zones, ngx_array_t *snapshots);
static size_t ngx_http_intercom_webhook_status_size(ngx_array_t *snapshots,
    ngx_uint_t prometheus);
static ngx_uint_t ngx_http_intercom_webhook_prometheus(ngx_http_request_t *r);
static u_char *ngx_http_intercom_webhook_json(u_char *p, u_char *last,
    ngx_array_t *snapshots);
static u_char *ngx_http_intercom_webhook_json_family(u_char *p, u_char *last,
    ngx_http_intercom_webhook_family_t *f,
    ngx_http_intercom_webhook_counters_t *c);
static u_char *ngx_http_intercom_webhook_metrics(u_char *p, u_char *last,
    ngx_array_t *snapshots);
static u_char *ngx_http_intercom_webhook_labels(u_char *p, u_char *last,
    ngx_http_intercom_webhook_family_t *f, char *suffix,
    ngx_http_intercom_webhook_snapshot_t *s,
    ngx_http_intercom_webhook_counters_t *c);
static u_char *ngx_http_intercom_webhook_json_escape(u_char *p, u_char *last,
    u_char *src, size_t len);
static u_char *ngx_http_intercom_webhook_label_escape(u_char *p,
    u_char *last, u_char *src, size_t len);
static ngx_uint_t ngx_http_intercom_webhook_results_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value);
static ngx_uint_t ngx_http_intercom_webhook_topics_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value);
static ngx_uint_t ngx_http_intercom_webhook_ignored_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value);
static ngx_uint_t ngx_http_intercom_webhook_topic_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value, ngx_uint_t ignored);
static ngx_uint_t ngx_http_intercom_webhook_secrets_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value);
static ngx_uint_t ngx_http_intercom_webhook_classes_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value);
static ngx_uint_t ngx_http_intercom_webhook_bytes_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value);
static ngx_uint_t ngx_http_intercom_webhook_replaced_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value);
static ngx_uint_t ngx_http_intercom_webhook_duration_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value);
static ngx_atomic_uint_t ngx_http_intercom_webhook_duration_sum(
    ngx_http_intercom_webhook_counters_t *c);
static ngx_uint_t ngx_http_intercom_webhook_cumulative(ngx_atomic_t *buckets,
    ngx_str_t *les, ngx_uint_t i, ngx_str_t *label, ngx_atomic_uint_t *value);
static ngx_uint_t ngx_http_intercom_webhook_redis_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value);
static ngx_uint_t ngx_http_intercom_webhook_redis_duration_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value);
static ngx_atomic_uint_t ngx_http_intercom_webhook_redis_duration_sum(
    ngx_http_intercom_webhook_counters_t *c);
static ngx_uint_t ngx_http_intercom_webhook_enqueued_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value);
static ngx_uint_t ngx_http_intercom_webhook_enqueue_failures_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value);
static ngx_uint_t ngx_http_intercom_webhook_date_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value);


/* the families of a zone, in the order both formats use */

static ngx_http_intercom_webhook_zone_family_t
    ngx_http_intercom_webhook_zone_families[] = {

    { ngx_string("dedup_entries"), "gauge",
      "Notifications remembered for de-duplication.",
      ngx_string("dedup_entries"),
      offsetof(ngx_http_intercom_webhook_snapshot_t, entries) },

    { ngx_string("dedup_entries_limit"), "gauge",
      "Notifications of Intercom's ids the zone has room for.",
      ngx_string("dedup_entries_limit"),
      offsetof(ngx_http_intercom_webhook_snapshot_t, limit) },

    { ngx_string("dedup_evictions_total"), "counter",
      "Notifications forgotten before their ttl, to make room.",
      ngx_string("dedup_evictions"),
      offsetof(ngx_http_intercom_webhook_snapshot_t, evictions) },

    { ngx_null_string, NULL, NULL, ngx_null_string, 0 }
};


/* the families of a location's counters, in the order both formats use */

static ngx_http_intercom_webhook_family_t  ngx_http_intercom_webhook_families[]
    = {

    { ngx_string("requests_total"), "counter",
      "Requests to webhook locations, by result.",
      ngx_string("result"), ngx_string("requests"), 0,
      ngx_http_intercom_webhook_results_series, NULL },

    { ngx_string("notifications_total"), "counter",
      "Notifications passed to the application, by topic.",
      ngx_string("topic"), ngx_string("notifications"), 0,
      ngx_http_intercom_webhook_topics_series, NULL },

    { ngx_string("ignored_total"), "counter",
      "Notifications answered 200 and not passed on as no pattern of "
      "intercom_webhook_topics matched, by topic.",
      ngx_string("topic"), ngx_string("ignored"), 0,
      ngx_http_intercom_webhook_ignored_series, NULL },

    { ngx_string("verified_total"), "counter",
      "Requests whose signature verified, by secret.",
      ngx_string("secret"), ngx_string("secrets"), 0,
      ngx_http_intercom_webhook_secrets_series, NULL },

    { ngx_string("responses_total"), "counter",
      "Answers of the application to notifications, by status class.",
      ngx_string("code"), ngx_string("responses"), 0,
      ngx_http_intercom_webhook_classes_series, NULL },

    { ngx_string("verified_bytes_total"), "counter",
      "Bytes of request bodies whose signature verified.",
      ngx_null_string, ngx_string("verified_bytes"), 0,
      ngx_http_intercom_webhook_bytes_series, NULL },

    { ngx_string("responses_replaced_total"), "counter",
      "Answers of the application that Intercom got another status for, "
      "by reason.",
      ngx_string("reason"), ngx_null_string,
      NGX_HTTP_INTERCOM_WEBHOOK_FLAT,
      ngx_http_intercom_webhook_replaced_series, NULL },

    { ngx_string("delivery_duration_seconds"), "histogram",
      "Time from the start of a notification passed on to the "
      "application's response header.",
      ngx_string("le"), ngx_string("delivery_duration"),
      NGX_HTTP_INTERCOM_WEBHOOK_HISTOGRAM,
      ngx_http_intercom_webhook_duration_series,
      ngx_http_intercom_webhook_duration_sum },

    { ngx_string("redis_operations_total"), "counter",
      "Redis operations (de-duplication, the queue), by outcome.",
      ngx_string("outcome"), ngx_string("redis_operations"), 0,
      ngx_http_intercom_webhook_redis_series, NULL },

    { ngx_string("redis_duration_seconds"), "histogram",
      "Time of a Redis operation, from its start to its outcome.",
      ngx_string("le"), ngx_string("redis_duration"),
      NGX_HTTP_INTERCOM_WEBHOOK_HISTOGRAM,
      ngx_http_intercom_webhook_redis_duration_series,
      ngx_http_intercom_webhook_redis_duration_sum },

    { ngx_string("enqueued_total"), "counter",
      "Notifications queued by intercom_webhook_enqueue.",
      ngx_null_string, ngx_string("enqueued"), 0,
      ngx_http_intercom_webhook_enqueued_series, NULL },

    { ngx_string("enqueue_failures_total"), "counter",
      "Notifications that intercom_webhook_enqueue could not queue.",
      ngx_null_string, ngx_string("enqueue_failures"), 0,
      ngx_http_intercom_webhook_enqueue_failures_series, NULL },

    { ngx_string("allowlist_timestamp_seconds"), "gauge",
      "The date of the oldest allowlist file, as a Unix time.",
      ngx_null_string, ngx_string("allowlist_date"),
      NGX_HTTP_INTERCOM_WEBHOOK_DATE,
      ngx_http_intercom_webhook_date_series, NULL },

    { ngx_null_string, NULL, NULL, ngx_null_string, ngx_null_string, 0,
      NULL, NULL }
};


static ngx_str_t  ngx_http_intercom_webhook_classes[] = {
    ngx_null_string,
    ngx_string("1xx"),
    ngx_string("2xx"),
    ngx_string("3xx"),
    ngx_string("4xx"),
    ngx_string("5xx")
};

static ngx_str_t  ngx_http_intercom_webhook_reasons[] = {
    ngx_string("unavailable"),
    ngx_string("gone")
};

/* the bounds of _zone.c's buckets, in seconds */
static ngx_str_t  ngx_http_intercom_webhook_les[] = {
    ngx_string("0.05"),
    ngx_string("0.1"),
    ngx_string("0.25"),
    ngx_string("0.5"),
    ngx_string("1"),
    ngx_string("2.5"),
    ngx_string("5"),
    ngx_string("10"),
    ngx_string("+Inf")
};

/* the bounds of _zone.c's Redis buckets, in seconds */
static ngx_str_t  ngx_http_intercom_webhook_redis_les[] = {
    ngx_string("0.001"),
    ngx_string("0.002"),
    ngx_string("0.005"),
    ngx_string("0.01"),
    ngx_string("0.025"),
    ngx_string("0.05"),
    ngx_string("0.1"),
    ngx_string("1"),
    ngx_string("+Inf")
};

/* the topics beyond the slots, or not named as Intercom's are */
static ngx_str_t  ngx_http_intercom_webhook_other = ngx_string("(other)");


static ngx_str_t  ngx_http_intercom_webhook_accept[] = {
    ngx_string("Accept"),
    ngx_null_string
};


/* a name for each class of status */
ngx_http_intercom_webhook_check(classes,
    ngx_http_intercom_webhook_nelts(ngx_http_intercom_webhook_classes)
    == NGX_HTTP_INTERCOM_WEBHOOK_CLASSES);

/* a name for each bucket */
ngx_http_intercom_webhook_check(les,
    ngx_http_intercom_webhook_nelts(ngx_http_intercom_webhook_les)
    == NGX_HTTP_INTERCOM_WEBHOOK_BUCKETS);

ngx_http_intercom_webhook_check(redis_les,
    ngx_http_intercom_webhook_nelts(ngx_http_intercom_webhook_redis_les)
    == NGX_HTTP_INTERCOM_WEBHOOK_BUCKETS);


char *
ngx_http_intercom_webhook_status(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_intercom_webhook_status_handler;

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_intercom_webhook_status_handler(ngx_http_request_t *r)
{
    size_t                                  size;
    u_char                                 *last;
    ngx_int_t                               rc;
    ngx_buf_t                              *b;
    ngx_uint_t                              prometheus;
    ngx_array_t                             snapshots;
    ngx_chain_t                             out;
    ngx_http_intercom_webhook_main_conf_t  *iwmcf;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);

    if (rc != NGX_OK) {
        return rc;
    }

    iwmcf = ngx_http_get_module_main_conf(r, ngx_http_intercom_webhook_module);

    if (ngx_http_intercom_webhook_snapshot(r, &iwmcf->zones, &snapshots)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    prometheus = ngx_http_intercom_webhook_prometheus(r);

    size = ngx_http_intercom_webhook_status_size(&snapshots, prometheus);

    if (prometheus) {
        ngx_str_set(&r->headers_out.content_type,
                    "text/plain; version=0.0.4; charset=utf-8");
    } else {
        ngx_str_set(&r->headers_out.content_type, "application/json");
    }

    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_type_lowcase = NULL;

    /* a byte more: a writer that reaches the end was cut short */

    b = ngx_create_temp_buf(r->pool, size + 1);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    last = b->end;

    b->last = prometheus
              ? ngx_http_intercom_webhook_metrics(b->last, last, &snapshots)
              : ngx_http_intercom_webhook_json(b->last, last, &snapshots);

    if (b->last == last) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "intercom webhook: the status takes more than the "
                      "%uz bytes counted", size);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = b->last - b->pos;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


/*
 * The rows that the configuration loaded uses, copied under each zone's
 * lock: a reload changes them, and a new topic's name is written under it.
 */

static ngx_int_t
ngx_http_intercom_webhook_snapshot(ngx_http_request_t *r, ngx_array_t *zones,
    ngx_array_t *snapshots)
{
    ngx_uint_t                             i, j, n;
    ngx_shm_zone_t                       **z;
    ngx_http_intercom_webhook_zone_t      *zone;
    ngx_http_intercom_webhook_counters_t  *c;
    ngx_http_intercom_webhook_snapshot_t  *s;

    if (ngx_array_init(snapshots, r->pool, zones->nelts ? zones->nelts : 1,
                       sizeof(ngx_http_intercom_webhook_snapshot_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    z = zones->elts;

    for (i = 0; i < zones->nelts; i++) {
        zone = z[i]->data;

        s = ngx_array_push(snapshots);
        if (s == NULL) {
            return NGX_ERROR;
        }

        s->name = z[i]->shm.name;

        ngx_shmtx_lock(&zone->shpool->mutex);

        n = 0;

        for (j = 0; j < zone->sh->ncounters; j++) {
            c = &zone->sh->counters[j];
            n += (c->active && c->len);
        }

        s->rows = ngx_palloc(r->pool, (n ? n : 1)
                                * sizeof(ngx_http_intercom_webhook_counters_t));
        if (s->rows == NULL) {
            ngx_shmtx_unlock(&zone->shpool->mutex);
            return NGX_ERROR;
        }

        s->entries = zone->sh->entries;
        s->limit = zone->sh->limit;
        s->evictions = zone->sh->evictions;

        n = 0;

        for (j = 0; j < zone->sh->ncounters; j++) {
            c = &zone->sh->counters[j];

            if (c->active && c->len) {
                ngx_memcpy(&s->rows[n++], c,
                           sizeof(ngx_http_intercom_webhook_counters_t));
            }
        }

        ngx_shmtx_unlock(&zone->shpool->mutex);

        s->nrows = n;
    }

    return NGX_OK;
}


/* the most bytes of the output, from the families' tables */

static size_t
ngx_http_intercom_webhook_status_size(ngx_array_t *snapshots,
    ngx_uint_t prometheus)
{
    size_t                                    size, names, esc;
    ngx_str_t                                 label;
    ngx_uint_t                                i, j, k;
    ngx_atomic_uint_t                         value;
    ngx_http_intercom_webhook_family_t       *f;
    ngx_http_intercom_webhook_counters_t     *c;
    ngx_http_intercom_webhook_snapshot_t     *s;
    ngx_http_intercom_webhook_zone_family_t  *zf;

    /* the version, and the families' HELP and TYPE lines */

    size = sizeof("{\"version\":\"\",\"zones\":{}}\n") - 1
           + sizeof("# HELP nginx_intercom_webhook_info \n"
                    "# TYPE nginx_intercom_webhook_info gauge\n"
                    "nginx_intercom_webhook_info{version=\"\"} 1\n") - 1
           + sizeof("The version of the intercom webhook module.") - 1
           + sizeof(NGX_HTTP_INTERCOM_WEBHOOK_VERSION) - 1;

    for (zf = ngx_http_intercom_webhook_zone_families; zf->name.len; zf++) {
        size += sizeof("# HELP nginx_intercom_webhook_ \n"
                       "# TYPE nginx_intercom_webhook_ \n") - 1
                + 2 * zf->name.len + ngx_strlen(zf->help)
                + ngx_strlen(zf->type);
    }

    for (f = ngx_http_intercom_webhook_families; f->name.len; f++) {
        size += sizeof("# HELP nginx_intercom_webhook_ \n"
                       "# TYPE nginx_intercom_webhook_ \n") - 1
                + 2 * f->name.len + ngx_strlen(f->help) + ngx_strlen(f->type);
    }

    esc = prometheus ? NGX_HTTP_INTERCOM_WEBHOOK_LABEL_ESCAPED
                     : NGX_HTTP_INTERCOM_WEBHOOK_JSON_ESCAPED;

    s = snapshots->elts;

    for (i = 0; i < snapshots->nelts; i++) {

        size += NGX_HTTP_INTERCOM_WEBHOOK_ZONE_LEN + esc * s[i].name.len;

        /* a series of each zone family, or a key of the zone's object */

        for (zf = ngx_http_intercom_webhook_zone_families;
             zf->name.len;
             zf++)
        {
            size += prometheus
                    ? NGX_HTTP_INTERCOM_WEBHOOK_ZONE_SERIES_LEN + zf->name.len
                      + esc * s[i].name.len
                    : NGX_HTTP_INTERCOM_WEBHOOK_JSON_SERIES_LEN + zf->json.len;
        }

        for (j = 0; j < s[i].nrows; j++) {
            c = &s[i].rows[j];

            /* every Prometheus line names the zone and the location */

            names = prometheus ? s[i].name.len + c->server_len + c->len
                               : 0;

            size += NGX_HTTP_INTERCOM_WEBHOOK_ROW_LEN
                    + esc * (c->server_len + c->len);

            for (f = ngx_http_intercom_webhook_families; f->name.len; f++) {

                /* the JSON object's key and braces, a date's quotes */

                size += sizeof(",\"\":{}") - 1 + f->json.len;

                if (f->flags & NGX_HTTP_INTERCOM_WEBHOOK_HISTOGRAM) {

                    /* the lines of the sum and the count, their JSON */

                    size += prometheus
                            ? 2 * (NGX_HTTP_INTERCOM_WEBHOOK_SERIES_LEN
                                   + f->name.len
                                   + NGX_HTTP_INTERCOM_WEBHOOK_SUM_LEN
                                   + esc * names)
                            : NGX_HTTP_INTERCOM_WEBHOOK_JSON_HISTOGRAM_LEN;
                }

                for (k = 0; f->series(c, k, &label, &value); k++) {

                    if (prometheus) {
                        size += NGX_HTTP_INTERCOM_WEBHOOK_SERIES_LEN
                                + f->name.len + f->label.len;

                        if (f->flags & NGX_HTTP_INTERCOM_WEBHOOK_HISTOGRAM) {
                            size += NGX_HTTP_INTERCOM_WEBHOOK_BUCKET_LEN;
                        }

                    } else {
                        size += NGX_HTTP_INTERCOM_WEBHOOK_JSON_SERIES_LEN;
                    }

                    size += esc * (names + label.len);
                }
            }
        }
    }

    return size;
}


static ngx_uint_t
ngx_http_intercom_webhook_prometheus(ngx_http_request_t *r)
{
    ngx_str_t         format;
    ngx_table_elt_t  *h;

    if (ngx_http_arg(r, (u_char *) "format", 6, &format) == NGX_OK) {
        return format.len == 10
               && ngx_strncmp(format.data, "prometheus", 10) == 0;
    }

    h = ngx_http_intercom_webhook_find_header(r,
                                          ngx_http_intercom_webhook_accept);

    if (h == NULL) {
        return 0;
    }

    if (ngx_strlcasestrn(h->value.data, h->value.data + h->value.len,
                         (u_char *) "application/openmetrics-text", 28 - 1)
        || ngx_strlcasestrn(h->value.data, h->value.data + h->value.len,
                            (u_char *) "text/plain", 10 - 1))
    {
        return 1;
    }

    return 0;
}


static u_char *
ngx_http_intercom_webhook_json(u_char *p, u_char *last,
    ngx_array_t *snapshots)
{
    ngx_uint_t                                i, j;
    ngx_atomic_uint_t                         value;
    ngx_http_intercom_webhook_family_t       *f;
    ngx_http_intercom_webhook_counters_t     *c;
    ngx_http_intercom_webhook_snapshot_t     *s;
    ngx_http_intercom_webhook_zone_family_t  *zf;

    p = ngx_slprintf(p, last, "{\"version\":\"%s\",\"zones\":{",
                     NGX_HTTP_INTERCOM_WEBHOOK_VERSION);

    s = snapshots->elts;

    for (i = 0; i < snapshots->nelts; i++) {

        p = ngx_slprintf(p, last, "%s\"", i ? "," : "");
        p = ngx_http_intercom_webhook_json_escape(p, last, s[i].name.data,
                                                  s[i].name.len);
        p = ngx_slprintf(p, last, "\":{");

        for (zf = ngx_http_intercom_webhook_zone_families;
             zf->name.len;
             zf++)
        {
            value = *(ngx_atomic_uint_t *) ((u_char *) &s[i] + zf->offset);
            p = ngx_slprintf(p, last, "\"%V\":%uA,", &zf->json, value);
        }

        p = ngx_slprintf(p, last, "\"locations\":[");

        for (j = 0; j < s[i].nrows; j++) {
            c = &s[i].rows[j];

            p = ngx_slprintf(p, last, "%s{\"server\":\"", j ? "," : "");
            p = ngx_http_intercom_webhook_json_escape(p, last, c->server,
                                                      c->server_len);
            p = ngx_slprintf(p, last, "\",\"location\":\"");
            p = ngx_http_intercom_webhook_json_escape(p, last, c->name,
                                                      c->len);
            p = ngx_slprintf(p, last, "\"");

            for (f = ngx_http_intercom_webhook_families; f->name.len; f++) {
                p = ngx_http_intercom_webhook_json_family(p, last, f, c);
            }

            p = ngx_slprintf(p, last, "}");
        }

        p = ngx_slprintf(p, last, "]}");
    }

    return ngx_slprintf(p, last, "}}\n");
}


static u_char *
ngx_http_intercom_webhook_json_family(u_char *p, u_char *last,
    ngx_http_intercom_webhook_family_t *f,
    ngx_http_intercom_webhook_counters_t *c)
{
    ngx_tm_t           tm;
    ngx_str_t          label;
    ngx_uint_t         i;
    ngx_atomic_uint_t  value, count, sum;

    if (f->label.len == 0) {

        /* one series: a key of the location's object */

        if (!f->series(c, 0, &label, &value)) {
            return p;
        }

        if (f->flags & NGX_HTTP_INTERCOM_WEBHOOK_DATE) {
            ngx_gmtime((time_t) value, &tm);

            return ngx_slprintf(p, last, ",\"%V\":\"%4d-%02d-%02d\"",
                                &f->json, tm.ngx_tm_year, tm.ngx_tm_mon,
                                tm.ngx_tm_mday);
        }

        return ngx_slprintf(p, last, ",\"%V\":%uA", &f->json, value);
    }

    if (f->flags & NGX_HTTP_INTERCOM_WEBHOOK_HISTOGRAM) {

        /* {"buckets":{"0.05":n, ..., "+Inf":n},"sum":s,"count":n} */

        p = ngx_slprintf(p, last, ",\"%V\":{\"buckets\":{", &f->json);

        count = 0;

        for (i = 0; f->series(c, i, &label, &value); i++) {
            p = ngx_slprintf(p, last, "%s\"", i ? "," : "");
            p = ngx_http_intercom_webhook_json_escape(p, last, label.data,
                                                      label.len);
            p = ngx_slprintf(p, last, "\":%uA", value);
            count = value;
        }

        sum = f->sum(c);

        return ngx_slprintf(p, last, "},\"sum\":%uA.%03uA,\"count\":%uA}",
                            sum / 1000, sum % 1000, count);
    }

    if (!(f->flags & NGX_HTTP_INTERCOM_WEBHOOK_FLAT)) {
        p = ngx_slprintf(p, last, ",\"%V\":{", &f->json);
    }

    for (i = 0; f->series(c, i, &label, &value); i++) {
        p = ngx_slprintf(p, last, "%s\"",
                         (i || (f->flags & NGX_HTTP_INTERCOM_WEBHOOK_FLAT))
                         ? "," : "");
        p = ngx_http_intercom_webhook_json_escape(p, last, label.data,
                                                  label.len);
        p = ngx_slprintf(p, last, "\":%uA", value);
    }

    if (!(f->flags & NGX_HTTP_INTERCOM_WEBHOOK_FLAT)) {
        p = ngx_slprintf(p, last, "}");
    }

    return p;
}


static u_char *
ngx_http_intercom_webhook_metrics(u_char *p, u_char *last,
    ngx_array_t *snapshots)
{
    ngx_str_t                                 label;
    ngx_uint_t                                i, j, k;
    ngx_atomic_uint_t                         value, count, sum;
    ngx_http_intercom_webhook_family_t       *f;
    ngx_http_intercom_webhook_counters_t     *c;
    ngx_http_intercom_webhook_snapshot_t     *s;
    ngx_http_intercom_webhook_zone_family_t  *zf;

    p = ngx_slprintf(p, last,
                     "# HELP nginx_intercom_webhook_info "
                     "The version of the intercom webhook module.\n"
                     "# TYPE nginx_intercom_webhook_info gauge\n"
                     "nginx_intercom_webhook_info{version=\"%s\"} 1\n",
                     NGX_HTTP_INTERCOM_WEBHOOK_VERSION);

    s = snapshots->elts;

    for (zf = ngx_http_intercom_webhook_zone_families; zf->name.len; zf++) {

        p = ngx_slprintf(p, last,
                         "# HELP nginx_intercom_webhook_%V %s\n"
                         "# TYPE nginx_intercom_webhook_%V %s\n",
                         &zf->name, zf->help, &zf->name, zf->type);

        for (i = 0; i < snapshots->nelts; i++) {
            value = *(ngx_atomic_uint_t *) ((u_char *) &s[i] + zf->offset);

            p = ngx_slprintf(p, last, "nginx_intercom_webhook_%V{zone=\"",
                             &zf->name);
            p = ngx_http_intercom_webhook_label_escape(p, last,
                                             s[i].name.data, s[i].name.len);
            p = ngx_slprintf(p, last, "\"} %uA\n", value);
        }
    }

    for (f = ngx_http_intercom_webhook_families; f->name.len; f++) {

        p = ngx_slprintf(p, last,
                         "# HELP nginx_intercom_webhook_%V %s\n"
                         "# TYPE nginx_intercom_webhook_%V %s\n",
                         &f->name, f->help, &f->name, f->type);

        for (i = 0; i < snapshots->nelts; i++) {
            for (j = 0; j < s[i].nrows; j++) {
                c = &s[i].rows[j];

                if (f->flags & NGX_HTTP_INTERCOM_WEBHOOK_HISTOGRAM) {

                    /* the cumulative buckets, then the sum and count */

                    count = 0;

                    for (k = 0; f->series(c, k, &label, &value); k++) {
                        p = ngx_http_intercom_webhook_labels(p, last, f,
                                                         "_bucket", &s[i], c);
                        p = ngx_slprintf(p, last, ",%V=\"%V\"} %uA\n",
                                         &f->label, &label, value);
                        count = value;
                    }

                    sum = f->sum(c);

                    p = ngx_http_intercom_webhook_labels(p, last, f, "_sum",
                                                         &s[i], c);
                    p = ngx_slprintf(p, last, "} %uA.%03uA\n",
                                     sum / 1000, sum % 1000);
                    p = ngx_http_intercom_webhook_labels(p, last, f,
                                                         "_count", &s[i], c);
                    p = ngx_slprintf(p, last, "} %uA\n", count);

                    continue;
                }

                for (k = 0; f->series(c, k, &label, &value); k++) {
                    p = ngx_http_intercom_webhook_labels(p, last, f, "",
                                                         &s[i], c);

                    if (f->label.len) {
                        p = ngx_slprintf(p, last, ",%V=\"", &f->label);
                        p = ngx_http_intercom_webhook_label_escape(p, last,
                                                       label.data, label.len);
                        p = ngx_slprintf(p, last, "\"");
                    }

                    p = ngx_slprintf(p, last, "} %uA\n", value);
                }
            }
        }
    }

    return p;
}


/* a series' name and the labels of its zone and location, but the "}" */

static u_char *
ngx_http_intercom_webhook_labels(u_char *p, u_char *last,
    ngx_http_intercom_webhook_family_t *f, char *suffix,
    ngx_http_intercom_webhook_snapshot_t *s,
    ngx_http_intercom_webhook_counters_t *c)
{
    p = ngx_slprintf(p, last, "nginx_intercom_webhook_%V%s{zone=\"",
                     &f->name, suffix);
    p = ngx_http_intercom_webhook_label_escape(p, last, s->name.data,
                                               s->name.len);
    p = ngx_slprintf(p, last, "\",server=\"");
    p = ngx_http_intercom_webhook_label_escape(p, last, c->server,
                                               c->server_len);
    p = ngx_slprintf(p, last, "\",location=\"");
    p = ngx_http_intercom_webhook_label_escape(p, last, c->name, c->len);

    return ngx_slprintf(p, last, "\"");
}


static ngx_uint_t
ngx_http_intercom_webhook_results_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value)
{
    /* NGX_HTTP_INTERCOM_WEBHOOK_NONE is no result */

    if (i + 1 >= NGX_HTTP_INTERCOM_WEBHOOK_NRESULTS) {
        return 0;
    }

    *label = ngx_http_intercom_webhook_results[i + 1];
    *value = c->results[i + 1];

    return 1;
}


static ngx_uint_t
ngx_http_intercom_webhook_topics_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value)
{
    return ngx_http_intercom_webhook_topic_series(c, i, label, value, 0);
}


static ngx_uint_t
ngx_http_intercom_webhook_ignored_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value)
{
    return ngx_http_intercom_webhook_topic_series(c, i, label, value, 1);
}


/* the topics' notifications passed on, or ignored, and the overflow's */

static ngx_uint_t
ngx_http_intercom_webhook_topic_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value, ngx_uint_t ignored)
{
    ngx_uint_t  n;

    n = ngx_min(c->ntopics, NGX_HTTP_INTERCOM_WEBHOOK_TOPICS);

    if (i < n) {
        label->len = c->topics[i].len;
        label->data = c->topics[i].name;
        *value = ignored ? c->topics[i].ignored : c->topics[i].count;
        return 1;
    }

    if (i == n) {
        *label = ngx_http_intercom_webhook_other;
        *value = ignored ? c->other_ignored : c->other_topics;
        return 1;
    }

    return 0;
}


static ngx_uint_t
ngx_http_intercom_webhook_secrets_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value)
{
    if (i >= ngx_min(c->nsecrets, NGX_HTTP_INTERCOM_WEBHOOK_MAX_SECRETS)) {
        return 0;
    }

    label->len = c->secrets[i].len;
    label->data = c->secrets[i].name;
    *value = c->secrets[i].count;

    return 1;
}


static ngx_uint_t
ngx_http_intercom_webhook_classes_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value)
{
    /* 0xx is no class */

    if (i + 1 >= NGX_HTTP_INTERCOM_WEBHOOK_CLASSES) {
        return 0;
    }

    *label = ngx_http_intercom_webhook_classes[i + 1];
    *value = c->classes[i + 1];

    return 1;
}


static ngx_uint_t
ngx_http_intercom_webhook_bytes_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value)
{
    if (i) {
        return 0;
    }

    ngx_str_null(label);
    *value = c->verified_bytes;

    return 1;
}


static ngx_uint_t
ngx_http_intercom_webhook_replaced_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value)
{
    switch (i) {

    case 0:
        *value = c->unavailable;
        break;

    case 1:
        *value = c->gone;
        break;

    default:
        return 0;
    }

    *label = ngx_http_intercom_webhook_reasons[i];

    return 1;
}


static ngx_uint_t
ngx_http_intercom_webhook_duration_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value)
{
    return ngx_http_intercom_webhook_cumulative(c->duration,
                                                ngx_http_intercom_webhook_les,
                                                i, label, value);
}


/* a histogram's buckets, cumulative as Prometheus's are */

static ngx_uint_t
ngx_http_intercom_webhook_cumulative(ngx_atomic_t *buckets, ngx_str_t *les,
    ngx_uint_t i, ngx_str_t *label, ngx_atomic_uint_t *value)
{
    ngx_uint_t  k;

    if (i >= NGX_HTTP_INTERCOM_WEBHOOK_BUCKETS) {
        return 0;
    }

    *label = les[i];
    *value = 0;

    for (k = 0; k <= i; k++) {
        *value += buckets[k];
    }

    return 1;
}


static ngx_atomic_uint_t
ngx_http_intercom_webhook_duration_sum(ngx_http_intercom_webhook_counters_t *c)
{
    return c->duration_ms;
}


static ngx_uint_t
ngx_http_intercom_webhook_redis_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value)
{
    if (i >= NGX_HTTP_INTERCOM_WEBHOOK_REDIS_NOUTCOMES) {
        return 0;
    }

    *label = *ngx_http_intercom_webhook_redis_outcome(i);
    *value = c->redis[i];

    return 1;
}


static ngx_uint_t
ngx_http_intercom_webhook_redis_duration_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value)
{
    return ngx_http_intercom_webhook_cumulative(c->redis_duration,
                                          ngx_http_intercom_webhook_redis_les,
                                          i, label, value);
}


static ngx_atomic_uint_t
ngx_http_intercom_webhook_redis_duration_sum(
    ngx_http_intercom_webhook_counters_t *c)
{
    return c->redis_ms;
}


static ngx_uint_t
ngx_http_intercom_webhook_enqueued_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value)
{
    if (i) {
        return 0;
    }

    ngx_str_null(label);
    *value = c->enqueued;

    return 1;
}


static ngx_uint_t
ngx_http_intercom_webhook_enqueue_failures_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value)
{
    if (i) {
        return 0;
    }

    ngx_str_null(label);
    *value = c->enqueue_failed;

    return 1;
}


static ngx_uint_t
ngx_http_intercom_webhook_date_series(
    ngx_http_intercom_webhook_counters_t *c, ngx_uint_t i, ngx_str_t *label,
    ngx_atomic_uint_t *value)
{
    if (i || c->allow_date == 0) {
        return 0;
    }

    ngx_str_null(label);
    *value = c->allow_date;

    return 1;
}


/* JSON strings: '"', '\\' and the control characters escaped */

static u_char *
ngx_http_intercom_webhook_json_escape(u_char *p, u_char *last, u_char *src,
    size_t len)
{
    u_char  ch;

    while (len--) {
        ch = *src++;

        if (ch == '"' || ch == '\\') {
            p = ngx_slprintf(p, last, "\\%c", ch);

        } else if (ch == '\n') {
            p = ngx_slprintf(p, last, "\\n");

        } else if (ch < 0x20 || ch == 0x7f) {
            p = ngx_slprintf(p, last, "\\u%04xui", (ngx_uint_t) ch);

        } else if (p < last) {
            *p++ = ch;
        }
    }

    return p;
}


/*
 * Prometheus's label values: '\\', '"' and a line feed are the only
 * escapes of the text exposition format; every other byte goes as it is.
 */

static u_char *
ngx_http_intercom_webhook_label_escape(u_char *p, u_char *last, u_char *src,
    size_t len)
{
    u_char  ch;

    while (len--) {
        ch = *src++;

        if (ch == '"' || ch == '\\') {
            p = ngx_slprintf(p, last, "\\%c", ch);

        } else if (ch == '\n') {
            p = ngx_slprintf(p, last, "\\n");

        } else if (p < last) {
            *p++ = ch;
        }
    }

    return p;
}
