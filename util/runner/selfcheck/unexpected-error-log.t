# MUST FAIL: an error-log line matched by --- no_error_log.
use Test::Nginx::Socket;

repeat_each(1);
plan tests => repeat_each() * (blocks() * 2);
run_tests();

__DATA__

=== TEST 1: a missing file logs an [error] line
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /no-such-file.html
--- error_code: 404
--- no_error_log
[error]
