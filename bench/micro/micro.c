
/*
 * Microbenchmark of the verification work alone, per payload, outside
 * nginx: how close the module's own code (signature, body validation,
 * field extraction) comes to the floor, HMAC-SHA1 over the body.
 *
 * Cases (each checks its own result once before it is timed):
 *
 *   hmac          the floor: OpenSSL 3 EVP_MAC HMAC-SHA1 with a keyed
 *                 context made once and dup'ed per body (as the module
 *                 must do), update, final, CRYPTO_memcmp
 *   hmac_oneshot  OpenSSL's one-shot HMAC() (fetches SHA1 on every call;
 *                 what lua-nginx-module's ngx.hmac_sha1 does)
 *   jansson       json_loadb() of the whole body, extraction of the
 *                 fields to strings, json_decref(): what the module must
 *                 NOT do (a tree of the whole body)
 *   simdjson      simdjson's DOM parser (validation of the whole body into
 *                 its tape) and the same fields: the fastest validating
 *                 parser Debian has, a peer of mod_parse (micro_simdjson.cc,
 *                 built with -DWITH_SIMDJSON when libsimdjson-dev is there)
 *   simdjson_sse  the same with simdjson's SSE4.2 code ("westmere")
 *   simdjson_s1, simdjson_sse_s1
 *                 simdjson's first stage alone, with each code: the index
 *                 of every token, UTF-8 validated; what a two-stage
 *                 parser spends before it walks the index
 *   mod_sig       the module: parse_signature, hmac_init/update/final
 *   mod_parse     the module: parser_init and parse_whole over the body
 *                 in one buffer, as nginx parses a body in memory (the
 *                 index's vector code and its second stage, where the
 *                 CPU has it), value_text of each field, topic check
 *   mod_stream    the same with the streaming parser: parse, parse_done
 *   mod_all       mod_sig + mod_parse, the body in one piece
 *   mod_all_16k   the same, the body given in 16 KB pieces as nginx reads
 *                 a temp file (client_body_buffer_size 16k)
 *
 * The mod_* cases exist when built with -DWITH_MODULE (the module's pure
 * C files and ngx_stubs.c); a fresh pool of 4 KB (as request_pool_size)
 * is created and destroyed per iteration in mod_parse, mod_stream and
 * mod_all.  MICRO_INDEX=avx2 (or none) in the environment makes
 * parse_whole use that code of the index rather than the CPU's best.
 *
 * usage: micro [-t MS] [-n ITER] [-r BATCHES] [-g] SECRET_FILE PAYLOAD...
 *        micro -s   prints the code simdjson chose (haswell, westmere...)
 *   prints  MICRO <payload> <case> <ns/iter median> <ns/iter min> <iter>
 *           (ns of the thread's CPU time, CLOCK_THREAD_CPUTIME_ID)
 *   -t MS   time of one batch (default 20 ms): the iterations per batch
 *           are calibrated from a first run, at most ITER (default 100000)
 *   -r      batches, the median and the minimum are printed (default 7)
 *   -g      for valgrind --tool=callgrind: exactly ITER iterations (give
 *           a small -n), statistics zeroed before and dumped after each
 *           case (named "<payload> <case>"); one batch.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <getopt.h>
#include <libgen.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>
#include <openssl/core_names.h>
#include <jansson.h>
#include <valgrind/callgrind.h>

#include "micro.h"


static const char  *fields[MICRO_NFIELDS] = {
    "type", "topic", "id", "app_id", "data.item.type", "data.item.id",
    "delivery_attempts", "created_at"
};


/* payload */

typedef struct {
    const char     *name;
    unsigned char  *body;
    size_t          len;
    unsigned char   digest[20];
    char            header[46];     /* "sha1=" + 40 hex */
} payload_t;


static unsigned char  *secret;
static size_t          secret_len;
static EVP_MAC_CTX    *keyed;       /* HMAC-SHA1 keyed with the secret */
static volatile size_t sink;        /* defeats dead code elimination */


static unsigned char *
slurp(const char *path, size_t *len)
{
    FILE           *f;
    long            n;
    unsigned char  *buf;

    f = fopen(path, "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0) {
        perror(path);
        exit(2);
    }
    rewind(f);

    buf = calloc(1, n + MICRO_PADDING);
    if (buf == NULL || fread(buf, 1, n, f) != (size_t) n) {
        perror(path);
        exit(2);
    }
    fclose(f);

    *len = n;
    return buf;
}


/* hmac: the floor */

static int
case_hmac(void *arg)
{
    payload_t      *pl = arg;
    size_t          len;
    EVP_MAC_CTX    *ctx;
    unsigned char   md[EVP_MAX_MD_SIZE];

    ctx = EVP_MAC_CTX_dup(keyed);
    if (ctx == NULL
        || EVP_MAC_update(ctx, pl->body, pl->len) != 1
        || EVP_MAC_final(ctx, md, &len, sizeof(md)) != 1)
    {
        return -1;
    }
    EVP_MAC_CTX_free(ctx);

    return (len == 20 && CRYPTO_memcmp(md, pl->digest, 20) == 0) ? 0 : -1;
}


static int
case_hmac_oneshot(void *arg)
{
    payload_t      *pl = arg;
    unsigned int    len;
    unsigned char   md[EVP_MAX_MD_SIZE];

    if (HMAC(EVP_sha1(), secret, (int) secret_len, pl->body, pl->len,
             md, &len) == NULL)
    {
        return -1;
    }

    return (len == 20 && CRYPTO_memcmp(md, pl->digest, 20) == 0) ? 0 : -1;
}


/* jansson: the whole tree, then the fields as text */

static int
case_jansson(void *arg)
{
    payload_t      *pl = arg;
    int           i, n;
    char          buf[64];
    json_t       *root, *v, *o;
    const char   *path, *dot;
    json_error_t  err;
    size_t        total;

    root = json_loadb((const char *) pl->body, pl->len, 0, &err);
    if (root == NULL || !json_is_object(root)) {
        return -1;
    }

    total = 0;

    for (i = 0; i < MICRO_NFIELDS; i++) {

        /* walk "a.b.c" */
        o = root;
        path = fields[i];
        v = NULL;

        for ( ;; ) {
            dot = strchr(path, '.');
            n = dot ? (int) (dot - path) : (int) strlen(path);
            v = json_object_getn(o, path, n);
            if (v == NULL || dot == NULL) {
                break;
            }
            o = v;
            path = dot + 1;
        }

        if (json_is_string(v)) {
            total += json_string_length(v);

        } else if (json_is_integer(v)) {
            total += snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
                              json_integer_value(v));
        }
    }

    v = json_object_get(root, "type");
    if (!json_is_string(v)
        || strcmp(json_string_value(v), "notification_event") != 0)
    {
        json_decref(root);
        return -1;
    }

    json_decref(root);
    sink += total;

    return 0;
}


/* the cases */

typedef struct {
    const char  *name;
    int        (*run)(void *payload);
} case_t;


static case_t  cases[] = {
    { "hmac",          case_hmac },
    { "hmac_oneshot",  case_hmac_oneshot },
    { "jansson",       case_jansson },
#ifdef WITH_SIMDJSON
    { "simdjson",      micro_simdjson },
    { "simdjson_sse",  micro_simdjson_sse },
    { "simdjson_s1",   micro_simdjson_stage1 },
    { "simdjson_sse_s1", micro_simdjson_sse_stage1 },
#endif
#ifdef WITH_MODULE
    { "mod_sig",       micro_mod_sig },
    { "mod_parse",     micro_mod_parse },
    { "mod_stream",    micro_mod_stream },
    { "mod_all",       micro_mod_all },
    { "mod_all_16k",   micro_mod_all_16k },
#endif
    { NULL, NULL }
};


/* glue for micro_module.c */

const unsigned char *
micro_body(void *pl, size_t *len)
{
    *len = ((payload_t *) pl)->len;
    return ((payload_t *) pl)->body;
}


const char *
micro_header(void *pl)
{
    return ((payload_t *) pl)->header;
}


const char *
micro_field(int i)
{
    return fields[i];
}


static double
now_ns(void)
{
    struct timespec  ts;

    /*
     * the thread's CPU time, not the wall clock: time the shared machine
     * gives to other jobs is not counted, and the figure compares with the
     * receivers' CPU time per request (utime + stime)
     */

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}


static int
cmp_double(const void *a, const void *b)
{
    double  x = *(const double *) a, y = *(const double *) b;

    return (x > y) - (x < y);
}


int
main(int argc, char **argv)
{
    int          c, i, b, iter, max_iter, batches, grind;
    double       batch_ms;
    double       t0, *ns;
    EVP_MAC     *mac;
    OSSL_PARAM   params[2];
    payload_t   *pl;
    case_t      *cs;
    char         label[256];
    unsigned     j;

    max_iter = 100000;
    batch_ms = 20;
    batches = 7;
    grind = 0;

    while ((c = getopt(argc, argv, "t:n:r:gs")) != -1) {
        switch (c) {
        case 's':
#ifdef WITH_SIMDJSON
            printf("%s\n", micro_simdjson_implementation());
            return 0;
#else
            return 1;
#endif
        case 't': batch_ms = atof(optarg); break;
        case 'n': max_iter = atoi(optarg); break;
        case 'r': batches = atoi(optarg); break;
        case 'g': grind = 1; batches = 1; break;
        default:
            fprintf(stderr, "usage: micro [-n ITER] [-r BATCHES] [-g] "
                            "SECRET_FILE PAYLOAD...\n");
            return 2;
        }
    }

    if (argc - optind < 2 || max_iter < 1 || batches < 1 || batch_ms <= 0) {
        fprintf(stderr, "usage: micro [-n ITER] [-r BATCHES] [-g] "
                        "SECRET_FILE PAYLOAD...\n");
        return 2;
    }

    secret = slurp(argv[optind++], &secret_len);

    mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    keyed = mac ? EVP_MAC_CTX_new(mac) : NULL;
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 (char *) "SHA1", 0);
    params[1] = OSSL_PARAM_construct_end();

    if (keyed == NULL || EVP_MAC_init(keyed, secret, secret_len, params) != 1) {
        fprintf(stderr, "micro: EVP_MAC HMAC-SHA1 unavailable\n");
        return 1;
    }

#ifdef WITH_SIMDJSON
    if (micro_simdjson_init() != 0) {
        fprintf(stderr, "micro: simdjson setup failed\n");
        return 1;
    }
#endif

#ifdef WITH_MODULE
    if (micro_mod_init(secret, secret_len) != 0) {
        fprintf(stderr, "micro: module setup failed\n");
        return 1;
    }
#endif

    ns = calloc(batches, sizeof(double));
    if (ns == NULL) {
        return 1;
    }

    for ( ; optind < argc; optind++) {

        pl = calloc(1, sizeof(payload_t));
        if (pl == NULL) {
            return 1;
        }

        pl->body = slurp(argv[optind], &pl->len);
        pl->name = basename(argv[optind]);

        /* the expected digest and the header Intercom would send */
        HMAC(EVP_sha1(), secret, (int) secret_len, pl->body, pl->len,
             pl->digest, &j);
        memcpy(pl->header, "sha1=", 5);
        for (j = 0; j < 20; j++) {
            sprintf(pl->header + 5 + 2 * j, "%02x", pl->digest[j]);
        }

        for (cs = cases; cs->name; cs++) {

            /* correct once, or no figure */
            if (cs->run(pl) != 0) {
                printf("MICRO\t%s\t%s\tFAIL\tFAIL\t0\n", pl->name, cs->name);
                fflush(stdout);
                continue;
            }

            snprintf(label, sizeof(label), "%s %s", pl->name, cs->name);

            /* iterations: ITER under callgrind, else about batch_ms */
            iter = max_iter;

            if (!grind) {
                t0 = now_ns();
                for (i = 0; i < 3; i++) {
                    (void) cs->run(pl);
                }
                t0 = (now_ns() - t0) / 3;
                iter = (int) (batch_ms * 1e6 / (t0 > 1 ? t0 : 1));
                iter = iter < 3 ? 3 : (iter > max_iter ? max_iter : iter);
            }

            for (b = 0; b < batches; b++) {

                if (grind) {
                    CALLGRIND_ZERO_STATS;
                }

                t0 = now_ns();

                for (i = 0; i < iter; i++) {
                    if (cs->run(pl) != 0) {
                        fprintf(stderr, "micro: %s failed\n", label);
                        return 1;
                    }
                }

                ns[b] = (now_ns() - t0) / iter;

                if (grind) {
                    CALLGRIND_DUMP_STATS_AT(label);
                }
            }

            qsort(ns, batches, sizeof(double), cmp_double);

            printf("MICRO\t%s\t%s\t%.0f\t%.0f\t%d\n", pl->name, cs->name,
                   ns[batches / 2], ns[0], iter);
            fflush(stdout);
        }
    }

    return 0;
}
