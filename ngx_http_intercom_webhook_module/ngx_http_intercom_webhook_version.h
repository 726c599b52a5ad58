
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


#ifndef _NGX_HTTP_INTERCOM_WEBHOOK_VERSION_H_INCLUDED_
#define _NGX_HTTP_INTERCOM_WEBHOOK_VERSION_H_INCLUDED_


/*
 * The module's version, in this one place: CHANGES, debian/changelog and
 * docs/directives.md must say the same (util/version check).
 */

#define NGX_HTTP_INTERCOM_WEBHOOK_VERSION  "0.5.0"


#endif /* _NGX_HTTP_INTERCOM_WEBHOOK_VERSION_H_INCLUDED_ */
