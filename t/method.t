# Methods (issue 2, request path step 1): HEAD from an allowed address is
# Intercom's URL check (200, no body, nothing forwarded); methods other
# than POST and HEAD get 405 with "Allow: POST, HEAD", checked before the
# allowlist.
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
plan tests => repeat_each() * (6 + 4 + 4 + 6 + 5 + 5 + 9 + 5 + 3);

run_tests();

__DATA__

=== TEST 1: HEAD from an allowed address: 200, no body, not forwarded, no signature needed
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow 127.0.0.1;
        add_header X-Result $intercom_webhook_result;
    }
    location @app { return 202 "app\n"; }
--- request
HEAD /hook
--- error_code: 200
--- response_headers
X-Result: validation
Content-Length: 0
--- response_body
--- no_error_log
[error]
intercom webhook: forward



=== TEST 2: HEAD from a denied address: 403
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        add_header X-Result $intercom_webhook_result always;
    }
    location @app { return 202 "app\n"; }
--- request
HEAD /hook
--- error_code: 403
--- response_headers
X-Result: forbidden
--- response_body
--- error_log eval
::logged('error', 'client 127.0.0.1 is not in the allowlist', 'HEAD /hook HTTP/1.1')



=== TEST 3: HEAD with a body from an allowed address: 200, the body is discarded
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        add_header X-Result $intercom_webhook_result;
    }
    location @app { return 202 "app\n"; }
--- request eval
"HEAD /hook\n" . ::event("conversation.user.created")
--- error_code: 200
--- response_headers
X-Result: validation
--- response_body
--- no_error_log
[error]



=== TEST 4: GET: 405 with "Allow: POST, HEAD"
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        add_header X-Result $intercom_webhook_result always;
    }
    location @app { return 202 "app\n"; }
--- request
GET /hook
--- error_code: 405
--- response_headers
Allow: POST, HEAD
X-Result: method_not_allowed
--- response_body_like eval: ::error_page(405)
--- error_log eval
::logged('error', 'method "GET" not allowed', 'GET /hook HTTP/1.1')
--- grep_error_log eval: qr/\[(?:error|warn|notice|info)\] .*?\Kintercom webhook: [^,]*/
--- grep_error_log_out
intercom webhook: method "GET" not allowed



=== TEST 5: PUT with a correctly signed notification: 405
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        add_header X-Result $intercom_webhook_result always;
    }
    location @app { return 202 "app\n"; }
--- request eval
"PUT /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 405
--- response_headers
Allow: POST, HEAD
X-Result: method_not_allowed
--- response_body_like eval: ::error_page(405)
--- error_log eval
::logged('error', 'method "PUT" not allowed', 'PUT /hook HTTP/1.1')



=== TEST 6: DELETE from a denied address: 403, the allowlist is checked before the method
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        add_header X-Result $intercom_webhook_result always;
    }
    location @app { return 202 "app\n"; }
--- request
DELETE /hook
--- error_code: 403
--- response_headers
Allow:
X-Result: forbidden
--- error_log eval
::logged('error', 'client 127.0.0.1 is not in the allowlist', 'DELETE /hook HTTP/1.1')
--- no_error_log
not allowed



=== TEST 7: OPTIONS, PATCH and an unknown method: 405
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
["OPTIONS /hook", "PATCH /hook\n" . ::event("conversation.user.created"), "FOO /hook"]
--- error_code eval
[405, 405, 405]
--- response_headers eval
["Allow: POST, HEAD", "Allow: POST, HEAD", "Allow: POST, HEAD"]
--- response_body_like eval
[::error_page(405), ::error_page(405), ::error_page(405)]



=== TEST 8: a method rejected at the info level with intercom_webhook_log_level
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_log_level info;
    }
    location @app { return 202 "app\n"; }
--- request
GET /hook
--- error_code: 405
--- response_headers
Allow: POST, HEAD
--- response_body_like eval: ::error_page(405)
--- error_log eval
::logged('info', 'method "GET" not allowed', 'GET /hook HTTP/1.1')
--- no_error_log
[error]



=== TEST 9: POST from an allowed address is processed (the control for the blocks above)
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app $request_method $http_x_intercom_topic\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 202
--- response_body
app POST conversation.user.created
--- no_error_log
[error]
