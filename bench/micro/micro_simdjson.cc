
/*
 * The simdjson baseline of the microbenchmark (see micro.c): the fastest
 * validating JSON parser Debian packages (libsimdjson-dev), as a peer of
 * the module's parser.  simdjson::dom::parser, made once and reused as a
 * server would, validates the whole body (UTF-8 included) into its tape;
 * the fields are then read as the jansson case reads them.  simdjson
 * chooses its code at run time (SSE4.2, AVX2 or AVX-512 on x86-64):
 * "simdjson" is its choice, "simdjson_sse" its SSE4.2 code.  The body is
 * read with simdjson's padding, not copied.
 */


#include <simdjson.h>

#include <cstring>
#include <string>

extern "C" {
#include "micro.h"
}


static_assert(MICRO_PADDING >= simdjson::SIMDJSON_PADDING,
              "micro.c pads each body for simdjson");


static simdjson::dom::parser   parser;
static simdjson::dom::parser   parser_sse;
static volatile size_t         sink;   /* defeats dead code elimination */


static int micro_simdjson_parse(simdjson::dom::parser &p, void *payload);
static int micro_simdjson_index(simdjson::dom::parser &p, void *payload);


/*
 * simdjson's best code for this CPU, and its "westmere" code (SSE4.2,
 * the nearest to the module's SSE2): a parser keeps the code it was
 * allocated with, so each is allocated once, for any body of the bench
 */

extern "C" int
micro_simdjson_init(void)
{
    const simdjson::implementation  *best, *sse;

    best = simdjson::get_active_implementation();
    sse = simdjson::get_available_implementations()["westmere"];

    if (sse == NULL || !sse->supported_by_runtime_system()) {
        sse = best;
    }

    simdjson::get_active_implementation() = sse;

    if (parser_sse.allocate(1024 * 1024) != simdjson::SUCCESS) {
        return -1;
    }

    simdjson::get_active_implementation() = best;

    if (parser.allocate(1024 * 1024) != simdjson::SUCCESS) {
        return -1;
    }

    return 0;
}


extern "C" int
micro_simdjson(void *payload)
{
    return micro_simdjson_parse(parser, payload);
}


extern "C" int
micro_simdjson_sse(void *payload)
{
    return micro_simdjson_parse(parser_sse, payload);
}


/*
 * simdjson's first stage alone: the index of every token of the body,
 * with the validation of its UTF-8 and of its strings' bytes; what a
 * two-stage parser spends before its second stage walks that index
 * (parser.implementation is public "for benchmarking access")
 */

extern "C" int
micro_simdjson_stage1(void *payload)
{
    return micro_simdjson_index(parser, payload);
}


extern "C" int
micro_simdjson_sse_stage1(void *payload)
{
    return micro_simdjson_index(parser_sse, payload);
}


static int
micro_simdjson_index(simdjson::dom::parser &p, void *payload)
{
    size_t                len;
    const unsigned char  *body;

    body = micro_body(payload, &len);

    if (p.implementation->stage1(body, len, simdjson::stage1_mode::regular)
        != simdjson::SUCCESS)
    {
        return -1;
    }

    sink += p.implementation->n_structural_indexes;

    return 0;
}


static int
micro_simdjson_parse(simdjson::dom::parser &p, void *payload)
{
    int                             i, found;
    size_t                          len, total, n;
    const char                     *path, *dot;
    const unsigned char            *body;
    simdjson::dom::element          doc, o, v;
    std::string_view                s;

    body = micro_body(payload, &len);

    if (p.parse(body, len, false).get(doc) != simdjson::SUCCESS
        || !doc.is_object())
    {
        return -1;
    }

    total = 0;

    for (i = 0; i < MICRO_NFIELDS; i++) {

        /* walk "a.b.c" */
        o = doc;
        path = micro_field(i);

        for ( ;; ) {
            dot = std::strchr(path, '.');
            n = dot ? (size_t) (dot - path) : std::strlen(path);

            found = (o[std::string_view(path, n)].get(v)
                     == simdjson::SUCCESS);

            if (!found || dot == NULL) {
                break;
            }

            o = v;
            path = dot + 1;
        }

        if (!found) {
            continue;
        }

        if (v.is_string()) {
            total += v.get_string().value_unsafe().size();

        } else if (v.is_int64()) {
            total += std::to_string(v.get_int64().value_unsafe()).size();
        }
    }

    if (doc["type"].get(s) != simdjson::SUCCESS
        || s != "notification_event")
    {
        return -1;
    }

    sink += total;

    return 0;
}


extern "C" const char *
micro_simdjson_implementation(void)
{
    static std::string  names;

    names = simdjson::get_active_implementation()->name();

    if (simdjson::get_available_implementations()["westmere"] == NULL) {
        names += ", no westmere";
    }

    return names.c_str();
}
