# intercom_webhook_redis (issue 17): its configuration errors, with the
# file and line; a password file readable by others warns; nginx starts
# without Redis being up; "tls" needs a trusted certificate unless told
# not to verify.  What Redis does for a request is shown by the suites of
# the directives that use it.

use Test::Nginx::Socket;

repeat_each(1);

plan tests => repeat_each() * (2 * 12 + 3 + 1);

run_tests();

__DATA__

=== TEST 1: an upstream name without an upstream block
--- http_config
    intercom_webhook_redis nosuch;
--- config
    location = /t { return 200; }
--- request
GET /t
--- must_die
--- error_log eval
qr/\[emerg\] .*no "upstream nosuch" block for "intercom_webhook_redis" in \S+nginx\.conf:\d+/



=== TEST 2: declared twice
--- http_config
    upstream r { server 127.0.0.1:1; }
    intercom_webhook_redis r;
    intercom_webhook_redis r timeout=1s;
--- config
    location = /t { return 200; }
--- request
GET /t
--- must_die
--- error_log eval
qr/\[emerg\] .*duplicate "intercom_webhook_redis" for upstream "r", first in \S+nginx\.conf:\d+ in \S+nginx\.conf:\d+/



=== TEST 3: an unknown parameter lists the parameters
--- http_config
    upstream r { server 127.0.0.1:1; }
    intercom_webhook_redis r pasword_file=/x;
--- config
    location = /t { return 200; }
--- request
GET /t
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid parameter "pasword_file=\/x", "password_file=", "user=", "db=", "timeout=", "connect_timeout=", "keepalive=" or "tls" and its "tls_\*=" parameters are expected in \S+nginx\.conf:\d+/



=== TEST 4: a bad time, database number, keepalive
--- http_config
    upstream r { server 127.0.0.1:1; }
    intercom_webhook_redis r db=x timeout=0 keepalive=-1;
--- config
    location = /t { return 200; }
--- request
GET /t
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid parameter "db=x" in \S+nginx\.conf:\d+/



=== TEST 5: user= needs a password file
--- http_config
    upstream r { server 127.0.0.1:1; }
    intercom_webhook_redis r user=nginx;
--- config
    location = /t { return 200; }
--- request
GET /t
--- must_die
--- error_log eval
qr/\[emerg\] .*"user=" needs "password_file=" in \S+nginx\.conf:\d+/



=== TEST 6: a password file that cannot be read
--- http_config
    upstream r { server 127.0.0.1:1; }
    intercom_webhook_redis r password_file=$TEST_NGINX_SERVER_ROOT/html/none;
--- config
    location = /t { return 200; }
--- request
GET /t
--- must_die
--- error_log eval
qr/\[emerg\] .*open\(\) "\S+\/html\/none" failed \(2: No such file or directory\) in \S+nginx\.conf:\d+/



=== TEST 7: an empty password file
--- user_files eval
[["empty", "\n"]]
--- http_config
    upstream r { server 127.0.0.1:1; }
    intercom_webhook_redis r password_file=$TEST_NGINX_SERVER_ROOT/html/empty;
--- config
    location = /t { return 200; }
--- request
GET /t
--- must_die
--- error_log eval
qr/\[emerg\] .*Redis password file "\S+\/html\/empty" is empty in \S+nginx\.conf:\d+/



=== TEST 8: a password file readable by others warns, and never shows the password
--- user_files eval
[["redis-password", "s3cr3t-redis-pw\n"]]
--- http_config
    upstream r { server 127.0.0.1:1; }
    intercom_webhook_redis r user=nginx password_file=$TEST_NGINX_SERVER_ROOT/html/redis-password;
--- config
    location = /t { return 200; }
--- post_main_config
    no_such_directive_after_http;
--- request
GET /t
--- must_die
--- error_log eval
[
qr/\[warn\] .*Redis password file "\S+\/html\/redis-password" is readable by group or others in \S+nginx\.conf:\d+/,
'unknown directive "no_such_directive_after_http"',
]
--- no_error_log
s3cr3t-redis-pw



=== TEST 9: "tls" without a trusted certificate
--- http_config
    upstream r { server 127.0.0.1:1; }
    intercom_webhook_redis r tls;
--- config
    location = /t { return 200; }
--- request
GET /t
--- must_die
--- error_log eval
qr/\[emerg\] .*"tls" verifies the server's certificate with "tls_trusted_certificate=file", which is missing \("tls_verify=off" does not verify\) in \S+nginx\.conf:\d+/



=== TEST 10: tls_* parameters without "tls"
--- http_config
    upstream r { server 127.0.0.1:1; }
    intercom_webhook_redis r tls_verify=off;
--- config
    location = /t { return 200; }
--- request
GET /t
--- must_die
--- error_log eval
qr/\[emerg\] .*the "tls_\*=" parameters need "tls" in \S+nginx\.conf:\d+/



=== TEST 11: a client certificate without its key
--- http_config
    upstream r { server 127.0.0.1:1; }
    intercom_webhook_redis r tls tls_verify=off tls_certificate=/x.crt;
--- config
    location = /t { return 200; }
--- request
GET /t
--- must_die
--- error_log eval
qr/\[emerg\] .*"tls_certificate=" and "tls_certificate_key=" go together in \S+nginx\.conf:\d+/



=== TEST 12: the upstream block may come later; nginx starts with Redis down
--- http_config
    intercom_webhook_redis later password_file=$TEST_NGINX_SERVER_ROOT/html/pw
                           db=3 timeout=200ms connect_timeout=100ms
                           keepalive=0 tls tls_verify=off tls_name=redis.test;
    upstream later {
        server 127.0.0.1:1;
        server 127.0.0.1:2 backup;
    }
--- user_files eval
[["pw", "s3cr3t-redis-pw"]]
--- config
    location = /t { return 200 "up\n"; }
--- request
GET /t
--- response_body
up
--- no_error_log eval
[qr/\[(emerg|alert|crit)\]/, 's3cr3t-redis-pw']
