# Variables (issue 2): $intercom_webhook_* in the location that try_files
# passes an accepted notification to (named or URI), in headers added
# there or by the webhook location, and in log_format;
# $intercom_webhook_result for every result; $intercom_webhook_secret_id.
# A "return" in the webhook location itself would answer before the
# module checks anything: the blocks return from the try_files target.

use Test::Nginx::Socket;
use FindBin ();
use lib "$FindBin::Bin/lib";
use IntercomWebhook;
use Digest::SHA ();

repeat_each(2);

# the checks of one round, block by block in file order ("n * c": n blocks
# of c checks each)
plan tests => repeat_each() * (3 + 5 + 3 + 27 + 4 + 3 + 3 + 4 + 3 + 3);

run_tests();

__DATA__

=== TEST 1: every field variable in a named location reached by try_files
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app {
        return 202 "topic=$intercom_webhook_topic id=$intercom_webhook_id app=$intercom_webhook_app_id type=$intercom_webhook_item_type item=$intercom_webhook_item_id attempts=$intercom_webhook_delivery_attempts created=$intercom_webhook_created_at secret=$intercom_webhook_secret_id result=$intercom_webhook_result\n";
    }
--- request eval
"POST /hook\n" . ::payload("contact.user.created.json")
--- more_headers eval
::signed(::payload("contact.user.created.json"))
--- error_code: 202
--- response_body
topic=contact.user.created id=notif_00000000-0000-4001-bc6e-f372fe94f82a app=q3fz8k2m type=contact item=69b1e2f40c1d2e3f4a5b6c7d attempts=1 created=1764412800 secret=1 result=accepted
--- no_error_log
[error]



=== TEST 2: every variable in a URI reached by try_files, and in a header it adds
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent /internal/app;
        intercom_webhook_secret it-secret id=current;
        intercom_webhook_allow all;
    }
    location /internal/ {
        internal;
        add_header X-Topic $intercom_webhook_topic always;
        add_header X-Secret $intercom_webhook_secret_id always;
        return 202 "uri=$uri topic=$intercom_webhook_topic id=$intercom_webhook_id app=$intercom_webhook_app_id type=$intercom_webhook_item_type item=$intercom_webhook_item_id attempts=$intercom_webhook_delivery_attempts created=$intercom_webhook_created_at secret=$intercom_webhook_secret_id result=$intercom_webhook_result\n";
    }
--- request eval
"POST /hook\n" . ::payload("conversation.user.created.json")
--- more_headers eval
::signed(::payload("conversation.user.created.json"))
--- error_code: 202
--- response_headers
X-Topic: conversation.user.created
X-Secret: current
--- response_body
uri=/internal/app topic=conversation.user.created id=notif_00000000-0000-4000-9e37-79b97f4a7c15 app=q3fz8k2m type=conversation item=87120044511 attempts=1 created=1764412800 secret=current result=accepted
--- no_error_log
[error]



=== TEST 3: a variable read before the body (rewrite phase) is not cached: the try_files target sees the value
--- config
    location = /hook {
        set $early "[$intercom_webhook_topic][$intercom_webhook_result]";
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        add_header X-Early $early always;
    }
    location @app {
        return 202 "early=$early topic=$intercom_webhook_topic result=$intercom_webhook_result\n";
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 202
--- response_body
early=[][] topic=conversation.user.created result=accepted
--- no_error_log
[error]



=== TEST 4: $intercom_webhook_result for every result (headers added by both locations)
--- config
    location = /hook {
        set_real_ip_from 127.0.0.1;
        real_ip_header X-Forwarded-For;
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow 127.0.0.1;
        intercom_webhook_topics contact.*;
        add_header X-Result $intercom_webhook_result always;
    }
    location @app {
        add_header X-Result $intercom_webhook_result always;
        return 202 "app\n";
    }
--- request eval
["POST /hook\n" . ::event("contact.deleted"),
 "POST /hook\n" . ::event("conversation.user.created"),
 "POST /hook\n" . ::payload("ping.json"),
 "HEAD /hook",
 "POST /hook\n" . ::event("contact.deleted"),
 "POST /hook\n" . ::event("contact.deleted"),
 "POST /hook\n" . ::event("contact.deleted"),
 "POST /hook\n" . "{]",
 "GET /hook"]
--- more_headers eval
[::signed(::event("contact.deleted")),
 ::signed(::event("conversation.user.created")),
 ::signed(::payload("ping.json")),
 "",
 ::signed(::event("contact.deleted"), undef, "X-Forwarded-For: 10.9.9.9"),
 "",
 ::signed(::event("contact.deleted"), "wrong"),
 ::signed("{]"),
 ""]
--- error_code eval
[202, 200, 200, 200, 403, 401, 401, 400, 405]
--- response_headers eval
["X-Result: accepted", "X-Result: ignored", "X-Result: ping",
 "X-Result: validation", "X-Result: forbidden", "X-Result: unsigned",
 "X-Result: bad_signature", "X-Result: bad_payload",
 "X-Result: method_not_allowed"]
--- response_body_like eval
["^app\n\\z", "^\\z", "^\\z", "^\\z", ::error_page(403), ::error_page(401),
 ::error_page(401), ::error_page(400), ::error_page(405)]



=== TEST 5: log_format: the variables of an accepted notification in the access log
--- http_config
    log_format iw 'iw $status $intercom_webhook_result topic=$intercom_webhook_topic id=$intercom_webhook_id app=$intercom_webhook_app_id item=$intercom_webhook_item_type/$intercom_webhook_item_id attempts=$intercom_webhook_delivery_attempts created=$intercom_webhook_created_at secret=$intercom_webhook_secret_id';
--- config
    location = /hook {
        access_log $TEST_NGINX_SERVER_ROOT/logs/access.log iw;
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret other-secret;
        intercom_webhook_secret it-secret id=current;
        intercom_webhook_allow all;
    }
    location @app {
        access_log $TEST_NGINX_SERVER_ROOT/logs/access.log iw;
        return 202 "app\n";
    }
--- request eval
"POST /hook\n" . ::payload("contact.deleted.json")
--- more_headers eval
::signed(::payload("contact.deleted.json"))
--- error_code: 202
--- response_body
app
--- access_log
iw 202 accepted topic=contact.deleted id=notif_00000000-0000-4001-9aa6-6d2c7ddf743f app=q3fz8k2m item=contact/69b1e2f40c1d2e3f4a5b6c7d attempts=1 created=1764412800 secret=current
--- no_error_log
[error]



=== TEST 6: log_format: a rejected notification logs its result and no fields
--- http_config
    log_format iw 'iw $status $intercom_webhook_result topic=$intercom_webhook_topic secret=$intercom_webhook_secret_id';
--- config
    location = /hook {
        access_log $TEST_NGINX_SERVER_ROOT/logs/access.log iw;
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("contact.deleted")
--- more_headers eval
::signed(::event("contact.deleted"), "wrong")
--- error_code: 401
--- response_body_like eval: ::error_page(401)
--- access_log
iw 401 bad_signature topic=- secret=-



=== TEST 7: log_format: an ignored topic logs its fields and the secret
--- http_config
    log_format iw 'iw $status $intercom_webhook_result topic=$intercom_webhook_topic secret=$intercom_webhook_secret_id';
--- config
    location = /hook {
        access_log $TEST_NGINX_SERVER_ROOT/logs/access.log iw;
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret id=k1;
        intercom_webhook_allow all;
        intercom_webhook_topics ticket.*;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("contact.deleted")
--- more_headers eval
::signed(::event("contact.deleted"))
--- error_code: 200
--- response_body
--- access_log
iw 200 ignored topic=contact.deleted secret=k1



=== TEST 8: a payload rejected for its topic leaves $intercom_webhook_topic empty
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        add_header X-Vars "[$intercom_webhook_topic][$intercom_webhook_app_id][$intercom_webhook_secret_id][$intercom_webhook_result]" always;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("bad topic")
--- more_headers eval
::signed(::event("bad topic"))
--- error_code: 400
--- response_headers
X-Vars: [][q3fz8k2m][1][bad_payload]
--- response_body_like eval: ::error_page(400)
--- error_log eval
::logged('error', 'invalid payload: invalid "topic"')



=== TEST 9: outside a webhook location the variables are empty
--- config
    location = /other {
        return 200 "[$intercom_webhook_topic][$intercom_webhook_id][$intercom_webhook_secret_id][$intercom_webhook_result]\n";
    }
--- request
GET /other
--- error_code: 200
--- response_body
[][][][]
--- no_error_log
[error]



=== TEST 10: a value with control characters is not a variable's either; null fields neither
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app {
        return 202 "[$intercom_webhook_item_id][$intercom_webhook_id][$intercom_webhook_app_id][$intercom_webhook_item_type]\n";
    }
--- request eval
"POST /hook\n" . ::event("contact.deleted", id => 'null', data => '{"item":{"type":"con\u001btact","id":"a\nb"}}')
--- more_headers eval
::signed(::event("contact.deleted", id => 'null', data => '{"item":{"type":"con\u001btact","id":"a\nb"}}'))
--- error_code: 202
--- response_body
[][][q3fz8k2m][]
--- no_error_log
[error]
