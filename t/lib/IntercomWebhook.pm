# Helpers shared by the Test::Nginx suites in t/: signed Intercom
# notifications, the module's log lines, the exact request that
# proxy_pass makes of a forwarded notification, and raw connections to
# nginx for requests out of step with Redis (t/queue.t, t/redis_dedup.t).  They are defined in the
# main package: call them as ::name() from the blocks' "eval" sections
# (Test::Base evaluates those in a package of its own).
#
# Load it with:
#     use FindBin ();
#     use lib "$FindBin::Bin/lib";
#     use IntercomWebhook;

package IntercomWebhook;

use strict;
use warnings;

use Digest::SHA ();
use IO::Socket::INET ();
use Socket ();
use Time::HiRes ();
use File::Basename ();
use File::Spec ();

our $Payloads = File::Spec->catdir(File::Basename::dirname(__FILE__),
                                   File::Spec->updir, 'payloads');

# t/payloads/NAME as Test::Nginx sends it: its request builder strips the
# white space around a body (the files end with a newline) unless the
# block sets Content-Length itself.
sub ::payload {
    my ($name) = @_;
    open my $fh, '<:raw', "$IntercomWebhook::Payloads/$name"
        or die "$IntercomWebhook::Payloads/$name: $!";
    local $/;
    my $body = <$fh>;
    $body =~ s/\s+\z//;
    return $body;
}


# "sha1=" and the hex HMAC-SHA1 of the body, keyed by default with the
# secret the blocks configure
sub ::sig {
    my ($body, $key) = @_;
    return 'sha1=' . Digest::SHA::hmac_sha1_hex($body, $key // 'it-secret');
}


# more_headers: the signature of the body, then other header lines
sub ::signed {
    my ($body, $key, @more) = @_;
    return join "\n", "X-Hub-Signature: " . ::sig($body, $key), @more;
}


# a compact notification of the topic; named arguments replace members
# with raw JSON text, or drop them when undef
sub ::event {
    my ($topic, %o) = @_;
    my %m = (
        type => '"notification_event"',
        app_id => '"q3fz8k2m"',
        data => '{"type":"notification_event_data",'
                . '"item":{"type":"conversation","id":"87120044511"}}',
        links => '{}',
        id => '"notif_00000000-0000-4000-9e37-79b97f4a7c15"',
        topic => defined $topic ? qq{"$topic"} : undef,
        delivery_status => 'null',
        delivery_attempts => '1',
        delivered_at => '0',
        first_sent_at => '1764412801',
        created_at => '1764412800',
        self => 'null',
        %o,
    );
    my @order = qw(type app_id data links id topic delivery_status
                   delivery_attempts delivered_at first_sent_at created_at
                   self);
    return '{' . join(',', map { qq{"$_":$m{$_}} }
                           grep { defined $m{$_} } @order) . '}';
}


# the module's default headers for ::event(topic), as the upstream gets
# them
sub ::defaults {
    my ($topic) = @_;
    return ("X-Intercom-Topic: $topic",
            "X-Intercom-Notification-Id: notif_00000000-0000-4000-9e37-79b97f4a7c15",
            "X-Intercom-App-Id: q3fz8k2m",
            "X-Intercom-Item-Type: conversation",
            "X-Intercom-Item-Id: 87120044511",
            "X-Intercom-Delivery-Attempts: 1",
            "X-Intercom-Created-At: 1764412800");
}


# a body in chunked encoding, in chunks of the given size
sub ::chunked {
    my ($body, $size) = @_;
    my $out = '';
    for (my $i = 0; $i < length $body; $i += $size) {
        my $c = substr($body, $i, $size);
        $out .= sprintf("%x\r\n%s\r\n", length $c, $c);
    }
    return $out . "0\r\n\r\n";
}


# an error log line of the module for a request from 127.0.0.1, with
# nginx's context
sub ::logged {
    my ($level, $msg, $request) = @_;
    $request //= 'POST /hook HTTP/1.1';
    return qr/\[\Q$level\E\] \d+#\d+: \*\d+ \Qintercom webhook: $msg, client: 127.0.0.1, server: localhost, request: "$request", host: "localhost"\E$/;
}


# nginx's own error page for a status, whatever its wording: "401
# Authorization Required" here, "401 Unauthorized" elsewhere, with or
# without "nginx/1.22.1" under it; only the code is the same everywhere
sub ::error_page {
    my ($code) = @_;
    return qr/<html>.*\b\Q$code\E\b/s;
}


# true, with a note saying so, when the nginx under test was built
# without --with-debug and writes no [debug] line: for the blocks that
# assert such lines, as "--- skip_eval: N: ::no_debug()"
sub ::no_debug {
    my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
    return 0 if `$nginx -V 2>&1` =~ /--with-debug\b/;
    print STDERR "# $nginx: built without --with-debug, "
                 . "the checks of [debug] lines are skipped\n";
    return 1;
}


# true, with a note saying so, when this CPU has no vector code for the
# parser's index (AVX2 with PCLMULQDQ, BMI1 and POPCNT, on x86-64), or
# not the one asked for ("avx512": AVX-512 with BW and VBMI2 too, which a
# copy of a body in two buffers needs): a body in memory is then parsed
# by the streaming parser; for the blocks that assert which, as
# "--- skip_eval: N: ::no_index()"
sub ::no_index {
    my ($code) = @_;
    my @need = qw(avx2 pclmulqdq bmi1 popcnt);
    push @need, qw(avx512f avx512bw avx512_vbmi2) if ($code // '') eq 'avx512';
    my $flags = '';
    if (open my $fh, '<', '/proc/cpuinfo') {
        while (<$fh>) {
            if (/^flags\s*:\s*(.*)/) { $flags = " $1 "; last; }
        }
        close $fh;
    }
    if (($code // '') eq 'avx512' && $ENV{TEST_NGINX_USE_VALGRIND}) {
        print STDERR "# valgrind has no AVX-512: the checks of the parser's "
                     . "AVX-512 index are skipped\n";
        return 1;
    }
    return 0 unless grep { $flags !~ / \Q$_\E / } @need;
    print STDERR "# this CPU has not " . join(', ', @need)
                 . ": the checks of the parser's index are skipped\n";
    return 1;
}


# "Connection: close", that proxy_pass adds for HTTP/1.0 up to nginx 1.29.6
sub ::connection {
    my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
    my ($v) = `$nginx -v 2>&1` =~ m{nginx/(\d+\.\d+\.\d+)};
    my @v = split /\./, $v // '0.0.0';
    my $n = $v[0] * 1000000 + $v[1] * 1000 + $v[2];
    return $n >= 1029007 ? '' : "Connection: close\r\n";
}


# the request that proxy_pass (HTTP/1.0) makes of a forwarded notification
# to the fake upstream on port 1985: its own first headers, the client's
# other headers in order, then the module's
sub ::upstream {
    my ($uri, $body, @headers) = @_;
    return "POST $uri HTTP/1.0\r\nHost: 127.0.0.1:1985\r\n"
           . ::connection() . "Content-Length: " . length($body) . "\r\n"
           . join('', map { "$_\r\n" } @headers) . "\r\n" . $body;
}


# a connection to nginx, which may still be starting (under valgrind it
# takes seconds); a read on it gives up after 10 s
sub ::nginx {
    my $s;
    for (1 .. 400) {
        # server_port() of Test::Nginx::Socket, which the test file uses
        $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                   PeerPort => main::server_port(),
                                   Proto => 'tcp', Timeout => 3)
            and last;
        Time::HiRes::sleep(0.025);
    }
    die "no connection to nginx: $!\n" unless $s;
    setsockopt($s, Socket::SOL_SOCKET(), Socket::SO_RCVTIMEO(),
               pack('l!l!', 10, 0));
    return $s;
}


# a notification (its body) sent on a connection of its own, which the
# client closes after $wait seconds without reading the answer: a client
# gone while its notification waits, for Redis say
sub ::gone {
    my ($body, $wait) = @_;
    my $s = ::nginx();
    print $s "POST /hook HTTP/1.1\r\nHost: localhost\r\nContent-Length: "
             . length($body) . "\r\nX-Hub-Signature: " . ::sig($body)
             . "\r\n\r\n$body";
    Time::HiRes::sleep($wait);
    close $s;
}


# what $get returns, once $ok says it will do, waiting 10 s at most (then
# what it returned last, for the block's checks to show)
sub ::wait_until {
    my ($what, $get, $ok) = @_;
    my $v;
    for (1 .. 400) {
        $v = eval { $get->() };
        return $v if $ok->($v);
        Time::HiRes::sleep(0.025);
    }
    Test::More::diag("waited 10 s for $what, in vain");
    return $v;
}


# the body of GET $uri, on a connection of its own
sub ::get {
    my ($uri) = @_;
    my $s = ::nginx();
    print $s "GET $uri HTTP/1.0\r\nHost: localhost\r\n\r\n";
    local $/;
    my $r = <$s> // '';
    close $s;
    return $r =~ /\r\n\r\n(.*)\z/s ? $1 : '';
}

1;
