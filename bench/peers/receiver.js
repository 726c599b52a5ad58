// The Node.js peer of the benchmark: one process, the plain `http` module,
// no framework.  It does the whole job as every peer does: IP allowlist,
// HMAC-SHA1 of the raw body compared with X-Hub-Signature in constant time
// (crypto.timingSafeEqual), JSON parse, type check, topic filter (accept
// all), then forwards the body to the upstream with http.request over a
// keep-alive agent, adding the X-Intercom-* headers, and relays the
// upstream's answer.
//
// usage: node receiver.js   (configured by the environment)
//   LISTEN_PORT    port on 127.0.0.1 to listen on
//   UPSTREAM_PORT  port of the upstream on 127.0.0.1
//   SECRET_FILE    file holding the secret (read once)
//   MAX_BODY       largest body accepted, bytes (default 1 MiB, as the
//                  nginx peers' client_max_body_size 1m)

'use strict';

const http = require('http');
const crypto = require('crypto');
const fs = require('fs');

const LISTEN_PORT = Number(process.env.LISTEN_PORT);
const UPSTREAM_PORT = Number(process.env.UPSTREAM_PORT);
const SECRET = fs.readFileSync(process.env.SECRET_FILE);
const MAX_BODY = Number(process.env.MAX_BODY || 1048576);

if (!LISTEN_PORT || !UPSTREAM_PORT || SECRET.length === 0) {
    console.error('receiver.js: LISTEN_PORT, UPSTREAM_PORT and a non-empty SECRET_FILE are required');
    process.exit(2);
}

const ALLOW = new Set(['127.0.0.1', '::ffff:127.0.0.1']);   // the allowlist
const TOPICS = new Set(['*']);                               // accept all
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function reply(res, status) {
    res.writeHead(status, { 'Content-Length': 0 });
    res.end();
}

// A scalar payload value as header text, or undefined (no header).
function text(v) {
    const t = typeof v;
    return (t === 'string' || t === 'number') ? String(v) : undefined;
}

function handle(req, res, body) {
    const sig = req.headers['x-hub-signature'];
    if (typeof sig !== 'string' || sig.length !== 45 || !sig.startsWith('sha1=')) {
        return reply(res, 401);
    }
    const given = Buffer.from(sig.substring(5), 'hex');        // either case
    const mac = crypto.createHmac('sha1', SECRET).update(body).digest();
    if (given.length !== mac.length || !crypto.timingSafeEqual(given, mac)) {
        return reply(res, 401);
    }

    let doc;
    try {
        doc = JSON.parse(body.toString('utf8'));
    } catch (e) {
        return reply(res, 400);
    }
    if (doc === null || typeof doc !== 'object' || doc.type !== 'notification_event'
        || typeof doc.topic !== 'string') {
        return reply(res, 400);
    }
    if (!(TOPICS.has('*') || TOPICS.has(doc.topic))) {
        return reply(res, 204);          // not subscribed here: acknowledged
    }

    const item = (doc.data && typeof doc.data.item === 'object' && doc.data.item) || {};
    const headers = {
        'content-type': req.headers['content-type'] || 'application/json',
        'content-length': body.length,
        'x-hub-signature': sig,
        'user-agent': req.headers['user-agent'] || '',
    };
    const add = (name, v) => { const t = text(v); if (t !== undefined) headers[name] = t; };
    add('x-intercom-topic', doc.topic);
    add('x-intercom-notification-id', doc.id);
    add('x-intercom-app-id', doc.app_id);
    add('x-intercom-item-type', item.type);
    add('x-intercom-item-id', item.id);
    add('x-intercom-delivery-attempts', doc.delivery_attempts);
    add('x-intercom-created-at', doc.created_at);

    const up = http.request({
        host: '127.0.0.1', port: UPSTREAM_PORT, method: 'POST',
        path: req.url, headers, agent,
    }, (ures) => {
        res.writeHead(ures.statusCode, ures.headers);
        ures.pipe(res);
    });
    up.on('error', () => { if (!res.headersSent) reply(res, 502); else res.destroy(); });
    up.end(body);
}

const server = http.createServer((req, res) => {
    if (!ALLOW.has(req.socket.remoteAddress)) {
        req.resume();
        return reply(res, 403);
    }
    if (req.method !== 'POST') {
        req.resume();
        return reply(res, req.method === 'HEAD' ? 200 : 405);
    }
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
        size += c.length;
        if (size > MAX_BODY) {
            reply(res, 413);
            req.destroy();
            return;
        }
        chunks.push(c);
    });
    req.on('end', () => {
        if (size <= MAX_BODY) handle(req, res, Buffer.concat(chunks, size));
    });
});

server.keepAliveTimeout = 75000;        // as nginx's keepalive_timeout
server.listen(LISTEN_PORT, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
