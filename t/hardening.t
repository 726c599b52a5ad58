# Hardening (issue 7): blank secrets, secrets never printed in
# configuration errors, client headers that differ from the module's only
# by "_" for "-", several signatures spelled so; subrequests (mirror,
# auth_request) are never verified themselves: a mirror's copy of a
# verified notification goes on, any other subrequest to a webhook
# location is refused.

use Test::Nginx::Socket;
use FindBin ();
use lib "$FindBin::Bin/lib";
use IntercomWebhook;

repeat_each(2);

plan tests => repeat_each() * (2 + 2 + 4 * 3 + 4 + 3 + 4 + 4);

run_tests();

__DATA__

=== TEST 1: a blank inline secret (a space) fails
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret " ";
        proxy_pass http://127.0.0.1:1;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*empty or blank secret in "intercom_webhook_secret" in \S+nginx\.conf:\d+/



=== TEST 2: a blank inline secret (tabs and newlines) fails
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret "\t\r\n \t";
        proxy_pass http://127.0.0.1:1;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*empty or blank secret in "intercom_webhook_secret"/



=== TEST 3: the arguments in the wrong order: the error does not print the secret
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret id=prod cs_TopSecretValue;
        proxy_pass http://127.0.0.1:1;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid parameters, the secret comes first: "intercom_webhook_secret secret id=name" in \S+nginx\.conf:\d+/
--- no_error_log
cs_TopSecretValue



=== TEST 4: a second argument that is not "id=": not printed, it may be the secret
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret some-secret cs_TopSecretValue;
        proxy_pass http://127.0.0.1:1;
    }
--- request
GET /hook
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid second parameter, "id=name" is expected in \S+nginx\.conf:\d+/
--- no_error_log
cs_TopSecretValue



=== TEST 5: underscores_in_headers: client headers spelled with "_" are removed too
--- config
    underscores_in_headers on;
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::event("conversation.user.created");
::upstream("/hook", $b,
           "X-Hub-Signature: " . ::sig($b),
           "X_Intercom_Custom: kept",
           ::defaults("conversation.user.created"))
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
CORE::join "\n",
    "X_Intercom_Item_Id: forged",
    "X-Hub-Signature: " . ::sig(::event("conversation.user.created")),
    "x_intercom_topic: forged.topic",
    "X-Intercom_App-Id: forged",
    "X_Intercom_Custom: kept",
    "X_INTERCOM_CREATED_AT: forged"
--- error_code: 200
--- response_body
ok



=== TEST 6: underscores_in_headers: a second signature spelled X_Hub_Signature is "several"
--- config
    underscores_in_headers on;
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1;
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
CORE::join "\n",
    "X-Hub-Signature: " . ::sig(::event("conversation.user.created")),
    "X_Hub_Signature: " . ::sig(::event("conversation.user.created"), "other")
--- error_code: 401
--- error_log eval
::logged('error', 'several "X-Hub-Signature" headers')
--- no_error_log
connect() failed



=== TEST 7: a mirror subrequest to a webhook location: the copy of a verified notification goes on, not verified again; the request is forwarded once
--- http_config
    log_format lo 'lo $uri $status $intercom_webhook_result';
--- config
    location = /hook {
        access_log $TEST_NGINX_SERVER_ROOT/logs/access.log lo;
        mirror /mirror;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1985;
    }
    location = /mirror {
        internal;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1986;
    }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::event("conversation.user.created");
::upstream("/hook", $b, "X-Hub-Signature: " . ::sig($b),
           ::defaults("conversation.user.created"))
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- response_body
ok
--- error_log eval
qr/connect\(\) failed .* upstream: "http:\/\/127\.0\.0\.1:1986\/mirror"/



=== TEST 8: auth_request to a webhook location: the subrequest is refused, so is the request
--- config
    location = /hook {
        auth_request /auth;
        proxy_pass http://127.0.0.1:1;
    }
    location = /auth {
        internal;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1;
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 403
--- error_log
intercom webhook: refused in a subrequest
--- no_error_log
connect() failed



=== TEST 9: auth_request in a webhook location: the subrequest is not verified, the request is, once
--- http_config
    log_format lo 'lo $uri $status $intercom_webhook_result';
--- config
    location = /hook {
        access_log $TEST_NGINX_SERVER_ROOT/logs/access.log lo;
        auth_request /auth;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1985;
    }
    location = /auth {
        internal;
        return 204;
    }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::event("conversation.user.created");
::upstream("/hook", $b, "X-Hub-Signature: " . ::sig($b),
           ::defaults("conversation.user.created"))
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- response_body
ok
--- access_log
lo /hook 200 accepted



=== TEST 10: auth_request denies: the module never runs, nothing reaches the upstream
--- http_config
    log_format lo 'lo $uri $status [$intercom_webhook_result]';
--- config
    location = /hook {
        access_log $TEST_NGINX_SERVER_ROOT/logs/access.log lo;
        auth_request /auth;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1;
    }
    location = /auth {
        internal;
        return 403;
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 403
--- access_log
lo /hook 403 [-]
--- no_error_log
connect() failed
intercom webhook
