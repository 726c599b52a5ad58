# intercom_webhook_allow_file (the operations issue): the allowlist from
# Intercom's published JSON of IP ranges, of which only the
# INTERCOM-OUTBOUND entries are allowed, or from a plain list of CIDR
# blocks; it adds to intercom_webhook_allow at its level and is inherited
# the same way.  A missing, empty or malformed file, an invalid range or
# a file without an outbound range fails the configuration with the
# file's name and the reason; an old "date" or host bits only warn.
#
# Accepted notifications go on by "try_files /nonexistent @app" to a
# location that shows what reached it: a "return" in the webhook
# location itself would answer before the module checks anything.

use Test::Nginx::Socket;
use FindBin ();
use lib "$FindBin::Bin/lib";
use IntercomWebhook;
use POSIX ();

repeat_each(2);

# Intercom's file for the region: ranges as [range, service], a date
# (today by default)
sub ::ranges {
    my ($date, @ranges) = @_;
    $date //= POSIX::strftime('%Y-%m-%d', gmtime);
    return "{\n  \"ip_ranges\": [\n"
        . join(",\n", map { '    {"range": "' . $_->[0] . '", "region": "US", '
                            . '"service": "' . $_->[1] . '"}' } @ranges)
        . "\n  ],\n  \"date\": \"$date\"\n}\n";
}

# the checks of one round, block by block in file order ("n * c": n blocks
# of c checks each)
plan tests => repeat_each() * (3 * 3 + 2 * 5 + 12 * 2 + 4 + 3 + 3);

run_tests();

__DATA__

=== TEST 1: a JSON file allows its INTERCOM-OUTBOUND ranges
--- user_files eval
[["intercom/us.json", ::ranges(undef, ["34.197.76.213/32", "INTERCOM-OUTBOUND"],
                                      ["127.0.0.1/32", "INTERCOM-OUTBOUND"],
                                      ["10.0.0.0/8", "INTERCOM-GENERAL"])]]
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/intercom/us.json;
    }
    location @app { return 202 "app $http_x_intercom_topic\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 202
--- response_body
app conversation.user.created
--- no_error_log
[warn]



=== TEST 2: 127.0.0.1 as INTERCOM-GENERAL is not allowed: 403
--- user_files eval
[["intercom/us.json", ::ranges(undef, ["34.197.76.213/32", "INTERCOM-OUTBOUND"],
                                      ["127.0.0.1/32", "INTERCOM-GENERAL"],
                                      ["127.0.0.0/8", "INTERCOM-ENDPOINTS"])]]
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/intercom/us.json;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 403
--- response_body_like eval: ::error_page(403)
--- error_log eval
::logged('error', 'client 127.0.0.1 is not in the allowlist')



=== TEST 3: a plain list, with comments and blank lines
--- user_files eval
[["allow.txt", "# our own senders\n\n10.0.0.0/8\n  127.0.0.1   # this host\r\n\n"]]
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/allow.txt;
    }
    location @app { return 202 "app $http_x_intercom_topic\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 202
--- response_body
app conversation.user.created
--- no_error_log
[warn]



=== TEST 4: a plain list without the client: 403
--- user_files eval
[["allow.txt", "10.0.0.0/8\n192.0.2.1\n"]]
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/allow.txt;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 403
--- response_body_like eval: ::error_page(403)



=== TEST 5: files and intercom_webhook_allow add to one list (the client in the directive)
--- user_files eval
[["intercom/us.json", ::ranges(undef, ["34.197.76.213/32", "INTERCOM-OUTBOUND"])],
 ["intercom/eu.json", ::ranges(undef, ["54.217.125.63/32", "INTERCOM-OUTBOUND"])]]
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/intercom/us.json;
        intercom_webhook_allow 127.0.0.1;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/intercom/eu.json;
    }
    location @app { return 202 "app $http_x_intercom_topic\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 202
--- response_body
app conversation.user.created



=== TEST 6: a server-level file is inherited by a location with neither directive
--- user_files eval
[["intercom/us.json", ::ranges(undef, ["127.0.0.1/32", "INTERCOM-OUTBOUND"])]]
--- config
    intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/intercom/us.json;
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
    }
    location @app { return 202 "app $http_x_intercom_topic\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 202
--- response_body
app conversation.user.created



=== TEST 7: a location's own intercom_webhook_allow replaces the server's file: 403
--- user_files eval
[["intercom/us.json", ::ranges(undef, ["127.0.0.1/32", "INTERCOM-OUTBOUND"])]]
--- http_config
    intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/intercom/us.json;
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow 192.0.2.1;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 403
--- response_body_like eval: ::error_page(403)



=== TEST 8: an old date does not stop nginx
--- user_files eval
[["intercom/us.json", ::ranges("2025-07-25", ["127.0.0.1/32", "INTERCOM-OUTBOUND"])]]
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/intercom/us.json;
    }
    location @app { return 202 "app $http_x_intercom_topic\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 202
--- response_body
app conversation.user.created



=== TEST 9: a missing file
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/intercom/us.json;
    }
    location @app { return 202 "app\n"; }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*open\(\) "\S+\/html\/intercom\/us\.json" failed \(2: No such file or directory\) in \S+nginx\.conf:\d+/



=== TEST 10: an empty file
--- user_files eval
[["intercom/us.json", ""]]
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/intercom/us.json;
    }
    location @app { return 202 "app\n"; }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*ranges file "\S+\/html\/intercom\/us\.json" is empty in \S+nginx\.conf:\d+/



=== TEST 11: a truncated download (malformed JSON)
--- user_files eval
[["intercom/us.json", substr(::ranges(undef, ["127.0.0.1/32", "INTERCOM-OUTBOUND"]), 0, 50)]]
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/intercom/us.json;
    }
    location @app { return 202 "app\n"; }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*ranges file "\S+\/html\/intercom\/us\.json" is not valid JSON: ".+" on line \d+ in \S+nginx\.conf:\d+/



=== TEST 12: an HTML error page instead of the file
--- user_files eval
[["intercom/us.json", "<html><body>502 Bad Gateway</body></html>\n"]]
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/intercom/us.json;
    }
    location @app { return 202 "app\n"; }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*ranges file "\S+\/html\/intercom\/us\.json" has an invalid range "<html><body>502 Bad Gateway<\/body><\/html>" on line 1 in \S+nginx\.conf:\d+/



=== TEST 13: JSON without "ip_ranges"
--- user_files eval
[["intercom/us.json", qq{{"prefixes": [], "date": "2025-07-25"}\n}]]
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/intercom/us.json;
    }
    location @app { return 202 "app\n"; }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*ranges file "\S+\/html\/intercom\/us\.json" has no "ip_ranges" array in \S+nginx\.conf:\d+/



=== TEST 14: no INTERCOM-OUTBOUND range
--- user_files eval
[["intercom/us.json", ::ranges(undef, ["127.0.0.1/32", "INTERCOM-GENERAL"],
                                      ["52.1.0.0/16", "INTERCOM-ENDPOINTS"])]]
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/intercom/us.json;
    }
    location @app { return 202 "app\n"; }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*ranges file "\S+\/html\/intercom\/us\.json" has no INTERCOM-OUTBOUND range in \S+nginx\.conf:\d+/



=== TEST 15: an invalid outbound range
--- user_files eval
[["intercom/us.json", ::ranges(undef, ["34.197.76.213/32", "INTERCOM-OUTBOUND"],
                                      ["34.197.76.300/32", "INTERCOM-OUTBOUND"])]]
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/intercom/us.json;
    }
    location @app { return 202 "app\n"; }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*ranges file "\S+\/html\/intercom\/us\.json" has an invalid range "34\.197\.76\.300\/32" \(ip_ranges\[1\]\) in \S+nginx\.conf:\d+/



=== TEST 16: an invalid range in a plain list; "all" is not taken from a file
--- user_files eval
[["allow.txt", "10.0.0.0/8\n# everybody\nall\n"]]
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/allow.txt;
    }
    location @app { return 202 "app\n"; }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*ranges file "\S+\/html\/allow\.txt" has an invalid range "all" on line 3 in \S+nginx\.conf:\d+/



=== TEST 17: a plain list of comments only
--- user_files eval
[["allow.txt", "# nothing yet\n\n"]]
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/allow.txt;
    }
    location @app { return 202 "app\n"; }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*ranges file "\S+\/html\/allow\.txt" has no range in \S+nginx\.conf:\d+/



=== TEST 18: a directory
--- user_files eval
[["intercom/placeholder", "x"]]
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/intercom;
    }
    location @app { return 202 "app\n"; }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*read\(\) "\S+\/html\/intercom" failed \(21: Is a directory\) in \S+nginx\.conf:\d+/



=== TEST 19: an invalid max_age
--- user_files eval
[["intercom/us.json", ::ranges(undef, ["127.0.0.1/32", "INTERCOM-OUTBOUND"])]]
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/intercom/us.json max_age=soon;
    }
    location @app { return 202 "app\n"; }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid max_age "soon", a time such as "7d" or "off" is expected in \S+nginx\.conf:\d+/



=== TEST 20: an unknown parameter
--- user_files eval
[["intercom/us.json", ::ranges(undef, ["127.0.0.1/32", "INTERCOM-OUTBOUND"])]]
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/intercom/us.json 7d;
    }
    location @app { return 202 "app\n"; }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid parameter "7d", "max_age=time" is expected in \S+nginx\.conf:\d+/



=== TEST 21: warnings at load (seen here as a later error stops nginx): an old date, host bits
--- user_files eval
[["intercom/us.json", ::ranges("2025-07-25", ["127.0.0.1/32", "INTERCOM-OUTBOUND"],
                                             ["10.1.2.3/8", "INTERCOM-OUTBOUND"])]]
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/intercom/us.json;
        intercom_webhook_allow nowhere;
    }
    location @app { return 202 "app\n"; }
--- request
GET /hook
--- must_die
--- error_log eval
[qr/\[warn\] .*ranges file "\S+\/html\/intercom\/us\.json" is dated 2025-07-25, \d+ days ago, more than max_age=7d: are its updates failing\? in \S+nginx\.conf:\d+/,
 qr/\[warn\] .*ranges file "\S+\/html\/intercom\/us\.json": low address bits of "10\.1\.2\.3\/8" \(ip_ranges\[1\]\) are meaningless in \S+nginx\.conf:\d+/,
 qr/\[emerg\] .*invalid parameter "nowhere"/]



=== TEST 22: max_age: a longer age, or off, does not warn
--- user_files eval
[["intercom/us.json", ::ranges("2025-07-25", ["127.0.0.1/32", "INTERCOM-OUTBOUND"])],
 ["intercom/eu.json", ::ranges(POSIX::strftime('%Y-%m-%d', gmtime(time - 3 * 86400)),
                               ["127.0.0.2/32", "INTERCOM-OUTBOUND"])]]
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/intercom/us.json max_age=off;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/intercom/eu.json max_age=4d;
        intercom_webhook_allow nowhere;
    }
    location @app { return 202 "app\n"; }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid parameter "nowhere"/
--- no_error_log
[warn]



=== TEST 23: ... and a shorter one does
--- user_files eval
[["intercom/eu.json", ::ranges(POSIX::strftime('%Y-%m-%d', gmtime(time - 3 * 86400)),
                               ["127.0.0.2/32", "INTERCOM-OUTBOUND"])]]
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/intercom/eu.json max_age=2d;
        intercom_webhook_allow nowhere;
    }
    location @app { return 202 "app\n"; }
--- request
GET /hook
--- must_die
--- error_log eval
[qr/\[warn\] .*ranges file "\S+\/html\/intercom\/eu\.json" is dated \S+, 3 days ago, more than max_age=2d/,
 qr/\[emerg\] .*invalid parameter "nowhere"/]
