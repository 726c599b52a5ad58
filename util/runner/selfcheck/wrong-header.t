# MUST FAIL: a header that must be absent ("!X-Test") is present.
use Test::Nginx::Socket;

repeat_each(1);
plan tests => repeat_each() * (blocks() * 2);
run_tests();

__DATA__

=== TEST 1: X-Test is sent
--- config
    location = /t {
        add_header X-Test yes;
        return 200 "ok\n";
    }
--- request
GET /t
--- response_headers
!X-Test
