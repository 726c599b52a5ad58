# X-Hub-Signature (issue 2, request path steps 3 and 4): missing, malformed,
# repeated or wrong signatures get 401 with one error log line, before the
# body is read when the header alone is enough to reject; a correct
# HMAC-SHA1 of the exact body bytes, in either hex case, is accepted.
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
plan tests => repeat_each() * (4 + 5 + 8 * 4 + 3 * 3 + 5 + 5 + 4 + 3 * 3 + 4
    + 4 + 3 + 5);

run_tests();

__DATA__

=== TEST 1: a correct signature is accepted and the notification forwarded
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app {
        return 202 "app $http_x_intercom_topic $intercom_webhook_secret_id\n";
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 202
--- response_body
app conversation.user.created 1
--- no_error_log
[error]
[warn]



=== TEST 2: no X-Hub-Signature: 401 unsigned
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        add_header X-Result $intercom_webhook_result always;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- error_code: 401
--- response_headers
X-Result: unsigned
--- response_body_like eval: ::error_page(401)
--- error_log eval
::logged('error', 'no "X-Hub-Signature" header')
--- grep_error_log eval: qr/\[(?:error|warn|notice|info)\] .*?\Kintercom webhook: [^,]*/
--- grep_error_log_out
intercom webhook: no "X-Hub-Signature" header



=== TEST 3: an empty X-Hub-Signature is malformed: 401 bad_signature
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        add_header X-Result $intercom_webhook_result always;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers
X-Hub-Signature:
--- error_code: 401
--- response_headers
X-Result: bad_signature
--- response_body_like eval: ::error_page(401)
--- error_log eval
::logged('error', 'invalid "X-Hub-Signature" header, not "sha1=" and 40 hex digits')



=== TEST 4: malformed: 39 hex digits
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        add_header X-Result $intercom_webhook_result always;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
"X-Hub-Signature: " . substr(::sig(::event("conversation.user.created")), 0, 44)
--- error_code: 401
--- response_headers
X-Result: bad_signature
--- response_body_like eval: ::error_page(401)
--- error_log eval
::logged('error', 'invalid "X-Hub-Signature" header, not "sha1=" and 40 hex digits')



=== TEST 5: malformed: 41 hex digits (a correct signature and one more digit)
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        add_header X-Result $intercom_webhook_result always;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
"X-Hub-Signature: " . ::sig(::event("conversation.user.created")) . "0"
--- error_code: 401
--- response_headers
X-Result: bad_signature
--- response_body_like eval: ::error_page(401)
--- error_log eval
::logged('error', 'invalid "X-Hub-Signature" header, not "sha1=" and 40 hex digits')



=== TEST 6: malformed: a non-hex digit
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        add_header X-Result $intercom_webhook_result always;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
"X-Hub-Signature: " . substr(::sig(::event("conversation.user.created")), 0, 44) . "g"
--- error_code: 401
--- response_headers
X-Result: bad_signature
--- response_body_like eval: ::error_page(401)
--- error_log eval
::logged('error', 'invalid "X-Hub-Signature" header, not "sha1=" and 40 hex digits')



=== TEST 7: malformed: the 40 hex digits of a correct signature without "sha1="
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        add_header X-Result $intercom_webhook_result always;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
"X-Hub-Signature: " . substr(::sig(::event("conversation.user.created")), 5)
--- error_code: 401
--- response_headers
X-Result: bad_signature
--- response_body_like eval: ::error_page(401)
--- error_log eval
::logged('error', 'invalid "X-Hub-Signature" header, not "sha1=" and 40 hex digits')



=== TEST 8: malformed: another prefix ("sha256=") before a correct HMAC-SHA1
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        add_header X-Result $intercom_webhook_result always;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
"X-Hub-Signature: sha256=" . substr(::sig(::event("conversation.user.created")), 5)
--- error_code: 401
--- response_headers
X-Result: bad_signature
--- response_body_like eval: ::error_page(401)
--- error_log eval
::logged('error', 'invalid "X-Hub-Signature" header, not "sha1=" and 40 hex digits')



=== TEST 9: malformed: the prefix is "sha1=" exactly, "SHA1=" is not it
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        add_header X-Result $intercom_webhook_result always;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
"X-Hub-Signature: SHA1=" . substr(::sig(::event("conversation.user.created")), 5)
--- error_code: 401
--- response_headers
X-Result: bad_signature
--- response_body_like eval: ::error_page(401)
--- error_log eval
::logged('error', 'invalid "X-Hub-Signature" header, not "sha1=" and 40 hex digits')



=== TEST 10: malformed: an HMAC-SHA256 (64 hex digits) after "sha1="
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        add_header X-Result $intercom_webhook_result always;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
"X-Hub-Signature: sha1=" . Digest::SHA::hmac_sha256_hex(::event("conversation.user.created"), "it-secret")
--- error_code: 401
--- response_headers
X-Result: bad_signature
--- response_body_like eval: ::error_page(401)
--- error_log eval
::logged('error', 'invalid "X-Hub-Signature" header, not "sha1=" and 40 hex digits')



=== TEST 11: uppercase hex digits are accepted
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app {
        return 202 "app $http_x_intercom_topic $intercom_webhook_result\n";
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
"X-Hub-Signature: sha1=" . uc substr(::sig(::event("conversation.user.created")), 5)
--- error_code: 202
--- response_body
app conversation.user.created accepted
--- no_error_log
[error]



=== TEST 12: mixed-case hex digits are accepted
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app {
        return 202 "app $http_x_intercom_topic $intercom_webhook_result\n";
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
my $hex = substr(::sig(::event("conversation.user.created")), 5);
$hex =~ s/([a-f])([a-f0-9])/\U$1\E$2/g;
die "no mixed case" unless $hex =~ /[A-F]/ && $hex =~ /[a-f]/;
"X-Hub-Signature: sha1=$hex"
--- error_code: 202
--- response_body
app conversation.user.created accepted
--- no_error_log
[error]



=== TEST 13: the header name is case-insensitive
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app {
        return 202 "app $http_x_intercom_topic $intercom_webhook_result\n";
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
"x-hub-signature: " . ::sig(::event("conversation.user.created"))
--- error_code: 202
--- response_body
app conversation.user.created accepted
--- no_error_log
[error]



=== TEST 14: two X-Hub-Signature headers, both correct: 401 bad_signature
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        add_header X-Result $intercom_webhook_result always;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"), undef,
         "X-Other: 1",
         "X-Hub-Signature: " . ::sig(::event("conversation.user.created")))
--- error_code: 401
--- response_headers
X-Result: bad_signature
--- response_body_like eval: ::error_page(401)
--- error_log eval
::logged('error', 'several "X-Hub-Signature" headers')
--- grep_error_log eval: qr/\[(?:error|warn|notice|info)\] .*?\Kintercom webhook: [^,]*/
--- grep_error_log_out
intercom webhook: several "X-Hub-Signature" headers



=== TEST 15: a signature made with another secret: 401 bad_signature
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        add_header X-Result $intercom_webhook_result always;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"), "it-secreT")
--- error_code: 401
--- response_headers
X-Result: bad_signature
--- response_body_like eval: ::error_page(401)
--- error_log eval
::logged('error', 'signature mismatch')
--- grep_error_log eval: qr/\[(?:error|warn|notice|info)\] .*?\Kintercom webhook: [^,]*/
--- grep_error_log_out
intercom webhook: signature mismatch



=== TEST 16: the signature of another body (one byte differs): 401
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        add_header X-Result $intercom_webhook_result always;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.replied"))
--- error_code: 401
--- response_headers
X-Result: bad_signature
--- response_body_like eval: ::error_page(401)
--- error_log eval
::logged('error', 'signature mismatch')



=== TEST 17: the HMAC covers the exact bytes: a trailing newline is signed
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app {
        return 202 "app $content_length $http_x_intercom_topic\n";
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created") . "\n"
--- more_headers eval
::signed(::event("conversation.user.created") . "\n", undef,
         "Content-Length: " . (length(::event("conversation.user.created")) + 1))
--- error_code: 202
--- response_body eval
"app " . (length(::event("conversation.user.created")) + 1) . " conversation.user.created\n"
--- no_error_log
[error]



=== TEST 18: the HMAC covers the exact bytes: a signature without the trailing newline fails
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created") . "\n"
--- more_headers eval
::signed(::event("conversation.user.created"), undef,
         "Content-Length: " . (length(::event("conversation.user.created")) + 1))
--- error_code: 401
--- response_body_like eval: ::error_page(401)
--- error_log eval
::logged('error', 'signature mismatch')



=== TEST 19: a signed pretty-printed sample from Intercom is accepted
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app {
        return 202 "app $http_x_intercom_topic $http_x_intercom_item_id\n";
    }
--- request eval
"POST /hook\n" . ::payload("contact.user.created.json")
--- more_headers eval
::signed(::payload("contact.user.created.json"), undef,
         "Content-Type: application/json",
         "User-Agent: intercom-parrot-service-client/1.0")
--- error_code: 202
--- response_body
app contact.user.created 69b1e2f40c1d2e3f4a5b6c7d
--- no_error_log
[error]



=== TEST 20: no signature: 401 before the body is read (a chunked body over client_max_body_size would give 413)
--- config
    location = /hook {
        client_max_body_size 100;
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
my $b = ::event("conversation.user.created");
"POST /hook\n" . sprintf("%x\r\n%s\r\n0\r\n\r\n", length $b, $b)
--- more_headers
Transfer-Encoding: chunked
--- error_code: 401
--- response_body_like eval: ::error_page(401)
--- error_log eval
::logged('error', 'no "X-Hub-Signature" header')
--- no_error_log
chunked notification refused



=== TEST 21: a malformed signature: 401 before the body is read
--- config
    location = /hook {
        client_max_body_size 100;
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
my $b = ::event("conversation.user.created");
"POST /hook\n" . sprintf("%x\r\n%s\r\n0\r\n\r\n", length $b, $b)
--- more_headers
Transfer-Encoding: chunked
X-Hub-Signature: sha1=0123
--- error_code: 401
--- response_body_like eval: ::error_page(401)
--- error_log eval
::logged('error', 'invalid "X-Hub-Signature" header, not "sha1=" and 40 hex digits')
--- no_error_log
chunked notification refused



=== TEST 22: the control for TEST 20 and 21: a well-formed signature makes the body read (413)
--- config
    location = /hook {
        client_max_body_size 100;
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
my $b = ::event("conversation.user.created");
"POST /hook\n" . sprintf("%x\r\n%s\r\n0\r\n\r\n", length $b, $b)
--- more_headers eval
::signed(::event("conversation.user.created"), undef, "Transfer-Encoding: chunked")
--- error_code: 413
--- response_body_like eval: ::error_page(413)
--- error_log
chunked notification refused, larger than client_max_body_size 100



=== TEST 23: an empty body with the signature of no bytes passes the HMAC, then fails the payload check
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        add_header X-Result $intercom_webhook_result always;
    }
    location @app { return 202 "app\n"; }
--- request
POST /hook
--- more_headers eval
::signed("", undef, "Content-Length: 0")
--- error_code: 400
--- response_headers
X-Result: bad_payload
--- response_body_like eval: ::error_page(400)
--- error_log eval
::logged('error', 'invalid payload: empty body at offset 0')
--- no_error_log
signature mismatch
