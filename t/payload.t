# The payload (issue 2, request path step 5): a signed body that is not
# JSON, not an object, whose "type" is not "notification_event", or whose
# "topic" is missing, not a string or not visible ASCII, or with a key
# the module reads twice in one object, gets 400 bad_payload with one
# error log line; escapes are decoded, "\u0000" and numbers of any size
# are valid JSON, keys the module does not read may repeat.
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
plan tests => repeat_each() * (5 + 3 + 12 + 11 * 3 + 4 + 18 + 4 + 4 + 3 + 15
    + 12 + 12 + 3 + 4 + 3 + 4 + 3 + 6 + 9 + 5 * 3 + 15);

run_tests();

__DATA__

=== TEST 1: not JSON
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
<notification topic="conversation.user.created"/>
--- more_headers eval
::signed(q{<notification topic="conversation.user.created"/>})
--- error_code: 400
--- response_headers
X-Result: bad_payload
--- response_body_like eval: ::error_page(400)
--- error_log eval
::logged('error', 'invalid payload: unexpected character at offset 0')
--- grep_error_log eval: qr/\[(?:error|warn|notice|info)\] .*?\Kintercom webhook: [^,]*/
--- grep_error_log_out
intercom webhook: invalid payload: unexpected character at offset 0



=== TEST 2: an array is not an object
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . "[" . ::event("conversation.user.created") . "]"
--- more_headers eval
::signed("[" . ::event("conversation.user.created") . "]")
--- error_code: 400
--- response_body_like eval: ::error_page(400)
--- error_log eval
::logged('error', 'invalid payload: not an object at offset 0')



=== TEST 3: a string, a number, null, true are not objects
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
[map { "POST /hook\n$_" } '"notification_event"', '42', 'null', 'true']
--- more_headers eval
[map { ::signed($_) } '"notification_event"', '42', 'null', 'true']
--- error_code eval
[400, 400, 400, 400]
--- response_body_like eval
[::error_page(400), ::error_page(400), ::error_page(400), ::error_page(400)]
--- error_log eval
qr/\[error\] .*intercom webhook: invalid payload: not an object at offset 0, client: 127\.0\.0\.1,/



=== TEST 4: a truncated object
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . substr(::event("conversation.user.created"), 0, -1)
--- more_headers eval
::signed(substr(::event("conversation.user.created"), 0, -1))
--- error_code: 400
--- response_body_like eval: ::error_page(400)
--- error_log eval
::logged('error', 'invalid payload: truncated at offset '
                  . (length(::event("conversation.user.created")) - 1))



=== TEST 5: a string that never ends
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . '{"type":"notification_event","topic":"conversation.user.created'
--- more_headers eval
::signed('{"type":"notification_event","topic":"conversation.user.created')
--- error_code: 400
--- response_body_like eval: ::error_page(400)
--- error_log eval
::logged('error', 'invalid payload: unterminated string at offset 63')



=== TEST 6: a second value after the object
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created") . "{}"
--- more_headers eval
::signed(::event("conversation.user.created") . "{}")
--- error_code: 400
--- response_body_like eval: ::error_page(400)
--- error_log eval
::logged('error', 'invalid payload: garbage after the object at offset '
                  . length(::event("conversation.user.created")))



=== TEST 7: invalid UTF-8 in a string
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created", self => qq{"\xc3\x28"})
--- more_headers eval
::signed(::event("conversation.user.created", self => qq{"\xc3\x28"}))
--- error_code: 400
--- response_body_like eval: ::error_page(400)
--- error_log eval
my $b = ::event("conversation.user.created", self => qq{"\xc3\x28"});
::logged('error', 'invalid payload: invalid UTF-8 at offset ' . (index($b, "\xc3") + 1))



=== TEST 8: a raw control character in a string
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created", self => qq{"a\tb"})
--- more_headers eval
::signed(::event("conversation.user.created", self => qq{"a\tb"}))
--- error_code: 400
--- response_body_like eval: ::error_page(400)
--- error_log eval
my $b = ::event("conversation.user.created", self => qq{"a\tb"});
::logged('error', 'invalid payload: control character in a string at offset ' . index($b, "\t"))



=== TEST 9: an invalid escape
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created", self => q{"a\xb"})
--- more_headers eval
::signed(::event("conversation.user.created", self => q{"a\xb"}))
--- error_code: 400
--- response_body_like eval: ::error_page(400)
--- error_log eval
my $b = ::event("conversation.user.created", self => q{"a\xb"});
::logged('error', 'invalid payload: invalid escape at offset ' . (index($b, '\x') + 1))



=== TEST 10: an escaped NUL character is valid JSON: accepted, no header from it
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app {
        return 202 "app $http_x_intercom_topic [$http_x_intercom_app_id] [$intercom_webhook_app_id]\n";
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created", self => q{"a\u0000b"}, app_id => q{"q3\u0000z"})
--- more_headers eval
::signed(::event("conversation.user.created", self => q{"a\u0000b"}, app_id => q{"q3\u0000z"}))
--- error_code: 202
--- response_body
app conversation.user.created [] []
--- no_error_log
[error]



=== TEST 11: a lone surrogate escape
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created", self => q{"\ud83d!"})
--- more_headers eval
::signed(::event("conversation.user.created", self => q{"\ud83d!"}))
--- error_code: 400
--- response_body_like eval: ::error_page(400)
--- error_log eval
qr/\[error\] .*intercom webhook: invalid payload: invalid surrogate pair at offset \d+, client: 127\.0\.0\.1,/



=== TEST 12: nesting deeper than the parser's limit (512)
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created", self => ("[" x 600) . ("]" x 600))
--- more_headers eval
::signed(::event("conversation.user.created", self => ("[" x 600) . ("]" x 600)))
--- error_code: 400
--- response_body_like eval: ::error_page(400)
--- error_log eval
qr/\[error\] .*intercom webhook: invalid payload: too deeply nested at offset \d+, client: 127\.0\.0\.1,/



=== TEST 13: deep nesting within the limit is fine
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app $http_x_intercom_topic\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created", self => ("[" x 200) . ("]" x 200))
--- more_headers eval
::signed(::event("conversation.user.created", self => ("[" x 200) . ("]" x 200)))
--- error_code: 202
--- response_body
app conversation.user.created
--- no_error_log
[error]



=== TEST 14: numbers beyond 64 bits and doubles are valid JSON: passed as written
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app {
        return 202 "app $http_x_intercom_created_at $http_x_intercom_delivery_attempts\n";
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created", self => "1e400", created_at => "123456789012345678901234567890", delivery_attempts => "-1.5e-99999")
--- more_headers eval
::signed(::event("conversation.user.created", self => "1e400", created_at => "123456789012345678901234567890", delivery_attempts => "-1.5e-99999"))
--- error_code: 202
--- response_body
app 123456789012345678901234567890 -1.5e-99999
--- no_error_log
[error]



=== TEST 15: "type" missing
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
"POST /hook\n" . ::event("conversation.user.created", type => undef)
--- more_headers eval
::signed(::event("conversation.user.created", type => undef))
--- error_code: 400
--- response_headers
X-Result: bad_payload
--- response_body_like eval: ::error_page(400)
--- error_log eval
::logged('error', 'invalid payload: "type" is not "notification_event"')



=== TEST 16: "type" of another value, of another case, a number, null, an object
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
[map { "POST /hook\n" . ::event("conversation.user.created", type => $_) }
     '"notification"', '"Notification_Event"', '1', 'null',
     '{"type":"notification_event"}', '"notification_event "']
--- more_headers eval
[map { ::signed(::event("conversation.user.created", type => $_)) }
     '"notification"', '"Notification_Event"', '1', 'null',
     '{"type":"notification_event"}', '"notification_event "']
--- error_code eval
[(400) x 6]
--- response_body_like eval
[(::error_page(400)) x 6]
--- error_log eval
::logged('error', 'invalid payload: "type" is not "notification_event"')



=== TEST 17: an empty object: the "type" is checked first
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request
POST /hook
{}
--- more_headers eval
::signed("{}")
--- error_code: 400
--- response_body_like eval: ::error_page(400)
--- error_log eval
::logged('error', 'invalid payload: "type" is not "notification_event"')
--- no_error_log
topic



=== TEST 18: "topic" missing
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
"POST /hook\n" . ::event(undef)
--- more_headers eval
::signed(::event(undef))
--- error_code: 400
--- response_headers
X-Result: bad_payload
--- response_body_like eval: ::error_page(400)
--- error_log eval
::logged('error', 'invalid payload: no "topic"')



=== TEST 19: a "topic" only inside "data" is not the topic
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event(undef, data => '{"topic":"conversation.user.created","item":{"type":"conversation"}}')
--- more_headers eval
::signed(::event(undef, data => '{"topic":"conversation.user.created","item":{"type":"conversation"}}'))
--- error_code: 400
--- response_body_like eval: ::error_page(400)
--- error_log eval
::logged('error', 'invalid payload: no "topic"')



=== TEST 20: "topic" not a string: a number, null, true, an array, an object
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
[map { "POST /hook\n" . ::event(undef, topic => $_) }
     '42', 'null', 'true', '["ping"]', '{"name":"ping"}']
--- more_headers eval
[map { ::signed(::event(undef, topic => $_)) }
     '42', 'null', 'true', '["ping"]', '{"name":"ping"}']
--- error_code eval
[(400) x 5]
--- response_body_like eval
[(::error_page(400)) x 5]
--- error_log eval
::logged('error', 'invalid payload: "topic" is not a string')



=== TEST 21: "topic" empty or with spaces
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
[map { "POST /hook\n" . ::event($_) }
     "", "conversation user", "ping ", " ping"]
--- more_headers eval
[map { ::signed(::event($_)) }
     "", "conversation user", "ping ", " ping"]
--- error_code eval
[(400) x 4]
--- response_body_like eval
[(::error_page(400)) x 4]
--- error_log eval
::logged('error', 'invalid payload: invalid "topic"')



=== TEST 22: "topic" with escaped control characters, NUL, spaces or non-ASCII letters
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
[map { "POST /hook\n" . ::event($_) }
     'conversation.user.created\n', 'ping\u0000', "conversation.\xc3\xa9", 'conversation\u0020user']
--- more_headers eval
[map { ::signed(::event($_)) }
     'conversation.user.created\n', 'ping\u0000', "conversation.\xc3\xa9", 'conversation\u0020user']
--- error_code eval
[(400) x 4]
--- response_body_like eval
[(::error_page(400)) x 4]
--- error_log eval
::logged('error', 'invalid payload: invalid "topic"')



=== TEST 23: escapes in "type" and "topic" are decoded before the checks
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app {
        return 202 "app $http_x_intercom_topic $intercom_webhook_topic\n";
    }
--- request eval
"POST /hook\n" . ::event('conversation\u002euser\u002E\u0063reated', type => q{"notification\u005fevent"})
--- more_headers eval
::signed(::event('conversation\u002euser\u002E\u0063reated', type => q{"notification\u005fevent"}))
--- error_code: 202
--- response_body
app conversation.user.created conversation.user.created
--- no_error_log
[error]



=== TEST 24: an escaped "ping" is a ping
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        add_header X-Result $intercom_webhook_result;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event('p\u0069ng')
--- more_headers eval
::signed(::event('p\u0069ng'))
--- error_code: 200
--- response_headers
X-Result: ping
--- response_body
--- no_error_log
[error]



=== TEST 25: escaped keys are decoded: "\u0074opic" is "topic"
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app {
        return 202 "app $http_x_intercom_topic\n";
    }
--- request eval
"POST /hook\n" . '{"\u0074ype":"notification_event","\u0074opic":"contact.user.created"}'
--- more_headers eval
::signed('{"\u0074ype":"notification_event","\u0074opic":"contact.user.created"}')
--- error_code: 202
--- response_body
app contact.user.created
--- no_error_log
[error]



=== TEST 26: duplicate keys: a second "topic" is refused, whatever the values
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
"POST /hook\n" . '{"topic":"ping","type":"notification_event","topic":"contact.user.created"}'
--- more_headers eval
::signed('{"topic":"ping","type":"notification_event","topic":"contact.user.created"}')
--- error_code: 400
--- response_headers
X-Result: bad_payload
--- response_body_like eval: ::error_page(400)
--- error_log eval
::logged('error', 'invalid payload: duplicate key "topic" at offset 44')



=== TEST 27: duplicate keys: compared decoded, "t\u006fpic" is "topic"
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . '{"topic":"contact.user.created","type":"notification_event","t\u006fpic":"ping"}'
--- more_headers eval
::signed('{"topic":"contact.user.created","type":"notification_event","t\u006fpic":"ping"}')
--- error_code: 400
--- response_body_like eval: ::error_page(400)
--- error_log eval
::logged('error', 'invalid payload: duplicate key "topic" at offset 60')



=== TEST 28: duplicate keys: a second "type", both ways
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app $http_x_intercom_topic\n"; }
--- request eval
["POST /hook\n" . '{"type":"other","topic":"contact.user.created","type":"notification_event"}',
 "POST /hook\n" . '{"type":"notification_event","topic":"contact.user.created","type":"other"}']
--- more_headers eval
[::signed('{"type":"other","topic":"contact.user.created","type":"notification_event"}'),
 ::signed('{"type":"notification_event","topic":"contact.user.created","type":"other"}')]
--- error_code eval
[400, 400]
--- response_body_like eval
[::error_page(400), ::error_page(400)]
--- error_log eval
qr/\[error\] .*intercom webhook: invalid payload: duplicate key "type" at offset (?:47|60), client: 127\.0\.0\.1,/



=== TEST 29: duplicate keys below: data.item.id, data.item, and "data" itself
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app $http_x_intercom_item_id\n"; }
--- request eval
["POST /hook\n" . ::event("contact.deleted", data => '{"item":{"id":"first","type":"contact","id":"second"}}'),
 "POST /hook\n" . ::event("contact.deleted", data => '{"item":{"id":"first"},"item":{"id":"second"}}'),
 "POST /hook\n" . ::event("contact.deleted", links => '{},"data":{"item":{"id":"second"}}')]
--- more_headers eval
[::signed(::event("contact.deleted", data => '{"item":{"id":"first","type":"contact","id":"second"}}')),
 ::signed(::event("contact.deleted", data => '{"item":{"id":"first"},"item":{"id":"second"}}')),
 ::signed(::event("contact.deleted", links => '{},"data":{"item":{"id":"second"}}'))]
--- error_code eval
[400, 400, 400]
--- response_body_like eval
[::error_page(400), ::error_page(400), ::error_page(400)]
--- error_log eval
qr/\[error\] .*intercom webhook: invalid payload: duplicate key (?:"data\.item\.id" at offset 95|"data\.item" at offset 79|"data" at offset 152), client: 127\.0\.0\.1,/



=== TEST 30: keys the module does not read may repeat, in and out of its paths
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
"POST /hook\n" . '{"x":1,"x":2,"type":"notification_event","topic":"ticket.created","list":[{"topic":"a","topic":"b"}],"extra":{"data":1,"data":2},"data":{"tags":[],"tags":[],"item":{"id":"7","name":"a","name":"b"}},"x":3}'
--- more_headers eval
::signed('{"x":1,"x":2,"type":"notification_event","topic":"ticket.created","list":[{"topic":"a","topic":"b"}],"extra":{"data":1,"data":2},"data":{"tags":[],"tags":[],"item":{"id":"7","name":"a","name":"b"}},"x":3}')
--- error_code: 202
--- response_body
app ticket.created 7
--- no_error_log
[error]



=== TEST 31: duplicate keys of a configured header's path are refused too
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_header X-Status delivery_status;
    }
    location @app { return 202 "app $http_x_status\n"; }
--- request eval
"POST /hook\n" . ::event("contact.user.created", delivery_status => '"pending","delivery_status":null')
--- more_headers eval
::signed(::event("contact.user.created", delivery_status => '"pending","delivery_status":null'))
--- error_code: 400
--- response_body_like eval: ::error_page(400)
--- error_log eval
qr/\[error\] .*intercom webhook: invalid payload: duplicate key "delivery_status" at offset \d+, client: 127\.0\.0\.1,/



=== TEST 32: a key that no header reads may repeat
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_header X-Status delivery_status;
    }
    location @app { return 202 "app $http_x_status\n"; }
--- request eval
"POST /hook\n" . ::event("contact.user.created", delivered_at => '0,"delivered_at":1')
--- more_headers eval
::signed(::event("contact.user.created", delivered_at => '0,"delivered_at":1'))
--- error_code: 202
--- response_body
app 
--- no_error_log
[error]



=== TEST 33: key order does not matter and unknown members are ignored
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app {
        return 202 "app $http_x_intercom_topic $http_x_intercom_item_type\n";
    }
--- request eval
"POST /hook\n" . '{"extra":{"topic":1,"type":2},"data":{"item":{"type":"ticket"}},"topic":"ticket.created","list":[{"topic":"x"}],"type":"notification_event"}'
--- more_headers eval
::signed('{"extra":{"topic":1,"type":2},"data":{"item":{"type":"ticket"}},"topic":"ticket.created","list":[{"topic":"x"}],"type":"notification_event"}')
--- error_code: 202
--- response_body
app ticket.created ticket
--- no_error_log
[error]



=== TEST 34: a byte order mark is not JSON
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . "\xef\xbb\xbf" . ::event("conversation.user.created")
--- more_headers eval
::signed("\xef\xbb\xbf" . ::event("conversation.user.created"))
--- error_code: 400
--- response_body_like eval: ::error_page(400)
--- error_log eval
::logged('error', 'invalid payload: unexpected character at offset 0')



=== TEST 35: every sample from Intercom passes (non-ASCII UTF-8 included)
--- config
    location = /hook {
        client_max_body_size 1m;
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_ping forward;
    }
    location @app {
        return 202 "app $http_x_intercom_topic\n";
    }
--- request eval
[map { "POST /hook\n" . ::payload($_) }
     qw(contact.deleted.json contact.user.created.json
        conversation.admin.replied.large.json conversation.user.created.json
        ping.json)]
--- more_headers eval
[map { ::signed(::payload($_)) }
     qw(contact.deleted.json contact.user.created.json
        conversation.admin.replied.large.json conversation.user.created.json
        ping.json)]
--- error_code eval
[(202) x 5]
--- response_body eval
["app contact.deleted\n", "app contact.user.created\n",
 "app conversation.admin.replied\n", "app conversation.user.created\n",
 "app ping\n"]
--- no_error_log
[error]
