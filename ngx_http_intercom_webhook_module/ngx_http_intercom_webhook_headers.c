
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_intercom_webhook_module.h"


static ngx_int_t ngx_http_intercom_webhook_strip_headers(
    ngx_http_request_t *r, ngx_http_intercom_webhook_loc_conf_t *iwcf);
static ngx_int_t ngx_http_intercom_webhook_list_delete(ngx_list_t *list,
    ngx_list_part_t **prev, ngx_list_part_t **part, ngx_uint_t *i);
static ngx_uint_t ngx_http_intercom_webhook_same_name(ngx_str_t *key,
    u_char *lowcase, size_t len);


static ngx_http_intercom_webhook_header_conf_t
    ngx_http_intercom_webhook_default_headers[] =
{
    { ngx_string("X-Intercom-Topic"), ngx_string("topic") },
    { ngx_string("X-Intercom-Notification-Id"), ngx_string("id") },
    { ngx_string("X-Intercom-App-Id"), ngx_string("app_id") },
    { ngx_string("X-Intercom-Item-Type"), ngx_string("data.item.type") },
    { ngx_string("X-Intercom-Item-Id"), ngx_string("data.item.id") },
    { ngx_string("X-Intercom-Delivery-Attempts"),
      ngx_string("delivery_attempts") },
    { ngx_string("X-Intercom-Created-At"), ngx_string("created_at") },
    { ngx_null_string, ngx_null_string }
};

/* a default header for each field but "type", in slot order */
ngx_http_intercom_webhook_check(default_headers,
    ngx_http_intercom_webhook_nelts(ngx_http_intercom_webhook_default_headers)
    == NGX_HTTP_INTERCOM_WEBHOOK_TYPE + 1);


/* set in report mode only, removed from the client's request always */

static ngx_str_t  ngx_http_intercom_webhook_verified =
    ngx_string("X-Intercom-Verified");
static ngx_str_t  ngx_http_intercom_webhook_verified_lc =
    ngx_string("x-intercom-verified");


static u_char  ngx_http_intercom_webhook_signature[] = "x-hub-signature";


/*
 * The X-Hub-Signature header and how many the client sent.  A name that
 * is the same but for "_" in place of "-" counts as one: with
 * underscores_in_headers on, it reaches applications that read it as the
 * header (CGI-style environments, $http_x_hub_signature).
 */

ngx_table_elt_t *
ngx_http_intercom_webhook_signature_header(ngx_http_request_t *r,
    ngx_uint_t *n)
{
    size_t            len;
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h, *found;

    len = sizeof(ngx_http_intercom_webhook_signature) - 1;

    *n = 0;
    found = NULL;

    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;

            if (part->nelts == 0) {
                i = (ngx_uint_t) -1;
                continue;
            }
        }

        if (ngx_http_intercom_webhook_same_name(&h[i].key,
                                          ngx_http_intercom_webhook_signature,
                                          len))
        {
            found = &h[i];
            (*n)++;
        }
    }

    return found;
}


ngx_int_t
ngx_http_intercom_webhook_set_headers(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf,
    ngx_http_intercom_webhook_ctx_t *ctx)
{
    ngx_str_t                           *text;
    ngx_uint_t                           j;
    ngx_table_elt_t                     *h;
    ngx_http_intercom_webhook_header_t  *header;

    if (ngx_http_intercom_webhook_strip_headers(r, iwcf) != NGX_OK) {
        return NGX_ERROR;
    }

    header = iwcf->headers->elts;

    for (j = 0; ctx->texts && j < iwcf->headers->nelts; j++) {

        if (header[j].slot == NGX_ERROR) {
            continue;
        }

        text = &ctx->texts[header[j].slot];

        if (text->data == NULL) {
            continue;
        }

        h = ngx_list_push(&r->headers_in.headers);
        if (h == NULL) {
            return NGX_ERROR;
        }

        h->hash = header[j].hash;
        h->key = header[j].name;
        h->lowcase_key = header[j].lowcase_key;
        h->value = *text;
#if (nginx_version >= 1023000)
        h->next = NULL;
#endif

        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "intercom webhook: header \"%V: %V\"",
                       &h->key, &h->value);
    }

    if (iwcf->mode != NGX_HTTP_INTERCOM_WEBHOOK_MODE_REPORT) {
        return NGX_OK;
    }

    h = ngx_list_push(&r->headers_in.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->key = ngx_http_intercom_webhook_verified;
    h->lowcase_key = ngx_http_intercom_webhook_verified_lc.data;
    h->hash = ngx_hash_key(h->lowcase_key, h->key.len);
#if (nginx_version >= 1023000)
    h->next = NULL;
#endif

    if (ctx->would == NGX_HTTP_INTERCOM_WEBHOOK_NONE) {
        ngx_str_set(&h->value, "1");

    } else {
        ngx_str_set(&h->value, "0");
    }

    return NGX_OK;
}


/*
 * No client header of a name the module sets, "off" ones included, is
 * forwarded: names are compared without case, and with "_" and "-" taken
 * as the same.
 */

static ngx_int_t
ngx_http_intercom_webhook_strip_headers(ngx_http_request_t *r,
    ngx_http_intercom_webhook_loc_conf_t *iwcf)
{
    ngx_uint_t                           i, j;
    ngx_list_part_t                     *part, *prev;
    ngx_table_elt_t                     *elts;
    ngx_http_intercom_webhook_header_t  *header;

    header = iwcf->headers->elts;

    prev = NULL;
    part = &r->headers_in.headers.part;
    i = 0;

    for ( ;; ) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            prev = part;
            part = part->next;
            i = 0;
            continue;
        }

        elts = part->elts;

        for (j = 0; j < iwcf->headers->nelts; j++) {
            if (ngx_http_intercom_webhook_same_name(&elts[i].key,
                                                    header[j].lowcase_key,
                                                    header[j].name.len))
            {
                break;
            }
        }

        if (j == iwcf->headers->nelts) {
            i++;
            continue;
        }

        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "intercom webhook: client header \"%V: %V\" removed",
                       &elts[i].key, &elts[i].value);

        if (ngx_http_intercom_webhook_list_delete(&r->headers_in.headers,
                                                  &prev, &part, &i)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/*
 * Takes element *i of *part out of the list, and sets *prev, *part and *i
 * to the element after it.  No other element moves, as elements are
 * pointed to from r->headers_in and from each other: the part is
 * shortened at either end, or cut in two around the element, and a part
 * left empty is unlinked (but the first, which nginx's loops allow).
 *
 * ngx_list_push() writes into the last part as long as it holds fewer
 * than nalloc elements, counting from the part's start: a last part that
 * was shortened or cut has less room than that.  So the list is left
 * "full" after every deletion, nalloc being the number of elements the
 * last part holds, and the next push allocates a part of its own, as
 * headers-more does; an empty first part gets new room instead.
 */

static ngx_int_t
ngx_http_intercom_webhook_list_delete(ngx_list_t *list,
    ngx_list_part_t **prev, ngx_list_part_t **part, ngx_uint_t *i)
{
    ngx_uint_t        n;
    ngx_list_part_t  *p, *rest;

    p = *part;
    n = *i;

    if (n == p->nelts - 1) {
        p->nelts--;
        *i = p->nelts;

    } else if (n == 0) {
        p->elts = (u_char *) p->elts + list->size;
        p->nelts--;

    } else {
        rest = ngx_palloc(list->pool, sizeof(ngx_list_part_t));
        if (rest == NULL) {
            return NGX_ERROR;
        }

        rest->elts = (u_char *) p->elts + (n + 1) * list->size;
        rest->nelts = p->nelts - n - 1;
        rest->next = p->next;

        p->nelts = n;
        p->next = rest;

        if (list->last == p) {
            list->last = rest;
        }

        *prev = p;
        *part = rest;
        *i = 0;
    }

    if (p->nelts == 0 && *prev && *part == p) {
        (*prev)->next = p->next;

        if (list->last == p) {
            list->last = *prev;
        }

        *part = *prev;
        *i = (*prev)->nelts;

        /* *prev is not needed again before the loop moves on from *part */
    }

    p = list->last;

    if (p->nelts) {
        list->nalloc = p->nelts;
        return NGX_OK;
    }

    /* the first part, empty */

    p->elts = ngx_palloc(list->pool, list->nalloc * list->size);
    if (p->elts == NULL) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_uint_t
ngx_http_intercom_webhook_same_name(ngx_str_t *key, u_char *lowcase,
    size_t len)
{
    u_char      c;
    ngx_uint_t  i;

    if (key->len != len) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        c = ngx_tolower(key->data[i]);

        if (c == '_') {
            c = '-';
        }

        if (c != lowcase[i]) {
            return 0;
        }
    }

    return 1;
}


ngx_int_t
ngx_http_intercom_webhook_compile_headers(ngx_conf_t *cf,
    ngx_http_intercom_webhook_loc_conf_t *iwcf)
{
    ngx_int_t                                 slot;
    ngx_uint_t                                i, j;
    ngx_http_intercom_webhook_header_t       *header, *h;
    ngx_http_intercom_webhook_header_conf_t  *hc;

    iwcf->headers = ngx_array_create(cf->pool, 8,
                                   sizeof(ngx_http_intercom_webhook_header_t));
    if (iwcf->headers == NULL) {
        return NGX_ERROR;
    }

    /* the default headers, overridden or added to by the configured ones */

    for (i = 0; ngx_http_intercom_webhook_default_headers[i].name.len; i++) {
        header = ngx_array_push(iwcf->headers);
        if (header == NULL) {
            return NGX_ERROR;
        }

        hc = &ngx_http_intercom_webhook_default_headers[i];

        header->name = hc->name;
        header->slot = i;
    }

    header = ngx_array_push(iwcf->headers);
    if (header == NULL) {
        return NGX_ERROR;
    }

    header->name = ngx_http_intercom_webhook_verified;
    header->slot = NGX_ERROR;

    hc = iwcf->header_conf ? iwcf->header_conf->elts : NULL;

    for (i = 0; iwcf->header_conf && i < iwcf->header_conf->nelts; i++) {

        header = iwcf->headers->elts;

        for (j = 0; j < iwcf->headers->nelts; j++) {
            if (header[j].name.len == hc[i].name.len
                && ngx_strncasecmp(header[j].name.data, hc[i].name.data,
                                   hc[i].name.len)
                   == 0)
            {
                break;
            }
        }

        if (j == iwcf->headers->nelts) {
            h = ngx_array_push(iwcf->headers);
            if (h == NULL) {
                return NGX_ERROR;
            }

            h->name = hc[i].name;

        } else {
            h = &header[j];
        }

        if (hc[i].path.len == 0) {
            h->slot = NGX_ERROR;
            continue;
        }

        slot = ngx_http_intercom_webhook_fields_add(iwcf->fields,
                                                    &hc[i].path, cf->pool);
        if (slot == NGX_ERROR) {
            return NGX_ERROR;
        }

        if (slot == NGX_DECLINED) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid payload path \"%V\"", &hc[i].path);
            return NGX_ERROR;
        }

        h->slot = slot;
    }

    header = iwcf->headers->elts;

    for (i = 0; i < iwcf->headers->nelts; i++) {
        h = &header[i];

        h->lowcase_key = ngx_pnalloc(cf->pool, h->name.len);
        if (h->lowcase_key == NULL) {
            return NGX_ERROR;
        }

        h->hash = ngx_hash_strlow(h->lowcase_key, h->name.data, h->name.len);
    }

    return NGX_OK;
}
