
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


/*
 * A main() for a harness without libFuzzer: runs LLVMFuzzerTestOneInput()
 * once on every file of the directories given, for builds that libFuzzer
 * cannot make (cross-compiled for arm64 and run under qemu-user, the
 * parser without its vector code; see t/unit/run).  A failed check aborts,
 * as under libFuzzer.  The last line is "NAME: N passed, 0 failed", N the
 * number of inputs.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <dirent.h>

#include "fuzz.h"


static int replay_file(const char *dir, const char *name);


int
main(int argc, char **argv)
{
    int             i;
    DIR            *d;
    ngx_uint_t      n;
    struct dirent  *e;

    n = 0;

    for (i = 2; i < argc; i++) {
        d = opendir(argv[i]);
        if (d == NULL) {
            fprintf(stderr, "%s: %s: %s\n", argv[1], argv[i],
                    strerror(errno));
            return 2;
        }

        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.') {
                continue;
            }

            if (replay_file(argv[i], e->d_name) != 0) {
                closedir(d);
                return 2;
            }

            n++;
        }

        closedir(d);
    }

    if (argc < 2 || n == 0) {
        fprintf(stderr, "usage: replay NAME DIR...: no input found\n");
        return 2;
    }

    printf("%s: %u passed, 0 failed\n", argv[1], (unsigned) n);

    return 0;
}


static int
replay_file(const char *dir, const char *name)
{
    int       rc;
    char      path[4096];
    FILE     *f;
    long      len;
    uint8_t  *data;

    snprintf(path, sizeof(path), "%s/%s", dir, name);

    f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }

    rc = -1;
    data = NULL;

    if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0
        || fseek(f, 0, SEEK_SET) != 0)
    {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        goto done;
    }

    /* libFuzzer's copy is exactly as long as the input: so is this one */

    data = malloc(len ? len : 1);
    if (data == NULL) {
        fprintf(stderr, "%s: out of memory\n", path);
        goto done;
    }

    if (len && fread(data, 1, len, f) != (size_t) len) {
        fprintf(stderr, "%s: short read\n", path);
        goto done;
    }

    (void) LLVMFuzzerTestOneInput(data, len);

    rc = 0;

done:

    free(data);
    fclose(f);

    return rc;
}
