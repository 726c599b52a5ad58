# The answer Intercom gets when the application could not take a
# notification (issue 14): the status and the module's headers only.  The
# application's own Retry-After does not come with ours, and its
# Set-Cookie, Location and other headers stay inside nginx.

use Test::Nginx::Socket;
use FindBin ();
use lib "$FindBin::Bin/lib";
use IntercomWebhook;

repeat_each(1);

plan tests => repeat_each() * (4 + 4 + 3);

our $Event = ::event("conversation.user.created");

run_tests();

__DATA__

=== TEST 1: the application's 503 with its own Retry-After, a cookie and a Location: 429 with one Retry-After, ours, and nothing of the application's
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_reply eval
"HTTP/1.0 503 Service Unavailable\r\nRetry-After: 5\r\nSet-Cookie: session=app\r\nLocation: http://app.example/elsewhere\r\nX-App: private\r\nCache-Control: no-store\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nbusy\n"
--- request eval
"POST /hook\n$::Event"
--- more_headers eval
::signed($::Event)
--- error_code: 429
--- raw_response_headers_like eval
qr/\r\nRetry-After: 60\r\n/
--- raw_response_headers_unlike eval
qr/Retry-After: 5|Set-Cookie|Location|X-App|Cache-Control|Content-Type/i
--- response_body:



=== TEST 2: the application's 410 with a cookie: 502 (unavailable off), without the cookie
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_unavailable off;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_reply eval
"HTTP/1.0 410 Gone\r\nSet-Cookie: session=app\r\nX-App: private\r\nContent-Length: 5\r\n\r\ngone\n"
--- request eval
"POST /hook\n$::Event"
--- more_headers eval
::signed($::Event)
--- error_code: 502
--- raw_response_headers_unlike eval
qr/Set-Cookie|X-App|Retry-After/i
--- response_body:
--- error_log
which would disable the subscription



=== TEST 3: an answer passed untouched keeps the application's headers
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_reply eval
"HTTP/1.0 500 Internal Server Error\r\nX-App: private\r\nContent-Length: 5\r\n\r\noops\n"
--- request eval
"POST /hook\n$::Event"
--- more_headers eval
::signed($::Event)
--- error_code: 500
--- raw_response_headers_like eval
qr/\r\nX-App: private\r\n/
--- response_body
oops
