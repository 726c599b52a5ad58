# intercom_webhook_ping (issue 2, request path step 6): a signed "ping" is
# answered 200 without forwarding (respond, the default) or forwarded
# like any notification (forward); it is verified like any other.
#
# Accepted notifications go on by "try_files /nonexistent @app" to a
# location that shows what reached it: a "return" in the webhook
# location itself would answer before the module checks anything.

use Test::Nginx::Socket;
use FindBin ();
use lib "$FindBin::Bin/lib";
use IntercomWebhook;
use Digest::SHA ();

repeat_each(2);

# the checks of one round, block by block in file order ("n * c": n blocks
# of c checks each)
plan tests => repeat_each() * (7 + 5 + 5 + 4 + 4 + 3 + 6 + 4 + 2);

run_tests();

__DATA__

=== TEST 1: respond (the default): 200, empty, not forwarded
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        add_header X-Result $intercom_webhook_result;
        add_header X-Topic $intercom_webhook_topic;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::payload("ping.json")
--- more_headers eval
::signed(::payload("ping.json"))
--- error_code: 200
--- response_headers
X-Result: ping
X-Topic: ping
Content-Length: 0
--- response_body
--- no_error_log
[error]
intercom webhook: forward



=== TEST 2: respond, set explicitly
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_ping respond;
        add_header X-Result $intercom_webhook_result;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::payload("ping.json")
--- more_headers eval
::signed(::payload("ping.json"))
--- error_code: 200
--- response_headers
X-Result: ping
--- response_body
--- no_error_log
[error]
intercom webhook: forward



=== TEST 3: forward: the ping goes on with its headers (no X-Intercom-Notification-Id: its id is null)
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_ping forward;
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_query eval
::upstream("/hook", ::payload("ping.json"),
           "X-Hub-Signature: " . ::sig(::payload("ping.json")),
           "X-Intercom-Topic: ping",
           "X-Intercom-App-Id: q3fz8k2m",
           "X-Intercom-Item-Type: ping",
           "X-Intercom-Delivery-Attempts: 1",
           "X-Intercom-Created-At: 1764412800")
--- tcp_reply eval
"HTTP/1.0 204 No Content\r\n\r\n"
--- request eval
"POST /hook\n" . ::payload("ping.json")
--- more_headers eval
::signed(::payload("ping.json"))
--- error_code: 204
--- response_body
--- no_error_log
[error]
ping answered



=== TEST 4: an unsigned ping gets 401
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::payload("ping.json")
--- error_code: 401
--- response_body_like eval: ::error_page(401)
--- error_log eval
::logged('error', 'no "X-Hub-Signature" header')
--- no_error_log
ping answered



=== TEST 5: a ping signed with another secret gets 401
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::payload("ping.json")
--- more_headers eval
::signed(::payload("ping.json"), "old-secret")
--- error_code: 401
--- response_body_like eval: ::error_page(401)
--- error_log eval
::logged('error', 'signature mismatch')
--- no_error_log
ping answered



=== TEST 6: a ping from a denied address gets 403
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::payload("ping.json")
--- more_headers eval
::signed(::payload("ping.json"))
--- error_code: 403
--- response_body_like eval: ::error_page(403)
--- error_log eval
::logged('error', 'client 127.0.0.1 is not in the allowlist')



=== TEST 7: the mode is inherited from the http and server levels
--- http_config
    intercom_webhook_ping forward;
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location = /hook2 {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_ping respond;
    }
    location @app { return 202 "app $http_x_intercom_topic\n"; }
--- request eval
["POST /hook\n" . ::payload("ping.json"), "POST /hook2\n" . ::payload("ping.json")]
--- more_headers eval
[::signed(::payload("ping.json")), ::signed(::payload("ping.json"))]
--- error_code eval
[202, 200]
--- response_body eval
["app ping\n", ""]
--- no_error_log
[error]



=== TEST 8: only the topic makes a ping: an item of type "ping" under another topic is a notification
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app $http_x_intercom_topic $http_x_intercom_item_type\n"; }
--- request eval
"POST /hook\n" . ::event("ping.more", data => '{"item":{"type":"ping"}}')
--- more_headers eval
::signed(::event("ping.more", data => '{"item":{"type":"ping"}}'))
--- error_code: 202
--- response_body
app ping.more ping
--- no_error_log
[error]
ping answered



=== TEST 9: respond: the debug line says so (with --with-debug)
--- skip_eval: 2: ::no_debug()
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::payload("ping.json")
--- more_headers eval
::signed(::payload("ping.json"))
--- error_code: 200
--- error_log
intercom webhook: ping answered
--- log_level: debug
