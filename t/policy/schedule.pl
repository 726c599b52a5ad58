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

our %Policy;


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

done_testing();
