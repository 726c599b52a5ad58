
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_intercom_webhook.h"


/*
 * Intercom's published outbound addresses, per region where the workspace
 * is hosted ("IP allowlisting" in Intercom's developer documentation), as
 * of NGX_HTTP_INTERCOM_WEBHOOK_PRESET_DATE: update the date with them.
 */

static ngx_str_t  ngx_http_intercom_webhook_us[] = {
    ngx_string("34.231.68.152"),
    ngx_string("34.197.76.213"),
    ngx_string("35.171.78.91"),
    ngx_string("35.169.138.21"),
    ngx_string("52.70.27.159"),
    ngx_string("52.44.63.161"),
    ngx_null_string
};


static ngx_str_t  ngx_http_intercom_webhook_eu[] = {
    ngx_string("54.217.125.63"),
    ngx_string("54.246.173.113"),
    ngx_string("54.216.9.3"),
    ngx_null_string
};


static ngx_str_t  ngx_http_intercom_webhook_au[] = {
    ngx_string("52.63.36.185"),
    ngx_string("3.104.68.152"),
    ngx_string("52.64.2.165"),
    ngx_null_string
};


typedef struct {
    ngx_str_t                 name;
    ngx_str_t                *regions[3];
} ngx_http_intercom_webhook_preset_t;


static ngx_http_intercom_webhook_preset_t
    ngx_http_intercom_webhook_presets[] =
{

    { ngx_string("intercom"),
      { ngx_http_intercom_webhook_us, ngx_http_intercom_webhook_eu,
        ngx_http_intercom_webhook_au } },

    { ngx_string("intercom_us"), { ngx_http_intercom_webhook_us, NULL, NULL } },
    { ngx_string("intercom_eu"), { ngx_http_intercom_webhook_eu, NULL, NULL } },
    { ngx_string("intercom_au"), { ngx_http_intercom_webhook_au, NULL, NULL } },

    { ngx_null_string, { NULL, NULL, NULL } }
};


static ngx_int_t ngx_http_intercom_webhook_allow_cidr(
    ngx_http_intercom_webhook_allow_t *allow, ngx_str_t *value,
    ngx_pool_t *pool);


ngx_int_t
ngx_http_intercom_webhook_allow_add(ngx_http_intercom_webhook_allow_t *allow,
    ngx_str_t *value, ngx_pool_t *pool)
{
    ngx_int_t                            rc;
    ngx_str_t                           *addr;
    ngx_uint_t                           i, n;
    ngx_http_intercom_webhook_preset_t  *preset;

    if (value->len == 3 && ngx_strncmp(value->data, "all", 3) == 0) {
        allow->all = 1;
        return NGX_OK;
    }

    for (preset = ngx_http_intercom_webhook_presets; preset->name.len; preset++)
    {
        if (preset->name.len != value->len
            || ngx_strncmp(preset->name.data, value->data, value->len) != 0)
        {
            continue;
        }

        for (n = 0; n < 3 && preset->regions[n]; n++) {
            for (addr = preset->regions[n], i = 0; addr[i].len; i++) {
                rc = ngx_http_intercom_webhook_allow_cidr(allow, &addr[i],
                                                          pool);
                if (rc != NGX_OK) {
                    return NGX_ERROR;
                }
            }
        }

        allow->preset = 1;

        return NGX_OK;
    }

    return ngx_http_intercom_webhook_allow_cidr(allow, value, pool);
}


static ngx_int_t
ngx_http_intercom_webhook_allow_cidr(ngx_http_intercom_webhook_allow_t *allow,
    ngx_str_t *value, ngx_pool_t *pool)
{
    ngx_int_t    rc;
    ngx_cidr_t   cidr, *c;

    ngx_memzero(&cidr, sizeof(ngx_cidr_t));

    rc = ngx_ptocidr(value, &cidr);

    if (rc == NGX_ERROR) {
        return NGX_DECLINED;
    }

    if (allow->cidrs == NULL) {
        allow->cidrs = ngx_array_create(pool, 16, sizeof(ngx_cidr_t));
        if (allow->cidrs == NULL) {
            return NGX_ERROR;
        }
    }

    c = ngx_array_push(allow->cidrs);
    if (c == NULL) {
        return NGX_ERROR;
    }

    *c = cidr;

    return rc;
}


/*
 * As ngx_cidr_match(), which cannot be used: it builds the IPv4 address
 * of an IPv4-mapped IPv6 client with "p[12] << 24", a signed shift that
 * overflows for 128.0.0.0 and above (undefined behaviour).  Here the four
 * bytes are copied as they are, in network order like the blocks.  A
 * mapped client is matched against the IPv4 blocks only, as by nginx; any
 * other family (a UNIX-domain socket) is not allowed.
 */

ngx_int_t
ngx_http_intercom_webhook_allow_match(ngx_http_intercom_webhook_allow_t *allow,
    struct sockaddr *sa)
{
    in_addr_t         inaddr;
    ngx_uint_t        i, family;
    ngx_cidr_t       *cidr;
#if (NGX_HAVE_INET6)
    ngx_uint_t        n;
    struct in6_addr  *inaddr6;
#endif

    if (allow->all) {
        return NGX_OK;
    }

    if (allow->cidrs == NULL) {
        return NGX_DECLINED;
    }

    inaddr = 0;
#if (NGX_HAVE_INET6)
    inaddr6 = NULL;
#endif

    family = sa->sa_family;

    switch (family) {

    case AF_INET:
        inaddr = ((struct sockaddr_in *) sa)->sin_addr.s_addr;
        break;

#if (NGX_HAVE_INET6)
    case AF_INET6:
        inaddr6 = &((struct sockaddr_in6 *) sa)->sin6_addr;

        if (IN6_IS_ADDR_V4MAPPED(inaddr6)) {
            family = AF_INET;
            ngx_memcpy(&inaddr, &inaddr6->s6_addr[12], sizeof(in_addr_t));
        }

        break;
#endif

    default:
        return NGX_DECLINED;
    }

    cidr = allow->cidrs->elts;

    for (i = 0; i < allow->cidrs->nelts; i++) {

        if (cidr[i].family != family) {
            continue;
        }

#if (NGX_HAVE_INET6)
        if (family == AF_INET6) {
            for (n = 0; n < 16; n++) {
                if ((inaddr6->s6_addr[n] & cidr[i].u.in6.mask.s6_addr[n])
                    != cidr[i].u.in6.addr.s6_addr[n])
                {
                    break;
                }
            }

            if (n == 16) {
                return NGX_OK;
            }

            continue;
        }
#endif

        if ((inaddr & cidr[i].u.in.mask) == cidr[i].u.in.addr) {
            return NGX_OK;
        }
    }

    return NGX_DECLINED;
}
