#!/usr/bin/perl
# Writes the markdown report of a bench/run from its raw data.
#
# usage: report.pl DATA_DIR > results.md
#
# DATA_DIR holds (all written by bench/run):
#   meta.txt        key=value lines (environment and settings)
#   check.tsv       CHECK receiver case PASS|FAIL detail
#   runs.tsv        round case receiver cpu_ns "BENCH k=v ..." (one wrk run;
#                   cpu_ticks instead when meta.txt has no cpu_clock)
#   mem.tsv         receiver case alloc_bytes used_bytes (per request)
#   rss.tsv         receiver rss_before_kB rss_after_kB hwm_kB
#   alerts.tsv      receiver log-line
#   micro.tsv       MICRO payload case ns_median ns_min iterations
#   callgrind.tsv   payload case instructions_per_iteration
#
# Every figure of a cell is the median over the rounds, with the min-max
# of the rounds beside it.  Ratios and "extra" figures are computed per
# round against the proxy_pass run of the same round and case (paired, so
# that a slow round affects both), then their median and min-max.

use strict;
use warnings;

my $dir = shift @ARGV or die "usage: report.pl DATA_DIR\n";

sub lines {
    my ($name) = @_;
    open(my $fh, '<', "$dir/$name") or return ();
    my @l = grep { /\S/ } map { chomp; $_ } <$fh>;
    close($fh);
    return @l;
}

my %meta = map { /^([^=]+)=(.*)$/ ? ($1, $2) : () } lines('meta.txt');
my $clk = $meta{clk_tck} || 100;

sub median {
    my @v = sort { $a <=> $b } @_;
    return undef unless @v;
    my $m = int(@v / 2);
    return @v % 2 ? $v[$m] : ($v[$m - 1] + $v[$m]) / 2;
}
sub minmax { my @v = sort { $a <=> $b } @_; return ($v[0], $v[-1]); }

sub fmt {            # fmt(value, decimals)
    my ($v, $d) = @_;
    return 'n/a' unless defined $v;
    my $s = sprintf("%.${d}f", $v);
    1 while $s =~ s/^(-?\d+)(\d{3})/$1,$2/;   # thousands separators
    return $s;
}
sub firm {           # the rounds agree within 10 % of their median
    my @v = @_;
    return undef unless @v >= 2;
    my ($lo, $hi) = minmax(@v);
    my $m = median(@v);
    return $m && ($hi - $lo) / abs($m) <= 0.10 ? 1 : 0;
}
sub firmtxt {        # "firm", "not firm (spread N %)"
    my @v = @_;
    my $f = firm(@v);
    return 'one round' unless defined $f;
    return 'firm' if $f;
    my ($lo, $hi) = minmax(@v);
    my $m = median(@v);
    return 'not firm (median 0)' unless $m;
    return sprintf("not firm (%s %%)", fmt(100 * ($hi - $lo) / abs($m), 0));
}
sub spread {         # "median (min–max)"
    my ($d, @v) = @_;
    return 'n/a' unless @v;
    my ($lo, $hi) = minmax(@v);
    return fmt(median(@v), $d) . " (" . fmt($lo, $d) . "–" . fmt($hi, $d) . ")";
}

# ---------------------------------------------------------------- data

my (%check, @case_order, %case_seen, @rcv_order, %rcv_seen);
for (lines('check.tsv')) {
    my (undef, $r, $c, $verdict, $detail) = split /\t/;
    $check{$c}{$r} = [$verdict, $detail // ''];
    push @case_order, $c unless $case_seen{$c}++;
    push @rcv_order, $r unless $rcv_seen{$r}++;
}

# per case, receiver, round: the run
my %run;
for (lines('runs.tsv')) {
    my ($round, $c, $r, $cpu, $bench) = split /\t/;
    # ns of CPU time; clock ticks in runs made before cpu_clock existed
    $cpu = $cpu * 1e9 / $clk unless $meta{cpu_clock};
    my %k = $bench =~ /(\w+)=(-?\d+)/g;
    my $req = $k{requests} || 0;
    my $secs = ($k{duration_us} || 1) / 1e6;
    $run{$c}{$r}{$round} = {
        rps     => $req / $secs,
        p99     => ($k{p99_us} || 0) / 1000,
        cpu     => $req ? $cpu / 1e3 / $req : undef,
        errors  => ($k{non2xx} || 0) + ($k{connect_err} || 0) + ($k{read_err} || 0)
                   + ($k{write_err} || 0) + ($k{timeout} || 0),
        crashed => $k{crashed} || 0,
        req     => $req,
        redis   => defined $k{redis_ns} && $req ? $k{redis_ns} / 1e3 / $req
                                                : undef,
    };
}

my %mem;
for (lines('mem.tsv')) {
    my ($r, $c, $alloc, $used) = split /\t/;
    $mem{$c}{$r} = [$alloc, $used];
}

my %label = (
    'ping'      => 'ping (452 B)',
    '4k'        => '4 KB',
    '4k-new'    => '4 KB, a new notification id each',
    '64k'       => '64 KB, in memory (512k buffer)',
    '64k-file'  => '64 KB, temp file (default buffer)',
    '256k-file' => '256 KB, temp file (default buffer)',
    '256k-mem'  => '256 KB, in memory (512k buffer)',
);
my %rlabel = (proxy => 'proxy_pass', module => 'module',
              release => 'module, previous release', lua => 'Lua',
              njs => 'njs', node => 'Node.js',
              dedup => 'module, zone de-duplication',
              redis => 'module, Redis de-duplication',
              enqueue => 'module, queue (XADD)');

# the microbenchmark's payload of a case
my %micro_payload = ('ping' => 'ping.json', '4k' => 'notification-4k.json',
                     '64k' => 'notification-64k.json',
                     '256k-mem' => 'conversation-256k.json');
my %body_bytes = ('ping' => 452, '4k' => 4096, '64k' => 65536,
                  '64k-file' => 65536, '256k-file' => 266384,
                  '256k-mem' => 266384);

# The proxy_pass runs a cell is compared with: the same case, or (when
# proxy_pass did not run it, as in QUICK mode) the nearest one.
my %fallback = ('256k-mem' => '256k-file', '64k-file' => '64k');
sub base_case {
    my ($c) = @_;
    return $c if $run{$c}{proxy};
    return $fallback{$c} if $fallback{$c} && $run{$fallback{$c}}{proxy};
    return undef;
}

# paired per-round values of a cell against proxy_pass
sub paired {
    my ($c, $r, $f) = @_;
    my $bc = base_case($c) or return ();
    my @out;
    for my $round (sort keys %{ $run{$c}{$r} || {} }) {
        my $a = $run{$c}{$r}{$round};
        my $b = $run{$bc}{proxy}{$round} or next;
        next unless defined $a->{cpu} && defined $b->{cpu} && $b->{rps} > 0;
        push @out, $f->($a, $b);
    }
    return @out;
}

# paired per-round values of a cell against another receiver's
sub paired_with {
    my ($c, $r, $base, $f) = @_;
    my @out;
    for my $round (sort keys %{ $run{$c}{$r} || {} }) {
        my $a = $run{$c}{$r}{$round};
        my $b = $run{$c}{$base}{$round} or next;
        next unless defined $a->{cpu} && defined $b->{cpu} && $b->{rps} > 0;
        push @out, $f->($a, $b);
    }
    return @out;
}

# medians for the targets
my %fig;

# ---------------------------------------------------------------- report

my $date = $meta{date} // '';
print "# Benchmark: Intercom webhook receivers, $date\n\n";
print "Written by `bench/run` (see `bench/README.md` for the method). "
    . "All figures are from this one run; do not compare them with another run's.\n\n";

print "| | |\n|---|---|\n";
for my $k (qw(host cpu ncpu kernel nginx lua_module njs node wrk openssl module release git)) {
    print "| $k | ", ($meta{$k} // ''), " |\n";
}
printf "| settings | %s rounds × %s s per cell, wrk -t1 -c%s, warm-up %s s per receiver, %s%s |\n",
    $meta{rounds}, $meta{duration}, $meta{connections}, $meta{warmup},
    $meta{pin} ? "receivers pinned to CPU $meta{receiver_cpu}, wrk and upstream to CPU $meta{load_cpu}"
               : "no CPU pinning",
    $meta{quick} ? ", QUICK=1" : '';
print "\n";

# ---- main table
print "## Throughput, latency, CPU per request\n\n";
print "One nginx worker per receiver (Node: one process); the upstream is a separate nginx "
    . "answering a small 200. Median over the rounds, (min–max) of the rounds. "
    . "× proxy_pass and extra µs are paired per round with the proxy_pass run of the same round. "
    . "CPU µs/req is the CPU time of the receiver process (nginx worker or node, all its threads; "
    . ($meta{cpu_clock} && $meta{cpu_clock} eq 'schedstat'
       ? "ns from /proc/PID/task/*/schedstat" : "utime+stime in clock ticks")
    . ") over the run divided by the requests completed. Firm: the figures whose rounds agree "
    . "within 10 % of their median (× proxy_pass and extra CPU; for proxy_pass its "
    . "requests/s and CPU).\n\n";
print "| payload | receiver | requests/s | × proxy_pass | p99 ms | CPU µs/req | extra CPU µs/req over proxy_pass | nginx heap/req (used) | firm |\n";
print "|---|---|---:|---:|---:|---:|---:|---:|---|\n";

my @cases = grep { $label{$_} } @case_order;
for my $c (@cases) {
    for my $r (@rcv_order) {
        next unless $check{$c}{$r};
        my $ch = $check{$c}{$r};
        my $m = $mem{$c}{$r};
        my $memtxt = $m ? sprintf("%s KB (%s KB)", fmt($m->[0] / 1024, 1), fmt($m->[1] / 1024, 1))
                   : ($r eq 'node' ? '–' : 'n/a');
        if ($ch->[0] ne 'PASS') {
            print "| $label{$c} | $rlabel{$r} | **FAIL**: $ch->[1] | | | | | |\n";
            next;
        }
        my $runs = $run{$c}{$r};
        if (!$runs) {
            print "| $label{$c} | $rlabel{$r} | checked, not timed | | | | | $memtxt |\n";
            next;
        }
        # a run with errors (non-2xx, socket errors) or a crash is left
        # out of the figures and counted in the flag
        my @all = values %$runs;
        my @bad = grep { $_->{errors} || $_->{crashed} || !$_->{req} } @all;
        my $crashed = grep { $_->{crashed} } @all;
        my @r = grep { !($_->{errors} || $_->{crashed} || !$_->{req}) } @all;
        for my $round (keys %$runs) {
            my $x = $runs->{$round};
            delete $runs->{$round} if $x->{errors} || $x->{crashed} || !$x->{req};
        }
        my @ratio = paired($c, $r, sub { $_[0]{rps} / $_[1]{rps} });
        my @extra = paired($c, $r, sub { $_[0]{cpu} - $_[1]{cpu} });
        my $bc = base_case($c) // '';
        my $note = ($bc && $bc ne $c) ? " ¹" : '';
        my $flag = '';
        $flag .= sprintf(" ⚠ %d of %d runs with errors%s, left out", scalar(@bad), scalar(@all),
                         $crashed ? " (the worker crashed)" : '') if @bad;
        if (!@r) {
            print "| $label{$c} | $rlabel{$r}$flag | **FAIL** under load | | | | | $memtxt |\n";
            next;
        }
        my @firm = $r eq 'proxy'
            ? ((firm(map { $_->{rps} } @r) ? 'requests/s' : ()),
               (firm(map { $_->{cpu} // () } @r) ? 'CPU' : ()))
            : ((firm(@ratio) ? '× proxy_pass' : ()), (firm(@extra) ? 'extra CPU' : ()));
        printf "| %s | %s%s | %s | %s%s | %s | %s | %s | %s | %s |\n",
            $label{$c}, $rlabel{$r}, $flag,
            spread(0, map { $_->{rps} } @r),
            $r eq 'proxy' ? '1' : spread(2, @ratio), $r eq 'proxy' ? '' : $note,
            spread(2, map { $_->{p99} } @r),
            spread(1, map { $_->{cpu} // () } @r),
            $r eq 'proxy' ? '0' : spread(1, @extra),
            $memtxt, @firm ? join(', ', @firm) : 'none';
        $fig{$c}{$r} = {
            rps => median(map { $_->{rps} } @r), ratio => median(@ratio),
            cpu => median(map { $_->{cpu} // () } @r), extra => median(@extra),
            extra_range => [@extra ? minmax(@extra) : ()],
            ratio_range => [@ratio ? minmax(@ratio) : ()],
            extra_firm => firmtxt(@extra), ratio_firm => firmtxt(@ratio),
        };
    }
}
print "\n";
my @fb = grep { $run{$_} && !$run{$_}{proxy} && base_case($_) } sort keys %fallback;
if (@fb) {
    print "¹ proxy_pass did not run this case (QUICK=1): compared with proxy_pass on "
        . join('; ', map { "\"$label{$fallback{$_}}\" for \"$label{$_}\"" } @fb) . ".\n\n";
}

# ---- Redis
print "## De-duplication in Redis and the queue (issues 17, 18)\n\n";
if (!$check{'4k-new'}) {
    print "Not run (the case \"4k-new\" is not in this run).\n\n";
} else {
    print "The 4 KB notification with a new notification id in every request "
        . "(`bench/lib/wrk-post.lua` signs each), so that de-duplication passes "
        . "each one on: its claim and its mark are work on every request. "
        . "proxy_pass and the module without de-duplication run the same requests. "
        . "Signing every request in wrk's Lua bounds the requests/s of this case on the "
        . "load side: compare the CPU per request, and × proxy_pass within the case. "
        . "Redis: $meta{redis}. Paired per round; extra CPU is the nginx worker's, "
        . "and Redis's own CPU per request is beside it.\n\n";
    for my $r (qw(dedup redis enqueue)) {
        my $st = $meta{"feature_$r"} // '';
        print "- $rlabel{$r}: $st\n" if $st && $st ne 'timed';
    }
    print "\n" if grep { ($meta{"feature_$_"} // 'timed') ne 'timed' }
                      qw(dedup redis enqueue);
    print "| receiver | × proxy_pass | CPU µs/req | extra CPU µs/req over proxy_pass "
        . "| over the module | over zone de-duplication | Redis CPU µs/req | p99 ms |\n";
    print "|---|---:|---:|---:|---:|---:|---:|---:|\n";
    for my $row (qw(proxy module dedup redis enqueue)) {
        my $r = $row;
        # the queue, without de-duplication, takes the same body each time
        my $c = $r eq 'enqueue' ? '4k' : '4k-new';
        my $ch = $check{$c}{$r} or next;
        if ($ch->[0] ne 'PASS') {
            print "| $rlabel{$r} | **FAIL**: $ch->[1] | | | | | | |\n";
            next;
        }
        my @r = values %{ $run{$c}{$r} || {} };
        next unless @r;
        my @ratio = $r eq 'proxy' ? () : paired($c, $r, sub { $_[0]{rps} / $_[1]{rps} });
        my @xp = $r eq 'proxy' ? () : paired($c, $r, sub { $_[0]{cpu} - $_[1]{cpu} });
        my @xm = $r =~ /^(dedup|redis|enqueue)$/
            ? paired_with($c, $r, 'module', sub { $_[0]{cpu} - $_[1]{cpu} }) : ();
        my @xz = $r eq 'redis'
            ? paired_with($c, $r, 'dedup', sub { $_[0]{cpu} - $_[1]{cpu} }) : ();
        my @rc = grep { defined } map { $_->{redis} } @r;
        printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $rlabel{$r},
            $r eq 'proxy' ? '1' : spread(2, @ratio),
            spread(1, map { $_->{cpu} // () } @r),
            $r eq 'proxy' ? '0' : spread(1, @xp),
            @xm ? spread(1, @xm) : '–', @xz ? spread(1, @xz) : '–',
            @rc ? spread(1, @rc) : '–',
            spread(2, map { $_->{p99} } @r);
        $fig{$r eq 'enqueue' ? '4k-new' : $c}{$r} =
        $fig{$c}{$r} = { ratio => median(@ratio), xm => median(@xm),
                         xz => median(@xz), redis => median(@rc),
                         xm_firm => firmtxt(@xm), xz_firm => firmtxt(@xz) };
    }
    print "\nThe queue's row is of the case \"4 KB\" (the same body each time, "
        . "compared with proxy_pass in that case): without de-duplication, a new id "
        . "changes nothing for it, and that case is not bounded by the signing.\n\n"
        if $fig{'4k-new'}{enqueue};
    my ($z, $rd) = @{ $fig{'4k-new'} }{qw(dedup redis)};
    my $q = $fig{'4k'}{enqueue};
    if ($rd && defined $rd->{xz}) {
        printf "The Redis round trips of de-duplication (the claim before proxy_pass, "
            . "the mark after the 2xx) cost %s µs of the nginx worker's CPU per "
            . "notification over the zone form (%s), %s µs over no de-duplication, "
            . "plus %s µs of Redis's CPU; × proxy_pass %s, the zone form %s.\n\n",
            fmt($rd->{xz}, 1), $rd->{xz_firm}, fmt($rd->{xm}, 1),
            fmt($rd->{redis}, 1), fmt($rd->{ratio}, 2),
            $z ? fmt($z->{ratio}, 2) : 'n/a';
    }
    if ($q && defined $q->{ratio}) {
        printf "The queue (XADD, 200 once Redis has the entry, no upstream): × proxy_pass "
            . "%s, %s µs of the nginx worker's CPU per notification over the module "
            . "with proxy_pass, plus %s µs of Redis's CPU.\n\n",
            fmt($q->{ratio}, 2), fmt($q->{xm}, 1), fmt($q->{redis}, 1);
    }
}

# ---- targets
my %micro_ns;           # "payload case" => ns median (thread CPU time)
for (lines('micro.tsv')) {
    my (undef, $p, $c, $med) = split /\t/;
    $micro_ns{"$p $c"} = $med if $med ne 'FAIL';
}

print "## Targets for the module (issues 8 and 16)\n\n";
if (!grep { $check{$_}{module} } keys %check) {
    print "The module did not take part in this run ($meta{module}).\n\n";
} else {
    print "Judged on the medians above (the spread says how firm each verdict is). "
        . "The HMAC-SHA1 cost of a body is the microbenchmark's, from this run: the smaller "
        . "of `hmac` (EVP_MAC) and `mod_sig` (the module's own HMAC), in ns of the thread's CPU "
        . "time per body (median of the batches), divided by 1,000 to compare with the "
        . "receivers' CPU µs per request.\n\n";
    print "| target | measured | verdict |\n|---|---|---|\n";
    my $v = sub { defined $_[0] ? ($_[0] ? 'met' : '**not met**') : 'n/a' };
    for my $t (['ping', 0.90], ['4k', 0.80]) {
        my ($c, $min) = @$t;
        my $m = $fig{$c}{module};
        my $name = sprintf("throughput ≥ %.2f × proxy_pass (%s)", $min, $label{$c});
        if ($m && defined $m->{ratio}) {
            printf "| %s | %s (rounds %s–%s) | %s, %s |\n", $name,
                fmt($m->{ratio}, 2), fmt($m->{ratio_range}[0], 2), fmt($m->{ratio_range}[1], 2),
                $v->($m->{ratio} >= $min), $m->{ratio_firm};
        } else {
            print "| $name | n/a | n/a |\n";
        }
    }
    for my $c ('4k', '64k') {
        my $m = $fig{$c}{module};
        my $p = $micro_payload{$c};
        my @h = grep { defined } ($micro_ns{"$p hmac"}, $micro_ns{"$p mod_sig"});
        my $name = "extra CPU ≤ 1.5 × HMAC-SHA1 of the body ($label{$c})";
        if ($m && defined $m->{extra} && @h) {
            my ($hmac) = sort { $a <=> $b } @h;
            $hmac /= 1000;
            my $all = $micro_ns{"$p mod_all"};
            printf "| %s | module %s µs (rounds %s–%s), HMAC %s µs (limit %s µs): × %s%s | %s, %s |\n",
                $name, fmt($m->{extra}, 1), fmt($m->{extra_range}[0], 1),
                fmt($m->{extra_range}[1], 1), fmt($hmac, 2), fmt(1.5 * $hmac, 2),
                fmt($m->{extra} / $hmac, 2),
                defined $all ? sprintf("; the module's pure work alone (`mod_all`) %s µs, × %s",
                                       fmt($all / 1000, 2), fmt($all / 1000 / $hmac, 2)) : '',
                $v->($m->{extra} <= 1.5 * $hmac), $m->{extra_firm};
        } else {
            print "| $name | n/a (a cell or the microbenchmark is missing) | n/a |\n";
        }
    }
    for my $c ('4k', '64k') {
        my ($m, $l) = ($fig{$c}{module}, $fig{$c}{lua});
        my $name = "extra CPU ≤ ⅕ of Lua's ($label{$c})";
        if ($m && $l && defined $m->{extra} && defined $l->{extra}) {
            printf "| %s | module %s µs, Lua %s µs (limit %s µs): %s of Lua's | %s, module %s, Lua %s |\n", $name,
                fmt($m->{extra}, 1), fmt($l->{extra}, 1), fmt($l->{extra} / 5, 1),
                $l->{extra} > 0 ? fmt($m->{extra} / $l->{extra}, 2) : 'n/a',
                $v->($m->{extra} <= $l->{extra} / 5), $m->{extra_firm}, $l->{extra_firm};
        } else {
            print "| $name | n/a (a cell is missing or failed) | n/a |\n";
        }
    }
    # issue 16: the parser alone, in the microbenchmark's CPU time and
    # instructions (mod_parse: validation, extraction, the header values;
    # parse_whole, whose instructions under callgrind are its AVX2 code's;
    # mod_stream: the streaming parser, for comparison)
    my %cgp = map { my @f = split /\t/; ("$f[0] $f[1]" => $f[2]) } lines('callgrind.tsv');
    for my $c ('4k', '64k') {
        my $p = $micro_payload{$c};
        my ($pn, $hn) = ($micro_ns{"$p mod_parse"}, $micro_ns{"$p hmac"});
        my ($pi, $hi) = ($cgp{"$p mod_parse"}, $cgp{"$p hmac"});
        my ($s1, $s1sse) = ($micro_ns{"$p simdjson_s1"}, $micro_ns{"$p simdjson_sse_s1"});
        my ($sn, $si) = ($micro_ns{"$p mod_stream"}, $cgp{"$p mod_stream"});
        my $name = "parser alone ≤ 0.35 × HMAC-SHA1 of the body ($label{$c}, microbenchmark)";
        if ($pn && $hn) {
            printf "| %s | CPU time: mod_parse %s ns, hmac %s ns: × %s%s%s%s | %s%s |\n", $name,
                fmt($pn, 0), fmt($hn, 0), fmt($pn / $hn, 2),
                ($pi && $hi) ? sprintf("; instructions (the index's AVX2 code under "
                                       . "callgrind): %s, %s: × %s",
                                       fmt($pi, 0), fmt($hi, 0), fmt($pi / $hi, 2)) : '',
                $sn ? sprintf("; the streaming parser (`mod_stream`): × %s%s",
                              fmt($sn / $hn, 2),
                              ($si && $hi) ? sprintf(", instructions × %s", fmt($si / $hi, 2))
                                           : '') : '',
                ($s1 && $s1sse) ? sprintf("; simdjson's first stage alone (the token index a "
                                          . "two-stage parser starts from): SSE4.2 × %s, "
                                          . "its best code × %s",
                                          fmt($s1sse / $hn, 2), fmt($s1 / $hn, 2)) : '',
                'CPU time ' . $v->($pn <= 0.35 * $hn),
                ($pi && $hi) ? ', instructions ' . $v->($pi <= 0.35 * $hi) : '';
        } else {
            print "| $name | n/a (the microbenchmark is missing) | n/a |\n";
        }
    }
    my $tf = $check{'256k-file'}{module};
    my ($f, $mm) = ($fig{'256k-file'}{module}, $fig{'256k-mem'}{module});
    my $b256 = $body_bytes{'256k-file'};
    if ($f && $mm && defined $f->{extra} && defined $mm->{extra} && $mm->{extra} > 0) {
        my $m64 = $fig{'64k'}{module};
        printf "| temp file ≤ 1.5 × in memory per byte (256 KB, extra CPU over proxy_pass) "
            . "| temp file %s µs (%s ns/byte), in memory %s µs (%s ns/byte): × %s; "
            . "CPU µs/req %s vs %s (× %s)%s | %s |\n",
            fmt($f->{extra}, 1), fmt($f->{extra} * 1000 / $b256, 3),
            fmt($mm->{extra}, 1), fmt($mm->{extra} * 1000 / $b256, 3),
            fmt($f->{extra} / $mm->{extra}, 2),
            fmt($f->{cpu}, 1), fmt($mm->{cpu}, 1), fmt($f->{cpu} / $mm->{cpu}, 2),
            ($m64 && defined $m64->{extra})
                ? sprintf("; 64 KB in memory: %s ns/byte", fmt($m64->{extra} * 1000 / 65536, 3)) : '',
            $v->($f->{extra} <= 1.5 * $mm->{extra});
    } else {
        printf "| temp file ≤ 1.5 × in memory per byte (256 KB) | n/a%s | n/a |\n",
            $tf ? " (check: $tf->[0] $tf->[1])" : '';
    }
    for my $c ('ping', '4k', '64k') {
        my ($m, $rl) = ($fig{$c}{module}, $fig{$c}{release});
        next unless $m && $rl && defined $m->{extra} && defined $rl->{extra};
        printf "| (for information) against the previous release (%s) | × proxy_pass %s "
            . "(release %s); extra CPU %s µs (release %s µs) | – |\n", $label{$c},
            fmt($m->{ratio}, 2), fmt($rl->{ratio}, 2), fmt($m->{extra}, 1), fmt($rl->{extra}, 1);
    }
    my @memrows;
    for my $c (@cases) {
        my ($m, $p) = ($mem{$c}{module}, $mem{$c}{proxy});
        next unless $m;
        push @memrows, sprintf("%s: %s KB%s", $label{$c}, fmt($m->[1] / 1024, 1),
            $p ? sprintf(" (+%s KB over proxy_pass)", fmt(($m->[1] - $p->[1]) / 1024, 1)) : '');
    }
    printf "| memory per request reported | %s | %s |\n",
        @memrows ? join('; ', @memrows) . ' (nginx heap used per request)' : 'n/a',
        @memrows ? 'reported' : 'n/a';
    print "\n";
}

# ---- checks
print "## Correctness checks (before timing)\n\n";
print "Good signature → 2xx and the upstream saw every X-Intercom-* header with the payload's "
    . "value and the whole body (echoed back by the upstream); a wrong signature → 401. "
    . "proxy_pass verifies nothing and is only checked for forwarding.\n\n";
print "| case | ", join(' | ', map { $rlabel{$_} } @rcv_order), " |\n";
print "|---|", join('|', map { '---' } @rcv_order), "|\n";
for my $c (@case_order) {
    print "| ", ($label{$c} // $c), " | ",
        join(' | ', map { my $x = $check{$c}{$_}; !$x ? '–' : $x->[0] eq 'PASS' ? 'pass'
                          : "**FAIL** ($x->[1])" } @rcv_order), " |\n";
}
print "\n";

# ---- memory
print "## Memory\n\n";
print "**nginx heap per request** (in the main table): a copy of each nginx receiver with "
    . "`error_log … debug` served $meta{mem_requests} requests per case, one connection each; "
    . "the sizes of all `malloc`/`posix_memalign` lines of nginx's allocator were summed "
    . "(connection and request pools, header and body buffers, upstream buffers; all of it is "
    . "freed when the request ends, so it is the request's footprint), \"used\" subtracts the "
    . "unused tails of pool blocks reported at `free`. LuaJIT's, njs's and OpenSSL's own "
    . "allocations are not in this figure.\n\n";
my @rss = lines('rss.tsv');
if (@rss) {
    print "**Resident memory of the receiver process** (VmRSS before the timed runs, after them, "
        . "and the peak VmHWM; kB): a whole-process figure for every peer, Node included.\n\n";
    print "| receiver | RSS before | RSS after | peak (VmHWM) |\n|---|---:|---:|---:|\n";
    for (@rss) {
        my ($r, $b, $a, $h) = split /\t/;
        printf "| %s | %s | %s | %s |\n", $rlabel{$r} // $r, fmt($b, 0), fmt($a, 0), fmt($h, 0);
    }
    print "\n";
}

# ---- micro
my @micro = lines('micro.tsv');
my %cg = map { my @f = split /\t/; ("$f[0] $f[1]" => $f[2]) } lines('callgrind.tsv');
print "## Microbenchmark: the verification work alone\n\n";
print "`bench/micro` ($meta{micro}). Instructions per body under callgrind (exact and stable on "
    . "this noisy machine: prefer them) and ns per body of the thread's CPU time "
    . "(clock_gettime(CLOCK_THREAD_CPUTIME_ID), median and min of the batches). "
    . "`hmac` is the floor (EVP_MAC HMAC-SHA1, keyed context dup'ed per body); `jansson` is a "
    . "json_loadb tree of the whole body plus field extraction (what the module must not do); "
    . "`simdjson` and `simdjson_sse` are simdjson's DOM parser with the same fields, with the "
    . "code it chose for this CPU and with its SSE4.2 code: the fastest validating parser "
    . "Debian has, for comparison with `mod_parse`; `simdjson_s1` and `simdjson_sse_s1` are "
    . "its first stage alone (the index of every token, UTF-8 validated), what a two-stage "
    . "parser spends before its second stage; "
    . "`mod_*` are the module's functions (signature; validation + extraction, with "
    . "parse_whole, as for a body in memory; the same with the streaming parser "
    . "(`mod_stream`); signature and parse_whole; both with the body in 16 KB pieces as read "
    . "from a temp file). Valgrind has no AVX-512: under callgrind the parser's index "
    . "runs its AVX2 code. Under callgrind, OpenSSL "
    . "does not see the CPU's SHA extensions (valgrind hides them), so `hmac`'s "
    . "instructions are those of its SSSE3/AVX2 code, while its CPU time is that of "
    . "the SHA extensions where the CPU has them (`grep -w sha_ni /proc/cpuinfo`): "
    . "there the ratios in time are higher than in instructions.\n\n";
if (@micro) {
    my $has_cg = %cg ? 1 : 0;
    print "| payload | case | ", ($has_cg ? "instructions | × hmac | " : ''),
        "ns (median) | ns (min) | ns × hmac |\n";
    print "|---|---|", ($has_cg ? "---:|---:|" : ''), "---:|---:|---:|\n";
    for (@micro) {
        my (undef, $p, $c, $med, $min) = split /\t/;
        my $ir = $cg{"$p $c"};
        my $h = $cg{"$p hmac"};
        my $hn = $micro_ns{"$p hmac"};
        print "| $p | $c | ",
            ($has_cg ? (defined $ir ? fmt($ir, 0) : 'n/a') . " | "
                       . (defined $ir && $h ? fmt($ir / $h, 2) : 'n/a') . " | " : ''),
            ($med eq 'FAIL' ? '**FAIL** | | |'
             : fmt($med, 0) . " | " . fmt($min, 0) . " | "
               . ($hn ? fmt($med / $hn, 2) : 'n/a') . " |"), "\n";
    }
    print "\n";
} else {
    print "Not run.\n\n";
}

# ---- anything odd
my @alerts = lines('alerts.tsv');
print "## Receivers' logs\n\n";
if (@alerts) {
    print "Alerts or crashes seen in the receivers' error logs (first lines):\n\n```\n",
        join("\n", @alerts), "\n```\n";
} else {
    print "No alert, crash or emergency in the receivers' error logs.\n";
}
