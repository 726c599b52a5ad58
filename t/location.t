# One location (issues 8 and 14): "intercom_webhook on" guards whatever
# the location does (proxy_pass, another module's content handler,
# try_files to a named location), in whatever order the directives are
# written; nested locations, "if" and "limit_except" blocks are guarded
# too; the retired redirect form fails "nginx -t" with its replacement;
# $intercom_webhook_result is final for every outcome (413, a redirection
# cycle, a client gone while the body is read).

use Test::Nginx::Socket;
use FindBin ();
use lib "$FindBin::Bin/lib";
use IntercomWebhook;

repeat_each(2);

plan tests => repeat_each() * (5 + 3 + 3 + 7 * 2 + 3 + 2 + 7 * 3);

run_tests();

__DATA__

=== TEST 1: "on" and proxy_pass in one location: the upstream gets the exact request, no redirect
--- http_config
    log_format lo 'lo $status $intercom_webhook_result $intercom_webhook_topic';
--- config
    location = /hook {
        access_log $TEST_NGINX_SERVER_ROOT/logs/access.log lo;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::payload("conversation.user.created.json");
::upstream("/hook", $b,
           "Content-Type: application/json",
           "X-Hub-Signature: " . ::sig($b),
           ::defaults("conversation.user.created"))
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 9\r\n\r\nreceived\n"
--- request eval
"POST /hook\n" . ::payload("conversation.user.created.json")
--- more_headers eval
CORE::join "\n",
    "Content-Type: application/json",
    "X-Hub-Signature: " . ::sig(::payload("conversation.user.created.json"))
--- error_code: 200
--- response_body
received
--- access_log
lo 200 accepted conversation.user.created
--- no_error_log
[error]



=== TEST 2: "on" written after proxy_pass: the same
--- config
    location = /hook {
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1985;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook on;
    }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::event("conversation.user.created");
::upstream("/hook", $b, "X-Hub-Signature: " . ::sig($b),
           ::defaults("conversation.user.created"))
--- tcp_reply eval
"HTTP/1.0 202 Accepted\r\nContent-Length: 3\r\n\r\nok\n"
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 202
--- response_body
ok



=== TEST 3: "on": a forged request never reaches the upstream
--- http_config
    log_format lo 'lo $status $intercom_webhook_result';
--- config
    location = /hook {
        access_log $TEST_NGINX_SERVER_ROOT/logs/access.log lo;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1;
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"), "forged")
--- error_code: 401
--- access_log
lo 401 bad_signature
--- no_error_log
connect() failed



=== TEST 4: "on" with no content handler of its own: try_files takes a verified notification to a named location
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        try_files /nonexistent @app;
    }
    location @app { return 202 "app $intercom_webhook_result $http_x_intercom_topic\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 202
--- response_body
app accepted conversation.user.created



=== TEST 5: the retired redirect form to a named location fails, giving its replacement
--- config
    location = /hook {
        intercom_webhook @app;
        intercom_webhook_secret it-secret;
    }
    location @app { return 202 "app\n"; }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*"intercom_webhook \@app" is no longer supported: use "intercom_webhook on;" and "proxy_pass" \(or another content handler\) in this location, or "intercom_webhook on;" and "try_files \/nonexistent \@app;" in \S+nginx\.conf:\d+/



=== TEST 6: the retired redirect form to a URI fails, giving its replacement with the arguments
--- config
    location = /hook {
        intercom_webhook /internal/app?src=intercom;
        intercom_webhook_secret it-secret;
    }
    location /internal/ { internal; return 202 "app\n"; }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*"intercom_webhook \/internal\/app\?src=intercom" is no longer supported: .* or "intercom_webhook on;" and "try_files \/nonexistent \/internal\/app\?src=intercom;" in \S+nginx\.conf:\d+/



=== TEST 7: a parameter other than "on" or "off" fails
--- config
    location = /hook {
        intercom_webhook yes;
        intercom_webhook_secret it-secret;
        proxy_pass http://127.0.0.1:1;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid parameter "yes", "on" or "off" is expected in \S+nginx\.conf:\d+/



=== TEST 8: "on" guards another module's content handler (scgi_pass)
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        scgi_pass 127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_reply eval
"Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nscgi\n"
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 200
--- response_body
scgi



=== TEST 9: "on" with scgi_pass: an unsigned request gets 401, the application nothing
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        scgi_pass 127.0.0.1:1;
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- error_code: 401
--- no_error_log
connect() failed



=== TEST 10: a nested location inherits "on" and guards its own proxy_pass
--- config
    location /hooks/ {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1;

        location /hooks/intercom {
            proxy_pass http://127.0.0.1:2;
        }
    }
--- request eval
"POST /hooks/intercom\n" . ::event("conversation.user.created")
--- error_code: 401
--- no_error_log
connect() failed



=== TEST 11: "off" in a nested location: not guarded there
--- config
    location /hooks/ {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1;

        location /hooks/plain {
            intercom_webhook off;
            proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
        }
    }
    location = /app { return 200 "plain $intercom_webhook_result\n"; }
--- request eval
"POST /hooks/plain\n" . ::event("conversation.user.created")
--- error_code: 200
--- response_body
plain 
--- no_error_log
intercom webhook



=== TEST 12: an "if" block with proxy_pass inside an "on" location is guarded
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        if ($arg_alt) {
            proxy_pass http://127.0.0.1:2;
        }
        proxy_pass http://127.0.0.1:1;
    }
--- request eval
"POST /hook?alt=1\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"), "forged")
--- error_code: 401
--- no_error_log
connect() failed



=== TEST 13: an "if" block with proxy_pass: a verified notification reaches its upstream
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        if ($arg_alt) {
            proxy_pass http://127.0.0.1:1985;
        }
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1;
    }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::event("conversation.user.created");
::upstream("/hook?alt=1", $b, "X-Hub-Signature: " . ::sig($b),
           ::defaults("conversation.user.created"))
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 4\r\n\r\nalt\n"
--- request eval
"POST /hook?alt=1\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 200
--- response_body
alt



=== TEST 14: an "if" block without a content handler keeps the location's, guarded
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        if ($arg_alt) {
            set $x 1;
        }
        stub_status;
    }
--- request eval
["POST /hook?alt=1\n" . ::event("conversation.user.created")]
--- more_headers eval
::signed(::event("conversation.user.created"), "forged")
--- error_code: 401
--- response_body_unlike: Active connections
--- no_error_log
[alert]



=== TEST 15: limit_except in an "on" location: other methods get the module's 405, not the upstream
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        limit_except POST {
            allow all;
        }
        proxy_pass http://127.0.0.1:1;
    }
--- request
PUT /hook
--- error_code: 405
--- response_headers
Allow: POST, HEAD
--- no_error_log
connect() failed



=== TEST 16: a body over client_max_body_size (Content-Length): 413, body_error, logged with the size
--- http_config
    log_format lo 'lo $status $intercom_webhook_result';
--- config
    location = /hook {
        access_log $TEST_NGINX_SERVER_ROOT/logs/access.log lo;
        client_max_body_size 100;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1;
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 413
--- access_log
lo 413 body_error
--- error_log eval
qr/\[error\] .*intercom webhook: notification of \d+ bytes refused, larger than client_max_body_size 100\b/



=== TEST 17: a chunked body over client_max_body_size: 413, body_error, logged
--- http_config
    log_format lo 'lo $status $intercom_webhook_result';
--- config
    location = /hook {
        access_log $TEST_NGINX_SERVER_ROOT/logs/access.log lo;
        client_max_body_size 100;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1;
    }
--- raw_request eval
my $b = ::event("conversation.user.created");
"POST /hook HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
. "X-Hub-Signature: " . ::sig($b) . "\r\n"
. "Transfer-Encoding: chunked\r\n\r\n"
. sprintf("%x\r\n%s\r\n0\r\n\r\n", length($b), $b)
--- error_code: 413
--- access_log
lo 413 body_error
--- error_log eval
qr/\[error\] .*intercom webhook: chunked notification refused, larger than client_max_body_size 100/



=== TEST 18: a redirection cycle after the gate: 500, the gate verified once ("accepted")
--- http_config
    log_format lo 'lo $status $intercom_webhook_result';
--- config
    location = /hook {
        access_log $TEST_NGINX_SERVER_ROOT/logs/access.log lo;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        try_files /nonexistent /hook;
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 500
--- access_log
lo 500 accepted
--- error_log
rewrite or internal redirection cycle



=== TEST 19: the client goes away while the body is read: body_error
--- http_config
    log_format lo 'lo $intercom_webhook_result';
--- config
    # the access line goes to error.log: Test::Nginx::Socket reads no
    # access.log for a block with ignore_response
    location = /hook {
        access_log $TEST_NGINX_SERVER_ROOT/logs/error.log lo;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1;
    }
--- raw_request eval
my $b = ::event("conversation.user.created");
"POST /hook HTTP/1.1\r\nHost: localhost\r\n"
. "X-Hub-Signature: " . ::sig($b) . "\r\n"
. "Content-Length: 100000\r\n\r\n" . $b
--- timeout: 0.5
--- abort
--- ignore_response
--- error_log eval
qr/^lo body_error$/m
--- no_error_log
connect() failed
[alert]
