
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


/*
 * A minimal stand-in for the parts of nginx's core that the module's
 * request-free code links with: pools on malloc() (every allocation is
 * freed by ngx_destroy_pool(), after the pool's cleanup handlers, and
 * arrays always move when they grow, so that stale pointers show up under
 * valgrind or ASan), arrays, a log that prints to stderr, ngx_alloc()
 * and ngx_cycle.  nginx's own src/core/ngx_string.c and
 * src/core/ngx_inet.c (address parsing and matching) are linked with the
 * tests, compiled from Debian's nginx source package (see t/unit/run).
 */


#include <ngx_config.h>
#include <ngx_core.h>


/* fail the allocation after this many more, when not negative */
ngx_int_t  ngx_stubs_alloc_fail = -1;


/* ngx_string.c logs through ngx_cycle->log */

static ngx_log_t     ngx_stubs_log;
static ngx_cycle_t   ngx_stubs_cycle = { .log = &ngx_stubs_log };

volatile ngx_cycle_t  *ngx_cycle = &ngx_stubs_cycle;


void *
ngx_alloc(size_t size, ngx_log_t *log)
{
    if (ngx_stubs_alloc_fail >= 0 && ngx_stubs_alloc_fail-- == 0) {
        return NULL;
    }

    return malloc(size ? size : 1);
}


ngx_pool_t *
ngx_create_pool(size_t size, ngx_log_t *log)
{
    ngx_pool_t  *pool;

    pool = calloc(1, sizeof(ngx_pool_t));
    if (pool == NULL) {
        return NULL;
    }

    pool->log = log;

    return pool;
}


void
ngx_destroy_pool(ngx_pool_t *pool)
{
    ngx_pool_large_t    *l, *next;
    ngx_pool_cleanup_t  *c;

    /* as nginx: the handlers first, while their data is still there */

    for (c = pool->cleanup; c; c = c->next) {
        if (c->handler) {
            c->handler(c->data);
        }
    }

    for (l = pool->large; l; l = next) {
        next = l->next;
        free(l->alloc);
        free(l);
    }

    free(pool);
}


void *
ngx_palloc(ngx_pool_t *pool, size_t size)
{
    void              *p;
    ngx_pool_large_t  *l;

    if (ngx_stubs_alloc_fail >= 0 && ngx_stubs_alloc_fail-- == 0) {
        return NULL;
    }

    p = malloc(size ? size : 1);
    if (p == NULL) {
        return NULL;
    }

    l = malloc(sizeof(ngx_pool_large_t));
    if (l == NULL) {
        free(p);
        return NULL;
    }

    l->alloc = p;
    l->next = pool->large;
    pool->large = l;

    return p;
}


void *
ngx_pnalloc(ngx_pool_t *pool, size_t size)
{
    return ngx_palloc(pool, size);
}


void *
ngx_pcalloc(ngx_pool_t *pool, size_t size)
{
    void  *p;

    p = ngx_palloc(pool, size);
    if (p) {
        ngx_memzero(p, size);
    }

    return p;
}


ngx_int_t
ngx_pfree(ngx_pool_t *pool, void *p)
{
    return NGX_DECLINED;
}


ngx_pool_cleanup_t *
ngx_pool_cleanup_add(ngx_pool_t *p, size_t size)
{
    ngx_pool_cleanup_t  *c;

    c = ngx_palloc(p, sizeof(ngx_pool_cleanup_t));
    if (c == NULL) {
        return NULL;
    }

    if (size) {
        c->data = ngx_palloc(p, size);
        if (c->data == NULL) {
            return NULL;
        }

    } else {
        c->data = NULL;
    }

    c->handler = NULL;
    c->next = p->cleanup;

    p->cleanup = c;

    return c;
}


ngx_array_t *
ngx_array_create(ngx_pool_t *p, ngx_uint_t n, size_t size)
{
    ngx_array_t  *a;

    a = ngx_palloc(p, sizeof(ngx_array_t));
    if (a == NULL) {
        return NULL;
    }

    if (ngx_array_init(a, p, n, size) != NGX_OK) {
        return NULL;
    }

    return a;
}


void *
ngx_array_push_n(ngx_array_t *a, ngx_uint_t n)
{
    void        *elt, *new;
    ngx_uint_t   nalloc;

    if (a->nelts + n > a->nalloc) {

        /* always move, as nginx does when the pool has no room */

        nalloc = 2 * ((n >= a->nalloc) ? n : a->nalloc);

        new = ngx_palloc(a->pool, nalloc * a->size);
        if (new == NULL) {
            return NULL;
        }

        ngx_memcpy(new, a->elts, a->nelts * a->size);
        ngx_memset(a->elts, 0xa5, a->nelts * a->size);

        a->elts = new;
        a->nalloc = nalloc;
    }

    elt = (u_char *) a->elts + a->size * a->nelts;
    a->nelts += n;

    return elt;
}


void *
ngx_array_push(ngx_array_t *a)
{
    return ngx_array_push_n(a, 1);
}


void
ngx_log_error_core(ngx_uint_t level, ngx_log_t *log, ngx_err_t err,
    const char *fmt, ...)
{
    u_char   *p, buf[NGX_MAX_ERROR_STR];
    va_list   args;

    /* with nginx's own conversions (%V, %O...), from ngx_string.c */

    va_start(args, fmt);
    p = ngx_vslprintf(buf, buf + sizeof(buf), fmt, args);
    va_end(args);

    fprintf(stderr, "log[%u]: %.*s\n", (unsigned) level, (int) (p - buf),
            buf);
}
