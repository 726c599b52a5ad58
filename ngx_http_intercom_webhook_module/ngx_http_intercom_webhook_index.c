
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_intercom_webhook.h"


/*
 * The index of a body's tokens (see ngx_http_intercom_webhook.h), the
 * first stage of a two-stage parser in the manner of simdjson (Langdale
 * and Lemire, "Parsing Gigabytes of JSON per Second", 2019): each block
 * of 64 bytes gives 64-bit masks of its backslashes, quotes, structural
 * characters, whitespace, control and non-ASCII bytes; escapes, strings
 * and the runs of other bytes are then found with carries from block to
 * block, in integer registers.  The vector code needs wide registers to
 * pay off (with 16-byte vectors, the two stages together measured no
 * faster than the streaming parser), so it is AVX-512 or AVX2, chosen at
 * run time: a package built for any x86-64 uses what the CPU has.
 */


#if (!(NGX_HTTP_INTERCOM_WEBHOOK_NO_SIMD) && defined __x86_64__              \
     && (defined __clang__ || __GNUC__ >= 6))
#define NGX_HTTP_INTERCOM_WEBHOOK_INDEX_X86  1
#endif


#if (NGX_HTTP_INTERCOM_WEBHOOK_INDEX_X86)

#include <immintrin.h>


#define NGX_HTTP_INTERCOM_WEBHOOK_ODD  0xaaaaaaaaaaaaaaaaULL

#define NGX_HTTP_INTERCOM_WEBHOOK_AVX512_TARGET                               \
    __attribute__((target("avx512f,avx512bw,avx512vbmi2,pclmul,bmi,popcnt")))
#define NGX_HTTP_INTERCOM_WEBHOOK_AVX2_TARGET                                 \
    __attribute__((target("avx2,pclmul,bmi,popcnt")))
#define NGX_HTTP_INTERCOM_WEBHOOK_AVX512_INLINE                               \
    __attribute__((target("avx512f,avx512bw,avx512vbmi2,pclmul,bmi,popcnt"),  \
                   always_inline))
#define NGX_HTTP_INTERCOM_WEBHOOK_AVX2_INLINE                                 \
    __attribute__((target("avx2,pclmul,bmi,popcnt"), always_inline))
#define NGX_HTTP_INTERCOM_WEBHOOK_BLOCK_TARGET                                \
    __attribute__((target("pclmul,bmi,popcnt"), always_inline))


/* what a block carries to the next, in registers while a call lasts */

typedef struct {
    uint64_t    in_string;
    uint64_t    escaped;
    uint64_t    scalar;
    uint64_t    high;     /* the last three bytes' 0x80 and above */
    ngx_uint_t  n;
} ngx_http_intercom_webhook_carry_t;


typedef struct {
    uint64_t    backslash;
    uint64_t    quote;
    uint64_t    op;       /* { } [ ] , : */
    uint64_t    space;
    uint64_t    control;  /* below 0x20 */
    uint64_t    high;     /* 0x80 and above */
} ngx_http_intercom_webhook_masks_t;


static ngx_int_t ngx_http_intercom_webhook_index_avx512(
    ngx_http_intercom_webhook_index_t *ix);
static ngx_int_t ngx_http_intercom_webhook_index_avx2(
    ngx_http_intercom_webhook_index_t *ix);
static ngx_inline ngx_int_t ngx_http_intercom_webhook_index_block(
    ngx_http_intercom_webhook_index_t *ix,
    ngx_http_intercom_webhook_carry_t *c, u_char *p, uint64_t valid,
    ngx_http_intercom_webhook_masks_t *m, uint64_t *tokens)
    NGX_HTTP_INTERCOM_WEBHOOK_BLOCK_TARGET;
static ngx_inline void ngx_http_intercom_webhook_index_write(
    ngx_http_intercom_webhook_index_t *ix,
    ngx_http_intercom_webhook_carry_t *c, uint32_t base, uint64_t tokens)
    NGX_HTTP_INTERCOM_WEBHOOK_BLOCK_TARGET;
static ngx_inline void ngx_http_intercom_webhook_index_carry(
    ngx_http_intercom_webhook_index_t *ix,
    ngx_http_intercom_webhook_carry_t *c, ngx_uint_t in);
static ngx_int_t ngx_http_intercom_webhook_index_escapes(
    ngx_http_intercom_webhook_index_t *ix, u_char *p, uint64_t escaped);
static ngx_inline ngx_int_t ngx_http_intercom_webhook_utf8_avx512(
    u_char *p, __m512i v, uint64_t valid, uint64_t before)
    NGX_HTTP_INTERCOM_WEBHOOK_AVX512_INLINE;
static ngx_inline ngx_int_t ngx_http_intercom_webhook_utf8_avx2(u_char *q)
    NGX_HTTP_INTERCOM_WEBHOOK_AVX2_INLINE;
static ngx_inline uint64_t ngx_http_intercom_webhook_mask_avx2(__m256i lo,
    __m256i hi)
    NGX_HTTP_INTERCOM_WEBHOOK_AVX2_INLINE;


/*
 * The whitespace and the structural characters, looked up by their low
 * four bits (a byte with its high bit set looks up 0): the four bytes of
 * whitespace have four low nibbles, and so have "{" and "[" (0x7b, 0x5b),
 * "}" and "]", "," and ":", once the byte is ORed with 0x20.
 */

static const int8_t  ngx_http_intercom_webhook_space_lut[16] = {
    ' ', 0, 0, 0, 0, 0, 0, 0, 0, '\t', '\n', 0, 0, '\r', 0, 0
};

static const int8_t  ngx_http_intercom_webhook_op_lut[16] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ':', '{', ',', '}', 0, 0
};

/*
 * UTF-8, checked by three lookups per byte as in simdjson (Keiser and
 * Lemire, "Validating UTF-8 In Less Than One Instruction Per Byte",
 * 2021): by the high and the low four bits of the byte before, and the
 * high four bits of the byte, each giving the errors that it allows; an
 * error bit that all three allow is an error.  Bit 7 flags the second
 * of two continuation bytes, an error unless the byte two or three back
 * leads a sequence of three or four.
 */

#define NGX_HTTP_INTERCOM_WEBHOOK_TOO_SHORT   0x01  /* 11______ 0_______ */
#define NGX_HTTP_INTERCOM_WEBHOOK_TOO_LONG    0x02  /* 0_______ 10______ */
#define NGX_HTTP_INTERCOM_WEBHOOK_OVERLONG_3  0x04  /* 11100000 100_____ */
#define NGX_HTTP_INTERCOM_WEBHOOK_TOO_LARGE   0x08  /* 11110100 1001____ */
#define NGX_HTTP_INTERCOM_WEBHOOK_SURROGATE   0x10  /* 11101101 101_____ */
#define NGX_HTTP_INTERCOM_WEBHOOK_OVERLONG_2  0x20  /* 1100000_ 10______ */
/* above U+10FFFF, or overlong in four bytes: 1111____ 1000____ */
#define NGX_HTTP_INTERCOM_WEBHOOK_LARGE_1000  0x40
#define NGX_HTTP_INTERCOM_WEBHOOK_TWO_CONTS   0x80  /* 10______ 10______ */

/* the errors that the other two lookups decide */
#define NGX_HTTP_INTERCOM_WEBHOOK_CARRY                                       \
    (NGX_HTTP_INTERCOM_WEBHOOK_TOO_SHORT | NGX_HTTP_INTERCOM_WEBHOOK_TOO_LONG \
     | NGX_HTTP_INTERCOM_WEBHOOK_TWO_CONTS)

/* 1111____ before: four bytes, or above U+10FFFF */
#define NGX_HTTP_INTERCOM_WEBHOOK_LEAD_4                                      \
    (NGX_HTTP_INTERCOM_WEBHOOK_TOO_SHORT | NGX_HTTP_INTERCOM_WEBHOOK_TOO_LARGE\
     | NGX_HTTP_INTERCOM_WEBHOOK_LARGE_1000)

/* ____0101 to ____1111 before, but ____1101 */
#define NGX_HTTP_INTERCOM_WEBHOOK_LOW_LARGE                                   \
    (NGX_HTTP_INTERCOM_WEBHOOK_CARRY | NGX_HTTP_INTERCOM_WEBHOOK_TOO_LARGE    \
     | NGX_HTTP_INTERCOM_WEBHOOK_LARGE_1000)

/* 10______ as the byte: the errors of a continuation byte */
#define NGX_HTTP_INTERCOM_WEBHOOK_CONT                                        \
    (NGX_HTTP_INTERCOM_WEBHOOK_TOO_LONG | NGX_HTTP_INTERCOM_WEBHOOK_OVERLONG_2\
     | NGX_HTTP_INTERCOM_WEBHOOK_TWO_CONTS)

static const uint8_t  ngx_http_intercom_webhook_utf8_lut[3][16] = {

    /* the byte before, its high four bits */
    {
        /* 0_______: ASCII */
        NGX_HTTP_INTERCOM_WEBHOOK_TOO_LONG, NGX_HTTP_INTERCOM_WEBHOOK_TOO_LONG,
        NGX_HTTP_INTERCOM_WEBHOOK_TOO_LONG, NGX_HTTP_INTERCOM_WEBHOOK_TOO_LONG,
        NGX_HTTP_INTERCOM_WEBHOOK_TOO_LONG, NGX_HTTP_INTERCOM_WEBHOOK_TOO_LONG,
        NGX_HTTP_INTERCOM_WEBHOOK_TOO_LONG, NGX_HTTP_INTERCOM_WEBHOOK_TOO_LONG,
        /* 10______: a continuation */
        NGX_HTTP_INTERCOM_WEBHOOK_TWO_CONTS,
        NGX_HTTP_INTERCOM_WEBHOOK_TWO_CONTS,
        NGX_HTTP_INTERCOM_WEBHOOK_TWO_CONTS,
        NGX_HTTP_INTERCOM_WEBHOOK_TWO_CONTS,
        /* 1100____ */
        NGX_HTTP_INTERCOM_WEBHOOK_TOO_SHORT
        | NGX_HTTP_INTERCOM_WEBHOOK_OVERLONG_2,
        /* 1101____ */
        NGX_HTTP_INTERCOM_WEBHOOK_TOO_SHORT,
        /* 1110____ */
        NGX_HTTP_INTERCOM_WEBHOOK_TOO_SHORT
        | NGX_HTTP_INTERCOM_WEBHOOK_OVERLONG_3
        | NGX_HTTP_INTERCOM_WEBHOOK_SURROGATE,
        /* 1111____ */
        NGX_HTTP_INTERCOM_WEBHOOK_LEAD_4
    },

    /* the byte before, its low four bits */
    {
        /* ____0000 */
        NGX_HTTP_INTERCOM_WEBHOOK_CARRY | NGX_HTTP_INTERCOM_WEBHOOK_OVERLONG_3
        | NGX_HTTP_INTERCOM_WEBHOOK_OVERLONG_2
        | NGX_HTTP_INTERCOM_WEBHOOK_LARGE_1000,
        /* ____0001 */
        NGX_HTTP_INTERCOM_WEBHOOK_CARRY | NGX_HTTP_INTERCOM_WEBHOOK_OVERLONG_2,
        /* ____001_ */
        NGX_HTTP_INTERCOM_WEBHOOK_CARRY, NGX_HTTP_INTERCOM_WEBHOOK_CARRY,
        /* ____0100 */
        NGX_HTTP_INTERCOM_WEBHOOK_CARRY | NGX_HTTP_INTERCOM_WEBHOOK_TOO_LARGE,
        /* ____0101 to ____1100 */
        NGX_HTTP_INTERCOM_WEBHOOK_LOW_LARGE,
        NGX_HTTP_INTERCOM_WEBHOOK_LOW_LARGE,
        NGX_HTTP_INTERCOM_WEBHOOK_LOW_LARGE,
        NGX_HTTP_INTERCOM_WEBHOOK_LOW_LARGE,
        NGX_HTTP_INTERCOM_WEBHOOK_LOW_LARGE,
        NGX_HTTP_INTERCOM_WEBHOOK_LOW_LARGE,
        NGX_HTTP_INTERCOM_WEBHOOK_LOW_LARGE,
        NGX_HTTP_INTERCOM_WEBHOOK_LOW_LARGE,
        /* ____1101 */
        NGX_HTTP_INTERCOM_WEBHOOK_LOW_LARGE
        | NGX_HTTP_INTERCOM_WEBHOOK_SURROGATE,
        /* ____1110, ____1111 */
        NGX_HTTP_INTERCOM_WEBHOOK_LOW_LARGE,
        NGX_HTTP_INTERCOM_WEBHOOK_LOW_LARGE
    },

    /* the byte, its high four bits */
    {
        /* 0_______: ASCII */
        NGX_HTTP_INTERCOM_WEBHOOK_TOO_SHORT,
        NGX_HTTP_INTERCOM_WEBHOOK_TOO_SHORT,
        NGX_HTTP_INTERCOM_WEBHOOK_TOO_SHORT,
        NGX_HTTP_INTERCOM_WEBHOOK_TOO_SHORT,
        NGX_HTTP_INTERCOM_WEBHOOK_TOO_SHORT,
        NGX_HTTP_INTERCOM_WEBHOOK_TOO_SHORT,
        NGX_HTTP_INTERCOM_WEBHOOK_TOO_SHORT,
        NGX_HTTP_INTERCOM_WEBHOOK_TOO_SHORT,
        /* 1000____ */
        NGX_HTTP_INTERCOM_WEBHOOK_CONT | NGX_HTTP_INTERCOM_WEBHOOK_OVERLONG_3
        | NGX_HTTP_INTERCOM_WEBHOOK_LARGE_1000,
        /* 1001____ */
        NGX_HTTP_INTERCOM_WEBHOOK_CONT | NGX_HTTP_INTERCOM_WEBHOOK_OVERLONG_3
        | NGX_HTTP_INTERCOM_WEBHOOK_TOO_LARGE,
        /* 101_____ */
        NGX_HTTP_INTERCOM_WEBHOOK_CONT | NGX_HTTP_INTERCOM_WEBHOOK_SURROGATE
        | NGX_HTTP_INTERCOM_WEBHOOK_TOO_LARGE,
        NGX_HTTP_INTERCOM_WEBHOOK_CONT | NGX_HTTP_INTERCOM_WEBHOOK_SURROGATE
        | NGX_HTTP_INTERCOM_WEBHOOK_TOO_LARGE,
        /* 11______: a lead byte */
        NGX_HTTP_INTERCOM_WEBHOOK_TOO_SHORT,
        NGX_HTTP_INTERCOM_WEBHOOK_TOO_SHORT,
        NGX_HTTP_INTERCOM_WEBHOOK_TOO_SHORT,
        NGX_HTTP_INTERCOM_WEBHOOK_TOO_SHORT
    }
};


/* the byte numbers of a block, for VPCOMPRESSB */

static const uint8_t  ngx_http_intercom_webhook_iota[64] = {
     0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15,
    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
    32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
    48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63
};

#endif


/* the code chosen, its name, whether a copy pays, and whether it was */
static ngx_http_intercom_webhook_index_pt  ngx_http_intercom_webhook_index_best;
static const char  *ngx_http_intercom_webhook_index_name;
static ngx_uint_t   ngx_http_intercom_webhook_index_copy;
static ngx_uint_t   ngx_http_intercom_webhook_index_chosen;


const char *
ngx_http_intercom_webhook_index_code(void)
{
    if (!ngx_http_intercom_webhook_index_chosen) {
        (void) ngx_http_intercom_webhook_index_use(NULL);
    }

    return ngx_http_intercom_webhook_index_name;
}


ngx_uint_t
ngx_http_intercom_webhook_index_copy_pays(void)
{
    if (!ngx_http_intercom_webhook_index_chosen) {
        (void) ngx_http_intercom_webhook_index_use(NULL);
    }

    return ngx_http_intercom_webhook_index_copy;
}


ngx_int_t
ngx_http_intercom_webhook_index_use(const char *code)
{
#if (NGX_HTTP_INTERCOM_WEBHOOK_INDEX_X86)
    ngx_uint_t  avx2, avx512;
#endif

    ngx_http_intercom_webhook_index_chosen = 1;
    ngx_http_intercom_webhook_index_best = NULL;
    ngx_http_intercom_webhook_index_name = NULL;
    ngx_http_intercom_webhook_index_copy = 0;

    if (code && ngx_strcmp(code, "none") == 0) {
        return NGX_OK;
    }

#if (NGX_HTTP_INTERCOM_WEBHOOK_INDEX_X86)

    /* libgcc's and compiler-rt's checks include the OS's (XGETBV) */

    __builtin_cpu_init();

    avx2 = __builtin_cpu_supports("avx2")
           && __builtin_cpu_supports("pclmul")
           && __builtin_cpu_supports("bmi")
           && __builtin_cpu_supports("popcnt");

    avx512 = avx2
             && __builtin_cpu_supports("avx512f")
             && __builtin_cpu_supports("avx512bw")
             && __builtin_cpu_supports("avx512vbmi2");

    if (code == NULL || ngx_strcmp(code, "avx512") == 0) {

        if (avx512) {
            ngx_http_intercom_webhook_index_best =
                                        ngx_http_intercom_webhook_index_avx512;
            ngx_http_intercom_webhook_index_name = "avx512";
            ngx_http_intercom_webhook_index_copy = 1;
            return NGX_OK;
        }

        if (code) {
            return NGX_DECLINED;
        }
    }

    if (code == NULL || ngx_strcmp(code, "avx2") == 0) {

        if (avx2) {
            ngx_http_intercom_webhook_index_best =
                                          ngx_http_intercom_webhook_index_avx2;
            ngx_http_intercom_webhook_index_name = "avx2";
            return NGX_OK;
        }
    }

#endif

    return code ? NGX_DECLINED : NGX_OK;
}


ngx_int_t
ngx_http_intercom_webhook_index_init(ngx_http_intercom_webhook_index_t *ix,
    u_char *pos, u_char *last)
{
    if (!ngx_http_intercom_webhook_index_chosen) {
        (void) ngx_http_intercom_webhook_index_use(NULL);
    }

    if (ngx_http_intercom_webhook_index_best == NULL
        || (uint64_t) (last - pos) > (uint64_t) 0xffffffff - 64)
    {
        return NGX_DECLINED;
    }

    ix->start = pos;
    ix->pos = pos;
    ix->last = last;
    ix->code = ngx_http_intercom_webhook_index_best;
    ix->in_string = 0;
    ix->escaped = 0;
    ix->scalar = 0;
    ix->high = 0;
    ix->n = 0;

    return NGX_OK;
}


ngx_int_t
ngx_http_intercom_webhook_index_next(ngx_http_intercom_webhook_index_t *ix)
{
    while (ix->pos < ix->last) {

        if (ix->code(ix) != NGX_OK) {
            return NGX_DECLINED;
        }

        if (ix->n) {
            return NGX_OK;
        }
    }

    ix->n = 0;

    /* a string that does not end, a character cut by the end */

    if (ix->in_string
        || (ix->last - ix->start >= 1 && ix->last[-1] >= 0xc0)
        || (ix->last - ix->start >= 2 && ix->last[-2] >= 0xe0)
        || (ix->last - ix->start >= 3 && ix->last[-3] >= 0xf0))
    {
        return NGX_DECLINED;
    }

    return NGX_DONE;
}


#if (NGX_HTTP_INTERCOM_WEBHOOK_INDEX_X86)

NGX_HTTP_INTERCOM_WEBHOOK_AVX512_TARGET
static ngx_int_t
ngx_http_intercom_webhook_index_avx512(ngx_http_intercom_webhook_index_t *ix)
{
    u_char                             *p, *end;
    size_t                              left;
    __m512i                             v, low, space_lut, op_lut, iota;
    __m512i                             packed, base, zero;
    uint32_t                           *out;
    uint64_t                            valid, tokens;
    ngx_uint_t                          n;
    ngx_http_intercom_webhook_masks_t   m;
    ngx_http_intercom_webhook_carry_t   c;

    space_lut = _mm512_broadcast_i32x4(_mm_loadu_si128(
                      (const __m128i *) ngx_http_intercom_webhook_space_lut));
    op_lut = _mm512_broadcast_i32x4(_mm_loadu_si128(
                         (const __m128i *) ngx_http_intercom_webhook_op_lut));
    iota = _mm512_loadu_si512(ngx_http_intercom_webhook_iota);
    zero = _mm512_setzero_si512();

    ngx_http_intercom_webhook_index_carry(ix, &c, 1);

    p = ix->pos;
    left = ix->last - p;
    end = p + ngx_min(left, NGX_HTTP_INTERCOM_WEBHOOK_INDEX_BLOCKS * 64);

    for ( /* void */ ; p < end; p += 64) {

        if (end - p >= 64) {
            v = _mm512_loadu_si512(p);
            valid = (uint64_t) -1;

        } else {
            /* the masked bytes are neither read nor faulted on */
            valid = ((uint64_t) 1 << (end - p)) - 1;
            v = _mm512_maskz_loadu_epi8(valid, p);
        }

        low = _mm512_or_si512(v, _mm512_set1_epi8(0x20));

        m.backslash = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\\'));
        m.quote = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"'));
        m.control = _mm512_cmplt_epu8_mask(v, _mm512_set1_epi8(0x20));
        m.high = _mm512_movepi8_mask(v);
        m.space = _mm512_cmpeq_epi8_mask(_mm512_shuffle_epi8(space_lut, v),
                                         v);
        m.op = _mm512_cmpeq_epi8_mask(_mm512_shuffle_epi8(op_lut, v), low)
               & ~m.control;

        if ((m.high | c.high)
            && ngx_http_intercom_webhook_utf8_avx512(p, v, valid,
                                                     p == ix->start ? 0 : 7)
               != NGX_OK)
        {
            return NGX_DECLINED;
        }

        c.high = m.high >> 61;

        if (ngx_http_intercom_webhook_index_block(ix, &c, p, valid, &m,
                                                  &tokens)
            != NGX_OK)
        {
            return NGX_DECLINED;
        }

        if (tokens == 0) {
            continue;
        }

        /*
         * The offsets: the tokens' byte numbers compressed to the front,
         * then widened and written sixteen at a time, into the index's
         * slack past the last
         */

        packed = _mm512_maskz_compress_epi8(tokens, iota);
        base = _mm512_set1_epi32((int) (p - ix->start));
        out = &ix->index[c.n];
        n = _mm_popcnt_u64(tokens);
        c.n += n;

        for ( ;; ) {
            _mm512_storeu_si512(out, _mm512_add_epi32(base,
                      _mm512_cvtepu8_epi32(_mm512_castsi512_si128(packed))));

            if (n <= 16) {
                break;
            }

            /* the next sixteen to the front */

            packed = _mm512_alignr_epi32(zero, packed, 4);
            out += 16;
            n -= 16;
        }
    }

    ix->pos = end;

    ngx_http_intercom_webhook_index_carry(ix, &c, 0);

    return NGX_OK;
}


NGX_HTTP_INTERCOM_WEBHOOK_AVX2_TARGET
static ngx_int_t
ngx_http_intercom_webhook_index_avx2(ngx_http_intercom_webhook_index_t *ix)
{
    u_char                             *p, *q, *end;
    size_t                              left;
    __m256i                             v[2], space_lut, op_lut, c1f, c20;
    uint64_t                            valid, tokens;
    ngx_http_intercom_webhook_masks_t   m;
    ngx_http_intercom_webhook_carry_t   c;
    u_char                              copy[3 + 64];

    space_lut = _mm256_broadcastsi128_si256(_mm_loadu_si128(
                      (const __m128i *) ngx_http_intercom_webhook_space_lut));
    op_lut = _mm256_broadcastsi128_si256(_mm_loadu_si128(
                         (const __m128i *) ngx_http_intercom_webhook_op_lut));
    c1f = _mm256_set1_epi8(0x1f);
    c20 = _mm256_set1_epi8(0x20);

    ngx_http_intercom_webhook_index_carry(ix, &c, 1);

    p = ix->pos;
    left = ix->last - p;
    end = p + ngx_min(left, NGX_HTTP_INTERCOM_WEBHOOK_INDEX_BLOCKS * 64);

    for ( /* void */ ; p < end; p += 64) {

        q = p;
        valid = (uint64_t) -1;

        if (p == ix->start || end - p < 64) {

            /*
             * The first block and the last: a copy, with the three bytes
             * before it (zeros before the body) for the UTF-8 check, and
             * padded with spaces
             */

            ngx_memzero(copy, 3);
            ngx_memset(copy + 3, ' ', 64);

            if (p != ix->start) {
                ngx_memcpy(copy, p - 3, 3);
            }

            if (end - p < 64) {
                valid = ((uint64_t) 1 << (end - p)) - 1;
            }

            ngx_memcpy(copy + 3, p, ngx_min(end - p, 64));
            q = copy + 3;
        }

        v[0] = _mm256_loadu_si256((const __m256i *) q);
        v[1] = _mm256_loadu_si256((const __m256i *) (q + 32));

        m.backslash = ngx_http_intercom_webhook_mask_avx2(
                          _mm256_cmpeq_epi8(v[0], _mm256_set1_epi8('\\')),
                          _mm256_cmpeq_epi8(v[1], _mm256_set1_epi8('\\')));
        m.quote = ngx_http_intercom_webhook_mask_avx2(
                          _mm256_cmpeq_epi8(v[0], _mm256_set1_epi8('"')),
                          _mm256_cmpeq_epi8(v[1], _mm256_set1_epi8('"')));

        /* unsigned: min(v, 0x1f) == v */
        m.control = ngx_http_intercom_webhook_mask_avx2(
                        _mm256_cmpeq_epi8(_mm256_min_epu8(v[0], c1f), v[0]),
                        _mm256_cmpeq_epi8(_mm256_min_epu8(v[1], c1f), v[1]));
        m.high = ngx_http_intercom_webhook_mask_avx2(v[0], v[1]);
        m.space = ngx_http_intercom_webhook_mask_avx2(
                    _mm256_cmpeq_epi8(_mm256_shuffle_epi8(space_lut, v[0]),
                                      v[0]),
                    _mm256_cmpeq_epi8(_mm256_shuffle_epi8(space_lut, v[1]),
                                      v[1]));
        m.op = ngx_http_intercom_webhook_mask_avx2(
                    _mm256_cmpeq_epi8(_mm256_shuffle_epi8(op_lut, v[0]),
                                      _mm256_or_si256(v[0], c20)),
                    _mm256_cmpeq_epi8(_mm256_shuffle_epi8(op_lut, v[1]),
                                      _mm256_or_si256(v[1], c20)))
               & ~m.control;

        if ((m.high | c.high)
            && ngx_http_intercom_webhook_utf8_avx2(q) != NGX_OK)
        {
            return NGX_DECLINED;
        }

        c.high = m.high >> 61;

        if (ngx_http_intercom_webhook_index_block(ix, &c, p, valid, &m,
                                                  &tokens)
            != NGX_OK)
        {
            return NGX_DECLINED;
        }

        if (tokens) {
            ngx_http_intercom_webhook_index_write(ix, &c,
                                                  (uint32_t) (p - ix->start),
                                                  tokens);
        }
    }

    ix->pos = end;

    ngx_http_intercom_webhook_index_carry(ix, &c, 0);

    return NGX_OK;
}


/*
 * The UTF-8 errors of the block at p, held in v (its bytes past valid
 * read as 0): the bytes one, two and three back are loaded from the body
 * itself, those before it masked off (before: the bytes before p that
 * are the body's, as a mask).
 */

static ngx_inline ngx_int_t
ngx_http_intercom_webhook_utf8_avx512(u_char *p, __m512i v, uint64_t valid,
    uint64_t before)
{
    __m512i  prev1, prev2, prev3, nibble, lut1h, lut1l, lut2h, sc, must23;

    prev1 = _mm512_maskz_loadu_epi8((valid << 1) | (before & 1), p - 1);
    prev2 = _mm512_maskz_loadu_epi8((valid << 2) | (before & 3), p - 2);
    prev3 = _mm512_maskz_loadu_epi8((valid << 3) | (before & 7), p - 3);

    nibble = _mm512_set1_epi8(0x0f);

    lut1h = _mm512_broadcast_i32x4(_mm_loadu_si128(
                   (const __m128i *) ngx_http_intercom_webhook_utf8_lut[0]));
    lut1l = _mm512_broadcast_i32x4(_mm_loadu_si128(
                   (const __m128i *) ngx_http_intercom_webhook_utf8_lut[1]));
    lut2h = _mm512_broadcast_i32x4(_mm_loadu_si128(
                   (const __m128i *) ngx_http_intercom_webhook_utf8_lut[2]));

    sc = _mm512_and_si512(
             _mm512_and_si512(
                 _mm512_shuffle_epi8(lut1h, _mm512_and_si512(
                                  _mm512_srli_epi16(prev1, 4), nibble)),
                 _mm512_shuffle_epi8(lut1l, _mm512_and_si512(prev1, nibble))),
             _mm512_shuffle_epi8(lut2h, _mm512_and_si512(
                                  _mm512_srli_epi16(v, 4), nibble)));

    /* 111_____ two back, 1111____ three back: 0x80 and above */

    must23 = _mm512_and_si512(
                 _mm512_or_si512(
                     _mm512_subs_epu8(prev2, _mm512_set1_epi8(0xe0 - 0x80)),
                     _mm512_subs_epu8(prev3, _mm512_set1_epi8(0xf0 - 0x80))),
                 _mm512_set1_epi8((char) 0x80));

    if (_mm512_test_epi8_mask(_mm512_xor_si512(must23, sc),
                              _mm512_xor_si512(must23, sc)))
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/* the high bits of the 64 bytes of lo and hi */

static ngx_inline uint64_t
ngx_http_intercom_webhook_mask_avx2(__m256i lo, __m256i hi)
{
    return (uint32_t) _mm256_movemask_epi8(lo)
           | ((uint64_t) (uint32_t) _mm256_movemask_epi8(hi) << 32);
}


/* the same for the 64 bytes at q, the three before it readable */

static ngx_inline ngx_int_t
ngx_http_intercom_webhook_utf8_avx2(u_char *q)
{
    __m256i     v, prev1, prev2, prev3, nibble, lut1h, lut1l, lut2h, sc;
    __m256i     must23, err;
    ngx_uint_t  i;

    nibble = _mm256_set1_epi8(0x0f);

    lut1h = _mm256_broadcastsi128_si256(_mm_loadu_si128(
                   (const __m128i *) ngx_http_intercom_webhook_utf8_lut[0]));
    lut1l = _mm256_broadcastsi128_si256(_mm_loadu_si128(
                   (const __m128i *) ngx_http_intercom_webhook_utf8_lut[1]));
    lut2h = _mm256_broadcastsi128_si256(_mm_loadu_si128(
                   (const __m128i *) ngx_http_intercom_webhook_utf8_lut[2]));

    err = _mm256_setzero_si256();

    for (i = 0; i < 64; i += 32) {
        v = _mm256_loadu_si256((const __m256i *) (q + i));
        prev1 = _mm256_loadu_si256((const __m256i *) (q + i - 1));
        prev2 = _mm256_loadu_si256((const __m256i *) (q + i - 2));
        prev3 = _mm256_loadu_si256((const __m256i *) (q + i - 3));

        sc = _mm256_and_si256(
                 _mm256_and_si256(
                     _mm256_shuffle_epi8(lut1h, _mm256_and_si256(
                                      _mm256_srli_epi16(prev1, 4), nibble)),
                     _mm256_shuffle_epi8(lut1l,
                                         _mm256_and_si256(prev1, nibble))),
                 _mm256_shuffle_epi8(lut2h, _mm256_and_si256(
                                      _mm256_srli_epi16(v, 4), nibble)));

        must23 = _mm256_and_si256(
                  _mm256_or_si256(
                     _mm256_subs_epu8(prev2, _mm256_set1_epi8(0xe0 - 0x80)),
                     _mm256_subs_epu8(prev3, _mm256_set1_epi8(0xf0 - 0x80))),
                  _mm256_set1_epi8((char) 0x80));

        err = _mm256_or_si256(err, _mm256_xor_si256(must23, sc));
    }

    return _mm256_testz_si256(err, err) ? NGX_OK : NGX_DECLINED;
}


/*
 * One block's masks: escapes (simdjson's method: the escaped byte is the
 * one after an odd run of backslashes, found with an add), then strings
 * (a prefix XOR of the quotes, a carry-less multiplication by all ones),
 * then the tokens.
 */

static ngx_inline ngx_int_t
ngx_http_intercom_webhook_index_block(ngx_http_intercom_webhook_index_t *ix,
    ngx_http_intercom_webhook_carry_t *c, u_char *p, uint64_t valid,
    ngx_http_intercom_webhook_masks_t *m, uint64_t *tokens)
{
    uint64_t  escaped, escape, code, potential, quote, in_string, strings;
    uint64_t  scalar;

    escaped = c->escaped;

    if (m->backslash) {
        potential = m->backslash & ~c->escaped;
        code = (((potential << 1) | NGX_HTTP_INTERCOM_WEBHOOK_ODD)
                - potential)
               ^ NGX_HTTP_INTERCOM_WEBHOOK_ODD;
        escaped = code ^ (m->backslash | c->escaped);
        escape = code & m->backslash;
        c->escaped = escape >> 63;

    } else {
        c->escaped = 0;
    }

    quote = m->quote & ~escaped & valid;

    in_string = (uint64_t) _mm_cvtsi128_si64(_mm_clmulepi64_si128(
                                _mm_set_epi64x(0, (long long) quote),
                                _mm_set1_epi8((char) 0xff), 0))
                ^ c->in_string;

    c->in_string = (uint64_t) ((int64_t) in_string >> 63);

    /* in strings: no control byte, valid escapes */

    if (m->control & in_string & valid) {
        return NGX_DECLINED;
    }

    escaped &= in_string & valid;

    if (escaped
        && ngx_http_intercom_webhook_index_escapes(ix, p, escaped) != NGX_OK)
    {
        return NGX_DECLINED;
    }

    strings = in_string | quote;

    scalar = ~(m->op | m->space | strings) & valid;

    *tokens = (m->op & ~strings & valid)
              | (quote & in_string)
              | (scalar & ~((scalar << 1) | c->scalar));

    c->scalar = scalar >> 63;

    return NGX_OK;
}


/*
 * A block's offsets, eight at a time whatever their number, as most
 * blocks have eight or fewer: past the last, _tzcnt_u64(0) gives 64 into
 * the index's slack.
 */

static ngx_inline void
ngx_http_intercom_webhook_index_write(ngx_http_intercom_webhook_index_t *ix,
    ngx_http_intercom_webhook_carry_t *c, uint32_t base, uint64_t tokens)
{
    uint32_t  *out;

    out = &ix->index[c->n];
    c->n += _mm_popcnt_u64(tokens);

    do {
        out[0] = base + (uint32_t) _tzcnt_u64(tokens);
        tokens = _blsr_u64(tokens);
        out[1] = base + (uint32_t) _tzcnt_u64(tokens);
        tokens = _blsr_u64(tokens);
        out[2] = base + (uint32_t) _tzcnt_u64(tokens);
        tokens = _blsr_u64(tokens);
        out[3] = base + (uint32_t) _tzcnt_u64(tokens);
        tokens = _blsr_u64(tokens);
        out[4] = base + (uint32_t) _tzcnt_u64(tokens);
        tokens = _blsr_u64(tokens);
        out[5] = base + (uint32_t) _tzcnt_u64(tokens);
        tokens = _blsr_u64(tokens);
        out[6] = base + (uint32_t) _tzcnt_u64(tokens);
        tokens = _blsr_u64(tokens);
        out[7] = base + (uint32_t) _tzcnt_u64(tokens);
        tokens = _blsr_u64(tokens);
        out += 8;
    } while (tokens);
}


/* the carries from ix into c (and n reset), or back */

static ngx_inline void
ngx_http_intercom_webhook_index_carry(ngx_http_intercom_webhook_index_t *ix,
    ngx_http_intercom_webhook_carry_t *c, ngx_uint_t in)
{
    if (in) {
        c->in_string = ix->in_string;
        c->escaped = ix->escaped;
        c->scalar = ix->scalar;
        c->high = ix->high;
        c->n = 0;
        return;
    }

    ix->in_string = c->in_string;
    ix->escaped = c->escaped;
    ix->scalar = c->scalar;
    ix->high = c->high;
    ix->n = c->n;
}


/*
 * The bytes after backslashes in strings: one of the escapes of RFC 8259,
 * 7., and four hexadecimal digits after "u" that are not a surrogate (a
 * pair is left to the streaming parser).
 */

static ngx_int_t
ngx_http_intercom_webhook_index_escapes(ngx_http_intercom_webhook_index_t *ix,
    u_char *p, uint64_t escaped)
{
    u_char      *e;
    ngx_int_t    h, d;
    ngx_uint_t   i;

    do {
        e = p + __builtin_ctzll(escaped);
        escaped &= escaped - 1;

        switch (*e) {

        case '"': case '\\': case '/': case 'b': case 'f': case 'n':
        case 'r': case 't':
            continue;

        case 'u':

            /* the digits, and the closing quote at least */

            if (ix->last - e <= 5) {
                return NGX_DECLINED;
            }

            h = 0;

            for (i = 1; i <= 4; i++) {
                d = ngx_http_intercom_webhook_hex(e[i]);

                if (d == NGX_ERROR) {
                    return NGX_DECLINED;
                }

                h = (h << 4) | d;
            }

            if (h >= 0xd800 && h <= 0xdfff) {
                return NGX_DECLINED;
            }

            continue;

        default:
            return NGX_DECLINED;
        }

    } while (escaped);

    return NGX_OK;
}


#endif
