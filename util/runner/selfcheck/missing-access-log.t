# MUST FAIL: no access log line matches --- access_log.
use Test::Nginx::Socket;

repeat_each(1);
plan tests => repeat_each() * (blocks() * 3);
run_tests();

__DATA__

=== TEST 1: "GET /t 200" logged, "GET /t 404" expected
--- config
    location = /t {
        access_log $TEST_NGINX_SERVER_ROOT/logs/access.log;
        return 200 "ok\n";
    }
--- request
GET /t
--- response_body
ok
--- access_log
"GET /t HTTP/1.1" 404
