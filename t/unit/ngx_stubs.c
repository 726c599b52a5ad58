
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


/*
 * A minimal stand-in for the parts of nginx's core that the module's
 * request-free code links with: pools on malloc() (every allocation is
 * freed by ngx_destroy_pool(), after the pool's cleanup handlers, and
 * arrays always move when they grow, so that stale pointers show up under
 * valgrind or ASan), arrays, a log that prints to stderr, and stand-ins
 * of a few parsing functions (see below).
 */


#include <ngx_config.h>
#include <ngx_core.h>


/* fail the allocation after this many more, when not negative */
ngx_int_t  ngx_stubs_alloc_fail = -1;


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
    /* nginx's own conversions (%V, %O...) are not printf()'s: no args */
    fprintf(stderr, "log[%u]: %s\n", (unsigned) level, fmt);
}


/*
 * Test stand-ins for functions of nginx's core (src/core/ngx_string.c and
 * src/core/ngx_inet.c) that the module calls and that Debian's nginx-dev
 * package has only the headers of.  They are written here after the
 * functions' documented behaviour, with inet_pton(3) parsing addresses
 * (stricter than nginx's parser on odd forms such as leading zeros in
 * IPv4 octets); the module links with nginx's own, which the Test::Nginx
 * suite (t/allowlist.t) exercises.
 */


ngx_int_t
ngx_hextoi(u_char *line, size_t n)
{
    u_char     c;
    ngx_int_t  value;

    if (n == 0) {
        return NGX_ERROR;
    }

    for (value = 0; n--; line++) {
        c = *line;

        if (c >= '0' && c <= '9') {
            value = value * 16 + (c - '0');
            continue;
        }

        c = (u_char) (c | 0x20);

        if (c >= 'a' && c <= 'f') {
            value = value * 16 + (c - 'a' + 10);
            continue;
        }

        return NGX_ERROR;
    }

    return value;
}


ngx_int_t
ngx_ptocidr(ngx_str_t *text, ngx_cidr_t *cidr)
{
    u_char      *slash, *bytes, *mask;
    char         addr[NGX_SOCKADDR_STRLEN + 1];
    size_t       len, max;
    ngx_int_t    rc;
    ngx_uint_t   i, bits;

    slash = ngx_strlchr(text->data, text->data + text->len, '/');
    len = (slash ? slash : text->data + text->len) - text->data;

    if (len == 0 || len > NGX_SOCKADDR_STRLEN
        || ngx_strlchr(text->data, text->data + len, '\0'))
    {
        return NGX_ERROR;
    }

    ngx_memcpy(addr, text->data, len);
    addr[len] = '\0';

    ngx_memzero(cidr, sizeof(ngx_cidr_t));

    if (inet_pton(AF_INET, addr, &cidr->u.in.addr) == 1) {
        cidr->family = AF_INET;
        bytes = (u_char *) &cidr->u.in.addr;
        mask = (u_char *) &cidr->u.in.mask;
        max = 32;

    } else if (inet_pton(AF_INET6, addr, &cidr->u.in6.addr) == 1) {
        cidr->family = AF_INET6;
        bytes = cidr->u.in6.addr.s6_addr;
        mask = cidr->u.in6.mask.s6_addr;
        max = 128;

    } else {
        return NGX_ERROR;
    }

    bits = max;

    if (slash) {
        len = text->data + text->len - (slash + 1);

        if (len == 0 || len > 3) {
            return NGX_ERROR;
        }

        for (bits = 0, i = 0; i < len; i++) {
            if (slash[1 + i] < '0' || slash[1 + i] > '9') {
                return NGX_ERROR;
            }

            bits = bits * 10 + (slash[1 + i] - '0');
        }

        if (bits > max) {
            return NGX_ERROR;
        }
    }

    rc = NGX_OK;

    for (i = 0; i < max / 8; i++) {
        if (bits >= 8) {
            mask[i] = 0xff;
            bits -= 8;

        } else {
            mask[i] = (u_char) (0xff << (8 - bits));
            bits = 0;
        }

        if (bytes[i] & ~mask[i]) {
            bytes[i] &= mask[i];
            rc = NGX_DONE;
        }
    }

    return rc;
}


ngx_int_t
ngx_cidr_match(struct sockaddr *sa, ngx_array_t *cidrs)
{
    u_char       *addr, v4[4];
    ngx_uint_t    i, n, len, family;
    ngx_cidr_t   *cidr;
    u_char       *net, *mask;

    family = sa->sa_family;

    if (family == AF_INET) {
        addr = (u_char *) &((struct sockaddr_in *) sa)->sin_addr;
        len = 4;

    } else if (family == AF_INET6) {
        addr = ((struct sockaddr_in6 *) sa)->sin6_addr.s6_addr;
        len = 16;

        /* an IPv4-mapped address is checked as the IPv4 address */

        if (IN6_IS_ADDR_V4MAPPED(&((struct sockaddr_in6 *) sa)->sin6_addr)) {
            ngx_memcpy(v4, addr + 12, 4);
            addr = v4;
            family = AF_INET;
            len = 4;
        }

    } else {
        return NGX_DECLINED;
    }

    cidr = cidrs->elts;

    for (i = 0; i < cidrs->nelts; i++) {

        if (cidr[i].family != family) {
            continue;
        }

        if (family == AF_INET) {
            net = (u_char *) &cidr[i].u.in.addr;
            mask = (u_char *) &cidr[i].u.in.mask;

        } else {
            net = cidr[i].u.in6.addr.s6_addr;
            mask = cidr[i].u.in6.mask.s6_addr;
        }

        for (n = 0; n < len; n++) {
            if ((addr[n] & mask[n]) != net[n]) {
                break;
            }
        }

        if (n == len) {
            return NGX_OK;
        }
    }

    return NGX_DECLINED;
}
