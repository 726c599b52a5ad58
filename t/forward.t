# Forwarding (issue 2, request path step 7): an accepted notification
# goes on to what its location does, its own proxy_pass or, by try_files,
# a named location or a URI (with its arguments); the upstream gets the
# exact request (request line, the client's headers with X-Hub-Signature
# unchanged, the module's headers, the body byte for byte) and the client
# gets the upstream's answer, whatever its status.

use Test::Nginx::Socket;
use FindBin ();
use lib "$FindBin::Bin/lib";
use IntercomWebhook;
use Digest::SHA ();

repeat_each(2);

# the checks of one round, block by block in file order ("n * c": n blocks
# of c checks each)
plan tests => repeat_each() * (6 + 3 + 4 + 4 + 3 + 4 + 3 + 4);

run_tests();

__DATA__

=== TEST 1: proxy_pass in the webhook location: the upstream gets the exact request, the client its answer
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::payload("conversation.user.created.json");
::upstream("/hook", $b,
           "Content-Type: application/json",
           "Accept: application/json",
           "User-Agent: intercom-parrot-service-client/1.0",
           "X-Hub-Signature: " . ::sig($b),
           "X-Intercom-Topic: conversation.user.created",
           "X-Intercom-Notification-Id: notif_00000000-0000-4000-9e37-79b97f4a7c15",
           "X-Intercom-App-Id: q3fz8k2m",
           "X-Intercom-Item-Type: conversation",
           "X-Intercom-Item-Id: 87120044511",
           "X-Intercom-Delivery-Attempts: 1",
           "X-Intercom-Created-At: 1764412800")
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nX-App: yes\r\nContent-Length: 9\r\n\r\nreceived\n"
--- request eval
"POST /hook\n" . ::payload("conversation.user.created.json")
--- more_headers eval
CORE::join "\n",
    "Content-Type: application/json",
    "Accept: application/json",
    "User-Agent: intercom-parrot-service-client/1.0",
    "X-Hub-Signature: " . ::sig(::payload("conversation.user.created.json"))
--- error_code: 200
--- response_headers
X-App: yes
Content-Type: text/plain
--- response_body
received
--- no_error_log
[error]



=== TEST 2: with intercom_webhook_unavailable off, the upstream's 503 stays 503 for the client
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_unavailable off;
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::event("conversation.user.created");
::upstream("/hook", $b, "X-Hub-Signature: " . ::sig($b), ::defaults("conversation.user.created"))
--- tcp_reply eval
"HTTP/1.0 503 Service Unavailable\r\nContent-Length: 5\r\n\r\nbusy\n"
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 503
--- response_body
busy



=== TEST 3: try_files to a URI with arguments: an internal redirect, the upstream gets that URI and those arguments
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent /internal/intercom?src=intercom&v=2;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location /internal/ {
        internal;
        proxy_http_version 1.0; proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::event("contact.deleted");
::upstream("/internal/intercom?src=intercom&v=2", $b,
           "X-Hub-Signature: " . ::sig($b),
           "X-Intercom-Topic: contact.deleted",
           "X-Intercom-Notification-Id: notif_00000000-0000-4000-9e37-79b97f4a7c15",
           "X-Intercom-App-Id: q3fz8k2m",
           "X-Intercom-Item-Type: conversation",
           "X-Intercom-Item-Id: 87120044511",
           "X-Intercom-Delivery-Attempts: 1",
           "X-Intercom-Created-At: 1764412800")
--- tcp_reply eval
"HTTP/1.0 201 Created\r\nContent-Length: 8\r\n\r\ncreated\n"
--- request eval
"POST /hook?from=client\n" . ::event("contact.deleted")
--- more_headers eval
::signed(::event("contact.deleted"))
--- error_code: 201
--- response_body
created
--- no_error_log
[error]



=== TEST 4: a try_files URI target can be internal only: a client cannot reach it
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent /internal/intercom;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location /internal/ {
        internal;
        return 202 "app $uri $intercom_webhook_result\n";
    }
--- request eval
["POST /hook\n" . ::event("contact.deleted"),
 "POST /internal/intercom\n" . ::event("contact.deleted")]
--- more_headers eval
[::signed(::event("contact.deleted")), ::signed(::event("contact.deleted"))]
--- error_code eval
[202, 404]
--- response_body_like eval
["^app /internal/intercom accepted\n\\z", ::error_page(404)]



=== TEST 5: try_files to a named location keeps the client's URI and arguments
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app {
        return 202 "app $request_method $uri $args $request_uri\n";
    }
--- request eval
"POST /hook?tenant=7\n" . ::event("contact.deleted")
--- more_headers eval
::signed(::event("contact.deleted"))
--- error_code: 202
--- response_body
app POST /hook tenant=7 /hook?tenant=7
--- no_error_log
[error]



=== TEST 6: X-Hub-Signature goes on unchanged (uppercase hex as the client sent it)
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_header X-Intercom-Notification-Id off;
        intercom_webhook_header X-Intercom-App-Id off;
        intercom_webhook_header X-Intercom-Item-Type off;
        intercom_webhook_header X-Intercom-Item-Id off;
        intercom_webhook_header X-Intercom-Delivery-Attempts off;
        intercom_webhook_header X-Intercom-Created-At off;
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::event("contact.deleted");
::upstream("/hook", $b,
           "X-Hub-Signature: sha1=" . uc(substr(::sig($b), 5)),
           "X-Intercom-Topic: contact.deleted")
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- request eval
"POST /hook\n" . ::event("contact.deleted")
--- more_headers eval
"X-Hub-Signature: sha1=" . uc(substr(::sig(::event("contact.deleted")), 5))
--- error_code: 200
--- response_body
ok
--- no_error_log
[error]



=== TEST 7: with intercom_webhook_unavailable off, an upstream that is down: 502 for the client
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_unavailable off;
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1987;
    }
--- request eval
"POST /hook\n" . ::event("contact.deleted")
--- more_headers eval
::signed(::event("contact.deleted"))
--- error_code: 502
--- response_body_like eval: ::error_page(502)
--- error_log
connect() failed (111: Connection refused) while connecting to upstream



=== TEST 8: nothing is forwarded for a rejection: the upstream is not contacted
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1987;
    }
--- request eval
"POST /hook\n" . ::event("contact.deleted")
--- more_headers eval
::signed(::event("contact.deleted"), "not-it")
--- error_code: 401
--- response_body_like eval: ::error_page(401)
--- error_log eval
::logged('error', 'signature mismatch')
--- no_error_log
connect() failed
