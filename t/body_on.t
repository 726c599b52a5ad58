# The request body with "intercom_webhook on" (issue 8): in a temporary
# file, chunked, both: forwarded byte for byte by the location's own
# proxy_pass, as t/body.t shows for the redirect form.

use Test::Nginx::Socket;
use FindBin ();
use lib "$FindBin::Bin/lib";
use IntercomWebhook;

repeat_each(2);

plan tests => repeat_each() * (5 + 4 + 5);

run_tests();

__DATA__

=== TEST 1: "on": a 266 KB body in a temporary file is forwarded byte for byte
--- config
    location = /hook {
        client_max_body_size 1m;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::payload("conversation.admin.replied.large.json");
::upstream("/hook", $b,
           "X-Hub-Signature: " . ::sig($b),
           "X-Intercom-Topic: conversation.admin.replied",
           "X-Intercom-Notification-Id: notif_00000000-0000-4002-b8dd-e6e5fd29f054",
           "X-Intercom-App-Id: q3fz8k2m",
           "X-Intercom-Item-Type: conversation",
           "X-Intercom-Item-Id: 87120044511",
           "X-Intercom-Delivery-Attempts: 1",
           "X-Intercom-Created-At: 1764412800")
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nstored"
--- request eval
"POST /hook\n" . ::payload("conversation.admin.replied.large.json")
--- more_headers eval
::signed(::payload("conversation.admin.replied.large.json"))
--- response_body chomp
stored
--- error_log
a client request body is buffered to a temporary file
--- no_error_log
[error]



=== TEST 2: "on": a chunked body in several chunks is verified and forwarded with a Content-Length
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
           "X-Hub-Signature: " . ::sig($b),
           "X-Intercom-Topic: conversation.user.created",
           "X-Intercom-Notification-Id: notif_00000000-0000-4000-9e37-79b97f4a7c15",
           "X-Intercom-App-Id: q3fz8k2m",
           "X-Intercom-Item-Type: conversation",
           "X-Intercom-Item-Id: 87120044511",
           "X-Intercom-Delivery-Attempts: 1",
           "X-Intercom-Created-At: 1764412800")
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nstored"
--- request eval
"POST /hook\n" . ::chunked(::payload("conversation.user.created.json"), 100)
--- more_headers eval
::signed(::payload("conversation.user.created.json"), undef,
         "Transfer-Encoding: chunked")
--- response_body chomp
stored
--- no_error_log
[error]



=== TEST 3: "on": a chunked 266 KB body in 4 KB chunks goes to a temporary file, verified and forwarded intact
--- config
    location = /hook {
        client_max_body_size 1m;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::payload("conversation.admin.replied.large.json");
::upstream("/hook", $b,
           "X-Hub-Signature: " . ::sig($b),
           "X-Intercom-Topic: conversation.admin.replied",
           "X-Intercom-Notification-Id: notif_00000000-0000-4002-b8dd-e6e5fd29f054",
           "X-Intercom-App-Id: q3fz8k2m",
           "X-Intercom-Item-Type: conversation",
           "X-Intercom-Item-Id: 87120044511",
           "X-Intercom-Delivery-Attempts: 1",
           "X-Intercom-Created-At: 1764412800")
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nstored"
--- request eval
"POST /hook\n" . ::chunked(::payload("conversation.admin.replied.large.json"), 4096)
--- more_headers eval
::signed(::payload("conversation.admin.replied.large.json"), undef,
         "Transfer-Encoding: chunked")
--- response_body chomp
stored
--- error_log
a client request body is buffered to a temporary file
--- no_error_log
[error]
