#!/usr/bin/perl
#
# t/faults/app.pl: the application behind nginx in util/faults.  One
# process, one event loop (IO::Select, non-blocking sockets), HTTP/1.x
# with Content-Length bodies, keep-alive when asked for.
#
# Usage: app.pl PORT
#
# Each POST is answered as its X-Faults-Mode request header says (the
# client sets it, nginx passes it on):
#   up (default)   200 "received"
#   NNN            that status (500, 503, 410, ...), "app status NNN"
#   slow           200, after X-Faults-Delay seconds (default 3)
#   reset-header   part of the response header, then a TCP reset
#   reset-body     the whole header, part of the body, then a TCP reset
#
# GET /__stats (to the application itself) answers the counts of
# complete POSTs received since start: "posts N", and "forwarded N" for
# those that carry the module's X-Intercom-Topic header.
#
# It stops on SIGTERM or SIGINT.
#
use strict;
use warnings;

use IO::Select;
use IO::Socket::INET;
use Socket qw(SOL_SOCKET SO_LINGER IPPROTO_TCP TCP_NODELAY);
use Time::HiRes qw(time);

my $port = shift @ARGV or die "usage: $0 PORT\n";

my $listen = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
                                   LocalPort => $port,
                                   Proto => 'tcp',
                                   Listen => 1024,
                                   ReuseAddr => 1,
                                   Blocking => 0)
    or die "app.pl: listen 127.0.0.1:$port: $!\n";

my $running = 1;
$SIG{TERM} = $SIG{INT} = sub { $running = 0 };
$SIG{PIPE} = 'IGNORE';

my %posts = (all => 0, forwarded => 0);

# per connection (keyed by fileno): sock, in, out, due (time of a delayed
# action), action ('write' or 'reset'), pending (output of 'write'),
# close (after out is written)
my %conn;

my $rsel = IO::Select->new($listen);
my $wsel = IO::Select->new();

sub drop {
    my ($c) = @_;
    my $fd = fileno $c->{sock};
    $rsel->remove($c->{sock});
    $wsel->remove($c->{sock});
    close $c->{sock};
    delete $conn{$fd};
}

sub reset_conn {
    my ($c) = @_;
    setsockopt($c->{sock}, SOL_SOCKET, SO_LINGER, pack('ii', 1, 0));
    drop($c);
}

sub flush_out {
    my ($c) = @_;
    while (length $c->{out}) {
        my $n = syswrite($c->{sock}, $c->{out});
        if (!defined $n) {
            if ($!{EAGAIN} || $!{EWOULDBLOCK}) {
                $wsel->add($c->{sock});
                return;
            }
            drop($c);
            return;
        }
        substr($c->{out}, 0, $n, '');
    }
    $wsel->remove($c->{sock});
    drop($c) if $c->{close} && !$c->{due};
}

sub response {
    my ($status, $body, $keep) = @_;
    return "HTTP/1.1 $status\r\nContent-Type: text/plain\r\n"
        . "Content-Length: " . length($body) . "\r\n"
        . "Connection: " . ($keep ? 'keep-alive' : 'close') . "\r\n\r\n"
        . $body;
}

# one complete request: line, headers (lower-case names), body
sub handle {
    my ($c, $line, $h, $body) = @_;
    my ($method, $uri, $proto) = split / /, $line;
    $proto //= 'HTTP/1.0';
    my $conn_h = lc($h->{connection} // '');
    my $keep = $proto eq 'HTTP/1.1' ? $conn_h ne 'close'
                                    : $conn_h eq 'keep-alive';

    if ($method eq 'GET' && $uri eq '/__stats') {
        $c->{out} .= response('200 OK', "posts $posts{all}\n"
                              . "forwarded $posts{forwarded}\n", 0);
        $c->{close} = 1;
        return;
    }

    if ($method ne 'POST') {
        $c->{out} .= response('405 Not Allowed', "POST only\n", $keep);
        $c->{close} = 1 unless $keep;
        return;
    }

    $posts{all}++;
    $posts{forwarded}++ if defined $h->{'x-intercom-topic'};

    my $mode = $h->{'x-faults-mode'} // 'up';

    if ($mode =~ /^[1-5][0-9][0-9]$/) {
        $c->{out} .= response("$mode App Status", "app status $mode\n",
                              $keep);
        $c->{close} = 1 unless $keep;

    } elsif ($mode eq 'slow') {
        my $delay = $h->{'x-faults-delay'} // 3;
        $c->{due} = time + $delay;
        $c->{action} = 'write';
        $c->{pending} = response('200 OK', "received late\n", 0);
        $c->{close} = 1;

    } elsif ($mode eq 'reset-header') {
        $c->{out} .= "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n";
        $c->{due} = time + 0.3;
        $c->{action} = 'reset';

    } elsif ($mode eq 'reset-body') {
        $c->{out} .= "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                     . "Content-Length: 1000\r\nConnection: close\r\n\r\n"
                     . ('x' x 100);
        $c->{due} = time + 0.3;
        $c->{action} = 'reset';

    } else {
        $c->{out} .= response('200 OK', "received\n", $keep);
        $c->{close} = 1 unless $keep;
    }
}

# parses what has arrived; handles complete requests
sub parse {
    my ($c) = @_;
    while (!$c->{due} && !$c->{close}) {
        my $end = index($c->{in}, "\r\n\r\n");
        return if $end < 0;
        my ($line, @lines) = split /\r\n/, substr($c->{in}, 0, $end);
        my %h;
        for (@lines) {
            my ($k, $v) = /^([^:]+):\s*(.*?)\s*$/ or next;
            $h{lc $k} = $v;
        }
        my $len = $h{'content-length'} // 0;
        return if length($c->{in}) < $end + 4 + $len;
        my $body = substr($c->{in}, $end + 4, $len);
        substr($c->{in}, 0, $end + 4 + $len, '');
        handle($c, $line // '', \%h, $body);
    }
}

while ($running) {
    my $now = time;
    my $timeout = 0.5;
    for my $c (values %conn) {
        next unless $c->{due};
        my $left = $c->{due} - $now;
        $timeout = $left if $left < $timeout;
    }
    $timeout = 0 if $timeout < 0;

    my ($r, $w) = IO::Select->select($rsel, $wsel, undef, $timeout);

    for my $s (@{$r // []}) {
        if ($s == $listen) {
            while (my $a = $listen->accept) {
                $a->blocking(0);
                setsockopt($a, IPPROTO_TCP, TCP_NODELAY, 1);
                $conn{fileno $a} = { sock => $a, in => '', out => '' };
                $rsel->add($a);
            }
            next;
        }
        my $c = $conn{fileno $s} or next;
        my $n = sysread($s, my $buf, 65536);
        if (!defined $n) {
            next if $!{EAGAIN} || $!{EWOULDBLOCK};
            drop($c);
            next;
        }
        if ($n == 0) {
            drop($c);
            next;
        }
        $c->{in} .= $buf;
        parse($c);
        flush_out($c) if $conn{fileno $s} && length $c->{out};
    }

    for my $s (@{$w // []}) {
        my $c = $conn{fileno $s} or next;
        flush_out($c);
    }

    $now = time;
    for my $c (values %conn) {
        next unless $c->{due} && $c->{due} <= $now;
        if ($c->{action} eq 'reset') {
            reset_conn($c);
            next;
        }
        $c->{due} = 0;
        $c->{out} .= $c->{pending};
        flush_out($c);
    }
}
