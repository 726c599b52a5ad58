// Correctness check of the benchmark, run before anything is timed: for
// each receiver and each case, a well-signed body must get a 2xx and reach
// the upstream with the right X-Intercom-* headers and the whole body
// (the upstream echoes them as X-Echo-* response headers, which the
// receivers relay), and a body with a wrong signature must get 401.
//
// usage: node check.js PLAN.json
//   PLAN.json: { "secret_file": path,
//                "receivers": [ { "name", "port" } ],
//                "cases": [ { "name", "file", "path", "receivers": [names] } ] }
// Prints one line per receiver and case:
//   CHECK <receiver> <case> PASS|FAIL <detail>
// and exits 0 (failures are results, reported in the table).

'use strict';

const http = require('http');
const crypto = require('crypto');
const fs = require('fs');

const plan = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const secret = fs.readFileSync(plan.secret_file);

// The headers the upstream must see, from the payload (null/absent: none).
function expected(body) {
    const doc = JSON.parse(body.toString('utf8'));
    const item = (doc.data && doc.data.item) || {};
    const s = (v) => (typeof v === 'string' || typeof v === 'number') ? String(v) : '';
    return {
        'x-echo-topic': s(doc.topic),
        'x-echo-notification-id': s(doc.id),
        'x-echo-app-id': s(doc.app_id),
        'x-echo-item-type': s(item.type),
        'x-echo-item-id': s(item.id),
        'x-echo-delivery-attempts': s(doc.delivery_attempts),
        'x-echo-created-at': s(doc.created_at),
        'x-echo-content-length': String(body.length),
    };
}

function post(port, path, body, sig) {
    return new Promise((resolve) => {
        const req = http.request({
            host: '127.0.0.1', port, path, method: 'POST', agent: false,
            headers: {
                'Content-Type': 'application/json',
                'Content-Length': body.length,
                'User-Agent': 'intercom-parrot-service-client/1.0',
                'X-Hub-Signature': sig,
                // a client's own copy must not reach the upstream
                'X-Intercom-Topic': 'forged.topic',
            },
            timeout: 10000,
        }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode, headers: res.headers,
                                          body: Buffer.concat(chunks).toString() }));
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', (e) => resolve({ status: 0, error: e.message, headers: {} }));
        req.end(body);
    });
}

async function checkOne(rcv, c) {
    const body = fs.readFileSync(c.file);
    const hex = crypto.createHmac('sha1', secret).update(body).digest('hex');

    // "?echo=1": the upstream echoes what it saw (bench/conf/upstream.conf.in)
    const good = await post(rcv.port, c.path + '?echo=1', body, 'sha1=' + hex);
    if (good.status < 200 || good.status > 299) {
        return `FAIL good signature got ${good.status || good.error}`;
    }
    // the queue answers without the upstream: bench/run reads the stream
    if (rcv.name !== 'proxy' && rcv.name !== 'enqueue') {
        const want = expected(body);
        for (const [k, v] of Object.entries(want)) {
            const got = good.headers[k] || '';
            if (got !== v) {
                return `FAIL upstream saw ${k.replace('x-echo-', '')}="${got}", want "${v}"`;
            }
        }
    }

    // the last hex digit changed: must be refused before the upstream
    const badHex = hex.slice(0, -1) + (hex.slice(-1) === '0' ? '1' : '0');
    const bad = await post(rcv.port, c.path, body, 'sha1=' + badHex);
    if (rcv.name !== 'proxy' && bad.status !== 401) {
        return `FAIL bad signature got ${bad.status || bad.error}, want 401`;
    }
    return rcv.name === 'proxy' ? 'PASS (no verification: the limit)' : 'PASS';
}

(async () => {
    for (const c of plan.cases) {
        for (const rcv of plan.receivers) {
            if (c.receivers && !c.receivers.includes(rcv.name)) continue;
            let r;
            try {
                r = await checkOne(rcv, c);
            } catch (e) {
                r = 'FAIL ' + e.message;
            }
            const [verdict, ...rest] = r.split(' ');
            console.log(['CHECK', rcv.name, c.name, verdict, rest.join(' ')].join('\t'));
        }
    }
})();
