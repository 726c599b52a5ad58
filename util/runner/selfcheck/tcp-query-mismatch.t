# MUST FAIL: the fake upstream receives something else than --- tcp_query.
use Test::Nginx::Socket;

repeat_each(1);
plan tests => repeat_each() * (blocks() * 3);
run_tests();

__DATA__

=== TEST 1: proxy sends HTTP/1.0 with its own Host, not this
--- config
    location = /t {
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/up;
    }
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_query eval
"GET /up HTTP/1.1\r\nHost: wrong\r\n\r\n"
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- request
GET /t
--- response_body
ok
