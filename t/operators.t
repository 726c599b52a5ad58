# What an operator gets wrong and nginx -t now says (issue 15): a secret
# file that the group or others may read or write, or whose content looks
# pasted from a .env file or a shell script (NAME=value, quoted, white
# space inside), warns, naming the file and never the content; a ranges
# file that allows every address (0.0.0.0/0, ::/0) fails with the file and
# the line; max_age without its unit fails, saying the unit.  A correct
# configuration warns of none of these.
#
# The secret files are made here, with their modes, before the blocks run
# (user_files cannot set a mode): $TEST_NGINX_SECRETS is their directory.

use Test::Nginx::Socket;
use FindBin ();
use lib "$FindBin::Bin/lib";
use IntercomWebhook;
use File::Temp ();

repeat_each(2);

# the warnings are logged once, when nginx starts: every repeat sees them
check_accum_error_log();

my $secrets = File::Temp::tempdir('operators.XXXXXX', TMPDIR => 1,
                                  CLEANUP => 1);
chmod 0755, $secrets;

# NAME => [mode, content]
my %files = (
    good        => [0600, "it-secret\n"],
    read_only   => [0400, "it-secret"],
    world       => [0644, "it-secret\n"],
    group_rw    => [0660, "it-secret\n"],
    group_w     => [0620, "it-secret\n"],
    env         => [0600, "INTERCOM_CLIENT_SECRET=it-secret\n"],
    export      => [0600, "export INTERCOM_CLIENT_SECRET=it-secret\n"],
    dquoted     => [0600, "\"it-secret\"\n"],
    squoted     => [0600, "'it-secret'\n"],
    spaced      => [0600, "it-secret old-secret\n"],
    two_lines   => [0600, "it-secret\nold-secret\n"],
    base64      => [0600, "aXQtc2VjcmV0LXBhZGRlZA==\n"],
    equal_sign  => [0600, "a1/b2=c3+d4\n"],
);

for my $name (sort keys %files) {
    my ($mode, $text) = @{ $files{$name} };
    open my $fh, '>:raw', "$secrets/$name" or die "$secrets/$name: $!";
    print $fh $text;
    close $fh or die "$secrets/$name: $!";
    chmod $mode, "$secrets/$name" or die "chmod $secrets/$name: $!";
}

$ENV{TEST_NGINX_SECRETS} = $secrets;

# the checks of one round, block by block in file order
plan tests => repeat_each() * (5 * 4 + 6 * 3 + 3 * 2);

run_tests();

__DATA__

=== TEST 1: a secret file of mode 0600: no warning, the notification is forwarded
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret_file $TEST_NGINX_SECRETS/good;
        intercom_webhook_secret_file $TEST_NGINX_SECRETS/read_only id=old;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app $http_x_intercom_topic\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- response_body
app conversation.user.created
--- no_error_log
[warn]
secret file



=== TEST 2: a secret file readable by others: a warning naming the file and its mode, still used
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret_file $TEST_NGINX_SECRETS/world;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app $http_x_intercom_topic\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- response_body
app conversation.user.created
--- error_log eval
qr/\[warn\] .*secret file "\S+\/world" is readable by group or others \(mode 0644\), 0600 or 0400 is expected in \S+nginx\.conf:\d+/



=== TEST 3: readable and writable by the group
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret_file $TEST_NGINX_SECRETS/group_rw;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- response_body
app
--- error_log eval
qr/\[warn\] .*secret file "\S+\/group_rw" is readable and writable by group or others \(mode 0660\)/



=== TEST 4: writable by the group only
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret_file $TEST_NGINX_SECRETS/group_w;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- response_body
app
--- error_log eval
qr/\[warn\] .*secret file "\S+\/group_w" is writable by group or others \(mode 0620\)/



=== TEST 5: NAME=value from a .env file: a warning, never the content; the deliveries fail (401)
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret_file $TEST_NGINX_SECRETS/env;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 401
--- error_log eval
qr/\[warn\] .*secret file "\S+\/env" looks like a NAME=value line \(from a \.env file\?\): it must hold the secret alone, or no signature will match in \S+nginx\.conf:\d+/
--- no_error_log
it-secret
INTERCOM_CLIENT_SECRET



=== TEST 6: "export NAME=value": white space inside
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret_file $TEST_NGINX_SECRETS/export;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 401
--- error_log eval
qr/\[warn\] .*secret file "\S+\/export" holds white space, taken as part of the secret \(several values, or a line of a \.env file\?\): it must hold the secret alone/
--- no_error_log
it-secret



=== TEST 7: a secret in double quotes
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret_file $TEST_NGINX_SECRETS/dquoted;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 401
--- error_log eval
qr/\[warn\] .*secret file "\S+\/dquoted" holds a quoted secret, the quotes are taken as part of it: it must hold the secret alone/
--- no_error_log
it-secret



=== TEST 8: a secret in single quotes
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret_file $TEST_NGINX_SECRETS/squoted;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 401
--- error_log eval
qr/\[warn\] .*secret file "\S+\/squoted" holds a quoted secret/
--- no_error_log
it-secret



=== TEST 9: two values on a line, or on two lines
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret_file $TEST_NGINX_SECRETS/spaced;
        intercom_webhook_secret_file $TEST_NGINX_SECRETS/two_lines id=two;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 401
--- error_log eval
[qr/\[warn\] .*secret file "\S+\/spaced" holds white space/,
 qr/\[warn\] .*secret file "\S+\/two_lines" holds white space/]
--- no_error_log
it-secret



=== TEST 10: a base64 secret with its padding, a secret with "=" inside: no warning
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret_file $TEST_NGINX_SECRETS/base64;
        intercom_webhook_secret_file $TEST_NGINX_SECRETS/equal_sign id=eq;
        intercom_webhook_secret it-secret id=inline;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app $http_x_intercom_topic\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"), "a1/b2=c3+d4")
--- response_body
app conversation.user.created
--- no_error_log
[warn]
secret file



=== TEST 11: a ranges file with 0.0.0.0/0 fails, naming the file and the line
--- user_files
>>> intercom/list.txt
# our test addresses
192.0.2.10
0.0.0.0/0
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret_file $TEST_NGINX_SECRETS/good;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/intercom/list.txt;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app\n"; }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*ranges file "\S+\/html\/intercom\/list\.txt" cannot allow every address: "0\.0\.0\.0\/0" on line 3 in \S+nginx\.conf:\d+/



=== TEST 12: ... as does ::/0 in Intercom's JSON
--- user_files
>>> intercom/us.json
{"ip_ranges": [
  {"range": "34.197.76.213/32", "region": "US", "service": "INTERCOM-OUTBOUND"},
  {"range": "::/0", "region": "US", "service": "INTERCOM-OUTBOUND"}
], "date": "2025-07-25"}
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret_file $TEST_NGINX_SECRETS/good;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/intercom/us.json max_age=off;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app\n"; }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*ranges file "\S+\/html\/intercom\/us\.json" cannot allow every address: "::\/0" \(ip_ranges\[1\]\) in \S+nginx\.conf:\d+/



=== TEST 13: max_age without its unit fails, saying the unit
--- user_files
>>> intercom/list.txt
127.0.0.1
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret_file $TEST_NGINX_SECRETS/good;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/intercom/list.txt max_age=3;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app\n"; }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid max_age "3", a time with its unit \("d" days, "h" hours\) such as "3d" or "off" is expected in \S+nginx\.conf:\d+/



=== TEST 14: max_age=3d: the file is used
--- user_files
>>> intercom/list.txt
127.0.0.1
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret_file $TEST_NGINX_SECRETS/good;
        intercom_webhook_allow_file $TEST_NGINX_SERVER_ROOT/html/intercom/list.txt max_age=3d;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app $http_x_intercom_topic\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- response_body
app conversation.user.created
--- no_error_log
[warn]
[emerg]
