
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
 */


/* the most bytes a line takes, but for the names it holds */
#define NGX_HTTP_INTERCOM_WEBHOOK_LINE           256

/* the most bytes of what is written whatever the zones: about 1.5 KB */
#define NGX_HTTP_INTERCOM_WEBHOOK_HEAD           4096


typedef struct {
    ngx_str_t                           zone;
    ngx_str_t                           location;
    ngx_http_intercom_webhook_counters_t  *c;
} ngx_http_intercom_webhook_status_loc_t;


static ngx_int_t ngx_http_intercom_webhook_status_handler(
    ngx_http_request_t *r);
static ngx_uint_t ngx_http_intercom_webhook_prometheus(ngx_http_request_t *r);
static ngx_table_elt_t *ngx_http_intercom_webhook_accept(
    ngx_http_request_t *r);
static u_char *ngx_http_intercom_webhook_json(u_char *p, ngx_array_t *locs,
    ngx_array_t *zones);
static u_char *ngx_http_intercom_webhook_metrics(u_char *p,
    ngx_array_t *locs, ngx_array_t *zones);
static u_char *ngx_http_intercom_webhook_labels(u_char *p,
    ngx_http_intercom_webhook_status_loc_t *loc);
static u_char *ngx_http_intercom_webhook_day(ngx_atomic_uint_t t,
    u_char *buf);
static u_char *ngx_http_intercom_webhook_escape(u_char *p, u_char *src,
    size_t len);


static ngx_str_t  ngx_http_intercom_webhook_classes[] = {
    ngx_null_string,
    ngx_string("1xx"),
    ngx_string("2xx"),
    ngx_string("3xx"),
    ngx_string("4xx"),
    ngx_string("5xx")
};


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
    size_t                                   size;
    ngx_int_t                                rc;
    ngx_buf_t                               *b;
    ngx_uint_t                               i, prometheus;
    ngx_array_t                              locs;
    ngx_queue_t                             *q;
    ngx_chain_t                              out;
    ngx_shm_zone_t                         **z;
    ngx_http_intercom_webhook_zone_t        *zone;
    ngx_http_intercom_webhook_status_loc_t  *loc;
    ngx_http_intercom_webhook_main_conf_t   *iwmcf;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);

    if (rc != NGX_OK) {
        return rc;
    }

    iwmcf = ngx_http_get_module_main_conf(r, ngx_http_intercom_webhook_module);

    if (ngx_array_init(&locs, r->pool, 4,
                       sizeof(ngx_http_intercom_webhook_status_loc_t))
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* the counters' list of a zone changes only when nginx starts */

    /* the families' HELP and TYPE lines, and the version */

    size = NGX_HTTP_INTERCOM_WEBHOOK_HEAD;
    z = iwmcf->zones.elts;

    for (i = 0; i < iwmcf->zones.nelts; i++) {
        zone = z[i]->data;

        size += 256 + 6 * z[i]->shm.name.len;

        for (q = ngx_queue_head(&zone->sh->counters);
             q != ngx_queue_sentinel(&zone->sh->counters);
             q = ngx_queue_next(q))
        {
            loc = ngx_array_push(&locs);
            if (loc == NULL) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            loc->zone = z[i]->shm.name;
            loc->c = ngx_queue_data(q, ngx_http_intercom_webhook_counters_t,
                                    queue);
            loc->location.data = loc->c->name;
            loc->location.len = loc->c->len;

            /* every line may name the zone, the location and a topic */

            size += (NGX_HTTP_INTERCOM_WEBHOOK_NRESULTS
                     + NGX_HTTP_INTERCOM_WEBHOOK_TOPICS + 1
                     + NGX_HTTP_INTERCOM_WEBHOOK_MAX_SECRETS + 5 + 4)
                    * (NGX_HTTP_INTERCOM_WEBHOOK_LINE
                       + 6 * (loc->zone.len + loc->location.len
                              + NGX_HTTP_INTERCOM_WEBHOOK_TOPIC_LEN));
        }
    }

    prometheus = ngx_http_intercom_webhook_prometheus(r);

    if (prometheus) {
        ngx_str_set(&r->headers_out.content_type,
                    "text/plain; version=0.0.4; charset=utf-8");
    } else {
        ngx_str_set(&r->headers_out.content_type, "application/json");
    }

    r->headers_out.content_type_len = r->headers_out.content_type.len;
    r->headers_out.content_type_lowcase = NULL;

    b = ngx_create_temp_buf(r->pool, size);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->last = prometheus
              ? ngx_http_intercom_webhook_metrics(b->last, &locs,
                                                  &iwmcf->zones)
              : ngx_http_intercom_webhook_json(b->last, &locs, &iwmcf->zones);

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


static ngx_uint_t
ngx_http_intercom_webhook_prometheus(ngx_http_request_t *r)
{
    ngx_str_t         format;
    ngx_table_elt_t  *h;

    if (ngx_http_arg(r, (u_char *) "format", 6, &format) == NGX_OK) {
        return format.len == 10
               && ngx_strncmp(format.data, "prometheus", 10) == 0;
    }

    h = ngx_http_intercom_webhook_accept(r);

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


static ngx_table_elt_t *
ngx_http_intercom_webhook_accept(ngx_http_request_t *r)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                return NULL;
            }

            part = part->next;
            h = part->elts;
            i = 0;

            if (part->nelts == 0) {
                i = (ngx_uint_t) -1;
                continue;
            }
        }

        if (h[i].key.len == 6
            && ngx_strncasecmp(h[i].key.data, (u_char *) "accept", 6) == 0)
        {
            return &h[i];
        }
    }
}


static u_char *
ngx_http_intercom_webhook_json(u_char *p, ngx_array_t *locs,
    ngx_array_t *zones)
{
    u_char                                   day[sizeof("1970-01-01")];
    ngx_uint_t                               i, j, k, first;
    ngx_str_t                               *result;
    ngx_shm_zone_t                         **z;
    ngx_http_intercom_webhook_zone_t        *zone;
    ngx_http_intercom_webhook_counters_t    *c;
    ngx_http_intercom_webhook_status_loc_t  *loc;

    p = ngx_sprintf(p, "{\"version\":\"%s\",\"zones\":{",
                    NGX_HTTP_INTERCOM_WEBHOOK_VERSION);

    z = zones->elts;
    loc = locs->elts;
    k = 0;

    for (i = 0; i < zones->nelts; i++) {
        zone = z[i]->data;

        p = ngx_sprintf(p, "%s\"", i ? "," : "");
        p = ngx_http_intercom_webhook_escape(p, z[i]->shm.name.data,
                                             z[i]->shm.name.len);
        p = ngx_sprintf(p, "\":{\"dedup_entries\":%uA,\"locations\":{",
                        zone->sh->entries);

        for (first = 1;
             k < locs->nelts && loc[k].zone.data == z[i]->shm.name.data;
             k++, first = 0)
        {
            c = loc[k].c;

            p = ngx_sprintf(p, "%s\"", first ? "" : ",");
            p = ngx_http_intercom_webhook_escape(p, loc[k].location.data,
                                                 loc[k].location.len);
            p = ngx_cpymem(p, "\":{\"requests\":{",
                           sizeof("\":{\"requests\":{") - 1);

            for (j = 1; j < NGX_HTTP_INTERCOM_WEBHOOK_NRESULTS; j++) {
                result = &ngx_http_intercom_webhook_results[j];
                p = ngx_sprintf(p, "%s\"%V\":%uA", j > 1 ? "," : "",
                                result, c->results[j]);
            }

            p = ngx_cpymem(p, "},\"notifications\":{",
                           sizeof("},\"notifications\":{") - 1);

            for (j = 0; j < c->ntopics; j++) {
                if (c->topics[j].len == 0) {
                    continue;
                }

                p = ngx_sprintf(p, "\"");
                p = ngx_http_intercom_webhook_escape(p, c->topics[j].name,
                                                     c->topics[j].len);
                p = ngx_sprintf(p, "\":%uA,", c->topics[j].count);
            }

            p = ngx_sprintf(p, "\"other\":%uA},\"secrets\":{",
                            c->other_topics);

            for (j = 0; j < c->nsecrets; j++) {
                p = ngx_sprintf(p, "%s\"", j ? "," : "");
                p = ngx_http_intercom_webhook_escape(p, c->secrets[j].name,
                                                     c->secrets[j].len);
                p = ngx_sprintf(p, "\":%uA", c->secrets[j].count);
            }

            p = ngx_cpymem(p, "},\"responses\":{",
                           sizeof("},\"responses\":{") - 1);

            for (j = 1; j < 6; j++) {
                p = ngx_sprintf(p, "%s\"%V\":%uA", j > 1 ? "," : "",
                                &ngx_http_intercom_webhook_classes[j],
                                c->classes[j]);
            }

            p = ngx_sprintf(p, "},\"verified_bytes\":%uA,"
                            "\"unavailable\":%uA,\"gone\":%uA",
                            c->verified_bytes, c->unavailable, c->gone);

            if (c->allow_date) {
                p = ngx_sprintf(p, ",\"allowlist_date\":\"%s\"",
                                ngx_http_intercom_webhook_day(c->allow_date,
                                                              day));
            }

            *p++ = '}';
        }

        p = ngx_cpymem(p, "}}", 2);
    }

    return ngx_cpymem(p, "}}\n", 3);
}


#define ngx_http_intercom_webhook_family(p, name, type, help)                 \
    ngx_cpymem(p, "# HELP " name " " help "\n# TYPE " name " " type "\n",     \
               sizeof("# HELP " name " " help "\n# TYPE " name " " type "\n") \
               - 1)


static u_char *
ngx_http_intercom_webhook_labels(u_char *p,
    ngx_http_intercom_webhook_status_loc_t *loc)
{
    p = ngx_cpymem(p, "{zone=\"", sizeof("{zone=\"") - 1);
    p = ngx_http_intercom_webhook_escape(p, loc->zone.data, loc->zone.len);
    p = ngx_cpymem(p, "\",location=\"", sizeof("\",location=\"") - 1);
    p = ngx_http_intercom_webhook_escape(p, loc->location.data,
                                         loc->location.len);
    return ngx_cpymem(p, "\"", 1);
}


static u_char *
ngx_http_intercom_webhook_metrics(u_char *p, ngx_array_t *locs,
    ngx_array_t *zones)
{
    ngx_uint_t                               i, j;
    ngx_shm_zone_t                         **z;
    ngx_http_intercom_webhook_zone_t        *zone;
    ngx_http_intercom_webhook_counters_t    *c;
    ngx_http_intercom_webhook_status_loc_t  *loc;

    loc = locs->elts;
    z = zones->elts;

    p = ngx_http_intercom_webhook_family(p,
            "nginx_intercom_webhook_info", "gauge",
            "The version of the intercom webhook module.");
    p = ngx_sprintf(p, "nginx_intercom_webhook_info{version=\"%s\"} 1\n",
                    NGX_HTTP_INTERCOM_WEBHOOK_VERSION);

    p = ngx_http_intercom_webhook_family(p,
            "nginx_intercom_webhook_dedup_entries", "gauge",
            "Notifications remembered for de-duplication.");

    for (i = 0; i < zones->nelts; i++) {
        zone = z[i]->data;

        p = ngx_cpymem(p, "nginx_intercom_webhook_dedup_entries{zone=\"",
                       sizeof("nginx_intercom_webhook_dedup_entries{zone=\"")
                       - 1);
        p = ngx_http_intercom_webhook_escape(p, z[i]->shm.name.data,
                                             z[i]->shm.name.len);
        p = ngx_sprintf(p, "\"} %uA\n", zone->sh->entries);
    }

    p = ngx_http_intercom_webhook_family(p,
            "nginx_intercom_webhook_requests_total", "counter",
            "Requests to webhook locations, by result.");

    for (i = 0; i < locs->nelts; i++) {
        c = loc[i].c;

        for (j = 1; j < NGX_HTTP_INTERCOM_WEBHOOK_NRESULTS; j++) {
            p = ngx_cpymem(p, "nginx_intercom_webhook_requests_total",
                           sizeof("nginx_intercom_webhook_requests_total")
                           - 1);
            p = ngx_http_intercom_webhook_labels(p, &loc[i]);
            p = ngx_sprintf(p, ",result=\"%V\"} %uA\n",
                            &ngx_http_intercom_webhook_results[j],
                            c->results[j]);
        }
    }

    p = ngx_http_intercom_webhook_family(p,
            "nginx_intercom_webhook_notifications_total", "counter",
            "Notifications passed to the application, by topic.");

    for (i = 0; i < locs->nelts; i++) {
        c = loc[i].c;

        for (j = 0; j <= c->ntopics && j <= NGX_HTTP_INTERCOM_WEBHOOK_TOPICS;
             j++)
        {
            if (j < c->ntopics && c->topics[j].len == 0) {
                continue;
            }

            p = ngx_cpymem(p, "nginx_intercom_webhook_notifications_total",
                          sizeof("nginx_intercom_webhook_notifications_total")
                          - 1);
            p = ngx_http_intercom_webhook_labels(p, &loc[i]);
            p = ngx_cpymem(p, ",topic=\"", sizeof(",topic=\"") - 1);

            if (j == c->ntopics) {
                p = ngx_sprintf(p, "other\"} %uA\n", c->other_topics);
                break;
            }

            p = ngx_http_intercom_webhook_escape(p, c->topics[j].name,
                                                 c->topics[j].len);
            p = ngx_sprintf(p, "\"} %uA\n", c->topics[j].count);
        }
    }

    p = ngx_http_intercom_webhook_family(p,
            "nginx_intercom_webhook_verified_total", "counter",
            "Requests whose signature verified, by secret.");

    for (i = 0; i < locs->nelts; i++) {
        c = loc[i].c;

        for (j = 0; j < c->nsecrets; j++) {
            p = ngx_cpymem(p, "nginx_intercom_webhook_verified_total",
                           sizeof("nginx_intercom_webhook_verified_total")
                           - 1);
            p = ngx_http_intercom_webhook_labels(p, &loc[i]);
            p = ngx_cpymem(p, ",secret=\"", sizeof(",secret=\"") - 1);
            p = ngx_http_intercom_webhook_escape(p, c->secrets[j].name,
                                                 c->secrets[j].len);
            p = ngx_sprintf(p, "\"} %uA\n", c->secrets[j].count);
        }
    }

    p = ngx_http_intercom_webhook_family(p,
            "nginx_intercom_webhook_verified_bytes_total", "counter",
            "Bytes of request bodies whose signature verified.");

    for (i = 0; i < locs->nelts; i++) {
        p = ngx_cpymem(p, "nginx_intercom_webhook_verified_bytes_total",
                       sizeof("nginx_intercom_webhook_verified_bytes_total")
                       - 1);
        p = ngx_http_intercom_webhook_labels(p, &loc[i]);
        p = ngx_sprintf(p, "} %uA\n", loc[i].c->verified_bytes);
    }

    p = ngx_http_intercom_webhook_family(p,
            "nginx_intercom_webhook_responses_total", "counter",
            "Answers of the application to notifications, by class.");

    for (i = 0; i < locs->nelts; i++) {
        c = loc[i].c;

        for (j = 1; j < 6; j++) {
            p = ngx_cpymem(p, "nginx_intercom_webhook_responses_total",
                           sizeof("nginx_intercom_webhook_responses_total")
                           - 1);
            p = ngx_http_intercom_webhook_labels(p, &loc[i]);
            p = ngx_sprintf(p, ",class=\"%V\"} %uA\n",
                            &ngx_http_intercom_webhook_classes[j],
                            c->classes[j]);
        }
    }

    p = ngx_http_intercom_webhook_family(p,
            "nginx_intercom_webhook_mapped_total", "counter",
            "Answers not passed to Intercom as they were, by reason.");

    for (i = 0; i < locs->nelts; i++) {
        c = loc[i].c;

        p = ngx_cpymem(p, "nginx_intercom_webhook_mapped_total",
                       sizeof("nginx_intercom_webhook_mapped_total") - 1);
        p = ngx_http_intercom_webhook_labels(p, &loc[i]);
        p = ngx_sprintf(p, ",reason=\"unavailable\"} %uA\n", c->unavailable);

        p = ngx_cpymem(p, "nginx_intercom_webhook_mapped_total",
                       sizeof("nginx_intercom_webhook_mapped_total") - 1);
        p = ngx_http_intercom_webhook_labels(p, &loc[i]);
        p = ngx_sprintf(p, ",reason=\"gone\"} %uA\n", c->gone);
    }

    p = ngx_http_intercom_webhook_family(p,
            "nginx_intercom_webhook_allowlist_date_seconds", "gauge",
            "The date of the oldest allowlist file, as a Unix time.");

    for (i = 0; i < locs->nelts; i++) {
        if (loc[i].c->allow_date == 0) {
            continue;
        }

        p = ngx_cpymem(p, "nginx_intercom_webhook_allowlist_date_seconds",
                     sizeof("nginx_intercom_webhook_allowlist_date_seconds")
                     - 1);
        p = ngx_http_intercom_webhook_labels(p, &loc[i]);
        p = ngx_sprintf(p, "} %uA\n", loc[i].c->allow_date);
    }

    return p;
}


static u_char *
ngx_http_intercom_webhook_day(ngx_atomic_uint_t t, u_char *buf)
{
    ngx_tm_t  tm;

    ngx_gmtime((time_t) t, &tm);

    (void) ngx_sprintf(buf, "%4d-%02d-%02d%Z",
                       tm.ngx_tm_year, tm.ngx_tm_mon, tm.ngx_tm_mday);

    return buf;
}


/* for JSON strings and Prometheus label values alike */

static u_char *
ngx_http_intercom_webhook_escape(u_char *p, u_char *src, size_t len)
{
    u_char  ch;

    static u_char  hex[] = "0123456789abcdef";

    while (len--) {
        ch = *src++;

        if (ch == '"' || ch == '\\') {
            *p++ = '\\';
            *p++ = ch;

        } else if (ch == '\n') {
            *p++ = '\\';
            *p++ = 'n';

        } else if (ch < 0x20 || ch == 0x7f) {
            /* JSON's form; not in names from a configuration or a topic */
            *p++ = '\\';
            *p++ = 'u';
            *p++ = '0';
            *p++ = '0';
            *p++ = hex[ch >> 4];
            *p++ = hex[ch & 0xf];

        } else {
            *p++ = ch;
        }
    }

    return p;
}
