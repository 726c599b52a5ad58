# MUST FAIL: the response body differs from --- response_body.
use Test::Nginx::Socket;

repeat_each(1);
plan tests => repeat_each() * (blocks() * 2);
run_tests();

__DATA__

=== TEST 1: "ok" returned, "OK" expected
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- response_body
OK
