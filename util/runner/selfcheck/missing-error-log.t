# MUST FAIL: a --- error_log pattern that no error-log line matches.
use Test::Nginx::Socket;

repeat_each(1);
plan tests => repeat_each() * (blocks() * 2);
run_tests();

__DATA__

=== TEST 1: nothing logs this
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- error_log
this line is never logged by nginx
