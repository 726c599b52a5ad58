# De-duplication through Redis (issue 17), against a real redis-server of
# the test's own (t/lib/IntercomRedis.pm): delivered once, a retry
# answered 200 "delivered already"; a retry after the application's 502
# reaches it again; a copy in flight elsewhere (the key holds another
# node's token) gets the unavailable status with Retry-After; ping is
# never de-duplicated; ids and app ids with CR, LF, "$" and 255 bytes are
# stored and compared byte for byte (and one of 256 is passed on, as the
# zone's); Redis unreachable: the notification is passed on, counted and
# said once; the status counts the operations; configuration errors.
# What Redis holds at the end is checked after the blocks, by the keys
# themselves.  Each block has its own notification ids.

use Test::Nginx::Socket;
use FindBin ();
use lib "$FindBin::Bin/lib";
use IntercomWebhook;
use IntercomRedis;

repeat_each(1);

# two checks per request (status, body), the blocks' own (a header, a log
# line, nginx -t's death and its line), and the keys after the blocks
plan tests => repeat_each() * (2 * 2 + 3 + 4 + 2 * 3 + 2 * 4 + 2 * 3 + 2 * 4
                               + 2 * 3 + 3 + 2 * 3 + 2 + 2 + 3 * 2)
              + 13;

our $HttpConfig = <<'_EOC_';
    upstream rd {
        server 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    }
    intercom_webhook_redis rd;
    intercom_webhook_zone iw:1m;
_EOC_

our $Config = <<'_EOC_';
    location = /hook {
        intercom_webhook on status=iw;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_ping forward;
        intercom_webhook_dedup redis=rd;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /hook502 {
        intercom_webhook on status=iw;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_dedup redis=rd;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/bad;
    }
    location = /app { return 200 "app $http_x_intercom_topic\n"; }
    location = /bad { return 502; }
    location = /status { intercom_webhook_status; }
_EOC_

# a notification of its own id (and app id), as raw JSON text
sub ::ev {
    my ($id, $app) = @_;
    return ::event("conversation.user.created", id => qq{"$id"},
                   $app ? (app_id => qq{"$app"}) : ());
}

# a notification as one request of a connection kept alive; the last closes
sub ::keepalive {
    my ($id, $last) = @_;
    my $b = ::ev($id);
    return "POST /hook HTTP/1.1\r\nHost: localhost\r\nContent-Length: "
           . length($b) . "\r\nX-Hub-Signature: " . ::sig($b) . "\r\n"
           . ($last ? "Connection: close\r\n" : "") . "\r\n$b";
}

# ids with the bytes of RESP itself: as JSON escapes, and as sent to Redis
our $CrlfJson = 'n\r\n$3\r\nSET\r\n*1\r\n$-1\r\n';
our $CrlfId = "n\r\n\$3\r\nSET\r\n*1\r\n\$-1\r\n";
our $CrlfAppJson = 'a$1\r\n\n';
our $CrlfApp = "a\$1\r\n\n";
our $LongJson = '\r\n$' x 85;           # 255 bytes decoded
our $LongId = "\r\n\$" x 85;
our $LongerJson = '\r\n$' x 85 . 'x';   # 256
our $LongerId = "\r\n\$" x 85 . 'x';

# a copy in flight on another node: its token in the key, for a minute;
# a notification another node delivered
::redis('SET', ::redis_key('q3fz8k2m', 'notif-flight'), 'f:node-b/1/0/1',
        'PX', 60000);
::redis('SET', ::redis_key('q3fz8k2m', 'notif-elsewhere'), 'd', 'PX', 60000);

run_tests();

# what Redis holds now

is(::redis('GET', ::redis_key('q3fz8k2m', 'notif-once')), 'd',
   'delivered: the key holds "d"');
my $pttl = ::redis('PTTL', ::redis_key('q3fz8k2m', 'notif-once'));
ok($pttl > 3_500_000 && $pttl <= 3_600_000,
   "for the ttl, 1h by default ($pttl ms left)");
is(::redis('GET', ::redis_key('q3fz8k2m', 'notif-flight')), 'f:node-b/1/0/1',
   "another node's claim is left as it was");
is(::redis('GET', ::redis_key('q3fz8k2m', 'notif-502')), 'd',
   'the retry after the 502: delivered');
is(::redis('EXISTS', ::redis_key('q3fz8k2m', 'notif-ping')), 0,
   'a ping with an id: no key');
is(::redis('GET', ::redis_key($CrlfApp, $CrlfId)), 'd',
   'an id and an app id with CR, LF and "$": the key of their exact bytes');
is(::redis('GET', ::redis_key('q3fz8k2m', $CrlfId)), 'd',
   'the id with the usual app id: a key of its own');
is(::redis('GET', ::redis_key('q3fz8k2m', $LongId)), 'd',
   'an id of 255 bytes: its key');
is(::redis('EXISTS', ::redis_key('q3fz8k2m', $LongerId)), 0,
   'an id of 256 bytes: no key, as the zone keeps none');
$pttl = ::redis('PTTL', ::redis_key('q3fz8k2m', 'notif-ttl'));
ok($pttl > 7_100_000 && $pttl <= 7_200_000, "ttl=2h: $pttl ms left");
my @keys = sort @{ ::redis('KEYS', 'intercom:dedup:*') };
is(scalar(grep { !/^intercom:dedup:/ } @{ ::redis('KEYS', '*') }), 0,
   'no key outside "intercom:dedup:"');
is(::redis('GET', ::redis_key('q3fz8k2m', 'notif-kept-2')), 'd',
   'on a connection kept alive: delivered');
is(scalar(@keys), 11, 'eleven keys in all (' . scalar(@keys) . ')');

__DATA__

=== TEST 1: the same notification twice: passed on once, then 200 "delivered already"
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /hook\n" . ::ev("notif-once"), "POST /hook\n" . ::ev("notif-once")]
--- more_headers eval
[::signed(::ev("notif-once")), ::signed(::ev("notif-once"))]
--- error_code eval
[200, 200]
--- response_body eval
["app conversation.user.created\n", ""]



=== TEST 2: a notification delivered by another node (the key holds "d"): 200, not passed on, said at info
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /hook\n" . ::ev("notif-elsewhere")
--- more_headers eval
::signed(::ev("notif-elsewhere"))
--- error_code: 200
--- response_body
--- error_log eval
qr/\[info\] .*intercom webhook: notification "notif-elsewhere" of app "q3fz8k2m" was delivered already, not passed on, client/



=== TEST 3: a copy in flight on another node (its token in the key): the unavailable status, Retry-After
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
"POST /hook\n" . ::ev("notif-flight")
--- more_headers eval
::signed(::ev("notif-flight"))
--- error_code: 429
--- response_headers
Retry-After: 60
--- response_body
--- error_log eval
qr/\[info\] .*intercom webhook: notification "notif-flight" of app "q3fz8k2m" is being delivered by another request, client/



=== TEST 4: the application's 502 (Intercom gets 429): the retry reaches it again, then is remembered
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /hook502\n" . ::ev("notif-502"), "POST /hook\n" . ::ev("notif-502"),
 "POST /hook\n" . ::ev("notif-502")]
--- more_headers eval
[::signed(::ev("notif-502")), ::signed(::ev("notif-502")),
 ::signed(::ev("notif-502"))]
--- error_code eval
[429, 200, 200]
--- response_body eval
["", "app conversation.user.created\n", ""]



=== TEST 5: ping, with its null id or with an id, is never de-duplicated
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
my $p = ::event("ping", id => 'null');
my $q = ::event("ping", id => '"notif-ping"');
["POST /hook\n$p", "POST /hook\n$p", "POST /hook\n$q", "POST /hook\n$q"]
--- more_headers eval
my $p = ::event("ping", id => 'null');
my $q = ::event("ping", id => '"notif-ping"');
[::signed($p), ::signed($p), ::signed($q), ::signed($q)]
--- response_body eval
["app ping\n", "app ping\n", "app ping\n", "app ping\n"]



=== TEST 6: an id and an app id with CR, LF and "$": de-duplicated by their exact bytes, another app id is another notification
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /hook\n" . ::ev($::CrlfJson, $::CrlfAppJson),
 "POST /hook\n" . ::ev($::CrlfJson, $::CrlfAppJson),
 "POST /hook\n" . ::ev($::CrlfJson)]
--- more_headers eval
[::signed(::ev($::CrlfJson, $::CrlfAppJson)),
 ::signed(::ev($::CrlfJson, $::CrlfAppJson)),
 ::signed(::ev($::CrlfJson))]
--- response_body eval
["app conversation.user.created\n", "", "app conversation.user.created\n"]



=== TEST 7: an id of 255 bytes is de-duplicated; one of 256 is passed on each time, as with a zone
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /hook\n" . ::ev($::LongJson), "POST /hook\n" . ::ev($::LongJson),
 "POST /hook\n" . ::ev($::LongerJson), "POST /hook\n" . ::ev($::LongerJson)]
--- more_headers eval
[::signed(::ev($::LongJson)), ::signed(::ev($::LongJson)),
 ::signed(::ev($::LongerJson)), ::signed(::ev($::LongerJson))]
--- response_body eval
["app conversation.user.created\n", "",
 "app conversation.user.created\n", "app conversation.user.created\n"]



=== TEST 8: Redis unreachable: each copy is passed on, and counted as "unavailable"
--- http_config
    upstream down {
        server 127.0.0.1:1;
    }
    intercom_webhook_redis down;
    intercom_webhook_zone iw:1m;
--- config
    location = /hook {
        intercom_webhook on status=iw;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_dedup redis=down;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app\n"; }
    location = /status { intercom_webhook_status; }
--- request eval
["POST /hook\n" . ::ev("notif-down"), "POST /hook\n" . ::ev("notif-down"),
 "GET /status?format=prometheus"]
--- more_headers eval
[::signed(::ev("notif-down")), ::signed(::ev("notif-down")), ""]
--- response_body_like eval
["^app\n\\z", "^app\n\\z",
 qr/^nginx_intercom_webhook_redis_operations_total\{zone="iw",server="localhost",location="\/hook",outcome="unavailable"\} 2$/m]



=== TEST 9: Redis unreachable: the line that says so, naming Redis, the location and the outcome
--- http_config
    upstream down {
        server 127.0.0.1:1;
    }
    intercom_webhook_redis down;
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_dedup redis=down;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app\n"; }
--- request eval
"POST /hook\n" . ::ev("notif-down")
--- more_headers eval
::signed(::ev("notif-down"))
--- response_body
app
--- grep_error_log eval: qr/\[warn\] .*?\Kintercom webhook: Redis "down" [^,]*/
--- grep_error_log_out
intercom webhook: Redis "down" was unavailable to the claim of a notification in location "/hook"; it is passed on without de-duplication (at most one such line a minute)



=== TEST 10: the status counts the operations and their time (JSON): two claims and a mark, "ok"
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- request eval
["POST /hook\n" . ::ev("notif-status"), "POST /hook\n" . ::ev("notif-status"),
 "GET /status"]
--- more_headers eval
[::signed(::ev("notif-status")), ::signed(::ev("notif-status")), ""]
--- response_body_like eval
["app", "^\\z",
 qr/"location":"\/hook",.*"redis_operations":\{"ok":3,"error":0,"timeout":0,"unavailable":0\},"redis_duration":\{"buckets":\{"0\.001":\d+,.*"\+Inf":3\},"sum":\d+\.\d{3},"count":3\},"enqueued":0,"enqueue_failures":0[,}]/]



=== TEST 11: on a connection kept alive, each notification after the answer to the one before: the claims wait, nothing enters the gate meanwhile
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- raw_request eval
[::keepalive("notif-kept-1"), ::keepalive("notif-kept-2"),
 ::keepalive("notif-kept-1", 1)]
--- raw_request_middle_delay: 0.2
--- ignore_response
--- error_log eval
qr/\[info\] .*intercom webhook: notification "notif-kept-1" of app "q3fz8k2m" was delivered already, not passed on, client/
--- no_error_log
[alert]



=== TEST 12: ttl= is the time a delivered notification is remembered
--- http_config eval: $::HttpConfig
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_dedup redis=rd ttl=2h;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app\n"; }
--- request eval
"POST /hook\n" . ::ev("notif-ttl")
--- more_headers eval
::signed(::ev("notif-ttl"))
--- response_body
app



=== TEST 13: an unknown Redis fails nginx -t
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_dedup redis=nowhere;
        proxy_pass http://127.0.0.1:1985;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*unknown Redis "nowhere"/



=== TEST 14: zone= and redis= together fail nginx -t
--- http_config eval: $::HttpConfig
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_dedup zone=iw redis=rd;
        proxy_pass http://127.0.0.1:1985;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*"intercom_webhook_dedup" takes "zone=name" or "redis=name", not both in \S+nginx\.conf:\d+/



=== TEST 15: redis= with a bad ttl fails nginx -t
--- http_config eval: $::HttpConfig
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_dedup redis=rd ttl=0;
        proxy_pass http://127.0.0.1:1985;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid ttl "ttl=0", "ttl=time" with a time such as "1h" is expected in \S+nginx\.conf:\d+/
