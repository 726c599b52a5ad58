#!/usr/bin/perl
# Builds the 4 KB and 64 KB notification bodies of the benchmark from the
# conversation sample (conversation.user.created.json, copied from the
# project's shared samples): the same conversation, now replied to, with
# conversation parts appended in Intercom's pretty-printing ("key" : value,
# two-space indent, "[ {" ... "} ]" lists, raw UTF-8), as in the 266 KB
# sample conversation-256k.json.  The output is deterministic (no random
# numbers, no clock): running it again gives the same bytes, so the files
# are committed and this script only documents and reproduces them.
#
# Each file is padded to an exact size (4096 and 65536 bytes) by lengthening
# the text of its last part.
#
# usage: bench/payloads/generate.pl            (writes next to itself)

use strict;
use warnings;
use File::Basename qw(dirname);

my $dir = dirname(__FILE__);

sub slurp {
    my ($path) = @_;
    open(my $fh, '<:raw', $path) or die "$path: $!\n";
    local $/;
    my $text = <$fh>;
    close($fh);
    return $text;
}

# Texts of the parts: bytes (UTF-8 already), varied like real conversations.
my @texts = (
    '<p>Thanks for reaching out! Could you tell me which browser you are using and whether the export button is greyed out or simply does nothing?</p>',
    '<p>It is Firefox 128 on macOS. The button is blue, I click it and nothing happens — no download, no error. 😕</p>',
    '<p>Got it. I have reproduced it on our side: the export job fails when a report contains more than 10 000 rows. Our engineers are on it.</p>',
    '<p>Merci ! En attendant, est-ce que je peux exporter par morceaux ? Nous devons envoyer le rapport à la comptabilité avant vendredi.</p>',
    '<p>Yes: filter the report by month (Filters → Date → “This month”), then export each month separately. Each file stays under the limit.</p>',
    '<p>Das hat funktioniert, vielen Dank! Die Größe der Dateien ist jetzt in Ordnung. Schöne Grüße aus Köln.</p>',
    '<p>Great to hear! I will keep this conversation open and let you know as soon as the fix is deployed. 🚀</p>',
    '<p>東京チームからの追記：修正はステージング環境で確認済みです。本番環境への反映は明日の予定です。</p>',
    '<p>Note for the team: customer is on the Pro plan, renewal in March. Please prioritise the export fix (ticket ENG-4821).</p>',
);
my @types = qw(comment comment comment comment comment comment comment comment note);
my @authors = (
    [ 'admin', '5017691', 'Maja Berg',     'maja@example.com' ],
    [ 'user',  '6a1f0c2e9b7d4400a1c3e5f7', 'Åsa Lindqvist', 'asa@example.org' ],
    [ 'admin', '5017702', 'Kenji Sato',    'kenji@example.com' ],
);

# One conversation part, indented as in Intercom's bodies.
sub part {
    my ($n, $text) = @_;
    my $a = $authors[$n % 3];
    my $t = 1764409200 + 37 * $n;
    my $type = $types[$n % @types];
    return <<"PART";
{
            "type" : "conversation_part",
            "id" : "${\ (9100000000 + $n)}",
            "part_type" : "$type",
            "body" : "$text",
            "created_at" : $t,
            "updated_at" : $t,
            "notified_at" : $t,
            "assigned_to" : null,
            "author" : {
              "type" : "$a->[0]",
              "id" : "$a->[1]",
              "name" : "$a->[2]",
              "email" : "$a->[3]"
            },
            "attachments" : [ ],
            "external_id" : null,
            "redacted" : false
          }
PART
}

# The body with the given parts; the last text may be padded.
sub body {
    my ($base, $nparts, $pad) = @_;
    my @parts;
    for my $n (0 .. $nparts - 1) {
        my $text = $texts[$n % @texts];
        $text =~ s{</p>$}{$pad</p>} if $n == $nparts - 1;
        my $p = part($n, $text);
        chomp $p;
        push @parts, $p;
    }
    my $list = "[ " . join(",\n          ", @parts) . " ],\n"
             . "        \"total_count\" : $nparts\n";
    my $b = $base;
    $b =~ s{"conversation_parts" : \[ \]\n}{"conversation_parts" : $list}
        or die "sample layout changed\n";
    return $b;
}

sub build {
    my ($size, $id) = @_;
    my $base = slurp("$dir/conversation.user.created.json");

    # the same conversation, replied to by an admin
    $base =~ s{"topic" : "conversation.user.created"}{"topic" : "conversation.admin.replied"};
    $base =~ s{"delivery_status" : null}{"delivery_status" : "pending"};
    $base =~ s{"id" : "notif_[^"]*"}{"id" : "$id"};
    $base =~ s{("updated_at" : )1764412798}{${1}1764412799};

    # as many parts as fit, then pad the last text to the exact size
    my $n = 1;
    $n++ while length(body($base, $n + 1, '')) <= $size;
    my $short = length(body($base, $n, ''));
    die "cannot reach $size bytes\n" if $short > $size;
    my $filler = ' Thanks again for your patience.' x 400;
    return body($base, $n, substr($filler, 0, $size - $short));
}

for my $job ([ 4096,  'notification-4k.json',  'notif_3c1e7a52-8f0d-4b6e-a9d4-1f2e3d4c5b6a' ],
             [ 65536, 'notification-64k.json', 'notif_7d2b9c14-05ae-4f31-8c6b-2a9e8f7d6c5b' ]) {
    my ($size, $name, $id) = @$job;
    my $out = build($size, $id);
    length($out) == $size or die "$name: ", length($out), " bytes\n";
    open(my $fh, '>:raw', "$dir/$name") or die "$name: $!\n";
    print $fh $out;
    close($fh) or die "$name: $!\n";
    print "$name: $size bytes\n";
}
