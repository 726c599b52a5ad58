
/*
 * The interface between micro.c (baselines, timing; no nginx headers) and
 * micro_module.c (the module's pure C API, built with nginx's headers).
 */


#ifndef _MICRO_H_INCLUDED_
#define _MICRO_H_INCLUDED_


#include <stddef.h>


/* the payload fields every receiver extracts ("type" is checked) */
#define MICRO_NFIELDS  8

/* zero bytes after each body, which simdjson reads (SIMDJSON_PADDING) */
#define MICRO_PADDING  64


/* micro.c */
const unsigned char *micro_body(void *payload, size_t *len);
const char *micro_header(void *payload);
const char *micro_field(int i);

/* micro_module.c: 0 on success */
int micro_mod_init(const unsigned char *secret, size_t len);
int micro_mod_sig(void *payload);
int micro_mod_parse(void *payload);
int micro_mod_stream(void *payload);
int micro_mod_all(void *payload);
int micro_mod_all_16k(void *payload);

/* micro_simdjson.cc: 0 on success; the code simdjson chose */
int micro_simdjson_init(void);
int micro_simdjson(void *payload);
int micro_simdjson_sse(void *payload);
int micro_simdjson_stage1(void *payload);
int micro_simdjson_sse_stage1(void *payload);
const char *micro_simdjson_implementation(void);


#endif /* _MICRO_H_INCLUDED_ */
