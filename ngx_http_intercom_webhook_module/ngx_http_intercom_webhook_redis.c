
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <hiredis/hiredis.h>

#include "ngx_http_intercom_webhook_module.h"


/*
 * A Redis client in the worker, on nginx's event loop: no blocking call,
 * no thread.  Its servers are an upstream block's, chosen by nginx's own
 * round robin (backup, max_fails, fail_timeout, down); its connections
 * are made by ngx_event_connect_peer() and kept alive per worker, as the
 * upstream keepalive module keeps them.  Replies are parsed by hiredis's
 * reader; commands are written as arrays of bulk strings, so nothing a
 * payload holds is ever read as a command.
 */


/* seconds between two log lines of one Redis's failures, per worker */
#define NGX_HTTP_INTERCOM_WEBHOOK_REDIS_LOG_INTERVAL  60

/* bytes read from a connection at once */
#define NGX_HTTP_INTERCOM_WEBHOOK_REDIS_READ_SIZE     4096

/* a password file's bytes at most */
#define NGX_HTTP_INTERCOM_WEBHOOK_REDIS_MAX_PASSWORD  512

/* AUTH and SELECT, sent first on a new connection */
#define NGX_HTTP_INTERCOM_WEBHOOK_REDIS_PREAMBLE      2


struct ngx_http_intercom_webhook_redis_s {
    ngx_str_t                           name;      /* the upstream's */
    ngx_http_upstream_srv_conf_t       *upstream;
    ngx_log_t                          *log;

    ngx_str_t                           user;
    ngx_str_t                           password;  /* empty: no AUTH */
    ngx_int_t                           db;        /* -1: no SELECT */
    ngx_msec_t                          timeout;
    ngx_msec_t                          connect_timeout;
    ngx_uint_t                          keepalive;

#if (NGX_SSL)
    ngx_ssl_t                          *ssl;       /* "tls" */
#endif
    ngx_str_t                           tls_name;
    ngx_uint_t                          tls_verify;

    /* where it was declared, or first named by redis= if not (yet) */
    ngx_uint_t                          declared;
    ngx_str_t                           file;
    ngx_uint_t                          line;

    /* per worker: idle connections, and the last failure logged */
    ngx_queue_t                         cache;
    ngx_uint_t                          cached;
    time_t                              logged;
};


/* a connection, in c->data */

typedef struct {
    ngx_queue_t                         queue;     /* in the cache */
    ngx_connection_t                   *connection;
    ngx_http_intercom_webhook_redis_t  *redis;
    redisReader                        *reader;
    ngx_http_intercom_webhook_redis_op_t  *op;
    struct sockaddr                    *sockaddr;
    socklen_t                           socklen;
    ngx_str_t                           server;
    ngx_log_t                           log;
    unsigned                            ready:1;   /* AUTH, SELECT done */
} ngx_http_intercom_webhook_redis_conn_t;


/* an operation's way to a server: op->run */

typedef struct {
    ngx_peer_connection_t               pc;
    ngx_event_get_peer_pt               get;       /* round robin's */
    ngx_event_free_peer_pt              free;
    void                               *data;
    ngx_http_intercom_webhook_redis_conn_t  *conn;
    ngx_chain_t                        *out;       /* still to send */
    ngx_uint_t                          prefix;    /* AUTH, SELECT sent */
    ngx_uint_t                          expect;    /* replies in all */
    ngx_uint_t                          read;      /* replies read */
    ngx_uint_t                          bytes;     /* of replies, read */
    unsigned                            peer:1;    /* got, to be freed */
    unsigned                            cached:1;
    unsigned                            retried:1;
    unsigned                            starting:1;
    unsigned                            connecting:1;
} ngx_http_intercom_webhook_redis_run_t;


static ngx_int_t ngx_http_intercom_webhook_redis_password(ngx_conf_t *cf,
    ngx_http_intercom_webhook_redis_t *redis, ngx_str_t *file);
#if (NGX_SSL)
static ngx_int_t ngx_http_intercom_webhook_redis_tls_conf(ngx_conf_t *cf,
    ngx_http_intercom_webhook_redis_t *redis, ngx_str_t *trusted,
    ngx_str_t *cert, ngx_str_t *key);
static void ngx_http_intercom_webhook_redis_tls_init(
    ngx_http_intercom_webhook_redis_op_t *op, ngx_connection_t *c);
static void ngx_http_intercom_webhook_redis_tls_event(ngx_event_t *ev);
static void ngx_http_intercom_webhook_redis_tls_handshake(
    ngx_connection_t *c);
#endif
static ngx_http_intercom_webhook_redis_t *
    ngx_http_intercom_webhook_redis_lookup(ngx_conf_t *cf, ngx_str_t *name);
static void ngx_http_intercom_webhook_redis_connect(
    ngx_http_intercom_webhook_redis_op_t *op);
static ngx_int_t ngx_http_intercom_webhook_redis_init_peer(
    ngx_http_intercom_webhook_redis_op_t *op);
static ngx_int_t ngx_http_intercom_webhook_redis_get_peer(
    ngx_peer_connection_t *pc, void *data);
static ngx_int_t ngx_http_intercom_webhook_redis_new_conn(
    ngx_http_intercom_webhook_redis_op_t *op);
static ngx_int_t ngx_http_intercom_webhook_redis_output(
    ngx_http_intercom_webhook_redis_op_t *op);
static ngx_int_t ngx_http_intercom_webhook_redis_format(
    ngx_http_intercom_webhook_redis_op_t *op, ngx_uint_t argc,
    ngx_str_t *argv, ngx_chain_t ***last);
static void ngx_http_intercom_webhook_redis_free_reader(void *data);
static ngx_uint_t ngx_http_intercom_webhook_redis_closed(ngx_connection_t *c);
static void ngx_http_intercom_webhook_redis_write_handler(ngx_event_t *wev);
static void ngx_http_intercom_webhook_redis_read_handler(ngx_event_t *rev);
static ngx_int_t ngx_http_intercom_webhook_redis_reply(
    ngx_http_intercom_webhook_redis_op_t *op, redisReply *reply);
static ngx_int_t ngx_http_intercom_webhook_redis_test_connect(
    ngx_connection_t *c);
static void ngx_http_intercom_webhook_redis_fail(
    ngx_http_intercom_webhook_redis_op_t *op, ngx_uint_t outcome,
    const char *what, ngx_err_t err);
static void ngx_http_intercom_webhook_redis_finish(
    ngx_http_intercom_webhook_redis_op_t *op, ngx_uint_t outcome);
static void ngx_http_intercom_webhook_redis_done(ngx_event_t *ev);
static void ngx_http_intercom_webhook_redis_keep(
    ngx_http_intercom_webhook_redis_conn_t *conn);
static void ngx_http_intercom_webhook_redis_idle_handler(ngx_event_t *ev);
static void ngx_http_intercom_webhook_redis_dummy_handler(ngx_event_t *ev);
static void ngx_http_intercom_webhook_redis_close(
    ngx_http_intercom_webhook_redis_conn_t *conn);
static u_char *ngx_http_intercom_webhook_redis_log_error(ngx_log_t *log,
    u_char *buf, size_t len);


static ngx_str_t  ngx_http_intercom_webhook_redis_outcomes[] = {
    ngx_string("ok"),
    ngx_string("error"),
    ngx_string("timeout"),
    ngx_string("unavailable")
};

ngx_http_intercom_webhook_check(redis_outcomes,
    ngx_http_intercom_webhook_nelts(ngx_http_intercom_webhook_redis_outcomes)
    == NGX_HTTP_INTERCOM_WEBHOOK_REDIS_NOUTCOMES);


/*
 * intercom_webhook_redis upstream [password_file=file] [user=name]
 *     [db=number] [timeout=time] [connect_timeout=time] [keepalive=number];
 */

char *
ngx_http_intercom_webhook_redis(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_str_t                          *value, s, file, trusted, cert, key;
    ngx_int_t                           n;
    ngx_uint_t                          i, tls, verify;
    ngx_msec_t                          ms;
    ngx_http_intercom_webhook_redis_t  *redis;

    value = cf->args->elts;

    redis = ngx_http_intercom_webhook_redis_lookup(cf, &value[1]);
    if (redis == NULL) {
        return NGX_CONF_ERROR;
    }

    if (redis->declared) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "duplicate \"%V\" for upstream \"%V\", first in "
                           "%V:%ui", &cmd->name, &value[1], &redis->file,
                           redis->line);
        return NGX_CONF_ERROR;
    }

    redis->declared = 1;
    redis->file = cf->conf_file->file.name;
    redis->line = cf->conf_file->line;

    ngx_str_null(&file);
    ngx_str_null(&trusted);
    ngx_str_null(&cert);
    ngx_str_null(&key);

    tls = 0;
    verify = 1;

    for (i = 2; i < cf->args->nelts; i++) {

        if (value[i].len == 3 && ngx_strncmp(value[i].data, "tls", 3) == 0) {
            tls = 1;
            continue;
        }

        if (ngx_strncmp(value[i].data, "tls_verify=", 11) == 0) {
            s.data = value[i].data + 11;
            s.len = value[i].len - 11;

            if (s.len == 2 && ngx_strncmp(s.data, "on", 2) == 0) {
                verify = 1;

            } else if (s.len == 3 && ngx_strncmp(s.data, "off", 3) == 0) {
                verify = 0;

            } else {
                goto invalid;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "tls_trusted_certificate=", 24) == 0) {
            trusted.data = value[i].data + 24;
            trusted.len = value[i].len - 24;
            continue;
        }

        if (ngx_strncmp(value[i].data, "tls_certificate=", 16) == 0) {
            cert.data = value[i].data + 16;
            cert.len = value[i].len - 16;
            continue;
        }

        if (ngx_strncmp(value[i].data, "tls_certificate_key=", 20) == 0) {
            key.data = value[i].data + 20;
            key.len = value[i].len - 20;
            continue;
        }

        if (ngx_strncmp(value[i].data, "tls_name=", 9) == 0) {
            redis->tls_name.data = value[i].data + 9;
            redis->tls_name.len = value[i].len - 9;
            continue;
        }

        if (ngx_strncmp(value[i].data, "password_file=", 14) == 0) {
            file.data = value[i].data + 14;
            file.len = value[i].len - 14;

            if (file.len == 0) {
                goto invalid;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "user=", 5) == 0) {
            redis->user.data = value[i].data + 5;
            redis->user.len = value[i].len - 5;

            if (redis->user.len == 0) {
                goto invalid;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "db=", 3) == 0) {
            redis->db = ngx_atoi(value[i].data + 3, value[i].len - 3);

            if (redis->db == NGX_ERROR) {
                goto invalid;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "timeout=", 8) == 0
            || ngx_strncmp(value[i].data, "connect_timeout=", 16) == 0)
        {
            s.data = (u_char *) ngx_strchr(value[i].data, '=') + 1;
            s.len = value[i].data + value[i].len - s.data;

            ms = ngx_parse_time(&s, 0);

            if (ms == (ngx_msec_t) NGX_ERROR || ms == 0) {
                goto invalid;
            }

            if (value[i].data[0] == 't') {
                redis->timeout = ms;

            } else {
                redis->connect_timeout = ms;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "keepalive=", 10) == 0) {
            n = ngx_atoi(value[i].data + 10, value[i].len - 10);

            if (n == NGX_ERROR) {
                goto invalid;
            }

            redis->keepalive = n;
            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid parameter \"%V\", \"password_file=\", "
                           "\"user=\", \"db=\", \"timeout=\", "
                           "\"connect_timeout=\", \"keepalive=\" or "
                           "\"tls\" and its \"tls_*=\" parameters are "
                           "expected", &value[i]);
        return NGX_CONF_ERROR;
    }

    if (!tls) {
        if (trusted.len || cert.len || key.len || redis->tls_name.len
            || !verify)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "the \"tls_*=\" parameters need \"tls\"");
            return NGX_CONF_ERROR;
        }

    } else {
#if (NGX_SSL)
        redis->tls_verify = verify;

        if (verify && trusted.len == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"tls\" verifies the server's certificate "
                               "with \"tls_trusted_certificate=file\", "
                               "which is missing (\"tls_verify=off\" "
                               "does not verify)");
            return NGX_CONF_ERROR;
        }

        if ((cert.len == 0) != (key.len == 0)) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"tls_certificate=\" and "
                               "\"tls_certificate_key=\" go together");
            return NGX_CONF_ERROR;
        }

        if (redis->tls_name.len == 0) {
            redis->tls_name = redis->name;
        }

        if (ngx_http_intercom_webhook_redis_tls_conf(cf, redis, &trusted,
                                                     &cert, &key)
            != NGX_OK)
        {
            return NGX_CONF_ERROR;
        }
#else
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"tls\" needs nginx built with OpenSSL");
        return NGX_CONF_ERROR;
#endif
    }

    if (redis->user.len && file.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"user=\" needs \"password_file=\"");
        return NGX_CONF_ERROR;
    }

    if (file.len
        && ngx_http_intercom_webhook_redis_password(cf, redis, &file)
           != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    if (redis->connect_timeout == 0) {
        redis->connect_timeout = redis->timeout;
    }

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid parameter \"%V\"", &value[i]);
    return NGX_CONF_ERROR;
}


/*
 * The password: the file's first line, without its line end.  Its bytes
 * are never logged; only the file is named.
 */

static ngx_int_t
ngx_http_intercom_webhook_redis_password(ngx_conf_t *cf,
    ngx_http_intercom_webhook_redis_t *redis, ngx_str_t *name)
{
    u_char           *p, *last;
    ssize_t           n;
    ngx_int_t         rc;
    ngx_str_t         path;
    ngx_file_t        file;
    ngx_file_info_t   fi;
    u_char            buf[NGX_HTTP_INTERCOM_WEBHOOK_REDIS_MAX_PASSWORD + 1];

    path = *name;

    if (ngx_conf_full_name(cf->cycle, &path, 1) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_memzero(&file, sizeof(ngx_file_t));

    file.name = path;
    file.log = cf->log;

    file.fd = ngx_open_file(path.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

    if (file.fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_open_file_n " \"%V\" failed", &path);
        return NGX_ERROR;
    }

    rc = NGX_ERROR;

    if (ngx_fd_info(file.fd, &fi) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_fd_info_n " \"%V\" failed", &path);
        goto done;
    }

    if (ngx_file_access(&fi) & 0077) {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "Redis password file \"%V\" is readable by "
                           "group or others", &path);
    }

    n = ngx_read_file(&file, buf, sizeof(buf), 0);

    if (n == NGX_ERROR) {
        goto done;
    }

    if ((size_t) n > NGX_HTTP_INTERCOM_WEBHOOK_REDIS_MAX_PASSWORD) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "Redis password file \"%V\" is longer than %d "
                           "bytes", &path,
                           NGX_HTTP_INTERCOM_WEBHOOK_REDIS_MAX_PASSWORD);
        goto done;
    }

    last = ngx_strlchr(buf, buf + n, LF);
    if (last == NULL) {
        last = buf + n;
    }

    if (last > buf && last[-1] == CR) {
        last--;
    }

    if (last == buf) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "Redis password file \"%V\" is empty", &path);
        goto done;
    }

    p = ngx_pnalloc(cf->pool, last - buf);
    if (p == NULL) {
        goto done;
    }

    redis->password.len = ngx_cpymem(p, buf, last - buf) - p;
    redis->password.data = p;

    rc = NGX_OK;

done:

    ngx_explicit_memzero(buf, sizeof(buf));

    if (ngx_close_file(file.fd) == NGX_FILE_ERROR) {
        ngx_log_error(NGX_LOG_ALERT, cf->log, ngx_errno,
                      ngx_close_file_n " \"%V\" failed", &path);
    }

    return rc;
}


/*
 * A Redis by its upstream's name, for intercom_webhook_redis and for the
 * redis= parameters of other directives, in any order: one named before
 * it is declared is checked in postconfiguration.
 */

ngx_http_intercom_webhook_redis_t *
ngx_http_intercom_webhook_redis_find(ngx_conf_t *cf, ngx_str_t *name)
{
    return ngx_http_intercom_webhook_redis_lookup(cf, name);
}


static ngx_http_intercom_webhook_redis_t *
ngx_http_intercom_webhook_redis_lookup(ngx_conf_t *cf, ngx_str_t *name)
{
    ngx_uint_t                              i;
    ngx_http_intercom_webhook_redis_t      *redis, **r;
    ngx_http_intercom_webhook_main_conf_t  *iwmcf;

    iwmcf = ngx_http_conf_get_module_main_conf(cf,
                                          ngx_http_intercom_webhook_module);

    r = iwmcf->redis.elts;

    for (i = 0; i < iwmcf->redis.nelts; i++) {
        if (r[i]->name.len == name->len
            && ngx_strncmp(r[i]->name.data, name->data, name->len) == 0)
        {
            return r[i];
        }
    }

    redis = ngx_pcalloc(cf->pool, sizeof(ngx_http_intercom_webhook_redis_t));
    if (redis == NULL) {
        return NULL;
    }

    r = ngx_array_push(&iwmcf->redis);
    if (r == NULL) {
        return NULL;
    }

    *r = redis;

    redis->name = *name;
    redis->log = &cf->cycle->new_log;
    redis->db = -1;
    redis->timeout = 500;
    redis->keepalive = 16;
    redis->file = cf->conf_file->file.name;
    redis->line = cf->conf_file->line;

    ngx_queue_init(&redis->cache);

    return redis;
}


/* postconfiguration: each Redis declared, and its upstream block found */

ngx_int_t
ngx_http_intercom_webhook_redis_init(ngx_conf_t *cf)
{
    ngx_uint_t                              i, j;
    ngx_http_upstream_srv_conf_t          **uscfp;
    ngx_http_upstream_main_conf_t          *umcf;
    ngx_http_intercom_webhook_redis_t     **r;
    ngx_http_intercom_webhook_main_conf_t  *iwmcf;

    iwmcf = ngx_http_conf_get_module_main_conf(cf,
                                          ngx_http_intercom_webhook_module);
    umcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_upstream_module);

    r = iwmcf->redis.elts;

    for (i = 0; i < iwmcf->redis.nelts; i++) {

        if (!r[i]->declared) {
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "unknown Redis \"%V\" in %V:%ui: "
                          "\"intercom_webhook_redis %V;\" at http level, "
                          "and an \"upstream %V\" block, are expected",
                          &r[i]->name, &r[i]->file, r[i]->line,
                          &r[i]->name, &r[i]->name);
            return NGX_ERROR;
        }

        uscfp = umcf ? umcf->upstreams.elts : NULL;

        for (j = 0; umcf && j < umcf->upstreams.nelts; j++) {
            if ((uscfp[j]->flags & NGX_HTTP_UPSTREAM_CREATE)
                && uscfp[j]->host.len == r[i]->name.len
                && ngx_strncmp(uscfp[j]->host.data, r[i]->name.data,
                               r[i]->name.len)
                   == 0)
            {
                r[i]->upstream = uscfp[j];
                break;
            }
        }

        if (r[i]->upstream == NULL || r[i]->upstream->peer.data == NULL) {
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "no \"upstream %V\" block for "
                          "\"intercom_webhook_redis\" in %V:%ui",
                          &r[i]->name, &r[i]->file, r[i]->line);
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


ngx_str_t *
ngx_http_intercom_webhook_redis_name(ngx_http_intercom_webhook_redis_t *redis)
{
    return &redis->name;
}


ngx_str_t *
ngx_http_intercom_webhook_redis_outcome(ngx_uint_t outcome)
{
    if (outcome >= NGX_HTTP_INTERCOM_WEBHOOK_REDIS_NOUTCOMES) {
        outcome = NGX_HTTP_INTERCOM_WEBHOOK_REDIS_ERROR;
    }

    return &ngx_http_intercom_webhook_redis_outcomes[outcome];
}


ngx_http_intercom_webhook_redis_op_t *
ngx_http_intercom_webhook_redis_create(ngx_http_intercom_webhook_redis_t *redis)
{
    ngx_pool_t                            *pool;
    ngx_http_intercom_webhook_redis_op_t  *op;

    pool = ngx_create_pool(1024, redis->log);
    if (pool == NULL) {
        return NULL;
    }

    op = ngx_pcalloc(pool, sizeof(ngx_http_intercom_webhook_redis_op_t));
    if (op == NULL) {
        ngx_destroy_pool(pool);
        return NULL;
    }

    op->pool = pool;
    op->redis = redis;
    op->last = &op->out;

    return op;
}


/* a command: its arguments copied, as bulk strings */

ngx_int_t
ngx_http_intercom_webhook_redis_command(
    ngx_http_intercom_webhook_redis_op_t *op, ngx_uint_t argc,
    ngx_str_t *argv)
{
    if (op->started
        || op->ncommands == NGX_HTTP_INTERCOM_WEBHOOK_REDIS_MAX_COMMANDS)
    {
        return NGX_ERROR;
    }

    if (ngx_http_intercom_webhook_redis_format(op, argc, argv, &op->last)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    op->ncommands++;

    return NGX_OK;
}


/*
 * A command as RESP writes it: an array of bulk strings, each with its
 * length, so that any byte of an argument is data.  Written here with
 * nginx's own formatting: hiredis's redisFormatCommandArgv() spent about
 * 8,000 instructions per command in the C library's printf.
 */

static ngx_int_t
ngx_http_intercom_webhook_redis_format(
    ngx_http_intercom_webhook_redis_op_t *op, ngx_uint_t argc,
    ngx_str_t *argv, ngx_chain_t ***last)
{
    u_char       *p;
    size_t        size;
    ngx_buf_t    *b;
    ngx_uint_t    i;
    ngx_chain_t  *cl;

    if (argc == 0) {
        return NGX_ERROR;
    }

    size = sizeof("*" CRLF) - 1 + NGX_INT_T_LEN;

    for (i = 0; i < argc; i++) {
        size += sizeof("$" CRLF CRLF) - 1 + NGX_SIZE_T_LEN + argv[i].len;
    }

    b = ngx_create_temp_buf(op->pool, size);
    if (b == NULL) {
        return NGX_ERROR;
    }

    p = ngx_slprintf(b->last, b->end, "*%ui" CRLF, argc);

    for (i = 0; i < argc; i++) {
        p = ngx_slprintf(p, b->end, "$%uz" CRLF, argv[i].len);
        p = ngx_cpymem(p, argv[i].data, argv[i].len);
        *p++ = CR; *p++ = LF;
    }

    b->last = p;

    cl = ngx_alloc_chain_link(op->pool);
    if (cl == NULL) {
        return NGX_ERROR;
    }

    cl->buf = b;
    cl->next = NULL;

    **last = cl;
    *last = &cl->next;

    return NGX_OK;
}


void
ngx_http_intercom_webhook_redis_start(ngx_http_intercom_webhook_redis_op_t *op)
{
    ngx_http_intercom_webhook_redis_run_t  *run;

    op->started = 1;
    op->start = ngx_current_msec;

    op->done.handler = ngx_http_intercom_webhook_redis_done;
    op->done.data = op;
    op->done.log = op->redis->log;

    if (op->handler == NULL) {
        op->detached = 1;
    }

    run = ngx_pcalloc(op->pool, sizeof(ngx_http_intercom_webhook_redis_run_t));
    if (run == NULL) {
        op->run = NULL;
        op->outcome = NGX_HTTP_INTERCOM_WEBHOOK_REDIS_UNAVAILABLE;
        ngx_post_event(&op->done, &ngx_posted_events);
        return;
    }

    op->run = run;

    /* an outcome known at once is the handler's after this returns */

    run->starting = 1;

    if (op->ncommands == 0
        || ngx_http_intercom_webhook_redis_init_peer(op) != NGX_OK)
    {
        ngx_http_intercom_webhook_redis_finish(op,
                                 NGX_HTTP_INTERCOM_WEBHOOK_REDIS_UNAVAILABLE);

    } else {
        ngx_http_intercom_webhook_redis_connect(op);
    }

    run->starting = 0;
}


void
ngx_http_intercom_webhook_redis_detach(ngx_http_intercom_webhook_redis_op_t *op)
{
    if (!op->started) {

        /* never started: nothing else holds it */

        ngx_destroy_pool(op->pool);
        return;
    }

    op->detached = 1;
    op->handler = NULL;
    op->data = NULL;
}


/*
 * The round robin's peer data, made as for a request: the function needs
 * only the request's pool and its upstream, so a request with those two
 * stands for one.  Backup servers, max_fails, fail_timeout and down work
 * as users know them.
 */

static ngx_int_t
ngx_http_intercom_webhook_redis_init_peer(
    ngx_http_intercom_webhook_redis_op_t *op)
{
    ngx_http_request_t                      r;
    ngx_http_upstream_t                     u;
    ngx_http_intercom_webhook_redis_run_t  *run;

    run = op->run;

    ngx_memzero(&r, sizeof(ngx_http_request_t));
    ngx_memzero(&u, sizeof(ngx_http_upstream_t));

    r.pool = op->pool;
    r.upstream = &u;

    if (ngx_http_upstream_init_round_robin_peer(&r, op->redis->upstream)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    run->get = u.peer.get;
    run->free = u.peer.free;
    run->data = u.peer.data;

    run->pc.tries = u.peer.tries;
    run->pc.get = ngx_http_intercom_webhook_redis_get_peer;
    run->pc.data = op;
    run->pc.log = op->redis->log;
    run->pc.log_error = NGX_ERROR_ERR;

    return NGX_OK;
}


/* the round robin's choice; an idle connection to it if the worker has */

static ngx_int_t
ngx_http_intercom_webhook_redis_get_peer(ngx_peer_connection_t *pc,
    void *data)
{
    ngx_http_intercom_webhook_redis_op_t *op = data;

    ngx_int_t                                rc;
    ngx_queue_t                             *q;
    ngx_http_intercom_webhook_redis_t       *redis;
    ngx_http_intercom_webhook_redis_run_t   *run;
    ngx_http_intercom_webhook_redis_conn_t  *conn;

    run = op->run;
    redis = op->redis;

    rc = run->get(pc, run->data);

    if (rc != NGX_OK) {
        return rc;
    }

    run->peer = 1;

    if (run->retried) {
        return NGX_OK;
    }

    for (q = ngx_queue_head(&redis->cache);
         q != ngx_queue_sentinel(&redis->cache);
         q = ngx_queue_next(q))
    {
        conn = ngx_queue_data(q, ngx_http_intercom_webhook_redis_conn_t,
                              queue);

        if (ngx_memn2cmp((u_char *) conn->sockaddr, (u_char *) pc->sockaddr,
                         conn->socklen, pc->socklen)
            == 0)
        {
            ngx_queue_remove(q);
            redis->cached--;

            conn->connection->idle = 0;
            conn->connection->log = &conn->log;
            conn->connection->read->log = &conn->log;
            conn->connection->write->log = &conn->log;

            pc->connection = conn->connection;
            pc->cached = 1;

            run->conn = conn;
            run->cached = 1;

            return NGX_DONE;
        }
    }

    return NGX_OK;
}


static void
ngx_http_intercom_webhook_redis_connect(
    ngx_http_intercom_webhook_redis_op_t *op)
{
    ngx_int_t                               rc;
    ngx_connection_t                       *c;
    ngx_http_intercom_webhook_redis_run_t  *run;

    run = op->run;

    for ( ;; ) {

        run->conn = NULL;
        run->cached = 0;
        run->pc.connection = NULL;

        rc = ngx_event_connect_peer(&run->pc);

        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, op->redis->log, 0,
                       "intercom webhook: redis \"%V\" connect: %i",
                       &op->redis->name, rc);

        if (rc == NGX_ERROR || rc == NGX_BUSY) {

            /* no socket, or no live server: the round robin said so */

            ngx_http_intercom_webhook_redis_fail(op,
                                   NGX_HTTP_INTERCOM_WEBHOOK_REDIS_UNAVAILABLE,
                                   rc == NGX_BUSY ? "no live server"
                                                  : "no connection", 0);
            return;
        }

        if (rc == NGX_DECLINED) {

            /* refused at once: the next server, if any */

            if (run->pc.connection) {
                ngx_close_connection(run->pc.connection);
                run->pc.connection = NULL;
            }

            run->free(&run->pc, run->data, NGX_PEER_FAILED);
            run->peer = 0;

            if (--run->pc.tries) {
                continue;
            }

            ngx_http_intercom_webhook_redis_fail(op,
                                   NGX_HTTP_INTERCOM_WEBHOOK_REDIS_UNAVAILABLE,
                                   "connection refused", 0);
            return;
        }

        break;
    }

    /* NGX_OK, NGX_AGAIN: a new connection; NGX_DONE: an idle one */

    if (rc != NGX_DONE) {
        if (ngx_http_intercom_webhook_redis_new_conn(op) != NGX_OK) {
            ngx_http_intercom_webhook_redis_finish(op,
                                 NGX_HTTP_INTERCOM_WEBHOOK_REDIS_UNAVAILABLE);
            return;
        }
    }

    run->conn->op = op;
    op->server = &run->conn->server;

    if (ngx_http_intercom_webhook_redis_output(op) != NGX_OK) {
        ngx_http_intercom_webhook_redis_finish(op,
                                 NGX_HTTP_INTERCOM_WEBHOOK_REDIS_UNAVAILABLE);
        return;
    }

    c = run->conn->connection;

    c->read->handler = ngx_http_intercom_webhook_redis_read_handler;
    c->write->handler = ngx_http_intercom_webhook_redis_write_handler;

    if (rc == NGX_AGAIN) {
        run->connecting = 1;
        ngx_add_timer(c->write, op->redis->connect_timeout);
        return;
    }

    run->connecting = 0;

    ngx_http_intercom_webhook_redis_write_handler(c->write);
}


/* a new connection: its own pool, reader and log */

static ngx_int_t
ngx_http_intercom_webhook_redis_new_conn(
    ngx_http_intercom_webhook_redis_op_t *op)
{
    ngx_connection_t                        *c;
    ngx_pool_cleanup_t                      *cln;
    ngx_http_intercom_webhook_redis_run_t   *run;
    ngx_http_intercom_webhook_redis_conn_t  *conn;

    run = op->run;
    c = run->pc.connection;

    c->pool = ngx_create_pool(512, op->redis->log);
    if (c->pool == NULL) {
        goto failed;
    }

    conn = ngx_pcalloc(c->pool,
                       sizeof(ngx_http_intercom_webhook_redis_conn_t));
    if (conn == NULL) {
        goto failed;
    }

    conn->connection = c;
    conn->redis = op->redis;

    conn->sockaddr = ngx_palloc(c->pool, run->pc.socklen);
    if (conn->sockaddr == NULL) {
        goto failed;
    }

    ngx_memcpy(conn->sockaddr, run->pc.sockaddr, run->pc.socklen);
    conn->socklen = run->pc.socklen;

    conn->server.data = ngx_pstrdup(c->pool, run->pc.name);
    if (conn->server.data == NULL) {
        goto failed;
    }

    conn->server.len = run->pc.name->len;

    cln = ngx_pool_cleanup_add(c->pool, 0);
    if (cln == NULL) {
        goto failed;
    }

    conn->reader = redisReaderCreate();
    if (conn->reader == NULL) {
        goto failed;
    }

    cln->handler = ngx_http_intercom_webhook_redis_free_reader;
    cln->data = conn->reader;

    conn->log = *op->redis->log;
    conn->log.action = "talking to Redis";
    conn->log.handler = ngx_http_intercom_webhook_redis_log_error;
    conn->log.data = conn;
    conn->log.connection = c->number;

    c->data = conn;
    c->log_error = NGX_ERROR_INFO;    /* failures: logged once a minute */
    c->log = &conn->log;
    c->read->log = &conn->log;
    c->write->log = &conn->log;
    c->sendfile = 0;

    run->conn = conn;

    return NGX_OK;

failed:

    if (c->pool) {
        ngx_destroy_pool(c->pool);
    }

    ngx_close_connection(c);
    run->pc.connection = NULL;

    return NGX_ERROR;
}


static void
ngx_http_intercom_webhook_redis_free_reader(void *data)
{
    redisReaderFree(data);
}


/* what to send: AUTH and SELECT first on a new connection */

static ngx_int_t
ngx_http_intercom_webhook_redis_output(
    ngx_http_intercom_webhook_redis_op_t *op)
{
    ngx_str_t                               argv[3];
    ngx_uint_t                              argc;
    ngx_chain_t                           **last;
    ngx_http_intercom_webhook_redis_t      *redis;
    ngx_http_intercom_webhook_redis_run_t  *run;
    u_char                                  db[NGX_INT_T_LEN];

    run = op->run;
    redis = op->redis;

    run->out = NULL;
    run->prefix = 0;
    run->read = 0;
    run->bytes = 0;

    last = &run->out;

    if (!run->conn->ready) {

        if (redis->password.len) {
            argc = 0;
            ngx_str_set(&argv[argc], "AUTH");
            argc++;

            if (redis->user.len) {
                argv[argc++] = redis->user;
            }

            argv[argc++] = redis->password;

            if (ngx_http_intercom_webhook_redis_format(op, argc, argv, &last)
                != NGX_OK)
            {
                return NGX_ERROR;
            }

            run->prefix++;
        }

        if (redis->db >= 0) {
            ngx_str_set(&argv[0], "SELECT");
            argv[1].data = db;
            argv[1].len = ngx_sprintf(db, "%i", redis->db) - db;

            if (ngx_http_intercom_webhook_redis_format(op, 2, argv, &last)
                != NGX_OK)
            {
                return NGX_ERROR;
            }

            run->prefix++;
        }
    }

    /* the commands' buffers are sent again after a stale idle connection */

    *last = op->out;

    for (last = &run->out; *last; last = &(*last)->next) {
        (*last)->buf->pos = (*last)->buf->start;
    }

    run->expect = run->prefix + op->ncommands;

    return NGX_OK;
}


#if (NGX_SSL)

/* the TLS context: TLS 1.2 and 1.3, the trusted and client certificates */

static ngx_int_t
ngx_http_intercom_webhook_redis_tls_conf(ngx_conf_t *cf,
    ngx_http_intercom_webhook_redis_t *redis, ngx_str_t *trusted,
    ngx_str_t *cert, ngx_str_t *key)
{
    ngx_pool_cleanup_t  *cln;

    redis->ssl = ngx_pcalloc(cf->pool, sizeof(ngx_ssl_t));
    if (redis->ssl == NULL) {
        return NGX_ERROR;
    }

    redis->ssl->log = cf->log;

    if (ngx_ssl_create(redis->ssl, NGX_SSL_TLSv1_2|NGX_SSL_TLSv1_3, NULL)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        ngx_ssl_cleanup_ctx(redis->ssl);
        return NGX_ERROR;
    }

    cln->handler = ngx_ssl_cleanup_ctx;
    cln->data = redis->ssl;

    if (cert->len
        && ngx_ssl_certificate(cf, redis->ssl, cert, key, NULL) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (trusted->len
        && ngx_ssl_trusted_certificate(cf, redis->ssl, trusted, 1) != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* a new connection's handshake, before anything is sent */

static void
ngx_http_intercom_webhook_redis_tls_init(
    ngx_http_intercom_webhook_redis_op_t *op, ngx_connection_t *c)
{
    u_char                             *name;
    ngx_int_t                           rc;
    ngx_http_intercom_webhook_redis_t  *redis;

    redis = op->redis;

    if (ngx_ssl_create_connection(redis->ssl, c, NGX_SSL_CLIENT) != NGX_OK) {
        ngx_http_intercom_webhook_redis_fail(op,
                                   NGX_HTTP_INTERCOM_WEBHOOK_REDIS_UNAVAILABLE,
                                   "no TLS connection", 0);
        return;
    }

#ifdef SSL_CTRL_SET_TLSEXT_HOSTNAME

    /* SNI, unless the name is an address */

    if (ngx_inet_addr(redis->tls_name.data, redis->tls_name.len)
        == INADDR_NONE)
    {
        name = ngx_pnalloc(c->pool, redis->tls_name.len + 1);
        if (name == NULL) {
            ngx_http_intercom_webhook_redis_fail(op,
                                   NGX_HTTP_INTERCOM_WEBHOOK_REDIS_UNAVAILABLE,
                                   "no memory", 0);
            return;
        }

        (void) ngx_cpystrn(name, redis->tls_name.data,
                           redis->tls_name.len + 1);

        if (SSL_set_tlsext_host_name(c->ssl->connection, (char *) name) == 0)
        {
            ngx_ssl_error(NGX_LOG_ERR, c->log, 0,
                          "SSL_set_tlsext_host_name(\"%s\") failed", name);
        }
    }

#endif

    c->log->action = "TLS handshaking with Redis";

    rc = ngx_ssl_handshake(c);

    if (rc == NGX_AGAIN) {

        if (!c->write->timer_set) {
            ngx_add_timer(c->write, redis->connect_timeout);
        }

        c->ssl->handler = ngx_http_intercom_webhook_redis_tls_handshake;
        c->read->handler = ngx_http_intercom_webhook_redis_tls_event;
        c->write->handler = ngx_http_intercom_webhook_redis_tls_event;
        return;
    }

    ngx_http_intercom_webhook_redis_tls_handshake(c);
}


/*
 * The handshake's events, as nginx's own handler takes them, and the end
 * that worker_shutdown_timeout signals (c->close), which that one does
 * not see
 */

static void
ngx_http_intercom_webhook_redis_tls_event(ngx_event_t *ev)
{
    ngx_connection_t  *c;

    c = ev->data;

    if (ngx_http_intercom_webhook_redis_closed(c)) {
        return;
    }

    if (!ev->timedout && ngx_ssl_handshake(c) == NGX_AGAIN) {
        c->read->handler = ngx_http_intercom_webhook_redis_tls_event;
        c->write->handler = ngx_http_intercom_webhook_redis_tls_event;
        return;
    }

    ngx_http_intercom_webhook_redis_tls_handshake(c);
}


static void
ngx_http_intercom_webhook_redis_tls_handshake(ngx_connection_t *c)
{
    long                                     rc;
    ngx_http_intercom_webhook_redis_t       *redis;
    ngx_http_intercom_webhook_redis_op_t    *op;
    ngx_http_intercom_webhook_redis_conn_t  *conn;

    conn = c->data;
    op = conn->op;
    redis = conn->redis;

    c->log->action = "talking to Redis";

    if (op == NULL) {
        return;
    }

    if (!c->ssl->handshaked) {
        ngx_http_intercom_webhook_redis_fail(op,
                                 (c->write->timedout || c->read->timedout)
                                 ? NGX_HTTP_INTERCOM_WEBHOOK_REDIS_TIMEOUT
                                 : NGX_HTTP_INTERCOM_WEBHOOK_REDIS_UNAVAILABLE,
                                 "TLS handshake failed", 0);
        return;
    }

    if (redis->tls_verify) {
        rc = SSL_get_verify_result(c->ssl->connection);

        if (rc != X509_V_OK) {
            ngx_log_error(NGX_LOG_ERR, c->log, 0,
                          "intercom webhook: Redis TLS certificate verify "
                          "error: (%l:%s)", rc,
                          X509_verify_cert_error_string(rc));
            goto failed;
        }

        if (ngx_ssl_check_host(c, &redis->tls_name) != NGX_OK) {
            ngx_log_error(NGX_LOG_ERR, c->log, 0,
                          "intercom webhook: Redis TLS certificate does not "
                          "match \"%V\"", &redis->tls_name);
            goto failed;
        }
    }

    if (c->write->timer_set) {
        ngx_del_timer(c->write);
    }

    c->read->handler = ngx_http_intercom_webhook_redis_read_handler;
    c->write->handler = ngx_http_intercom_webhook_redis_write_handler;

    ngx_http_intercom_webhook_redis_write_handler(c->write);

    return;

failed:

    ngx_http_intercom_webhook_redis_fail(op,
                                   NGX_HTTP_INTERCOM_WEBHOOK_REDIS_UNAVAILABLE,
                                   "TLS certificate not verified", 0);
}

#endif


/*
 * At worker_shutdown_timeout nginx ends the exiting worker's connections
 * (c->close): the operation on c ends then, not at its timeout
 */

static ngx_uint_t
ngx_http_intercom_webhook_redis_closed(ngx_connection_t *c)
{
    ngx_http_intercom_webhook_redis_conn_t  *conn;

    if (!c->close) {
        return 0;
    }

    conn = c->data;

    if (conn->op) {
        ngx_http_intercom_webhook_redis_fail(conn->op,
                                   NGX_HTTP_INTERCOM_WEBHOOK_REDIS_UNAVAILABLE,
                                   "closed at worker_shutdown_timeout", 0);
    }

    return 1;
}


static void
ngx_http_intercom_webhook_redis_write_handler(ngx_event_t *wev)
{
    ngx_connection_t                        *c;
    ngx_chain_t                             *cl;
    ngx_http_intercom_webhook_redis_op_t    *op;
    ngx_http_intercom_webhook_redis_run_t   *run;
    ngx_http_intercom_webhook_redis_conn_t  *conn;

    c = wev->data;
    conn = c->data;
    op = conn->op;

    if (op == NULL) {
        return;
    }

    run = op->run;

    if (ngx_http_intercom_webhook_redis_closed(c)) {
        return;
    }

    if (wev->timedout) {
        ngx_http_intercom_webhook_redis_fail(op,
                                       NGX_HTTP_INTERCOM_WEBHOOK_REDIS_TIMEOUT,
                                       run->connecting ? "connect timed out"
                                                       : "send timed out", 0);
        return;
    }

    if (run->out == NULL) {
        return;
    }

    if (run->connecting) {

        if (ngx_http_intercom_webhook_redis_test_connect(c) != NGX_OK) {
            ngx_http_intercom_webhook_redis_fail(op,
                                   NGX_HTTP_INTERCOM_WEBHOOK_REDIS_UNAVAILABLE,
                                   "connect() failed", ngx_socket_errno);
            return;
        }

        run->connecting = 0;
    }

#if (NGX_SSL)
    if (op->redis->ssl && c->ssl == NULL) {
        ngx_http_intercom_webhook_redis_tls_init(op, c);
        return;
    }
#endif

    cl = c->send_chain(c, run->out, 0);

    if (cl == NGX_CHAIN_ERROR) {
        ngx_http_intercom_webhook_redis_fail(op,
                                   NGX_HTTP_INTERCOM_WEBHOOK_REDIS_UNAVAILABLE,
                                   "send failed", 0);
        return;
    }

    run->out = cl;

    if (cl) {
        ngx_add_timer(wev, op->redis->timeout);

        if (ngx_handle_write_event(wev, 0) != NGX_OK) {
            ngx_http_intercom_webhook_redis_fail(op,
                                   NGX_HTTP_INTERCOM_WEBHOOK_REDIS_UNAVAILABLE,
                                   "send failed", 0);
        }

        return;
    }

    /* sent: the replies are waited for */

    if (wev->timer_set) {
        ngx_del_timer(wev);
    }

    ngx_add_timer(c->read, op->redis->timeout);

    if (c->read->ready) {
        ngx_http_intercom_webhook_redis_read_handler(c->read);
        return;
    }

    if (ngx_handle_read_event(c->read, 0) != NGX_OK) {
        ngx_http_intercom_webhook_redis_fail(op,
                                   NGX_HTTP_INTERCOM_WEBHOOK_REDIS_UNAVAILABLE,
                                   "no read event", 0);
    }
}


static void
ngx_http_intercom_webhook_redis_read_handler(ngx_event_t *rev)
{
    void                                    *reply;
    ssize_t                                  n;
    ngx_uint_t                               outcome;
    ngx_connection_t                        *c;
    ngx_http_intercom_webhook_redis_op_t    *op;
    ngx_http_intercom_webhook_redis_run_t   *run;
    ngx_http_intercom_webhook_redis_conn_t  *conn;
    u_char                   buf[NGX_HTTP_INTERCOM_WEBHOOK_REDIS_READ_SIZE];

    c = rev->data;
    conn = c->data;
    op = conn->op;

    if (op == NULL) {
        return;
    }

    run = op->run;

    if (ngx_http_intercom_webhook_redis_closed(c)) {
        return;
    }

    if (rev->timedout) {
        ngx_http_intercom_webhook_redis_fail(op,
                                       NGX_HTTP_INTERCOM_WEBHOOK_REDIS_TIMEOUT,
                                       "read timed out", 0);
        return;
    }

    if (run->out) {
        /* a reply before the command was sent: read when it is */
        return;
    }

    outcome = NGX_HTTP_INTERCOM_WEBHOOK_REDIS_OK;

    for ( ;; ) {

        n = c->recv(c, buf, sizeof(buf));

        if (n == NGX_AGAIN) {
            break;
        }

        if (n == NGX_ERROR || n == 0) {
            ngx_http_intercom_webhook_redis_fail(op,
                                   NGX_HTTP_INTERCOM_WEBHOOK_REDIS_UNAVAILABLE,
                                   n == 0 ? "connection closed by Redis"
                                          : "recv() failed", 0);
            return;
        }

        run->bytes += n;

        if (redisReaderFeed(conn->reader, (const char *) buf, n)
            != REDIS_OK)
        {
            ngx_http_intercom_webhook_redis_fail(op,
                                       NGX_HTTP_INTERCOM_WEBHOOK_REDIS_ERROR,
                                       "reply not read", 0);
            return;
        }

        while (run->read < run->expect) {

            reply = NULL;

            if (redisReaderGetReply(conn->reader, &reply) != REDIS_OK) {
                ngx_http_intercom_webhook_redis_fail(op,
                                       NGX_HTTP_INTERCOM_WEBHOOK_REDIS_ERROR,
                                       "invalid reply", 0);
                return;
            }

            if (reply == NULL) {
                break;
            }

            if (ngx_http_intercom_webhook_redis_reply(op, reply) != NGX_OK) {
                freeReplyObject(reply);
                return;
            }

            freeReplyObject(reply);
        }

        if (run->read == run->expect) {
            break;
        }
    }

    if (run->read < run->expect) {
        if (ngx_handle_read_event(rev, 0) != NGX_OK) {
            ngx_http_intercom_webhook_redis_fail(op,
                                   NGX_HTTP_INTERCOM_WEBHOOK_REDIS_UNAVAILABLE,
                                   "no read event", 0);
        }

        return;
    }

    /* every reply read: an error reply is the command's, not the link's */

    for (n = 0; n < (ssize_t) op->nreplies; n++) {
        if (op->replies[n].type == NGX_HTTP_INTERCOM_WEBHOOK_REPLY_ERROR) {
            outcome = NGX_HTTP_INTERCOM_WEBHOOK_REDIS_ERROR;
        }
    }

    if (outcome == NGX_HTTP_INTERCOM_WEBHOOK_REDIS_ERROR) {
        ngx_http_intercom_webhook_redis_fail(op, outcome, "error reply", 0);
        return;
    }

    ngx_http_intercom_webhook_redis_finish(op, outcome);
}


/*
 * A reply: AUTH's and SELECT's must be OK, or the connection is of no
 * use; a command's is copied out for the handler.
 */

static ngx_int_t
ngx_http_intercom_webhook_redis_reply(ngx_http_intercom_webhook_redis_op_t *op,
    redisReply *reply)
{
    ngx_http_intercom_webhook_reply_t      *rp;
    ngx_http_intercom_webhook_redis_run_t  *run;

    run = op->run;

    if (run->read++ < run->prefix) {

        if (reply->type == REDIS_REPLY_ERROR) {

            /* Redis's own words: they name no password */

            rp = &op->replies[0];
            rp->type = NGX_HTTP_INTERCOM_WEBHOOK_REPLY_ERROR;
            rp->str.len = ngx_min(reply->len, 256);
            rp->str.data = ngx_pnalloc(op->pool, rp->str.len);

            if (rp->str.data) {
                ngx_memcpy(rp->str.data, reply->str, rp->str.len);
            } else {
                rp->str.len = 0;
            }

            op->nreplies = 0;

            ngx_http_intercom_webhook_redis_fail(op,
                                       NGX_HTTP_INTERCOM_WEBHOOK_REDIS_ERROR,
                                       (run->read == 1
                                        && op->redis->password.len)
                                       ? "AUTH refused" : "SELECT refused",
                                       0);
            return NGX_ERROR;
        }

        if (run->read == run->prefix) {
            run->conn->ready = 1;
        }

        return NGX_OK;
    }

    run->conn->ready = 1;

    rp = &op->replies[op->nreplies++];

    switch (reply->type) {

    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
        rp->type = (reply->type == REDIS_REPLY_STRING)
                   ? NGX_HTTP_INTERCOM_WEBHOOK_REPLY_STRING
                   : (reply->type == REDIS_REPLY_STATUS)
                     ? NGX_HTTP_INTERCOM_WEBHOOK_REPLY_STATUS
                     : NGX_HTTP_INTERCOM_WEBHOOK_REPLY_ERROR;

        rp->str.len = reply->len;
        rp->str.data = ngx_pnalloc(op->pool, reply->len + 1);

        if (rp->str.data == NULL) {
            ngx_http_intercom_webhook_redis_fail(op,
                                       NGX_HTTP_INTERCOM_WEBHOOK_REDIS_ERROR,
                                       "no memory", 0);
            return NGX_ERROR;
        }

        ngx_memcpy(rp->str.data, reply->str, reply->len);
        rp->str.data[reply->len] = '\0';
        break;

    case REDIS_REPLY_INTEGER:
        rp->type = NGX_HTTP_INTERCOM_WEBHOOK_REPLY_INTEGER;
        rp->integer = reply->integer;
        break;

    case REDIS_REPLY_ARRAY:
        rp->type = NGX_HTTP_INTERCOM_WEBHOOK_REPLY_ARRAY;
        rp->elements = reply->elements;
        break;

    default: /* REDIS_REPLY_NIL */
        rp->type = NGX_HTTP_INTERCOM_WEBHOOK_REPLY_NIL;
        break;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_intercom_webhook_redis_test_connect(ngx_connection_t *c)
{
    int        err;
    socklen_t  len;

    err = 0;
    len = sizeof(int);

    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, (void *) &err, &len) == -1) {
        err = ngx_socket_errno;
    }

    if (err) {
        ngx_set_socket_errno(err);
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * A failure: a stale idle connection is replaced once by a new one, if
 * nothing of a reply came; otherwise the outcome, logged at most once a
 * minute per Redis and worker (the callers count every one).
 */

static void
ngx_http_intercom_webhook_redis_fail(ngx_http_intercom_webhook_redis_op_t *op,
    ngx_uint_t outcome, const char *what, ngx_err_t err)
{
    time_t                                  now;
    ngx_str_t                              *server;
    ngx_uint_t                              closing;
    ngx_http_intercom_webhook_reply_t      *rp;
    ngx_http_intercom_webhook_redis_t      *redis;
    ngx_http_intercom_webhook_redis_run_t  *run;

    run = op->run;
    redis = op->redis;

    /* at worker_shutdown_timeout, no other connection is tried */

    closing = (run && run->conn && run->conn->connection->close);

    if (run && !closing && run->connecting && run->conn
        && run->pc.tries > 1)
    {

        /* no connection to this server: the next one, as upstreams do */

        ngx_http_intercom_webhook_redis_close(run->conn);
        run->conn = NULL;

        run->free(&run->pc, run->data, NGX_PEER_FAILED);
        run->peer = 0;
        run->pc.tries--;

        ngx_http_intercom_webhook_redis_connect(op);
        return;
    }

    if (run && !closing && run->cached && !run->retried && run->bytes == 0
        && outcome == NGX_HTTP_INTERCOM_WEBHOOK_REDIS_UNAVAILABLE)
    {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, redis->log, 0,
                       "intercom webhook: redis \"%V\" idle connection "
                       "stale, a new one", &redis->name);

        ngx_http_intercom_webhook_redis_close(run->conn);
        run->conn = NULL;

        run->free(&run->pc, run->data, 0);
        run->peer = 0;
        run->retried = 1;

        op->nreplies = 0;

        if (ngx_http_intercom_webhook_redis_init_peer(op) != NGX_OK) {
            ngx_http_intercom_webhook_redis_finish(op, outcome);
            return;
        }

        ngx_http_intercom_webhook_redis_connect(op);
        return;
    }

    now = ngx_time();

    if (now - redis->logged >= NGX_HTTP_INTERCOM_WEBHOOK_REDIS_LOG_INTERVAL) {
        redis->logged = now;

        server = (run && run->conn) ? &run->conn->server : NULL;

        for (rp = op->replies;
             rp < &op->replies[NGX_HTTP_INTERCOM_WEBHOOK_REDIS_MAX_COMMANDS - 1]
             && rp->type != NGX_HTTP_INTERCOM_WEBHOOK_REPLY_ERROR;
             rp++)
        {
            /* void */
        }

        if (outcome == NGX_HTTP_INTERCOM_WEBHOOK_REDIS_ERROR
            && rp->type == NGX_HTTP_INTERCOM_WEBHOOK_REPLY_ERROR)
        {
            ngx_log_error(NGX_LOG_ERR, redis->log, 0,
                          "intercom webhook: Redis \"%V\"%s%V: %s: \"%V\"",
                          &redis->name, server ? " at " : "",
                          server ? server : &redis->name, what, &rp->str);

        } else {
            ngx_log_error(NGX_LOG_ERR, redis->log, err,
                          "intercom webhook: Redis \"%V\"%s%V: %s (%V)",
                          &redis->name, server ? " at " : "",
                          server ? server : &redis->name, what,
                          ngx_http_intercom_webhook_redis_outcome(outcome));
        }
    }

    ngx_http_intercom_webhook_redis_finish(op, outcome);
}


/*
 * The end of an operation: the connection is kept if every reply was
 * read, the peer is freed (failed unless it answered), and the handler
 * is called, after _start() has returned.
 */

static void
ngx_http_intercom_webhook_redis_finish(
    ngx_http_intercom_webhook_redis_op_t *op, ngx_uint_t outcome)
{
    ngx_http_intercom_webhook_redis_run_t  *run;

    run = op->run;

    op->outcome = outcome;
    op->elapsed = ngx_current_msec - op->start;

    if (run) {

        if (run->conn) {
            run->conn->op = NULL;

            if (run->read == run->expect && run->out == NULL
                && outcome != NGX_HTTP_INTERCOM_WEBHOOK_REDIS_TIMEOUT
                && outcome != NGX_HTTP_INTERCOM_WEBHOOK_REDIS_UNAVAILABLE)
            {
                ngx_http_intercom_webhook_redis_keep(run->conn);

            } else {
                ngx_http_intercom_webhook_redis_close(run->conn);
            }

            run->conn = NULL;
            op->server = NULL;
        }

        if (run->peer) {
            run->peer = 0;
            run->free(&run->pc, run->data,
                      (outcome == NGX_HTTP_INTERCOM_WEBHOOK_REDIS_TIMEOUT
                       || outcome
                          == NGX_HTTP_INTERCOM_WEBHOOK_REDIS_UNAVAILABLE)
                      ? NGX_PEER_FAILED : 0);
        }

        if (run->starting) {
            ngx_post_event(&op->done, &ngx_posted_events);
            return;
        }
    }

    ngx_http_intercom_webhook_redis_done(&op->done);
}


static void
ngx_http_intercom_webhook_redis_done(ngx_event_t *ev)
{
    ngx_http_intercom_webhook_redis_op_t  *op;

    op = ev->data;

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, op->redis->log, 0,
                   "intercom webhook: redis \"%V\" done: %ui, %M ms",
                   &op->redis->name, op->outcome, op->elapsed);

    if (!op->detached && op->handler) {
        op->handler(op);
    }

    ngx_destroy_pool(op->pool);
}


/* an idle connection, kept for the next operation, or closed */

static void
ngx_http_intercom_webhook_redis_keep(
    ngx_http_intercom_webhook_redis_conn_t *conn)
{
    ngx_connection_t                   *c;
    ngx_http_intercom_webhook_redis_t  *redis;

    c = conn->connection;
    redis = conn->redis;

    if (redis->cached >= redis->keepalive || ngx_terminate || ngx_exiting) {
        ngx_http_intercom_webhook_redis_close(conn);
        return;
    }

    if (c->read->timer_set) {
        ngx_del_timer(c->read);
    }

    if (c->write->timer_set) {
        ngx_del_timer(c->write);
    }

    c->read->handler = ngx_http_intercom_webhook_redis_idle_handler;
    c->write->handler = ngx_http_intercom_webhook_redis_dummy_handler;

    if (ngx_handle_read_event(c->read, 0) != NGX_OK) {
        ngx_http_intercom_webhook_redis_close(conn);
        return;
    }

    /* closed by nginx when the worker shuts down */

    c->idle = 1;

    ngx_queue_insert_head(&redis->cache, &conn->queue);
    redis->cached++;

    if (c->read->ready) {
        ngx_http_intercom_webhook_redis_idle_handler(c->read);
    }
}


/* anything on an idle connection, data or its end, closes it */

static void
ngx_http_intercom_webhook_redis_idle_handler(ngx_event_t *ev)
{
    int                                      n;
    char                                     buf[1];
    ngx_connection_t                        *c;
    ngx_http_intercom_webhook_redis_conn_t  *conn;

    c = ev->data;
    conn = c->data;

    if (!c->close && !ev->timedout) {

        n = recv(c->fd, buf, 1, MSG_PEEK);

        if (n == -1 && ngx_socket_errno == NGX_EAGAIN) {
            ev->ready = 0;

            if (ngx_handle_read_event(c->read, 0) == NGX_OK) {
                return;
            }
        }
    }

    ngx_queue_remove(&conn->queue);
    conn->redis->cached--;

    ngx_http_intercom_webhook_redis_close(conn);
}


static void
ngx_http_intercom_webhook_redis_dummy_handler(ngx_event_t *ev)
{
    ngx_log_debug0(NGX_LOG_DEBUG_HTTP, ev->log, 0,
                   "intercom webhook: redis dummy handler");
}


static void
ngx_http_intercom_webhook_redis_close(
    ngx_http_intercom_webhook_redis_conn_t *conn)
{
    ngx_pool_t        *pool;
    ngx_connection_t  *c;

    c = conn->connection;
    pool = c->pool;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, c->log, 0,
                   "intercom webhook: redis close %d", c->fd);

    c->log = conn->redis->log;
    c->read->log = c->log;
    c->write->log = c->log;

#if (NGX_SSL)
    if (c->ssl) {
        c->ssl->no_wait_shutdown = 1;
        c->ssl->no_send_shutdown = 1;
        (void) ngx_ssl_shutdown(c);
    }
#endif

    ngx_close_connection(c);
    ngx_destroy_pool(pool);
}


static u_char *
ngx_http_intercom_webhook_redis_log_error(ngx_log_t *log, u_char *buf,
    size_t len)
{
    u_char                                  *p;
    ngx_http_intercom_webhook_redis_conn_t  *conn;

    p = buf;

    if (log->action) {
        p = ngx_snprintf(buf, len, " while %s", log->action);
        len -= p - buf;
        buf = p;
    }

    conn = log->data;

    p = ngx_snprintf(buf, len, ", redis: \"%V\", server: %V",
                     &conn->redis->name, &conn->server);

    return p;
}
