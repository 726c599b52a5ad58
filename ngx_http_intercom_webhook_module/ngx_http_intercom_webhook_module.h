
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


#ifndef _NGX_HTTP_INTERCOM_WEBHOOK_MODULE_H_INCLUDED_
#define _NGX_HTTP_INTERCOM_WEBHOOK_MODULE_H_INCLUDED_


/*
 * The request side of the module: its configuration, the request context,
 * and the functions that the module's files share.  The pure parts are in
 * ngx_http_intercom_webhook.h.
 *
 *   _module.c      the module, its directives table, configuration
 *                  create/merge, and the checks of the configuration
 *   _directives.c  the directive handlers
 *   _handler.c     the gate in the precontent phase: checks, body,
 *                  verdict; an accepted notification goes on
 *   _headers.c     the request headers: the signature, and the upstream
 *                  headers stripped and set
 *   _filter.c      the response filter: what Intercom gets when the
 *                  application could not take a notification
 *   _zone.c        the shared zone: de-duplication and counters
 *   _status.c      intercom_webhook_status, the counters as JSON or for
 *                  Prometheus
 *   _variables.c   the $intercom_webhook_* variables
 *   _topics.c      the topics Intercom documents, and the check of the
 *                  topic patterns against them
 *   _redis.c       intercom_webhook_redis: a Redis client on nginx's event
 *                  loop, its servers from an upstream block
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_intercom_webhook.h"
#include "ngx_http_intercom_webhook_version.h"

/*
 * A check at compile time, for tables that must stay parallel: the build
 * fails where the condition is false.
 */

#define ngx_http_intercom_webhook_check(name, cond)                         \
    typedef char  ngx_http_intercom_webhook_check_##name[(cond) ? 1 : -1]

#define ngx_http_intercom_webhook_nelts(a)  (sizeof(a) / sizeof((a)[0]))


#define NGX_HTTP_INTERCOM_WEBHOOK_PING_RESPOND   0
#define NGX_HTTP_INTERCOM_WEBHOOK_PING_FORWARD   1

/* nginx has no name for it */
#define NGX_HTTP_INTERCOM_WEBHOOK_GONE           410

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


/* $intercom_webhook_result, in the order of the names in _variables.c */

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
    NGX_HTTP_INTERCOM_WEBHOOK_METHOD_NOT_ALLOWED,
    NGX_HTTP_INTERCOM_WEBHOOK_BODY_ERROR,
    NGX_HTTP_INTERCOM_WEBHOOK_ERROR,
    NGX_HTTP_INTERCOM_WEBHOOK_DELIVERED_ALREADY,
    NGX_HTTP_INTERCOM_WEBHOOK_IN_FLIGHT,
    NGX_HTTP_INTERCOM_WEBHOOK_STALE,
    NGX_HTTP_INTERCOM_WEBHOOK_NRESULTS
};


/* the outcome of a Redis operation (_redis.c), as counted */

enum {
    NGX_HTTP_INTERCOM_WEBHOOK_REDIS_OK = 0,     /* every reply, none -ERR */
    NGX_HTTP_INTERCOM_WEBHOOK_REDIS_ERROR,      /* an error reply, or one
                                                   not understood */
    NGX_HTTP_INTERCOM_WEBHOOK_REDIS_TIMEOUT,    /* connect, send or read */
    NGX_HTTP_INTERCOM_WEBHOOK_REDIS_UNAVAILABLE, /* no server, refused,
                                                    reset, closed */
    NGX_HTTP_INTERCOM_WEBHOOK_REDIS_NOUTCOMES
};


#define NGX_HTTP_INTERCOM_WEBHOOK_MODE_ENFORCE   0
#define NGX_HTTP_INTERCOM_WEBHOOK_MODE_REPORT    1

/* counters of a location in a zone */
#define NGX_HTTP_INTERCOM_WEBHOOK_TOPICS         32
#define NGX_HTTP_INTERCOM_WEBHOOK_TOPIC_LEN      64
#define NGX_HTTP_INTERCOM_WEBHOOK_NAME_LEN       128
#define NGX_HTTP_INTERCOM_WEBHOOK_CLASSES        6     /* status / 100 */

/* the delivery's duration: the buckets' bounds in _zone.c, and +Inf */
#define NGX_HTTP_INTERCOM_WEBHOOK_BUCKETS        9

/* the counters' area: this share of a zone, or one location's at least */
#define NGX_HTTP_INTERCOM_WEBHOOK_COUNTERS_SHARE 8


typedef struct {
    u_char         len;
    u_char         name[NGX_HTTP_INTERCOM_WEBHOOK_TOPIC_LEN];
    ngx_atomic_t   count;
} ngx_http_intercom_webhook_named_count_t;


/* a topic's notifications: passed on, and ignored (no pattern matched) */

typedef struct {
    u_char         len;
    u_char         name[NGX_HTTP_INTERCOM_WEBHOOK_TOPIC_LEN];
    ngx_atomic_t   count;
    ngx_atomic_t   ignored;
} ngx_http_intercom_webhook_topic_count_t;


typedef ngx_http_intercom_webhook_topic_count_t
    ngx_http_intercom_webhook_topics_t[NGX_HTTP_INTERCOM_WEBHOOK_TOPICS];
typedef ngx_http_intercom_webhook_named_count_t
    ngx_http_intercom_webhook_secrets_t[NGX_HTTP_INTERCOM_WEBHOOK_MAX_SECRETS];
typedef ngx_atomic_t
    ngx_http_intercom_webhook_results_t[NGX_HTTP_INTERCOM_WEBHOOK_NRESULTS];
typedef ngx_atomic_t
    ngx_http_intercom_webhook_classes_t[NGX_HTTP_INTERCOM_WEBHOOK_CLASSES];
typedef ngx_atomic_t
    ngx_http_intercom_webhook_buckets_t[NGX_HTTP_INTERCOM_WEBHOOK_BUCKETS];
typedef u_char
    ngx_http_intercom_webhook_name_t[NGX_HTTP_INTERCOM_WEBHOOK_NAME_LEN];


/*
 * In the zone's counters area: the counters of a location, found by its
 * server's name and its own; len 0 is a row never used.
 */

typedef struct {
    ngx_uint_t                           active;   /* by the configuration */
    u_char                               server_len;
    u_char                               len;
    ngx_http_intercom_webhook_name_t     server;
    ngx_http_intercom_webhook_name_t     name;

    ngx_http_intercom_webhook_results_t  results;
    ngx_http_intercom_webhook_classes_t  classes;
    ngx_atomic_t                         verified_bytes;
    ngx_atomic_t                         unavailable;  /* 502, 503, 504 */
    ngx_atomic_t                         gone;         /* 410 */
    ngx_atomic_t                         other_topics;
    ngx_atomic_t                         other_ignored;

    /* the allowlist files' oldest date, as Unix seconds; 0: none */
    ngx_atomic_t                         allow_date;

    /*
     * the notifications passed on, by the time from the request's start
     * to the response header: each in the first bucket whose bound it
     * does not pass (not cumulative here), and the sum in milliseconds
     */
    ngx_http_intercom_webhook_buckets_t  duration;
    ngx_atomic_t                         duration_ms;

    /*
     * Redis operations, by outcome, and their time in the buckets of
     * ngx_http_intercom_webhook_redis_bounds[]; the notifications queued
     * (intercom_webhook_enqueue), and those that could not be
     */
    ngx_atomic_t                         redis[
                                     NGX_HTTP_INTERCOM_WEBHOOK_REDIS_NOUTCOMES];
    ngx_http_intercom_webhook_buckets_t  redis_duration;
    ngx_atomic_t                         redis_ms;
    ngx_atomic_t                         enqueued;
    ngx_atomic_t                         enqueue_failed;

    ngx_atomic_t                         ntopics;
    ngx_http_intercom_webhook_topics_t   topics;

    ngx_uint_t                           nsecrets;
    ngx_http_intercom_webhook_secrets_t  secrets;
} ngx_http_intercom_webhook_counters_t;


typedef struct {
    ngx_rbtree_t                        rbtree;
    ngx_rbtree_node_t                   sentinel;
    ngx_queue_t                         lru;      /* of entries, newest first */
    ngx_atomic_t                        entries;
    ngx_atomic_t                        evictions;
    ngx_uint_t                          limit;    /* entries it holds */
    time_t                              full;     /* last "full" warning */

    /* the counters' area, allocated first, never used by entries */
    ngx_http_intercom_webhook_counters_t  *counters;
    ngx_uint_t                          ncounters;
} ngx_http_intercom_webhook_shctx_t;


typedef struct {
    ngx_http_intercom_webhook_shctx_t  *sh;
    ngx_slab_pool_t                    *shpool;
    ngx_shm_zone_t                     *shm_zone;
    ngx_array_t                         users;    /* of _zone.c's user_t */
    ngx_uint_t                          rows;     /* distinct users */
} ngx_http_intercom_webhook_zone_t;


/*
 * The de-duplication entry a request holds: the data of its pool cleanup,
 * which needs nothing of the request.
 */

typedef struct ngx_http_intercom_webhook_loc_conf_s
    ngx_http_intercom_webhook_loc_conf_t;


typedef struct {
    ngx_http_intercom_webhook_zone_t   *zone;
    ngx_str_t                           key;
    uint32_t                            hash;
    uint64_t                            owner;
    time_t                              ttl;
    ngx_uint_t                          held;

    /*
     * Redis (redis=): the key holds the owner's token while in flight;
     * the claim, while it is asked; the location, for the counters
     */
    struct ngx_http_intercom_webhook_redis_s     *redis;
    ngx_str_t                                     token;
    struct ngx_http_intercom_webhook_redis_op_s  *op;
    ngx_http_intercom_webhook_loc_conf_t         *conf;
} ngx_http_intercom_webhook_dedup_t;


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


/* "intercom_webhook": inherited by nested locations as one */

typedef struct {
    ngx_flag_t                          enable;
    ngx_shm_zone_t                     *status;   /* "status=zone" */

    /* where it was given, for errors found later */
    ngx_str_t                           file;
    ngx_uint_t                          line;
} ngx_http_intercom_webhook_gate_conf_t;


/* the first request-path directive written in a block, and where */

typedef struct {
    ngx_str_t                           name;
    ngx_str_t                           file;
    ngx_uint_t                          line;
} ngx_http_intercom_webhook_where_t;


/* intercom_webhook_enqueue's parameters (_queue.c) */

typedef struct ngx_http_intercom_webhook_queue_s
    ngx_http_intercom_webhook_queue_t;


struct ngx_http_intercom_webhook_loc_conf_s {
    /* merged: "intercom_webhook on" here or in an enclosing location */
    ngx_flag_t                          enable;
    ngx_http_intercom_webhook_gate_conf_t  *gate;
    ngx_http_intercom_webhook_where_t   where;

    ngx_array_t                        *secrets;  /* of secret_t */
    ngx_http_intercom_webhook_allow_t  *allow;
    ngx_array_t                        *topics;   /* of topic_t */
    ngx_array_t                        *header_conf;

    ngx_uint_t                          ping;
    ngx_uint_t                          log_level;

    /* the status for an application that could not take it, 0 for off */
    ngx_int_t                           unavailable;
    time_t                              retry_after;  /* -1: none */

    ngx_str_t                           name;     /* the location's */

    /* the last realip hint of a 403, per worker: at most one a minute */
    time_t                              realip_hint;

    ngx_uint_t                          mode;
    time_t                              max_age;  /* 0: off */

    /*
     * the location's client_max_body_size, enforced by the gate: nginx's
     * own check comes before any phase handler, and its 413 could be
     * redirected by error_page
     */
    off_t                               max_body;

    /* de-duplication, in a zone or through Redis, and the counters' zone */
    ngx_shm_zone_t                     *dedup;
    time_t                              dedup_ttl;
    struct ngx_http_intercom_webhook_redis_s  *dedup_redis;

    /* the last warning of a failed Redis operation, per worker */
    time_t                              redis_log;

    ngx_shm_zone_t                     *status;

    /* intercom_webhook_enqueue, of this location only (_queue.c) */
    ngx_http_intercom_webhook_queue_t  *queue;

    /* set in the zone's init: the location's counters */
    ngx_http_intercom_webhook_counters_t  *counters;
    ngx_uint_t                          secret_slot[
                                      NGX_HTTP_INTERCOM_WEBHOOK_MAX_SECRETS];

    /* compiled in postconfiguration where the module is on */
    ngx_http_intercom_webhook_fields_t *fields;
    ngx_array_t                        *headers;  /* of header_t */
};



/*
 * Redis (_redis.c).  An operation is one or more commands, sent together
 * on one connection of the worker's pool, and their replies.  The caller
 * creates it, adds its commands as bulk strings (copied: nothing of the
 * caller is needed afterwards), and starts it; its handler is called
 * once, never from within _start(), with the outcome and the replies,
 * which live until the handler returns.  A caller that goes away first
 * (a request finalized) detaches the operation: it ends quietly, and its
 * memory is the client's; one never started is freed by _detach().  An
 * operation started with no handler is detached from the start: "fire
 * and forget".
 */

#define NGX_HTTP_INTERCOM_WEBHOOK_REDIS_MAX_COMMANDS  4



/* a reply, copied out of the reader's: str for STRING, STATUS, ERROR */

enum {
    NGX_HTTP_INTERCOM_WEBHOOK_REPLY_STRING = 1,
    NGX_HTTP_INTERCOM_WEBHOOK_REPLY_ARRAY,
    NGX_HTTP_INTERCOM_WEBHOOK_REPLY_INTEGER,
    NGX_HTTP_INTERCOM_WEBHOOK_REPLY_NIL,
    NGX_HTTP_INTERCOM_WEBHOOK_REPLY_STATUS,
    NGX_HTTP_INTERCOM_WEBHOOK_REPLY_ERROR
};


typedef struct {
    ngx_uint_t                          type;
    ngx_str_t                           str;
    int64_t                             integer;
    ngx_uint_t                          elements;  /* of an array */
} ngx_http_intercom_webhook_reply_t;


typedef struct ngx_http_intercom_webhook_redis_s
    ngx_http_intercom_webhook_redis_t;
typedef struct ngx_http_intercom_webhook_redis_op_s
    ngx_http_intercom_webhook_redis_op_t;

typedef void (*ngx_http_intercom_webhook_redis_handler_pt)(
    ngx_http_intercom_webhook_redis_op_t *op);


struct ngx_http_intercom_webhook_redis_op_s {
    /* the caller's: NULL handler for none */
    ngx_http_intercom_webhook_redis_handler_pt  handler;
    void                               *data;

    /* for the handler */
    ngx_uint_t                          outcome;
    ngx_uint_t                          nreplies;  /* read, in order */
    ngx_http_intercom_webhook_reply_t   replies[
                                 NGX_HTTP_INTERCOM_WEBHOOK_REDIS_MAX_COMMANDS];
    ngx_msec_t                          elapsed;   /* start to outcome */
    ngx_str_t                          *server;    /* its name, or NULL */

    /* the client's */
    ngx_pool_t                         *pool;
    ngx_http_intercom_webhook_redis_t  *redis;
    ngx_uint_t                          ncommands;
    ngx_chain_t                        *out;
    ngx_chain_t                       **last;
    ngx_msec_t                          start;
    ngx_event_t                         done;      /* posted, for the handler */
    void                               *run;       /* _redis.c's */
    unsigned                            detached:1;
    unsigned                            started:1;
};


/* a location where the module is on, checked in postconfiguration */

typedef struct {
    ngx_http_core_loc_conf_t           *clcf;
    ngx_http_core_srv_conf_t           *cscf;
    ngx_http_intercom_webhook_loc_conf_t  *iwcf;
} ngx_http_intercom_webhook_location_t;


/* a server whose http or server level has request-path directives */

typedef struct {
    ngx_http_core_srv_conf_t           *cscf;
    ngx_http_intercom_webhook_where_t   where;
} ngx_http_intercom_webhook_server_t;


typedef struct {
    ngx_array_t                         locations;  /* of location_t */
    ngx_array_t                         servers;    /* of server_t */
    ngx_array_t                         zones;      /* of ngx_shm_zone_t * */
    ngx_array_t                         redis;      /* of redis_t * */
} ngx_http_intercom_webhook_main_conf_t;


/*
 * The request context.  It lives in a pool cleanup, as realip's does, so
 * that it is found again after an internal redirect (try_files,
 * error_page, a named location) has wiped the module contexts: a
 * verified request is not verified again.
 */

typedef struct {
    ngx_uint_t                             result;
    ngx_uint_t                             would;    /* report: the verdict */
    ngx_str_t                              secret_id;
    ngx_int_t                              secret;   /* its index, or -1 */
    ngx_str_t                             *texts;    /* per field slot */
    ngx_int_t                              upstream_status;
    off_t                                  bytes;    /* hashed */
    ngx_http_intercom_webhook_loc_conf_t  *conf;     /* the verifying one */

    /* de-duplication: the entry this request holds, or NULL */
    ngx_http_intercom_webhook_dedup_t     *dedup;

    unsigned                               handed:1; /* passed on */
    unsigned                               error_page:1; /* r's, kept */
    unsigned                               counted:1;

    u_char                                 digest[20];  /* SHA-1 */
} ngx_http_intercom_webhook_ctx_t;


extern ngx_module_t  ngx_http_intercom_webhook_module;


/* _module.c */

ngx_http_intercom_webhook_ctx_t *ngx_http_intercom_webhook_create_ctx(
    ngx_http_request_t *r);
ngx_http_intercom_webhook_ctx_t *ngx_http_intercom_webhook_get_ctx(
    ngx_http_request_t *r);
void ngx_http_intercom_webhook_note(ngx_conf_t *cf, ngx_command_t *cmd,
    ngx_http_intercom_webhook_loc_conf_t *iwcf);

/* _directives.c */

char *ngx_http_intercom_webhook(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_intercom_webhook_secret(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_intercom_webhook_allow(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_intercom_webhook_topics(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_intercom_webhook_header(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_intercom_webhook_unavailable(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
char *ngx_http_intercom_webhook_max_age(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_intercom_webhook_set_enum(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/* _ranges.c */

char *ngx_http_intercom_webhook_allow_file(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
void ngx_http_intercom_webhook_preset_notice(ngx_conf_t *cf,
    ngx_http_intercom_webhook_main_conf_t *iwmcf);

/* _handler.c */

typedef ngx_int_t (*ngx_http_intercom_webhook_chunk_pt)(void *data,
    u_char *pos, u_char *last);


ngx_int_t ngx_http_intercom_webhook_gate(ngx_http_request_t *r);
ngx_int_t ngx_http_intercom_webhook_gate_init(ngx_conf_t *cf);
ngx_int_t ngx_http_intercom_webhook_log_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_intercom_webhook_read_body(ngx_http_request_t *r,
    ngx_http_intercom_webhook_chunk_pt handler, void *data);
ngx_int_t ngx_http_intercom_webhook_retry_later(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf);
void ngx_http_intercom_webhook_dedup_resume(ngx_http_request_t *r,
    ngx_int_t rc);

/* _filter.c */

ngx_int_t ngx_http_intercom_webhook_header_filter(ngx_http_request_t *r);
ngx_int_t ngx_http_intercom_webhook_filter_init(ngx_conf_t *cf);
ngx_int_t ngx_http_intercom_webhook_retry_after(ngx_http_request_t *r,
    time_t seconds);

/* _headers.c */

ngx_table_elt_t *ngx_http_intercom_webhook_find_header(
    ngx_http_request_t *r, ngx_str_t *names);
ngx_table_elt_t *ngx_http_intercom_webhook_signature_header(
    ngx_http_request_t *r, ngx_uint_t *n);
ngx_int_t ngx_http_intercom_webhook_set_headers(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx);
ngx_int_t ngx_http_intercom_webhook_compile_headers(ngx_conf_t *cf,
    ngx_http_intercom_webhook_loc_conf_t *iwcf);

/* _zone.c */

extern ngx_msec_t  ngx_http_intercom_webhook_bounds[];
extern ngx_msec_t  ngx_http_intercom_webhook_redis_bounds[];


char *ngx_http_intercom_webhook_zone(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_intercom_webhook_dedup(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_shm_zone_t *ngx_http_intercom_webhook_find_zone(ngx_conf_t *cf,
    ngx_str_t *name);
ngx_int_t ngx_http_intercom_webhook_zone_use(ngx_conf_t *cf,
    ngx_shm_zone_t *shm_zone, ngx_http_intercom_webhook_loc_conf_t *iwcf);
ngx_int_t ngx_http_intercom_webhook_dedup_begin(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx);
ngx_int_t ngx_http_intercom_webhook_dedup_redis(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx,
    ngx_http_intercom_webhook_value_t *values);
void ngx_http_intercom_webhook_dedup_end(ngx_http_request_t *r,
    ngx_http_intercom_webhook_ctx_t *ctx, ngx_uint_t delivered);
void ngx_http_intercom_webhook_count(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx, ngx_uint_t result);
void ngx_http_intercom_webhook_count_duration(
    ngx_http_intercom_webhook_loc_conf_t *iwcf, ngx_msec_t ms);
void ngx_http_intercom_webhook_count_redis(
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_redis_op_t *op);
void ngx_http_intercom_webhook_count_enqueue(
    ngx_http_intercom_webhook_loc_conf_t *iwcf, ngx_uint_t queued);

/* _status.c */

char *ngx_http_intercom_webhook_status(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/* _topics.c */

void ngx_http_intercom_webhook_topics_check(ngx_conf_t *cf,
    ngx_http_intercom_webhook_topic_t *topic);

/* _redis.c */

char *ngx_http_intercom_webhook_redis(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_http_intercom_webhook_redis_t *ngx_http_intercom_webhook_redis_find(
    ngx_conf_t *cf, ngx_str_t *name);
ngx_int_t ngx_http_intercom_webhook_redis_init(ngx_conf_t *cf);
ngx_str_t *ngx_http_intercom_webhook_redis_name(
    ngx_http_intercom_webhook_redis_t *redis);
ngx_str_t *ngx_http_intercom_webhook_redis_outcome(ngx_uint_t outcome);
ngx_http_intercom_webhook_redis_op_t *ngx_http_intercom_webhook_redis_create(
    ngx_http_intercom_webhook_redis_t *redis);
ngx_int_t ngx_http_intercom_webhook_redis_command(
    ngx_http_intercom_webhook_redis_op_t *op, ngx_uint_t argc,
    ngx_str_t *argv);
void ngx_http_intercom_webhook_redis_start(
    ngx_http_intercom_webhook_redis_op_t *op);
void ngx_http_intercom_webhook_redis_detach(
    ngx_http_intercom_webhook_redis_op_t *op);

/* _variables.c */

extern ngx_str_t  ngx_http_intercom_webhook_results[];


ngx_int_t ngx_http_intercom_webhook_add_variables(ngx_conf_t *cf);

/* _queue.c */

char *ngx_http_intercom_webhook_enqueue(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);


#endif /* _NGX_HTTP_INTERCOM_WEBHOOK_MODULE_H_INCLUDED_ */
