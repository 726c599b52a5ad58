
/*
 * Copyright (C) The ngx_http_intercom_webhook_module authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_intercom_webhook_module.h"


/*
 * The topics Intercom documents, for the check of intercom_webhook_topics
 * at configuration time: a pattern that matches none of them is probably
 * a typo ("contact.user.create", "Conversation.*"), and the notifications
 * it was meant for would be answered 200 and dropped.  Only a warning:
 * Intercom adds topics.
 *
 * Taken on the date below from Intercom's "Webhook Topics" reference
 * (webhook models, API 2.x): its 106 topics, then the legacy and observed
 * names that apps on older API versions may still receive (API 1.x
 * topics, contact.archive of 2.5, contact.unarchived as delivered).  To
 * update it, replace the names, one ngx_string() a line, and the date.
 */

#define NGX_HTTP_INTERCOM_WEBHOOK_TOPICS_DATE  "2026-12-07"


static ngx_str_t  ngx_http_intercom_webhook_documented[] = {

    /* current: Intercom's reference */

    ngx_string("admin.added_to_workspace"),
    ngx_string("admin.away_mode_updated"),
    ngx_string("admin.activity_log_event.created"),
    ngx_string("admin.removed_from_workspace"),
    ngx_string("admin.logged_in"),
    ngx_string("admin.logged_out"),
    ngx_string("article.created"),
    ngx_string("article.updated"),
    ngx_string("article.published"),
    ngx_string("article.unpublished"),
    ngx_string("article.deleted"),
    ngx_string("audience.created"),
    ngx_string("audience.updated"),
    ngx_string("audience.deleted"),
    ngx_string("audience.member_added"),
    ngx_string("audience.member_removed"),
    ngx_string("call.started"),
    ngx_string("call.ended"),
    ngx_string("call.transcription_available"),
    ngx_string("call.recording_available"),
    ngx_string("content_import_source.created"),
    ngx_string("content_import_source.updated"),
    ngx_string("content_import_source.deleted"),
    ngx_string("content_snippet.created"),
    ngx_string("content_snippet.updated"),
    ngx_string("content_snippet.deleted"),
    ngx_string("company.created"),
    ngx_string("company.deleted"),
    ngx_string("company.updated"),
    ngx_string("company.contact.attached"),
    ngx_string("company.contact.detached"),
    ngx_string("contact.archived"),
    ngx_string("contact.deleted"),
    ngx_string("contact.email.updated"),
    ngx_string("contact.lead.added_email"),
    ngx_string("contact.lead.created"),
    ngx_string("contact.lead.signed_up"),
    ngx_string("contact.lead.tag.created"),
    ngx_string("contact.lead.tag.deleted"),
    ngx_string("contact.lead.updated"),
    ngx_string("contact.merged"),
    ngx_string("contact.subscribed"),
    ngx_string("contact.unarchive"),
    ngx_string("contact.unsubscribed"),
    ngx_string("contact.user.created"),
    ngx_string("contact.user.tag.created"),
    ngx_string("contact.user.tag.deleted"),
    ngx_string("contact.user.updated"),
    ngx_string("conversation.admin.assigned"),
    ngx_string("conversation.admin.closed"),
    ngx_string("conversation.admin.noted"),
    ngx_string("conversation.admin.open.assigned"),
    ngx_string("conversation.admin.opened"),
    ngx_string("conversation.admin.replied"),
    ngx_string("conversation.admin.single.created"),
    ngx_string("conversation.admin.snoozed"),
    ngx_string("conversation.admin.unsnoozed"),
    ngx_string("conversation.operator.replied"),
    ngx_string("conversation.deleted"),
    ngx_string("conversation_part.redacted"),
    ngx_string("conversation_part.tag.created"),
    ngx_string("conversation.priority.updated"),
    ngx_string("conversation.rating.added"),
    ngx_string("conversation.read"),
    ngx_string("conversation.user.created"),
    ngx_string("conversation.user.replied"),
    ngx_string("conversation.contact.attached"),
    ngx_string("conversation.contact.detached"),
    ngx_string("conversation.company.updated"),
    ngx_string("content_stat.banner"),
    ngx_string("content_stat.carousel"),
    ngx_string("content_stat.chat"),
    ngx_string("content_stat.checklist"),
    ngx_string("content_stat.custom_bot"),
    ngx_string("content_stat.email"),
    ngx_string("content_stat.news_item"),
    ngx_string("content_stat.post"),
    ngx_string("content_stat.push"),
    ngx_string("content_stat.series"),
    ngx_string("content_stat.series.webhook"),
    ngx_string("content_stat.sms"),
    ngx_string("content_stat.survey"),
    ngx_string("content_stat.tooltip_group"),
    ngx_string("content_stat.tour"),
    ngx_string("event.created"),
    ngx_string("api.request.completed"),
    ngx_string("job.completed"),
    ngx_string("ping"),
    ngx_string("granular.unsubscribe"),
    ngx_string("granular.subscribe"),
    ngx_string("ticket.created"),
    ngx_string("ticket.state.updated"),
    ngx_string("ticket.note.created"),
    ngx_string("ticket.admin.assigned"),
    ngx_string("ticket.team.assigned"),
    ngx_string("ticket.contact.attached"),
    ngx_string("ticket.contact.detached"),
    ngx_string("ticket.attribute.updated"),
    ngx_string("ticket.admin.replied"),
    ngx_string("ticket.contact.replied"),
    ngx_string("ticket.closed"),
    ngx_string("ticket.rating.provided"),
    ngx_string("ticket.resolved"),
    ngx_string("visitor.signed_up"),
    ngx_string("data_connector.execution.completed"),
    ngx_string("procedure.hitl_notification.created"),

    /* legacy and observed */

    ngx_string("user.created"),
    ngx_string("user.deleted"),
    ngx_string("user.unsubscribed"),
    ngx_string("user.unsubscribed_from_sms"),
    ngx_string("user.email.updated"),
    ngx_string("user.tag.created"),
    ngx_string("user.tag.deleted"),
    ngx_string("contact.created"),
    ngx_string("contact.signed_up"),
    ngx_string("contact.added_email"),
    ngx_string("contact.updated"),
    ngx_string("contact.tag.created"),
    ngx_string("contact.tag.deleted"),
    ngx_string("contact.archive"),
    ngx_string("contact.unarchived"),

    ngx_null_string
};


static ngx_uint_t ngx_http_intercom_webhook_topics_distance(ngx_str_t *a,
    u_char *b, size_t blen);


/*
 * Warns when a pattern of intercom_webhook_topics matches none of the
 * documented topics, naming the nearest (by edit distance): a topic for
 * an exact name, a prefix ending at a dot of a topic for "prefix.*".
 */

void
ngx_http_intercom_webhook_topics_check(ngx_conf_t *cf,
    ngx_http_intercom_webhook_topic_t *topic)
{
    size_t       i;
    ngx_str_t   *t, nearest;
    ngx_uint_t   d, best;

    if (topic->any) {
        return;
    }

    best = NGX_MAX_UINT32_VALUE;
    ngx_str_null(&nearest);

    for (t = ngx_http_intercom_webhook_documented; t->len; t++) {

        if (topic->prefix) {

            /* topic->name is "conversation.", as topic_match() takes it */

            if (t->len > topic->name.len
                && ngx_strncmp(t->data, topic->name.data, topic->name.len)
                   == 0)
            {
                return;
            }

            for (i = 0; i < t->len; i++) {
                if (t->data[i] != '.') {
                    continue;
                }

                d = ngx_http_intercom_webhook_topics_distance(&topic->name,
                                                              t->data, i + 1);
                if (d < best) {
                    best = d;
                    nearest.data = t->data;
                    nearest.len = i + 1;
                }
            }

            continue;
        }

        if (t->len == topic->name.len
            && ngx_strncmp(t->data, topic->name.data, t->len) == 0)
        {
            return;
        }

        d = ngx_http_intercom_webhook_topics_distance(&topic->name, t->data,
                                                      t->len);
        if (d < best) {
            best = d;
            nearest = *t;
        }
    }

    ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                       "topic pattern \"%V%s\" matches none of the topics "
                       "Intercom documents (the module's list of "
                       NGX_HTTP_INTERCOM_WEBHOOK_TOPICS_DATE "), the nearest "
                       "is \"%V%s\": notifications meant for it would be "
                       "answered 200 and dropped",
                       &topic->name, topic->prefix ? "*" : "",
                       &nearest, topic->prefix ? "*" : "");
}


/* Levenshtein's distance, with one row: a is at most MAX_TOPIC bytes */

static ngx_uint_t
ngx_http_intercom_webhook_topics_distance(ngx_str_t *a, u_char *b,
    size_t blen)
{
    size_t      i, j, alen;
    ngx_uint_t  diag, up, d;
    ngx_uint_t  row[NGX_HTTP_INTERCOM_WEBHOOK_MAX_TOPIC + 1];

    alen = ngx_min(a->len, NGX_HTTP_INTERCOM_WEBHOOK_MAX_TOPIC);

    for (j = 0; j <= alen; j++) {
        row[j] = j;
    }

    for (i = 1; i <= blen; i++) {
        diag = row[0];
        row[0] = i;

        for (j = 1; j <= alen; j++) {
            up = row[j];

            d = diag + (b[i - 1] != a->data[j - 1]);
            d = ngx_min(d, up + 1);
            d = ngx_min(d, row[j - 1] + 1);

            row[j] = d;
            diag = up;
        }
    }

    return row[alen];
}
