# MUST FAIL: a misspelt section name ("respons_body").  The real
# Test::Nginx ignores unknown sections, so there the plan (which counts the
# body check) catches it; the project's runner reports the section itself.
use Test::Nginx::Socket;

repeat_each(1);
plan tests => repeat_each() * (blocks() * 2);
run_tests();

__DATA__

=== TEST 1: typo in a section name
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t
--- respons_body
something else
