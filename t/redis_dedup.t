# De-duplication through Redis (issue 17), against a real redis-server of
# the test's own (t/lib/IntercomRedis.pm): delivered once, a retry
# answered 200 "delivered already"; a retry after the application's 502
# reaches it again; a copy in flight elsewhere (the key holds another
# node's token) gets the unavailable status with Retry-After; ping is
# never de-duplicated; ids and app ids with CR, LF, "$" and 255 bytes are
# stored and compared byte for byte (and one of 256 is passed on, as the
# zone's); Redis unreachable: the notification is passed on, counted and
# said once; the status counts the operations; configuration errors.
# Requests and Redis out of step: a client that goes away while its claim
# waits (nginx sees it only when the request goes on: proxy_pass's 499
# releases the claim, or the application gets it first); a claim Redis carries out after nginx gave up on it
# (SIGSTOP), which the release sent all the same undoes; a mark
# answered, or timed out, after its request ended, against a fake Redis
# that answers late and logs which connection carried each command: the
# next claim gets its own reply, on the same connection or another.
# What Redis holds at the end is checked after the blocks, by the keys
# themselves.  Each block has its own notification ids.

use Test::Nginx::Socket;
use FindBin ();
use lib "$FindBin::Bin/lib";
use IntercomWebhook;
use IntercomRedis;
use File::Temp ();
use IO::Socket::INET ();
use Socket ();
use POSIX ();
use Time::HiRes ();

repeat_each(1);

# two checks per request (status, body), the blocks' own (a header, a log
# line, nginx -t's death and its line), and the keys after the blocks
plan tests => repeat_each() * (2 * 2 + 3 + 4 + 2 * 3 + 2 * 4 + 2 * 3 + 2 * 4
                               + 2 * 3 + 3 + 2 * 3 + 2 + 2 + 3 * 2
                               + 6 + 6 + 6 + 6)
              + 13 + 7;

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

# the blocks against the fake Redis (below)
our $FakeConfig = <<'_EOC_';
    location = /hook {
        intercom_webhook on status=iw;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_dedup redis=fr;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app $http_x_intercom_notification_id\n"; }
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

# the body of a notification's answer, on a connection of its own; in
# list context, its status first
sub ::post {
    my ($id) = @_;
    my $b = ::ev($id);
    my $s = ::nginx();
    print $s "POST /hook HTTP/1.0\r\nHost: localhost\r\nContent-Length: "
             . length($b) . "\r\nX-Hub-Signature: " . ::sig($b)
             . "\r\n\r\n$b";
    local $/;
    my $r = <$s> // '';
    close $s;
    my ($code) = $r =~ m{^HTTP/1\.\d (\d+)};
    my $body = $r =~ /\r\n\r\n(.*)\z/s ? $1 : '';
    return wantarray ? ($code // 0, $body) : $body;
}

# a pattern (of lookaheads, for a text matched with /m) that holds when
# the text has exactly $n lines $line
sub ::lines {
    my ($line, $n) = @_;
    my $one = '[\s\S]*^' . quotemeta($line) . '$';
    return '(?=' . ($one x $n) . ')(?!' . ($one x ($n + 1)) . ')';
}

# A fake Redis, for the blocks that need a reply late: each connection is
# served in order by a process of its own, and each command is written to
# a log with the connection's number (in the order of accept) and its key.
# SET is answered nil (claimed), EVAL 1 (marked, released); an EVAL for a
# notification whose id ends in "-late-N" is answered N ms late.

package FakeRedis;

our ($Pid, $Log, $Owner);

sub start {
    my $dir = File::Temp::tempdir('intercom-fake-redis-XXXXXX', TMPDIR => 1,
                                  CLEANUP => 1);
    $Log = "$dir/commands";
    my $l = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Proto => 'tcp', Listen => 16)
        or die "FakeRedis: listen: $!";
    $ENV{TEST_NGINX_FAKE_REDIS_PORT} = $l->sockport;
    $Owner = $$;

    $Pid = fork // die "FakeRedis: fork: $!";
    return close $l if $Pid;

    my (%kids, $n);
    $SIG{TERM} = sub { kill 'TERM', keys %kids; POSIX::_exit(0) };
    $SIG{CHLD} = sub {
        while ((my $k = waitpid(-1, POSIX::WNOHANG())) > 0) {
            delete $kids{$k};
        }
    };
    $SIG{PIPE} = 'IGNORE';

    for (;;) {
        my $c = $l->accept or next;
        $n++;
        my $k = fork;
        if (defined $k && $k == 0) {
            $SIG{TERM} = 'DEFAULT';
            close $l;
            serve($c, $n);
            POSIX::_exit(0);
        }
        $kids{$k} = 1 if $k;
        close $c;
    }
}

sub serve {
    my ($c, $n) = @_;
    binmode $c;
    $c->autoflush(1);
    while (defined(my $line = <$c>)) {
        my ($argc) = $line =~ /^\*(\d+)\r\n\z/ or return;
        my @argv;
        for (1 .. $argc) {
            my ($len) = (<$c> // '') =~ /^\$(\d+)\r\n\z/ or return;
            my $buf = '';
            while (length $buf < $len + 2) {
                read($c, $buf, $len + 2 - length $buf, length $buf)
                    or return;
            }
            push @argv, substr($buf, 0, $len);
        }
        my $cmd = uc $argv[0];
        my $key = ($cmd eq 'EVAL' ? $argv[3] : $argv[1]) // '';
        open my $fh, '>>', $Log or die "FakeRedis: $Log: $!";
        print $fh "$n $cmd $key\n";
        close $fh;
        if ($cmd eq 'EVAL' && $key =~ /-late-(\d+)\z/) {
            Time::HiRes::sleep($1 / 1000);
        }
        print $c $cmd eq 'SET' ? "\$-1\r\n"
                 : $cmd eq 'EVAL' ? ":1\r\n"
                 : $cmd eq 'PING' ? "+PONG\r\n"
                 : "-ERR unknown command\r\n";
    }
}

# the commands for a notification's key: [connection, command] each
sub commands {
    my ($key) = @_;
    open my $fh, '<', $Log or return [];
    return [ map { /^(\d+) (\S+) \Q$key\E$/ ? [$1, $2] : () } <$fh> ];
}

END {
    if ($Pid && $$ == $Owner) {
        kill 'TERM', $Pid;
        waitpid($Pid, 0);
    }
}

package main;

FakeRedis::start();

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
is(scalar(@keys), 14, 'fourteen keys in all (' . scalar(@keys) . ')');

# a client gone while its claim was asked: delivered, by its request or by
# the retry; the next notification delivered; the claim Redis carried out after
# nginx gave up on it released, and the retry delivered
is(::redis('GET', ::redis_key('q3fz8k2m', 'notif-gone')), 'd',
   'the notification of the client gone: delivered');
is(::redis('GET', ::redis_key('q3fz8k2m', 'notif-gone-next')), 'd',
   'the next one: delivered');
is(::redis('GET', ::redis_key('q3fz8k2m', 'notif-stalled')), 'd',
   'the claim carried out late: released, delivered by the retry');

# what the fake Redis was asked, on which connection: a mark answered after
# its request ended, then the next claim on the same connection; a mark
# that timed out, then the next claim on another
my $late = FakeRedis::commands(::redis_key('q3fz8k2m', 'notif-mark-late-500'));
my $c = @$late ? $late->[0][0] : 0;
is_deeply($late, [[$c, 'SET'], [$c, 'EVAL']],
          'the claim and the late mark, on one connection');
is_deeply(FakeRedis::commands(::redis_key('q3fz8k2m', 'notif-mark-next')),
          [[$c, 'SET'], [$c, 'EVAL']],
          'the next claim and mark on that connection, kept alive');
$late = FakeRedis::commands(::redis_key('q3fz8k2m', 'notif-mark-late-1500'));
$c = @$late ? $late->[0][0] : 0;
is_deeply($late, [[$c, 'SET'], [$c, 'EVAL']],
          'the claim and the mark that timed out, on one connection');
my $next = FakeRedis::commands(::redis_key('q3fz8k2m', 'notif-mark-next2'));
ok(@$next && $next->[0][0] != $c,
   'the next claim on another connection (' . join(' ', map { "@$_" } @$next)
   . ", the mark's was $c)");

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



=== TEST 16: the client goes away while its claim waits for Redis: nginx sees it only once the claim is answered and the request goes on, and the application gets the notification: from that request, from the retry, or from both when the client went while the application answered
--- http_config
    upstream rd {
        server 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    }
    intercom_webhook_redis rd timeout=5s;
    intercom_webhook_zone iw:1m;
    log_format lo 'lo $uri $status $http_x_intercom_notification_id';
--- config
    location = /hook {
        access_log $TEST_NGINX_SERVER_ROOT/logs/error.log lo;
        intercom_webhook on status=iw;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_dedup redis=rd;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app {
        access_log $TEST_NGINX_SERVER_ROOT/logs/error.log lo;
        return 200 "app $http_x_intercom_notification_id\n";
    }
    location = /status { intercom_webhook_status; }
--- init
# Redis takes no write for a second: the claim waits, the client goes
::redis('CLIENT', 'PAUSE', 1000, 'WRITE');
::gone(::ev('notif-gone'), 0.3);
# then the claim, and the release after the 499 (or the mark): two "ok"
my $status = ::wait_until('the claim and its release', sub { ::get('/status') },
                          sub { ($_[0] // '') =~ /"redis_operations":\{"ok":2,/ });
Test::More::like($status, qr/"location":"\/hook",.*"redis_operations":\{"ok":2,"error":0,"timeout":0,"unavailable":0\}/,
                 'TEST 16: the claim of the client gone and its release, counted "ok"');
--- raw_request eval
[::keepalive("notif-gone"), ::keepalive("notif-gone-next", 1)]
--- raw_request_middle_delay: 0.2
--- ignore_response
--- grep_error_log eval: qr/^lo \/(?:app|hook) \d+ notif-gone$/
--- grep_error_log_out eval
# proxy_pass sees the client gone before it sends (499: the claim is
# released, the retry passes on); or after the application answered
# (200: marked, the retry is "delivered already", as under valgrind); or
# in between, the application's answer unread (499, released: the retry
# reaches the application again, at least once); never the retry of a
# notification marked delivered.  The retry answered "delivered already"
# was not passed on, and has no id in its line ("-").  The lines in any
# order: the two requests' access lines are written as each is freed.
my ($app, $gone, $ok) = map { "lo $_ notif-gone" }
                            '/app 200', '/hook 499', '/hook 200';
my $released = ::lines($gone, 1) . ::lines($ok, 1)
               . '(?:' . ::lines($app, 1) . '|' . ::lines($app, 2) . ')';
my $marked = ::lines($gone, 0) . ::lines($ok, 1) . ::lines($app, 1);
qr/\A(?:$released|$marked)/m
--- error_log eval
[qr/^lo \/hook (?:499|200) notif-gone$/m,
 qr/^lo \/app 200 notif-gone-next$/m]
--- no_error_log
[alert]
[crit]



=== TEST 17: Redis stalls (SIGSTOP) while a client goes away: the claim times out, the request goes on (499) and sends the release all the same, which Redis carries out after the claim: the retry reaches the application at once, not after the claim's 60 s
--- http_config
    upstream rd {
        server 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    }
    intercom_webhook_redis rd timeout=1s;
    intercom_webhook_zone iw:1m;
--- config
    location = /hook {
        intercom_webhook on status=iw;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_dedup redis=rd;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app $http_x_intercom_notification_id\n"; }
    location = /status { intercom_webhook_status; }
--- init
kill 'STOP', $IntercomRedis::Pid;
eval {
    ::gone(::ev('notif-stalled'), 0.1);
    ::wait_until('the claim timed out', sub { ::get('/status') },
                 sub { ($_[0] // '') =~ /"timeout":1,/ });
};
# the claim and the release wait in Redis's sockets, in this order
kill 'CONT', $IntercomRedis::Pid;
die $@ if $@;
my $status = ::wait_until('the release', sub { ::get('/status') },
                          sub { ($_[0] // '') =~ /"redis_operations":\{"ok":1,/ });
Test::More::like($status, qr/"location":"\/hook",.*"redis_operations":\{"ok":1,"error":0,"timeout":1,"unavailable":0\}/,
                 'TEST 17: the claim timed out, the release answered');
Test::More::is(::redis('EXISTS', ::redis_key('q3fz8k2m', 'notif-stalled')), 0,
               'TEST 17: the claim Redis carried out after nginx gave up on it, released');
--- request eval
"POST /hook\n" . ::ev("notif-stalled")
--- more_headers eval
::signed(::ev("notif-stalled"))
--- response_body
app notif-stalled
--- no_error_log
[alert]
[crit]



=== TEST 18: the mark is answered after its request has ended (the fake Redis answers it 500 ms late): the next claim on that connection, kept alive, gets its own reply
--- http_config
    upstream fr {
        server 127.0.0.1:$TEST_NGINX_FAKE_REDIS_PORT;
    }
    intercom_webhook_redis fr timeout=5s keepalive=1;
    intercom_webhook_zone iw:1m;
--- config eval: $::FakeConfig
--- init
# answered at once: the mark is asked after the answer
Test::More::is(::post('notif-mark-late-500'), "app notif-mark-late-500\n",
               'TEST 18: the first notification, answered before its mark');
::wait_until('the mark', sub { ::get('/status') },
             sub { ($_[0] // '') =~ /"redis_operations":\{"ok":2,"error":0,"timeout":0,"unavailable":0\}/ });
--- request eval
"POST /hook\n" . ::ev("notif-mark-next")
--- more_headers eval
::signed(::ev("notif-mark-next"))
--- response_body
app notif-mark-next
--- no_error_log
[warn]
[alert]
[crit]



=== TEST 19: the mark times out after its request has ended (answered 1500 ms late): its connection is closed, and the next claim, on another, gets its own reply
--- http_config
    upstream fr {
        server 127.0.0.1:$TEST_NGINX_FAKE_REDIS_PORT;
    }
    intercom_webhook_redis fr timeout=200ms keepalive=1;
    intercom_webhook_zone iw:1m;
--- config eval: $::FakeConfig
--- init
Test::More::is(::post('notif-mark-late-1500'), "app notif-mark-late-1500\n",
               'TEST 19: the first notification, answered before its mark');
# the mark timed out; the fake Redis answers it 1.3 s later
::wait_until('the mark timed out', sub { ::get('/status') },
             sub { ($_[0] // '') =~ /"redis_operations":\{"ok":1,"error":0,"timeout":1,"unavailable":0\}/ });
--- request eval
"POST /hook\n" . ::ev("notif-mark-next2")
--- more_headers eval
::signed(::ev("notif-mark-next2"))
--- response_body
app notif-mark-next2
--- error_log eval
qr/\[warn\] .*intercom webhook: Redis "fr" timed out to the mark of a notification delivered in location "\/hook"; a copy of it may be passed on again/
--- no_error_log
[alert]
[crit]
