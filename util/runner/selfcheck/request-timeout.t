# MUST FAIL: the upstream never answers, the client times out (--- timeout).
# Also checks that the runner does not hang.
use Test::Nginx::Socket;

repeat_each(1);
plan tests => repeat_each() * (blocks() * 2);
run_tests();

__DATA__

=== TEST 1: silent upstream that keeps the connection open
--- config
    location = /t {
        proxy_read_timeout 5s;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/up;
    }
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval: ""
--- tcp_no_close
--- request
GET /t
--- timeout: 1
--- response_body
never
