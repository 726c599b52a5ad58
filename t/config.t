# Configuration errors (issue 2): nginx refuses to start, with one emerg
# line naming the problem, for a webhook location without a secret, an
# empty secret or secret file, a file it cannot read, a duplicate or
# invalid secret id, an invalid allowlist entry, topic pattern, header
# name or payload path, a reserved header, a repeated directive, and a bad
# value for intercom_webhook, intercom_webhook_log_level or
# intercom_webhook_ping.

use Test::Nginx::Socket;

repeat_each(2);

# the checks of one round, block by block in file order ("n * c": n blocks
# of c checks each)
plan tests => repeat_each() * (41 * 2 + 4);

run_tests();

__DATA__

=== TEST 1: intercom_webhook without any secret
--- config
    location = /hook {
        intercom_webhook on;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*no "intercom_webhook_secret" or "intercom_webhook_secret_file" is defined for "intercom_webhook on" in \S+nginx\.conf:\d+/



=== TEST 2: an empty inline secret
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret "";
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*empty or blank secret in "intercom_webhook_secret" in \S+nginx\.conf:\d+/



=== TEST 3: an empty secret file (white space only)
--- user_files eval
[["empty", " \t\r\n\n"]]
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret_file $TEST_NGINX_SERVER_ROOT/html/empty;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*empty secret in "\S+\/html\/empty" in \S+nginx\.conf:\d+/



=== TEST 4: a secret file of zero bytes
--- user_files eval
[["zero", ""]]
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret_file $TEST_NGINX_SERVER_ROOT/html/zero;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*empty secret in "\S+\/html\/zero" in \S+nginx\.conf:\d+/



=== TEST 5: a missing secret file
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret_file $TEST_NGINX_SERVER_ROOT/html/nonexistent;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*open\(\) "\S+\/html\/nonexistent" failed \(2: No such file or directory\) in \S+nginx\.conf:\d+/



=== TEST 6: an unreadable secret file (a directory)
--- user_files eval
[["dir/placeholder", "x"]]
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret_file $TEST_NGINX_SERVER_ROOT/html/dir;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*read\(\) "\S+\/html\/dir" failed \(21: Is a directory\) in \S+nginx\.conf:\d+/



=== TEST 7: a secret file over 4096 bytes
--- user_files eval
[["big", "x" x 5000]]
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret_file $TEST_NGINX_SERVER_ROOT/html/big;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*secret file "\S+\/html\/big" is too large, a secret of at most 4096 bytes is expected in \S+nginx\.conf:\d+/



=== TEST 8: an empty secret file name
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret_file "";
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*empty secret file name in \S+nginx\.conf:\d+/



=== TEST 9: a duplicate secret id
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret one id=old;
        intercom_webhook_secret two id=old;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*duplicate secret id "old" in \S+nginx\.conf:\d+/



=== TEST 10: an id= that repeats a default id
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret one id=2;
        intercom_webhook_secret two;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*duplicate secret id "2" in \S+nginx\.conf:\d+/



=== TEST 11: an invalid secret id
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret one id=a/b;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid secret id "a\/b", only letters, digits, "_", "-" and "\." are allowed in \S+nginx\.conf:\d+/



=== TEST 12: an empty secret id
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret one id=;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid parameter "id=", "id=name" is expected in \S+nginx\.conf:\d+/



=== TEST 13: a second parameter that is not id= is not shown: it may be the secret
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret one name=x;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid second parameter, "id=name" is expected in \S+nginx\.conf:\d+/



=== TEST 14: a secret id over 64 characters
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret one id=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*secret id "a{65}" is too long in \S+nginx\.conf:\d+/



=== TEST 15: seventeen secrets
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret s01;
        intercom_webhook_secret s02;
        intercom_webhook_secret s03;
        intercom_webhook_secret s04;
        intercom_webhook_secret s05;
        intercom_webhook_secret s06;
        intercom_webhook_secret s07;
        intercom_webhook_secret s08;
        intercom_webhook_secret s09;
        intercom_webhook_secret s10;
        intercom_webhook_secret s11;
        intercom_webhook_secret s12;
        intercom_webhook_secret s13;
        intercom_webhook_secret s14;
        intercom_webhook_secret s15;
        intercom_webhook_secret s16;
        intercom_webhook_secret s17;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*too many secrets, at most 16 are supported in \S+nginx\.conf:\d+/



=== TEST 16: an invalid allowlist preset
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret s;
        intercom_webhook_allow intercom_ap;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid parameter "intercom_ap", an address, a CIDR block, "intercom", "intercom_us", "intercom_eu", "intercom_au" or "all" is expected in \S+nginx\.conf:\d+/



=== TEST 17: an invalid allowlist address
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret s;
        intercom_webhook_allow 300.1.1.1;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid parameter "300\.1\.1\.1", an address, a CIDR block, "intercom", "intercom_us", "intercom_eu", "intercom_au" or "all" is expected in \S+nginx\.conf:\d+/



=== TEST 18: an invalid allowlist CIDR block
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret s;
        intercom_webhook_allow 10.0.0.0/33;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid parameter "10\.0\.0\.0\/33", an address, a CIDR block, "intercom", "intercom_us", "intercom_eu", "intercom_au" or "all" is expected in \S+nginx\.conf:\d+/



=== TEST 19: an invalid topic pattern: a space
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret s;
        intercom_webhook_topics contact.* "conversation user.*";
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid topic pattern "conversation user\.\*", a topic, "prefix\.\*" or "\*" is expected in \S+nginx\.conf:\d+/



=== TEST 20: an invalid topic pattern: a wildcard not after a dot
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret s;
        intercom_webhook_topics conversation*;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid topic pattern "conversation\*", a topic, "prefix\.\*" or "\*" is expected in \S+nginx\.conf:\d+/



=== TEST 21: an invalid topic pattern: a wildcard in front
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret s;
        intercom_webhook_topics *.created;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid topic pattern "\*\.created", a topic, "prefix\.\*" or "\*" is expected in \S+nginx\.conf:\d+/



=== TEST 22: an invalid topic pattern: a wildcard inside
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret s;
        intercom_webhook_topics conversation.*.created;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid topic pattern "conversation\.\*\.created", a topic, "prefix\.\*" or "\*" is expected in \S+nginx\.conf:\d+/



=== TEST 23: an invalid topic pattern: not ASCII
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret s;
        intercom_webhook_topics conversation.café;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid topic pattern "conversation\.caf\xc3\xa9", a topic, "prefix\.\*" or "\*" is expected in \S+nginx\.conf:\d+/



=== TEST 24: an invalid header name
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret s;
        intercom_webhook_header X_Topic topic;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid header name "X_Topic" in \S+nginx\.conf:\d+/



=== TEST 25: an invalid header name with a colon
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret s;
        intercom_webhook_header X-Topic: topic;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid header name "X-Topic:" in \S+nginx\.conf:\d+/



=== TEST 26: a reserved header: Host
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret s;
        intercom_webhook_header Host app_id;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*header "Host" cannot be set by "intercom_webhook_header" in \S+nginx\.conf:\d+/



=== TEST 27: a reserved header: X-Hub-Signature, in any case
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret s;
        intercom_webhook_header x-hub-signature id;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*header "x-hub-signature" cannot be set by "intercom_webhook_header" in \S+nginx\.conf:\d+/



=== TEST 28: a reserved header: Content-Length
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret s;
        intercom_webhook_header Content-Length delivery_attempts;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*header "Content-Length" cannot be set by "intercom_webhook_header" in \S+nginx\.conf:\d+/



=== TEST 29: a reserved header: Cookie
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret s;
        intercom_webhook_header Cookie id;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*header "Cookie" cannot be set by "intercom_webhook_header" in \S+nginx\.conf:\d+/



=== TEST 30: a header configured twice at one level
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret s;
        intercom_webhook_header X-A id;
        intercom_webhook_header x-a topic;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*duplicate header "x-a" in \S+nginx\.conf:\d+/



=== TEST 31: an invalid payload path: an empty key
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret s;
        intercom_webhook_header X-A data..id;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid payload path "data\.\.id" in \S+nginx\.conf:\d+/



=== TEST 32: an invalid payload path: a leading dot
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret s;
        intercom_webhook_header X-A .id;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid payload path "\.id" in \S+nginx\.conf:\d+/



=== TEST 33: an invalid payload path: a trailing dot
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret s;
        intercom_webhook_header X-A data.;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid payload path "data\." in \S+nginx\.conf:\d+/



=== TEST 34: an invalid payload path: nine keys
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret s;
        intercom_webhook_header X-A a.b.c.d.e.f.g.h.i;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid payload path "a\.b\.c\.d\.e\.f\.g\.h\.i" in \S+nginx\.conf:\d+/



=== TEST 35: an invalid payload path: a key over 64 bytes
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret s;
        intercom_webhook_header X-A data.kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid payload path "data\.k{65}" in \S+nginx\.conf:\d+/



=== TEST 36: a value other than "on" or "off"
--- config
    location = /hook {
        intercom_webhook app;
        intercom_webhook_secret s;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid parameter "app", "on" or "off" is expected in \S+nginx\.conf:\d+/



=== TEST 37: intercom_webhook twice in a location
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook on;
        intercom_webhook_secret s;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*"intercom_webhook" directive is duplicate in \S+nginx\.conf:\d+/



=== TEST 38: intercom_webhook_topics twice at one level
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret s;
        intercom_webhook_topics contact.*;
        intercom_webhook_topics ticket.*;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*"intercom_webhook_topics" directive is duplicate in \S+nginx\.conf:\d+/



=== TEST 39: a bad intercom_webhook_log_level
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret s;
        intercom_webhook_log_level debug;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid value "debug" in \S+nginx\.conf:\d+/



=== TEST 40: a bad intercom_webhook_ping
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret s;
        intercom_webhook_ping ignore;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid value "ignore" in \S+nginx\.conf:\d+/



=== TEST 41: intercom_webhook is not allowed at the server level
--- config
    intercom_webhook on;
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*"intercom_webhook" directive is not allowed here in \S+nginx\.conf:\d+/



=== TEST 42: the control: a valid configuration with every directive starts
--- user_files eval
[["secret", "file-secret\n"]]
--- http_config
    intercom_webhook_secret http-secret;
    intercom_webhook_allow intercom;
    intercom_webhook_topics *;
    intercom_webhook_ping respond;
    intercom_webhook_header X-Item-Name data.item.name;
    intercom_webhook_log_level notice;
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret_file $TEST_NGINX_SERVER_ROOT/html/secret id=file;
        intercom_webhook_secret inline id=inline;
        intercom_webhook_allow intercom_us;
        intercom_webhook_allow intercom_eu;
        intercom_webhook_allow intercom_au;
        intercom_webhook_allow 127.0.0.1;
        intercom_webhook_allow 10.0.0.0/8;
        intercom_webhook_allow ::1;
        intercom_webhook_allow 2001:db8::/32;
        intercom_webhook_allow all;
        intercom_webhook_topics conversation.* contact.user.created *;
        intercom_webhook_ping forward;
        intercom_webhook_header X-Intercom-Item-Id off;
        intercom_webhook_header X-User-Email data.item.user.email;
        intercom_webhook_log_level warn;
    }
    location @app { return 202 "app\n"; }
--- request
GET /hook
--- error_code: 405
--- response_headers
Allow: POST, HEAD
--- no_error_log
[emerg]
[alert]
