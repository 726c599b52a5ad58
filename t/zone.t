# Operations (issue 9): the shared zone, de-duplication (delivered means a
# 2xx; a failed delivery's retry reaches the application again; ping is
# never de-duplicated; two workers share the state), max_age, report mode,
# the status endpoint, and configuration errors.

use Test::Nginx::Socket;
use FindBin ();
use lib "$FindBin::Bin/lib";
use IntercomWebhook;
use POSIX ();

master_on();
workers(2);
repeat_each(1);

# checks per block: two per request (status, body) and the block's own
plan tests => repeat_each() * (4 + 6 + 4 + 4 + 12 + 4 + 3 + 4 + 3 + 4 + 4 + 4
                               + 4 + 3 + 2 + 2);

our $HttpConfig = <<'_EOC_';
    intercom_webhook_zone iw:1m;
    log_format lo 'lo $status $intercom_webhook_result [$http_x_intercom_verified]';
_EOC_

our $Event = ::event("conversation.user.created");

# the smallest zone: 8 pages
our $MinZone = 8 * POSIX::sysconf(POSIX::_SC_PAGESIZE()) / 1024 . "k";

run_tests();

__DATA__

=== TEST 1: the same notification twice: forwarded once, then 200 "duplicate"
--- http_config eval: $::HttpConfig
--- config
    location = /hook {
        access_log $TEST_NGINX_SERVER_ROOT/logs/access.log lo;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_dedup zone=iw;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app $http_x_intercom_notification_id\n"; }
--- request eval
["POST /hook\n$::Event", "POST /hook\n$::Event"]
--- more_headers eval
[::signed($::Event), ::signed($::Event)]
--- response_body eval
["app notif_00000000-0000-4000-9e37-79b97f4a7c15\n", ""]



=== TEST 2: a failed delivery (502, answered 429) is not remembered: the retry reaches the application
--- http_config eval: $::HttpConfig
--- config
    location = /down {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_dedup zone=iw;
        proxy_pass http://127.0.0.1:1;
    }
    location = /up {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_dedup zone=iw;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app\n"; }
--- request eval
["POST /down\n$::Event", "POST /up\n$::Event", "POST /up\n$::Event"]
--- more_headers eval
[::signed($::Event), ::signed($::Event), ::signed($::Event)]
--- error_code eval
[429, 200, 200]
--- response_body eval
["", "app\n", ""]



=== TEST 3: the application's 500: the retry reaches it again
--- http_config eval: $::HttpConfig
--- config
    location = /fail {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_dedup zone=iw;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/oops;
    }
    location = /up {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_dedup zone=iw;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /oops { return 500 "oops\n"; }
    location = /app { return 200 "app\n"; }
--- request eval
["POST /fail\n$::Event", "POST /up\n$::Event"]
--- more_headers eval
[::signed($::Event), ::signed($::Event)]
--- error_code eval
[500, 200]
--- response_body eval
["oops\n", "app\n"]



=== TEST 4: ping (id null) is never de-duplicated
--- http_config eval: $::HttpConfig
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_ping forward;
        intercom_webhook_dedup zone=iw;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app $http_x_intercom_topic\n"; }
--- request eval
["POST /hook\n" . ::payload("ping.json"), "POST /hook\n" . ::payload("ping.json")]
--- more_headers eval
[::signed(::payload("ping.json")), ::signed(::payload("ping.json"))]
--- response_body eval
["app ping\n", "app ping\n"]



=== TEST 5: two workers share the state: five more copies are all duplicates
--- http_config eval: $::HttpConfig
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_dedup zone=iw;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app\n"; }
--- request eval
[map { "POST /hook\n$::Event" } 1 .. 6]
--- more_headers eval
[map { ::signed($::Event) } 1 .. 6]
--- response_body eval
["app\n", "", "", "", "", ""]



=== TEST 6: another app_id with the same id is another notification
--- http_config eval: $::HttpConfig
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_dedup zone=iw;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app $http_x_intercom_app_id\n"; }
--- request eval
my $o = ::event("conversation.user.created", app_id => '"other"');
["POST /hook\n$::Event", "POST /hook\n$o"]
--- more_headers eval
my $o = ::event("conversation.user.created", app_id => '"other"');
[::signed($::Event), ::signed($o)]
--- response_body eval
["app q3fz8k2m\n", "app other\n"]



=== TEST 7: max_age: a notification created long ago is answered 200, not passed on, "stale"
--- http_config eval: $::HttpConfig
--- config
    location = /hook {
        access_log $TEST_NGINX_SERVER_ROOT/logs/access.log lo;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_max_age 1h;
        proxy_pass http://127.0.0.1:1;
    }
--- request eval
"POST /hook\n$::Event"
--- more_headers eval
::signed($::Event)
--- error_code: 200
--- access_log
lo 200 stale
--- error_log eval
qr/\[info\] .*intercom webhook: notification "notif_00000000-0000-4000-9e37-79b97f4a7c15" created \d+ s ago is stale, not passed on/



=== TEST 8: max_age: a fresh notification passes
--- http_config eval: $::HttpConfig
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_max_age 1h;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app\n"; }
--- request eval
my $b = ::event("conversation.user.created", created_at => time() - 60);
"POST /hook\n$b"
--- more_headers eval
my $b = ::event("conversation.user.created", created_at => time() - 60);
::signed($b)
--- error_code: 200
--- response_body
app
--- no_error_log
stale
[error]



=== TEST 9: report mode: a forged request is passed on, marked 0, logged and counted as bad_signature
--- http_config eval: $::HttpConfig
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_mode report;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app {
        access_log $TEST_NGINX_SERVER_ROOT/logs/access.log lo;
        return 200 "app verified=$http_x_intercom_verified topic=$http_x_intercom_topic\n";
    }
--- request eval
"POST /hook\n$::Event"
--- more_headers eval
::signed($::Event, "forged") . "\nX-Intercom-Verified: 1\nX-Intercom-Topic: forged"
--- error_code: 200
--- response_body
app verified=0 topic=
--- error_log
intercom webhook: signature mismatch



=== TEST 10: report mode: a genuine notification is marked 1; a client outside the allowlist is passed on, marked 0
--- http_config eval: $::HttpConfig
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_mode report;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /denied {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow 192.0.2.1;
        intercom_webhook_mode report;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app {
        return 200 "app verified=$http_x_intercom_verified topic=$http_x_intercom_topic\n";
    }
--- request eval
["POST /hook\n$::Event", "POST /denied\n$::Event"]
--- more_headers eval
[::signed($::Event), ::signed($::Event)]
--- response_body eval
["app verified=1 topic=conversation.user.created\n", "app verified=0 topic=conversation.user.created\n"]



=== TEST 11: enforce mode: a client's X-Intercom-Verified never reaches the application
--- http_config eval: $::HttpConfig
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app {
        return 200 "app verified=[$http_x_intercom_verified]\n";
    }
--- request eval
"POST /hook\n$::Event"
--- more_headers eval
::signed($::Event) . "\nX-Intercom-Verified: 1\nX_Intercom_Verified: 1"
--- error_code: 200
--- response_body
app verified=[]
--- no_error_log
[error]
[warn]



=== TEST 12: the status endpoint: JSON by default, with the counters of the locations in the zone
--- http_config eval: $::HttpConfig
--- config
    location = /hook {
        intercom_webhook on status=iw;
        intercom_webhook_secret it-secret id=current;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app\n"; }
    location = /status { intercom_webhook_status; }
--- request eval
["POST /hook\n$::Event", "GET /status"]
--- more_headers eval
[::signed($::Event), ""]
--- response_body_like eval
["app", qr/^\{"version":"[0-9.]+","zones":\{"iw":\{"dedup_entries":0,"dedup_entries_limit":\d+,"dedup_evictions":0,"locations":\[\{"server":"localhost","location":"\/hook","requests":\{"accepted":1,.*"notifications":\{"conversation.user.created":1,"\(other\)":0\},"ignored":\{"conversation.user.created":0,"\(other\)":0\},"secrets":\{"current":1\},"responses":\{"1xx":0,"2xx":1,/]



=== TEST 13: the status endpoint: Prometheus's format for ?format=prometheus
--- http_config eval: $::HttpConfig
--- config
    location = /hook {
        intercom_webhook on status=iw;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app\n"; }
    location = /status { intercom_webhook_status; }
--- request eval
["POST /hook\n$::Event", "GET /status?format=prometheus"]
--- more_headers eval
[::signed($::Event), ""]
--- response_body_like eval
["app", qr/^nginx_intercom_webhook_requests_total\{zone="iw",server="localhost",location="\/hook",result="accepted"\} 1$/m]



=== TEST 14: the status endpoint: Prometheus's format for an Accept of text/plain
--- http_config eval: $::HttpConfig
--- config
    location = /status { intercom_webhook_status; }
--- request
GET /status
--- more_headers
Accept: text/plain;version=0.0.4;q=1,*/*;q=0.1
--- response_headers_like
Content-Type: text/plain; version=0\.0\.4.*
--- response_body_like: ^# HELP nginx_intercom_webhook_info



=== TEST 15: a de-duplication zone that is not declared fails
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_dedup zone=nowhere;
        proxy_pass http://127.0.0.1:1;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*unknown zone "nowhere": "intercom_webhook_zone" must declare it before in \S+nginx\.conf:\d+/



=== TEST 16: a zone too small fails
--- http_config
    intercom_webhook_zone tiny:8k;
--- config
    location = /hook {
        return 200;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*zone "tiny:8k" is too small, the minimum size is $::MinZone in \S+nginx\.conf:\d+/
