#!/usr/bin/perl
#
# Unit tests of util/intercom-policy's model of Intercom's delivery
# policy (docs/guide.md, section 9): when each attempt is made, when a
# notification is dropped, what disables the subscription.
# No nginx and no network: run it with
#
#   perl t/policy/schedule.pl        (or: make policy)
#
# It is not a .t file on purpose: util/test does not run it.
#

use v5.36;

use FindBin ();
use Test::More;

require "$FindBin::Bin/../../util/intercom-policy";

our (%Policy, %Fleet, %Queue);


# the minutes at which attempts are made when every attempt gets $status
# and takes $takes minutes, and how it ends

sub schedule ($p, $status, $takes = 0) {
    my $n = { first => 0 };
    my ($t, @at) = (0);

    while (1) {
        push @at, $t;
        my $d = main::policy_after($p, $n,
                                   $status =~ /^\d+$/ ? { status => $status }
                                                      : { failed => $status },
                                   $t + $takes);
        return (join(' ', @at), $d->{state}) if $d->{state} ne 'retry';
        $t = $d->{at};
        return (join(' ', @at), 'runaway') if @at > 50;
    }
}

my %one = (%Policy, retries => 1);
my %two = (%Policy, retries => 2);

is_deeply [schedule(\%one, 200)], ['0', 'delivered'], '200: delivered';
is_deeply [schedule(\%one, 204)], ['0', 'delivered'], '204: delivered';

is_deeply [schedule(\%one, 410)], ['0', 'disabled'],
    '410: the subscription is disabled';

is_deeply [schedule(\%one, 502)], ['0 1', 'dropped'],
    '502, 1 retry: retried after a minute, then dropped';
is_deeply [schedule(\%two, 503)], ['0 1 2', 'dropped'],
    '503, 2 retries: twice a minute apart, then dropped';
is_deeply [schedule(\%one, 401)], ['0 1', 'dropped'],
    'another 4xx: retried like a 5xx';
is_deeply [schedule(\%one, 'timeout')], ['0 1', 'dropped'],
    'no answer within 5 s: retried like a 5xx';
is_deeply [schedule(\%one, 'error')], ['0 1', 'dropped'],
    'connection error: retried like a 5xx';

is_deeply [schedule(\%one, 429)], ['0 1 3 7 15 31 63 120', 'dropped'],
    '429: delays 1, 2, 4, ... minutes, the last attempt at 2 hours';
is_deeply [schedule(\%two, 429)], ['0 1 3 7 15 31 63 120', 'dropped'],
    '429: the retries of other failures do not count';

my ($at, $end) = schedule(\%one, 429, 30);
is_deeply [$at, $end], ['0 31 63 97', 'dropped'],
    '429 answered after 30 minutes: the delays count from each answer';

# a 429 after a timeout keeps the window of the first attempt

my $n = { first => 0 };
is main::policy_after(\%one, $n, { failed => 'timeout' }, 0)->{at}, 1,
    'timeout, then';
is_deeply main::policy_after(\%one, $n, { status => 429 }, 1),
    { state => 'retry', at => 2 }, '429: throttled from then on';
is_deeply main::policy_after(\%one, $n, { status => 429 }, 119.5),
    { state => 'retry', at => 120 }, 'the last attempt at 2 hours';
is main::policy_after(\%one, $n, { status => 200 }, 120)->{state},
    'delivered', 'which can still deliver';

# the application's windows: [from, to)

my $sc = { app => [['down', 5, 8], ['gone', 10, 11]] };
is join(' ', map { main::app_mode($sc, $_) } 0, 4.9, 5, 7.9, 8, 10.5, 11),
    'up up down down up gone up', 'application modes by minute';

# the model's event queue: in time order, then in order of adding

my $ev = main::ev_new();
my @seen;
main::ev_at($ev, 2, sub ($t) { push @seen, "b$t" });
main::ev_at($ev, 1, sub ($t) {
    push @seen, "a$t";
    main::ev_at($ev, 2, sub ($t) { push @seen, "c$t" });
});
main::ev_at($ev, 0.5, sub ($t) { push @seen, "z$t" });
main::ev_run($ev);
is "@seen", 'z0.5 a1 b2 c2', 'events: by time, ties in order of adding';

# the de-duplication store: claimed or delivered until a time

my %store = (x => { state => 'claimed', until => 60 },
             y => { state => 'delivered', until => 3600 });
is join(' ', map { main::dedup_check(\%store, @$_) }
                 ['x', 59], ['x', 60], ['y', 10], ['y', 3600], ['z', 0]),
    'claimed new delivered new new', 'store: claims and marks expire';

# the fleet: one notification, the application slower than Intercom's
# 5 s but within nginx's timeout, nginx finishing the delivery after
# Intercom gave up; its retry lands on the other node a minute later

{
    local $main::Fleet{sends} = [0, 1];
    local $main::Fleet{app} = [['slow', 0, 5]];
    my %slow = (read_timeout => 60, ignore_abort => 1, nodes => 2);

    my $z = main::fleet_run(\%one, { %slow, dedup => 'zone' });
    is_deeply [@$z{qw(attempts copies twice delivered_already lost)}],
        [2, 2, 1, 0, 0],
        'fleet, zone per node: the retry on the other node is processed'
        . ' again';

    my $r = main::fleet_run(\%one, { %slow, dedup => 'redis' });
    is_deeply [@$r{qw(attempts copies twice delivered_already delivered)}],
        [2, 1, 0, 1, 1],
        'fleet, Redis: the retry gets 200, delivered already, and Intercom'
        . ' counts it delivered';

    my $o = main::fleet_run(\%one, { %slow, dedup => 'zone', nodes => 1 });
    is $o->{twice}, 0, 'one node, its zone: processed once';

    my $a = main::fleet_run(\%one, { %slow, ignore_abort => 0,
                                     dedup => 'redis' });
    is_deeply [@$a{qw(copies twice)}], [2, 1],
        'nginx closing the application\'s connection when Intercom gives'
        . ' up: a failed delivery, Redis passes the retry on';

    my $l = main::fleet_run(\%one, { %slow, slow => 90, dedup => 'redis' });
    is $l->{concurrent}, 1,
        'slower than the claim\'s 60 s: the retry overlaps the first copy';
}

# the queue: nothing lost, once each with de-duplication; the 429 lever
# loses what was first sent more than 2 hours before the application was
# back

{
    local $main::Queue{lose_every} = 3;
    my $q = main::queue_run(\%one, { setting => 'queue', dedup => 1,
                                     down => 180 });
    is_deeply [@$q{qw(sent lost twice dropped share)}], [195, 0, 0, 0, 1],
        'queue, down 3 h: 195 sent, none lost, none twice, all within'
        . ' 500 ms';
    ok $q->{attempts} > $q->{sent}, 'answers lost on the way: retried';

    my $n = main::queue_run(\%one, { setting => 'queue', dedup => 0,
                                     down => 180 });
    is $n->{twice}, $n->{attempts} - $n->{sent},
        'queue without de-duplication: each retry queued again';
}

{
    my $l = main::queue_run(\%one, { setting => 'lever', down => 180 });
    ok $l->{lost} >= 59 && $l->{lost} <= 61,
        "429 lever, down 3 h: about 60 lost ($l->{lost})";
    ok $l->{share} > 0.05 && $l->{share} < 0.25,
        'proxy_pass to a 0.3-2 s application: few answers within 500 ms';
}

done_testing();
