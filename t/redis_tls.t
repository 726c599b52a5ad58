# The Redis client over TLS (issue 17), against a redis-server of the
# test's own with a TLS port, a password and a database: certificates of
# a CA of the test's own (openssl).  De-duplication through it works (the
# key is in the database SELECTed, the password never in the log); a
# certificate that does not verify (a name not the certificate's, or no
# client certificate where Redis asks for one) is a failed connection:
# the notification is passed on, and nothing reaches Redis.  (How Redis's
# refusal of a missing client certificate shows, an alert or the end of
# the connection, depends on timing: it is not matched in the log.)

use Test::Nginx::Socket;
use FindBin ();
use lib "$FindBin::Bin/lib";
use IntercomWebhook;
use File::Temp ();

our $Tls;

BEGIN {
    require IntercomRedis;

    $Tls = File::Temp::tempdir('intercom-tls-XXXXXX', TMPDIR => 1,
                               CLEANUP => 1);

    my $ssl = "openssl req -newkey rsa:2048 -nodes -days 1";

    for my $cmd (
        "$ssl -x509 -keyout $Tls/ca.key -out $Tls/ca.crt -subj /CN=test-ca",
        "$ssl -keyout $Tls/srv.key -out $Tls/srv.csr -subj /CN=redis.test",
        "printf 'subjectAltName=DNS:redis.test\\n' > $Tls/ext",
        "openssl x509 -req -in $Tls/srv.csr -CA $Tls/ca.crt"
        . " -CAkey $Tls/ca.key -CAcreateserial -days 1"
        . " -extfile $Tls/ext -out $Tls/srv.crt",
        "$ssl -keyout $Tls/cli.key -out $Tls/cli.csr -subj /CN=nginx",
        "openssl x509 -req -in $Tls/cli.csr -CA $Tls/ca.crt"
        . " -CAkey $Tls/ca.key -CAcreateserial -days 1 -out $Tls/cli.crt")
    {
        system("($cmd) > /dev/null 2>&1") == 0
            or die "redis_tls.t: \"$cmd\" failed\n";
    }

    my $port = IntercomRedis::free_port();

    $ENV{TEST_NGINX_REDIS_TLS_PORT} = $port;
    $ENV{TEST_NGINX_TLS_DIR} = $Tls;

    $IntercomRedis::Password = 'redis-pw-s3cr3t';
    @IntercomRedis::Args = ('--tls-port', $port,
                            '--tls-cert-file', "$Tls/srv.crt",
                            '--tls-key-file', "$Tls/srv.key",
                            '--tls-ca-cert-file', "$Tls/ca.crt",
                            '--requirepass', 'redis-pw-s3cr3t');

    IntercomRedis->import;
}

repeat_each(1);

# per request: status, body, and each log pattern; the keys afterwards
plan tests => repeat_each() * (2 * (2 + 2) + 2 * (2 + 1) + 2 * 2) + 3;

our $HttpConfig = <<'_EOC_';
    upstream tls_ok {
        server 127.0.0.1:$TEST_NGINX_REDIS_TLS_PORT;
    }
    upstream tls_name {
        server 127.0.0.1:$TEST_NGINX_REDIS_TLS_PORT;
    }
    upstream tls_nocert {
        server 127.0.0.1:$TEST_NGINX_REDIS_TLS_PORT;
    }
    intercom_webhook_redis tls_ok
        password_file=$TEST_NGINX_SERVER_ROOT/html/redis-pw db=5
        tls tls_trusted_certificate=$TEST_NGINX_TLS_DIR/ca.crt
        tls_name=redis.test
        tls_certificate=$TEST_NGINX_TLS_DIR/cli.crt
        tls_certificate_key=$TEST_NGINX_TLS_DIR/cli.key;
    intercom_webhook_redis tls_name
        password_file=$TEST_NGINX_SERVER_ROOT/html/redis-pw
        tls tls_trusted_certificate=$TEST_NGINX_TLS_DIR/ca.crt
        tls_name=other.test
        tls_certificate=$TEST_NGINX_TLS_DIR/cli.crt
        tls_certificate_key=$TEST_NGINX_TLS_DIR/cli.key;
    intercom_webhook_redis tls_nocert
        password_file=$TEST_NGINX_SERVER_ROOT/html/redis-pw
        tls tls_trusted_certificate=$TEST_NGINX_TLS_DIR/ca.crt
        tls_name=redis.test;
_EOC_

our $Config = <<'_EOC_';
    intercom_webhook_secret it-secret;
    intercom_webhook_allow all;

    location = /ok {
        intercom_webhook on;
        intercom_webhook_dedup redis=tls_ok;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /name {
        intercom_webhook on;
        intercom_webhook_dedup redis=tls_name;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /nocert {
        intercom_webhook on;
        intercom_webhook_dedup redis=tls_nocert;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/app;
    }
    location = /app { return 200 "app\n"; }
_EOC_

our $UserFiles = [["redis-pw", "redis-pw-s3cr3t\n"]];

sub ::ev {
    my ($id) = @_;
    return ::event("conversation.user.created", id => qq{"$id"},
                   app_id => qq{"tlsapp"});
}

run_tests();

# the key is in database 5, marked delivered ("d")

is(::redis('EVAL', "redis.call('SELECT', 5) "
                   . "return redis.call('GET', KEYS[1])", 1,
           ::redis_key("tlsapp", "tls-once")),
   'd', 'the key of TEST 1 is in database 5, delivered');

# no connection, no claim: what a failed TLS connection asked is nothing

for my $id ("tls-name", "tls-nocert") {
    is(::redis('EXISTS', ::redis_key("tlsapp", $id)), 0,
       "no key of \"$id\": nothing reached Redis");
}

__DATA__

=== TEST 1: TLS, AUTH and SELECT: the same notification twice, passed on once
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- user_files eval: $::UserFiles
--- request eval
["POST /ok\n" . ::ev("tls-once"), "POST /ok\n" . ::ev("tls-once")]
--- more_headers eval
[::signed(::ev("tls-once")), ::signed(::ev("tls-once"))]
--- error_code eval
[200, 200]
--- response_body eval
["app\n", ""]
--- no_error_log eval
[qr/\[(error|alert|crit)\]/, "redis-pw-s3cr3t"]



=== TEST 2: a certificate not of the name: no connection, each copy passed on
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- user_files eval: $::UserFiles
--- request eval
["POST /name\n" . ::ev("tls-name"), "POST /name\n" . ::ev("tls-name")]
--- more_headers eval
[::signed(::ev("tls-name")), ::signed(::ev("tls-name"))]
--- error_code eval
[200, 200]
--- response_body eval
["app\n", "app\n"]
--- error_log eval
qr/\[error\] .*intercom webhook: Redis TLS certificate does not match "other\.test" while talking to Redis, redis: "tls_name", server: 127\.0\.0\.1:\d+/



=== TEST 3: no client certificate where Redis asks for one: each copy passed on
--- http_config eval: $::HttpConfig
--- config eval: $::Config
--- user_files eval: $::UserFiles
--- request eval
["POST /nocert\n" . ::ev("tls-nocert"), "POST /nocert\n" . ::ev("tls-nocert")]
--- more_headers eval
[::signed(::ev("tls-nocert")), ::signed(::ev("tls-nocert"))]
--- error_code eval
[200, 200]
--- response_body eval
["app\n", "app\n"]
