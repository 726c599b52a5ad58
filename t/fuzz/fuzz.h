
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


/*
 * Helpers shared by the libFuzzer harnesses in t/fuzz/: a failed check
 * aborts (libFuzzer then saves the input as a crash), and the split of an
 * input into pieces is chosen by the fuzzer through one byte of the input.
 */


#ifndef _NGX_HTTP_INTERCOM_WEBHOOK_FUZZ_H_INCLUDED_
#define _NGX_HTTP_INTERCOM_WEBHOOK_FUZZ_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_intercom_webhook.h"


#define FUZZ_CHECK(c, ...)                                                    \
    do {                                                                      \
        if (!(c)) {                                                           \
            fprintf(stderr, "fuzz check failed at %s:%d: ", __FILE__,         \
                    __LINE__);                                                \
            fprintf(stderr, __VA_ARGS__);                                     \
            fprintf(stderr, "\n");                                            \
            abort();                                                          \
        }                                                                     \
    } while (0)


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


/*
 * The lengths of the pieces a body of len bytes is cut into, from a seed
 * byte: 1-byte pieces, pieces of 1 to 16 bytes, of 1 to 4096, or two
 * pieces cut at an offset, with empty pieces between them for some seeds.
 * fuzz_piece() returns the length of the next piece (0 for an empty one)
 * and counts down rest.
 */

typedef struct {
    uint32_t    state;
    ngx_uint_t  mode;
    ngx_uint_t  empty;
    size_t      cut;
    size_t      len;
    size_t      rest;
} fuzz_split_t;


static ngx_inline void
fuzz_split_init(fuzz_split_t *s, u_char seed, size_t len)
{
    s->state = 0x9e3779b9u ^ (seed * 0x01000193u) ^ (uint32_t) len;
    s->mode = seed & 3;
    s->empty = (seed & 4) != 0;
    s->cut = len ? ((size_t) seed * 2654435761u) % (len + 1) : 0;
    s->len = len;
    s->rest = len;
}


static ngx_inline uint32_t
fuzz_random(fuzz_split_t *s)
{
    /* xorshift32 */
    s->state ^= s->state << 13;
    s->state ^= s->state >> 17;
    s->state ^= s->state << 5;

    return s->state;
}


static ngx_inline size_t
fuzz_piece(fuzz_split_t *s)
{
    size_t  n;

    if (s->empty && (fuzz_random(s) & 7) == 0) {
        return 0;
    }

    switch (s->mode) {

    case 0:
        n = 1;
        break;

    case 1:
        n = 1 + fuzz_random(s) % 16;
        break;

    case 2:
        n = 1 + fuzz_random(s) % 4096;
        break;

    default:
        /* the first piece up to the cut, then the rest */
        n = (s->rest == s->len) ? s->cut : s->rest;
        if (n == 0) {
            n = s->rest;
        }
        break;
    }

    if (n > s->rest) {
        n = s->rest;
    }

    s->rest -= n;

    return n;
}


/* a copy of exactly len bytes, so that ASan sees a read past its end */

static ngx_inline u_char *
fuzz_copy(const u_char *data, size_t len)
{
    u_char  *p;

    p = malloc(len ? len : 1);
    FUZZ_CHECK(p != NULL, "malloc(%zu)", len);

    if (len) {
        memcpy(p, data, len);
    }

    return p;
}


#endif /* _NGX_HTTP_INTERCOM_WEBHOOK_FUZZ_H_INCLUDED_ */
