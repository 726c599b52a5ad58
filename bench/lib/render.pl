#!/usr/bin/perl
# Renders an nginx configuration for bench/run.
#
# usage: render.pl TEMPLATE [PEER_CONF] KEY=VALUE...
#
# PEER_CONF (bench/conf/<peer>.conf) has sections "## main", "## http" and
# "## server" whose text replaces @MAIN@, @HTTP@ and @SERVER@ in TEMPLATE;
# then every @KEY@ is replaced by its VALUE.  An @WORD@ left over is an
# error (a forgotten parameter), except nginx's own "location @name".

use strict;
use warnings;

sub slurp {
    my ($path) = @_;
    open(my $fh, '<', $path) or die "render.pl: $path: $!\n";
    local $/;
    my $text = <$fh>;
    close($fh);
    return $text;
}

my $template = shift @ARGV or die "usage: render.pl TEMPLATE [PEER_CONF] KEY=VALUE...\n";
my $out = slurp($template);

my %section = (main => '', http => '', server => '');
if (@ARGV && $ARGV[0] !~ /=/) {
    my $current;
    for my $line (split /^/, slurp(shift @ARGV)) {
        if ($line =~ /^## (main|http|server)\s*$/) {
            $current = $1;
        } elsif (defined $current) {
            $section{$current} .= $line;
        }
    }
}
for my $name (keys %section) {
    (my $text = $section{$name}) =~ s/\s+\z/\n/;
    $out =~ s/^\@\U$name\E\@\n/$text/m;
}

my %value;
for my $kv (@ARGV) {
    my ($k, $v) = split /=/, $kv, 2;
    defined $v or die "render.pl: not KEY=VALUE: $kv\n";
    $value{$k} = $v;
}
$out =~ s/\@([A-Z_]+)\@/exists $value{$1} ? $value{$1} : die "render.pl: no value for \@$1\@\n"/ge;

print $out;
