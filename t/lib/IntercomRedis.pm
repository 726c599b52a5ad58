# A redis-server of the test's own, for the suites of de-duplication
# through Redis: Debian's redis-server (util/deps test), started when the
# module is loaded, on 127.0.0.1 and a free port (never 6379, where a
# system Redis may run), in a temporary directory, without persistence;
# stopped by its PID when the test ends, also when it fails or dies.
# The port is in $ENV{TEST_NGINX_REDIS_PORT}, which Test::Nginx (the CPAN
# module and util/runner alike) puts into the blocks' configuration.
#
# Load it before run_tests():
#     use FindBin ();
#     use lib "$FindBin::Bin/lib";
#     use IntercomRedis;
#
# ::redis(COMMAND, ARGS...) sends a command, every argument as a bulk
# string, and returns the reply (undef for nil, a string, a number, an
# array reference; an error reply dies).
#
# A suite that needs more of the server (TLS, a password) sets, in a BEGIN
# block, @IntercomRedis::Args (more arguments of redis-server) and
# $IntercomRedis::Password (sent with AUTH before each command), then
# requires the module and calls IntercomRedis->import.

package IntercomRedis;

use strict;
use warnings;

use File::Temp ();
use IO::Socket::INET ();
use POSIX ();
use Time::HiRes ();

our ($Pid, $Port, $Dir, $Owner, $Password);
our @Args;

sub free_port {
    for (1 .. 20) {
        my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
                                      LocalPort => 0, Proto => 'tcp',
                                      Listen => 1)
            or die "IntercomRedis: no free port: $!";
        my $port = $s->sockport;
        close $s;
        return $port unless $port == 6379 || ($port >= 1984 && $port <= 1986);
    }
    die "IntercomRedis: no free port";
}

sub start {
    my $server = $ENV{TEST_REDIS_SERVER} || 'redis-server';

    $Dir = File::Temp::tempdir('intercom-redis-XXXXXX', TMPDIR => 1,
                               CLEANUP => 1);
    $Port = free_port();
    $Owner = $$;

    $Pid = fork;
    die "IntercomRedis: fork: $!" unless defined $Pid;

    if ($Pid == 0) {
        open STDOUT, '>', "$Dir/redis.out";
        open STDERR, '>&', \*STDOUT;
        exec $server, '--port', $Port, '--bind', '127.0.0.1',
             '--dir', $Dir, '--save', '', '--appendonly', 'no',
             '--daemonize', 'no', '--logfile', "$Dir/redis.log", @Args
            or POSIX::_exit(127);
    }

    # ready when it answers
    for (1 .. 200) {
        my $pong = eval { ::redis('PING') };
        if (defined $pong && $pong eq 'PONG') {
            $ENV{TEST_NGINX_REDIS_PORT} = $Port;
            return;
        }
        if (waitpid($Pid, POSIX::WNOHANG()) == $Pid) {
            undef $Pid;
            die "IntercomRedis: $server did not start (is it installed? "
                . "util/deps test): " . slurp("$Dir/redis.out");
        }
        Time::HiRes::sleep(0.025);
    }

    stop();
    die "IntercomRedis: $server does not answer on port $Port";
}

sub stop {
    return unless $Pid && $$ == $Owner;
    kill 'CONT', $Pid;
    kill 'TERM', $Pid;
    for (1 .. 200) {
        last if waitpid($Pid, POSIX::WNOHANG()) == $Pid;
        Time::HiRes::sleep(0.025);
    }
    if (kill 0, $Pid) {
        kill 'KILL', $Pid;
        waitpid($Pid, 0);
    }
    undef $Pid;
}

sub slurp {
    my ($file) = @_;
    open my $fh, '<', $file or return '';
    local $/;
    return <$fh>;
}

# a reply of RESP 2
sub read_reply {
    my ($s) = @_;
    my $line = <$s>;
    die "IntercomRedis: connection closed\n" unless defined $line;
    $line =~ s/\r\n\z//;
    my ($type, $rest) = (substr($line, 0, 1), substr($line, 1));
    return $rest if $type eq '+';
    return $rest + 0 if $type eq ':';
    die "IntercomRedis: $rest\n" if $type eq '-';
    if ($type eq '$') {
        return undef if $rest < 0;
        my $buf = '';
        while (length $buf < $rest + 2) {
            my $n = read($s, $buf, $rest + 2 - length $buf, length $buf);
            die "IntercomRedis: short bulk string\n" unless $n;
        }
        return substr($buf, 0, $rest);
    }
    if ($type eq '*') {
        return undef if $rest < 0;
        return [ map { read_reply($s) } 1 .. $rest ];
    }
    die "IntercomRedis: unknown reply \"$line\"\n";
}

sub ::redis {
    my @args = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $Port,
                                  Proto => 'tcp', Timeout => 3)
        or die "IntercomRedis: connect to $Port: $!\n";
    binmode $s;
    if (defined $Password) {
        print $s "*2\r\n\$4\r\nAUTH\r\n\$" . length($Password)
                 . "\r\n$Password\r\n";
        read_reply($s);
    }
    print $s '*' . scalar(@args) . "\r\n",
             map { '$' . length($_) . "\r\n$_\r\n" } @args;
    my $reply = read_reply($s);
    close $s;
    return $reply;
}

# the key of a notification, as the module makes it
sub ::redis_key {
    my ($app_id, $id) = @_;
    return "intercom:dedup:$app_id $id";
}

sub import {
    start() unless $Pid;
}

END {
    my $rc = $?;
    stop();
    $? = $rc;
}

1;
