# The request body (issue 2, request path step 4): in memory or in a
# temporary file (266 KB with the default client_body_buffer_size), with
# Content-Length or chunked, in one packet or many: the HMAC and the
# payload check see every byte, and the body is forwarded intact.
#
# Accepted notifications go on by "try_files /nonexistent @app" to a
# location that shows what reached it: a "return" in the webhook
# location itself would answer before the module checks anything.

use Test::Nginx::Socket;
use FindBin ();
use lib "$FindBin::Bin/lib";
use IntercomWebhook;
use Digest::SHA ();

# Helpers for the blocks' "eval" sections.  Test::Base evaluates those in
# a package of its own: call them as ::name().

# a whole client request with a signed body, as packets cut at the given
# offsets of the body
sub ::raw_packets {
    my ($body, @cuts) = @_;
    my $head = "POST /hook HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
               . "X-Hub-Signature: " . ::sig($body) . "\r\n"
               . "Content-Length: " . length($body) . "\r\n\r\n";
    my @packets;
    my $prev = 0;
    for my $cut (@cuts) {
        push @packets, substr($body, $prev, $cut - $prev);
        $prev = $cut;
    }
    push @packets, substr($body, $prev);
    $packets[0] = $head . $packets[0];
    return \@packets;
}

repeat_each(2);

# the checks of one round, block by block in file order ("n * c": n blocks
# of c checks each)
plan tests => repeat_each() * (4 + 4 + 5 + 3 * 3 + 5 + 4 + 5 + 5 * 3 + 4 + 4 + 4);

run_tests();

__DATA__

=== TEST 1: a small body in memory
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app {
        return 202 "app $content_length $http_x_intercom_topic $http_x_intercom_item_id\n";
    }
--- request eval
"POST /hook\n" . ::payload("contact.deleted.json")
--- more_headers eval
::signed(::payload("contact.deleted.json"))
--- error_code: 202
--- response_body eval
"app " . length(::payload("contact.deleted.json")) . " contact.deleted 69b1e2f40c1d2e3f4a5b6c7d\n"
--- no_error_log
[error]
[warn]



=== TEST 2: a 266 KB body goes to a temporary file with the default client_body_buffer_size
--- config
    location = /hook {
        client_max_body_size 1m;
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app {
        return 202 "app $content_length $http_x_intercom_topic $http_x_intercom_notification_id $intercom_webhook_result\n";
    }
--- request eval
"POST /hook\n" . ::payload("conversation.admin.replied.large.json")
--- more_headers eval
::signed(::payload("conversation.admin.replied.large.json"))
--- error_code: 202
--- response_body eval
"app " . length(::payload("conversation.admin.replied.large.json"))
. " conversation.admin.replied notif_00000000-0000-4002-b8dd-e6e5fd29f054 accepted\n"
--- error_log
a client request body is buffered to a temporary file
--- no_error_log
[error]



=== TEST 3: a 266 KB body in a temporary file is forwarded byte for byte
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



=== TEST 4: a 266 KB body in a temporary file with one byte changed at its end: 401
--- config
    location = /hook {
        client_max_body_size 1m;
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
my $b = ::payload("conversation.admin.replied.large.json");
$b =~ s/"self" : null\n}\z/"self" : nulL\n}/ or die;
"POST /hook\n" . $b
--- more_headers eval
::signed(::payload("conversation.admin.replied.large.json"))
--- error_code: 401
--- response_body_like eval: ::error_page(401)
--- error_log eval
::logged('error', 'signature mismatch (1 secret tried: "1")')



=== TEST 5: a 266 KB signed body in a temporary file, invalid at its end: 400 with the offset
--- config
    location = /hook {
        client_max_body_size 1m;
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
my $b = ::payload("conversation.admin.replied.large.json") . " x";
"POST /hook\n" . $b
--- more_headers eval
::signed(::payload("conversation.admin.replied.large.json") . " x")
--- error_code: 400
--- response_body_like eval: ::error_page(400)
--- error_log eval
::logged('error', 'invalid payload: garbage after the object at offset '
          . (length(::payload("conversation.admin.replied.large.json")) + 1))



=== TEST 6: a small body in a file with client_body_in_file_only
--- config
    location = /hook {
        client_body_in_file_only clean;
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app {
        return 202 "app $content_length $http_x_intercom_topic $http_x_intercom_item_id\n";
    }
--- request eval
"POST /hook\n" . ::payload("contact.user.created.json")
--- more_headers eval
::signed(::payload("contact.user.created.json"))
--- error_code: 202
--- response_body eval
"app " . length(::payload("contact.user.created.json")) . " contact.user.created 69b1e2f40c1d2e3f4a5b6c7d\n"
--- no_error_log
[error]



=== TEST 7: a body a little larger than a small client_body_buffer_size
--- config
    location = /hook {
        client_body_buffer_size 1k;
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::payload("contact.user.created.json");
::upstream("/hook", $b,
           "X-Hub-Signature: " . ::sig($b),
           "X-Intercom-Topic: contact.user.created",
           "X-Intercom-Notification-Id: notif_00000000-0000-4001-bc6e-f372fe94f82a",
           "X-Intercom-App-Id: q3fz8k2m",
           "X-Intercom-Item-Type: contact",
           "X-Intercom-Item-Id: 69b1e2f40c1d2e3f4a5b6c7d",
           "X-Intercom-Delivery-Attempts: 1",
           "X-Intercom-Created-At: 1764412800")
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nstored"
--- request eval
"POST /hook\n" . ::payload("contact.user.created.json")
--- more_headers eval
::signed(::payload("contact.user.created.json"))
--- response_body chomp
stored
--- error_log
a client request body is buffered to a temporary file
--- no_error_log
[error]



=== TEST 8: a chunked body in several chunks is verified and forwarded with a Content-Length
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



=== TEST 9: a chunked 266 KB body in 4 KB chunks goes to a temporary file, verified and forwarded intact
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



=== TEST 10: a chunked body cut inside a multi-byte UTF-8 character and inside an escape
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app {
        return 202 "app $content_length $http_x_intercom_topic $intercom_webhook_item_id\n";
    }
--- request eval
my $b = ::event("conversation.user.created",
                data => qq{{"item":{"type":"conversation","id":"\\u00c5\\u0073a \xc3\x85sa \xf0\x9f\x99\x82"}}});
"POST /hook\n" . ::chunked($b, 7)
--- more_headers eval
my $b = ::event("conversation.user.created",
                data => qq{{"item":{"type":"conversation","id":"\\u00c5\\u0073a \xc3\x85sa \xf0\x9f\x99\x82"}}});
::signed($b, undef, "Transfer-Encoding: chunked")
--- error_code: 202
--- response_body eval
my $b = ::event("conversation.user.created",
                data => qq{{"item":{"type":"conversation","id":"\\u00c5\\u0073a \xc3\x85sa \xf0\x9f\x99\x82"}}});
"app " . length($b) . " conversation.user.created \xc3\x85sa \xc3\x85sa \xf0\x9f\x99\x82\n"
--- no_error_log
[error]



=== TEST 11: a body that arrives in several packets, cut inside a key, a string and a number
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app {
        return 202 "app $http_x_intercom_topic $http_x_intercom_created_at $http_x_intercom_item_id\n";
    }
--- raw_request eval
my $b = ::payload("conversation.user.created.json");
my @cuts = (index($b, '"conversation_message"') + 5,
            index($b, 'conversation.user.created') + 9,
            index($b, '1764412800') + 4);
::raw_packets($b, @cuts)
--- raw_request_middle_delay: 0.01
--- error_code: 202
--- response_body
app conversation.user.created 1764412800 87120044511
--- no_error_log
[error]



=== TEST 12: a body with white space before the object is signed and accepted as sent
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
--- raw_request eval
::raw_packets("\r\n \t" . ::event("conversation.user.created") . "\n\n")
--- error_code: 202
--- response_body eval
"app " . (length(::event("conversation.user.created")) + 6) . " conversation.user.created\n"
--- no_error_log
[error]



=== TEST 13: Content-Length: 0 and no body, signed: 400 (an empty body is not a notification)
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- raw_request eval
::raw_packets("")
--- error_code: 400
--- response_body_like eval: ::error_page(400)
--- error_log eval
::logged('error', 'invalid payload: empty body at offset 0')



=== TEST 14: POST without a body or Content-Length, signed: 400
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- raw_request eval
"POST /hook HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nX-Hub-Signature: " . ::sig("") . "\r\n\r\n"
--- error_code: 400
--- response_body_like eval: ::error_page(400)
--- error_log eval
::logged('error', 'invalid payload: empty body at offset 0')



=== TEST 15: a body read with the headers, in one buffer, is parsed whole, from its index
--- skip_eval: 4: ::no_debug() || ::no_index()
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app $http_x_intercom_topic\n"; }
--- request eval
"POST /hook\n" . ::payload("contact.deleted.json")
--- more_headers eval
::signed(::payload("contact.deleted.json"))
--- error_code: 202
--- response_body
app contact.deleted
--- error_log eval
qr/\[debug\] \d+#\d+: \*\d+ intercom webhook: body parsed whole, from its index$/m
--- no_error_log
[error]
--- log_level: debug



=== TEST 16: with AVX-512, a body in memory in two buffers is parsed whole from a copy, from its index
--- skip_eval: 4: ::no_debug() || ::no_index('avx512')
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app $http_x_intercom_topic\n"; }
--- raw_request eval
::raw_packets(::payload("conversation.user.created.json"), 100)
--- error_code: 202
--- response_body
app conversation.user.created
--- error_log eval
qr/\[debug\] \d+#\d+: \*\d+ intercom webhook: body parsed whole from a copy, from its index$/m
--- no_error_log
[error]
--- log_level: debug



=== TEST 17: a body in a file is parsed as it is read, not whole
--- skip_eval: 4: ::no_debug()
--- config
    location = /hook {
        client_body_in_file_only clean;
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app $http_x_intercom_topic\n"; }
--- request eval
"POST /hook\n" . ::payload("conversation.user.created.json")
--- more_headers eval
::signed(::payload("conversation.user.created.json"))
--- error_code: 202
--- response_body
app conversation.user.created
--- no_error_log eval
[qr/body parsed whole/, qr/\[error\]/]
--- log_level: debug
