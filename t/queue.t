# The queue (issue 18): intercom_webhook_enqueue adds a verified
# notification to a Redis Stream, byte for byte with its fields, and
# answers 200 only once Redis has it; any failure (no server, a timeout,
# an error reply, too few replicas) is the unavailable status with
# Retry-After.  Forged notifications and requests the gate did not pass
# are never queued.  As the fallback of proxy_pass (error_page = @queue)
# the gate's verdict survives the redirect.  A client that goes away while
# its notification is on its way to Redis (writes paused, WAIT, SIGSTOP)
# leaves nothing broken: the answer goes nowhere, the entry and the
# counters are as Redis and nginx saw them, the next request gets its own.
#
# A redis-server of its own (Debian's, util/deps test) on 127.0.0.1 and a
# free port, without persistence, stopped by its PID at the end.  After
# each request the stream "q" is read (XRANGE) and compared with the
# block's "--- stream" (a Perl list of entries; none when absent), or
# "--- stream_once" (the same, in the first round only), then deleted.

use Test::Nginx::Socket;
use FindBin ();
use lib "$FindBin::Bin/lib";
use IntercomWebhook;
use IO::Socket::INET ();
use Socket ();
use Time::HiRes ();

BEGIN {
    package QueueRedis;

    use File::Temp ();
    use IO::Socket::INET ();
    use POSIX ();
    use Time::HiRes ();

    our ($Pid, $Port, $Dir, $Owner);

    sub start {
        $Dir = File::Temp::tempdir('intercom-queue-XXXXXX', TMPDIR => 1,
                                   CLEANUP => 1);
        my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
                                      LocalPort => 0, Listen => 1)
            or die "no free port: $!";
        $Port = $s->sockport;
        close $s;
        $Owner = $$;
        $Pid = fork // die "fork: $!";
        if ($Pid == 0) {
            open STDOUT, '>', "$Dir/out";
            open STDERR, '>&', \*STDOUT;
            exec 'redis-server', '--port', $Port, '--bind', '127.0.0.1',
                 '--dir', $Dir, '--save', '', '--appendonly', 'no'
                or POSIX::_exit(127);
        }
        for (1 .. 200) {
            my $pong = eval { ::redis('PING') };
            if (defined $pong && $pong eq 'PONG') {
                $ENV{TEST_NGINX_REDIS_PORT} = $Port;
                return;
            }
            Time::HiRes::sleep(0.025);
        }
        die "redis-server did not start (util/deps test)";
    }

    sub stop {
        return unless $Pid && $$ == $Owner;
        kill 'TERM', $Pid;
        waitpid($Pid, 0);
        undef $Pid;
    }

    sub reply {
        my ($s) = @_;
        my $line = <$s> // die "redis: connection closed\n";
        $line =~ s/\r\n\z//;
        my ($t, $rest) = (substr($line, 0, 1), substr($line, 1));
        return $rest if $t eq '+';
        return $rest + 0 if $t eq ':';
        die "redis: $rest\n" if $t eq '-';
        if ($t eq '$') {
            return undef if $rest < 0;
            my $buf = '';
            while (length $buf < $rest + 2) {
                read($s, $buf, $rest + 2 - length $buf, length $buf)
                    or die "redis: short reply\n";
            }
            return substr($buf, 0, $rest);
        }
        return undef if $rest < 0;
        return [ map { reply($s) } 1 .. $rest ];
    }

    sub ::redis {
        my @args = @_;
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                      PeerPort => $Port, Timeout => 3)
            or die "redis: connect: $!\n";
        binmode $s;
        print $s '*' . @args . "\r\n",
                 map { '$' . length($_) . "\r\n$_\r\n" } @args;
        my $r = reply($s);
        close $s;
        return $r;
    }

    END { my $rc = $?; stop(); $? = $rc; }

    start();
}

Test::Nginx::Socket::add_known_sections('stream', 'stream_once')
    if defined &Test::Nginx::Socket::add_known_sections;

# the stream "q" after each request: the block's entries, and nothing else

add_response_body_check(sub {
    my ($block, $body, $idx, $rep, $dry) = @_;
    return if $dry;
    my $name = $block->name . " (req $rep)";
    my $got = ::redis('XRANGE', 'q', '-', '+');
    ::redis('DEL', 'q');
    my $s = $block->stream;
    # stream_once: the entries of the first round only
    $s = $block->stream_once if !defined $s && $rep == 0;
    my @want = !defined $s ? () : ref $s eq 'ARRAY' ? @$s : ($s);
    my @got;
    for my $e (@$got) {
        my %f = @{ $e->[1] };
        my @names = map { $e->[1][2 * $_] } 0 .. $#{ $e->[1] } / 2;
        # received: Unix seconds with milliseconds, now
        my $r = delete $f{received} // '';
        $f{received} = ($r =~ /^\d+\.\d{3}\z/ && abs($r - time) < 10)
                       ? 'now' : "bad: $r";
        $f{fields} = join ' ', @names;
        push @got, \%f;
    }
    for my $w (@want) {
        $w->{received} = 'now';
        $w->{fields} = 'topic id app_id created_at secret received body';
    }
    Test::More::is_deeply(\@got, \@want, "$name - stream q");
});

repeat_each(2);
no_shuffle();

plan tests => repeat_each() * (5 + 3 * 7 + 4 * 6 + 2 * 2 + 6 * 2
                               + 6 + 5 + 5)
              + 2 + 2 + 2;

# the queue with its counters, for the blocks of clients gone
our $StatusConfig = <<'_EOC_';
    location = /hook {
        intercom_webhook on status=iw;
        intercom_webhook_secret it-secret id=current;
        intercom_webhook_allow all;
        intercom_webhook_enqueue redis=rq stream=q;
    }
    location = /status { intercom_webhook_status; }
_EOC_

run_tests();

sub ::entry {
    my ($body, %o) = @_;
    return { topic => 'conversation.user.created',
             id => 'notif_00000000-0000-4000-9e37-79b97f4a7c15',
             app_id => 'q3fz8k2m', created_at => '1764412800',
             secret => 'current', body => $body, %o };
}

# the ids of the entries of the stream "q", which is then deleted
sub ::taken {
    my $got = ::redis('XRANGE', 'q', '-', '+');
    ::redis('DEL', 'q');
    return join ' ', map { my %f = @{ $_->[1] }; $f{id} } @$got;
}

# a large notification with bytes that must come through as they are
sub ::large {
    my $text = join '', map { "\\u00e9 \xc3\xa9 \\r\\n \\\" $_ " } 1 .. 2000;
    return ::event('conversation.user.created',
        data => '{"type":"notification_event_data","item":{"type":'
                . '"conversation","id":"1","body":"' . $text . '"}}');
}

__DATA__

=== TEST 1: queue first: a genuine notification is in the stream, byte for byte, with its fields, then 200
--- http_config
    upstream rq { server 127.0.0.1:$TEST_NGINX_REDIS_PORT; }
    intercom_webhook_redis rq;
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret id=current;
        intercom_webhook_allow all;
        intercom_webhook_enqueue redis=rq stream=q;
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 200
--- response_body:
--- stream eval
::entry(::event("conversation.user.created"))
--- error_log eval
qr/\[info\] .*intercom webhook: notification "notif_00000000-0000-4000-9e37-79b97f4a7c15" queued in "q" as \d+-\d+ in \d+ ms/
--- no_error_log
[error]



=== TEST 2: a forged notification (bad signature) is never queued: 401
--- http_config
    upstream rq { server 127.0.0.1:$TEST_NGINX_REDIS_PORT; }
    intercom_webhook_redis rq;
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret id=current;
        intercom_webhook_allow all;
        intercom_webhook_enqueue redis=rq stream=q;
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"), "another-secret")
--- error_code: 401
--- no_error_log
queued in



=== TEST 3: report mode: a forged notification passed on by the gate is refused by the queue: 403, logged, not queued
--- http_config
    upstream rq { server 127.0.0.1:$TEST_NGINX_REDIS_PORT; }
    intercom_webhook_redis rq;
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_mode report;
        intercom_webhook_secret it-secret id=current;
        intercom_webhook_allow all;
        intercom_webhook_enqueue redis=rq stream=q;
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"), "another-secret")
--- error_code: 403
--- error_log eval
qr/\[error\] .*intercom webhook: a request not verified by the gate is not queued in location "\/hook"/



=== TEST 4: a 40 KB body in a temporary file, chunked, in the stream byte for byte
--- http_config
    upstream rq { server 127.0.0.1:$TEST_NGINX_REDIS_PORT; }
    intercom_webhook_redis rq;
--- config
    location = /hook {
        client_body_buffer_size 1k;
        client_max_body_size 1m;
        intercom_webhook on;
        intercom_webhook_secret it-secret id=current;
        intercom_webhook_allow all;
        intercom_webhook_enqueue redis=rq stream=q;
    }
--- request eval
"POST /hook\n" . ::chunked(::large(), 1000)
--- more_headers eval
::signed(::large(), undef, "Transfer-Encoding: chunked")
--- error_code: 200
--- stream eval
::entry(::large(), id => 'notif_00000000-0000-4000-9e37-79b97f4a7c15')
--- error_log eval
qr/a client request body is buffered to a temporary file/
--- no_error_log
[error]



=== TEST 5: the fallback: the application is down, error_page = @queue: queued, 200
--- http_config
    upstream rq { server 127.0.0.1:$TEST_NGINX_REDIS_PORT; }
    intercom_webhook_redis rq;
--- config
    intercom_webhook_secret it-secret id=current;
    intercom_webhook_allow all;
    location = /hook {
        intercom_webhook on;
        error_page 502 503 504 = @queue;
        proxy_pass http://127.0.0.1:1;
    }
    location @queue {
        intercom_webhook on;
        intercom_webhook_enqueue redis=rq stream=q;
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 200
--- stream eval
::entry(::event("conversation.user.created"))
--- error_log eval
qr/connect\(\) failed \(111: Connection refused\) while connecting to upstream/



=== TEST 6: the fallback: the application's own 503 (proxy_intercept_errors): queued, 200
--- http_config
    upstream rq { server 127.0.0.1:$TEST_NGINX_REDIS_PORT; }
    intercom_webhook_redis rq;
--- config
    intercom_webhook_secret it-secret id=current;
    intercom_webhook_allow all;
    location = /hook {
        intercom_webhook on;
        proxy_intercept_errors on;
        error_page 502 503 504 = @queue;
        proxy_pass http://127.0.0.1:1985;
    }
    location @queue {
        intercom_webhook on;
        intercom_webhook_enqueue redis=rq stream=q;
    }
--- tcp_listen: 1985
--- tcp_reply eval
"HTTP/1.0 503 Service Unavailable\r\nContent-Length: 5\r\n\r\nbusy\n"
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 200
--- response_body:
--- stream eval
::entry(::event("conversation.user.created"))
--- no_error_log
[error]



=== TEST 7: the fallback, the application answers 200: not queued
--- http_config
    upstream rq { server 127.0.0.1:$TEST_NGINX_REDIS_PORT; }
    intercom_webhook_redis rq;
--- config
    intercom_webhook_secret it-secret id=current;
    intercom_webhook_allow all;
    location = /hook {
        intercom_webhook on;
        error_page 502 503 504 = @queue;
        proxy_pass http://127.0.0.1:1985;
    }
    location @queue {
        intercom_webhook on;
        intercom_webhook_enqueue redis=rq stream=q;
    }
--- tcp_listen: 1985
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nstored"
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 200
--- response_body chomp
stored
--- no_error_log
queued in



=== TEST 8: Redis down (connection refused): 429 with Retry-After, logged, never 200
--- http_config
    upstream rq { server 127.0.0.1:1; }
    intercom_webhook_redis rq;
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret id=current;
        intercom_webhook_allow all;
        intercom_webhook_enqueue redis=rq stream=q;
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 429
--- response_headers
Retry-After: 60
--- error_log eval
qr/\[error\] .*intercom webhook: notification not queued in "q": Redis: unavailable after \d+ ms, Intercom will retry/



=== TEST 9: Redis does not answer: the location's unavailable status, 503 with Retry-After: 30
--- http_config
    upstream rq { server 127.0.0.1:1985; }
    intercom_webhook_redis rq timeout=200ms;
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret id=current;
        intercom_webhook_allow all;
        intercom_webhook_unavailable 503 retry_after=30s;
        intercom_webhook_enqueue redis=rq stream=q;
    }
--- tcp_listen: 1985
--- tcp_no_close
--- tcp_reply:
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 503
--- response_headers
Retry-After: 30
--- error_log eval
qr/\[error\] .*intercom webhook: notification not queued in "q": Redis: timeout after \d+ ms, Intercom will retry/



=== TEST 10: an error reply (the key is not a stream): 429, Redis's message logged
--- http_config
    upstream rq { server 127.0.0.1:$TEST_NGINX_REDIS_PORT; }
    intercom_webhook_redis rq;
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret id=current;
        intercom_webhook_allow all;
        intercom_webhook_enqueue redis=rq stream=a-string;
    }
--- init
::redis('SET', 'a-string', 'x');
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 429
--- response_headers
Retry-After: 60
--- error_log eval
qr/\[error\] .*intercom webhook: notification not queued in "a-string": Redis answered "WRONGTYPE [^"]*", Intercom will retry/



=== TEST 11: wait=1 without a replica: in the stream, but 429: WAIT said 0
--- http_config
    upstream rq { server 127.0.0.1:$TEST_NGINX_REDIS_PORT; }
    intercom_webhook_redis rq;
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret id=current;
        intercom_webhook_allow all;
        intercom_webhook_enqueue redis=rq stream=q wait=1 wait_timeout=50ms;
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 429
--- stream eval
::entry(::event("conversation.user.created"))
--- error_log eval
qr/\[error\] .*intercom webhook: notification queued in "q" as \d+-\d+, but only 0 of 1 replicas have it, Intercom will retry/



=== TEST 12: maxlen=1: the stream keeps the newest entry only
--- http_config
    upstream rq { server 127.0.0.1:$TEST_NGINX_REDIS_PORT; }
    intercom_webhook_redis rq;
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret id=current;
        intercom_webhook_allow all;
        intercom_webhook_enqueue redis=rq stream=q maxlen=1;
    }
--- init
::redis('XADD', 'q', '*', 'old', '1');
::redis('XADD', 'q', '*', 'old', '2');
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 200
--- stream eval
::entry(::event("conversation.user.created"))



=== TEST 13: a ping answered by the gate is not queued
--- http_config
    upstream rq { server 127.0.0.1:$TEST_NGINX_REDIS_PORT; }
    intercom_webhook_redis rq;
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret id=current;
        intercom_webhook_allow all;
        intercom_webhook_enqueue redis=rq stream=q;
    }
--- request eval
"POST /hook\n" . ::event("ping")
--- more_headers eval
::signed(::event("ping"))
--- error_code: 200
--- no_error_log
queued in



=== TEST 14: an ignored topic is answered by the gate, not queued
--- http_config
    upstream rq { server 127.0.0.1:$TEST_NGINX_REDIS_PORT; }
    intercom_webhook_redis rq;
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret id=current;
        intercom_webhook_allow all;
        intercom_webhook_topics contact.*;
        intercom_webhook_enqueue redis=rq stream=q;
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 200
--- no_error_log
queued in



=== TEST 15: a subrequest (mirror) of a request no gate passed is refused (the gate's 403), not queued
--- http_config
    upstream rq { server 127.0.0.1:$TEST_NGINX_REDIS_PORT; }
    intercom_webhook_redis rq;
--- config
    intercom_webhook_secret it-secret id=current;
    intercom_webhook_allow all;
    location = /open {
        mirror /q;
        proxy_pass http://127.0.0.1:1985;
    }
    location = /q {
        internal;
        intercom_webhook on;
        intercom_webhook_enqueue redis=rq stream=q;
    }
--- tcp_listen: 1985
--- tcp_reply eval
"HTTP/1.0 204 No Content\r\n\r\n"
--- request eval
"POST /open\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 204
--- error_log eval
qr/intercom webhook: refused in a subrequest/



=== TEST 16: with de-duplication, a notification queued already is not queued again: 200
--- http_config
    upstream rq { server 127.0.0.1:$TEST_NGINX_REDIS_PORT; }
    intercom_webhook_redis rq;
    intercom_webhook_zone iw:1m;
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret id=current;
        intercom_webhook_allow all;
        intercom_webhook_dedup zone=iw;
        intercom_webhook_enqueue redis=rq stream=q;
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 200
--- stream_once eval
::entry(::event("conversation.user.created"))



=== TEST 17: nginx -t: an unknown redis= name
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_enqueue redis=nowhere stream=q;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*unknown Redis "nowhere" in \S+nginx\.conf:\d+/



=== TEST 18: nginx -t: no stream=
--- http_config
    upstream rq { server 127.0.0.1:1; }
    intercom_webhook_redis rq;
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_enqueue redis=rq maxlen=10;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*"stream=key" is required in \S+nginx\.conf:\d+/



=== TEST 19: nginx -t: a bad maxlen=
--- http_config
    upstream rq { server 127.0.0.1:1; }
    intercom_webhook_redis rq;
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_enqueue redis=rq stream=q maxlen=~0;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid "maxlen=~0", "maxlen=number" or "maxlen=~number" of at least 1 is expected in \S+nginx\.conf:\d+/



=== TEST 20: nginx -t: a bad wait=
--- http_config
    upstream rq { server 127.0.0.1:1; }
    intercom_webhook_redis rq;
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_enqueue redis=rq stream=q wait=many;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid "wait=many", "wait=number" of replicas, at least 1, is expected in \S+nginx\.conf:\d+/



=== TEST 21: nginx -t: not a webhook location
--- http_config
    upstream rq { server 127.0.0.1:1; }
    intercom_webhook_redis rq;
--- config
    intercom_webhook_secret it-secret;
    location = /hook {
        intercom_webhook_enqueue redis=rq stream=q;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*"intercom_webhook_enqueue" in location "\/hook" needs "intercom_webhook on;" in that location/



=== TEST 22: nginx -t: after proxy_pass
--- http_config
    upstream rq { server 127.0.0.1:1; }
    intercom_webhook_redis rq;
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        proxy_pass http://127.0.0.1:1;
        intercom_webhook_enqueue redis=rq stream=q;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*location "\/hook" has a content handler already \(proxy_pass, \.\.\.\) in \S+nginx\.conf:\d+/



=== TEST 23: the client goes away while its notification waits for Redis (writes paused for a second): nginx sees it only when it answers, so the entry is kept and counted, and the next notification gets its own answer
--- http_config
    upstream rq { server 127.0.0.1:$TEST_NGINX_REDIS_PORT; }
    intercom_webhook_redis rq timeout=5s;
    intercom_webhook_zone iw:1m;
--- config eval: $::StatusConfig
--- init
::redis('CLIENT', 'PAUSE', 1000, 'WRITE');
::gone(::event('conversation.user.created', id => '"notif-q-gone"'), 0.3);
my $status = ::wait_until('the entry', sub { ::get('/status') },
                          sub { ($_[0] // '') =~ /"enqueued":1,/ });
Test::More::like($status, qr/"location":"\/hook",.*"redis_operations":\{"ok":1,"error":0,"timeout":0,"unavailable":0\},.*"enqueued":1,"enqueue_failures":0[,}]/,
                 'TEST 23: the entry of the client gone, counted');
Test::More::is(::taken(), 'notif-q-gone', 'TEST 23: its entry, in the stream');
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 200
--- response_body:
--- stream eval
::entry(::event("conversation.user.created"))
--- error_log eval
qr/\[info\] .*intercom webhook: notification "notif_00000000-0000-4000-9e37-79b97f4a7c15" queued in "q" as \d+-\d+ in \d+ ms/
--- no_error_log
[alert]
[crit]



=== TEST 24: the client goes away while WAIT waits for a replica: the entry is in the stream, the failure (0 replicas) counted, and the next notification gets its own answer
--- http_config
    upstream rq { server 127.0.0.1:$TEST_NGINX_REDIS_PORT; }
    intercom_webhook_redis rq timeout=5s;
    intercom_webhook_zone iw:1m;
--- config
    location = /hook {
        intercom_webhook on status=iw;
        intercom_webhook_secret it-secret id=current;
        intercom_webhook_allow all;
        intercom_webhook_enqueue redis=rq stream=q wait=1 wait_timeout=500ms;
    }
    location = /status { intercom_webhook_status; }
--- init
::gone(::event('conversation.user.created', id => '"notif-q-wait"'), 0.2);
my $status = ::wait_until('the failure', sub { ::get('/status') },
                          sub { ($_[0] // '') =~ /"enqueue_failures":1[,}]/ });
Test::More::like($status, qr/"location":"\/hook",.*"redis_operations":\{"ok":1,"error":0,"timeout":0,"unavailable":0\},.*"enqueued":0,"enqueue_failures":1[,}]/,
                 'TEST 24: the failure of the client gone, counted');
Test::More::is(::taken(), 'notif-q-wait', 'TEST 24: its entry, in the stream');
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 429
--- stream eval
::entry(::event("conversation.user.created"))
--- error_log eval
qr/\[error\] .*intercom webhook: notification queued in "q" as \d+-\d+, but only 0 of 1 replicas have it, Intercom will retry/
--- no_error_log
[alert]
[crit]



=== TEST 25: Redis stalls (SIGSTOP) while a client goes away: XADD times out (429, counted), Redis adds the entry once it goes on, and the next notification gets its own answer
--- http_config
    upstream rq { server 127.0.0.1:$TEST_NGINX_REDIS_PORT; }
    intercom_webhook_redis rq timeout=300ms;
    intercom_webhook_zone iw:1m;
--- config eval: $::StatusConfig
--- init
kill 'STOP', $QueueRedis::Pid;
my $status = eval {
    ::gone(::event('conversation.user.created', id => '"notif-q-stalled"'),
           0.1);
    ::wait_until('the timeout', sub { ::get('/status') },
                 sub { ($_[0] // '') =~ /"enqueue_failures":1[,}]/ });
};
kill 'CONT', $QueueRedis::Pid;
die $@ if $@;
Test::More::like($status, qr/"location":"\/hook",.*"redis_operations":\{"ok":0,"error":0,"timeout":1,"unavailable":0\},.*"enqueued":0,"enqueue_failures":1[,}]/,
                 'TEST 25: the timeout, counted');
::wait_until('the late entry', sub { ::redis('XLEN', 'q') },
             sub { defined $_[0] && $_[0] == 1 });
Test::More::is(::taken(), 'notif-q-stalled',
               'TEST 25: the entry Redis added after the timeout, in the stream (Intercom retries: a duplicate)');
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 200
--- response_body:
--- stream eval
::entry(::event("conversation.user.created"))
--- no_error_log
[alert]
[crit]
