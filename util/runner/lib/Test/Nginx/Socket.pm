package Test::Nginx::Socket;

# A small, clean-room reimplementation of the Test::Nginx::Socket test
# scaffold (openresty/test-nginx on CPAN), for machines where the CPAN
# module is not installed.  It understands the same ".t" file format
# (Test::Base blocks with "--- config", "--- request", ... sections), the
# same environment variables and produces the same TAP test names, so a
# test suite written for the real module runs unchanged with either.
#
# See util/runner/README.md for the list of supported sections, functions
# and environment variables, and for the known differences.
#
# Design in one paragraph: run_tests() walks the Test::Base blocks (shuffled
# unless no_shuffle()), and for each block stops the previous nginx, rebuilds
# the server root (conf/, html/, logs/), writes the user files and an
# nginx.conf shaped like the real module's, starts nginx and then, for each
# of the repeat_each() rounds, optionally forks a fake TCP upstream, sends
# the request(s) over a plain socket, parses the response(s) with
# HTTP::Response and runs the checks of the block.  Every wait is bounded:
# per-I/O timeouts on the client socket, bounded process shutdown, and a
# per-block watchdog alarm.

use v5.36;

# Lowercase "-base": become a Test::Base subclass (so that ".t" files get
# plan/blocks/... and Test::Base parses their __DATA__), without Spiffy's
# source filter that the real module relies on ("-Base").
use Test::Base -base;

use Digest::MD5 ();
use Digest::SHA ();
use File::Basename ();
use File::Path qw(make_path remove_tree);
use File::Spec ();
use File::Temp ();
use HTTP::Response ();
use IO::Select ();
use IO::Socket::INET ();
use IO::Socket::UNIX ();
use Socket qw(SOCK_STREAM);
use List::Util qw(shuffle min);
use POSIX qw(WNOHANG SIGQUIT SIGKILL SIGTERM);
use Scalar::Util qw(looks_like_number);
use Test::LongString ();
use Time::HiRes ();

our $VERSION = '0.01';

our @EXPORT = qw(
    run_tests run_test repeat_each no_shuffle no_long_string log_level
    workers master_on master_off master_process_enabled worker_connections
    no_root_location config_preamble env_to_nginx check_accum_error_log
    add_block_preprocessor add_cleanup_handler add_test_cleanup_handler
    add_response_body_check timeout server_name server_addr server_root
    html_dir server_port server_port_for_client bail_out is_str
);

#---------------------------------------------------------------------------
# Settings (same environment variables and defaults as the real module)
#---------------------------------------------------------------------------

our $NginxBinary       = $ENV{TEST_NGINX_BINARY} || 'nginx';
our $RepeatEach        = 1;
our $NoShuffle         = $ENV{TEST_NGINX_NO_SHUFFLE} || 0;
our $Timeout           = $ENV{TEST_NGINX_TIMEOUT} || 3;
our $LogLevel          = $ENV{TEST_NGINX_LOG_LEVEL} || 'debug';
our $MasterProcess     = $ENV{TEST_NGINX_MASTER_PROCESS} || 'off';
our $Workers           = 1;
our $WorkerConnections = 64;
our $ServerAddr        = '127.0.0.1';
our $ServerName        = 'localhost';
our $ServerPort        = $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT} || 1984;
our $ServerPortForClient = $ENV{TEST_NGINX_CLIENT_PORT} || $ServerPort;
our $LoadModules       = $ENV{TEST_NGINX_LOAD_MODULES};
our $UseValgrind       = $ENV{TEST_NGINX_USE_VALGRIND};
our $CheckAccumErrLog  = $ENV{TEST_NGINX_CHECK_ACCUM_ERR_LOG};
our $WorkerUser        = $ENV{TEST_NGINX_WORKER_USER};
our $Verbose           = $ENV{TEST_NGINX_VERBOSE};
our $SleepStep         = $ENV{TEST_NGINX_SLEEP} || 0.015;
our $NoLongString      = 0;
our $NoRootLocation    = 0;
our $ConfigPreamble    = '';
our @EnvToNginx;
our @BlockPreprocessors;
our @ResponseBodyChecks;
our @CleanupHandlers;
our @TestCleanupHandlers;

# Upper bound for one whole block (all repeats); the runner must never hang.
our $BlockTimeout = $ENV{TEST_NGINX_BLOCK_TIMEOUT} || ($UseValgrind ? 900 : 120);

# nginx runs in the foreground (as our child) under valgrind, like the real one.
our $DaemonEnabled = $UseValgrind ? 'off' : 'on';

if (defined $WorkerUser && $WorkerUser !~ /^\w[-\w]+(?:\s+\w[-\w]+)?$/) {
    die "Bad value in the env TEST_NGINX_WORKER_USER: $WorkerUser\n";
}

our $ServRoot = File::Spec->rel2abs($ENV{TEST_NGINX_SERVROOT} || 't/servroot');
our $LogDir     = "$ServRoot/logs";
our $ErrLogFile = "$LogDir/error.log";
our $AccLogFile = "$LogDir/access.log";
our $HtmlDir    = "$ServRoot/html";
our $ConfDir    = "$ServRoot/conf";
our $ConfFile   = "$ConfDir/nginx.conf";
our $PidFile    = "$LogDir/nginx.pid";

# Exposed to the test files and to $TEST_NGINX_* expansion in config text.
$ENV{TEST_NGINX_SERVER_ROOT} = $ServRoot;
$ENV{TEST_NGINX_HTML_DIR}  //= $HtmlDir;
$ENV{TEST_NGINX_SERVER_PORT} //= $ServerPort;

# Every section this runner implements.  Any other section in a block is
# reported as a failing test: a typo must never turn into a silent pass.
our %KnownSections = map { $_ => 1 } qw(
    ONLY SKIP LAST
    config http_config main_config post_main_config server_name log_level
    user_files init
    request more_headers raw_request raw_request_middle_delay
    pipelined_requests shutdown timeout wait abort ignore_response
    error_code error_code_like
    response_body response_body_like response_body_unlike response_body_filters
    response_headers response_headers_like
    raw_response_headers_like raw_response_headers_unlike
    error_log no_error_log grep_error_log grep_error_log_out
    access_log no_access_log
    must_die suppress_stderr
    tcp_listen tcp_query tcp_query_len tcp_reply tcp_reply_delay tcp_no_close
    skip_eval skip_nginx todo
);

# Let a test file declare extra sections that its own block preprocessor
# consumes (not exported: call it as Test::Nginx::Socket::add_known_sections).
sub add_known_sections (@names) { $KnownSections{$_} = 1 for @names }

#---------------------------------------------------------------------------
# Functions exported to the test files
#---------------------------------------------------------------------------

sub repeat_each (@v)   { $RepeatEach = $v[0] if @v; return $RepeatEach }
sub workers (@v)       { $Workers = $v[0] if @v; return $Workers }
sub log_level (@v)     { $LogLevel = $v[0] if @v; return $LogLevel }
sub timeout (@v)       { $Timeout = $v[0] if @v; return $Timeout }
sub server_name (@v)   { $ServerName = $v[0] if @v; return $ServerName }
sub server_addr (@v)   { $ServerAddr = $v[0] if @v; return $ServerAddr }
sub server_port (@v)   { $ServerPort = $v[0] if @v; return $ServerPort }
sub server_port_for_client (@v) {
    $ServerPortForClient = $v[0] if @v;
    return $ServerPortForClient;
}
sub worker_connections (@v) {
    $WorkerConnections = $v[0] if @v;
    return $WorkerConnections;
}
sub master_process_enabled (@v) {
    $MasterProcess = $v[0] ? 'on' : 'off' if @v;
    return $MasterProcess;
}
sub no_shuffle :prototype()            { $NoShuffle = 1 }
sub no_long_string :prototype()        { $NoLongString = 1 }
sub no_root_location :prototype()      { $NoRootLocation = 1 }
sub master_on :prototype()             { $MasterProcess = 'on' }
sub master_off :prototype()            { $MasterProcess = 'off' }
sub check_accum_error_log :prototype() { $CheckAccumErrLog = 1 }
sub server_root :prototype()           { $ServRoot }
sub html_dir :prototype()              { $HtmlDir }
sub config_preamble ($text)            { $ConfigPreamble = $text }
sub add_block_preprocessor :prototype(&) ($cb) { unshift @BlockPreprocessors, $cb }
sub add_response_body_check ($cb)      { push @ResponseBodyChecks, $cb }
sub add_cleanup_handler ($cb)          { unshift @CleanupHandlers, $cb }
sub add_test_cleanup_handler ($cb)     { unshift @TestCleanupHandlers, $cb }

sub env_to_nginx (@vars) {
    Carp::croak("env_to_nginx: no arguments specified") unless @vars;
    for my $v (@vars) {
        Carp::croak("env_to_nginx: bad argument value: $v")
            if $v !~ /^[A-Za-z_]/ || $v =~ /\n/;
        push @EnvToNginx, $v;
    }
}

# String comparison with a readable diff for long strings, or a regex match.
sub is_str ($got, $expected, $desc = undef) {
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    return Test::More::like($got, $expected, $desc)
        if ref $expected && ref $expected eq 'Regexp';
    return Test::More::is($got, $expected, $desc) if $NoLongString;
    return Test::LongString::is_string($got, $expected, $desc);
}

sub bail_out (@msg) {
    cleanup();
    Test::More::BAIL_OUT(join '', @msg);
}

#---------------------------------------------------------------------------
# Small helpers
#---------------------------------------------------------------------------

my $ErrLogPos = 0;      # error.log offset already seen by the checks
my $RandPorts = {};     # $TEST_NGINX_RAND_PORT_N values of the current block
my $NginxChild;         # nginx (valgrind) pid when it runs as our child
my $TcpServerPid;       # the fake upstream of the current round
my $NginxVersion;       # "nginx -V" output, read once
my $Started;            # run_tests() was called (END cleans up only then)
my $PrevConfig;         # expanded config of the previous block

sub vlog (@msg) { warn @msg, "\n" if $Verbose }

# A failure that aborts the current block; run_test() turns it into a
# failing test named after the block.
sub abort_block ($msg) { die bless { msg => $msg }, 'Test::Nginx::Socket::Abort' }

# "1.5", "1500ms" or "2s" -> seconds.
sub parse_time ($t) {
    return undef unless defined $t;
    $t =~ s/^\s+|\s+$//g;
    return $1 / 1000 if $t =~ /^([\d.]+)ms$/;
    return $1 if $t =~ /^([\d.]+)s?$/;
    return $t;
}

sub fmt_str ($s) {
    chomp $s;
    $s =~ s/"/\\"/g;
    $s =~ s/\r/\\r/g;
    $s =~ s/\n/\\n/g;
    return $s;
}

sub read_file ($path) {
    open my $fh, '<', $path or return undef;
    binmode $fh;
    local $/;
    my $data = <$fh>;
    return $data // '';
}

sub write_file ($path, $data) {
    open my $fh, '>', $path or abort_block("cannot write $path: $!");
    binmode $fh;
    print {$fh} $data;
    close $fh or abort_block("cannot write $path: $!");
}

# Is the process still alive (zombies count as dead)?
sub alive ($pid) {
    return 0 unless $pid && kill 0, $pid;
    if (open my $fh, '<', "/proc/$pid/stat") {
        my $stat = <$fh> // '';
        return 0 if $stat =~ /^\d+ \(.*\) [ZX] /s;
    }
    return 1;
}

# Reap our own child if it exited; returns true when it is gone.
sub child_gone ($pid) {
    my $r = waitpid $pid, WNOHANG;
    return 1 if $r == $pid || $r == -1;
    return !alive($pid);
}

# Signal a process, then wait (bounded) for it to go away, escalating to
# SIGKILL.  $is_child: the process is our child (reap it) and leads its
# own process group (kill the group).
sub stop_process ($pid, $sig, $wait, $is_child) {
    return unless $pid;
    my $gone = $is_child ? sub { child_gone($pid) } : sub { !alive($pid) };
    return if $gone->();
    kill $sig, $pid;
    my $deadline = Time::HiRes::time() + $wait;
    while (!$gone->() && Time::HiRes::time() < $deadline) {
        Time::HiRes::sleep(0.02);
    }
    return if $gone->();
    warn "WARNING: process $pid did not exit in ${wait}s; killing it\n";
    kill SIGKILL, ($is_child ? -$pid : $pid);
    kill SIGKILL, $pid;
    $deadline = Time::HiRes::time() + 5;
    Time::HiRes::sleep(0.02) while !$gone->() && Time::HiRes::time() < $deadline;
}

# A free port for $TEST_NGINX_RAND_PORT_N (same range as the real one).
sub gen_rand_port ($used) {
    for (1 .. 1000) {
        my $port = int(rand 63547) + 1988;
        next if $used->{$port};
        my $sock = IO::Socket::INET->new(
            LocalAddr => $ServerAddr, LocalPort => $port, Proto => 'tcp',
            Listen => 5, ReuseAddr => 1,
        ) or next;
        close $sock;
        return $port;
    }
    abort_block("cannot find a free port for \$TEST_NGINX_RAND_PORT_*");
}

# Substitute $TEST_NGINX_XXX with the environment value (or a per-block
# random free port for $TEST_NGINX_RAND_PORT_N), like the real module.
sub expand_env ($text) {
    return $text unless defined $text && !ref $text;
    my %used = ($ServerPort => 1, map { $_ => 1 } values %$RandPorts);
    $text =~ s{\$(TEST_NGINX_[_A-Z0-9]+)}{
        my $var = $1;
        if ($var =~ /^TEST_NGINX_RAND_PORT_\d+$/) {
            $RandPorts->{$var} //= do {
                my $p = gen_rand_port(\%used);
                $used{$p} = 1;
                $p;
            };
        } else {
            defined $ENV{$var}
                or abort_block("No environment $var defined.");
            $ENV{$var};
        }
    }ge;
    return $text;
}

sub nginx_version_info () {
    $NginxVersion //= do {
        my $out = `$NginxBinary -V 2>&1`;
        if (!defined $out || $? != 0) {
            bail_out("Failed to run \"$NginxBinary -V\" (set TEST_NGINX_BINARY?): "
                     . ($out // $!));
        }
        $out;
    };
    return $NginxVersion;
}

# "1.22.1" style version of the binary as a comparable number (1.022001).
sub nginx_version_num () {
    return nginx_version_info() =~ m{nginx/(\d+)\.(\d+)\.(\d+)}
        ? sprintf("%d.%03d%03d", $1, $2, $3) : 0;
}

# The value for request number $idx of a section that may hold an array
# (one element per request) when the block sends several requests.
sub indexed_value ($value, $idx, $need_array) {
    if (ref $value && ref $value eq 'ARRAY') {
        return $value->[$need_array ? $idx : 0];
    }
    abort_block("You asked for many requests, the expected results should "
                . "be arrays as well.") if $need_array;
    return $value;
}

#---------------------------------------------------------------------------
# Server root, user files, nginx.conf
#---------------------------------------------------------------------------

sub setup_server_root () {
    # Remove only what the runner creates, so that a mistaken
    # TEST_NGINX_SERVROOT cannot wipe unrelated data.
    if (-d $ServRoot) {
        remove_tree($ConfDir, $HtmlDir, $LogDir, "$ServRoot/cache",
                    glob("$ServRoot/*_temp"), glob("$ServRoot/*_cache"));
    }
    for my $dir ($ServRoot, $LogDir, $HtmlDir, $ConfDir) {
        next if -d $dir;
        mkdir $dir or bail_out("Failed to do mkdir $dir: $!");
    }
    write_file("$HtmlDir/index.html",
        '<html><head><title>It works!</title></head><body>It works!</body></html>');
}

# --- user_files: ">>> name [touch-date]" followed by the content, or an
# eval'ed array of [name, content, date]; relative names go under html/.
sub write_user_files ($block) {
    my $files = $block->user_files;
    return unless defined $files;
    if (!ref $files) {
        my @list;
        for my $line (split /^/m, $files) {
            if ($line =~ /^>>> (\S+)(?:\s+(.+))?/) {
                push @list, [$1, undef, $2];
            } elsif (@list) {
                $list[-1][1] .= $line;
            }
        }
        $files = \@list;
    } elsif (ref $files ne 'ARRAY') {
        abort_block("wrong value type for --- user_files: " . ref $files);
    }
    for my $file (@$files) {
        my ($fname, $body, $date) = @$file;
        my $path = $fname =~ m{^/} ? $fname : "$HtmlDir/$fname";
        (my $dir = $path) =~ s{/[^/]*$}{};
        make_path($dir) unless -d $dir;
        write_file($path, expand_env($body // ''));
        if ($date) {
            local $ENV{TZ} = 'GMT';
            system('touch', '-t', $date, $path) == 0
                or abort_block("cannot set the date of $path");
        }
    }
}

sub write_config ($block, $config, $valgrind) {
    my $http_config = expand_env($block->http_config // '');
    my $main_config = expand_env($block->main_config // '');
    my $post_main   = expand_env($block->post_main_config // '');
    my $server_name = $block->server_name // $ServerName;
    my $level       = $block->log_level || $LogLevel;
    chomp $level;

    # TEST_NGINX_LOAD_MODULES: "load_module" lines first in the main context.
    # Relative paths that exist are made absolute (nginx would resolve them
    # against the server root).
    if ($LoadModules) {
        my @mods = map {
            my $m = (!m{^/} && -e $_) ? File::Spec->rel2abs($_) : $_;
            "load_module $m;";
        } grep { length } split /\s+/, $LoadModules;
        $main_config = join("\n", @mods) . "\n$main_config";
    }

    # Temp paths inside the server root, unless the test sets them itself
    # or nginx was built without the corresponding module.
    my $nginx_V = nginx_version_info();
    my @temp;
    for my $kind (qw(client_body proxy fastcgi scgi uwsgi)) {
        next if $kind =~ /^(fastcgi|scgi|uwsgi)$/
             && $nginx_V =~ /--without-http_${kind}_module/;
        next if $http_config =~ /\b${kind}_temp_path\b/;
        push @temp, "${kind}_temp_path $ServRoot/${kind}_temp;";
    }

    $server_name =~ s/\\/\\\\/g;
    $server_name =~ s/'/\\'/g;
    my $daemon = $valgrind ? 'off' : $DaemonEnabled;
    my $env = join '', map { my $v = /\s/ ? "'$_'" : $_; "env $v;\n" }
        qw(LD_PRELOAD LD_LIBRARY_PATH ASAN_OPTIONS), @EnvToNginx;

    my $root_location = $NoRootLocation ? '' : <<"_EOC_";
        location / {
            root $HtmlDir;
            index index.html index.htm;
        }
_EOC_

    my $user = defined $WorkerUser ? "user $WorkerUser;\n"
             : $> == 0             ? "user root;\n"
             :                       '';

    write_file($ConfFile, <<"_EOC_");
worker_processes  $Workers;
daemon $daemon;
master_process $MasterProcess;
error_log $ErrLogFile $level;
pid       $PidFile;
$env
$main_config

http {
    access_log $AccLogFile;
    @temp

    default_type text/plain;
    keepalive_timeout  68000ms;

$http_config

    server {
        listen          $ServerPort;
        server_name     '$server_name';
        client_max_body_size 30M;

        # Begin preamble config...
$ConfigPreamble
        # End preamble config...

        # Begin test case config...
$config
        # End test case config.

$root_location    }
}

$post_main

events {
    accept_mutex off;
    worker_connections  $WorkerConnections;
}
$user
_EOC_
}

#---------------------------------------------------------------------------
# Starting and stopping nginx
#---------------------------------------------------------------------------

sub nginx_cmd () {
    return ($NginxBinary, '-e', $ErrLogFile, '-p', "$ServRoot/", '-c', $ConfFile);
}

# valgrind command prefix, as the real module builds it.  A numeric
# TEST_NGINX_USE_VALGRIND selects the default memcheck options; any other
# value is used as the valgrind options.
sub valgrind_cmd () {
    return ('valgrind', '-q', split ' ', $UseValgrind) if $UseValgrind !~ /^\d+$/;
    my @cmd = qw(valgrind --num-callers=100 -q --tool=memcheck --leak-check=full
                 --keep-debuginfo=yes --show-possibly-lost=no --gen-suppressions=all);
    # Suppressions: ./valgrind.suppress like the real module, then the
    # user's list.
    my @supp = grep { -f } 'valgrind.suppress',
        split ' ', $ENV{TEST_NGINX_VALGRIND_SUPPRESSIONS} // '';
    push @cmd, map { '--suppressions=' . File::Spec->rel2abs($_) } @supp;
    push @cmd, qw(--exit-on-first-error=yes --error-exitcode=1)
        if $ENV{TEST_NGINX_VALGRIND_EXIT_ON_FIRST_ERR};
    return @cmd;
}

# Run nginx in daemon mode (it exits once the master is set up) and return
# (exit status, stderr text).  Bounded by a timeout.
sub run_nginx_once ($block) {
    my $errfile = "$LogDir/nginx-stderr.log";
    my $pid = fork // abort_block("fork() failed: $!");
    if ($pid == 0) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>', '/dev/null';
        open STDERR, '>', $errfile;
        exec { $NginxBinary } nginx_cmd() or POSIX::_exit(127);
    }
    my $deadline = Time::HiRes::time() + 30;
    my $status;
    while (1) {
        my $r = waitpid $pid, WNOHANG;
        if ($r == $pid) { $status = $?; last }
        if (Time::HiRes::time() > $deadline) {
            kill SIGKILL, $pid;
            waitpid $pid, 0;
            $status = -1;
            last;
        }
        Time::HiRes::sleep(0.01);
    }
    return ($status, read_file($errfile) // '');
}

# Start nginx for a normal block (never for must_die).
sub start_nginx ($block, $valgrind) {
    if ($valgrind) {
        # Foreground nginx under valgrind, our child in its own process
        # group; valgrind's report is appended to the error log.
        my @cmd = (valgrind_cmd(), nginx_cmd());
        vlog("command: @cmd");
        my $pid = fork // abort_block("fork() failed: $!");
        if ($pid == 0) {
            setpgrp(0, 0);
            open STDIN, '<', '/dev/null';
            open STDOUT, '>', '/dev/null';
            open STDERR, '>>', $ErrLogFile;
            exec { $cmd[0] } @cmd or POSIX::_exit(127);
        }
        $NginxChild = $pid;
        Time::HiRes::sleep($SleepStep);
        return;
    }

    # nginx exits non-zero when e.g. the port is still held by a previous
    # instance: retry that for a little while, like the real module does.
    # Any other failure (a configuration error) is final.
    my ($status, $stderr, $waited) = (0, '', 0);
    for my $try (1 .. 100) {
        ($status, $stderr) = run_nginx_once($block);
        return if $status == 0;
        last if $waited >= 5 || $stderr !~ /Address already in use/;
        my $delay = min(0.1 * $try, 1);
        Time::HiRes::sleep($delay);
        $waited += $delay;
    }
    my $code = $status == -1 ? 'timed out' : 'exit code ' . ($status >> 8);
    abort_block("Cannot start nginx using command \"@{[nginx_cmd()]}\" ($code)"
                . (length $stderr ? ": $stderr" : ''));
}

sub nginx_pid_from_file () {
    my $pid = read_file($PidFile) // return undef;
    $pid =~ s/\s+//g;
    return undef unless $pid =~ /^\d+$/;
    # Only ever signal an nginx process (a stale pid file may point to an
    # unrelated process after pid reuse).
    my $cmdline = read_file("/proc/$pid/cmdline") // '';
    return $cmdline =~ /nginx/ ? $pid : undef;
}

# Gracefully stop the nginx of the previous block (QUIT, then KILL).
sub stop_nginx () {
    if (defined $NginxChild) {
        # valgrind needs time for its leak check at exit.
        stop_process($NginxChild, SIGQUIT, $Timeout + 30, 1);
        undef $NginxChild;
    }
    if (my $pid = nginx_pid_from_file()) {
        stop_process($pid, SIGQUIT, $Timeout, 0);
    }
    unlink $PidFile;
}

#---------------------------------------------------------------------------
# The fake TCP upstream (--- tcp_listen)
#---------------------------------------------------------------------------

# Listen (in the parent, so the port is ready before nginx connects), then
# fork a child that accepts one connection, records the query into
# $qfile, sends --- tcp_reply and closes (unless --- tcp_no_close).
sub start_tcp_server ($block, $name) {
    my $target = expand_env(scalar $block->tcp_listen);
    $target =~ s/^\s+|\s+$//g;
    my $reply = $block->tcp_reply;
    abort_block("no --- tcp_reply specified but --- tcp_listen is specified")
        unless defined $reply;

    my $req_len = $block->tcp_query_len;
    my $qfile;
    if (defined $block->tcp_query || defined $req_len) {
        $req_len //= length $block->tcp_query;
        (undef, $qfile) = File::Temp::tempfile('tcp-query-XXXXXX', TMPDIR => 1,
                                               UNLINK => 1, OPEN => 0);
    }

    my $sock;
    for my $try (1 .. 20) {
        $sock = $target =~ /^\d+$/
            ? IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $target,
                                    Proto => 'tcp', Listen => 5, ReuseAddr => 1)
            : $target =~ /\.sock$/
            ? do { unlink $target; IO::Socket::UNIX->new(Local => $target,
                        Type => SOCK_STREAM, Listen => 5) }
            : abort_block("bad tcp_listen target: $target");
        last if $sock;
        warn "WARNING: $name - cannot listen on $target: $! (retrying)\n";
        Time::HiRes::sleep(0.25);
    }
    abort_block("failed to create the tcp listening socket on $target: $!") unless $sock;

    my $pid = fork // abort_block("fork() failed: $!");
    if ($pid == 0) {
        # Child: bounded life, never runs the parent's END blocks.
        $SIG{ALRM} = sub { POSIX::_exit(0) };
        alarm($BlockTimeout);
        my $client = $sock->accept or POSIX::_exit(0);
        my $buf = '';
        while (1) {
            my $chunk;
            my $n = sysread $client, $chunk, 4096;
            last unless $n;
            $buf .= $chunk;
            if ($qfile) {   # record as we go (atomic rename)
                open my $out, '>', "$qfile.tmp" or last;
                binmode $out;
                print {$out} $buf;
                close $out;
                rename "$qfile.tmp", $qfile;
            }
            last if !$req_len || length($buf) >= $req_len;
        }
        if (my $delay = parse_time(scalar $block->tcp_reply_delay)) {
            Time::HiRes::sleep($delay);
        }
        $reply = $reply->($buf) if ref $reply eq 'CODE';
        for my $r (ref $reply eq 'ARRAY' ? @$reply : ($reply)) {
            syswrite $client, $r if defined $r;
        }
        if (defined $block->tcp_no_close) {
            sleep 1 while 1;
        }
        close $client;
        POSIX::_exit(0);
    }
    $TcpServerPid = $pid;
    return ($sock, $qfile);
}

sub stop_tcp_server () {
    return unless defined $TcpServerPid;
    stop_process($TcpServerPid, SIGTERM, 1, 0);
    waitpid $TcpServerPid, 0;
    undef $TcpServerPid;
}

sub check_tcp_query ($block, $name, $qfile) {
    return unless $qfile;
    my $buf = read_file($qfile) // '';
    unlink $qfile;
    is_str($buf, scalar $block->tcp_query, "$name - tcp_query ok")
        if defined $block->tcp_query;
    Test::More::is(length($buf), scalar $block->tcp_query_len, "$name - TCP query length ok")
        if defined $block->tcp_query_len;
}

#---------------------------------------------------------------------------
# Building the requests
#---------------------------------------------------------------------------

# "--- more_headers" text -> ("Key: value\r\n"..., is_chunked)
sub parse_more_headers ($text) {
    my ($out, $chunked) = ('', 0);
    for my $line (split /\n+/, $text // '') {
        next if $line =~ /^\s*#/;
        my ($key, $val) = split /:\s*/, $line, 2;
        $val //= '';
        $chunked = 1 if lc $key eq 'transfer-encoding' && $val eq 'chunked';
        $out .= "$key: $val\r\n";
    }
    return ($out, $chunked);
}

# Turn the "METHOD [URL [VERSION]]\nbody" shorthand into a full HTTP
# request, adding Host, Connection and Content-Length like the real one.
# Returns the request and a function mapping an offset in the original
# text to an offset in the result (to keep packet boundaries).
sub build_http_request ($name, $text, $more, $chunked, $conn) {
    my ($lead) = $text =~ /^(\s*)/;
    my ($first, $content) = split /\n/, substr($text, length $lead), 2;
    $first //= '';
    $content //= '';
    my @words = split ' ', $first;
    abort_block("Request line should be non-empty") unless @words;
    abort_block("Request line is not valid. Should be 'meth [url [version]]' "
                . "but got \"$first\".") if @words > 3;
    my ($method, $url, $ver) = @words;
    $url //= '/';
    $ver //= 'HTTP/1.1';

    my $trimmed = 0;
    my $len_header = '';
    if (!$chunked && length $content && $more !~ /(?:^|\n)Content-Length:/) {
        ($trimmed) = map { length } $content =~ /^(\s*)/;
        $content =~ s/^\s+|\s+$//gs;
        $len_header = "Content-Length: " . length($content) . "\r\n";
    }

    my $headers = '';
    $headers .= "Host: $ServerName\r\n" if $more !~ /(?:^|\n)Host:/i;
    $headers .= "Connection: $conn\r\n" if $more !~ /(?:^|\n)Connection/i;
    my $line = "$method $url $ver";
    my $head = "$line\r\n$headers$more$len_header\r\n";

    my $old_head_len = length($lead) + length($first) + 1;
    my $map = sub ($off) {
        return min(max0($off - length $lead), length $line) if $off < $old_head_len;
        return min(length($head) + max0($off - $old_head_len - $trimmed),
                   length($head) + length($content));
    };
    return ($head . $content, $map);
}

sub max0 ($n) { $n < 0 ? 0 : $n }

# The headers text for request number $i ("--- more_headers eval" may be an
# array with one entry per request).
sub more_headers_for ($block, $i) {
    my $more = $block->more_headers // '';
    if (ref $more eq 'ARRAY') {
        $more = $more->[$i];
        abort_block("--- more_headers lacks data for the request $i") unless defined $more;
    }
    return parse_more_headers($more);
}

# Returns (list of requests, number of pipelined requests).  Each request
# is a list of packets { value => bytes, delay_before => seconds }.
sub build_requests ($block, $name) {
    if (defined(my $raw = $block->raw_request)) {
        my @packets = map { { value => $_ } } ref $raw eq 'ARRAY' ? @$raw : ($raw);
        return ([\@packets], 0);
    }

    if (my $reqs = $block->pipelined_requests) {
        abort_block("invalid entries in --- pipelined_requests") unless ref $reqs eq 'ARRAY';
        my $data = '';
        for my $i (0 .. $#$reqs) {
            my ($more, $chunked) = more_headers_for($block, $i);
            my $conn = $i == $#$reqs ? 'close' : 'keep-alive';
            ($data .= (build_http_request($name, expand_env($reqs->[$i]),
                                          $more, $chunked, $conn))[0]);
        }
        return ([[{ value => $data }]], scalar @$reqs);
    }

    my $request = $block->request;
    abort_block("no --- request (nor --- raw_request / --- pipelined_requests) section")
        unless defined $request;
    my @list = ref $request eq 'ARRAY' ? @$request : ($request);
    abort_block("invalid --- request: MUST be string or array of requests")
        if ref $request && ref $request ne 'ARRAY';

    my @out;
    for my $i (0 .. $#list) {
        my ($more, $chunked) = more_headers_for($block, ref $request ? $i : 0);
        my $one = $list[$i];
        if (!ref $one) {
            # Leading blank and comment lines are ignored.
            1 while $one =~ s/^\s*#[^\n]+\s+|^\s+//s;
            push @out, [{ value => (build_http_request($name, $one, $more,
                                                       $chunked, 'close'))[0] }];
        } elsif (ref $one eq 'ARRAY') {
            # A request given as packets: transform the concatenation, then
            # cut it again at the (mapped) packet boundaries.
            my @packets = map {
                ref $_ eq 'HASH' ? {%$_} : !ref $_ ? { value => $_ }
                : abort_block("Invalid syntax. $_ should be a string or hash with value.")
            } @$one;
            my $text = join '', map { $_->{value} } @packets;
            my ($full, $map) = build_http_request($name, $text, $more, $chunked, 'close');
            my ($old, $new) = (0, 0);
            for my $k (0 .. $#packets) {
                $old += length $packets[$k]{value};
                my $end = $k == $#packets ? length $full : $map->($old);
                $packets[$k]{value} = substr $full, $new, max0($end - $new);
                $new = $end if $end > $new;
            }
            push @out, \@packets;
        } else {
            abort_block("Invalid syntax. $one should be a string or an array of packets.");
        }
    }
    return (\@out, 0);
}

#---------------------------------------------------------------------------
# Sending a request and parsing the response
#---------------------------------------------------------------------------

# Send the packets, read until the server closes the connection.  $timeout
# bounds every wait on the socket (like the real module), and the whole
# exchange is additionally capped.  Returns the raw response bytes.
sub send_request ($block, $name, $packets, $timeout) {
    my $middle_delay = parse_time(scalar $block->raw_request_middle_delay);

    # Connect, retrying while nginx is still coming up.
    my $connect_deadline = Time::HiRes::time() + ($NginxChild ? 60 : 10);
    my ($sock, $tries);
    while (1) {
        $sock = IO::Socket::INET->new(PeerAddr => $ServerAddr,
                                      PeerPort => $ServerPortForClient,
                                      Proto => 'tcp', Timeout => $timeout);
        last if $sock;
        my $err = $!;
        if ($NginxChild && child_gone($NginxChild)) {
            undef $NginxChild;
            my $log = read_file($ErrLogFile) // '';
            my @tail = (split /^/m, $log)[-20 .. -1];
            warn grep { defined } @tail;
            Test::More::fail("$name - Can't connect to $ServerAddr:$ServerPortForClient: "
                             . "$err (nginx is gone)\n");
            return undef;
        }
        if (Time::HiRes::time() > $connect_deadline) {
            Test::More::fail("$name - Can't connect to $ServerAddr:$ServerPortForClient: "
                             . "$err (aborted)\n");
            return undef;
        }
        Time::HiRes::sleep(min(0.02 * ++$tries, 0.5));
    }
    $sock->blocking(0);

    my @queue = map { {%$_} } @$packets;
    my $first = 1;
    my $resp = '';
    my $deadline = Time::HiRes::time() + 10 * $timeout + 10;
    my $sel = IO::Select->new($sock);
    my $writing = 1;
    while (1) {
        if (Time::HiRes::time() > $deadline) {
            timeout_failure($block, $name);
            last;
        }
        if ($writing && !@queue) {
            $writing = 0;
            if (defined(my $how = $block->shutdown)) {
                shutdown $sock, ($how =~ /^\s*$/ ? 1 : $how);
            }
        }
        my ($r, $w) = IO::Select->select($sel, $writing ? $sel : undef, undef, $timeout);
        if (!$r && !$w) {
            timeout_failure($block, $name);
            last;
        }
        if ($w && @$w) {
            my $p = $queue[0];
            if (!$p->{started}) {
                my $delay = $p->{delay_before} // ($first ? undef : $middle_delay);
                Time::HiRes::sleep($delay) if $delay;
                $p->{started} = 1;
                $first = 0;
            }
            my $n = syswrite $sock, $p->{value};
            if (!defined $n) {
                next if $!{EAGAIN} || $!{EWOULDBLOCK};
                warn "write failed: $!\n";
                $resp = "write failed: $!" unless length $resp;
                last;
            }
            substr($p->{value}, 0, $n) = '';
            shift @queue unless length $p->{value};
        }
        if ($r && @$r) {
            my $n = sysread $sock, my $buf, 65536;
            if (!defined $n) {
                next if $!{EAGAIN} || $!{EWOULDBLOCK};
                warn "WARNING: $name - HTTP response read failure: $!\n";
                last;
            }
            last if $n == 0;
            $resp .= $buf;
        }
    }
    close $sock;
    return $resp;
}

sub timeout_failure ($block, $name) {
    return if defined $block->abort;
    Test::More::fail("ERROR: client socket timed out - $name\n");
}

# Parse one response off the front of $raw: (HTTP::Response, raw header
# text, bytes left over for the next pipelined response).
sub parse_response ($name, $raw, $head_req) {
    my $raw_headers = $raw =~ /^(.*?\r\n)\r\n/s ? $1 : '';
    my $res = HTTP::Response->parse($raw);
    my $code = $res->code;
    if (defined $code && $code !~ /^\d+$/) {
        $res->code(undef);
        $code = undef;
    }
    return ($res, $raw_headers, undef) if $code && ($code == 304 || $code == 101);

    my $left;
    my $te = $res->header('Transfer-Encoding');
    my $len = $res->header('Content-Length');
    if (defined $te && $te eq 'chunked') {
        my $body = $res->content // '';
        my $decoded = '';
        my $pos = 0;
        while (1) {
            if ($body !~ /\G[ \t]*([A-Fa-f0-9]+)[ \t]*(?:;[^\r]*)?\r\n/gc) {
                Test::More::fail(length(substr $body, $pos)
                    ? "$name - invalid chunked body received: " . substr($body, $pos)
                    : "$name - no last chunk found - $body");
                last;
            }
            my $size = hex $1;
            if ($size == 0) {
                # skip trailers up to the final empty line
                $body =~ /\G(?:[^\r\n]+\r\n)*\r\n/gc;
                my $rest = substr $body, pos($body) // length $body;
                $left = $rest if length $rest;
                last;
            }
            my $start = pos $body;
            if (length($body) - $start < $size + 2
                || substr($body, $start + $size, 2) ne "\r\n") {
                Test::More::fail("$name - invalid chunked data received "
                                 . "(not enough octets or missing CRLF)");
                last;
            }
            $decoded .= substr $body, $start, $size;
            pos($body) = $start + $size + 2;
            $pos = pos $body;
        }
        $res->content($decoded);
    } elsif (defined $len && $len =~ /^\d+$/) {
        my $body = $res->content // '';
        if (length $body > $len) {
            $left = substr $body, $len;
            $res->content(substr $body, 0, $len);
        } elsif (length $body < $len && !$head_req) {
            warn "WARNING: $name - response body truncated: $len expected, "
                 . "but got " . length($body) . "\n";
        }
    }
    return ($res, $raw_headers, $left);
}

#---------------------------------------------------------------------------
# Checks
#---------------------------------------------------------------------------

sub check_error_code ($block, $name, $res, $idx, $need_array) {
    my $code = ($res && $res->code) || '';
    if (defined $block->error_code_like) {
        my $pat = indexed_value(scalar $block->error_code_like, $idx, $need_array);
        Test::More::like($code, qr/$pat/sm, "$name - status code ok");
    } elsif (defined $block->error_code) {
        Test::More::is($code, indexed_value(scalar $block->error_code, $idx, $need_array),
                       "$name - status code ok");
    } else {
        Test::More::is($code, 200, "$name - status code ok");
    }
}

sub check_headers ($block, $name, $res, $raw_headers, $idx, $need_array) {
    if (defined $block->raw_response_headers_like) {
        my $pat = indexed_value(scalar $block->raw_response_headers_like, $idx, $need_array);
        Test::More::like($raw_headers, qr/$pat/s, "$name - raw resp headers like");
    }
    if (defined $block->raw_response_headers_unlike) {
        my $pat = indexed_value(scalar $block->raw_response_headers_unlike, $idx, $need_array);
        Test::More::unlike($raw_headers, qr/$pat/s, "$name - raw resp headers unlike");
    }

    my ($spec, $like);
    if (defined $block->response_headers) {
        $spec = indexed_value(scalar $block->response_headers, $idx, $need_array);
    } elsif (defined $block->response_headers_like) {
        $spec = indexed_value(scalar $block->response_headers_like, $idx, $need_array);
        $like = 1;
    } else {
        return;
    }

    # One "Name: value" per line; "!Name" means the header must be absent.
    for my $line (split /\n/, $spec) {
        $line =~ s/^\s+|\s+$//g;
        next unless length $line;
        if ($line =~ s/^!\s*//) {
            Test::More::unlike($raw_headers, qr/^\s*\Q$line\E\s*:/ms,
                               "$name - header $line not present in the raw headers");
            next;
        }
        my ($key, $val) = split /\s*:\s*/, $line, 2;
        $val //= '';
        my $got = ($res ? $res->header($key) : undef) // '';
        if ($like) {
            Test::More::like($got, qr/^$val$/, "$name - header $key like ok");
        } else {
            $val =~ s/\$ServerPort\b/$ServerPort/g;
            $val =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;
            Test::More::is($got, $val, "$name - header $key ok");
        }
    }
}

# --- response_body_filters: names (md5_hex, sha1_hex, uc, lc, ucfirst,
# lcfirst, length) or code refs, applied to the body before comparing.
sub apply_body_filters ($block, $res, $idx) {
    my $filters = $block->response_body_filters;
    return unless defined $filters && $res && defined $res->content;
    $filters = [split ' ', $filters] unless ref $filters;
    $filters = [$filters] if ref $filters ne 'ARRAY';
    $filters = $filters->[$idx] // [] if ref $filters->[0] eq 'ARRAY';
    my %named = (
        md5_hex  => \&Digest::MD5::md5_hex, sha1_hex => \&Digest::SHA::sha1_hex,
        uc => sub { uc $_[0] }, lc => sub { lc $_[0] }, length => sub { length $_[0] },
        ucfirst => sub { ucfirst $_[0] }, lcfirst => sub { lcfirst $_[0] },
    );
    my $body = $res->content;
    for my $f (@$filters) {
        my $code = ref $f eq 'CODE' ? $f : $named{$f}
            // abort_block("unknown filter, \"$f\", specified in the "
                           . "--- response_body_filters section");
        $body = $code->($body);
    }
    $res->content($body);
}

sub check_body ($block, $name, $res, $idx, $rep, $need_array) {
    my $content = $res ? $res->content : undef;
    if (defined $block->response_body) {
        my $expected = indexed_value(scalar $block->response_body, $idx, $need_array);
        if (defined $expected && !ref $expected) {
            $expected =~ s/\$ServerPort\b/$ServerPort/g;
            $expected =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;
            $expected = expand_env($expected);
        }
        my $desc = "$name - response_body - response is expected "
                 . "(repeated req $rep, req $idx)";
        if (ref $expected) {
            Test::More::like($content, $expected,
                "$name - response_body - like (repeated req $rep, req $idx)");
        } else {
            is_str($content, $expected, $desc);
        }
    } elsif (defined $block->response_body_like || defined $block->response_body_unlike) {
        my $type = defined $block->response_body_like ? 'like' : 'unlike';
        my $pat = indexed_value($type eq 'like' ? $block->response_body_like
                                                : $block->response_body_unlike,
                                $idx, $need_array);
        $pat =~ s/\$ServerPort\b/$ServerPort/g;
        $pat =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;
        (my $summary = $content // '') =~ s/^\s+|\s+$//g;
        $summary =~ s/\s+/ /g;
        my $desc = "$name - response_body_$type - response is expected ($summary)";
        $type eq 'like' ? Test::More::like($content, qr/$pat/s, $desc)
                        : Test::More::unlike($content, qr/$pat/s, $desc);
    }
    $_->($block, $content, $idx, $rep, 0) for @ResponseBodyChecks;
}

# New error.log lines since the previous check of this block (all lines
# with check_accum_error_log).  Waits a bit first: nginx logs some things
# after it closed the connection.
sub error_log_lines () {
    Time::HiRes::sleep($SleepStep * 3);
    return read_error_log();
}

sub read_error_log () {
    open my $fh, '<', $ErrLogFile or return [];
    seek $fh, $ErrLogPos, 0 if !$CheckAccumErrLog && $ErrLogPos > 0;
    my @lines = <$fh>;
    $ErrLogPos = tell $fh unless $CheckAccumErrLog;
    return \@lines;
}

# Lines logged in the log phase come after the response, later still on a
# loaded machine, under a sanitizer or valgrind: while a pattern that must
# match (--- error_log, --- access_log) matches no line, read the log
# again, for up to 2 s (20 s under valgrind).  Only a failing check waits.
sub wait_for_patterns ($block, $section, $lines, $read) {
    return $lines unless defined $block->$section;
    my $pats = pattern_list(scalar $block->$section);
    my $deadline = Time::HiRes::time() + ($UseValgrind ? 20 : 2);
    while (Time::HiRes::time() < $deadline) {
        my $missing = grep {
            my $pat = $_;
            defined $pat && !grep { line_matches($_, $pat) } @$lines;
        } @$pats;
        last unless $missing;
        Time::HiRes::sleep(0.05);
        $lines = $read->($lines);
    }
    return $lines;
}

# A section value as a list of patterns: text -> one literal substring per
# line; qr// or an array of strings / qr// from "eval".
sub pattern_list ($pats) {
    return [$pats] if ref $pats eq 'Regexp';
    return [@$pats] if ref $pats eq 'ARRAY';
    chomp $pats;
    return [split /\n+/, $pats];
}

sub line_matches ($line, $pat) {
    return ref $pat ? $line =~ $pat : index($line, $pat) >= 0;
}

# --- error_log / no_error_log, --- access_log / no_access_log: each
# pattern must match a line of the log, or none.
sub check_patterns ($block, $name, $rep, $log, $lines) {
    my ($yes, $no) = ("${log}_log", "no_${log}_log");

    if (defined $block->$yes) {
        my $pats = pattern_list(scalar $block->$yes);
        for my $line (@$lines) {
            for my $pat (@$pats) {
                next unless defined $pat && line_matches($line, $pat);
                Test::More::pass("$name - pattern \"$pat\" matches a line in $log.log (req $rep)");
                undef $pat;
            }
        }
        for my $pat (grep { defined } @$pats) {
            Test::More::fail("$name - pattern \"$pat\" should match a line in $log.log (req $rep)");
        }
    }

    if (defined $block->$no) {
        my $pats = pattern_list(scalar $block->$no);
        my %found;
        for my $i (0 .. $#$lines) {
            for my $pat (grep { defined } @$pats) {
                next unless line_matches($lines->[$i], $pat);
                $found{$pat} = 1;
                my @more = @$lines[$i + 1 .. min($i + 9, $#$lines - 1)];
                Test::More::fail(sprintf "%s - pattern \"%s\" should not match any line in "
                    . "%s.log but matches line \"%s\" (req %d)\n%s",
                    $name, fmt_str($pat), $log, fmt_str($lines->[$i]), $rep, join '', @more);
            }
        }
        for my $pat (grep { defined && !$found{$_} } @$pats) {
            Test::More::pass(sprintf "%s - pattern \"%s\" does not match a line in %s.log (req %d)",
                             $name, fmt_str($pat), $log, $rep);
        }
    }
}

# --- access_log / no_access_log: the whole access log, as the real module
# reads it (not only the lines since the last check).
sub check_access_log ($block, $name, $rep) {
    return unless defined $block->access_log || defined $block->no_access_log;
    Time::HiRes::sleep($SleepStep * 3);
    my @lines;
    if (open my $fh, '<', $AccLogFile) {
        @lines = <$fh>;
    }
    my $lines = wait_for_patterns($block, 'access_log', \@lines, sub ($old) {
        open my $fh, '<', $AccLogFile or return $old;
        return [<$fh>];
    });
    check_patterns($block, $name, $rep, 'access', $lines);
}

sub check_error_log ($block, $name, $rep, $lines = undef) {
    my $contains = sub ($section, $needle) {
        my $v = $block->$section;
        return defined $v && grep { !ref $_ && index($_, $needle) >= 0 }
            ref $v eq 'ARRAY' ? @$v : ($v);
    };
    $lines //= error_log_lines();
    $lines = wait_for_patterns($block, 'error_log', $lines, sub ($old) {
        return $CheckAccumErrLog ? read_error_log() : [@$old, @{ read_error_log() }];
    });

    if (defined(my $grep = $block->grep_error_log)) {
        $grep = $grep->[$rep] if ref $grep eq 'ARRAY';
        my $expected = $block->grep_error_log_out;
        abort_block("No --- grep_error_log_out defined but --- grep_error_log is defined")
            unless defined $expected;
        $expected = $expected->[$rep] if ref $expected eq 'ARRAY';
        $expected = expand_env($expected);
        my $out = '';
        for my $line (@$lines) {
            my $m = ref $grep ? ($line =~ $grep ? $& : undef)
                  : index($line, $grep) >= 0 ? $grep : undef;
            $out .= "$m\n" if defined $m && $m !~ /\n/;
        }
        my $desc = "$name - grep_error_log_out (req $rep)";
        ref $expected eq 'Regexp' ? Test::More::like($out, $expected, $desc)
                                  : is_str($out, $expected, $desc);
    } elsif (defined $block->grep_error_log_out) {
        abort_block("No --- grep_error_log defined but --- grep_error_log_out is defined");
    }

    check_patterns($block, $name, $rep, 'error', $lines);

    # Like the real module: warn about alert/crit/emerg lines nobody asked for,
    # and fail on assertion failures.
    for my $level (qw(alert crit emerg)) {
        next if $contains->('error_log', "[$level") || $contains->('no_error_log', "[$level");
        warn "WARNING: $name - " . fmt_str($_) . "\n" for grep { /\[$level\]/ } @$lines;
    }
    for my $line (grep { /\bAssertion .*?failed\b/ } @$lines) {
        chomp(my $l = $line);
        Test::More::fail("$name - $l\n");
    }
}

# valgrind reports (error lines are "==PID== ..."; -q hides everything else).
sub check_valgrind_report ($name) {
    my $log = read_file($ErrLogFile) // '';
    my @report = grep { /^==\d+== / && !/^==\d+== Warning: / } split /^/m, $log;
    return unless @report;
    Test::More::fail("$name - valgrind reported errors");
    Test::More::diag(join '', @report[0 .. min($#report, 99)]);
}

#---------------------------------------------------------------------------
# Running the blocks
#---------------------------------------------------------------------------

sub run_tests () {
    $Started = 1;
    nginx_version_info();
    $ENV{TEST_NGINX_SERVER_PORT} //= $ServerPort;
    my @blocks = Test::Base::blocks();
    @blocks = shuffle @blocks unless $NoShuffle;
    for my $block (@blocks) {
        $_->($block) for @BlockPreprocessors;
        $block->set_value(name => "$0 " . $block->name);
        run_test($block);
        $_->($block) for @TestCleanupHandlers;
    }
    cleanup();
}

# Run one block under a watchdog; internal aborts become failing tests.
sub run_test ($block) {
    my $name = $block->name;
    my $ok = eval {
        local $SIG{ALRM} = sub { die "watchdog: the block took more than ${BlockTimeout}s\n" };
        alarm $BlockTimeout;
        run_block($block);
        alarm 0;
        1;
    };
    alarm 0;
    return if $ok;
    my $err = $@;
    my $msg = ref $err eq 'Test::Nginx::Socket::Abort' ? $err->{msg} : "$err";
    chomp $msg;
    stop_tcp_server();
    Test::More::fail("$name - $msg");
}

sub run_block ($block) {
    my $name = $block->name;
    $RandPorts = {};

    my @unknown = grep { !$KnownSections{$_} } @{ $block->_section_order || [] };
    if (@unknown) {
        Test::More::fail("$name - unknown section(s): "
            . join(', ', map { "--- $_" } @unknown)
            . " (not supported by this runner, util/runner)");
        return;
    }

    # skip_eval / skip_nginx / todo: "N: ..." (N tests per repeat)
    my ($skip_n, $skip_why, $todo_n, $todo_why);
    if (defined(my $s = $block->skip_eval)) {
        $s =~ /^\s*(\d+)\s*:\s*(.*)/s or abort_block("Invalid --- skip_eval spec: $s");
        my ($n, $code) = ($1, $2);
        my $r = eval $code;
        abort_block("skip_eval - failed to eval the Perl code \"$code\": $@") if $@;
        ($skip_n, $skip_why) = ($n, 'skip_eval') if $r;
    }
    if (defined(my $s = $block->skip_nginx)) {
        $s =~ /^\s*(\d+)\s*:\s*([<>]=?)\s*(\d+)\.(\d+)\.(\d+)(?:\s*:\s*(.*))?\s*$/
            or abort_block("Invalid --- skip_nginx spec: $s");
        my ($n, $op, $want) = ($1, $2, sprintf("%d.%03d%03d", $3, $4, $5));
        my $why = $6 || "nginx version $op $3.$4.$5";
        ($skip_n, $skip_why) = ($n, $why) if eval "nginx_version_num() $op $want";
    }
    if (defined(my $s = $block->todo)) {
        $s =~ /^\s*(\d+)\s*:\s*(.*)/s or abort_block("Invalid --- todo spec: $s");
        ($todo_n, $todo_why) = ($1, $2);
    }
    if (defined $skip_n) {
        for (1 .. $RepeatEach) {
            SKIP: { Test::More::skip("$name - $skip_why", $skip_n) }
        }
        return;
    }

    my $must_die = $block->must_die;
    my $valgrind = $UseValgrind && !defined $must_die;

    if (defined $block->config) {
        # The normal case: a fresh nginx with this block's configuration.
        my $config = expand_env($block->config);
        $PrevConfig = $config;
        stop_nginx();
        setup_server_root();
        write_user_files($block);
        write_config($block, $config, $valgrind);
        return run_must_die($block, $name, $must_die) if defined $must_die;
        start_nginx($block, $valgrind);
    } else {
        # Like the real module: a block without "--- config" keeps talking to
        # the nginx (and server root) of the previous block.
        abort_block("No '--- config' section specified and could not get "
                    . "previous one") unless defined $PrevConfig;
        return run_must_die($block, $name, $must_die) if defined $must_die;
        start_nginx($block, $valgrind) if $valgrind && !defined $NginxChild;
    }

    if (defined $block->init) {
        eval $block->init;
        abort_block("init failed: $@") if $@;
    }

    $ErrLogPos = 0;
    for my $rep (0 .. $RepeatEach - 1) {
        my ($listener, $qfile);
        ($listener, $qfile) = start_tcp_server($block, $name) if defined $block->tcp_listen;
        write_user_files($block) if $rep > 0;

        if (defined $todo_n) {
            TODO: {
                Test::More::todo_skip("$name - $todo_why", $todo_n);
            }
        } else {
            run_requests($block, $name, $rep);
            check_tcp_query($block, $name, $qfile) if $listener;
        }

        stop_tcp_server();
        close $listener if $listener;
    }

    if ($valgrind) {
        stop_nginx();           # valgrind prints its leak report at exit
        check_valgrind_report($name);
    }
}

# --- must_die: starting nginx must fail (with the given exit code if any);
# error_log / no_error_log are then checked against what nginx logged while
# failing (the error log given with -e receives the startup messages; its
# stderr is used if the log is empty).
sub run_must_die ($block, $name, $must_die) {
    $ErrLogPos = 0;
    for my $rep (0 .. $RepeatEach - 1) {
        my ($status, $stderr) = run_nginx_once($block);
        # Shown like the real module does (it is expected noise here).
        print STDERR $stderr unless defined $block->suppress_stderr;
        my $code = $status == -1 ? undef : $status >> 8;
        if ($status == -1) {
            Test::More::fail("$name - failed to execute the nginx command line");
        } elsif ($status & 128) {
            Test::More::fail("$name - nginx core dumped");
        } elsif (looks_like_number($must_die)) {
            Test::More::is($must_die, $code, "$name - die with the expected exit code");
        } else {
            Test::More::isnt($status, 0, "$name - die as expected");
        }

        my $lines = error_log_lines();
        $lines = [map { s/^nginx: //r } split /^/m, $stderr] if !@$lines && $rep == 0;
        check_error_log($block, $name, $rep, $lines);

        if ($status == 0) {
            warn "WARNING: $name - nginx must die but it does not; killing it (req $rep)\n";
            stop_nginx();
        }
    }
}

# One repeat of a normal block: every request, every check.
sub run_requests ($block, $name, $rep) {
    my ($reqs, $npipelined) = build_requests($block, $name);
    my $timeout = parse_time(scalar $block->timeout) // $Timeout;
    my $need_array = $npipelined ? 1 : @$reqs > 1;
    my $nresp = $npipelined || @$reqs;

    my $idx = 0;
    for my $req (@$reqs) {
        my $head_req = (join '', map { $_->{value} } @$req) =~ /^\s*HEAD\s+/ ? 1 : 0;
        my $raw = send_request($block, $name, $req, $timeout) // '';
        # A pipelined exchange holds several responses: parse them in turn.
        for my $sub (0 .. ($npipelined ? $npipelined - 1 : 0)) {
            unless (defined $block->ignore_response) {
                my ($res, $raw_headers, $left) = parse_response($name, $raw, $head_req);
                if ($npipelined) {
                    $raw = $left // '';
                } elsif (defined $left) {
                    (my $l = $left) =~ s/([\0-\037\200-\377])/sprintf('\x{%02x}', ord $1)/eg;
                    warn "WARNING: $name - unexpected extra bytes after last chunk in "
                         . "response: \"$l\"\n";
                }
                check_error_code($block, $name, $res, $idx, $need_array);
                check_headers($block, $name, $res, $raw_headers, $idx, $need_array);
                apply_body_filters($block, $res, $idx);
                check_body($block, $name, $res, $idx, $rep, $need_array);
            }
            # The error log is checked after every response (like the real
            # module), each time on the lines logged since the last check.
            Time::HiRes::sleep(parse_time(scalar $block->wait)) if $block->wait;
            check_error_log($block, $name, $rep);
            check_access_log($block, $name, $rep);
            $idx++;
        }
    }
}

sub cleanup () {
    $_->() for @CleanupHandlers;
    stop_tcp_server();
    stop_nginx() unless $ENV{TEST_NGINX_NO_CLEAN} && !defined $NginxChild;
}

END {
    local $?;   # keep the test file's exit status
    cleanup() if $Started;
}

1;
