// The njs peer of the benchmark (Debian's libnginx-mod-http-js, njs 0.7.9):
// js_content verifies an Intercom webhook, stores the values for the
// upstream in js_var variables and redirects to the named location @app,
// whose proxy_pass sends them as X-Intercom-* headers (njs cannot add
// request headers itself).
//
// The job, as every peer does it: (the IP allowlist is nginx's allow/deny
// in the location), HMAC-SHA1 of the raw body compared with
// X-Hub-Signature in constant time (njs 0.7 has no timingSafeEqual: an
// XOR loop), JSON parse, type check, topic filter (accept all), values
// from the payload.
//
// r.requestBuffer throws when nginx wrote the body to a temp file (a body
// larger than client_body_buffer_size): that case answers 500 on purpose.
//
// The run script copies this file and replaces @SECRET_FILE@.

const crypto = require('crypto');
const fs = require('fs');

const SECRET = fs.readFileSync('@SECRET_FILE@');   // read once, at load time
const TOPICS = { '*': true };                       // accept all

// Constant-time comparison of two strings of the same length.
function equal(a, b) {
    if (a.length !== b.length) {
        return false;
    }
    let d = 0;
    for (let i = 0; i < a.length; i++) {
        d |= a.charCodeAt(i) ^ b.charCodeAt(i);
    }
    return d === 0;
}

// A scalar payload value as header text; null/absent/structured: ''.
function text(v) {
    const t = typeof v;
    return (t === 'string' || t === 'number') ? String(v) : '';
}

function verify(r) {
    let body;
    try {
        body = r.requestBuffer;
    } catch (e) {
        r.error('intercom: ' + e.message);
        r.return(500);
        return;
    }
    if (body === undefined) {
        r.return(400);
        return;
    }

    const sig = r.headersIn['X-Hub-Signature'];
    if (typeof sig !== 'string' || sig.length !== 45 || sig.substring(0, 5) !== 'sha1=') {
        r.return(401);
        return;
    }
    const mac = crypto.createHmac('sha1', SECRET).update(body).digest('hex');
    if (!equal(sig.substring(5).toLowerCase(), mac)) {
        r.return(401);
        return;
    }

    let doc;
    try {
        doc = JSON.parse(body);
    } catch (e) {
        r.return(400);
        return;
    }
    if (doc === null || typeof doc !== 'object' || doc.type !== 'notification_event'
        || typeof doc.topic !== 'string')
    {
        r.return(400);
        return;
    }
    if (!(TOPICS['*'] || TOPICS[doc.topic])) {
        r.return(204);                  // not subscribed here: acknowledged
        return;
    }

    const item = (doc.data && typeof doc.data.item === 'object' && doc.data.item) || {};
    const v = r.variables;
    v.ic_topic = doc.topic;
    v.ic_id = text(doc.id);
    v.ic_app_id = text(doc.app_id);
    v.ic_item_type = text(item.type);
    v.ic_item_id = text(item.id);
    v.ic_attempts = text(doc.delivery_attempts);
    v.ic_created_at = text(doc.created_at);

    r.internalRedirect('@app');
}

export default { verify };
