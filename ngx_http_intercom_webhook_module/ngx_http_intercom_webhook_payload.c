
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <jansson.h>

#include "ngx_http_intercom_webhook.h"


/*
 * The payload parser: one pass over the body, in pieces, that validates
 * it against RFC 8259 (UTF-8 included; "\u0000" and numbers of any size
 * are valid JSON) and copies the raw text of the configured fields,
 * without building a tree.  A key of the field tree read twice in one
 * object is an error: nginx and the application could otherwise act on
 * different values.
 */


/* byte classes */
#define NGX_HTTP_INTERCOM_WEBHOOK_STOP     1  /* ends a run of string bytes */
#define NGX_HTTP_INTERCOM_WEBHOOK_SPACE    2
#define NGX_HTTP_INTERCOM_WEBHOOK_DIGIT    4

/* what is being collected */
#define NGX_HTTP_INTERCOM_WEBHOOK_NONE     0
#define NGX_HTTP_INTERCOM_WEBHOOK_VALUE    1
#define NGX_HTTP_INTERCOM_WEBHOOK_KEY      2

/* a field's mask of its children's key lengths has a bit for each length */
#if (NGX_HTTP_INTERCOM_WEBHOOK_MAX_KEY > 64)
#error NGX_HTTP_INTERCOM_WEBHOOK_MAX_KEY is above 64
#endif

/* eight bytes at once */
#define NGX_HTTP_INTERCOM_WEBHOOK_ONES     0x0101010101010101ULL
#define NGX_HTTP_INTERCOM_WEBHOOK_HIGH     0x8080808080808080ULL

#if (NGX_HAVE_LITTLE_ENDIAN && __GNUC__ >= 4)
/* the index of the first byte with a bit set */
#define ngx_http_intercom_webhook_first(v)  (__builtin_ctzll(v) >> 3)
#endif


/*
 * Sixteen bytes at once, chosen at compile time: SSE2 on x86-64 (every
 * x86-64 has it), NEON on little-endian arm64, else none (the eight-byte
 * code above and the byte loops); -DNGX_HTTP_INTERCOM_WEBHOOK_NO_SIMD
 * turns it off.  A vector test gives a mask of the bytes found, one bit
 * per byte (SSE2, _mm_movemask_epi8) or four (NEON, a narrowing shift),
 * in the order of the bytes: the index of the first is its lowest set
 * bit shifted by NGX_HTTP_INTERCOM_WEBHOOK_VSHIFT.
 */

#if (!(NGX_HTTP_INTERCOM_WEBHOOK_NO_SIMD)                                     \
     && defined ngx_http_intercom_webhook_first)

#if (defined __SSE2__)

#include <emmintrin.h>

#define NGX_HTTP_INTERCOM_WEBHOOK_SSE2    1
#define NGX_HTTP_INTERCOM_WEBHOOK_VSHIFT  0

#elif (defined __aarch64__ && defined __ARM_NEON \
       && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)

#include <arm_neon.h>

#define NGX_HTTP_INTERCOM_WEBHOOK_NEON    1
#define NGX_HTTP_INTERCOM_WEBHOOK_VSHIFT  2

#endif

#endif

#ifdef NGX_HTTP_INTERCOM_WEBHOOK_VSHIFT
#define NGX_HTTP_INTERCOM_WEBHOOK_SIMD    1
#define ngx_http_intercom_webhook_vfirst(m)                                  \
    (__builtin_ctzll(m) >> NGX_HTTP_INTERCOM_WEBHOOK_VSHIFT)
/*
 * The window: the bytes whose string mask is kept while the parser moves
 * through them (64 with SSE2, 16 with NEON), so that the end of the next
 * string in it is a shift and a bit scan away, not a load and a compare
 * on the path from one token to the next.
 */
#define NGX_HTTP_INTERCOM_WEBHOOK_WINDOW                                     \
    (64 >> NGX_HTTP_INTERCOM_WEBHOOK_VSHIFT)
#endif


enum {
    sw_start = 0,
    sw_object,
    sw_key,
    sw_colon,
    sw_array,
    sw_value,
    sw_after,
    sw_end,
    /* the states above skip whitespace */
    sw_string,
    sw_escape,
    sw_unicode,
    sw_low_backslash,
    sw_low_u,
    sw_low_unicode,
    sw_utf8,
    sw_minus,
    sw_zero,
    sw_int,
    sw_dot,
    sw_frac,
    sw_exp,
    sw_exp_sign,
    sw_exp_digits,
    sw_literal,
    sw_error
};


static ngx_inline u_char *ngx_http_intercom_webhook_space(u_char *pos,
    u_char *last);
static ngx_inline ngx_uint_t ngx_http_intercom_webhook_colon(u_char *pos);
#if (NGX_HTTP_INTERCOM_WEBHOOK_SIMD)
static ngx_inline uint64_t ngx_http_intercom_webhook_vspecial(u_char *pos);
static ngx_inline uint64_t ngx_http_intercom_webhook_vnonspace(u_char *pos);
static ngx_inline uint64_t ngx_http_intercom_webhook_vwindow(u_char *pos);
#else
static ngx_inline uint64_t ngx_http_intercom_webhook_special(u_char *pos);
#endif
static ngx_inline u_char *ngx_http_intercom_webhook_digits(u_char *pos,
    u_char *last);
static ngx_inline u_char *ngx_http_intercom_webhook_utf8_run(u_char *pos,
    u_char *last);
static ngx_int_t ngx_http_intercom_webhook_parse_index(
    ngx_http_intercom_webhook_parser_t *p,
    ngx_http_intercom_webhook_index_t *ix);
static ngx_inline ngx_int_t ngx_http_intercom_webhook_token(
    ngx_http_intercom_webhook_index_t *ix, ngx_uint_t *i, u_char **pos);
static ngx_inline u_char *ngx_http_intercom_webhook_key_end(u_char *pos,
    u_char *last);
static ngx_inline ngx_http_intercom_webhook_field_t *
    ngx_http_intercom_webhook_child_word(
    ngx_http_intercom_webhook_field_t *node, u_char *key, size_t len,
    u_char *last);
static u_char *ngx_http_intercom_webhook_string_end(u_char *pos,
    u_char *last);
static ngx_inline u_char *ngx_http_intercom_webhook_number(u_char *pos,
    u_char *last);
static ngx_inline ngx_uint_t ngx_http_intercom_webhook_value_end(
    u_char *pos, u_char *last);
static ngx_int_t ngx_http_intercom_webhook_push(
    ngx_http_intercom_webhook_parser_t *p, ngx_uint_t object,
    ngx_http_intercom_webhook_field_t *node);
static ngx_uint_t ngx_http_intercom_webhook_pop(
    ngx_http_intercom_webhook_parser_t *p);
static void ngx_http_intercom_webhook_collect(
    ngx_http_intercom_webhook_parser_t *p, u_char *start, u_char *end);
static ngx_inline u_char *ngx_http_intercom_webhook_text(
    ngx_http_intercom_webhook_parser_t *p, u_char *start, u_char *end,
    size_t *len);
static ngx_int_t ngx_http_intercom_webhook_capture(
    ngx_http_intercom_webhook_parser_t *p, u_char *start, u_char *end,
    ngx_http_intercom_webhook_type_e type);
static ngx_int_t ngx_http_intercom_webhook_match(
    ngx_http_intercom_webhook_parser_t *p, u_char *start, u_char *end);
static void ngx_http_intercom_webhook_duplicate(
    ngx_http_intercom_webhook_parser_t *p,
    ngx_http_intercom_webhook_field_t *field);
static ngx_inline ngx_uint_t ngx_http_intercom_webhook_key_length(
    ngx_http_intercom_webhook_field_t *node, size_t len);
static ngx_http_intercom_webhook_field_t *ngx_http_intercom_webhook_child(
    ngx_http_intercom_webhook_field_t *node, u_char *key, size_t len);
static ngx_int_t ngx_http_intercom_webhook_pattern_name(ngx_str_t *name);


static const u_char  ngx_http_intercom_webhook_class[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 1, 1, 3, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
};


/*
 * The lead bytes 0x80-0xff of UTF-8: the number of continuation bytes
 * (0 for a byte that cannot start a sequence) and, shifted by 2, the
 * range of the first continuation byte, which excludes overlong forms,
 * surrogates and code points above U+10FFFF.
 */

static const u_char  ngx_http_intercom_webhook_utf8[128] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    6, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 10, 2, 2,
    15, 3, 3, 3, 19, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};

static const u_char  ngx_http_intercom_webhook_utf8_lo[] = {
    0x80, 0xa0, 0x80, 0x90, 0x80
};

static const u_char  ngx_http_intercom_webhook_utf8_hi[] = {
    0xbf, 0xbf, 0x9f, 0xbf, 0x8f
};


ngx_int_t
ngx_http_intercom_webhook_fields_add(
    ngx_http_intercom_webhook_fields_t *fields, ngx_str_t *path,
    ngx_pool_t *pool)
{
    u_char                             *p, *last, *start;
    ngx_uint_t                          n, nnew;
    ngx_http_intercom_webhook_field_t  *node, *child;

    /* check the whole path first, so that a bad one adds no node */

    p = path->data;
    last = p + path->len;
    n = 0;
    nnew = 0;
    node = &fields->root;

    for ( ;; ) {
        start = p;

        while (p < last && *p != '.') {
            if (*p < 0x20 || *p > 0x7e) {
                return NGX_DECLINED;
            }

            p++;
        }

        if (p == start
            || (size_t) (p - start) > NGX_HTTP_INTERCOM_WEBHOOK_MAX_KEY
            || ++n > NGX_HTTP_INTERCOM_WEBHOOK_MAX_PATH)
        {
            return NGX_DECLINED;
        }

        /* the keys not in the tree yet */

        if (node) {
            node = ngx_http_intercom_webhook_child(node, start, p - start);
        }

        if (node == NULL) {
            nnew++;
        }

        if (p == last) {
            break;
        }

        p++;
    }

    if (fields->nnodes + nnew > NGX_HTTP_INTERCOM_WEBHOOK_MAX_NODES) {
        return NGX_DECLINED;
    }

    node = &fields->root;
    p = path->data;

    while (p < last) {
        start = p;

        while (p < last && *p != '.') {
            p++;
        }

        child = ngx_http_intercom_webhook_child(node, start, p - start);

        if (child == NULL) {

            if (node->children.elts == NULL) {
                if (ngx_array_init(&node->children, pool, 4,
                                   sizeof(ngx_http_intercom_webhook_field_t))
                    != NGX_OK)
                {
                    return NGX_ERROR;
                }
            }

            child = ngx_array_push(&node->children);
            if (child == NULL) {
                return NGX_ERROR;
            }

            ngx_memzero(child, sizeof(ngx_http_intercom_webhook_field_t));

            child->key.len = p - start;
            child->key.data = ngx_pnalloc(pool, child->key.len);
            if (child->key.data == NULL) {
                return NGX_ERROR;
            }

            ngx_memcpy(child->key.data, start, child->key.len);
            ngx_memcpy(&child->word, start, ngx_min(child->key.len, 8));
            child->slot = NGX_ERROR;
            child->index = fields->nnodes++;

            node->lengths |= (uint64_t) 1 << (child->key.len - 1);
        }

        node = child;
        p++;
    }

    if (node->slot == NGX_ERROR) {
        node->slot = fields->nslots++;
    }

    return node->slot;
}


ngx_int_t
ngx_http_intercom_webhook_parser_init(ngx_http_intercom_webhook_parser_t *p,
    ngx_http_intercom_webhook_fields_t *fields,
    ngx_http_intercom_webhook_value_t *values, ngx_pool_t *pool)
{
    ngx_memzero(p, offsetof(ngx_http_intercom_webhook_parser_t, stack));

    p->state = sw_start;
    p->pool = pool;

    if (fields == NULL || fields->nslots == 0) {
        return NGX_OK;
    }

    p->fields = fields;
    p->values = values;

    ngx_memzero(values,
                fields->nslots * sizeof(ngx_http_intercom_webhook_value_t));

    return NGX_OK;
}


ngx_int_t
ngx_http_intercom_webhook_parse(ngx_http_intercom_webhook_parser_t *p,
    u_char *pos, u_char *last)
{
    u_char                              ch, *start, *mark;
    uint64_t                            t;
    ngx_int_t                           hex;
    ngx_uint_t                          state, n, c, key_string;
#if (NGX_HTTP_INTERCOM_WEBHOOK_SIMD)
    u_char                             *wpos;
    size_t                              wlen;
    uint64_t                            wmask;
#endif
    ngx_http_intercom_webhook_field_t  *f, *node;
    ngx_http_intercom_webhook_value_t  *value;

    state = p->state;

    if (state == sw_error) {
        return NGX_ERROR;
    }

    key_string = p->key_string;

#if (NGX_HTTP_INTERCOM_WEBHOOK_SIMD)
    wpos = pos;
    wlen = 0;
    wmask = 0;
#endif

    start = pos;
    mark = pos;

    while (pos < last) {

        ch = *pos;

        if (state < sw_string
            && (ngx_http_intercom_webhook_class[ch]
                & NGX_HTTP_INTERCOM_WEBHOOK_SPACE))
        {
            pos = ngx_http_intercom_webhook_space(pos + 1, last);
            continue;
        }

        switch (state) {

        case sw_start:

            if (ch == '{') {
                node = NULL;

                if (p->fields && p->fields->root.children.nelts) {
                    node = &p->fields->root;
                }

                (void) ngx_http_intercom_webhook_push(p, 1, node);

                pos++;
                state = sw_object;
                break;
            }

            switch (ch) {
            case '[': case '"': case '-': case 't': case 'f': case 'n':
            case '0': case '1': case '2': case '3': case '4':
            case '5': case '6': case '7': case '8': case '9':
                p->error = "not an object";
                break;
            default:
                p->error = "unexpected character";
            }

            goto failed;

        case sw_object:

            if (ch == '}') {
                pos++;
                state = ngx_http_intercom_webhook_pop(p);

                if (state == sw_after) {
                    goto after;
                }

                break;
            }

            /* fall through */

        case sw_key:
        key:

            if (ch != '"') {

                if (ngx_http_intercom_webhook_class[ch]
                    & NGX_HTTP_INTERCOM_WEBHOOK_SPACE)
                {
                    /* after a jump to the key */
                    pos = ngx_http_intercom_webhook_space(pos + 1, last);
                    break;
                }

                p->error = "unexpected character";
                goto failed;
            }

            key_string = 1;

            if (p->cur) {
                p->collect = NGX_HTTP_INTERCOM_WEBHOOK_KEY;
                p->key_len = 0;
                p->key_offset = p->offset + (pos - start);
                p->over = 0;
                p->escaped = 0;
                mark = pos;
            }

            pos++;
            state = sw_string;
            goto string;

        case sw_colon:

            if (ch != ':') {
                p->error = "unexpected character";
                goto failed;
            }

            pos++;
            state = sw_value;
            break;

        case sw_array:

            if (ch == ']') {
                pos++;
                state = ngx_http_intercom_webhook_pop(p);

                if (state == sw_after) {
                    goto after;
                }

                break;
            }

            /* fall through */

        case sw_value:
        value:

            f = p->field;
            value = NULL;

            if (f) {
                p->field = NULL;

                if (f->slot != NGX_ERROR) {
                    value = &p->values[f->slot];
                }
            }

            /* a string, most values are */

            if (ch == '"') {
                key_string = 0;

                if (value) {
                    p->value = value;
                    p->collect = NGX_HTTP_INTERCOM_WEBHOOK_VALUE;
                    p->len = 0;
                    p->over = 0;
                    p->escaped = 0;
                    mark = pos;
                }

                pos++;
                state = sw_string;
                goto string;
            }

            switch (ch) {

            case '{':
                node = (f && f->children.nelts) ? f : NULL;

                if (ngx_http_intercom_webhook_push(p, 1, node) != NGX_OK) {
                    goto failed;
                }

                if (value) {
                    value->type = NGX_HTTP_INTERCOM_WEBHOOK_OBJECT;
                }

                pos = ngx_http_intercom_webhook_space(pos + 1, last);

                /* the first key, as a rule */

                if (pos < last && *pos == '"') {
                    ch = '"';
                    state = sw_key;
                    goto key;
                }

                state = sw_object;
                break;

            case '[':
                if (ngx_http_intercom_webhook_push(p, 0, NULL) != NGX_OK) {
                    goto failed;
                }

                if (value) {
                    value->type = NGX_HTTP_INTERCOM_WEBHOOK_ARRAY;
                }

                pos = ngx_http_intercom_webhook_space(pos + 1, last);

                /* the first value, as a rule */

                if (pos < last && *pos != ']') {
                    ch = *pos;
                    state = sw_value;
                    goto value;
                }

                state = sw_array;
                break;

            case 't':
            case 'f':
            case 'n':

                /* the whole literal at hand */

                if (last - pos >= 5) {

                    if (ch == 't') {
                        n = (pos[1] == 'r' && pos[2] == 'u' && pos[3] == 'e');
                        c = NGX_HTTP_INTERCOM_WEBHOOK_TRUE;

                    } else if (ch == 'f') {
                        n = (pos[1] == 'a' && pos[2] == 'l' && pos[3] == 's'
                             && pos[4] == 'e');
                        c = NGX_HTTP_INTERCOM_WEBHOOK_FALSE;

                    } else {
                        n = (pos[1] == 'u' && pos[2] == 'l' && pos[3] == 'l');
                        c = NGX_HTTP_INTERCOM_WEBHOOK_NULL;
                    }

                    if (n) {
                        if (value) {
                            value->type = c;
                        }

                        pos += (ch == 'f') ? 5 : 4;
                        goto after;
                    }
                }

                if (ch == 't') {
                    p->literal = (u_char *) "rue";
                    p->literal_type = NGX_HTTP_INTERCOM_WEBHOOK_TRUE;

                } else if (ch == 'f') {
                    p->literal = (u_char *) "alse";
                    p->literal_type = NGX_HTTP_INTERCOM_WEBHOOK_FALSE;

                } else {
                    p->literal = (u_char *) "ull";
                    p->literal_type = NGX_HTTP_INTERCOM_WEBHOOK_NULL;
                }

                p->value = value;
                pos++;
                state = sw_literal;
                break;

            case '-':
            case '0': case '1': case '2': case '3': case '4':
            case '5': case '6': case '7': case '8': case '9':

                if (value) {
                    p->value = value;
                    p->collect = NGX_HTTP_INTERCOM_WEBHOOK_VALUE;
                    p->len = 0;
                    p->over = 0;
                    p->escaped = 0;
                    mark = pos;
                }

                if (ch == '-') {
                    pos++;
                    state = sw_minus;

                } else if (ch == '0') {
                    pos++;
                    state = sw_zero;

                } else {
                    state = sw_int;
                    goto digits;
                }

                break;

            default:

                if (ngx_http_intercom_webhook_class[ch]
                    & NGX_HTTP_INTERCOM_WEBHOOK_SPACE)
                {
                    /* after a jump to the value: the field is still due */
                    p->field = f;
                    pos = ngx_http_intercom_webhook_space(pos + 1, last);
                    break;
                }

                p->error = "unexpected character";
                goto failed;
            }

            break;

        case sw_after:

            if (ch == ',') {
                pos++;
                state = p->object ? sw_key : sw_value;
                break;
            }

            if (ch == (p->object ? '}' : ']')) {
                pos++;
                state = ngx_http_intercom_webhook_pop(p);

                if (state == sw_after) {
                    goto after;
                }

                break;
            }

            p->error = "unexpected character";
            goto failed;

        case sw_end:
            p->error = "garbage after the object";
            goto failed;

        case sw_string:
        string:

            for ( ;; ) {

#if (NGX_HTTP_INTERCOM_WEBHOOK_SIMD)

                /* plain bytes: the rest of the window, then windows */

                if ((size_t) (pos - wpos) < wlen) {
                    t = wmask >> ((pos - wpos)
                                  << NGX_HTTP_INTERCOM_WEBHOOK_VSHIFT);

                    if (t) {
                        pos += ngx_http_intercom_webhook_vfirst(t);
                        goto special;
                    }

                    pos = wpos + wlen;
                }

                while (last - pos >= NGX_HTTP_INTERCOM_WEBHOOK_WINDOW) {
                    wpos = pos;
                    wlen = NGX_HTTP_INTERCOM_WEBHOOK_WINDOW;
                    wmask = ngx_http_intercom_webhook_vwindow(pos);

                    if (wmask) {
                        pos += ngx_http_intercom_webhook_vfirst(wmask);
                        goto special;
                    }

                    pos += NGX_HTTP_INTERCOM_WEBHOOK_WINDOW;
                }

                /* the piece's last bytes, sixteen at a time */

                while (last - pos >= 16) {
                    t = ngx_http_intercom_webhook_vspecial(pos);

                    if (t) {
                        pos += ngx_http_intercom_webhook_vfirst(t);
                        goto special;
                    }

                    pos += 16;
                }

#else

                /* eight at a time */

                while (last - pos >= 8) {
                    t = ngx_http_intercom_webhook_special(pos);

                    if (t) {
#ifdef ngx_http_intercom_webhook_first
                        pos += ngx_http_intercom_webhook_first(t);
                        goto special;
#else
                        break;
#endif
                    }

                    pos += 8;
                }

#endif

                /* the tail, a byte at a time */

                while (pos < last
                       && !(ngx_http_intercom_webhook_class[*pos]
                            & NGX_HTTP_INTERCOM_WEBHOOK_STOP))
                {
                    pos++;
                }

                if (pos == last) {
                    goto done;
                }

#ifdef ngx_http_intercom_webhook_first
            special:
#endif

                ch = *pos;

                if (ch == '"') {
                    pos++;

                    if (!key_string) {

                        if (p->collect
                            && ngx_http_intercom_webhook_capture(p, mark, pos,
                                              NGX_HTTP_INTERCOM_WEBHOOK_STRING)
                               != NGX_OK)
                        {
                            goto failed;
                        }

                        goto after;
                    }

                    if (p->collect
                        && ngx_http_intercom_webhook_match(p, mark, pos)
                           != NGX_OK)
                    {
                        goto failed;
                    }

                    /* the colon: " : " as Intercom writes it, ":", ": " */

                    if (last - pos >= 4
                        && ngx_http_intercom_webhook_colon(pos))
                    {
                        pos += 3;
                        ch = *pos;
                        state = sw_value;
                        goto value;
                    }

                    if (pos < last && *pos == ' ') {
                        pos++;
                    }

                    if (pos < last && *pos == ':') {
                        pos++;

                        if (pos < last && *pos == ' ') {
                            pos++;
                        }

                        state = sw_value;

                        if (pos < last) {
                            ch = *pos;
                            goto value;
                        }

                        break;
                    }

                    state = sw_colon;
                    break;
                }

                if (ch >= 0x80) {

                    pos = ngx_http_intercom_webhook_utf8_run(pos, last);

                    if (pos == last) {
                        goto done;
                    }

                    ch = *pos;

                    if (ch < 0x80) {
                        continue;
                    }

                    /* the character at pos: the piece ends in it, or bad */

                    c = ngx_http_intercom_webhook_utf8[ch - 0x80];
                    n = c & 3;

                    if (n == 0) {
                        p->error = "invalid UTF-8";
                        goto failed;
                    }

                    c >>= 2;

                    if ((size_t) (last - pos) <= n) {
                        p->utf8_need = n;
                        p->utf8_lo = ngx_http_intercom_webhook_utf8_lo[c];
                        p->utf8_hi = ngx_http_intercom_webhook_utf8_hi[c];
                        pos++;
                        state = sw_utf8;
                        break;
                    }

                    pos++;

                    if (*pos < ngx_http_intercom_webhook_utf8_lo[c]
                        || *pos > ngx_http_intercom_webhook_utf8_hi[c])
                    {
                        p->error = "invalid UTF-8";
                        goto failed;
                    }

                    while (--n) {
                        pos++;

                        if ((*pos & 0xc0) != 0x80) {
                            p->error = "invalid UTF-8";
                            goto failed;
                        }
                    }

                    pos++;
                    continue;
                }

                if (ch == '\\') {
                    p->escaped = 1;
                    pos++;
                    state = sw_escape;
                    break;
                }

                p->error = "control character in a string";
                goto failed;
            }

            break;

        case sw_escape:

            switch (ch) {
            case '"': case '\\': case '/':
            case 'b': case 'f': case 'n': case 'r': case 't':
                state = sw_string;
                break;

            case 'u':
                p->hex = 0;
                p->hex_n = 0;
                state = sw_unicode;
                break;

            default:
                p->error = "invalid escape";
                goto failed;
            }

            pos++;
            break;

        case sw_unicode:
        case sw_low_unicode:

            hex = ngx_http_intercom_webhook_hex(ch);
            if (hex == NGX_ERROR) {
                p->error = "invalid escape";
                goto failed;
            }

            p->hex = (p->hex << 4) + hex;

            if (++p->hex_n < 4) {
                pos++;
                break;
            }

            if (state == sw_low_unicode) {

                if (p->hex < 0xdc00 || p->hex > 0xdfff) {
                    p->error = "invalid surrogate pair";
                    goto failed;
                }

                state = sw_string;

            } else if (p->hex >= 0xd800 && p->hex <= 0xdbff) {
                state = sw_low_backslash;

            } else if (p->hex >= 0xdc00 && p->hex <= 0xdfff) {
                p->error = "invalid surrogate pair";
                goto failed;

            } else {
                state = sw_string;
            }

            pos++;
            break;

        case sw_low_backslash:

            if (ch != '\\') {
                p->error = "invalid surrogate pair";
                goto failed;
            }

            pos++;
            state = sw_low_u;
            break;

        case sw_low_u:

            if (ch != 'u') {
                p->error = "invalid surrogate pair";
                goto failed;
            }

            p->hex = 0;
            p->hex_n = 0;
            pos++;
            state = sw_low_unicode;
            break;

        case sw_utf8:

            if (ch < p->utf8_lo || ch > p->utf8_hi) {
                p->error = "invalid UTF-8";
                goto failed;
            }

            p->utf8_lo = 0x80;
            p->utf8_hi = 0xbf;
            pos++;

            if (--p->utf8_need == 0) {
                state = sw_string;
            }

            break;

        case sw_minus:

            if (ch < '0' || ch > '9') {
                p->error = "invalid number";
                goto failed;
            }

            if (ch == '0') {
                pos++;
                state = sw_zero;
                break;
            }

            state = sw_int;
            break;

        case sw_zero:

            if (ch >= '0' && ch <= '9') {
                /* a leading zero */
                p->error = "invalid number";
                goto failed;
            }

            if (ch == '.') {
                pos++;
                state = sw_dot;
                break;
            }

            if (ch == 'e' || ch == 'E') {
                pos++;
                state = sw_exp;
                break;
            }

            goto number;

        case sw_int:
        digits:

            pos = ngx_http_intercom_webhook_digits(pos, last);

            if (pos == last) {
                break;
            }

            ch = *pos;

            if (ch == '.') {
                pos++;
                state = sw_dot;
                break;
            }

            if (ch == 'e' || ch == 'E') {
                pos++;
                state = sw_exp;
                break;
            }

            goto number;

        case sw_dot:

            if (ch < '0' || ch > '9') {
                p->error = "invalid number";
                goto failed;
            }

            state = sw_frac;
            break;

        case sw_frac:

            pos = ngx_http_intercom_webhook_digits(pos, last);

            if (pos == last) {
                break;
            }

            ch = *pos;

            if (ch == 'e' || ch == 'E') {
                pos++;
                state = sw_exp;
                break;
            }

            goto number;

        case sw_exp:

            if (ch == '+' || ch == '-') {
                pos++;
                state = sw_exp_sign;
                break;
            }

            /* fall through */

        case sw_exp_sign:

            if (ch < '0' || ch > '9') {
                p->error = "invalid number";
                goto failed;
            }

            state = sw_exp_digits;
            break;

        case sw_exp_digits:

            pos = ngx_http_intercom_webhook_digits(pos, last);

            if (pos == last) {
                break;
            }

            goto number;

        case sw_literal:

            if (ch != *p->literal) {
                p->error = "unexpected character";
                goto failed;
            }

            pos++;

            if (*++p->literal != '\0') {
                break;
            }

            if (p->value) {
                p->value->type = p->literal_type;
                p->value = NULL;
            }

            goto after;

        default: /* sw_error */
            return NGX_ERROR;
        }

        continue;

    number:

        /* the number ended before pos: captured as written */

        if (p->collect
            && ngx_http_intercom_webhook_capture(p, mark, pos,
                                              NGX_HTTP_INTERCOM_WEBHOOK_NUMBER)
               != NGX_OK)
        {
            goto failed;
        }

    after:

        /* a value ended before pos: a comma and a newline as a rule */

#if (NGX_HTTP_INTERCOM_WEBHOOK_SIMD)

        /* and an indentation of less than sixteen spaces */

        if (last - pos >= 18 && pos[0] == ',' && pos[1] == '\n') {
            t = ngx_http_intercom_webhook_vnonspace(pos + 2);

            if (t) {
                pos += 2 + ngx_http_intercom_webhook_vfirst(t);
                goto next;
            }
        }

#endif

        if (pos < last && *pos == ',') {
            pos++;

            if (pos < last && *pos == '\n') {
                pos = ngx_http_intercom_webhook_space(pos + 1, last);
            }

            if (pos < last) {

#if (NGX_HTTP_INTERCOM_WEBHOOK_SIMD)
            next:
#endif

                ch = *pos;

                if (p->object) {
                    state = sw_key;
                    goto key;
                }

                state = sw_value;
                goto value;
            }

            state = p->object ? sw_key : sw_value;

        } else {
            state = sw_after;
        }
    }

done:

    if (p->collect) {
        ngx_http_intercom_webhook_collect(p, mark, last);
    }

    p->state = state;
    p->key_string = key_string;
    p->offset += last - start;

    return NGX_AGAIN;

failed:

    p->state = sw_error;

    if (p->code == NGX_HTTP_INTERCOM_WEBHOOK_PARSE_DUPLICATE) {
        p->offset = p->key_offset;
        return NGX_ERROR;
    }

    if (p->code == NGX_HTTP_INTERCOM_WEBHOOK_PARSE_NONE) {
        p->code = NGX_HTTP_INTERCOM_WEBHOOK_PARSE_INVALID;
    }

    p->offset += pos - start;

    return NGX_ERROR;
}


#if !(NGX_HTTP_INTERCOM_WEBHOOK_SIMD)

/*
 * Eight string bytes at pos: the high bit of each byte that ends a run
 * of plain ones (>= 0x80 or < 0x20, a quote or a backslash) is set,
 * and borrows err only above such a byte; 0 if all are plain.
 */

static ngx_inline uint64_t
ngx_http_intercom_webhook_special(u_char *pos)
{
    uint64_t  v;

    ngx_memcpy(&v, pos, 8);

    return (v | (v - 0x20 * NGX_HTTP_INTERCOM_WEBHOOK_ONES)
            | ((v ^ 0x22 * NGX_HTTP_INTERCOM_WEBHOOK_ONES)
               - NGX_HTTP_INTERCOM_WEBHOOK_ONES)
            | ((v ^ 0x5c * NGX_HTTP_INTERCOM_WEBHOOK_ONES)
               - NGX_HTTP_INTERCOM_WEBHOOK_ONES))
           & NGX_HTTP_INTERCOM_WEBHOOK_HIGH;
}

#endif


#if (NGX_HTTP_INTERCOM_WEBHOOK_SSE2)

/*
 * Sixteen string bytes at pos: the mask of those that end a run of plain
 * ones, a quote, a backslash, or below 0x20 or from 0x80 on (as signed
 * bytes, both are below 0x20); 0 if all are plain.
 */

static ngx_inline uint64_t
ngx_http_intercom_webhook_vspecial(u_char *pos)
{
    __m128i  v, m;

    v = _mm_loadu_si128((const __m128i *) pos);

    m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                  _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                     _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));

    return (unsigned) _mm_movemask_epi8(m);
}


/* sixteen bytes at pos: the mask of those that are not spaces */

static ngx_inline uint64_t
ngx_http_intercom_webhook_vnonspace(u_char *pos)
{
    __m128i  v;

    v = _mm_loadu_si128((const __m128i *) pos);

    return (unsigned) _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')))
           ^ 0xffff;
}


/* the window at pos, sixty-four bytes: the mask of vspecial() */

static ngx_inline uint64_t
ngx_http_intercom_webhook_vwindow(u_char *pos)
{
    return ngx_http_intercom_webhook_vspecial(pos)
           | ngx_http_intercom_webhook_vspecial(pos + 16) << 16
           | ngx_http_intercom_webhook_vspecial(pos + 32) << 32
           | ngx_http_intercom_webhook_vspecial(pos + 48) << 48;
}

#elif (NGX_HTTP_INTERCOM_WEBHOOK_NEON)

/* the same with NEON: four bits per byte, by a narrowing shift */

static ngx_inline uint64_t
ngx_http_intercom_webhook_vspecial(u_char *pos)
{
    uint8x16_t  v, m;

    v = vld1q_u8(pos);

    m = vorrq_u8(vorrq_u8(vceqq_u8(v, vdupq_n_u8('"')),
                          vceqq_u8(v, vdupq_n_u8('\\'))),
                 vcltq_s8(vreinterpretq_s8_u8(v), vdupq_n_s8(0x20)));

    return vget_lane_u64(vreinterpret_u64_u8(
                             vshrn_n_u16(vreinterpretq_u16_u8(m), 4)), 0);
}


static ngx_inline uint64_t
ngx_http_intercom_webhook_vnonspace(u_char *pos)
{
    uint8x16_t  m;

    m = vmvnq_u8(vceqq_u8(vld1q_u8(pos), vdupq_n_u8(' ')));

    return vget_lane_u64(vreinterpret_u64_u8(
                             vshrn_n_u16(vreinterpretq_u16_u8(m), 4)), 0);
}


/* the window at pos, sixteen bytes: four bits a byte fill the mask */

static ngx_inline uint64_t
ngx_http_intercom_webhook_vwindow(u_char *pos)
{
    return ngx_http_intercom_webhook_vspecial(pos);
}

#endif


/*
 * A run of valid two and three byte characters, the most common ones,
 * while the next bytes are at hand: returns where it stops, at a byte
 * below 0x80, at another character (four bytes, invalid, or one the
 * piece cuts) or at last.
 */

static ngx_inline u_char *
ngx_http_intercom_webhook_utf8_run(u_char *pos, u_char *last)
{
    u_char      ch, b;
    uint32_t    w, m;
    ngx_uint_t  c;

    while (last - pos >= 3) {

        ch = *pos;

        if (ch < 0xc2 || ch > 0xef) {
            break;
        }

        b = pos[1];
        w = b | (pos[2] << 8);

        c = (ch >= 0xe0);
        m = 0xc0 | (c * 0xc000);

        if ((w & m) != (m & 0x8080)
            || (ch == 0xe0 && b < 0xa0)
            || (ch == 0xed && b > 0x9f))
        {
            break;
        }

        pos += 2 + c;
    }

    return pos;
}


/* " : " at pos, four bytes at hand */

static ngx_inline ngx_uint_t
ngx_http_intercom_webhook_colon(u_char *pos)
{
#if (NGX_HAVE_LITTLE_ENDIAN)
    uint32_t  w;

    ngx_memcpy(&w, pos, 4);

    return (w & 0xffffff) == (' ' | ':' << 8 | ' ' << 16);
#else
    return pos[0] == ' ' && pos[1] == ':' && pos[2] == ' ';
#endif
}


/* a run of digits, eight bytes at a time: returns where it ends */

static ngx_inline u_char *
ngx_http_intercom_webhook_digits(u_char *pos, u_char *last)
{
#ifdef ngx_http_intercom_webhook_first
    uint64_t  v;

    /*
     * the high bit of a byte below '0' (v - '0' borrows), above '9'
     * (v + 0x46 reaches 0x80) or from 0x80 on; exact up to the first
     * such byte
     */

    while (last - pos >= 8) {
        ngx_memcpy(&v, pos, 8);

        v = (v | (v - 0x30 * NGX_HTTP_INTERCOM_WEBHOOK_ONES)
             | (v + 0x46 * NGX_HTTP_INTERCOM_WEBHOOK_ONES))
            & NGX_HTTP_INTERCOM_WEBHOOK_HIGH;

        if (v) {
            return pos + ngx_http_intercom_webhook_first(v);
        }

        pos += 8;
    }
#endif

    while (pos < last
           && (ngx_http_intercom_webhook_class[*pos]
               & NGX_HTTP_INTERCOM_WEBHOOK_DIGIT))
    {
        pos++;
    }

    return pos;
}


/* whitespace, runs of spaces (indentation) sixteen or eight bytes at once */

static ngx_inline u_char *
ngx_http_intercom_webhook_space(u_char *pos, u_char *last)
{
    uint64_t  v;

#if (NGX_HTTP_INTERCOM_WEBHOOK_SIMD)

    /* spaces sixteen bytes at a time, the other whitespace bytes singly */

    while (last - pos >= 16) {
        v = ngx_http_intercom_webhook_vnonspace(pos);

        if (v == 0) {
            pos += 16;
            continue;
        }

        pos += ngx_http_intercom_webhook_vfirst(v);

        if (!(ngx_http_intercom_webhook_class[*pos]
              & NGX_HTTP_INTERCOM_WEBHOOK_SPACE))
        {
            return pos;
        }

        pos++;
    }

#endif

    while (pos < last) {

        if (*pos == ' ') {

            if (last - pos >= 8) {
                ngx_memcpy(&v, pos, 8);

                v ^= 0x20 * NGX_HTTP_INTERCOM_WEBHOOK_ONES;

                if (v == 0) {
                    pos += 8;
                    continue;
                }

#ifdef ngx_http_intercom_webhook_first
                pos += ngx_http_intercom_webhook_first(v);
                continue;
#endif
            }

            pos++;
            continue;
        }

        if (!(ngx_http_intercom_webhook_class[*pos]
              & NGX_HTTP_INTERCOM_WEBHOOK_SPACE))
        {
            break;
        }

        pos++;
    }

    return pos;
}


ngx_int_t
ngx_http_intercom_webhook_parse_done(ngx_http_intercom_webhook_parser_t *p)
{
    switch (p->state) {

    case sw_end:
        return NGX_OK;

    case sw_error:
        return NGX_ERROR;

    case sw_start:
        p->error = "empty body";
        break;

    case sw_string:
    case sw_escape:
    case sw_unicode:
    case sw_low_backslash:
    case sw_low_u:
    case sw_low_unicode:
    case sw_utf8:
        p->error = "unterminated string";
        break;

    default:
        p->error = "truncated";
    }

    p->code = NGX_HTTP_INTERCOM_WEBHOOK_PARSE_INVALID;
    p->state = sw_error;

    return NGX_ERROR;
}


ngx_int_t
ngx_http_intercom_webhook_parse_whole(ngx_http_intercom_webhook_parser_t *p,
    u_char *pos, u_char *last)
{
    ngx_int_t                           rc;
    ngx_http_intercom_webhook_index_t   ix;

    if (p->state == sw_start
        && p->offset == 0
        && ngx_http_intercom_webhook_index_init(&ix, pos, last) == NGX_OK)
    {
        rc = ngx_http_intercom_webhook_parse_index(p, &ix);

        if (rc != NGX_DECLINED) {
            return rc;
        }

        /* from the start again, streaming: its verdict, its error */

        (void) ngx_http_intercom_webhook_parser_init(p, p->fields, p->values,
                                                     p->pool);
    }

    if (ngx_http_intercom_webhook_parse(p, pos, last) == NGX_ERROR) {
        return NGX_ERROR;
    }

    return ngx_http_intercom_webhook_parse_done(p);
}


/*
 * The second stage of parse_whole, from the index: the grammar, the
 * nesting, the numbers and literals, the keys of the field tree and the
 * values to capture, which point into the body until all is checked and
 * are then copied into the pool.  NGX_DECLINED for whatever is left to
 * the streaming parser: an invalid body, a key of the tree read twice, a
 * key with an escape in an object of the tree, nesting deeper than
 * MAX_DEPTH.
 */

static ngx_int_t
ngx_http_intercom_webhook_parse_index(ngx_http_intercom_webhook_parser_t *p,
    ngx_http_intercom_webhook_index_t *ix)
{
    u_char                             *pos, *end, *last, *data;
    size_t                              len;
    uint64_t                            bit;
    ngx_int_t                           ch;
    ngx_uint_t                          i, depth, object;
    ngx_http_intercom_webhook_type_e    type;
    ngx_http_intercom_webhook_field_t  *cur, *f, *node;
    ngx_http_intercom_webhook_value_t  *value;

    last = ix->last;
    i = 0;

    ch = ngx_http_intercom_webhook_token(ix, &i, &pos);

    if (ch != '{') {
        return NGX_DECLINED;
    }

    node = NULL;

    if (p->fields && p->fields->root.children.nelts) {
        node = &p->fields->root;
    }

    depth = 0;
    cur = NULL;
    f = NULL;
    object = 1;

    goto push;

object:

    ch = ngx_http_intercom_webhook_token(ix, &i, &pos);

    if (ch == '}') {
        goto close;
    }

key:

    if (ch != '"') {
        return NGX_DECLINED;
    }

    f = NULL;
    value = NULL;

    if (cur) {
        end = ngx_http_intercom_webhook_key_end(pos + 1, last);

        /* a key with escapes is rare: the streaming parser decodes it */

        if (end && *end == '\\') {
            return NGX_DECLINED;
        }

        if (end) {
            f = ngx_http_intercom_webhook_child_word(cur, pos + 1,
                                                     end - pos - 1, last);
        }

        if (f) {
            bit = (uint64_t) 1 << (f->index & 63);

            if (p->seen[f->index >> 6] & bit) {
                return NGX_DECLINED;
            }

            p->seen[f->index >> 6] |= bit;

            if (f->slot != NGX_ERROR) {
                value = &p->values[f->slot];
            }
        }
    }

    ch = ngx_http_intercom_webhook_token(ix, &i, &pos);

    if (ch != ':') {
        return NGX_DECLINED;
    }

    ch = ngx_http_intercom_webhook_token(ix, &i, &pos);

value:

    switch (ch) {

    case '"':

        if (value) {
            end = ngx_http_intercom_webhook_string_end(pos, last);

            if (end == NULL) {
                return NGX_DECLINED;
            }

            len = end + 1 - pos;

            if (len > NGX_HTTP_INTERCOM_WEBHOOK_MAX_VALUE) {
                value->type = NGX_HTTP_INTERCOM_WEBHOOK_TOO_LONG;

            } else {
                value->type = NGX_HTTP_INTERCOM_WEBHOOK_STRING;
                value->raw.data = pos;
                value->raw.len = len;
                value->escaped = (memchr(pos + 1, '\\', end - pos - 1)
                                  != NULL);
            }
        }

        goto after;

    case '{':
        node = (f && f->children.nelts) ? f : NULL;

        if (value) {
            value->type = NGX_HTTP_INTERCOM_WEBHOOK_OBJECT;
        }

        object = 1;
        goto push;

    case '[':
        node = NULL;

        if (value) {
            value->type = NGX_HTTP_INTERCOM_WEBHOOK_ARRAY;
        }

        object = 0;
        goto push;

    case 't':
        end = pos + 4;
        type = NGX_HTTP_INTERCOM_WEBHOOK_TRUE;

        if (last - pos < 4 || ngx_memcmp(pos, "true", 4) != 0) {
            return NGX_DECLINED;
        }

        break;

    case 'f':
        end = pos + 5;
        type = NGX_HTTP_INTERCOM_WEBHOOK_FALSE;

        if (last - pos < 5 || ngx_memcmp(pos, "false", 5) != 0) {
            return NGX_DECLINED;
        }

        break;

    case 'n':
        end = pos + 4;
        type = NGX_HTTP_INTERCOM_WEBHOOK_NULL;

        if (last - pos < 4 || ngx_memcmp(pos, "null", 4) != 0) {
            return NGX_DECLINED;
        }

        break;

    default:
        end = ngx_http_intercom_webhook_number(pos, last);
        type = NGX_HTTP_INTERCOM_WEBHOOK_NUMBER;

        if (end == NULL) {
            return NGX_DECLINED;
        }

        if (value) {
            len = end - pos;

            if (len > NGX_HTTP_INTERCOM_WEBHOOK_MAX_VALUE) {
                type = NGX_HTTP_INTERCOM_WEBHOOK_TOO_LONG;

            } else {
                value->raw.data = pos;
                value->raw.len = len;
            }
        }
    }

    /* the bytes after a literal or a number are not part of it */

    if (!ngx_http_intercom_webhook_value_end(end, last)) {
        return NGX_DECLINED;
    }

    if (value) {
        value->type = type;
    }

after:

    ch = ngx_http_intercom_webhook_token(ix, &i, &pos);

    if (ch == ',') {
        ch = ngx_http_intercom_webhook_token(ix, &i, &pos);

        if (object) {
            goto key;
        }

        f = NULL;
        value = NULL;
        goto value;
    }

    if (ch == (object ? '}' : ']')) {
        goto close;
    }

    return NGX_DECLINED;

push:

    if (depth == NGX_HTTP_INTERCOM_WEBHOOK_MAX_DEPTH) {
        return NGX_DECLINED;
    }

    if (object) {
        p->stack[depth >> 3] |= (uint8_t) (1 << (depth & 7));

    } else {
        p->stack[depth >> 3] &= (uint8_t) ~(1 << (depth & 7));
    }

    depth++;

    if (depth < NGX_HTTP_INTERCOM_WEBHOOK_NODES) {
        p->node[depth] = node;
    }

    cur = node;

    if (object) {
        goto object;
    }

    ch = ngx_http_intercom_webhook_token(ix, &i, &pos);

    if (ch != ']') {
        f = NULL;
        value = NULL;
        goto value;
    }

close:

    if (--depth) {
        object = (p->stack[(depth - 1) >> 3] >> ((depth - 1) & 7)) & 1;
        cur = (depth < NGX_HTTP_INTERCOM_WEBHOOK_NODES) ? p->node[depth]
                                                        : NULL;
        goto after;
    }

    /* the object's end: nothing but whitespace after it */

    if (i != ix->n || ngx_http_intercom_webhook_index_next(ix) != NGX_DONE) {
        return NGX_DECLINED;
    }

    /* all is checked: the values' copies */

    if (p->fields) {
        value = p->values;

        for (i = 0; i < p->fields->nslots; i++) {

            if (value[i].raw.len == 0) {
                continue;
            }

            data = ngx_pnalloc(p->pool, value[i].raw.len);
            if (data == NULL) {
                p->error = "out of memory";
                p->code = NGX_HTTP_INTERCOM_WEBHOOK_PARSE_NO_MEMORY;
                p->state = sw_error;
                return NGX_ERROR;
            }

            ngx_memcpy(data, value[i].raw.data, value[i].raw.len);
            value[i].raw.data = data;
        }
    }

    p->state = sw_end;
    p->offset = last - ix->start;
    p->indexed = 1;

    return NGX_OK;
}


/*
 * The next token of the index: its place and its first byte.  At the end
 * or on an invalid byte, 0 and the body's first byte ("{" or another):
 * no token starts with 0 that the second stage takes, so that it does
 * not look for the end at each token.
 */

static ngx_inline ngx_int_t
ngx_http_intercom_webhook_token(ngx_http_intercom_webhook_index_t *ix,
    ngx_uint_t *i, u_char **pos)
{
    if (*i == ix->n) {

        if (ngx_http_intercom_webhook_index_next(ix) != NGX_OK) {
            *pos = ix->start;
            return 0;
        }

        *i = 0;
    }

    *pos = ix->start + ix->index[(*i)++];

    return **pos;
}


/*
 * The first quote or backslash of the key whose bytes start at pos: its
 * end, or an escape; NULL when it is longer than any key of the tree.
 */

static ngx_inline u_char *
ngx_http_intercom_webhook_key_end(u_char *pos, u_char *last)
{
    u_char    *end;
#if (NGX_HTTP_INTERCOM_WEBHOOK_SIMD)
    uint64_t   t;
#endif

    end = pos + ngx_min((size_t) (last - pos),
                        NGX_HTTP_INTERCOM_WEBHOOK_MAX_KEY + 1);

#if (NGX_HTTP_INTERCOM_WEBHOOK_SIMD)

    /* most keys end in their first sixteen bytes */

    if (last - pos >= 16) {
        t = ngx_http_intercom_webhook_vspecial(pos);

        if (t == 0) {
            pos += 16;

        } else {
            pos += ngx_http_intercom_webhook_vfirst(t);

            if (*pos == '"' || *pos == '\\') {
                return pos;
            }
        }
    }

#endif

    for ( /* void */ ; pos < end; pos++) {
        if (*pos == '"' || *pos == '\\') {
            return pos;
        }
    }

    return NULL;
}


/*
 * child() for a key with eight bytes or more at hand: its first eight
 * compared at once with each child's word
 */

static ngx_inline ngx_http_intercom_webhook_field_t *
ngx_http_intercom_webhook_child_word(ngx_http_intercom_webhook_field_t *node,
    u_char *key, size_t len, u_char *last)
{
#if (NGX_HAVE_LITTLE_ENDIAN)
    uint64_t                            w;
    ngx_uint_t                          i;
    ngx_http_intercom_webhook_field_t  *child;

    if (!ngx_http_intercom_webhook_key_length(node, len)) {
        return NULL;
    }

    if (last - key >= 8) {
        ngx_memcpy(&w, key, 8);

        if (len < 8) {
            w &= ((uint64_t) 1 << (len * 8)) - 1;
        }

        child = node->children.elts;

        for (i = 0; i < node->children.nelts; i++) {
            if (child[i].word == w
                && child[i].key.len == len
                && (len <= 8
                    || ngx_memcmp(child[i].key.data + 8, key + 8, len - 8)
                       == 0))
            {
                return &child[i];
            }
        }

        return NULL;
    }
#endif

    return ngx_http_intercom_webhook_child(node, key, len);
}


/*
 * The closing quote of the string whose opening quote is at pos: the
 * first quote after an even run of backslashes, or NULL in a truncated
 * body.
 */

static u_char *
ngx_http_intercom_webhook_string_end(u_char *pos, u_char *last)
{
    u_char  *q, *b, *start;

    start = ++pos;

    for ( ;; ) {
        q = memchr(pos, '"', last - pos);

        if (q == NULL) {
            return NULL;
        }

        for (b = q; b > start && b[-1] == '\\'; b--) { /* void */ }

        if (((q - b) & 1) == 0) {
            return q;
        }

        pos = q + 1;
    }
}


/* the end of the number at pos (RFC 8259, 6.), or NULL */

static ngx_inline u_char *
ngx_http_intercom_webhook_number(u_char *pos, u_char *last)
{
    if (*pos == '-') {
        pos++;
    }

    if (pos == last) {
        return NULL;
    }

    if (*pos == '0') {
        pos++;

    } else if (*pos >= '1' && *pos <= '9') {
        pos = ngx_http_intercom_webhook_digits(pos + 1, last);

    } else {
        return NULL;
    }

    if (pos < last && *pos == '.') {
        pos++;

        if (pos == last || *pos < '0' || *pos > '9') {
            return NULL;
        }

        pos = ngx_http_intercom_webhook_digits(pos + 1, last);
    }

    if (pos < last && (*pos | 0x20) == 'e') {
        pos++;

        if (pos < last && (*pos == '+' || *pos == '-')) {
            pos++;
        }

        if (pos == last || *pos < '0' || *pos > '9') {
            return NULL;
        }

        pos = ngx_http_intercom_webhook_digits(pos + 1, last);
    }

    return pos;
}


/* a byte that may follow a value in an object or an array */

static ngx_inline ngx_uint_t
ngx_http_intercom_webhook_value_end(u_char *pos, u_char *last)
{
    if (pos == last) {
        return 0;
    }

    switch (*pos) {
    case ' ': case '\t': case '\n': case '\r': case ',': case '}': case ']':
        return 1;
    }

    return 0;
}


static ngx_int_t
ngx_http_intercom_webhook_push(ngx_http_intercom_webhook_parser_t *p,
    ngx_uint_t object, ngx_http_intercom_webhook_field_t *node)
{
    ngx_uint_t  i;

    if (p->depth == NGX_HTTP_INTERCOM_WEBHOOK_MAX_DEPTH) {
        p->error = "too deeply nested";
        p->code = NGX_HTTP_INTERCOM_WEBHOOK_PARSE_TOO_DEEP;
        return NGX_ERROR;
    }

    i = p->depth++;

    if (object) {
        p->stack[i >> 3] |= (uint8_t) (1 << (i & 7));

    } else {
        p->stack[i >> 3] &= (uint8_t) ~(1 << (i & 7));
    }

    if (p->depth < NGX_HTTP_INTERCOM_WEBHOOK_NODES) {
        p->node[p->depth] = node;
    }

    p->cur = node;
    p->object = object;

    return NGX_OK;
}


static ngx_uint_t
ngx_http_intercom_webhook_pop(ngx_http_intercom_webhook_parser_t *p)
{
    ngx_uint_t  i;

    i = --p->depth;

    if (i == 0) {
        p->cur = NULL;
        return sw_end;
    }

    p->object = (p->stack[(i - 1) >> 3] >> ((i - 1) & 7)) & 1;
    p->cur = (i < NGX_HTTP_INTERCOM_WEBHOOK_NODES) ? p->node[i] : NULL;

    return sw_after;
}


static void
ngx_http_intercom_webhook_collect(ngx_http_intercom_webhook_parser_t *p,
    u_char *start, u_char *end)
{
    size_t   n, size, *len;
    u_char  *buf;

    if (p->over) {
        return;
    }

    if (p->collect == NGX_HTTP_INTERCOM_WEBHOOK_KEY) {
        buf = p->key;
        len = &p->key_len;
        size = NGX_HTTP_INTERCOM_WEBHOOK_KEY_LEN;

    } else {
        buf = p->buf;
        len = &p->len;
        size = NGX_HTTP_INTERCOM_WEBHOOK_MAX_VALUE;
    }

    n = end - start;

    if (n > size - *len) {
        p->over = 1;
        return;
    }

    ngx_memcpy(buf + *len, start, n);
    *len += n;
}


/*
 * The text of the key or the value being collected, which ended before
 * end: from start on in this piece when no earlier piece had a part of
 * it, else collected with what earlier pieces had; over is set when it
 * is longer than its buffer.
 */

static ngx_inline u_char *
ngx_http_intercom_webhook_text(ngx_http_intercom_webhook_parser_t *p,
    u_char *start, u_char *end, size_t *len)
{
    size_t  size;

    if (p->collect == NGX_HTTP_INTERCOM_WEBHOOK_KEY) {

        if (p->key_len) {
            ngx_http_intercom_webhook_collect(p, start, end);
            *len = p->key_len;
            return p->key;
        }

        size = NGX_HTTP_INTERCOM_WEBHOOK_KEY_LEN;

    } else {

        if (p->len) {
            ngx_http_intercom_webhook_collect(p, start, end);
            *len = p->len;
            return p->buf;
        }

        size = NGX_HTTP_INTERCOM_WEBHOOK_MAX_VALUE;
    }

    *len = end - start;

    if (*len > size) {
        p->over = 1;
    }

    return start;
}


/*
 * The value that ended before end: a value that a piece does not cut is
 * copied once, from the piece.
 */

static ngx_int_t
ngx_http_intercom_webhook_capture(ngx_http_intercom_webhook_parser_t *p,
    u_char *start, u_char *end, ngx_http_intercom_webhook_type_e type)
{
    size_t                              len;
    ngx_http_intercom_webhook_value_t  *value;

    start = ngx_http_intercom_webhook_text(p, start, end, &len);

    value = p->value;

    p->value = NULL;
    p->collect = NGX_HTTP_INTERCOM_WEBHOOK_NONE;

    if (p->over) {
        value->type = NGX_HTTP_INTERCOM_WEBHOOK_TOO_LONG;
        return NGX_OK;
    }

    value->raw.data = ngx_pnalloc(p->pool, len);
    if (value->raw.data == NULL) {
        p->error = "out of memory";
        p->code = NGX_HTTP_INTERCOM_WEBHOOK_PARSE_NO_MEMORY;
        return NGX_ERROR;
    }

    ngx_memcpy(value->raw.data, start, len);

    value->raw.len = len;
    value->type = type;
    value->escaped = p->escaped;

    return NGX_OK;
}


/*
 * The key that ended before end, in an object of the tree: the node of
 * its value, and an error if the key was read before in this object.  A
 * key that a piece does not cut is matched in the piece.  Every node is
 * below one object of the document at most (its parent's key cannot
 * repeat), so a bit per node and per parse is enough.
 */

static ngx_int_t
ngx_http_intercom_webhook_match(ngx_http_intercom_webhook_parser_t *p,
    u_char *start, u_char *end)
{
    size_t                              len;
    json_t                             *json;
    uint64_t                            bit;
    json_error_t                        err;
    ngx_http_intercom_webhook_field_t  *f;

    start = ngx_http_intercom_webhook_text(p, start, end, &len);

    p->collect = NGX_HTTP_INTERCOM_WEBHOOK_NONE;
    p->field = NULL;

    if (p->over) {
        /* longer than any key of the tree */
        return NGX_OK;
    }

    if (!p->escaped) {
        f = ngx_http_intercom_webhook_child(p->cur, start + 1, len - 2);

    } else {

        /* a key with escapes is rare: let jansson decode it */

        json = json_loadb((char *) start, len,
                          JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);

        if (json == NULL) {
            p->error = "out of memory";
            p->code = NGX_HTTP_INTERCOM_WEBHOOK_PARSE_NO_MEMORY;
            return NGX_ERROR;
        }

        f = NULL;

        if (json_is_string(json)) {
            f = ngx_http_intercom_webhook_child(p->cur,
                                        (u_char *) json_string_value(json),
                                        json_string_length(json));
        }

        json_decref(json);
    }

    if (f == NULL) {
        return NGX_OK;
    }

    bit = (uint64_t) 1 << (f->index & 63);

    if (p->seen[f->index >> 6] & bit) {
        ngx_http_intercom_webhook_duplicate(p, f);
        return NGX_ERROR;
    }

    p->seen[f->index >> 6] |= bit;
    p->field = f;

    return NGX_OK;
}


/* 'duplicate key "data.item.id"': the path from the open objects' nodes */

static void
ngx_http_intercom_webhook_duplicate(ngx_http_intercom_webhook_parser_t *p,
    ngx_http_intercom_webhook_field_t *field)
{
    u_char      *s;
    ngx_uint_t   i;

    s = ngx_cpymem(p->text, "duplicate key \"",
                   sizeof("duplicate key \"") - 1);

    /* node[1] is the root, the tree is at most MAX_PATH deep */

    for (i = 2; i <= p->depth; i++) {
        s = ngx_cpymem(s, p->node[i]->key.data, p->node[i]->key.len);
        *s++ = '.';
    }

    s = ngx_cpymem(s, field->key.data, field->key.len);
    *s++ = '"';
    *s = '\0';

    p->error = (const char *) p->text;
    p->code = NGX_HTTP_INTERCOM_WEBHOOK_PARSE_DUPLICATE;
    p->duplicate = field;
}


/*
 * Whether a child of node has a key of len bytes: most keys of a payload
 * are not in the tree, and their length tells
 */

static ngx_inline ngx_uint_t
ngx_http_intercom_webhook_key_length(ngx_http_intercom_webhook_field_t *node,
    size_t len)
{
    return len != 0
           && len <= NGX_HTTP_INTERCOM_WEBHOOK_MAX_KEY
           && (node->lengths & ((uint64_t) 1 << (len - 1)));
}


static ngx_http_intercom_webhook_field_t *
ngx_http_intercom_webhook_child(ngx_http_intercom_webhook_field_t *node,
    u_char *key, size_t len)
{
    ngx_uint_t                          i;
    ngx_http_intercom_webhook_field_t  *child;

    if (!ngx_http_intercom_webhook_key_length(node, len)) {
        return NULL;
    }

    child = node->children.elts;

    for (i = 0; i < node->children.nelts; i++) {
        if (child[i].key.len == len
            && child[i].key.data[0] == key[0]
            && ngx_memcmp(child[i].key.data, key, len) == 0)
        {
            return &child[i];
        }
    }

    return NULL;
}


ngx_int_t
ngx_http_intercom_webhook_value_string(
    ngx_http_intercom_webhook_value_t *value, ngx_str_t *text,
    ngx_pool_t *pool)
{
    size_t         len;
    json_t        *json;
    json_error_t   err;

    if (value->type != NGX_HTTP_INTERCOM_WEBHOOK_STRING) {
        return NGX_DECLINED;
    }

    if (!value->escaped) {
        text->data = value->raw.data + 1;
        text->len = value->raw.len - 2;
        return NGX_OK;
    }

    json = json_loadb((char *) value->raw.data, value->raw.len,
                      JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
    if (json == NULL) {
        return NGX_ERROR;
    }

    if (!json_is_string(json)) {
        json_decref(json);
        return NGX_ERROR;
    }

    len = json_string_length(json);

    text->data = ngx_pnalloc(pool, len + 1);
    if (text->data == NULL) {
        json_decref(json);
        return NGX_ERROR;
    }

    ngx_memcpy(text->data, json_string_value(json), len);
    text->data[len] = '\0';
    text->len = len;

    json_decref(json);

    return NGX_OK;
}


ngx_int_t
ngx_http_intercom_webhook_value_text(ngx_http_intercom_webhook_value_t *value,
    ngx_str_t *text, ngx_pool_t *pool)
{
    ngx_int_t  rc;

    switch (value->type) {

    case NGX_HTTP_INTERCOM_WEBHOOK_STRING:
        rc = ngx_http_intercom_webhook_value_string(value, text, pool);
        if (rc != NGX_OK) {
            return rc;
        }

        break;

    case NGX_HTTP_INTERCOM_WEBHOOK_NUMBER:
        *text = value->raw;
        break;

    case NGX_HTTP_INTERCOM_WEBHOOK_TRUE:
        ngx_str_set(text, "true");
        break;

    case NGX_HTTP_INTERCOM_WEBHOOK_FALSE:
        ngx_str_set(text, "false");
        break;

    default:
        return NGX_DECLINED;
    }

    /*
     * the parser lets no byte below 0x20 into a string or a number, but a
     * string may have DEL, and an escape may decode to any byte
     */

    if (value->escaped
        ? ngx_http_intercom_webhook_header_safe(text) != NGX_OK
        : (value->type == NGX_HTTP_INTERCOM_WEBHOOK_STRING
           && memchr(text->data, 0x7f, text->len) != NULL))
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_intercom_webhook_header_safe(ngx_str_t *text)
{
    u_char  *p, *last;

    last = text->data + text->len;

    for (p = text->data; p < last; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            return NGX_DECLINED;
        }
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_intercom_webhook_valid_topic(ngx_str_t *topic)
{
    u_char  *p, *last;

    if (topic->len == 0 || topic->len > NGX_HTTP_INTERCOM_WEBHOOK_MAX_TOPIC) {
        return NGX_DECLINED;
    }

    last = topic->data + topic->len;

    for (p = topic->data; p < last; p++) {
        if (*p < 0x21 || *p > 0x7e) {
            return NGX_DECLINED;
        }
    }

    return NGX_OK;
}


static ngx_str_t  ngx_http_intercom_webhook_notification_event =
    ngx_string("notification_event");


ngx_int_t
ngx_http_intercom_webhook_notification_check(
    ngx_http_intercom_webhook_value_t *type, ngx_str_t *type_text,
    ngx_http_intercom_webhook_value_t *topic, ngx_str_t *topic_text,
    const char **error)
{
    if (type->type != NGX_HTTP_INTERCOM_WEBHOOK_STRING
        || type_text->len != ngx_http_intercom_webhook_notification_event.len
        || ngx_strncmp(type_text->data,
                       ngx_http_intercom_webhook_notification_event.data,
                       type_text->len)
           != 0)
    {
        *error = "\"type\" is not \"notification_event\"";
        return NGX_DECLINED;
    }

    switch (topic->type) {

    case NGX_HTTP_INTERCOM_WEBHOOK_MISSING:
        *error = "no \"topic\"";
        return NGX_DECLINED;

    case NGX_HTTP_INTERCOM_WEBHOOK_STRING:
        break;

    case NGX_HTTP_INTERCOM_WEBHOOK_TOO_LONG:
        /* a string or a number over MAX_VALUE bytes */
        *error = "\"topic\" is too long";
        return NGX_DECLINED;

    default:
        *error = "\"topic\" is not a string";
        return NGX_DECLINED;
    }

    if (topic_text->len > NGX_HTTP_INTERCOM_WEBHOOK_MAX_TOPIC) {
        *error = "\"topic\" is too long";
        return NGX_DECLINED;
    }

    if (topic_text->data == NULL
        || ngx_http_intercom_webhook_valid_topic(topic_text) != NGX_OK)
    {
        *error = "invalid \"topic\"";
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/* a valid topic without "*" */

static ngx_int_t
ngx_http_intercom_webhook_pattern_name(ngx_str_t *name)
{
    if (ngx_http_intercom_webhook_valid_topic(name) != NGX_OK
        || ngx_strlchr(name->data, name->data + name->len, '*') != NULL)
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_intercom_webhook_topic_pattern(ngx_str_t *text,
    ngx_http_intercom_webhook_topic_t *topic)
{
    ngx_str_t  prefix;

    ngx_memzero(topic, sizeof(ngx_http_intercom_webhook_topic_t));

    if (text->len == 1 && text->data[0] == '*') {
        topic->name = *text;
        topic->any = 1;
        return NGX_OK;
    }

    if (text->len > 2
        && text->data[text->len - 1] == '*'
        && text->data[text->len - 2] == '.')
    {
        prefix.data = text->data;
        prefix.len = text->len - 2;

        if (ngx_http_intercom_webhook_pattern_name(&prefix) != NGX_OK) {
            return NGX_DECLINED;
        }

        /* "conversation." */
        topic->name.data = text->data;
        topic->name.len = text->len - 1;
        topic->prefix = 1;

        return NGX_OK;
    }

    if (ngx_http_intercom_webhook_pattern_name(text) != NGX_OK) {
        return NGX_DECLINED;
    }

    topic->name = *text;

    return NGX_OK;
}


ngx_int_t
ngx_http_intercom_webhook_topic_match(ngx_array_t *topics, ngx_str_t *topic)
{
    ngx_uint_t                          i;
    ngx_http_intercom_webhook_topic_t  *t;

    if (topics == NULL) {
        return NGX_DECLINED;
    }

    t = topics->elts;

    for (i = 0; i < topics->nelts; i++) {

        if (t[i].any) {
            return NGX_OK;
        }

        if (t[i].prefix) {
            if (topic->len > t[i].name.len
                && ngx_strncmp(topic->data, t[i].name.data, t[i].name.len)
                   == 0)
            {
                return NGX_OK;
            }

            continue;
        }

        if (topic->len == t[i].name.len
            && ngx_strncmp(topic->data, t[i].name.data, topic->len) == 0)
        {
            return NGX_OK;
        }
    }

    return NGX_DECLINED;
}
