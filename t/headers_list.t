# The list of request headers after the client's headers of the module's
# names were taken out of it, when the location then adds none of its own
# (every default header off).  The client's header is cut from the first
# part of nginx's list (20 elements), at its very start and inside it, and
# the headers that follow are many enough to fill the part: proxy_pass
# must find every other header, in order.  The notification then goes by
# try_files to a second webhook location, whose gate lets it through as
# verified already: it adds none of its headers (in the redirect form of
# 0.2.0 it added them, and pushed them past the end of the shortened part,
# which util/sanitize's AddressSanitizer build, with NGX_DEBUG_PALLOC,
# reported).  The fake upstream on port 1985 sees the exact request.

use Test::Nginx::Socket;
use FindBin ();
use lib "$FindBin::Bin/lib";
use IntercomWebhook;

# Helpers for the blocks' "eval" sections.  Test::Base evaluates those in
# a package of its own: call them as ::name().

# twelve headers of the client's that are forwarded as they are
sub ::pads {
    return map { "X-Pad-$_: $_" } 1 .. 12;
}

repeat_each(2);

plan tests => repeat_each() * (blocks() * 4);

run_tests();

__DATA__

=== TEST 1: a client's header cut from inside the first part, none added, none by a second webhook location
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent /second;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_header X-Intercom-Topic off;
        intercom_webhook_header X-Intercom-Notification-Id off;
        intercom_webhook_header X-Intercom-App-Id off;
        intercom_webhook_header X-Intercom-Item-Type off;
        intercom_webhook_header X-Intercom-Item-Id off;
        intercom_webhook_header X-Intercom-Delivery-Attempts off;
        intercom_webhook_header X-Intercom-Created-At off;
    }
    location = /second {
        internal;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::event("conversation.user.created");
::upstream("/second", $b, "X-Hub-Signature: " . ::sig($b), ::pads())
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
CORE::join "\n",
    "X-Intercom-Topic: forged.topic",
    "X-Hub-Signature: " . ::sig(::event("conversation.user.created")),
    ::pads()
--- response_body
ok
--- no_error_log
[error]



=== TEST 2: a client's header cut from the start of the first part, none added, none by a second webhook location
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent /second;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_header X-Intercom-Topic off;
        intercom_webhook_header X-Intercom-Notification-Id off;
        intercom_webhook_header X-Intercom-App-Id off;
        intercom_webhook_header X-Intercom-Item-Type off;
        intercom_webhook_header X-Intercom-Item-Id off;
        intercom_webhook_header X-Intercom-Delivery-Attempts off;
        intercom_webhook_header X-Intercom-Created-At off;
    }
    location = /second {
        internal;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::event("conversation.user.created");
::upstream("/second", $b, "X-Hub-Signature: " . ::sig($b), ::pads())
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
CORE::join "\n",
    "X-Intercom-Topic: forged.topic",
    "Host: localhost",
    "Connection: close",
    "X-Hub-Signature: " . ::sig(::event("conversation.user.created")),
    ::pads()
--- response_body
ok
--- no_error_log
[error]
