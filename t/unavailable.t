# Delivery through outages (issue 10): when the application cannot take an
# accepted notification (502, 503, 504, a refused connection, a timeout),
# Intercom gets intercom_webhook_unavailable's status (429 with
# Retry-After: 60 by default), which makes it keep the notification and
# retry for up to two hours; 410 never leaves nginx; every other answer,
# and every other request and location, passes untouched.

use Test::Nginx::Socket;
use FindBin ();
use lib "$FindBin::Bin/lib";
use IntercomWebhook;

repeat_each(2);

plan tests => repeat_each() * (5 + 3 * 4 + 5 * 3 + 2 + 2 + 2 * 3 + 3 * 2 + 3);

run_tests();

__DATA__

=== TEST 1: the application is down (connection refused): 429, Retry-After: 60, logged, the original status in a variable
--- http_config
    log_format lo 'lo $status $intercom_webhook_result $intercom_webhook_upstream_status';
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
::signed(::event("conversation.user.created"))
--- error_code: 429
--- response_headers
Retry-After: 60
--- response_body:
--- access_log
lo 429 accepted 502
--- error_log eval
qr/\[warn\] .*intercom webhook: no answer from the application in location "\/hook" \(502\), Intercom gets 429/



=== TEST 2: the application answers 503: 429
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_reply eval
"HTTP/1.0 503 Service Unavailable\r\nContent-Length: 5\r\n\r\nbusy\n"
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 429
--- response_headers
Retry-After: 60
--- response_body:
--- error_log eval
qr/\[warn\] .*intercom webhook: the application answered 503 in location "\/hook", Intercom gets 429/



=== TEST 3: the application is slower than proxy_read_timeout: 504 becomes 429
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_read_timeout 200ms;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_reply_delay: 1s
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 429
--- response_headers
Retry-After: 60
--- error_log eval
[qr/upstream timed out/,
 qr/\[warn\] .*intercom webhook: no answer from the application in location "\/hook" \(504\), Intercom gets 429/]



=== TEST 4: the application answers 410: never passed on, logged at error level
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_reply eval
"HTTP/1.0 410 Gone\r\nContent-Length: 5\r\n\r\ngone\n"
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 429
--- response_headers
Retry-After: 60
--- response_body:
--- error_log eval
qr/\[error\] .*intercom webhook: the application answered 410 in location "\/hook", which would disable the subscription, Intercom gets 429/



=== TEST 5: "off": the application's 410 becomes 502, still logged
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_unavailable off;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_reply eval
"HTTP/1.0 410 Gone\r\nContent-Length: 5\r\n\r\ngone\n"
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 502
--- response_headers
Retry-After:
--- error_log eval
qr/\[error\] .*intercom webhook: the application answered 410 in location "\/hook", which would disable the subscription, Intercom gets 502/



=== TEST 6: "off": the application down gives nginx's 502 as it is
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_unavailable off;
        proxy_pass http://127.0.0.1:1;
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 502
--- response_headers
Retry-After:
--- no_error_log
Intercom gets



=== TEST 7: the application answers 500: passed on (it runs, Intercom retries)
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_reply eval
"HTTP/1.0 500 Internal Server Error\r\nContent-Length: 5\r\n\r\noops\n"
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 500
--- response_body
oops
--- no_error_log
Intercom gets



=== TEST 8: the application answers 2xx: passed on, its status in the variable
--- http_config
    log_format lo 'lo $status $intercom_webhook_upstream_status';
--- config
    location = /hook {
        access_log $TEST_NGINX_SERVER_ROOT/logs/access.log lo;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_reply eval
"HTTP/1.0 202 Accepted\r\nContent-Length: 3\r\n\r\nok\n"
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 202
--- response_body
ok
--- access_log
lo 202 202



=== TEST 9: another status and Retry-After: "503 retry_after=2m"
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_unavailable 503 retry_after=2m;
        proxy_pass http://127.0.0.1:1;
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 503
--- response_headers
Retry-After: 120
--- error_log eval
qr/\[warn\] .*Intercom gets 503/



=== TEST 10: a status without retry_after sends no Retry-After
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_unavailable 429;
        proxy_pass http://127.0.0.1:1;
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 429
--- response_headers
Retry-After:



=== TEST 11: another location's 502 is untouched
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1;
    }
    location = /other {
        proxy_pass http://127.0.0.1:1;
    }
--- request eval
"POST /other\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 502
--- response_headers
Retry-After:



=== TEST 12: try_files to a named location: that location's 502 becomes 429 too
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app {
        proxy_pass http://127.0.0.1:1;
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 429
--- response_headers
Retry-After: 60
--- error_log eval
qr/\[warn\] .*intercom webhook: no answer from the application in location "\/hook" \(502\), Intercom gets 429/



=== TEST 13: proxy_intercept_errors and error_page: what would reach Intercom is what is mapped
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_intercept_errors on;
        error_page 503 /busy;
        proxy_pass http://127.0.0.1:1985;
    }
    location = /busy {
        internal;
        return 503 "busy page\n";
    }
--- tcp_listen: 1985
--- tcp_reply eval
"HTTP/1.0 503 Service Unavailable\r\nContent-Length: 5\r\n\r\nbusy\n"
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 429
--- response_headers
Retry-After: 60
--- response_body_unlike: busy



=== TEST 14: error_page that turns a 502 into 200 is the operator's choice: passed on
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        error_page 502 =200 /kept;
        proxy_pass http://127.0.0.1:1;
    }
    location = /kept {
        internal;
        return 200 "kept elsewhere\n";
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 200
--- response_body
kept elsewhere



=== TEST 15: 410 is not a status it may be set to
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_unavailable 410;
        proxy_pass http://127.0.0.1:1;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid status "410", a 4xx or 5xx status other than 410, or "off" is expected in \S+nginx\.conf:\d+/



=== TEST 16: a bad retry_after fails
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_unavailable 429 retry_after=soon;
        proxy_pass http://127.0.0.1:1;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid value "retry_after=soon" of "retry_after" in \S+nginx\.conf:\d+/



=== TEST 17: a rejected request is untouched (401 stays 401)
--- config
    location = /hook {
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
--- response_headers
Retry-After:
--- no_error_log
Intercom gets
