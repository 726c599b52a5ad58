# intercom_webhook_topics (issue 2, request path step 6): exact names,
# "prefix.*" and "*" (the default); a topic not wanted gets 200 and is not
# forwarded ($intercom_webhook_result "ignored", an info line); "ping" is
# handled whatever the list.  A topic is 1 to 255 bytes of visible ASCII;
# a longer one is a 400 "too long".
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
plan tests => repeat_each() * (12 + 4 + 7 + 12 + 15 + 15 + 4 + 5 + 4 + 12 +
    4 + 18 + 12 + 3 + 10);

run_tests();

__DATA__

=== TEST 1: the default is every topic
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app $http_x_intercom_topic\n"; }
--- request eval
[map { "POST /hook\n" . ::event($_) } qw(conversation.user.created contact.deleted visitor.signed_up)]
--- more_headers eval
[map { ::signed(::event($_)) } qw(conversation.user.created contact.deleted visitor.signed_up)]
--- error_code eval
[202, 202, 202]
--- response_body eval
["app conversation.user.created\n", "app contact.deleted\n", "app visitor.signed_up\n"]
--- no_error_log
[error]
ignored



=== TEST 2: an exact name: that topic is forwarded
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_topics contact.user.created;
    }
    location @app { return 202 "app $http_x_intercom_topic\n"; }
--- request eval
"POST /hook\n" . ::event("contact.user.created")
--- more_headers eval
::signed(::event("contact.user.created"))
--- error_code: 202
--- response_body
app contact.user.created
--- no_error_log
[error]
ignored



=== TEST 3: an exact name: another topic gets 200, is not forwarded, and an info line
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_topics contact.user.created;
        add_header X-Result $intercom_webhook_result;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("contact.user.created.more")
--- more_headers eval
::signed(::event("contact.user.created.more"))
--- error_code: 200
--- response_headers
X-Result: ignored
Content-Length: 0
--- response_body
--- error_log eval
::logged('info', 'topic "contact.user.created.more" ignored')
--- no_error_log
[error]
intercom webhook: forward



=== TEST 4: "prefix.*" takes the topics below the prefix
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_topics conversation.*;
    }
    location @app { return 202 "app $http_x_intercom_topic\n"; }
--- request eval
[map { "POST /hook\n" . ::event($_) } qw(conversation.user.created conversation.admin.replied conversation.x)]
--- more_headers eval
[map { ::signed(::event($_)) } qw(conversation.user.created conversation.admin.replied conversation.x)]
--- error_code eval
[202, 202, 202]
--- response_body eval
["app conversation.user.created\n", "app conversation.admin.replied\n", "app conversation.x\n"]
--- no_error_log
[error]
ignored



=== TEST 5: "prefix.*" does not take the prefix alone nor a longer first segment
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_topics conversation.*;
        add_header X-Result $intercom_webhook_result;
    }
    location @app { return 202 "app\n"; }
--- request eval
[map { "POST /hook\n" . ::event($_) } qw(conversation conversation_part.redacted contact.conversation.created)]
--- more_headers eval
[map { ::signed(::event($_)) } qw(conversation conversation_part.redacted contact.conversation.created)]
--- error_code eval
[200, 200, 200]
--- response_headers eval
["X-Result: ignored", "X-Result: ignored", "X-Result: ignored"]
--- response_body eval
["", "", ""]
--- error_log eval
qr/\[info\] .*intercom webhook: topic "(?:conversation|conversation_part\.redacted|contact\.conversation\.created)" ignored, client: 127\.0\.0\.1,/
--- no_error_log
[error]



=== TEST 6: several patterns, on one line
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_topics conversation.* contact.user.created ticket.state.*;
    }
    location @app { return 202 "app $http_x_intercom_topic\n"; }
--- request eval
[map { "POST /hook\n" . ::event($_) }
     qw(conversation.admin.closed contact.user.created ticket.state.updated
        contact.lead.created ticket.created)]
--- more_headers eval
[map { ::signed(::event($_)) }
     qw(conversation.admin.closed contact.user.created ticket.state.updated
        contact.lead.created ticket.created)]
--- error_code eval
[202, 202, 202, 200, 200]
--- response_body eval
["app conversation.admin.closed\n", "app contact.user.created\n",
 "app ticket.state.updated\n", "", ""]
--- no_error_log
[error]



=== TEST 7: "*" among other patterns takes everything
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_topics contact.user.created *;
    }
    location @app { return 202 "app $http_x_intercom_topic\n"; }
--- request eval
"POST /hook\n" . ::event("job.completed")
--- more_headers eval
::signed(::event("job.completed"))
--- error_code: 202
--- response_body
app job.completed
--- no_error_log
[error]
ignored



=== TEST 8: ping is answered even when the list does not name it
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_topics contact.*;
        add_header X-Result $intercom_webhook_result;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::payload("ping.json")
--- more_headers eval
::signed(::payload("ping.json"))
--- error_code: 200
--- response_headers
X-Result: ping
--- response_body
--- no_error_log
[error]
ignored



=== TEST 9: ping is forwarded in forward mode even when the list does not name it
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_topics contact.*;
        intercom_webhook_ping forward;
    }
    location @app { return 202 "app $http_x_intercom_topic\n"; }
--- request eval
"POST /hook\n" . ::payload("ping.json")
--- more_headers eval
::signed(::payload("ping.json"))
--- error_code: 202
--- response_body
app ping
--- no_error_log
[error]
ignored



=== TEST 10: the list is inherited from the server level, a location's own list replaces it
--- config
    intercom_webhook_topics contact.*;
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
        intercom_webhook_topics ticket.*;
    }
    location @app { return 202 "app $uri $http_x_intercom_topic\n"; }
--- request eval
["POST /hook\n" . ::event("contact.deleted"),
 "POST /hook\n" . ::event("ticket.created"),
 "POST /hook2\n" . ::event("ticket.created"),
 "POST /hook2\n" . ::event("contact.deleted")]
--- more_headers eval
[::signed(::event("contact.deleted")), ::signed(::event("ticket.created")),
 ::signed(::event("ticket.created")), ::signed(::event("contact.deleted"))]
--- error_code eval
[202, 200, 202, 200]
--- response_body eval
["app /hook contact.deleted\n", "", "app /hook2 ticket.created\n", ""]
--- no_error_log
[error]



=== TEST 11: an ignored topic is still verified first: a bad signature gets 401
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_topics contact.*;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"), "other-secret")
--- error_code: 401
--- response_body_like eval: ::error_page(401)
--- error_log eval
::logged('error', 'signature mismatch')
--- no_error_log
ignored



=== TEST 12: a topic is any visible ASCII: topics to come pass "*"
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app $http_x_intercom_topic\n"; }
--- request eval
[map { "POST /hook\n" . ::event($_) }
     qw(content_stat.v2 Conversation.User.Created contact.1 conversation..created
        .conversation. a-b~!*)]
--- more_headers eval
[map { ::signed(::event($_)) }
     qw(content_stat.v2 Conversation.User.Created contact.1 conversation..created
        .conversation. a-b~!*)]
--- error_code eval
[(202) x 6]
--- response_body eval
[map { "app $_\n" }
     qw(content_stat.v2 Conversation.User.Created contact.1 conversation..created
        .conversation. a-b~!*)]
--- no_error_log
[error]



=== TEST 13: patterns take the same alphabet, exact names are case-sensitive
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_topics content_stat.* Ticket.V2 a-b.*;
        add_header X-Result $intercom_webhook_result;
    }
    location @app { return 202 "app $http_x_intercom_topic\n"; }
--- request eval
[map { "POST /hook\n" . ::event($_) } qw(content_stat.v2 Ticket.V2 a-b.c ticket.v2)]
--- more_headers eval
[map { ::signed(::event($_)) } qw(content_stat.v2 Ticket.V2 a-b.c ticket.v2)]
--- error_code eval
[202, 202, 202, 200]
--- response_body eval
["app content_stat.v2\n", "app Ticket.V2\n", "app a-b.c\n", ""]
--- no_error_log
[error]



=== TEST 14: a topic of 255 bytes is forwarded
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app $http_x_intercom_topic\n"; }
--- request eval
"POST /hook\n" . ::event("conversation." . ("x" x 242))
--- more_headers eval
::signed(::event("conversation." . ("x" x 242)))
--- error_code: 202
--- response_body eval
"app conversation." . ("x" x 242) . "\n"
--- no_error_log
[error]



=== TEST 15: a longer topic is a 400 "too long", also over the capture limit
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
[map { "POST /hook\n" . ::event("conversation." . ("x" x $_)) } 243, 3000]
--- more_headers eval
[map { ::signed(::event("conversation." . ("x" x $_))) } 243, 3000]
--- error_code eval
[400, 400]
--- response_headers eval
["X-Result: bad_payload", "X-Result: bad_payload"]
--- response_body_like eval
[::error_page(400), ::error_page(400)]
--- error_log eval
::logged('error', 'invalid payload: "topic" is too long')
--- no_error_log
is not a string
