# Sanity file for the test runner: exercises most supported sections with
# plain nginx configuration (no module needed).  It MUST pass with both the
# real Test::Nginx::Socket and the project's runner (util/runner).

use Test::Nginx::Socket;

repeat_each(2);

# Tests per repeat, block by block (see the comment on each block).
plan tests => repeat_each() * (5 + 2 + 4 + 2 + 2 + 4 + 4 + 4 + 2 + 2 + 2 + 3 + 2 + 2 + 2 + 3 + 3);

no_shuffle();
run_tests();

__DATA__

=== TEST 1: return, add_header, response_headers (incl. absent header)
# status + 2 headers + body + no_error_log = 5
--- config
    location = /t {
        add_header X-Test yes;
        return 200 "ok\n";
    }
--- request
GET /t
--- response_headers
X-Test: yes
!X-Missing
--- response_body
ok
--- no_error_log
[error]



=== TEST 2: more_headers and a request body (Content-Length added)
# status + body = 2
--- config
    location = /t {
        return 200 "$http_x_foo $content_length $request_method\n";
    }
--- more_headers
X-Foo: bar
--- request
POST /t
hello world
--- response_body
bar 11 POST



=== TEST 3: several requests from request eval, with arrays of expectations
# 2 x (status + body) = 4
--- config
    location = /t { return 200 "ok\n"; }
    location = /gone { return 410; }
--- request eval
["GET /t", "GET /gone"]
--- error_code eval
[200, 410]
--- response_body eval
["ok\n", qr/410 Gone/]



=== TEST 4: raw_request
# status + body = 2
--- config
    location = /t { return 200 "raw $server_protocol\n"; }
--- raw_request eval
"GET /t HTTP/1.0\r\nHost: localhost\r\n\r\n"
--- response_body
raw HTTP/1.0



=== TEST 5: raw_request as packets with a delay in between
# status + body = 2
--- config
    location = /t { return 200 "$http_x_split\n"; }
--- raw_request eval
["GET /t HTTP/1.0\r\nX-Sp", "lit: joined\r\n\r\n"]
--- raw_request_middle_delay: 0.05
--- response_body
joined



=== TEST 6: pipelined_requests
# 2 x (status + body) = 4
--- config
    location = /a { return 200 "a\n"; }
    location = /b { return 200 "b $http_connection\n"; }
--- pipelined_requests eval
["GET /a", "GET /b"]
--- error_code eval
[200, 200]
--- response_body eval
["a\n", "b close\n"]



=== TEST 7: proxy_pass to a fake upstream (tcp_listen), exact tcp_query
# status + body + tcp_query + no_error_log = 4
--- config
    location = /t {
        proxy_set_header Host upstream.test;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/up;
    }
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_query eval
"GET /up HTTP/1.0\r\nHost: upstream.test\r\nConnection: close\r\nX-Foo: bar\r\n\r\n"
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 9\r\n\r\nupstream\n"
--- more_headers
X-Foo: bar
--- request
GET /t
--- response_body
upstream
--- no_error_log
[error]



=== TEST 8: error_log from a 404 for a missing file (strings and qr//)
# status + body_like + 2 error_log patterns = 4
--- config
--- request
GET /nonexistent.html
--- error_code: 404
--- response_body_like: 404 Not Found
--- error_log eval
[qr/open\(\) ".*nonexistent\.html" failed/, "No such file or directory"]



=== TEST 9: grep_error_log
# status + grep_error_log_out = 2
--- config
    location = /other { return 204; }
--- request
GET /missing-too.html
--- error_code: 404
--- grep_error_log eval: qr/\[error\]/
--- grep_error_log_out
[error]



=== TEST 10: must_die with an invalid directive
# die + error_log = 2
--- config
    location = /t { return_bogus 200; }
--- request
GET /t
--- must_die
--- error_log
unknown directive "return_bogus"



=== TEST 11: user_files (secrets live in html/)
# status + body = 2
--- config
--- user_files
>>> keys/secret.txt
s3cr3t-value
>>> other.txt
other
--- request
GET /keys/secret.txt
--- response_body
s3cr3t-value



=== TEST 12: http_config, main_config and log_level
# status + body + no_error_log = 3
--- main_config
worker_rlimit_nofile 1024;
--- http_config
    map $uri $mapped {
        default "mapped";
    }
--- config
    location = /t { return 200 "$mapped\n"; }
--- log_level: warn
--- request
GET /t
--- response_body
mapped
--- no_error_log
[debug]



=== TEST 13: response_body_like, timeout and wait
# status + body = 2
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- timeout: 2
--- wait: 0.1
--- response_body_like: ^ok$



=== TEST 14: $TEST_NGINX_SERVER_PORT and $TEST_NGINX_SERVER_ROOT expansion
# status + body = 2
--- config
    location = /t {
        return 200 "port $TEST_NGINX_SERVER_PORT\n";
    }
    location = /root {
        alias $TEST_NGINX_SERVER_ROOT/html/index.html;
    }
--- request
GET /t
--- response_body
port $TEST_NGINX_SERVER_PORT



=== TEST 15: HEAD request and more_headers eval
# status + body = 2
--- config
    location = /t {
        add_header X-Got $http_x_a;
        return 200 "ok\n";
    }
--- more_headers eval
"X-A: b"
--- request
HEAD /t
--- response_body:



=== TEST 16: tcp_no_close upstream and tcp_query_len
# status + body + tcp_query_len = 3
--- config
    location = /t {
        proxy_set_header Host up;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_2/x;
    }
--- tcp_listen: $TEST_NGINX_RAND_PORT_2
--- tcp_query_len: 48
--- tcp_no_close
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nkept\n"
--- request
GET /t
--- response_body
kept



=== TEST 17: chunked response (upstream without Content-Length)
# status + raw headers + body = 3
--- config
    location = /t {
        proxy_set_header Host up;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RAND_PORT_1/c;
    }
--- tcp_listen: $TEST_NGINX_RAND_PORT_1
--- tcp_reply eval
"HTTP/1.0 200 OK\r\n\r\nchunked body\n"
--- request
GET /t
--- raw_response_headers_like: Transfer-Encoding: chunked
--- response_body
chunked body
