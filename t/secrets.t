# Secrets (issue 2): inline or from files (trailing newline and white
# space trimmed, relative paths from the configuration's directory),
# several tried in turn (rotation), ids ("id=" or the 1-based position),
# inheritance http > server > location (a level with none inherits the
# whole list of its parent, a level with some replaces it); a secret
# never reaches the log.
#
# Accepted notifications go on by "try_files /nonexistent @app" to a
# location that shows what reached it: a "return" in the webhook
# location itself would answer before the module checks anything.

use Test::Nginx::Socket;
use FindBin ();
use lib "$FindBin::Bin/lib";
use IntercomWebhook;
use Digest::SHA ();

repeat_each(2);

# the checks of one round, block by block in file order ("n * c": n blocks
# of c checks each)
plan tests => repeat_each() * (8 + 6 + 9 + 4 + 6 + 3 + 3 + 4 + 6 + 3 + 3 + 6
    + 4);

run_tests();

__DATA__

=== TEST 1: several secrets: each one is accepted, its position is its id
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret first-secret;
        intercom_webhook_secret second-secret;
        intercom_webhook_secret third-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app $intercom_webhook_secret_id\n"; }
--- request eval
[map { "POST /hook\n" . ::event("contact.deleted") } 1 .. 4]
--- more_headers eval
[map { ::signed(::event("contact.deleted"), $_) }
     qw(first-secret second-secret third-secret fourth-secret)]
--- error_code eval
[202, 202, 202, 401]
--- response_body_like eval
["^app 1\n\\z", "^app 2\n\\z", "^app 3\n\\z", ::error_page(401)]



=== TEST 2: rotation with files and ids: the new and the old secret are both accepted
--- user_files eval
[["intercom/client_secret", "new-client-secret\n"],
 ["intercom/client_secret.old", "old-client-secret\n"]]
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret_file $TEST_NGINX_SERVER_ROOT/html/intercom/client_secret;
        intercom_webhook_secret_file $TEST_NGINX_SERVER_ROOT/html/intercom/client_secret.old id=old;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app $intercom_webhook_secret_id\n"; }
--- request eval
["POST /hook\n" . ::event("contact.deleted"), "POST /hook\n" . ::event("contact.deleted")]
--- more_headers eval
[::signed(::event("contact.deleted"), "old-client-secret"),
 ::signed(::event("contact.deleted"), "new-client-secret")]
--- error_code eval
[202, 202]
--- response_body eval
["app old\n", "app 1\n"]
--- no_error_log
[error]



=== TEST 3: ids: "id=" or the position in the list, across inline and file secrets
--- user_files eval
[["s3", "third"]]
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret first id=Key_1.a-b;
        intercom_webhook_secret second;
        intercom_webhook_secret_file $TEST_NGINX_SERVER_ROOT/html/s3;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app $intercom_webhook_secret_id\n"; }
--- request eval
[map { "POST /hook\n" . ::event("contact.deleted") } 1 .. 3]
--- more_headers eval
[map { ::signed(::event("contact.deleted"), $_) } qw(first second third)]
--- error_code eval
[202, 202, 202]
--- response_body eval
["app Key_1.a-b\n", "app 2\n", "app 3\n"]
--- no_error_log
[error]



=== TEST 4: a file's trailing newline is not part of the secret
--- user_files eval
[["secret", "file-secret\n"]]
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret_file $TEST_NGINX_SERVER_ROOT/html/secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app $intercom_webhook_secret_id\n"; }
--- request eval
["POST /hook\n" . ::event("contact.deleted"), "POST /hook\n" . ::event("contact.deleted")]
--- more_headers eval
[::signed(::event("contact.deleted"), "file-secret"),
 ::signed(::event("contact.deleted"), "file-secret\n")]
--- error_code eval
[202, 401]
--- response_body_like eval
["^app 1\n\\z", ::error_page(401)]



=== TEST 5: trailing white space (spaces, tabs, CR LF) is trimmed, leading and inner white space is kept
--- user_files eval
[["secret", "  inner secret \t \r\n\r\n"]]
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret_file $TEST_NGINX_SERVER_ROOT/html/secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app $intercom_webhook_secret_id\n"; }
--- request eval
[map { "POST /hook\n" . ::event("contact.deleted") } 1 .. 3]
--- more_headers eval
[::signed(::event("contact.deleted"), "  inner secret"),
 ::signed(::event("contact.deleted"), "inner secret"),
 ::signed(::event("contact.deleted"), "  inner secret \t")]
--- error_code eval
[202, 401, 401]
--- response_body_like eval
["^app 1\n\\z", ::error_page(401), ::error_page(401)]



=== TEST 6: a file without a trailing newline
--- user_files eval
[["secret", "exact"]]
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret_file $TEST_NGINX_SERVER_ROOT/html/secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app $intercom_webhook_secret_id\n"; }
--- request eval
"POST /hook\n" . ::event("contact.deleted")
--- more_headers eval
::signed(::event("contact.deleted"), "exact")
--- error_code: 202
--- response_body
app 1
--- no_error_log
[error]



=== TEST 7: a relative file name is taken from the configuration file's directory
--- user_files eval
[["relative-secret", "relative\n"]]
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret_file ../html/relative-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app $intercom_webhook_secret_id\n"; }
--- request eval
"POST /hook\n" . ::event("contact.deleted")
--- more_headers eval
::signed(::event("contact.deleted"), "relative")
--- error_code: 202
--- response_body
app 1
--- no_error_log
[error]



=== TEST 8: inheritance: a location without secrets uses the server's, the server's replace the http level's
--- http_config
    intercom_webhook_secret http-secret id=http;
--- config
    intercom_webhook_secret server-secret id=server;
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app $intercom_webhook_secret_id\n"; }
--- request eval
["POST /hook\n" . ::event("contact.deleted"), "POST /hook\n" . ::event("contact.deleted")]
--- more_headers eval
[::signed(::event("contact.deleted"), "server-secret"),
 ::signed(::event("contact.deleted"), "http-secret")]
--- error_code eval
[202, 401]
--- response_body_like eval
["^app server\n\\z", ::error_page(401)]



=== TEST 9: inheritance: from the http level when the server has none; a location's own secrets replace them
--- http_config
    intercom_webhook_secret http-secret id=http;
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_allow all;
    }
    location = /hook2 {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret location-secret id=loc;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app $uri $intercom_webhook_secret_id\n"; }
--- request eval
["POST /hook\n" . ::event("contact.deleted"),
 "POST /hook2\n" . ::event("contact.deleted"),
 "POST /hook2\n" . ::event("contact.deleted")]
--- more_headers eval
[::signed(::event("contact.deleted"), "http-secret"),
 ::signed(::event("contact.deleted"), "location-secret"),
 ::signed(::event("contact.deleted"), "http-secret")]
--- error_code eval
[202, 202, 401]
--- response_body_like eval
["^app /hook http\n\\z", "^app /hook2 loc\n\\z", ::error_page(401)]



=== TEST 10: an inline secret with spaces and quotes
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret "a secret with 'spaces' and \"quotes\"";
        intercom_webhook_allow all;
    }
    location @app { return 202 "app $intercom_webhook_secret_id\n"; }
--- request eval
"POST /hook\n" . ::event("contact.deleted")
--- more_headers eval
::signed(::event("contact.deleted"), q{a secret with 'spaces' and "quotes"})
--- error_code: 202
--- response_body
app 1
--- no_error_log
[error]



=== TEST 11: sixteen secrets, the last one matching
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret s01;
        intercom_webhook_secret s02;
        intercom_webhook_secret s03;
        intercom_webhook_secret s04;
        intercom_webhook_secret s05;
        intercom_webhook_secret s06;
        intercom_webhook_secret s07;
        intercom_webhook_secret s08;
        intercom_webhook_secret s09;
        intercom_webhook_secret s10;
        intercom_webhook_secret s11;
        intercom_webhook_secret s12;
        intercom_webhook_secret s13;
        intercom_webhook_secret s14;
        intercom_webhook_secret s15;
        intercom_webhook_secret s16;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app $intercom_webhook_secret_id\n"; }
--- request eval
"POST /hook\n" . ::event("contact.deleted")
--- more_headers eval
::signed(::event("contact.deleted"), "s16")
--- error_code: 202
--- response_body
app 16
--- no_error_log
[error]



=== TEST 12: no secret reaches the log, accepted or rejected, even at the debug level
--- user_files eval
[["secret", "Fi1e-Secret-Value\n"]]
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret Inl1ne-Secret-Value;
        intercom_webhook_secret_file $TEST_NGINX_SERVER_ROOT/html/secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app $intercom_webhook_secret_id\n"; }
--- request eval
["POST /hook\n" . ::event("contact.deleted"), "POST /hook\n" . ::event("contact.deleted")]
--- more_headers eval
[::signed(::event("contact.deleted"), "Fi1e-Secret-Value"),
 ::signed(::event("contact.deleted"), "Wrong-Secret-Value")]
--- error_code eval
[202, 401]
--- response_body_like eval
["^app 2\n\\z", ::error_page(401)]
--- no_error_log
Secret-Value
--- log_level: debug



=== TEST 13: a server-level secret that no location uses is harmless (a warning, not an error)
--- config
    intercom_webhook_secret unused;
    location = /other {
        return 200 "other\n";
    }
--- request
GET /other
--- error_code: 200
--- response_body
other
--- no_error_log
[error]
[emerg]
