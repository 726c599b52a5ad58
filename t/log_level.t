# intercom_webhook_log_level (issue 2): the level of the line a rejection
# writes (error by default; info, notice, warn), inherited from the http
# and server levels; an ignored topic is always an info line.
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
plan tests => repeat_each() * (3 + 3 * 4 + 3 + 27 + 3 * 4 + 3 + 4);

run_tests();

__DATA__

=== TEST 1: the default is error
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("contact.deleted")
--- more_headers eval
::signed(::event("contact.deleted"), "wrong")
--- error_code: 401
--- response_body_like eval: ::error_page(401)
--- error_log eval
::logged('error', 'signature mismatch')



=== TEST 2: info
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_log_level info;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("contact.deleted")
--- more_headers eval
::signed(::event("contact.deleted"), "wrong")
--- error_code: 401
--- response_body_like eval: ::error_page(401)
--- error_log eval
::logged('info', 'signature mismatch')
--- no_error_log eval
qr/\[(?:error|warn|notice)\] .*intercom webhook/



=== TEST 3: notice
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_log_level notice;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("contact.deleted")
--- error_code: 401
--- response_body_like eval: ::error_page(401)
--- error_log eval
::logged('notice', 'no "X-Hub-Signature" header')
--- no_error_log eval
qr/\[(?:error|warn)\] .*intercom webhook/



=== TEST 4: warn
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_log_level warn;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("contact.deleted")
--- more_headers eval
::signed(::event("contact.deleted"))
--- error_code: 403
--- response_body_like eval: ::error_page(403)
--- error_log eval
::logged('warn', 'client 127.0.0.1 is not in the allowlist')
--- no_error_log
[error]



=== TEST 5: explicit error
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_log_level error;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("contact deleted")
--- more_headers eval
::signed(::event("contact deleted"))
--- error_code: 400
--- response_body_like eval: ::error_page(400)
--- error_log eval
::logged('error', 'invalid payload: invalid "topic"')



=== TEST 6: every kind of rejection follows the level (info)
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow 127.0.0.1;
        intercom_webhook_log_level info;
    }
    location = /denied {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_log_level info;
    }
    location @app { return 202 "app\n"; }
--- request eval
["GET /hook",
 "POST /denied\n" . ::event("contact.deleted"),
 "POST /hook\n" . ::event("contact.deleted"),
 "POST /hook\n" . ::event("contact.deleted"),
 "POST /hook\n" . ::event("contact.deleted"),
 "POST /hook\n" . ::event("contact.deleted"),
 "POST /hook\n" . "[]",
 "POST /hook\n" . ::event("contact.deleted", type => '"x"'),
 "POST /hook\n" . ::event(undef)]
--- more_headers eval
["",
 ::signed(::event("contact.deleted")),
 "",
 "X-Hub-Signature: sha1=00",
 ::signed(::event("contact.deleted")) . "\n" . ::signed(::event("contact.deleted")),
 ::signed(::event("contact.deleted"), "wrong"),
 ::signed("[]"),
 ::signed(::event("contact.deleted", type => '"x"')),
 ::signed(::event(undef))]
--- error_code eval
[405, 403, 401, 401, 401, 401, 400, 400, 400]
--- response_body_like eval
[::error_page(405), ::error_page(403), ::error_page(401),
 ::error_page(401), ::error_page(401),
 ::error_page(401), ::error_page(400), ::error_page(400),
 ::error_page(400)]
--- grep_error_log eval: qr/\[(?:error|warn|notice|info)\] .*?intercom webhook: /
--- grep_error_log_out eval
[map { qr/^\[info\] \d+#\d+: \*\d+ intercom webhook: \n\z/ } 1 .. 9]



=== TEST 7: the level is inherited from the http and server levels
--- http_config
    intercom_webhook_log_level warn;
--- config
    intercom_webhook_log_level notice;
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("contact.deleted")
--- error_code: 401
--- response_body_like eval: ::error_page(401)
--- error_log eval
::logged('notice', 'no "X-Hub-Signature" header')
--- no_error_log eval
qr/\[(?:error|warn)\] .*intercom webhook/



=== TEST 8: the http level alone
--- http_config
    intercom_webhook_log_level warn;
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("contact.deleted")
--- error_code: 401
--- response_body_like eval: ::error_page(401)
--- error_log eval
::logged('warn', 'no "X-Hub-Signature" header')
--- no_error_log
[error]



=== TEST 9: an ignored topic is an info line whatever the level
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_topics ticket.*;
        intercom_webhook_log_level error;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("contact.deleted")
--- more_headers eval
::signed(::event("contact.deleted"))
--- error_code: 200
--- response_body
--- error_log eval
::logged('info', 'topic "contact.deleted" ignored')
--- no_error_log eval
qr/\[(?:error|warn)\] .*intercom webhook/



=== TEST 10: an accepted notification writes no line above debug
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_log_level info;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("contact.deleted")
--- more_headers eval
::signed(::event("contact.deleted"))
--- error_code: 202
--- response_body
app
--- grep_error_log eval: qr/\[(?:error|warn|notice|info)\] .*?intercom webhook: /
--- grep_error_log_out



=== TEST 11: at the debug level, an accepted notification writes the module's debug lines
--- skip_eval: 4: ::no_debug()
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("contact.deleted")
--- more_headers eval
::signed(::event("contact.deleted"))
--- error_code: 202
--- response_body
app
--- error_log eval
[qr/\[debug\] \d+#\d+: \*\d+ intercom webhook: signature verified, secret "1"$/m,
 qr/\[debug\] \d+#\d+: \*\d+ intercom webhook: passed on$/m]
--- log_level: debug
