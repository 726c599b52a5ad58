# The gate (issue 14): "intercom_webhook on" verifies in the precontent
# phase, before try_files and mirror, whatever the order of the
# directives; an accepted notification goes on to whatever the location
# does (proxy_pass, try_files to a named location, a nested location, an
# "if" block, limit_except, auth_request before it).  For each of these a
# forged and an unsigned request get 401 and reach nothing (the upstream
# on port 1985 or 1986 does not listen then: a request that reached it
# would log "connect() failed"), and a genuine one reaches the
# application once, byte for byte, with the module's headers.  The
# gate's own answers are final: error_page does not redirect them.  A
# verified request is not verified again after an internal redirect, and
# an unverified one redirected into a webhook location is verified there.

use Test::Nginx::Socket;
use FindBin ();
use lib "$FindBin::Bin/lib";
use IntercomWebhook;

repeat_each(2);

plan tests => repeat_each() * 105;

run_tests();

__DATA__

=== TEST 1: try_files to a named location, written before "on": a genuine notification reaches it, byte for byte
--- config
    location = /hook {
        try_files /nonexistent @app;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { proxy_http_version 1.0; proxy_pass http://127.0.0.1:1985; }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::event("conversation.user.created");
::upstream("/hook", $b, "X-Hub-Signature: " . ::sig($b),
           ::defaults("conversation.user.created"))
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- response_body
ok
--- no_error_log
[error]



=== TEST 2: try_files written after "on": the same
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        try_files /nonexistent @app;
    }
    location @app { proxy_http_version 1.0; proxy_pass http://127.0.0.1:1985; }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::event("conversation.user.created");
::upstream("/hook", $b, "X-Hub-Signature: " . ::sig($b),
           ::defaults("conversation.user.created"))
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- response_body
ok
--- no_error_log
[error]



=== TEST 3: try_files, either order: a forged and an unsigned request get 401 and never reach the named location
--- config
    location = /hook {
        try_files /nonexistent @app;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location = /hook2 {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        try_files /nonexistent @app;
    }
    location @app { proxy_pass http://127.0.0.1:1985; }
--- request eval
["POST /hook\n" . ::event("conversation.user.created"),
 "POST /hook\n" . ::event("conversation.user.created"),
 "POST /hook2\n" . ::event("conversation.user.created"),
 "POST /hook2\n" . ::event("conversation.user.created")]
--- more_headers eval
[::signed(::event("conversation.user.created"), "forged"), "",
 ::signed(::event("conversation.user.created"), "forged"), ""]
--- error_code eval
[401, 401, 401, 401]
--- no_error_log
connect() failed



=== TEST 4: error_page at server level: the gate's 401, 403 and 405 are final, never redirected to the application
--- config
    error_page 400 401 403 405 413 = @app;
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow 10.0.0.0/8;
        proxy_pass http://127.0.0.1:1985;
    }
    location = /hook2 {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1985;
    }
    location @app { proxy_pass http://127.0.0.1:1985; }
--- request eval
["POST /hook\n" . ::event("conversation.user.created"),
 "POST /hook2\n" . ::event("conversation.user.created"),
 "POST /hook2\n" . ::event("conversation.user.created"),
 "GET /hook2"]
--- more_headers eval
[::signed(::event("conversation.user.created")),
 ::signed(::event("conversation.user.created"), "forged"), "", ""]
--- error_code eval
[403, 401, 401, 405]
--- response_body_like eval
[::error_page(403), ::error_page(401), ::error_page(401), ::error_page(405)]
--- no_error_log
connect() failed



=== TEST 5: error_page at server level: a genuine notification reaches the application, once
--- config
    error_page 400 401 403 405 413 = @app;
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1985;
    }
    location @app { proxy_pass http://127.0.0.1:1; }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::event("conversation.user.created");
::upstream("/hook", $b, "X-Hub-Signature: " . ::sig($b),
           ::defaults("conversation.user.created"))
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- response_body
ok
--- no_error_log
[error]



=== TEST 6: error_page: a 400 for a bad payload is final too
--- config
    error_page 400 401 403 405 413 = @app;
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1985;
    }
    location @app { proxy_pass http://127.0.0.1:1985; }
--- request eval
"POST /hook\n{\"type\":\"notification_event\","
--- more_headers eval
::signed("{\"type\":\"notification_event\",")
--- error_code: 400
--- response_body_like eval
::error_page(400)
--- no_error_log
connect() failed



=== TEST 7: error_page: a chunked body over client_max_body_size gets a final 413
--- config
    error_page 400 401 403 405 413 = @app;
    location = /hook {
        client_max_body_size 100;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1985;
    }
    location @app { proxy_pass http://127.0.0.1:1985; }
--- raw_request eval
my $b = ::event("conversation.user.created");
"POST /hook HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
. "X-Hub-Signature: " . ::sig($b) . "\r\n"
. "Transfer-Encoding: chunked\r\n\r\n"
. sprintf("%x\r\n%s\r\n0\r\n\r\n", length($b), $b)
--- error_code: 413
--- no_error_log
connect() failed



=== TEST 8: error_page: a body over client_max_body_size by its Content-Length gets a final 413, logged with the size
--- config
    error_page 400 401 403 405 413 = @app;
    location = /hook {
        client_max_body_size 100;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1985;
    }
    location @app { proxy_pass http://127.0.0.1:1985; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 413
--- response_body_like eval
::error_page(413)
--- error_log eval
qr/\[error\] .*intercom webhook: notification of \d+ bytes refused, larger than client_max_body_size 100/
--- no_error_log
connect() failed



=== TEST 9: mirror, written before "on": a forged or an unsigned request is not mirrored
--- config
    location = /hook {
        mirror /staging;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1985;
    }
    location = /staging {
        internal;
        proxy_pass http://127.0.0.1:1986;
    }
--- request eval
["POST /hook\n" . ::event("conversation.user.created"),
 "POST /hook\n" . ::event("conversation.user.created")]
--- more_headers eval
[::signed(::event("conversation.user.created"), "forged"), ""]
--- error_code eval
[401, 401]
--- no_error_log
connect() failed



=== TEST 10: mirror, written after "on": a genuine notification reaches the application, and is mirrored after verification
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        mirror /staging;
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1985;
    }
    location = /staging {
        internal;
        proxy_pass http://127.0.0.1:1986;
    }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::event("conversation.user.created");
::upstream("/hook", $b, "X-Hub-Signature: " . ::sig($b),
           ::defaults("conversation.user.created"))
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- response_body
ok
--- error_log eval
qr/connect\(\) failed .* upstream: "http:\/\/127\.0\.0\.1:1986\/staging"/



=== TEST 11: auth_request in a webhook location: decided first; then forged and unsigned requests get 401
--- config
    location = /hook {
        auth_request /auth;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1985;
    }
    location = /auth {
        internal;
        return 204;
    }
--- request eval
["POST /hook\n" . ::event("conversation.user.created"),
 "POST /hook\n" . ::event("conversation.user.created")]
--- more_headers eval
[::signed(::event("conversation.user.created"), "forged"), ""]
--- error_code eval
[401, 401]
--- no_error_log
connect() failed



=== TEST 12: auth_request in a webhook location: a genuine notification reaches the application
--- config
    location = /hook {
        auth_request /auth;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1985;
    }
    location = /auth {
        internal;
        return 204;
    }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::event("conversation.user.created");
::upstream("/hook", $b, "X-Hub-Signature: " . ::sig($b),
           ::defaults("conversation.user.created"))
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- response_body
ok
--- no_error_log
[error]



=== TEST 13: a nested location, an "if" block and limit_except inherit the gate: forged and unsigned requests get 401
--- config
    location /hooks/ {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1985;

        location /hooks/nested {
            proxy_pass http://127.0.0.1:1985;
        }

        location /hooks/if {
            if ($request_method = POST) {
                proxy_pass http://127.0.0.1:1985;
            }
        }

        location /hooks/limit {
            limit_except POST {
                deny all;
            }
            proxy_pass http://127.0.0.1:1985;
        }
    }
--- request eval
["POST /hooks/nested\n" . ::event("conversation.user.created"),
 "POST /hooks/nested\n" . ::event("conversation.user.created"),
 "POST /hooks/if\n" . ::event("conversation.user.created"),
 "POST /hooks/if\n" . ::event("conversation.user.created"),
 "POST /hooks/limit\n" . ::event("conversation.user.created"),
 "POST /hooks/limit\n" . ::event("conversation.user.created")]
--- more_headers eval
[::signed(::event("conversation.user.created"), "forged"), "",
 ::signed(::event("conversation.user.created"), "forged"), "",
 ::signed(::event("conversation.user.created"), "forged"), ""]
--- error_code eval
[401, 401, 401, 401, 401, 401]
--- no_error_log
connect() failed



=== TEST 14: a nested location: a genuine notification reaches its upstream
--- config
    location /hooks/ {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1;

        location /hooks/nested {
            proxy_http_version 1.0;
            proxy_pass http://127.0.0.1:1985;
        }
    }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::event("conversation.user.created");
::upstream("/hooks/nested", $b, "X-Hub-Signature: " . ::sig($b),
           ::defaults("conversation.user.created"))
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- request eval
"POST /hooks/nested\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- response_body
ok
--- no_error_log
[error]



=== TEST 15: an "if" block: a genuine notification reaches its upstream
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1;

        if ($request_method = POST) {
            proxy_pass http://127.0.0.1:1985;
        }
        proxy_http_version 1.0;
    }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::event("conversation.user.created");
::upstream("/hook", $b, "X-Hub-Signature: " . ::sig($b),
           ::defaults("conversation.user.created"))
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- response_body
ok
--- no_error_log
[error]



=== TEST 16: limit_except: a genuine notification reaches the upstream; another method is denied before the gate
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        limit_except POST {
            deny all;
        }
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::event("conversation.user.created");
::upstream("/hook", $b, "X-Hub-Signature: " . ::sig($b),
           ::defaults("conversation.user.created"))
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- request eval
["POST /hook\n" . ::event("conversation.user.created"), "GET /hook"]
--- more_headers eval
[::signed(::event("conversation.user.created")), ""]
--- error_code eval
[200, 403]
--- response_body eval
["ok\n", ::error_page(403)]
--- response_body_like eval
["ok", ::error_page(403)]



=== TEST 17: verified once: try_files into a second webhook location with another secret, the request is not verified again and keeps its variables
--- http_config
    log_format lo 'lo $uri $status $intercom_webhook_result $intercom_webhook_secret_id $intercom_webhook_topic';
--- config
    location = /hook {
        access_log $TEST_NGINX_SERVER_ROOT/logs/access.log lo;
        intercom_webhook on;
        intercom_webhook_secret it-secret id=first;
        intercom_webhook_allow all;
        try_files /nonexistent @app;
    }
    location @app {
        access_log $TEST_NGINX_SERVER_ROOT/logs/access.log lo;
        intercom_webhook on;
        intercom_webhook_secret another-secret id=second;
        intercom_webhook_allow all;
        try_files /nonexistent @final;
    }
    location @final {
        access_log $TEST_NGINX_SERVER_ROOT/logs/access.log lo;
        return 202 "$intercom_webhook_result $intercom_webhook_secret_id $intercom_webhook_topic $http_x_intercom_topic\n";
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created")) . "\nX-Intercom-Topic: forged.by.client"
--- error_code: 202
--- response_body
accepted first conversation.user.created conversation.user.created
--- access_log
lo /hook 202 accepted first conversation.user.created
--- no_error_log
[error]



=== TEST 18: an unverified request redirected into a webhook location is verified there
--- config
    location = /entry {
        try_files /nonexistent /hook;
    }
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        try_files /nonexistent @app;
    }
    location @app { return 202 "app $intercom_webhook_result\n"; }
--- request eval
["POST /entry\n" . ::event("conversation.user.created"),
 "POST /entry\n" . ::event("conversation.user.created"),
 "POST /entry\n" . ::event("conversation.user.created")]
--- more_headers eval
[::signed(::event("conversation.user.created"), "forged"), "",
 ::signed(::event("conversation.user.created"))]
--- error_code eval
[401, 401, 202]
--- response_body_like eval
[::error_page(401), ::error_page(401), qr/^app accepted\n\z/]



=== TEST 19: rewrite-phase directives run before the gate: "return" in a webhook location answers without verification
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        return 204;
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- error_code: 204
--- no_error_log
intercom webhook



=== TEST 20: a request-path directive in a location without "intercom_webhook on" fails, naming the directive, the file and line, and the fix
--- config
    location = /hook {
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_topics conversation.*;
        proxy_pass http://127.0.0.1:1985;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*"intercom_webhook_secret" in location "\/hook" needs "intercom_webhook on;" in that location \(or in an enclosing one\), else the location passes unverified requests on; or move it to the server level as a default, in \S+nginx\.conf:\d+/



=== TEST 21: the same for intercom_webhook_topics, alone in its location
--- http_config
    intercom_webhook_zone iw:1m;
--- config
    location = /a { intercom_webhook_topics contact.*; }
--- request
GET /a
--- must_die
--- error_log eval
qr/\[emerg\] .*"intercom_webhook_topics" in location "\/a" needs "intercom_webhook on;"/



=== TEST 22: "off" with a request-path directive fails too
--- http_config
    intercom_webhook_zone iw:1m;
--- config
    location = /hook {
        intercom_webhook off;
        intercom_webhook_dedup zone=iw;
        proxy_pass http://127.0.0.1:1985;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*"intercom_webhook_dedup" in location "\/hook" needs "intercom_webhook on;"/



=== TEST 23: directives at server level with no webhook location in the server: a warning (nginx dies later, on an unknown directive after the http block, so that every start shows it)
--- config
    intercom_webhook_secret it-secret;
    intercom_webhook_topics conversation.*;
    location = /t { return 200 "t\n"; }
--- post_main_config
    no_such_directive_after_http;
--- request
GET /t
--- must_die
--- error_log eval
qr/\[warn\] .*"intercom_webhook_secret" in \S+nginx\.conf:\d+ has no effect in server "localhost" in \S+nginx\.conf:\d+: none of its locations has "intercom_webhook on"/



=== TEST 24: server-level directives used by a webhook location: no warning
--- config
    intercom_webhook_secret it-secret;
    intercom_webhook_allow all;
    location = /hook {
        intercom_webhook on;
        proxy_pass http://127.0.0.1:1985;
    }
    location = /t { return 200 "t\n"; }
--- post_main_config
    no_such_directive_after_http;
--- request
GET /t
--- must_die
--- error_log
unknown directive "no_such_directive_after_http"
--- no_error_log
has no effect
