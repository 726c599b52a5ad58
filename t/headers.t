# The headers added for the application (issue 2, intercom_webhook_header):
# the seven defaults in their order, added/overridden/dropped ones, no
# header for a missing, null, structured or too long field or for a value
# with control characters, and every client-sent header of these names
# removed wherever it was in the request, the others left intact.  The
# fake upstream on port 1985 sees the exact request.
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

# a whole client request: the header lines as given, then the body
sub ::raw {
    my ($body, @lines) = @_;
    return "POST /hook HTTP/1.1\r\n" . join('', map { "$_\r\n" } @lines)
           . "\r\n" . $body;
}

repeat_each(2);

# the checks of one round, block by block in file order ("n * c": n blocks
# of c checks each)
plan tests => repeat_each() * (5 * 4 + 6 + 4 * 4 + 3 + 4 + 4 + 6 + 4);

run_tests();

__DATA__

=== TEST 1: the seven default headers, after the client's, in their order
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
my $b = ::event("conversation.user.created");
::upstream("/hook", $b, "X-Hub-Signature: " . ::sig($b), "X-Other: 1",
           ::defaults("conversation.user.created"))
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"), undef, "X-Other: 1")
--- response_body
ok
--- no_error_log
[error]



=== TEST 2: an added header comes after the defaults
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_header X-Intercom-User-Email data.item.user.email;
        intercom_webhook_header X-Conversation-Read data.item.read;
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::payload("conversation.user.created.json");
::upstream("/hook", $b, "X-Hub-Signature: " . ::sig($b),
           ::defaults("conversation.user.created"),
           "X-Intercom-User-Email: asa\@example.org",
           "X-Conversation-Read: false")
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- request eval
"POST /hook\n" . ::payload("conversation.user.created.json")
--- more_headers eval
::signed(::payload("conversation.user.created.json"))
--- response_body
ok
--- no_error_log
[error]



=== TEST 3: overriding a default's path keeps its place; "off" drops one
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_header x-intercom-item-id data.item.user.id;
        intercom_webhook_header X-Intercom-Created-At off;
        intercom_webhook_header X-Intercom-App-Id off;
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::payload("conversation.user.created.json");
::upstream("/hook", $b, "X-Hub-Signature: " . ::sig($b),
           "X-Intercom-Topic: conversation.user.created",
           "X-Intercom-Notification-Id: notif_00000000-0000-4000-9e37-79b97f4a7c15",
           "X-Intercom-Item-Type: conversation",
           "X-Intercom-Item-Id: 6a1f0c2e9b7d4400a1c3e5f7",
           "X-Intercom-Delivery-Attempts: 1")
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- request eval
"POST /hook\n" . ::payload("conversation.user.created.json")
--- more_headers eval
::signed(::payload("conversation.user.created.json"))
--- response_body
ok
--- no_error_log
[error]



=== TEST 4: a header turned off is still removed from the client's request
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_header X-Intercom-Created-At off;
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::event("conversation.user.created");
my @d = ::defaults("conversation.user.created");
::upstream("/hook", $b, "X-Hub-Signature: " . ::sig($b), "X-A: 1", @d[0 .. 5])
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"), undef,
         "X-Intercom-Created-At: 0", "X-A: 1")
--- response_body
ok
--- no_error_log
[error]



=== TEST 5: missing and null fields give no header
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
my $b = ::event("contact.deleted", app_id => undef, id => 'null',
                data => '{"item":{"type":"contact","id":null}}',
                delivery_attempts => undef);
::upstream("/hook", $b, "X-Hub-Signature: " . ::sig($b),
           "X-Intercom-Topic: contact.deleted",
           "X-Intercom-Item-Type: contact",
           "X-Intercom-Created-At: 1764412800")
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- request eval
"POST /hook\n" . ::event("contact.deleted", app_id => undef, id => 'null',
                         data => '{"item":{"type":"contact","id":null}}',
                         delivery_attempts => undef)
--- more_headers eval
::signed(::event("contact.deleted", app_id => undef, id => 'null',
                 data => '{"item":{"type":"contact","id":null}}',
                 delivery_attempts => undef))
--- response_body
ok
--- no_error_log
[error]



=== TEST 6: a "data" that is not an object, an "item" that is an array: no item headers
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app {
        return 202 "app [$http_x_intercom_item_type] [$http_x_intercom_item_id] $http_x_intercom_topic\n";
    }
--- request eval
["POST /hook\n" . ::event("contact.deleted", data => '"contact"'),
 "POST /hook\n" . ::event("contact.deleted", data => '{"item":[{"type":"contact","id":"1"}]}')]
--- more_headers eval
[::signed(::event("contact.deleted", data => '"contact"')),
 ::signed(::event("contact.deleted", data => '{"item":[{"type":"contact","id":"1"}]}'))]
--- error_code eval
[202, 202]
--- response_body eval
["app [] [] contact.deleted\n", "app [] [] contact.deleted\n"]
--- no_error_log
[error]



=== TEST 7: values with control characters never reach a header (the notification still goes on)
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_header X-Intercom-Name data.item.name;
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::event("contact.deleted", app_id => '"q3fz\u0007k2m"',
                id => '"notif_1\r\nX-Injected: 1"',
                data => '{"item":{"type":"contact\u007f","id":"a\tb","name":"ok\u00c5"}}');
::upstream("/hook", $b, "X-Hub-Signature: " . ::sig($b),
           "X-Intercom-Topic: contact.deleted",
           "X-Intercom-Delivery-Attempts: 1",
           "X-Intercom-Created-At: 1764412800",
           "X-Intercom-Name: ok\xc3\x85")
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- request eval
"POST /hook\n" . ::event("contact.deleted", app_id => '"q3fz\u0007k2m"',
                         id => '"notif_1\r\nX-Injected: 1"',
                         data => '{"item":{"type":"contact\u007f","id":"a\tb","name":"ok\u00c5"}}')
--- more_headers eval
::signed(::event("contact.deleted", app_id => '"q3fz\u0007k2m"',
                 id => '"notif_1\r\nX-Injected: 1"',
                 data => '{"item":{"type":"contact\u007f","id":"a\tb","name":"ok\u00c5"}}'))
--- response_body
ok
--- no_error_log
[error]



=== TEST 8: strings are decoded (non-ASCII kept as UTF-8), numbers as written, true/false
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_header X-Deleted data.item.deleted;
        intercom_webhook_header X-Open data.item.open;
        intercom_webhook_header X-Score data.item.score;
        intercom_webhook_header X-Name data.item.name;
        intercom_webhook_header X-Slash data.item.slash;
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::event("contact.deleted", delivery_attempts => '1.50E+01', created_at => '-0',
                data => q{{"item":{"type":"contact","id":"\u00c5sa \"q\" \ud83d\ude42","deleted":true,"open":false,"score":-12.5e-3,"name":"Mehmet Y\u0131lmaz","slash":"a\/b\\\\c"}}});
::upstream("/hook", $b, "X-Hub-Signature: " . ::sig($b),
           "X-Intercom-Topic: contact.deleted",
           "X-Intercom-Notification-Id: notif_00000000-0000-4000-9e37-79b97f4a7c15",
           "X-Intercom-App-Id: q3fz8k2m",
           "X-Intercom-Item-Type: contact",
           "X-Intercom-Item-Id: \xc3\x85sa \"q\" \xf0\x9f\x99\x82",
           "X-Intercom-Delivery-Attempts: 1.50E+01",
           "X-Intercom-Created-At: -0",
           "X-Deleted: true", "X-Open: false", "X-Score: -12.5e-3",
           "X-Name: Mehmet Y\xc4\xb1lmaz", "X-Slash: a/b\\c")
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- request eval
"POST /hook\n" . ::event("contact.deleted", delivery_attempts => '1.50E+01', created_at => '-0',
                data => q{{"item":{"type":"contact","id":"\u00c5sa \"q\" \ud83d\ude42","deleted":true,"open":false,"score":-12.5e-3,"name":"Mehmet Y\u0131lmaz","slash":"a\/b\\\\c"}}})
--- more_headers eval
::signed(::event("contact.deleted", delivery_attempts => '1.50E+01', created_at => '-0',
                data => q{{"item":{"type":"contact","id":"\u00c5sa \"q\" \ud83d\ude42","deleted":true,"open":false,"score":-12.5e-3,"name":"Mehmet Y\u0131lmaz","slash":"a\/b\\\\c"}}}))
--- response_body
ok
--- no_error_log
[error]



=== TEST 9: structured values (object, array) and too long values give no header
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_header X-Item data.item;
        intercom_webhook_header X-Tags data.item.tags;
        intercom_webhook_header X-Long data.item.long;
        intercom_webhook_header X-Fits data.item.fits;
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::event("contact.deleted", data => '{"item":{"type":"contact","id":{"v":1},"tags":["a"],"long":"' . ("x" x 3000) . '","fits":"' . ("y" x 1000) . '"}}');
::upstream("/hook", $b, "X-Hub-Signature: " . ::sig($b),
           "X-Intercom-Topic: contact.deleted",
           "X-Intercom-Notification-Id: notif_00000000-0000-4000-9e37-79b97f4a7c15",
           "X-Intercom-App-Id: q3fz8k2m",
           "X-Intercom-Item-Type: contact",
           "X-Intercom-Delivery-Attempts: 1",
           "X-Intercom-Created-At: 1764412800",
           "X-Fits: " . ("y" x 1000))
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- request eval
"POST /hook\n" . ::event("contact.deleted", data => '{"item":{"type":"contact","id":{"v":1},"tags":["a"],"long":"' . ("x" x 3000) . '","fits":"' . ("y" x 1000) . '"}}')
--- more_headers eval
::signed(::event("contact.deleted", data => '{"item":{"type":"contact","id":{"v":1},"tags":["a"],"long":"' . ("x" x 3000) . '","fits":"' . ("y" x 1000) . '"}}'))
--- response_body
ok
--- no_error_log
[error]



=== TEST 10: client-sent X-Intercom-* headers are removed, several and interleaved; the others stay in order
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
my $b = ::event("conversation.user.created");
::upstream("/hook", $b,
           "User-Agent: intercom-parrot-service-client/1.0",
           "X-Hub-Signature: " . ::sig($b),
           "Cookie: a=b",
           "X-Intercom-Custom: kept",
           "Accept: application/json",
           ::defaults("conversation.user.created"))
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
CORE::join "\n",
    "X-Intercom-Topic: forged.topic",
    "User-Agent: intercom-parrot-service-client/1.0",
    "X-Intercom-App-Id: forged",
    "x-intercom-topic: forged.again",
    "X-Hub-Signature: " . ::sig(::event("conversation.user.created")),
    "X-INTERCOM-NOTIFICATION-ID: forged",
    "Cookie: a=b",
    "X-Intercom-Custom: kept",
    "X-Intercom-Item-Id: forged",
    "Accept: application/json",
    "X-Intercom-Created-At: forged"
--- response_body
ok
--- no_error_log
[error]



=== TEST 11: known headers after removed ones are intact (Host, User-Agent, Cookie, Content-Type)
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app {
        return 202 "host=$host ua=$http_user_agent cookie=$cookie_a ct=$content_type topic=$http_x_intercom_topic app=$http_x_intercom_app_id\n";
    }
--- raw_request eval
my $b = ::event("conversation.user.created");
::raw($b, "X-Intercom-Topic: forged", "X-Intercom-App-Id: forged",
          "Host: hooks.example.test", "X-Intercom-Item-Id: forged",
          "User-Agent: ua/1", "X-Intercom-Item-Type: forged",
          "Cookie: a=b", "X-Intercom-Created-At: forged",
          "Content-Type: application/json",
          "X-Hub-Signature: " . ::sig($b), "Connection: close",
          "Content-Length: " . length($b), "X-Intercom-Delivery-Attempts: 9")
--- error_code: 202
--- response_body
host=hooks.example.test ua=ua/1 cookie=b ct=application/json topic=conversation.user.created app=q3fz8k2m
--- no_error_log
[error]



=== TEST 12: more headers than the first part of nginx's header list holds (20), removed on both sides of the boundary and at the very end
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
my $b = ::event("conversation.user.created");
::upstream("/hook", $b,
           (map { sprintf "X-Filler-%02d: %d", $_, $_ } 1 .. 16),
           "X-Hub-Signature: " . ::sig($b),
           "User-Agent: ua/1", "Cookie: a=b", "X-Intercom-Custom: kept",
           ::defaults("conversation.user.created"))
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- raw_request eval
my $b = ::event("conversation.user.created");
::raw($b, "Host: localhost",                              #  0
          "X-Intercom-Topic: forged",                     #  1
          (map { sprintf "X-Filler-%02d: %d", $_, $_ } 1 .. 16), # 2-17
          "X-Intercom-Notification-Id: forged",           # 18
          "X-Intercom-App-Id: forged",                    # 19, last of part 1
          "X-Intercom-Item-Id: forged",                   # 20, first of part 2
          "X-Hub-Signature: " . ::sig($b),                # 21
          "X-Intercom-Item-Type: forged",                 # 22
          "User-Agent: ua/1",                             # 23
          "X-Intercom-Topic: forged.again",               # 24
          "X-Intercom-Topic: forged.third",               # 25
          "Cookie: a=b",                                  # 26
          "X-Intercom-Custom: kept",                      # 27
          "Connection: close",                            # 28
          "Content-Length: " . length($b),                # 29
          "X-Intercom-Delivery-Attempts: forged",         # 30
          "X-Intercom-Created-At: forged")                # 31, last
--- response_body
ok
--- no_error_log
[error]



=== TEST 13: every header of the second part of the list is removed (the part is left empty)
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
my $b = ::event("conversation.user.created");
::upstream("/hook", $b,
           "X-Hub-Signature: " . ::sig($b),
           (map { sprintf "X-Filler-%02d: %d", $_, $_ } 1 .. 16),
           ::defaults("conversation.user.created"))
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- raw_request eval
my $b = ::event("conversation.user.created");
::raw($b, "Host: localhost", "Connection: close",
          "Content-Length: " . length($b),
          "X-Hub-Signature: " . ::sig($b),
          (map { sprintf "X-Filler-%02d: %d", $_, $_ } 1 .. 16),  # 4-19
          "X-Intercom-Topic: forged", "X-Intercom-App-Id: forged",
          "X-Intercom-Topic: forged.again")
--- response_body
ok
--- no_error_log
[error]



=== TEST 14: the headers are those of the webhook location's level: a location list replaces the http list
--- http_config
    intercom_webhook_header X-Intercom-App-Id off;
    intercom_webhook_header X-Item-Name data.item.name;
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location = /hook2 {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_header X-Intercom-Topic off;
    }
    location @app {
        return 202 "app [$http_x_intercom_topic] [$http_x_intercom_app_id] [$http_x_item_name]\n";
    }
--- request eval
["POST /hook\n" . ::event("contact.deleted", data => '{"item":{"type":"contact","name":"n1"}}'),
 "POST /hook2\n" . ::event("contact.deleted", data => '{"item":{"type":"contact","name":"n1"}}')]
--- more_headers eval
[::signed(::event("contact.deleted", data => '{"item":{"type":"contact","name":"n1"}}'), undef, "X-Item-Name: forged"),
 ::signed(::event("contact.deleted", data => '{"item":{"type":"contact","name":"n1"}}'), undef, "X-Item-Name: client")]
--- error_code eval
[202, 202]
--- response_body eval
["app [contact.deleted] [] [n1]\n", "app [] [q3fz8k2m] [client]\n"]
--- no_error_log
[error]



=== TEST 15: an added header keeps the name as configured
--- config
    location = /hook {
        intercom_webhook on;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_header x-custom-TOPIC topic;
        proxy_http_version 1.0;
        proxy_pass http://127.0.0.1:1985;
    }
--- tcp_listen: 1985
--- tcp_query eval
my $b = ::event("conversation.user.created");
::upstream("/hook", $b, "X-Hub-Signature: " . ::sig($b),
           ::defaults("conversation.user.created"),
           "x-custom-TOPIC: conversation.user.created")
--- tcp_reply eval
"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n"
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"), undef, "X-Custom-Topic: forged")
--- response_body
ok
--- no_error_log
[error]
