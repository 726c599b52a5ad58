# The gate and the shared zone (issue 14): a notification that fails over
# by error_page into a second de-duplicating location is claimed once and
# released once (it was answered 429 and never released before); report
# mode with max_age passes everything on, marked; a created_at given as a
# string is not judged by max_age.  One round only: the zone keeps what a
# first round delivered.

use Test::Nginx::Socket;
use FindBin ();
use lib "$FindBin::Bin/lib";
use IntercomWebhook;

repeat_each(1);

plan tests => repeat_each() * 23;

run_tests();

__DATA__

=== TEST 1: error_page failover into a second de-duplicating location: the notification is claimed once, reaches the backup, and is released delivered
--- http_config
    intercom_webhook_zone iw:1m;
    log_format lo 'lo $uri $status $intercom_webhook_result';
--- config
    intercom_webhook_dedup zone=iw;
    intercom_webhook_secret it-secret;
    intercom_webhook_allow all;

    location = /hook {
        access_log $TEST_NGINX_SERVER_ROOT/logs/access.log lo;
        intercom_webhook on;
        error_page 502 = @backup;
        proxy_pass http://127.0.0.1:1986;
    }
    location @backup {
        access_log $TEST_NGINX_SERVER_ROOT/logs/access.log lo;
        intercom_webhook on;
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
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- response_body
ok
--- access_log
lo /hook 200 accepted
--- no_error_log
being delivered by another request



=== TEST 2: the failover's copy is remembered as delivered: a retry is answered 200, not passed on
--- http_config
    intercom_webhook_zone iw:1m;
    log_format lo 'lo $uri $status $intercom_webhook_result';
--- config
    intercom_webhook_dedup zone=iw;
    intercom_webhook_secret it-secret;
    intercom_webhook_allow all;

    location = /hook {
        access_log $TEST_NGINX_SERVER_ROOT/logs/access.log lo;
        intercom_webhook on;
        error_page 502 = @backup;
        proxy_pass http://127.0.0.1:1986;
    }
    location @backup {
        access_log $TEST_NGINX_SERVER_ROOT/logs/access.log lo;
        intercom_webhook on;
        rewrite ^ /app break;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT;
    }
    location = /app { return 200 "app\n"; }
--- request eval
["POST /hook\n" . ::event("conversation.user.created"),
 "POST /hook\n" . ::event("conversation.user.created")]
--- more_headers eval
[::signed(::event("conversation.user.created")),
 ::signed(::event("conversation.user.created"))]
--- error_code eval
[200, 200]
--- response_body eval
["app\n", ""]
--- no_error_log
being delivered by another request



=== TEST 3: report mode with max_age: a stale notification from outside the allowlist is passed on, marked 0, result "forbidden"
--- http_config
    log_format lo 'lo $status $intercom_webhook_result';
--- config
    location = /hook {
        access_log $TEST_NGINX_SERVER_ROOT/logs/access.log lo;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow 192.0.2.1;
        intercom_webhook_mode report;
        intercom_webhook_max_age 1h;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app {
        return 200 "app verified=$http_x_intercom_verified topic=$http_x_intercom_topic\n";
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 200
--- response_body
app verified=0 topic=conversation.user.created
--- access_log
lo 200 forbidden
--- no_error_log
not passed on



=== TEST 4: report mode with max_age: a stale notification from an allowed address is passed on, marked 0, result "stale"
--- http_config
    log_format lo 'lo $status $intercom_webhook_result';
--- config
    location = /hook {
        access_log $TEST_NGINX_SERVER_ROOT/logs/access.log lo;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_mode report;
        intercom_webhook_max_age 1h;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app {
        return 200 "app verified=$http_x_intercom_verified\n";
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 200
--- response_body
app verified=0
--- access_log
lo 200 stale
--- error_log eval
qr/\[info\] .*intercom webhook: notification "notif_00000000-0000-4000-9e37-79b97f4a7c15" created \d+ s ago is stale, client/



=== TEST 5: max_age judges only an integer: a created_at given as a string ("1000") is passed on
--- http_config
    log_format lo 'lo $status $intercom_webhook_result';
--- config
    location = /hook {
        access_log $TEST_NGINX_SERVER_ROOT/logs/access.log lo;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_max_age 1h;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app $http_x_intercom_created_at\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created", created_at => '"1000"')
--- more_headers eval
::signed(::event("conversation.user.created", created_at => '"1000"'))
--- error_code: 200
--- response_body
app 1000
--- access_log
lo 200 accepted
--- no_error_log
stale
