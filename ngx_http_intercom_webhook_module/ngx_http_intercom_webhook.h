
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


#ifndef _NGX_HTTP_INTERCOM_WEBHOOK_H_INCLUDED_
#define _NGX_HTTP_INTERCOM_WEBHOOK_H_INCLUDED_


/*
 * The parts of the module that do not need a request: signature parsing
 * and checking, payload validation and field extraction, header value
 * checks, topic patterns and the allowlist.  They depend on nginx's core
 * only (pools, strings, logs), so that each can be unit tested, fuzzed
 * and benchmarked alone.
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/crypto.h>


/*
 * A hexadecimal digit's value, either case, as ngx_hextoi() takes it, or
 * NGX_ERROR: for the signature and the parser's \u escapes, without a
 * call per digit.
 */

static ngx_inline ngx_int_t
ngx_http_intercom_webhook_hex(ngx_uint_t ch)
{
    u_char  c;

    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }

    c = (u_char) (ch | 0x20);

    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }

    return NGX_ERROR;
}


/*
 * HMAC-SHA1 keeps, per secret, the SHA-1 states after the key's inner and
 * outer blocks (RFC 2104, 4.): a request copies them, which costs nothing,
 * where a copy of an EVP_MAC_CTX allocates and goes through the provider,
 * about 1 us a request on OpenSSL 3.  The SHA-1 functions are deprecated
 * in OpenSSL 3.0 (nginx silences the deprecation): EVP_MAC is used where
 * OpenSSL is built without them, and from OpenSSL 4.0.
 */

#if (OPENSSL_VERSION_NUMBER >= 0x30000000L                                    \
     && (defined OPENSSL_NO_DEPRECATED_3_0                                    \
         || OPENSSL_VERSION_NUMBER >= 0x40000000L                             \
         || defined NGX_HTTP_INTERCOM_WEBHOOK_USE_EVP_MAC))

#define NGX_HTTP_INTERCOM_WEBHOOK_EVP_MAC  1

typedef EVP_MAC_CTX  ngx_http_intercom_webhook_mac_t;
typedef EVP_MAC_CTX *ngx_http_intercom_webhook_state_t;

#else

typedef struct {
    SHA_CTX          inner;
    SHA_CTX          outer;
} ngx_http_intercom_webhook_mac_t;

typedef SHA_CTX      ngx_http_intercom_webhook_state_t;

#endif


#define NGX_HTTP_INTERCOM_WEBHOOK_DIGEST_LEN     20
#define NGX_HTTP_INTERCOM_WEBHOOK_MAX_SECRETS    16

/* keys in a payload path such as "data.item.id" */
#define NGX_HTTP_INTERCOM_WEBHOOK_MAX_PATH       8
/* bytes in one key of a configured path */
#define NGX_HTTP_INTERCOM_WEBHOOK_MAX_KEY        64
/* raw bytes of one captured value, quotes and escapes included */
#define NGX_HTTP_INTERCOM_WEBHOOK_MAX_VALUE      2048
/* nesting of objects and arrays in a body */
#define NGX_HTTP_INTERCOM_WEBHOOK_MAX_DEPTH      512
/* keys in the tree of the captured fields, all paths together */
#define NGX_HTTP_INTERCOM_WEBHOOK_MAX_NODES      256
/* bytes of a topic */
#define NGX_HTTP_INTERCOM_WEBHOOK_MAX_TOPIC      255


/* signature */

typedef struct {
    ngx_str_t                           id;
    ngx_http_intercom_webhook_mac_t    *mac;      /* keyed, never updated */
} ngx_http_intercom_webhook_secret_t;


typedef struct {
    ngx_http_intercom_webhook_secret_t *secrets;
    ngx_uint_t                          nsecrets;
    ngx_http_intercom_webhook_state_t   state[16];  /* MAX_SECRETS */
} ngx_http_intercom_webhook_hmac_t;


/*
 * "sha1=" followed by 40 hex digits of either case: NGX_OK and the 20
 * decoded bytes in digest, or NGX_DECLINED.
 */
ngx_int_t ngx_http_intercom_webhook_parse_signature(ngx_str_t *value,
    u_char *digest);

/*
 * NGX_OK if the key is empty or only spaces, tabs, CRs and LFs (a key
 * anyone can guess), else NGX_DECLINED.
 */
ngx_int_t ngx_http_intercom_webhook_secret_blank(u_char *key, size_t len);

/*
 * Makes a keyed HMAC-SHA1 context for the key, wiped and freed with the
 * pool.
 * An empty or blank key is NGX_DECLINED: anyone can forge its HMAC.
 */
ngx_int_t ngx_http_intercom_webhook_secret_init(
    ngx_http_intercom_webhook_secret_t *secret, u_char *key, size_t len,
    ngx_pool_t *pool);

/*
 * One HMAC over a body given in pieces, for every secret at once: init
 * copies the keyed contexts, update feeds bytes, final compares with the
 * decoded signature in constant time, always going through every secret,
 * and wipes the copies; abort wipes them on an error path.  final
 * returns the index of the matching secret, or NGX_DECLINED.
 */
ngx_int_t ngx_http_intercom_webhook_hmac_init(
    ngx_http_intercom_webhook_hmac_t *hmac,
    ngx_http_intercom_webhook_secret_t *secrets, ngx_uint_t n);
ngx_int_t ngx_http_intercom_webhook_hmac_update(
    ngx_http_intercom_webhook_hmac_t *hmac, u_char *data, size_t len);
ngx_int_t ngx_http_intercom_webhook_hmac_final(
    ngx_http_intercom_webhook_hmac_t *hmac, u_char *digest);
void ngx_http_intercom_webhook_hmac_abort(
    ngx_http_intercom_webhook_hmac_t *hmac);


/* payload */

/*
 * The payload fields to capture, as a tree of object keys built at
 * configuration time: "data.item.id" is the node "id" below "item" below
 * "data" below the root.  A node whose slot is not NGX_ERROR is captured
 * into values[slot] by the parser.  Each node but the root has an index
 * below MAX_NODES, its bit in the parser's set of keys seen: the tree is
 * shared, what a parse has seen lives in the parser.
 */

typedef struct ngx_http_intercom_webhook_field_s
    ngx_http_intercom_webhook_field_t;

struct ngx_http_intercom_webhook_field_s {
    ngx_str_t                           key;
    ngx_int_t                           slot;
    ngx_uint_t                          index;
    ngx_array_t                         children; /* of field_t */
    /* bit n - 1 set: a child's key is n bytes long */
    uint64_t                            lengths;
    /* the key's first eight bytes, padded with zeros */
    uint64_t                            word;
};


typedef struct {
    ngx_http_intercom_webhook_field_t   root;
    ngx_uint_t                          nslots;
    ngx_uint_t                          nnodes;
} ngx_http_intercom_webhook_fields_t;


/* what made the parser fail, for callers; p->error is the text to log */

typedef enum {
    NGX_HTTP_INTERCOM_WEBHOOK_PARSE_NONE = 0,
    /* not JSON, not an object, not UTF-8, truncated, empty */
    NGX_HTTP_INTERCOM_WEBHOOK_PARSE_INVALID,
    /* a key of the field tree twice in one object */
    NGX_HTTP_INTERCOM_WEBHOOK_PARSE_DUPLICATE,
    /* nested deeper than MAX_DEPTH */
    NGX_HTTP_INTERCOM_WEBHOOK_PARSE_TOO_DEEP,
    /* the pool failed */
    NGX_HTTP_INTERCOM_WEBHOOK_PARSE_NO_MEMORY
} ngx_http_intercom_webhook_parse_e;


typedef enum {
    NGX_HTTP_INTERCOM_WEBHOOK_MISSING = 0,
    NGX_HTTP_INTERCOM_WEBHOOK_NULL,
    NGX_HTTP_INTERCOM_WEBHOOK_STRING,
    NGX_HTTP_INTERCOM_WEBHOOK_NUMBER,
    NGX_HTTP_INTERCOM_WEBHOOK_TRUE,
    NGX_HTTP_INTERCOM_WEBHOOK_FALSE,
    NGX_HTTP_INTERCOM_WEBHOOK_OBJECT,
    NGX_HTTP_INTERCOM_WEBHOOK_ARRAY,
    NGX_HTTP_INTERCOM_WEBHOOK_TOO_LONG
} ngx_http_intercom_webhook_type_e;


typedef struct {
    ngx_http_intercom_webhook_type_e    type;
    /* the raw JSON text of a string or number, quotes included */
    ngx_str_t                           raw;
    /* a string with a backslash escape: decode it with jansson */
    unsigned                            escaped:1;
} ngx_http_intercom_webhook_value_t;


typedef struct ngx_http_intercom_webhook_parser_s
    ngx_http_intercom_webhook_parser_t;

/* private sizes of the parser's state */
#define NGX_HTTP_INTERCOM_WEBHOOK_STACK                                       \
    ((NGX_HTTP_INTERCOM_WEBHOOK_MAX_DEPTH + 7) / 8)
#define NGX_HTTP_INTERCOM_WEBHOOK_NODES                                       \
    (NGX_HTTP_INTERCOM_WEBHOOK_MAX_PATH + 2)
#define NGX_HTTP_INTERCOM_WEBHOOK_SEEN                                        \
    ((NGX_HTTP_INTERCOM_WEBHOOK_MAX_NODES + 63) / 64)
/* a raw key that can match: quotes and a \uXXXX escape per byte */
#define NGX_HTTP_INTERCOM_WEBHOOK_KEY_LEN                                     \
    (6 * NGX_HTTP_INTERCOM_WEBHOOK_MAX_KEY + 2)
/* 'duplicate key "data.item.id"' */
#define NGX_HTTP_INTERCOM_WEBHOOK_ERR_LEN                                     \
    (sizeof("duplicate key \"\"")                                             \
     + NGX_HTTP_INTERCOM_WEBHOOK_MAX_PATH                                     \
       * (NGX_HTTP_INTERCOM_WEBHOOK_MAX_KEY + 1))
#define NGX_HTTP_INTERCOM_WEBHOOK_BUF_LEN  NGX_HTTP_INTERCOM_WEBHOOK_MAX_VALUE

struct ngx_http_intercom_webhook_parser_s {
    ngx_uint_t                          state;
    ngx_uint_t                          depth;
    /*
     * bytes consumed; after an error, the offset of the bad byte, or of
     * the opening quote of a duplicate key
     */
    off_t                               offset;

    /*
     * the text to log: static, or in the parser itself for a duplicate
     * key, valid while the parser is; code is what callers test
     */
    const char                         *error;
    ngx_http_intercom_webhook_parse_e   code;
    /* the field node of a duplicate key */
    ngx_http_intercom_webhook_field_t  *duplicate;

    ngx_http_intercom_webhook_fields_t *fields;
    ngx_http_intercom_webhook_value_t  *values;   /* fields->nslots */
    ngx_pool_t                         *pool;

    /* parse_whole's verdict came from the index */
    unsigned                            indexed:1;

    /* the rest is private to the parser */

    /* the field node of each open object, NULL off the tree */
    ngx_http_intercom_webhook_field_t  *node[NGX_HTTP_INTERCOM_WEBHOOK_NODES];
    ngx_http_intercom_webhook_field_t  *cur;      /* of the current level */
    ngx_http_intercom_webhook_field_t  *field;    /* of the next value */

    /* the value being captured, its raw text so far */
    ngx_http_intercom_webhook_value_t  *value;
    size_t                              len;

    /* the raw key being read while its object is on the tree */
    size_t                              key_len;
    off_t                               key_offset;

    /* string and literal sub-states */
    ngx_uint_t                          hex;
    ngx_uint_t                          hex_n;
    ngx_uint_t                          utf8_need;
    ngx_uint_t                          utf8_lo;
    ngx_uint_t                          utf8_hi;
    const u_char                       *literal;  /* the bytes still due */
    ngx_http_intercom_webhook_type_e    literal_type;

    /* a bit per field node: its key was read (field_t.index) */
    uint64_t                            seen[NGX_HTTP_INTERCOM_WEBHOOK_SEEN];

    unsigned                            key_string:1;
    unsigned                            collect:2;
    unsigned                            over:1;
    unsigned                            escaped:1;
    unsigned                            object:1;

    /* from here on, not zeroed by init: written before being read */

    /* a bit per level: 1 for an object, 0 for an array */
    uint8_t                             stack[NGX_HTTP_INTERCOM_WEBHOOK_STACK];

    u_char                              key[NGX_HTTP_INTERCOM_WEBHOOK_KEY_LEN];
    u_char                              text[NGX_HTTP_INTERCOM_WEBHOOK_ERR_LEN];

    /* the raw text of the value being captured */
    u_char                              buf[NGX_HTTP_INTERCOM_WEBHOOK_BUF_LEN];
};


/*
 * Adds a dot-separated path ("topic", "data.item.id") and returns its
 * slot; the same path gives the same slot.  NGX_DECLINED for an invalid
 * path (empty keys, too many keys, a key too long, more than MAX_NODES
 * keys in the tree), NGX_ERROR on memory shortage.
 */
ngx_int_t ngx_http_intercom_webhook_fields_add(
    ngx_http_intercom_webhook_fields_t *fields, ngx_str_t *path,
    ngx_pool_t *pool);

/*
 * A validating, streaming JSON parser that builds no tree: it checks the
 * whole body against RFC 8259 (UTF-8 included) in one pass over the
 * pieces given, and copies into the pool only the raw text of the
 * configured fields.  init zeroes values; parse returns NGX_AGAIN while
 * the body is fine so far, or NGX_ERROR with p->code, p->error and
 * p->offset set; done returns NGX_OK when the pieces given make one
 * complete JSON object, or NGX_ERROR ("empty body", "unterminated
 * string", "truncated" with offset the body's length, or the error parse
 * returned).  Any RFC 8259 text is accepted: "\u0000" in strings,
 * numbers of any size (captured as written), nesting up to MAX_DEPTH.
 * Duplicate keys: a key of the field tree (captured, or on the way to
 * one) read twice in one object is an error, 'duplicate key "a.b"'; other
 * keys may repeat.  Keys compare decoded.  fields must be zeroed before
 * the first fields_add; fields and values may be NULL at init.
 */
ngx_int_t ngx_http_intercom_webhook_parser_init(
    ngx_http_intercom_webhook_parser_t *p,
    ngx_http_intercom_webhook_fields_t *fields,
    ngx_http_intercom_webhook_value_t *values, ngx_pool_t *pool);
ngx_int_t ngx_http_intercom_webhook_parse(
    ngx_http_intercom_webhook_parser_t *p, u_char *pos, u_char *last);
ngx_int_t ngx_http_intercom_webhook_parse_done(
    ngx_http_intercom_webhook_parser_t *p);

/*
 * A whole body in one piece: the same verdict, values and error as
 * parser_init's parser given parse(pos, last) and parse_done.  Where the
 * CPU has the vector code of the index (below), a second stage walks the
 * index of the body's tokens; anything it does not settle (an invalid
 * body among others) is parsed again by the streaming parser.
 */
ngx_int_t ngx_http_intercom_webhook_parse_whole(
    ngx_http_intercom_webhook_parser_t *p, u_char *pos, u_char *last);


/*
 * The index of a body's tokens, the first stage of parse_whole: 64 bytes
 * at a time with AVX-512 or AVX2, chosen at run time on x86-64 (none
 * elsewhere, or with -DNGX_HTTP_INTERCOM_WEBHOOK_NO_SIMD).  Each call of
 * index_next indexes the next BLOCKS blocks of 64 bytes at most: the
 * offsets of the tokens in them, in order, which are the quotes that
 * open strings, the structural characters outside strings, and the first
 * byte of every other run of bytes that is neither whitespace nor one of
 * those (nor in a string).  It checks the bytes that the second stage
 * does not look at: strings without control characters and with valid
 * escapes (a \u escape of a surrogate is left to the streaming parser),
 * and UTF-8.
 */

#define NGX_HTTP_INTERCOM_WEBHOOK_INDEX_BLOCKS  32
/* an offset per byte at most, and the slack its writers use */
#define NGX_HTTP_INTERCOM_WEBHOOK_INDEX_SIZE                                  \
    (NGX_HTTP_INTERCOM_WEBHOOK_INDEX_BLOCKS * 64 + 16)

typedef struct ngx_http_intercom_webhook_index_s
    ngx_http_intercom_webhook_index_t;

typedef ngx_int_t (*ngx_http_intercom_webhook_index_pt)(
    ngx_http_intercom_webhook_index_t *ix);

struct ngx_http_intercom_webhook_index_s {
    u_char                             *start;
    u_char                             *pos;      /* the next block */
    u_char                             *last;
    ngx_http_intercom_webhook_index_pt  code;

    /* carried from block to block */
    uint64_t                            in_string;   /* all ones or 0 */
    uint64_t                            escaped;     /* bit 0 */
    uint64_t                            scalar;      /* bit 0 */
    uint64_t                            high;        /* bits 0-2 */

    ngx_uint_t                          n;
    uint32_t                            index[
                                        NGX_HTTP_INTERCOM_WEBHOOK_INDEX_SIZE];
};


/*
 * The vector code index_init uses: "avx512", "avx2" or NULL, the CPU's
 * best; use sets it for tests and benchmarks ("avx2", "none", or NULL
 * for the CPU's best), NGX_DECLINED when the CPU does not have it.
 */
const char *ngx_http_intercom_webhook_index_code(void);
ngx_int_t ngx_http_intercom_webhook_index_use(const char *code);

/*
 * Whether the code chosen saves more than a copy of a body costs, for a
 * body in several buffers (bench/micro: AVX-512 does, AVX2 does not)
 */
ngx_uint_t ngx_http_intercom_webhook_index_copy_pays(void);

/* NGX_OK, or NGX_DECLINED: no vector code, or a body of 4 GB or more */
ngx_int_t ngx_http_intercom_webhook_index_init(
    ngx_http_intercom_webhook_index_t *ix, u_char *pos, u_char *last);

/*
 * NGX_OK: ix->n > 0 offsets in ix->index; NGX_DONE: the body is indexed
 * and checked, no offset left; NGX_DECLINED: the bytes are not those of
 * valid JSON, or hold what is left to the streaming parser.
 */
ngx_int_t ngx_http_intercom_webhook_index_next(
    ngx_http_intercom_webhook_index_t *ix);

/*
 * The decoded text of a captured string (jansson decodes a string with
 * escapes; it may hold NUL bytes): NGX_OK, NGX_DECLINED when the value is
 * not a string, or NGX_ERROR.
 */
ngx_int_t ngx_http_intercom_webhook_value_string(
    ngx_http_intercom_webhook_value_t *value, ngx_str_t *text,
    ngx_pool_t *pool);

/*
 * The text of a captured scalar for a header or a variable: a decoded
 * string, a number as written, "true" or "false".  NGX_DECLINED for a
 * missing, null, too long or structured value, or one that holds control
 * characters (see header_safe); NGX_ERROR on memory shortage.
 */
ngx_int_t ngx_http_intercom_webhook_value_text(
    ngx_http_intercom_webhook_value_t *value, ngx_str_t *text,
    ngx_pool_t *pool);

/* NGX_OK if no byte of the text is a control character (< 0x20, 0x7f) */
ngx_int_t ngx_http_intercom_webhook_header_safe(ngx_str_t *text);

/* NGX_OK for 1 to MAX_TOPIC bytes of visible ASCII (0x21-0x7e) */
ngx_int_t ngx_http_intercom_webhook_valid_topic(ngx_str_t *topic);

/*
 * The checks of a notification on its captured "type" and "topic" and
 * their texts (value_text's, empty when it declined): "type" must be the
 * string "notification_event", "topic" a valid topic.  NGX_OK, or
 * NGX_DECLINED with *error set to a static text for the log.
 */
ngx_int_t ngx_http_intercom_webhook_notification_check(
    ngx_http_intercom_webhook_value_t *type, ngx_str_t *type_text,
    ngx_http_intercom_webhook_value_t *topic, ngx_str_t *topic_text,
    const char **error);


/* topics */

typedef struct {
    ngx_str_t                           name;     /* "conversation." */
    unsigned                            prefix:1;
    unsigned                            any:1;
} ngx_http_intercom_webhook_topic_t;


/*
 * "*", "prefix.*" or an exact name, the prefix or the name a valid topic
 * without "*": NGX_OK, or NGX_DECLINED if invalid
 */
ngx_int_t ngx_http_intercom_webhook_topic_pattern(ngx_str_t *text,
    ngx_http_intercom_webhook_topic_t *topic);
/* NGX_OK if one of the patterns matches, else NGX_DECLINED */
ngx_int_t ngx_http_intercom_webhook_topic_match(ngx_array_t *topics,
    ngx_str_t *topic);


/* allowlist */

/*
 * The date the presets' addresses were taken from Intercom's "IP
 * allowlisting" documentation, logged when a location uses them.
 */
#define NGX_HTTP_INTERCOM_WEBHOOK_PRESET_DATE  "2026-11-29"


typedef struct {
    ngx_array_t                        *cidrs;    /* of ngx_cidr_t */
    /*
     * the oldest "date" of the intercom_webhook_allow_file files
     * (Intercom's "YYYY-MM-DD"), empty if none has one
     */
    ngx_str_t                           date;
    unsigned                            all:1;
    /* a preset's addresses were added ("intercom", the default, ...) */
    unsigned                            preset:1;
} ngx_http_intercom_webhook_allow_t;


/*
 * Adds an address, a CIDR block, "all" or a preset ("intercom",
 * "intercom_us", "intercom_eu", "intercom_au": allow->preset is set).
 * NGX_OK; NGX_DONE when a
 * CIDR block had host bits set (they are cleared: warn as nginx does);
 * NGX_DECLINED for an invalid value; NGX_ERROR on memory shortage.
 */
ngx_int_t ngx_http_intercom_webhook_allow_add(
    ngx_http_intercom_webhook_allow_t *allow, ngx_str_t *value,
    ngx_pool_t *pool);
/*
 * NGX_OK if the address is allowed, else NGX_DECLINED.  As
 * ngx_cidr_match() (an IPv4-mapped IPv6 client is matched against the IPv4
 * blocks), without its signed shift overflow for mapped clients at
 * 128.0.0.0 and above.
 */
ngx_int_t ngx_http_intercom_webhook_allow_match(
    ngx_http_intercom_webhook_allow_t *allow, struct sockaddr *sa);

/*
 * Adds the ranges of a file's text (_ranges.c): Intercom's published JSON
 * ({"ip_ranges": [{"range": ..., "service": ...}, ...], "date": ...}), of
 * which only the entries of service "INTERCOM-OUTBOUND" are taken, or a
 * plain list of addresses and CIDR blocks, one a line, with "#" comments
 * and blank lines; "all" and the presets are not accepted from a file.
 * NGX_OK; NGX_DONE when a range had host bits set (cleared; error names
 * the first one); NGX_DECLINED with error set to the reason (empty, not
 * JSON, no "ip_ranges", an invalid range, no outbound range...), after
 * which the allowlist may hold some of the file's ranges; NGX_ERROR on
 * memory shortage.  date is the JSON's "date" string in the pool, or
 * empty.
 */
ngx_int_t ngx_http_intercom_webhook_ranges_parse(
    ngx_http_intercom_webhook_allow_t *allow, u_char *text, size_t len,
    ngx_pool_t *pool, ngx_str_t *date, ngx_str_t *error);
/*
 * The day of a "YYYY-MM-DD" date, alone or followed by "T" or " " and a
 * time, as days since 1970-01-01, or NGX_ERROR.
 */
ngx_int_t ngx_http_intercom_webhook_ranges_day(ngx_str_t *date);


#endif /* _NGX_HTTP_INTERCOM_WEBHOOK_H_INCLUDED_ */
