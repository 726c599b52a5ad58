# MUST FAIL: a --- must_die block whose nginx starts fine.
use Test::Nginx::Socket;

repeat_each(1);
plan tests => repeat_each() * blocks();
run_tests();

__DATA__

=== TEST 1: a perfectly valid configuration
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- must_die
