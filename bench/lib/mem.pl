#!/usr/bin/perl
# Heap per request of an nginx receiver, from its debug log (Debian's nginx
# is built --with-debug): every block nginx allocates for a connection and
# its request (pools, buffers, large pool allocations) is logged as
# "malloc: ADDR:SIZE" or "posix_memalign: ADDR:SIZE @ALIGN", and every pool
# block freed at the end as "free: ADDR, unused: N".  nginx frees all of it
# when the request (and its connection) ends, so the sum over one request
# is its heap footprint; "used" leaves out the unused tails of pool blocks.
# Allocations made outside nginx's allocator (LuaJIT's and njs's own heaps,
# OpenSSL's) do not appear: the figure is nginx's share only.
#
# usage: mem.pl REQUESTS < error.log
# prints: <allocated bytes per request> TAB <used bytes per request>

use strict;
use warnings;

my $n = shift @ARGV or die "usage: mem.pl REQUESTS < error.log\n";
my ($alloc, $unused) = (0, 0);

while (my $line = <STDIN>) {
    if ($line =~ /\b(?:malloc|posix_memalign): [0-9A-Fa-f]+:(\d+)/) {
        $alloc += $1;
    } elsif ($line =~ /\bfree: [0-9A-Fa-f]+, unused: (\d+)/) {
        $unused += $1;
    }
}

printf "%.0f\t%.0f\n", $alloc / $n, ($alloc - $unused) / $n;
