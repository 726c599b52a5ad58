# MUST FAIL: the response status differs from --- error_code.
use Test::Nginx::Socket;

repeat_each(1);
plan tests => repeat_each() * (blocks() * 2);
run_tests();

__DATA__

=== TEST 1: 404 returned, 200 expected
--- config
    location = /t { return 404 "nope\n"; }
--- request
GET /t
--- error_code: 200
--- response_body
nope
