# Mistakes that lose notifications silently (issue 15), and what nginx
# now says about them:
#
# - a topic pattern that matches none of the topics Intercom documents
#   ("contact.user.create", "Conversation.*") warns at nginx -t, naming
#   the pattern, the file and line, and the nearest documented topic; it
#   is a warning only, and the patterns of the configurations shipped
#   (README, docs, the demo, the package's test, util/faults) draw none;
# - a 403 of the allowlist for a request that carries X-Forwarded-For,
#   X-Real-IP or Forwarded, whose address realip did not change, says so
#   and names set_real_ip_from, at most once a minute per location;
# - a signature mismatch names the secrets tried, by id, never by value;
# - a location that uses the built-in addresses gets their date at
#   notice, once per configuration load;
# - intercom_webhook_dedup without zone=, a bad parameter or ttl, and
#   intercom_webhook_log_level with a bad value say the form expected.
#
# Warnings at nginx -t are asserted in must_die blocks: an unknown
# directive after the http block makes nginx die once the http block is
# loaded, with everything it logged.

use Test::Nginx::Socket;
use FindBin ();
use lib "$FindBin::Bin/lib";
use IntercomWebhook;

# the realip hint's time is per worker and per location: one round
repeat_each(1);

# the error-log checks see the whole log of a block: the lines of the
# requests before, the configuration's notice
check_accum_error_log();

plan tests => repeat_each() * 72;

our $Event = ::event("conversation.user.created");

our $App = <<'_EOC_';
    server {
        listen 127.0.0.1:1985;
        location / {
            return 202 "app $http_x_intercom_topic\n";
        }
    }
_EOC_


# every intercom_webhook_topics of the configurations the project ships,
# each in a location of its own

my @shipped;

for my $file (qw(README.md docs/directives.md docs/guide.md
                 docs/migrating.md examples/demo.conf
                 debian/tests/signed-sample util/faults))
{
    open my $fh, '<', "$FindBin::Bin/../$file" or die "$file: $!";
    while (<$fh>) {
        push @shipped, $1 if /^\s*intercom_webhook_topics\s+([^;]+);/;
    }
}

die "t/typos.t: too few intercom_webhook_topics found in the shipped files"
    if @shipped < 7;

our $Shipped = join '', map {
    "    location = /shipped$_ {\n"
    . "        intercom_webhook on;\n"
    . "        intercom_webhook_secret it-secret;\n"
    . "        intercom_webhook_topics $shipped[$_];\n"
    . "        proxy_pass http://127.0.0.1:1985;\n"
    . "    }\n"
} 0 .. $#shipped;

run_tests();

__DATA__

=== TEST 1: a topic with a letter missing warns, naming the pattern, the file and line, and the nearest documented topic
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_topics conversation.* contact.user.create;
        proxy_pass http://127.0.0.1:1985;
    }
--- post_main_config
    no_such_directive_after_http;
--- request
GET /hook
--- must_die
--- error_log eval
[
qr/\[warn\] .*topic pattern "contact\.user\.create" matches none of the topics Intercom documents \(the module's list of \d{4}-\d\d-\d\d\), the nearest is "contact\.user\.created": notifications meant for it would be answered 200 and dropped in \S+nginx\.conf:\d+/,
'unknown directive "no_such_directive_after_http"',
]
--- no_error_log
topic pattern "conversation.*"



=== TEST 2: a capitalised prefix warns: topics are lower case, and "Conversation.*" matches none
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_topics Conversation.*;
        proxy_pass http://127.0.0.1:1985;
    }
--- post_main_config
    no_such_directive_after_http;
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[warn\] .*topic pattern "Conversation\.\*" matches none of the topics Intercom documents \(the module's list of \d{4}-\d\d-\d\d\), the nearest is "conversation\.\*": notifications meant for it would be answered 200 and dropped in \S+nginx\.conf:\d+/



=== TEST 3: a plural prefix, a wrong segment: the nearest prefix or topic is named
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_topics conversations.* ticket.status.updated
                                contact.users.*;
        proxy_pass http://127.0.0.1:1985;
    }
--- post_main_config
    no_such_directive_after_http;
--- request
GET /hook
--- must_die
--- error_log eval
[
qr/\[warn\] .*topic pattern "conversations\.\*" matches none .*, the nearest is "conversation\.\*": /,
qr/\[warn\] .*topic pattern "ticket\.status\.updated" matches none .*, the nearest is "ticket\.state\.updated": /,
qr/\[warn\] .*topic pattern "contact\.users\.\*" matches none .*, the nearest is "contact\.user\.\*": /,
]



=== TEST 4: patterns that match documented topics draw no warning: "*", names, prefixes at any dot, legacy names, ping
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_topics * ping conversation.* contact.user.*
                                contact.* ticket.state.updated
                                content_stat.series.* user.created
                                contact.unarchived
                                procedure.hitl_notification.created;
        proxy_pass http://127.0.0.1:1985;
    }
--- post_main_config
    no_such_directive_after_http;
--- request
GET /hook
--- must_die
--- error_log
unknown directive "no_such_directive_after_http"
--- no_error_log
topic pattern



=== TEST 5: the patterns of the configurations shipped (README, docs, the demo, the package's test, util/faults) draw no warning
--- config eval: $::Shipped
--- post_main_config
    no_such_directive_after_http;
--- request
GET /shipped0
--- must_die
--- error_log
unknown directive "no_such_directive_after_http"
--- no_error_log
topic pattern
[warn]



=== TEST 6: a warning only: nginx starts, the pattern that matches is forwarded, the typo's topic is answered 200 and dropped
--- http_config eval: $::App
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_topics conversation.* contact.user.create;
        proxy_pass http://127.0.0.1:1985;
    }
--- request eval
[
"POST /hook\n" . ::event("conversation.user.created"),
"POST /hook\n" . ::event("contact.user.created"),
]
--- more_headers eval
[
::signed(::event("conversation.user.created")),
::signed(::event("contact.user.created")),
]
--- error_code eval
[202, 200]
--- response_body eval
["app conversation.user.created\n", ""]



=== TEST 7: a 403 for a request with X-Forwarded-For whose address realip did not change: the line says so and names set_real_ip_from
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow 10.9.9.9;
        proxy_pass http://127.0.0.1:1985;
    }
--- request eval
"POST /hook\n$::Event"
--- more_headers eval
::signed($::Event, undef, "X-Forwarded-For: 10.9.9.9")
--- error_code: 403
--- error_log eval
::logged('error', 'client 127.0.0.1 is not in the allowlist; the request has a "X-Forwarded-For" header but the realip module did not change the client address: behind a load balancer or a proxy, trust its address with "set_real_ip_from" and "real_ip_header" (at most one such line a minute)')



=== TEST 8: the same for Forwarded (RFC 7239)
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow 10.9.9.9;
        proxy_pass http://127.0.0.1:1985;
    }
--- request eval
"POST /hook\n$::Event"
--- more_headers eval
::signed($::Event, undef, "Forwarded: for=10.9.9.9;proto=https")
--- error_code: 403
--- error_log eval
qr/\[error\] .*intercom webhook: client 127\.0\.0\.1 is not in the allowlist; the request has a "Forwarded" header but the realip module did not change the client address: .*"set_real_ip_from"/



=== TEST 9: the same for X-Real-IP, whatever its case
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow 10.9.9.9;
        proxy_pass http://127.0.0.1:1985;
    }
--- request eval
"POST /hook\n$::Event"
--- more_headers eval
::signed($::Event, undef, "x-real-ip: 10.9.9.9")
--- error_code: 403
--- error_log eval
qr/\[error\] .*intercom webhook: client 127\.0\.0\.1 is not in the allowlist; the request has a "x-real-ip" header but the realip module did not change the client address: .*"set_real_ip_from"/



=== TEST 10: at most one hint a minute per location: the second 403 of the location has the plain line, another location still gets its hint
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow 10.9.9.9;
        proxy_pass http://127.0.0.1:1985;
    }
    location = /other {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow 10.9.9.9;
        proxy_pass http://127.0.0.1:1985;
    }
--- request eval
["POST /hook\n$::Event", "POST /hook\n$::Event", "POST /other\n$::Event"]
--- more_headers eval
::signed($::Event, undef, "X-Forwarded-For: 10.9.9.9")
--- error_code eval
[403, 403, 403]
--- grep_error_log eval: qr/intercom webhook: client [^,]*allowlist.*?request: "POST \/\w+/
--- grep_error_log_out eval
# checked after each request, on the whole log: the lines so far
my $hint = 'intercom webhook: client 127.0.0.1 is not in the allowlist; the request has a "X-Forwarded-For" header but the realip module did not change the client address: behind a load balancer or a proxy, trust its address with "set_real_ip_from" and "real_ip_header" (at most one such line a minute), client: 127.0.0.1, server: localhost, request: "POST ';
my $plain = 'intercom webhook: client 127.0.0.1 is not in the allowlist, client: 127.0.0.1, server: localhost, request: "POST ';
qr/\A\Q$hint\E\/hook\n(?:\Q$plain\E\/hook\n(?:\Q$hint\E\/other\n)?)?\z/



=== TEST 11: realip set up: the address it sets is checked, and its 403 has no hint
--- config
    set_real_ip_from 127.0.0.1;
    real_ip_header X-Forwarded-For;
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow 10.9.9.9;
        proxy_pass http://127.0.0.1:1985;
    }
--- request eval
"POST /hook\n$::Event"
--- more_headers eval
::signed($::Event, undef, "X-Forwarded-For: 192.0.2.7")
--- error_code: 403
--- error_log eval
qr/\[error\] .*intercom webhook: client 192\.0\.2\.7 is not in the allowlist, client: 192\.0\.2\.7, /
--- no_error_log
set_real_ip_from



=== TEST 12: realip set up, an allowed balanced client: passed on
--- http_config eval: $::App
--- config
    set_real_ip_from 127.0.0.1;
    real_ip_header X-Forwarded-For;
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow 10.9.9.9;
        proxy_pass http://127.0.0.1:1985;
    }
--- request eval
"POST /hook\n$::Event"
--- more_headers eval
::signed($::Event, undef, "X-Forwarded-For: 10.9.9.9")
--- error_code: 202
--- response_body
app conversation.user.created
--- no_error_log
allowlist



=== TEST 13: no proxy's header: the plain line, no hint
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow 10.9.9.9;
        proxy_pass http://127.0.0.1:1985;
    }
--- request eval
"POST /hook\n$::Event"
--- more_headers eval
::signed($::Event)
--- error_code: 403
--- error_log eval
::logged('error', 'client 127.0.0.1 is not in the allowlist')
--- no_error_log
set_real_ip_from



=== TEST 14: a signature mismatch names the secrets tried, by id, never their values
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret id=current;
        intercom_webhook_secret old-secret-value id=old;
        intercom_webhook_secret third-secret-value;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1985;
    }
--- request eval
"POST /hook\n$::Event"
--- more_headers eval
::signed($::Event, "forged")
--- error_code: 401
--- error_log eval
::logged('error', 'signature mismatch (3 secrets tried: "current", "old", "3")')
--- no_error_log
it-secret
old-secret-value
third-secret-value



=== TEST 15: the default allowlist: the built-in addresses' date at notice, when the configuration is loaded
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        proxy_pass http://127.0.0.1:1985;
    }
--- post_main_config
    no_such_directive_after_http;
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[notice\] \d+#\d+: the built-in Intercom addresses of \d{4}-\d\d-\d\d \("intercom", the default, or a region's\) are allowed by location "\/hook" of the server in \S+nginx\.conf:\d+: when Intercom changes one, deliveries get 403 until the module is upgraded; "intercom_webhook_allow_file" with the intercom-ip-ranges updater keeps them current$/



=== TEST 16: a region's preset, in several locations: one line for the load, naming the first and counting the others
--- config
    intercom_webhook_secret it-secret;
    location = /a {
        intercom_webhook on;
        intercom_webhook_allow intercom_eu;
        proxy_pass http://127.0.0.1:1985;
    }
    location = /b {
        intercom_webhook on;
        intercom_webhook_allow intercom;
        proxy_pass http://127.0.0.1:1985;
    }
    location = /c {
        intercom_webhook on;
        proxy_pass http://127.0.0.1:1985;
    }
    location = /d {
        intercom_webhook on;
        intercom_webhook_allow 127.0.0.1;
        proxy_pass http://127.0.0.1:1985;
    }
--- post_main_config
    no_such_directive_after_http;
--- request
GET /a
--- must_die
--- error_log eval
qr/\[notice\] \d+#\d+: the built-in Intercom addresses of \d{4}-\d\d-\d\d .* are allowed by location "\/a" of the server in \S+nginx\.conf:\d+ and 2 other locations: when Intercom/



=== TEST 17: addresses of the configuration's own, or all: no notice
--- config
    location = /a {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow 203.0.113.0/24;
        proxy_pass http://127.0.0.1:1985;
    }
    location = /b {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1985;
    }
--- post_main_config
    no_such_directive_after_http;
--- request
GET /a
--- must_die
--- error_log
unknown directive "no_such_directive_after_http"
--- no_error_log
built-in Intercom addresses



=== TEST 18: the notice is not per request
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow intercom;
        intercom_webhook_allow 127.0.0.1;
        proxy_pass http://127.0.0.1:1985;
    }
--- request eval
["GET /hook", "GET /hook"]
--- error_code eval
[405, 405]
--- grep_error_log: built-in Intercom addresses
--- grep_error_log_out
built-in Intercom addresses



=== TEST 19: intercom_webhook_dedup without zone= says the form expected
--- http_config
    intercom_webhook_zone iw:1m;
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_dedup ttl=1h;
        proxy_pass http://127.0.0.1:1985;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*"intercom_webhook_dedup" must have the "zone=name" or the "redis=name" parameter, "intercom_webhook_dedup zone=name \[ttl=time\];", "intercom_webhook_dedup redis=name \[ttl=time\];" or "intercom_webhook_dedup off;" is expected in \S+nginx\.conf:\d+/



=== TEST 20: intercom_webhook_dedup with an unknown parameter lists the parameters
--- http_config
    intercom_webhook_zone iw:1m;
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_dedup iw;
        proxy_pass http://127.0.0.1:1985;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid parameter "iw", "zone=name", "redis=name" or "ttl=time" is expected in \S+nginx\.conf:\d+/



=== TEST 21: a bad ttl says the form expected
--- http_config
    intercom_webhook_zone iw:1m;
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_dedup zone=iw ttl=an-hour;
        proxy_pass http://127.0.0.1:1985;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid ttl "ttl=an-hour", "ttl=time" with a time such as "1h" is expected in \S+nginx\.conf:\d+/



=== TEST 22: a zone size that is not a size says the form expected
--- http_config
    intercom_webhook_zone iw:1g0;
--- config
    location = /hook {
        return 200;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid zone size "iw:1g0", "name:size" with a size such as "1m" is expected in \S+nginx\.conf:\d+/



=== TEST 23: intercom_webhook_log_level with a bad value lists the values
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_log_level warning;
        proxy_pass http://127.0.0.1:1985;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid value "warning", "info", "notice", "warn" or "error" is expected in \S+nginx\.conf:\d+/



=== TEST 24: intercom_webhook_mode too
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_mode audit;
        proxy_pass http://127.0.0.1:1985;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid value "audit", "enforce" or "report" is expected in \S+nginx\.conf:\d+/



=== TEST 25: the values are taken in any case, as nginx's own enumerations
--- http_config eval: $::App
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_log_level NOTICE;
        intercom_webhook_mode Enforce;
        proxy_pass http://127.0.0.1:1985;
    }
--- request eval
"POST /hook\n$::Event"
--- more_headers eval
::signed($::Event, "forged")
--- error_code: 401
--- error_log eval
::logged('notice', 'signature mismatch (1 secret tried: "1")')
