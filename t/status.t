# The status output (issue 14): a row for each server's location (and no
# more locations in a zone than its counters' area holds), the
# topics' overflow under a name that no topic counted by its own can have,
# Prometheus's label values escaped by the exposition format's rules and
# JSON's by its own, and the largest output the counters can make.  The
# metrics of issue 15: the delivery's duration as a histogram, the
# application's answers by code, the answers replaced, the allowlist's
# date as a timestamp, the two kinds of copies, the de-duplication zone's
# entries, limit and evictions.

use Test::Nginx::Socket;
use FindBin ();
use lib "$FindBin::Bin/lib";
use IntercomWebhook;
use JSON::PP ();

repeat_each(1);

# two checks per request (status, body), three with no_error_log
plan tests => repeat_each() * (2 * 4 + 2 * 3 + 2 * 3 + 2 * 3 + 3 * 35
                               + 2 * 34 + 2 + 2 * 3 + 2 * 3 + 2 * 3
                               + 2 * 4 + 2 * 5);

our $Event = ::event("conversation.user.created");

our $Hook = <<'_EOC_';
        intercom_webhook on status=iw;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
_EOC_

# 32 topics of 64 bytes fill the slots, and one more goes to the overflow
our @Topics = map { sprintf("t%02d", $_) . ("x" x 61) } 0 .. 32;

# a location's name of 128 tabs: 768 bytes in JSON
our $Tabs = "\t" x 127;
our $TabsUri = "/" . ("%09" x 127);

# the JSON, decoded and summed up; other answers as they are
sub ::summary {
    my ($body) = @_;
    return $body unless $body =~ /^\{"version"/;
    my $j = JSON::PP::decode_json($body);
    my @out;
    for my $z (sort keys %{ $j->{zones} }) {
        for my $l (@{ $j->{zones}{$z}{locations} }) {
            my $n = $l->{notifications};
            push @out, sprintf("zone %d location %d topics %d other %d sum %d",
                               length $z, length $l->{location},
                               scalar(keys %$n), $n->{"(other)"},
                               eval { my $s = 0; $s += $_ for values %$n; $s });
        }
    }
    return join("\n", @out) . "\n";
}

# a location's labels, as a pattern
our $L = 'zone="iw",server="localhost",location="\/hook"';
our $P = 'nginx_intercom_webhook_delivery_duration_seconds';
our ($B, $S, $C) = map { $P . $_ } qw(_bucket _sum _count);

# the application: 200, 0.6 s after the request
our $Slow = "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n";

run_tests();

__DATA__

=== TEST 1: two servers with a location of one name: a row each, by the server's name
--- http_config eval
"    intercom_webhook_zone iw:1m;
    server {
        listen \$TEST_NGINX_SERVER_PORT;
        server_name b.example;
        location = /hook {
$::Hook
        }
        location = /app { return 200 \"app\\n\"; }
    }"
--- config eval
"    location = /hook {
$::Hook
    }
    location = /app { return 200 \"app\\n\"; }
    location = /status { intercom_webhook_status; }"
--- request eval
["POST /hook\n$::Event", "POST /hook\n$::Event", "POST /hook\n$::Event", "GET /status"]
--- more_headers eval
["Host: b.example\n" . ::signed($::Event), "Host: b.example\n" . ::signed($::Event), ::signed($::Event), ""]
--- response_body_like eval
["app", "app", "app", qr/"locations":\[\{"server":"b\.example","location":"\/hook","requests":\{"accepted":2,.*\},\{"server":"localhost","location":"\/hook","requests":\{"accepted":1,/]



=== TEST 2: a topic named "other", and one named "(other)": a series of its own, and the overflow's, once each (JSON)
--- http_config
    intercom_webhook_zone iw:1m;
--- config eval
"    location = /hook {
$::Hook
    }
    location = /app { return 200 \"app\\n\"; }
    location = /status { intercom_webhook_status; }"
--- request eval
my ($o, $p) = (::event("other"), ::event("(other)"));
["POST /hook\n$o", "POST /hook\n$p", "GET /status"]
--- more_headers eval
my ($o, $p) = (::event("other"), ::event("(other)"));
[::signed($o), ::signed($p), ""]
--- response_body_like eval
["app", "app", qr/"notifications":\{"other":1,"\(other\)":1\},/]



=== TEST 3: the same in Prometheus's format: one series each
--- http_config
    intercom_webhook_zone iw:1m;
--- config eval
"    location = /hook {
$::Hook
    }
    location = /app { return 200 \"app\\n\"; }
    location = /status { intercom_webhook_status; }"
--- request eval
my ($o, $p) = (::event("other"), ::event("(other)"));
["POST /hook\n$o", "POST /hook\n$p", "GET /status?format=prometheus"]
--- more_headers eval
my ($o, $p) = (::event("other"), ::event("(other)"));
[::signed($o), ::signed($p), ""]
--- response_body_like eval
["app", "app", qr/^nginx_intercom_webhook_notifications_total\{zone="iw",server="localhost",location="\/hook",topic="other"\} 1\nnginx_intercom_webhook_notifications_total\{zone="iw",server="localhost",location="\/hook",topic="\(other\)"\} 1\n#/m]



=== TEST 4: a location named with a tab and a quote: Prometheus gets the tab as it is and \" (no \u0009), JSON \u0009 and \"
--- http_config
    intercom_webhook_zone "i\\w:1m";
--- config eval
"    location = \"/a\\tb\\\"c\" {
        intercom_webhook on status=i\\\\w;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:\$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 \"app\\n\"; }
    location = /status { intercom_webhook_status; }"
--- request eval
["POST /a%09b%22c\n$::Event", "GET /status?format=prometheus", "GET /status"]
--- more_headers eval
[::signed($::Event), "", ""]
--- response_body_like eval
["app", qr/^nginx_intercom_webhook_requests_total\{zone="i\\\\w",server="localhost",location="\/a\tb\\"c",result="accepted"\} 1$/m,
 qr/"i\\\\w":\{"dedup_entries":0,"dedup_entries_limit":\d+,"dedup_evictions":0,"locations":\[\{"server":"localhost","location":"\/a\\u0009b\\"c",/]



=== TEST 5: the largest rows: a name of 127 tabs, 32 topics of 64 bytes and the overflow; the JSON loads, whole
--- http_config
    intercom_webhook_zone iw:1m;
--- config eval
"    location = \"/" . ("\\t" x 127) . "\" {
$::Hook
    }
    location = /app { return 200 \"app\\n\"; }
    location = /status { intercom_webhook_status; }"
--- request eval
[(map { "POST $::TabsUri\n" . ::event($_) } @::Topics, $::Topics[0]), "GET /status"]
--- more_headers eval
[(map { ::signed(::event($_)) } @::Topics, $::Topics[0]), ""]
--- response_body_filters eval
\&::summary
--- response_body eval
[(map { "app\n" } 0 .. 33), "zone 2 location 128 topics 33 other 1 sum 34\n"]
--- no_error_log
[alert]



=== TEST 6: the same in Prometheus's format: 33 series of the topics, whole
--- http_config
    intercom_webhook_zone iw:1m;
--- config eval
"    location = \"/" . ("\\t" x 127) . "\" {
$::Hook
    }
    location = /app { return 200 \"app\\n\"; }
    location = /status { intercom_webhook_status; }"
--- request eval
[(map { "POST $::TabsUri\n" . ::event($_) } @::Topics), "GET /status?format=prometheus"]
--- more_headers eval
[(map { ::signed(::event($_)) } @::Topics), ""]
--- response_body_filters eval
sub { my $b = shift; return $b if $b eq "app\n";
      my @t = $b =~ /^nginx_intercom_webhook_notifications_total\{zone="iw",server="localhost",location="\/\t{127}",topic="[^"]+"\} 1$/mg;
      my $end = $b =~ /^# TYPE nginx_intercom_webhook_allowlist_timestamp_seconds gauge\n\z/m ? "whole" : "cut";
      scalar(@t) . " $end\n" }
--- response_body eval
[(map { "app\n" } 0 .. 32), "33 whole\n"]



=== TEST 7: more locations keeping counters in a zone than its counters' area holds: nginx -t fails, saying by how much to grow it
--- http_config
    intercom_webhook_zone tiny:32k;
--- config
    location = /one {
        intercom_webhook on status=tiny;
        intercom_webhook_secret it-secret;
        proxy_pass http://127.0.0.1:1;
    }
    location = /two {
        intercom_webhook on status=tiny;
        intercom_webhook_secret it-secret;
        proxy_pass http://127.0.0.1:1;
    }
--- request
GET /one
--- must_die
--- error_log eval
qr/\[emerg\] .*intercom_webhook_zone "tiny" of 32768 bytes has room for the counters of 1 locations, location "\/two" of server "localhost" is one more: make it larger by \d+ bytes for each location/



=== TEST 8: the delivery's duration: an answer after 0.6 s is counted in le="1", not le="0.5", cumulative buckets, sum and count in seconds; a ping the gate answers is not counted
--- http_config
    intercom_webhook_zone iw:1m;
--- config
    location = /hook {
        intercom_webhook on status=iw;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1985;
    }
    location = /status { intercom_webhook_status; }
--- tcp_listen: 1985
--- tcp_reply_delay: 0.6s
--- tcp_reply eval: $::Slow
--- request eval
["POST /hook\n" . ::payload("ping.json"), "POST /hook\n$::Event", "GET /status?format=prometheus"]
--- more_headers eval
[::signed(::payload("ping.json")), ::signed($::Event), ""]
--- response_body_like eval
[qr/^/, qr/^ok$/,
 qr/^# HELP $::P .+\n# TYPE $::P histogram\n$::B\{$::L,le="0\.05"\} 0\n$::B\{$::L,le="0\.1"\} 0\n$::B\{$::L,le="0\.25"\} 0\n$::B\{$::L,le="0\.5"\} 0\n$::B\{$::L,le="1"\} 1\n$::B\{$::L,le="2\.5"\} 1\n$::B\{$::L,le="5"\} 1\n$::B\{$::L,le="10"\} 1\n$::B\{$::L,le="\+Inf"\} 1\n$::S\{$::L\} 0\.[6-9]\d\d\n$::C\{$::L\} 1\n#/m]



=== TEST 9: the same in JSON
--- http_config
    intercom_webhook_zone iw:1m;
--- config
    location = /hook {
        intercom_webhook on status=iw;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1985;
    }
    location = /status { intercom_webhook_status; }
--- tcp_listen: 1985
--- tcp_reply_delay: 0.6s
--- tcp_reply eval: $::Slow
--- request eval
["POST /hook\n" . ::payload("ping.json"), "POST /hook\n$::Event", "GET /status"]
--- more_headers eval
[::signed(::payload("ping.json")), ::signed($::Event), ""]
--- response_body_like eval
[qr/^/, qr/^ok$/,
 qr/,"delivery_duration":\{"buckets":\{"0\.05":0,"0\.1":0,"0\.25":0,"0\.5":0,"1":1,"2\.5":1,"5":1,"10":1,"\+Inf":1\},"sum":0\.[6-9]\d\d,"count":1\}/]



=== TEST 10: the application's answers by code="5xx", the 502 replaced (reason "unavailable"), its duration counted; the allowlist file's date as a timestamp
--- http_config
    intercom_webhook_zone iw:1m;
--- user_files
>>> ranges.json
{"ip_ranges":[{"range":"127.0.0.1/32","region":"US","service":"INTERCOM-OUTBOUND"}],"date":"2025-07-25"}
--- config
    location = /hook {
        intercom_webhook on status=iw;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/ranges.json max_age=off;
        proxy_pass http://127.0.0.1:1;
    }
    location = /status { intercom_webhook_status; }
--- request eval
["POST /hook\n$::Event", "GET /status?format=prometheus", "GET /status"]
--- more_headers eval
[::signed($::Event), "", ""]
--- error_code eval
[429, 200, 200]
--- response_body_like eval
[qr/^$/,
 qr/^nginx_intercom_webhook_responses_total\{$::L,code="5xx"\} 1\n.*^nginx_intercom_webhook_responses_replaced_total\{$::L,reason="unavailable"\} 1\nnginx_intercom_webhook_responses_replaced_total\{$::L,reason="gone"\} 0\n.*^$::C\{$::L\} 1\n.*^# HELP nginx_intercom_webhook_allowlist_timestamp_seconds .*\n# TYPE nginx_intercom_webhook_allowlist_timestamp_seconds gauge\nnginx_intercom_webhook_allowlist_timestamp_seconds\{$::L\} 1753401600\n\z/ms,
 qr/"responses":\{"1xx":0,"2xx":0,"3xx":0,"4xx":0,"5xx":1\},"verified_bytes":\d+,"unavailable":1,"gone":0,.*"allowlist_date":"2025-07-25"\}/]



=== TEST 11: copies: one delivered already (200) counted as such; the zone's entries, limit and evictions, in both formats
--- http_config
    intercom_webhook_zone iw:1m;
--- config
    location = /hook {
        intercom_webhook on status=iw;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_dedup zone=iw;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app\n"; }
    location = /status { intercom_webhook_status; }
--- request eval
["POST /hook\n$::Event", "POST /hook\n$::Event", "GET /status?format=prometheus", "GET /status"]
--- more_headers eval
[::signed($::Event), ::signed($::Event), "", ""]
--- response_body_like eval
["app", qr/^$/,
 qr/^# TYPE nginx_intercom_webhook_dedup_entries gauge\nnginx_intercom_webhook_dedup_entries\{zone="iw"\} 1\n# HELP nginx_intercom_webhook_dedup_entries_limit .*\n# TYPE nginx_intercom_webhook_dedup_entries_limit gauge\nnginx_intercom_webhook_dedup_entries_limit\{zone="iw"\} [1-9]\d+\n# HELP nginx_intercom_webhook_dedup_evictions_total .*\n# TYPE nginx_intercom_webhook_dedup_evictions_total counter\nnginx_intercom_webhook_dedup_evictions_total\{zone="iw"\} 0\n.*^nginx_intercom_webhook_requests_total\{$::L,result="accepted"\} 1\n.*^nginx_intercom_webhook_requests_total\{$::L,result="delivered_already"\} 1\nnginx_intercom_webhook_requests_total\{$::L,result="in_flight"\} 0\n/ms,
 qr/^\{"version":"[^"]+","zones":\{"iw":\{"dedup_entries":1,"dedup_entries_limit":[1-9]\d+,"dedup_evictions":0,"locations":\[\{"server":"localhost","location":"\/hook","requests":\{"accepted":1,.*,"delivered_already":1,"in_flight":0,/]



=== TEST 12: ignored notifications by topic, beside those passed on: a mistyped pattern shows what it drops
--- http_config
    intercom_webhook_zone iw:1m;
--- config eval
"    location = /hook {
$::Hook
        intercom_webhook_topics conversation.*;
    }
    location = /app { return 200 \"app\\n\"; }
    location = /status { intercom_webhook_status; }"
--- request eval
my $c = ::event("contact.user.created");
["POST /hook\n$c", "POST /hook\n$c", "POST /hook\n$::Event",
 "GET /status?format=prometheus", "GET /status"]
--- more_headers eval
my $c = ::event("contact.user.created");
[::signed($c), ::signed($c), ::signed($::Event), "", ""]
--- response_body_like eval
[qr/^$/, qr/^$/, "app",
 qr/^nginx_intercom_webhook_notifications_total\{$::L,topic="contact\.user\.created"\} 0\nnginx_intercom_webhook_notifications_total\{$::L,topic="conversation\.user\.created"\} 1\n.*^# TYPE nginx_intercom_webhook_ignored_total counter\nnginx_intercom_webhook_ignored_total\{$::L,topic="contact\.user\.created"\} 2\nnginx_intercom_webhook_ignored_total\{$::L,topic="conversation\.user\.created"\} 0\nnginx_intercom_webhook_ignored_total\{$::L,topic="\(other\)"\} 0\n/ms,
 qr/"notifications":\{"contact.user.created":0,"conversation.user.created":1,"\(other\)":0\},"ignored":\{"contact.user.created":2,"conversation.user.created":0,"\(other\)":0\},/]
