# intercom_webhook_allow (issue 2, request path step 2): the connection's
# address as nginx sees it (realip honoured) against addresses, CIDR
# blocks, Intercom's regional presets (the default: "intercom") or "all";
# IPv4 and IPv6; a denied client gets 403 before its body is read.
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
plan tests => repeat_each() * (5 + 10 * 3 + 36 + 3 + 3 + 10 + 8 + 8 + 3 + 3
    + 6 + 4 + 5 + 3);

run_tests();

__DATA__

=== TEST 1: the default allowlist is Intercom's addresses: 403 from 127.0.0.1
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        add_header X-Result $intercom_webhook_result always;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 403
--- response_headers
X-Result: forbidden
--- response_body_like eval: ::error_page(403)
--- error_log eval
::logged('error', 'client 127.0.0.1 is not in the allowlist')
--- grep_error_log eval: qr/\[(?:error|warn|notice|info)\] .*?\Kintercom webhook: [^,]*/
--- grep_error_log_out
intercom webhook: client 127.0.0.1 is not in the allowlist



=== TEST 2: an explicit address
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow 127.0.0.1;
    }
    location @app { return 202 "app $http_x_intercom_topic\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 202
--- response_body
app conversation.user.created
--- no_error_log
[error]



=== TEST 3: a CIDR block that holds the client
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow 127.0.0.0/8;
    }
    location @app { return 202 "app $http_x_intercom_topic\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 202
--- response_body
app conversation.user.created
--- no_error_log
[error]



=== TEST 4: a CIDR block and an address that do not hold the client: 403
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow 10.0.0.0/8;
        intercom_webhook_allow 127.0.0.2;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 403
--- response_body_like eval: ::error_page(403)
--- error_log eval
::logged('error', 'client 127.0.0.1 is not in the allowlist')



=== TEST 5: the directive is repeatable: the client is in the second one
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow 10.0.0.0/8;
        intercom_webhook_allow intercom;
        intercom_webhook_allow 127.0.0.1/32;
    }
    location @app { return 202 "app $http_x_intercom_topic\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 202
--- response_body
app conversation.user.created
--- no_error_log
[error]



=== TEST 6: "all"
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app $http_x_intercom_topic\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 202
--- response_body
app conversation.user.created
--- no_error_log
[error]



=== TEST 7: an IPv6 address does not hold an IPv4 client
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow ::1;
        intercom_webhook_allow ::ffff:127.0.0.2;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 403
--- response_body_like eval: ::error_page(403)
--- error_log eval
::logged('error', 'client 127.0.0.1 is not in the allowlist')



=== TEST 8: an IPv6 client (::1, through a proxy to [::1]) in an IPv6 allowlist
--- http_config
    server {
        listen [::1]:1986;
        server_name v6;
        location = /hook {
            intercom_webhook on;
            try_files /nonexistent @app;
            intercom_webhook_secret it-secret;
            intercom_webhook_allow ::1;
        }
        location @app {
            return 202 "app $remote_addr $http_x_intercom_topic\n";
        }
    }
--- config
    location = /hook {
        proxy_http_version 1.0; proxy_pass http://[::1]:1986;
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 202
--- response_body
app ::1 conversation.user.created
--- no_error_log
[error]



=== TEST 9: an IPv6 client in an IPv6 CIDR block
--- http_config
    server {
        listen [::1]:1986;
        server_name v6;
        location = /hook {
            intercom_webhook on;
            try_files /nonexistent @app;
            intercom_webhook_secret it-secret;
            intercom_webhook_allow 2001:db8::/32;
            intercom_webhook_allow ::/127;
        }
        location @app {
            return 202 "app $remote_addr $http_x_intercom_topic\n";
        }
    }
--- config
    location = /hook {
        proxy_http_version 1.0; proxy_pass http://[::1]:1986;
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 202
--- response_body
app ::1 conversation.user.created
--- no_error_log
[error]



=== TEST 10: an IPv6 client outside the IPv6 and IPv4 entries: 403
--- http_config
    server {
        listen [::1]:1986;
        server_name v6;
        location = /hook {
            intercom_webhook on;
            try_files /nonexistent @app;
            intercom_webhook_secret it-secret;
            intercom_webhook_allow 2001:db8::/32;
            intercom_webhook_allow 127.0.0.1;
        }
        location @app { return 202 "app\n"; }
    }
--- config
    location = /hook {
        proxy_http_version 1.0; proxy_pass http://[::1]:1986;
    }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 403
--- response_body_like eval: ::error_page(403)
--- error_log eval
qr/\[error\] .*intercom webhook: client ::1 is not in the allowlist, client: ::1, server: v6,/



=== TEST 11: realip: a US Intercom address is in the default allowlist
--- config
    location = /hook {
        set_real_ip_from 127.0.0.1;
        real_ip_header X-Forwarded-For;
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
    }
    location @app { return 202 "app $remote_addr $http_x_intercom_topic\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"), undef,
         "X-Forwarded-For: 34.231.68.152")
--- error_code: 202
--- response_body
app 34.231.68.152 conversation.user.created
--- no_error_log
[error]



=== TEST 12: realip: every published address of every region is in the default allowlist
--- config
    location = /hook {
        set_real_ip_from 127.0.0.1;
        real_ip_header X-Forwarded-For;
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
    }
    location @app { return 202 "app $remote_addr\n"; }
--- request eval
[map { "POST /hook\n" . ::event("conversation.user.created") }
     1 .. 12]
--- more_headers eval
[map { ::signed(::event("conversation.user.created"), undef,
                "X-Forwarded-For: $_") }
     qw(34.231.68.152 34.197.76.213 35.171.78.91 35.169.138.21
        52.70.27.159 52.44.63.161 54.217.125.63 54.246.173.113
        54.216.9.3 52.63.36.185 3.104.68.152 52.64.2.165)]
--- error_code eval
[(202) x 12]
--- response_body eval
[map { "app $_\n" }
     qw(34.231.68.152 34.197.76.213 35.171.78.91 35.169.138.21
        52.70.27.159 52.44.63.161 54.217.125.63 54.246.173.113
        54.216.9.3 52.63.36.185 3.104.68.152 52.64.2.165)]
--- no_error_log
[error]



=== TEST 13: realip: an address next to Intercom's is not in the default allowlist
--- config
    location = /hook {
        set_real_ip_from 127.0.0.1;
        real_ip_header X-Forwarded-For;
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"), undef,
         "X-Forwarded-For: 34.231.68.153")
--- error_code: 403
--- response_body_like eval: ::error_page(403)
--- error_log eval
qr/\[error\] .*intercom webhook: client 34\.231\.68\.153 is not in the allowlist, client: 34\.231\.68\.153, server: localhost,/



=== TEST 14: realip: intercom_eu rejects a US address
--- config
    location = /hook {
        set_real_ip_from 127.0.0.1;
        real_ip_header X-Forwarded-For;
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow intercom_eu;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"), undef,
         "X-Forwarded-For: 34.231.68.152")
--- error_code: 403
--- response_body_like eval: ::error_page(403)
--- error_log eval
qr/\[error\] .*intercom webhook: client 34\.231\.68\.152 is not in the allowlist, client: 34\.231\.68\.152, server: localhost,/



=== TEST 15: realip: intercom_eu holds the EU addresses only
--- config
    location = /hook {
        set_real_ip_from 127.0.0.1;
        real_ip_header X-Forwarded-For;
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow intercom_eu;
    }
    location @app { return 202 "app $remote_addr\n"; }
--- request eval
[map { "POST /hook\n" . ::event("conversation.user.created") } 1 .. 5]
--- more_headers eval
[map { ::signed(::event("conversation.user.created"), undef,
                "X-Forwarded-For: $_") }
     qw(54.217.125.63 54.246.173.113 54.216.9.3 52.63.36.185 52.70.27.159)]
--- error_code eval
[202, 202, 202, 403, 403]
--- response_body_like eval
["^app 54.217.125.63\n\\z", "^app 54.246.173.113\n\\z", "^app 54.216.9.3\n\\z",
 ::error_page(403), ::error_page(403)]



=== TEST 16: realip: intercom_us holds the US addresses only
--- config
    location = /hook {
        set_real_ip_from 127.0.0.1;
        real_ip_header X-Forwarded-For;
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow intercom_us;
    }
    location @app { return 202 "app $remote_addr\n"; }
--- request eval
[map { "POST /hook\n" . ::event("conversation.user.created") } 1 .. 4]
--- more_headers eval
[map { ::signed(::event("conversation.user.created"), undef,
                "X-Forwarded-For: $_") }
     qw(35.169.138.21 52.44.63.161 54.216.9.3 3.104.68.152)]
--- error_code eval
[202, 202, 403, 403]
--- response_body_like eval
["^app 35.169.138.21\n\\z", "^app 52.44.63.161\n\\z", ::error_page(403),
 ::error_page(403)]



=== TEST 17: realip: intercom_au holds the AU addresses only
--- config
    location = /hook {
        set_real_ip_from 127.0.0.1;
        real_ip_header X-Forwarded-For;
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow intercom_au;
    }
    location @app { return 202 "app $remote_addr\n"; }
--- request eval
[map { "POST /hook\n" . ::event("conversation.user.created") } 1 .. 4]
--- more_headers eval
[map { ::signed(::event("conversation.user.created"), undef,
                "X-Forwarded-For: $_") }
     qw(52.63.36.185 52.64.2.165 54.246.173.113 34.197.76.213)]
--- error_code eval
[202, 202, 403, 403]
--- response_body_like eval
["^app 52.63.36.185\n\\z", "^app 52.64.2.165\n\\z", ::error_page(403),
 ::error_page(403)]



=== TEST 18: without realip, X-Forwarded-For and X-Real-IP are not looked at
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"), undef,
         "X-Forwarded-For: 34.231.68.152", "X-Real-IP: 34.231.68.152")
--- error_code: 403
--- response_body_like eval: ::error_page(403)
--- error_log eval
::logged('error', 'client 127.0.0.1 is not in the allowlist')



=== TEST 19: realip from an untrusted proxy is not honoured
--- config
    location = /hook {
        set_real_ip_from 10.0.0.1;
        real_ip_header X-Forwarded-For;
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"), undef,
         "X-Forwarded-For: 34.231.68.152")
--- error_code: 403
--- response_body_like eval: ::error_page(403)
--- error_log eval
::logged('error', 'client 127.0.0.1 is not in the allowlist')



=== TEST 20: realip: "all" then an explicit list at the location level replaces the server's
--- config
    intercom_webhook_allow all;
    location = /hook {
        set_real_ip_from 127.0.0.1;
        real_ip_header X-Forwarded-For;
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow 192.0.2.0/24;
    }
    location = /open {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
    }
    location @app { return 202 "app $remote_addr\n"; }
--- request eval
["POST /hook\n" . ::event("conversation.user.created"),
 "POST /hook\n" . ::event("conversation.user.created"),
 "POST /open\n" . ::event("conversation.user.created")]
--- more_headers eval
[::signed(::event("conversation.user.created"), undef, "X-Forwarded-For: 192.0.2.7"),
 ::signed(::event("conversation.user.created"), undef, "X-Forwarded-For: 34.231.68.152"),
 ::signed(::event("conversation.user.created"))]
--- error_code eval
[202, 403, 202]
--- response_body_like eval
["^app 192.0.2.7\n\\z", ::error_page(403), "^app 127.0.0.1\n\\z"]



=== TEST 21: a denied client gets 403 before its body is read (a chunked body over client_max_body_size would give 413)
--- config
    location = /hook {
        client_max_body_size 100;
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
    }
    location @app { return 202 "app\n"; }
--- request eval
my $b = ::event("conversation.user.created");
"POST /hook\n" . sprintf("%x\r\n%s\r\n0\r\n\r\n", length $b, $b)
--- more_headers eval
::signed(::event("conversation.user.created"), undef, "Transfer-Encoding: chunked")
--- error_code: 403
--- response_body_like eval: ::error_page(403)
--- error_log eval
::logged('error', 'client 127.0.0.1 is not in the allowlist')
--- no_error_log
chunked notification refused



=== TEST 22: a denied client gets 403 whatever its signature: the allowlist comes first
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow 10.0.0.1;
        add_header X-Result $intercom_webhook_result always;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- error_code: 403
--- response_headers
X-Result: forbidden
--- response_body_like eval: ::error_page(403)
--- error_log eval
::logged('error', 'client 127.0.0.1 is not in the allowlist')
--- no_error_log
X-Hub-Signature



=== TEST 23: a CIDR block with host bits set still matches its network
--- config
    location = /hook {
        intercom_webhook on;
        try_files /nonexistent @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow 127.0.0.9/8;
    }
    location @app { return 202 "app $http_x_intercom_topic\n"; }
--- request eval
"POST /hook\n" . ::event("conversation.user.created")
--- more_headers eval
::signed(::event("conversation.user.created"))
--- error_code: 202
--- response_body
app conversation.user.created
--- no_error_log
[error]
