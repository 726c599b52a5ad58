# A worker that exits while a request's Redis operation is in flight:
# nginx is reloaded while Redis is stalled (SIGSTOP), and at
# worker_shutdown_timeout the old worker ends the request and frees it,
# its claim (de-duplication) or its XADD (the queue) still unanswered.
# The operation lives on in a pool of its own, detached from the request,
# until its connection is closed in the same moment (not at the
# operation's timeout, 30 s here, which would keep the old worker);
# nothing of the request is used after it is freed (util/sanitize and
# valgrind run this file too), the old worker exits, and the new one
# serves the next notification.  The client gets no answer, so Intercom
# sends the notification again: the claim Redis carries out later holds
# that retry off for the claim's time, and the XADD is in the stream (the
# queue is at least once).  A connection whose TLS handshake waits (a
# server that never answers it: Redis stopped, on its plain port) ends
# at worker_shutdown_timeout too.

use Test::Nginx::Socket;
use FindBin ();
use lib "$FindBin::Bin/lib";
use IntercomWebhook;
use IntercomRedis;
use Time::HiRes ();

master_on();
workers(1);
repeat_each(1);

# per block: status and body of the request to the new worker, three log
# checks, and the block's own three
plan tests => repeat_each() * 3 * (2 + 3 + 3);

# what the old worker logs
our $Closed = [qr/\[notice\] .*gracefully shutting down/,
               qr/\[error\] .*intercom webhook: Redis "rd" at 127\.0\.0\.1:\d+: closed at worker_shutdown_timeout \(unavailable\)/];

# the old worker ends its requests 300 ms after the reload, long before
# their Redis operations' timeout
our $MainConfig = <<'_EOC_';
    worker_shutdown_timeout 300ms;
_EOC_

our $HttpConfig = <<'_EOC_';
    upstream rd {
        server 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    }
    intercom_webhook_redis rd timeout=30s;
_EOC_

# the notification $id sent to the worker at hand while Redis is stopped,
# then nginx reloaded: what the client got before the connection closed,
# and whether the old worker exited within 10 s
sub ::reloaded {
    my ($id) = @_;
    my ($got, $old);

    # nginx answers (under valgrind it takes seconds to start), and its
    # master has written its pid and started its worker
    my $s = ::nginx();
    my $pid = ::nginx_master();
    my @old = @{::wait_until('the worker', sub { ::nginx_workers($pid) },
                             sub { @{$_[0]} > 0 })};

    kill 'STOP', $IntercomRedis::Pid;

    eval {
        my $b = ::event("conversation.user.created", id => qq{"$id"});
        print $s "POST /hook HTTP/1.0\r\nHost: localhost\r\nContent-Length: "
                 . length($b) . "\r\nX-Hub-Signature: " . ::sig($b)
                 . "\r\n\r\n$b";

        # the operation is sent: Redis's kernel holds it
        ::wait_until('the operation sent', \&::redis_queued,
                     sub { $_[0] > 0 });

        kill 'HUP', $pid;

        local $/;
        $got = <$s> // '';
        close $s;

        my %old = map { $_ => 1 } @old;
        my $left = ::wait_until('the old worker to exit',
                                sub { ::nginx_workers($pid) },
                                sub { !grep { $old{$_} } @{$_[0]} });
        $old = (grep { $old{$_} } @$left) ? 'running' : 'exited';
    };

    kill 'CONT', $IntercomRedis::Pid;
    die $@ if $@;

    return ($got, $old);
}

# the bytes that Redis's connections hold unread (/proc/net/tcp)
sub ::redis_queued {
    my $n = 0;
    open my $f, '<', '/proc/net/tcp' or die "/proc/net/tcp: $!";
    while (<$f>) {
        # sl local rem st tx_queue:rx_queue, established (01)
        my ($port, $rx) =
            /^\s*\d+: [0-9A-F]+:([0-9A-F]+) \S+ 01 [0-9A-F]+:([0-9A-F]+)/
            or next;
        $n += hex $rx if hex($port) == $IntercomRedis::Port;
    }
    return $n;
}

# nginx's master, from its pid file, which nginx writes after it listens
sub ::nginx_master {
    my $file = server_root() . '/logs/nginx.pid';
    my $pid = ::wait_until('the pid file', sub {
                               open my $f, '<', $file or return '';
                               return <$f> // '';
                           },
                           sub { $_[0] =~ /^\d+$/ });
    die "no pid in $file\n" unless $pid =~ /^(\d+)$/;
    return $1;
}

# the master's children: its workers
sub ::nginx_workers {
    my ($master) = @_;
    my @w;
    for my $stat (glob '/proc/[0-9]*/stat') {
        open my $f, '<', $stat or next;
        my $l = <$f> // next;
        my ($pid, $ppid) = $l =~ /^(\d+) \(.*\) \S+ (\d+)/ or next;
        push @w, $pid if $ppid == $master;
    }
    return \@w;
}

run_tests();

__DATA__

=== TEST 1: nginx reloaded while a claim waits for a stalled Redis: the old worker ends the request at worker_shutdown_timeout, its claim detached, and exits; the new worker serves the next notification; the retry waits for the claim's time
--- main_config eval: $::MainConfig
--- http_config eval: $::HttpConfig
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_dedup redis=rd;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app $http_x_intercom_notification_id\n"; }
--- init
my ($got, $old) = ::reloaded('notif-shutdown-claim');
Test::More::is($got, '', 'TEST 1: no answer, the connection closed');
Test::More::is($old, 'exited', 'TEST 1: the old worker exited');
# the claim, carried out once Redis goes on, holds the retry off
my $key = ::redis_key('q3fz8k2m', 'notif-shutdown-claim');
::wait_until('the claim', sub { ::redis('EXISTS', $key) },
             sub { ($_[0] // 0) == 1 });
Test::More::like(::redis('GET', $key), qr/^f:/,
                 'TEST 1: the claim, carried out after its request ended');
--- request eval
"POST /hook\n" . ::event("conversation.user.created", id => '"notif-shutdown-next"')
--- more_headers eval
::signed(::event("conversation.user.created", id => '"notif-shutdown-next"'))
--- response_body
app notif-shutdown-next
--- error_log eval: $::Closed
--- no_error_log
[alert]



=== TEST 2: nginx reloaded while an XADD waits for a stalled Redis: the old worker ends the request at worker_shutdown_timeout, its XADD detached, and exits; the entry is in the stream all the same
--- main_config eval: $::MainConfig
--- http_config eval: $::HttpConfig
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_enqueue redis=rd stream=shutdown;
    }
--- init
::redis('DEL', 'shutdown');
my ($got, $old) = ::reloaded('notif-shutdown-xadd');
Test::More::is($got, '', 'TEST 2: no answer, the connection closed');
Test::More::is($old, 'exited', 'TEST 2: the old worker exited');
::wait_until('the XADD', sub { ::redis('XLEN', 'shutdown') },
             sub { ($_[0] // 0) == 1 });
Test::More::is(::redis('XLEN', 'shutdown'), 1,
               'TEST 2: the XADD, carried out after its request ended');
--- request eval
"POST /hook\n" . ::event("conversation.user.created", id => '"notif-shutdown-next2"')
--- more_headers eval
::signed(::event("conversation.user.created", id => '"notif-shutdown-next2"'))
--- response_body:
--- error_log eval: $::Closed
--- no_error_log
[alert]



=== TEST 3: nginx reloaded while the TLS handshake of a claim's connection waits (Redis stalled, on its plain port, where no handshake ends): the old worker ends the request and the handshake at worker_shutdown_timeout, and exits; the new worker answers
--- main_config eval: $::MainConfig
--- http_config
    upstream rt {
        server 127.0.0.1:$TEST_NGINX_REDIS_PORT;
    }
    intercom_webhook_redis rt timeout=30s tls tls_verify=off;
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_dedup redis=rt;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app $http_x_intercom_notification_id\n"; }
--- init
my ($got, $old) = ::reloaded('notif-shutdown-tls');
Test::More::is($got, '', 'TEST 3: no answer, the connection closed');
Test::More::is($old, 'exited', 'TEST 3: the old worker exited');
Test::More::is(::redis('EXISTS', ::redis_key('q3fz8k2m', 'notif-shutdown-tls')),
               0, 'TEST 3: nothing reached Redis but the TLS hello');
--- request
GET /app
--- response_body eval
"app \n"
--- error_log eval
[qr/\[notice\] .*gracefully shutting down/,
 qr/\[error\] .*intercom webhook: Redis "rt" at 127\.0\.0\.1:\d+: closed at worker_shutdown_timeout \(unavailable\)/]
--- no_error_log
[alert]
