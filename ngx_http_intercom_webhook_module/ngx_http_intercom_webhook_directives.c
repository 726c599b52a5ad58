
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_intercom_webhook_module.h"


static char *ngx_http_intercom_webhook_secret_read(ngx_conf_t *cf,
    ngx_str_t *name, ngx_str_t *key);
static void ngx_http_intercom_webhook_secret_mode(ngx_conf_t *cf,
    ngx_str_t *file, ngx_file_info_t *fi);
static void ngx_http_intercom_webhook_secret_form(ngx_conf_t *cf,
    ngx_str_t *file, u_char *key, size_t len);


static ngx_str_t  ngx_http_intercom_webhook_signature =
    ngx_string("X-Hub-Signature");


char *
ngx_http_intercom_webhook(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_intercom_webhook_loc_conf_t *iwcf = conf;

    ngx_str_t                              *value, s;
    ngx_http_intercom_webhook_gate_conf_t  *gate;

    if (iwcf->gate != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len && (value[1].data[0] == '@' || value[1].data[0] == '/'))
    {
        /* the redirect form of 0.2.0 */

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"intercom_webhook %V\" is no longer supported: "
                           "use \"intercom_webhook on;\" and \"proxy_pass\" "
                           "(or another content handler) in this location, "
                           "or \"intercom_webhook on;\" and "
                           "\"try_files /nonexistent %V;\"",
                           &value[1], &value[1]);
        return NGX_CONF_ERROR;
    }

    gate = ngx_pcalloc(cf->pool,
                       sizeof(ngx_http_intercom_webhook_gate_conf_t));
    if (gate == NULL) {
        return NGX_CONF_ERROR;
    }

    gate->file = cf->conf_file->file.name;
    gate->line = cf->conf_file->line;

    if (value[1].len == 2 && ngx_strncmp(value[1].data, "on", 2) == 0) {
        gate->enable = 1;

    } else if (value[1].len == 3 && ngx_strncmp(value[1].data, "off", 3) == 0)
    {
        if (cf->args->nelts == 3) {
            return "takes no parameters after \"off\"";
        }

        gate->enable = 0;

    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid parameter \"%V\", \"on\" or \"off\" "
                           "is expected", &value[1]);
        return NGX_CONF_ERROR;
    }

    if (cf->args->nelts == 3) {

        /* status=zone: where the location's counters are kept */

        if (value[2].len <= 7
            || ngx_strncmp(value[2].data, "status=", 7) != 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\", "
                               "\"status=zone\" is expected", &value[2]);
            return NGX_CONF_ERROR;
        }

        s.data = value[2].data + 7;
        s.len = value[2].len - 7;

        gate->status = ngx_http_intercom_webhook_find_zone(cf, &s);

        if (gate->status == NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "unknown zone \"%V\": "
                               "\"intercom_webhook_zone\" must declare it "
                               "before", &s);
            return NGX_CONF_ERROR;
        }
    }

    iwcf->gate = gate;

    return NGX_CONF_OK;
}


/* the enumerations of request-path directives: noted, then set */

char *
ngx_http_intercom_webhook_set_enum(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_intercom_webhook_note(cf, cmd, conf);

    return ngx_conf_set_enum_slot(cf, cmd, conf);
}


char *
ngx_http_intercom_webhook_secret(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_intercom_webhook_loc_conf_t *iwcf = conf;

    char                                *rv;
    u_char                               c;
    ngx_int_t                            rc;
    ngx_str_t                           *value, key, id;
    ngx_uint_t                           i;
    ngx_http_intercom_webhook_secret_t  *secret, *s;

    ngx_http_intercom_webhook_note(cf, cmd, iwcf);

    value = cf->args->elts;

    if (iwcf->secrets == NGX_CONF_UNSET_PTR) {
        iwcf->secrets = ngx_array_create(cf->pool, 2,
                                   sizeof(ngx_http_intercom_webhook_secret_t));
        if (iwcf->secrets == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    if (iwcf->secrets->nelts == NGX_HTTP_INTERCOM_WEBHOOK_MAX_SECRETS) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "too many secrets, at most %d are supported",
                           NGX_HTTP_INTERCOM_WEBHOOK_MAX_SECRETS);
        return NGX_CONF_ERROR;
    }

    /* the id: "id=name", or the secret's position in the list */

    if (cf->args->nelts == 3) {

        if (value[2].len <= 3
            || ngx_strncmp(value[2].data, "id=", 3) != 0)
        {
            /* the parameter may be the secret itself: it is not shown */

            if (cmd->offset == 1
                || (value[2].len == 3
                    && ngx_strncmp(value[2].data, "id=", 3) == 0))
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid parameter \"%V\", "
                                   "\"id=name\" is expected", &value[2]);

            } else if (value[1].len > 3
                       && ngx_strncmp(value[1].data, "id=", 3) == 0)
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid parameters, the secret comes "
                                   "first: \"%V secret id=name\"",
                                   &cmd->name);

            } else {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid second parameter, "
                                   "\"id=name\" is expected");
            }

            return NGX_CONF_ERROR;
        }

        id.data = value[2].data + 3;
        id.len = value[2].len - 3;

        if (id.len > NGX_HTTP_INTERCOM_WEBHOOK_MAX_ID) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "secret id \"%V\" is too long", &id);
            return NGX_CONF_ERROR;
        }

        for (i = 0; i < id.len; i++) {
            c = ngx_tolower(id.data[i]);

            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                  || c == '_' || c == '-' || c == '.'))
            {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid secret id \"%V\", only letters, "
                                   "digits, \"_\", \"-\" and \".\" "
                                   "are allowed", &id);
                return NGX_CONF_ERROR;
            }
        }

    } else {
        id.data = ngx_pnalloc(cf->pool, NGX_INT_T_LEN);
        if (id.data == NULL) {
            return NGX_CONF_ERROR;
        }

        id.len = ngx_sprintf(id.data, "%ui", iwcf->secrets->nelts + 1)
                 - id.data;
    }

    s = iwcf->secrets->elts;

    for (i = 0; i < iwcf->secrets->nelts; i++) {
        if (s[i].id.len == id.len
            && ngx_strncmp(s[i].id.data, id.data, id.len) == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "duplicate secret id \"%V\"", &id);
            return NGX_CONF_ERROR;
        }
    }

    secret = ngx_array_push(iwcf->secrets);
    if (secret == NULL) {
        return NGX_CONF_ERROR;
    }

    secret->id = id;

    if (cmd->offset == 1) {
        rv = ngx_http_intercom_webhook_secret_read(cf, &value[1], &key);
        if (rv != NGX_CONF_OK) {
            return rv;
        }

    } else {
        key = value[1];

        if (ngx_http_intercom_webhook_secret_blank(key.data, key.len)
            == NGX_OK)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "empty or blank secret in \"%V\"",
                               &cmd->name);
            return NGX_CONF_ERROR;
        }
    }

    rc = ngx_http_intercom_webhook_secret_init(secret, key.data, key.len,
                                               cf->pool);

    if (cmd->offset == 1) {
        OPENSSL_cleanse(key.data, key.len);
    }

    if (rc != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "cannot make an HMAC-SHA1 context for "
                           "the secret \"%V\"", &id);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_intercom_webhook_secret_read(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *key)
{
    u_char           *buf;
    size_t            len;
    ssize_t           n;
    ngx_fd_t          fd;
    ngx_str_t         file;
    ngx_file_info_t   fi;

    file = *name;

    if (file.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "empty secret file name");
        return NGX_CONF_ERROR;
    }

    if (ngx_conf_full_name(cf->cycle, &file, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    fd = ngx_open_file(file.data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);

    if (fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_open_file_n " \"%s\" failed", file.data);
        return NGX_CONF_ERROR;
    }

    buf = NULL;
    n = 0;

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_fd_info_n " \"%s\" failed", file.data);
        goto failed;
    }

    if (ngx_file_size(&fi) > NGX_HTTP_INTERCOM_WEBHOOK_MAX_SECRET) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "secret file \"%s\" is too large, "
                           "a secret of at most %d bytes is expected",
                           file.data, NGX_HTTP_INTERCOM_WEBHOOK_MAX_SECRET);
        goto failed;
    }

    buf = ngx_pnalloc(cf->temp_pool, NGX_HTTP_INTERCOM_WEBHOOK_MAX_SECRET + 1);
    if (buf == NULL) {
        goto failed;
    }

    n = ngx_read_fd(fd, buf, NGX_HTTP_INTERCOM_WEBHOOK_MAX_SECRET + 1);

    if (n == -1) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_read_fd_n " \"%s\" failed", file.data);
        goto failed;
    }

    if (n > NGX_HTTP_INTERCOM_WEBHOOK_MAX_SECRET) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "secret file \"%s\" is too large", file.data);
        goto failed;
    }

    if (ngx_close_file(fd) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_ALERT, cf, ngx_errno,
                           ngx_close_file_n " \"%s\" failed", file.data);
    }

    /* a trailing newline and white space are not part of the secret */

    len = n;

    while (len
           && (buf[len - 1] == ' ' || buf[len - 1] == '\t'
               || buf[len - 1] == CR || buf[len - 1] == LF))
    {
        len--;
    }

    if (ngx_http_intercom_webhook_secret_blank(buf, len) == NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "empty secret in \"%s\"", file.data);
        OPENSSL_cleanse(buf, n);
        return NGX_CONF_ERROR;
    }

    /* the bytes after the secret are wiped now, the secret after use */

    OPENSSL_cleanse(buf + len, n - len);

    ngx_http_intercom_webhook_secret_mode(cf, &file, &fi);
    ngx_http_intercom_webhook_secret_form(cf, &file, buf, len);

    key->data = buf;
    key->len = len;

    return NGX_CONF_OK;

failed:

    if (buf && n > 0) {
        OPENSSL_cleanse(buf, n);
    }

    if (ngx_close_file(fd) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_ALERT, cf, ngx_errno,
                           ngx_close_file_n " \"%s\" failed", file.data);
    }

    return NGX_CONF_ERROR;
}


/*
 * A secret file that the group or others may read (or write) warns: the
 * master process reads it as root, nobody else needs it.
 */

static void
ngx_http_intercom_webhook_secret_mode(ngx_conf_t *cf, ngx_str_t *file,
    ngx_file_info_t *fi)
{
    char        *what;
    ngx_uint_t   mode;

    mode = ngx_file_access(fi);

    if ((mode & 0066) == 0) {
        return;
    }

    if ((mode & 0044) && (mode & 0022)) {
        what = "readable and writable";

    } else if (mode & 0044) {
        what = "readable";

    } else {
        what = "writable";
    }

    ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                       "secret file \"%s\" is %s by group or others "
                       "(mode 0%c%c%c), 0600 or 0400 is expected",
                       file->data, what, (u_char) ('0' + ((mode >> 6) & 7)),
                       (u_char) ('0' + ((mode >> 3) & 7)),
                       (u_char) ('0' + (mode & 7)));
}


/*
 * A secret pasted from a .env file or a shell script (NAME=value, quoted,
 * white space inside) is used as it is and then matches no signature:
 * it warns, naming the file and the form, never the content.  A secret's
 * own "=" (base64 padding) is not NAME=value.
 */

static void
ngx_http_intercom_webhook_secret_form(ngx_conf_t *cf, ngx_str_t *file,
    u_char *key, size_t len)
{
    char    *what;
    u_char   c;
    size_t   i;

    for (i = 0; i < len; i++) {
        c = key[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '_'))
        {
            break;
        }
    }

    if (i > 0 && i + 1 < len && key[i] == '=' && key[i + 1] != '='
        && !(key[0] >= '0' && key[0] <= '9'))
    {
        what = "looks like a NAME=value line (from a .env file?)";
        goto warn;
    }

    if (key[0] == '"' || key[0] == '\'' || key[len - 1] == '"'
        || key[len - 1] == '\'')
    {
        what = "holds a quoted secret, the quotes are taken as part of it";
        goto warn;
    }

    for (i = 0; i < len; i++) {
        c = key[i];

        if (c == ' ' || c == '\t' || c == CR || c == LF || c == '\v'
            || c == '\f')
        {
            what = "holds white space, taken as part of the secret "
                   "(several values, or a line of a .env file?)";
            goto warn;
        }
    }

    return;

warn:

    ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                       "secret file \"%s\" %s: it must hold the secret "
                       "alone, or no signature will match", file->data, what);
}


char *
ngx_http_intercom_webhook_allow(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_intercom_webhook_loc_conf_t *iwcf = conf;

    ngx_int_t   rc;
    ngx_str_t  *value;

    ngx_http_intercom_webhook_note(cf, cmd, iwcf);

    value = cf->args->elts;

    if (iwcf->allow == NGX_CONF_UNSET_PTR) {
        iwcf->allow = ngx_pcalloc(cf->pool,
                                  sizeof(ngx_http_intercom_webhook_allow_t));
        if (iwcf->allow == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    rc = ngx_http_intercom_webhook_allow_add(iwcf->allow, &value[1], cf->pool);

    if (rc == NGX_ERROR) {
        return NGX_CONF_ERROR;
    }

    if (rc == NGX_DECLINED) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid parameter \"%V\", an address, a CIDR "
                           "block, \"intercom\", \"intercom_us\", "
                           "\"intercom_eu\", \"intercom_au\" or \"all\" "
                           "is expected", &value[1]);
        return NGX_CONF_ERROR;
    }

    if (rc == NGX_DONE) {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "low address bits of %V are meaningless",
                           &value[1]);
    }

    return NGX_CONF_OK;
}


char *
ngx_http_intercom_webhook_topics(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_intercom_webhook_loc_conf_t *iwcf = conf;

    ngx_str_t                          *value;
    ngx_uint_t                          i;
    ngx_http_intercom_webhook_topic_t  *topic;

    ngx_http_intercom_webhook_note(cf, cmd, iwcf);

    if (iwcf->topics != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;

    iwcf->topics = ngx_array_create(cf->pool, cf->args->nelts - 1,
                                    sizeof(ngx_http_intercom_webhook_topic_t));
    if (iwcf->topics == NULL) {
        return NGX_CONF_ERROR;
    }

    for (i = 1; i < cf->args->nelts; i++) {
        topic = ngx_array_push(iwcf->topics);
        if (topic == NULL) {
            return NGX_CONF_ERROR;
        }

        if (ngx_http_intercom_webhook_topic_pattern(&value[i], topic)
            != NGX_OK)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid topic pattern \"%V\", a topic, "
                               "\"prefix.*\" or \"*\" is expected",
                               &value[i]);
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


char *
ngx_http_intercom_webhook_header(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_intercom_webhook_loc_conf_t *iwcf = conf;

    u_char                                    c;
    ngx_int_t                                 rc;
    ngx_str_t                                *value, *name;
    ngx_uint_t                                i;
    ngx_http_header_t                        *known;
    ngx_http_intercom_webhook_fields_t        fields;
    ngx_http_intercom_webhook_header_conf_t  *hc;

    ngx_http_intercom_webhook_note(cf, cmd, iwcf);

    value = cf->args->elts;
    name = &value[1];

    if (name->len == 0) {
        goto invalid;
    }

    for (i = 0; i < name->len; i++) {
        c = ngx_tolower(name->data[i]);

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
            goto invalid;
        }
    }

    /*
     * headers that nginx itself handles (Host, Content-Length, ...),
     * the signature and the report mode's mark cannot be set from the
     * payload
     */

    for (known = ngx_http_headers_in; known->name.len; known++) {
        if (known->name.len == name->len
            && ngx_strncasecmp(known->name.data, name->data, name->len) == 0)
        {
            goto reserved;
        }
    }

    if ((name->len == ngx_http_intercom_webhook_signature.len
         && ngx_strncasecmp(name->data,
                            ngx_http_intercom_webhook_signature.data,
                            name->len)
            == 0)
        || (name->len == sizeof("X-Intercom-Verified") - 1
            && ngx_strncasecmp(name->data, (u_char *) "X-Intercom-Verified",
                               name->len)
               == 0))
    {
        goto reserved;
    }

    if (iwcf->header_conf == NGX_CONF_UNSET_PTR) {
        iwcf->header_conf = ngx_array_create(cf->pool, 4,
                              sizeof(ngx_http_intercom_webhook_header_conf_t));
        if (iwcf->header_conf == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    hc = iwcf->header_conf->elts;

    for (i = 0; i < iwcf->header_conf->nelts; i++) {
        if (hc[i].name.len == name->len
            && ngx_strncasecmp(hc[i].name.data, name->data, name->len) == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "duplicate header \"%V\"", name);
            return NGX_CONF_ERROR;
        }
    }

    hc = ngx_array_push(iwcf->header_conf);
    if (hc == NULL) {
        return NGX_CONF_ERROR;
    }

    hc->name = *name;

    if (value[2].len == 3 && ngx_strncmp(value[2].data, "off", 3) == 0) {
        ngx_str_null(&hc->path);
        return NGX_CONF_OK;
    }

    /* the path is checked here, to report it at its line */

    ngx_memzero(&fields, sizeof(ngx_http_intercom_webhook_fields_t));

    rc = ngx_http_intercom_webhook_fields_add(&fields, &value[2],
                                              cf->temp_pool);
    if (rc == NGX_ERROR) {
        return NGX_CONF_ERROR;
    }

    if (rc == NGX_DECLINED) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid payload path \"%V\"", &value[2]);
        return NGX_CONF_ERROR;
    }

    hc->path = value[2];

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid header name \"%V\"", name);
    return NGX_CONF_ERROR;

reserved:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "header \"%V\" cannot be set by \"%V\"",
                       name, &cmd->name);
    return NGX_CONF_ERROR;
}


char *
ngx_http_intercom_webhook_unavailable(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_intercom_webhook_loc_conf_t *iwcf = conf;

    ngx_int_t   status;
    ngx_str_t  *value, s;

    ngx_http_intercom_webhook_note(cf, cmd, iwcf);

    if (iwcf->unavailable != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len == 3 && ngx_strncmp(value[1].data, "off", 3) == 0) {

        if (cf->args->nelts == 3) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\" after \"off\"",
                               &value[2]);
            return NGX_CONF_ERROR;
        }

        iwcf->unavailable = 0;
        iwcf->retry_after = -1;

        return NGX_CONF_OK;
    }

    status = ngx_atoi(value[1].data, value[1].len);

    /* any failure Intercom retries: 4xx and 5xx, but never 410 */

    if (status == NGX_ERROR || status < 400 || status > 599
        || status == NGX_HTTP_INTERCOM_WEBHOOK_GONE)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid status \"%V\", a 4xx or 5xx status "
                           "other than 410, or \"off\" is expected",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    iwcf->unavailable = status;
    iwcf->retry_after = -1;

    if (cf->args->nelts == 2) {
        return NGX_CONF_OK;
    }

    if (value[2].len <= 12
        || ngx_strncmp(value[2].data, "retry_after=", 12) != 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid parameter \"%V\", "
                           "\"retry_after=time\" is expected", &value[2]);
        return NGX_CONF_ERROR;
    }

    s.data = value[2].data + 12;
    s.len = value[2].len - 12;

    iwcf->retry_after = ngx_parse_time(&s, 1);

    if (iwcf->retry_after == (time_t) NGX_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\" of \"retry_after\"",
                           &value[2]);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


char *
ngx_http_intercom_webhook_max_age(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_intercom_webhook_loc_conf_t *iwcf = conf;

    ngx_str_t  *value;

    ngx_http_intercom_webhook_note(cf, cmd, iwcf);

    if (iwcf->max_age != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len == 3 && ngx_strncmp(value[1].data, "off", 3) == 0) {
        iwcf->max_age = 0;
        return NGX_CONF_OK;
    }

    iwcf->max_age = ngx_parse_time(&value[1], 1);

    if (iwcf->max_age == (time_t) NGX_ERROR || iwcf->max_age == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\", a time or \"off\" "
                           "is expected", &value[1]);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}
