# intercom_webhook_log_level (issue 2): the level of the line a rejection
# writes (error by default; info, notice, warn), inherited from the http
# and server levels; an ignored topic is always an info line.

use Test::Nginx::Socket;
use Digest::SHA ();

# Helpers for the blocks' "eval" sections.  Test::Base evaluates those in
# a package of its own: call them as ::name().

# t/payloads/NAME as Test::Nginx sends it: its request builder strips the
# white space around a body (the files end with a newline) unless the
# block sets Content-Length itself.
sub ::payload {
    my ($name) = @_;
    open my $fh, '<:raw', "t/payloads/$name" or die "t/payloads/$name: $!";
    local $/;
    my $body = <$fh>;
    $body =~ s/\s+\z//;
    return $body;
}

# "sha1=" and the hex HMAC-SHA1 of the body, keyed by default with the
# secret the blocks configure
sub ::sig {
    my ($body, $key) = @_;
    return 'sha1=' . Digest::SHA::hmac_sha1_hex($body, $key // 'it-secret');
}

# more_headers: the signature of the body, then other header lines
sub ::signed {
    my ($body, $key, @more) = @_;
    return join "\n", "X-Hub-Signature: " . ::sig($body, $key), @more;
}

# a compact notification of the topic; named arguments replace members
# with raw JSON text, or drop them when undef
sub ::event {
    my ($topic, %o) = @_;
    my %m = (
        type => '"notification_event"',
        app_id => '"q3fz8k2m"',
        data => '{"type":"notification_event_data",'
                . '"item":{"type":"conversation","id":"87120044511"}}',
        links => '{}',
        id => '"notif_00000000-0000-4000-9e37-79b97f4a7c15"',
        topic => defined $topic ? qq{"$topic"} : undef,
        delivery_status => 'null',
        delivery_attempts => '1',
        delivered_at => '0',
        first_sent_at => '1764412801',
        created_at => '1764412800',
        self => 'null',
        %o,
    );
    my @order = qw(type app_id data links id topic delivery_status
                   delivery_attempts delivered_at first_sent_at created_at
                   self);
    return '{' . join(',', map { qq{"$_":$m{$_}} }
                           grep { defined $m{$_} } @order) . '}';
}

# an error log line of the module for a request from 127.0.0.1, with
# nginx's context
sub ::logged {
    my ($level, $msg, $request) = @_;
    $request //= 'POST /hook HTTP/1.1';
    return qr/\[\Q$level\E\] \d+#\d+: \*\d+ \Qintercom webhook: $msg, client: 127.0.0.1, server: localhost, request: "$request", host: "localhost"\E$/;
}

# "Connection: close", that proxy_pass adds for HTTP/1.0 up to nginx 1.29.6
sub ::connection {
    my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
    my ($v) = `$nginx -v 2>&1` =~ m{nginx/(\d+\.\d+\.\d+)};
    my @v = split /\./, $v // '0.0.0';
    my $n = $v[0] * 1000000 + $v[1] * 1000 + $v[2];
    return $n >= 1029007 ? '' : "Connection: close\r\n";
}

# the request that proxy_pass (HTTP/1.0) makes of a forwarded notification
# to the fake upstream on port 1985: its own first headers, the client's
# other headers in order, then the module's
sub ::upstream {
    my ($uri, $body, @headers) = @_;
    return "POST $uri HTTP/1.0\r\nHost: 127.0.0.1:1985\r\n"
           . ::connection() . "Content-Length: " . length($body) . "\r\n"
           . join('', map { "$_\r\n" } @headers) . "\r\n" . $body;
}

repeat_each(2);

# the checks of one round, block by block in file order ("n * c": n blocks
# of c checks each)
plan tests => repeat_each() * (3 + 3 * 4 + 3 + 27 + 3 * 4 + 3);

run_tests();

__DATA__

=== TEST 1: the default is error
--- config
    location = /hook {
        intercom_webhook @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("contact.deleted")
--- more_headers eval
::signed(::event("contact.deleted"), "wrong")
--- error_code: 401
--- response_body_like: 401 Authorization Required
--- error_log eval
::logged('error', 'signature mismatch')



=== TEST 2: info
--- config
    location = /hook {
        intercom_webhook @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_log_level info;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("contact.deleted")
--- more_headers eval
::signed(::event("contact.deleted"), "wrong")
--- error_code: 401
--- response_body_like: 401 Authorization Required
--- error_log eval
::logged('info', 'signature mismatch')
--- no_error_log eval
qr/\[(?:error|warn|notice)\] .*intercom webhook/



=== TEST 3: notice
--- config
    location = /hook {
        intercom_webhook @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_log_level notice;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("contact.deleted")
--- error_code: 401
--- response_body_like: 401 Authorization Required
--- error_log eval
::logged('notice', 'no "X-Hub-Signature" header')
--- no_error_log eval
qr/\[(?:error|warn)\] .*intercom webhook/



=== TEST 4: warn
--- config
    location = /hook {
        intercom_webhook @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_log_level warn;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("contact.deleted")
--- more_headers eval
::signed(::event("contact.deleted"))
--- error_code: 403
--- response_body_like: 403 Forbidden
--- error_log eval
::logged('warn', 'client 127.0.0.1 is not in the allowlist')
--- no_error_log
[error]



=== TEST 5: explicit error
--- config
    location = /hook {
        intercom_webhook @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_log_level error;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("Contact.Deleted")
--- more_headers eval
::signed(::event("Contact.Deleted"))
--- error_code: 400
--- response_body_like: 400 Bad Request
--- error_log eval
::logged('error', 'invalid payload: invalid "topic"')



=== TEST 6: every kind of rejection follows the level (info)
--- config
    location = /hook {
        intercom_webhook @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow 127.0.0.1;
        intercom_webhook_log_level info;
    }
    location = /denied {
        intercom_webhook @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_log_level info;
    }
    location @app { return 202 "app\n"; }
--- request eval
["GET /hook",
 "POST /denied\n" . ::event("contact.deleted"),
 "POST /hook\n" . ::event("contact.deleted"),
 "POST /hook\n" . ::event("contact.deleted"),
 "POST /hook\n" . ::event("contact.deleted"),
 "POST /hook\n" . ::event("contact.deleted"),
 "POST /hook\n" . "[]",
 "POST /hook\n" . ::event("contact.deleted", type => '"x"'),
 "POST /hook\n" . ::event(undef)]
--- more_headers eval
["",
 ::signed(::event("contact.deleted")),
 "",
 "X-Hub-Signature: sha1=00",
 ::signed(::event("contact.deleted")) . "\n" . ::signed(::event("contact.deleted")),
 ::signed(::event("contact.deleted"), "wrong"),
 ::signed("[]"),
 ::signed(::event("contact.deleted", type => '"x"')),
 ::signed(::event(undef))]
--- error_code eval
[405, 403, 401, 401, 401, 401, 400, 400, 400]
--- response_body_like eval
["405 Not Allowed", "403 Forbidden", "401 Authorization Required",
 "401 Authorization Required", "401 Authorization Required",
 "401 Authorization Required", "400 Bad Request", "400 Bad Request",
 "400 Bad Request"]
--- grep_error_log eval: qr/\[(?:error|warn|notice|info)\] .*?intercom webhook: /
--- grep_error_log_out eval
[map { qr/^\[info\] \d+#\d+: \*\d+ intercom webhook: \n\z/ } 1 .. 9]



=== TEST 7: the level is inherited from the http and server levels
--- http_config
    intercom_webhook_log_level warn;
--- config
    intercom_webhook_log_level notice;
    location = /hook {
        intercom_webhook @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("contact.deleted")
--- error_code: 401
--- response_body_like: 401 Authorization Required
--- error_log eval
::logged('notice', 'no "X-Hub-Signature" header')
--- no_error_log eval
qr/\[(?:error|warn)\] .*intercom webhook/



=== TEST 8: the http level alone
--- http_config
    intercom_webhook_log_level warn;
--- config
    location = /hook {
        intercom_webhook @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("contact.deleted")
--- error_code: 401
--- response_body_like: 401 Authorization Required
--- error_log eval
::logged('warn', 'no "X-Hub-Signature" header')
--- no_error_log
[error]



=== TEST 9: an ignored topic is an info line whatever the level
--- config
    location = /hook {
        intercom_webhook @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_topics ticket.*;
        intercom_webhook_log_level error;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("contact.deleted")
--- more_headers eval
::signed(::event("contact.deleted"))
--- error_code: 200
--- response_body
--- error_log eval
::logged('info', 'topic "contact.deleted" ignored')
--- no_error_log eval
qr/\[(?:error|warn)\] .*intercom webhook/



=== TEST 10: an accepted notification writes no line above debug
--- config
    location = /hook {
        intercom_webhook @app;
        intercom_webhook_secret it-secret;
        intercom_webhook_allow all;
        intercom_webhook_log_level info;
    }
    location @app { return 202 "app\n"; }
--- request eval
"POST /hook\n" . ::event("contact.deleted")
--- more_headers eval
::signed(::event("contact.deleted"))
--- error_code: 202
--- response_body
app
--- grep_error_log eval: qr/\[(?:error|warn|notice|info)\] .*?intercom webhook: /
--- grep_error_log_out
