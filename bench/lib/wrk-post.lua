-- wrk script of the benchmark: POSTs one signed Intercom body, as Intercom
-- sends it, on every request, and prints one machine-readable line at the
-- end for bench/run.
--
-- environment:
--   BENCH_BODY  path of the body file (sent byte for byte)
--   BENCH_SIG   the X-Hub-Signature value ("sha1=<hex>")
--   BENCH_UNIQUE_SECRET  when set, the secret: every request carries a
--               notification id of its own (the last "id" : "notif_..."
--               of the body, same length: BENCH_NONCE, 8 hex digits, and
--               a counter), signed with HMAC-SHA1 here, so that
--               de-duplication passes each one on.  Only the blocks after
--               the id's 64-byte block are hashed per request: the
--               SHA-1 state before them is computed once.
--   BENCH_NONCE 8 hex digits, different in every run (with
--               BENCH_UNIQUE_SECRET)

local path = assert(os.getenv("BENCH_BODY"), "BENCH_BODY not set")
local f = assert(io.open(path, "rb"))
local body = f:read("*a")
f:close()

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.headers["User-Agent"] = "intercom-parrot-service-client/1.0"
wrk.headers["X-Hub-Signature"] = assert(os.getenv("BENCH_SIG"), "BENCH_SIG not set")

local unique_secret = os.getenv("BENCH_UNIQUE_SECRET")

if unique_secret then
    local bit = require("bit")
    local band, bor, bxor, bnot = bit.band, bit.bor, bit.bxor, bit.bnot
    local rol, lshift, tobit, tohex = bit.rol, bit.lshift, bit.tobit, bit.tohex
    local byte, char, rep, sub = string.byte, string.char, string.rep, string.sub

    local w = {}

    -- one SHA-1 block of s at 1-based position p into the state h
    local function block(h, s, p)
        for i = 0, 15 do
            local a, b, c, d = byte(s, p + i * 4, p + i * 4 + 3)
            w[i] = bor(lshift(a, 24), lshift(b, 16), lshift(c, 8), d)
        end
        for i = 16, 79 do
            w[i] = rol(bxor(w[i - 3], w[i - 8], w[i - 14], w[i - 16]), 1)
        end
        local a, b, c, d, e = h[1], h[2], h[3], h[4], h[5]
        for i = 0, 79 do
            local f, k
            if i < 20 then
                f, k = bor(band(b, c), band(bnot(b), d)), 0x5A827999
            elseif i < 40 then
                f, k = bxor(b, c, d), 0x6ED9EBA1
            elseif i < 60 then
                f, k = bor(band(b, c), band(b, d), band(c, d)), 0x8F1BBCDC
            else
                f, k = bxor(b, c, d), 0xCA62C1D6
            end
            a, b, c, d, e = tobit(rol(a, 5) + f + e + k + w[i]), a, rol(b, 30),
                            c, d
        end
        h[1], h[2], h[3] = tobit(h[1] + a), tobit(h[2] + b), tobit(h[3] + c)
        h[4], h[5] = tobit(h[4] + d), tobit(h[5] + e)
    end

    -- the digest (20 bytes) of a message of which "done" bytes went into
    -- the state h already (a multiple of 64), the rest being s
    local function finish(h0, done, s)
        local h = { h0[1], h0[2], h0[3], h0[4], h0[5] }
        local n = (done + #s) * 8
        s = s .. "\128" .. rep("\0", (55 - #s) % 64)
        local len = ""
        for i = 7, 0, -1 do
            len = len .. char(math.floor(n / 2 ^ (i * 8)) % 256)
        end
        s = s .. len
        for p = 1, #s, 64 do
            block(h, s, p)
        end
        local out = {}
        for i = 1, 5 do
            local v = h[i]
            out[i] = char(band(bit.rshift(v, 24), 255), band(bit.rshift(v, 16), 255),
                          band(bit.rshift(v, 8), 255), band(v, 255))
        end
        return table.concat(out)
    end

    local function tohexs(s)
        return (s:gsub(".", function(c) return string.format("%02x", byte(c)) end))
    end

    local init = { 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0 }
    for i = 1, 5 do init[i] = tobit(init[i]) end

    local key = unique_secret
    assert(#key <= 64, "BENCH_UNIQUE_SECRET longer than 64 bytes")
    key = key .. rep("\0", 64 - #key)
    local ipad = key:gsub(".", function(c) return char(bxor(byte(c), 0x36)) end)
    local opad = key:gsub(".", function(c) return char(bxor(byte(c), 0x5c)) end)

    -- the notification's id: the last "id" : "notif_..." of the body
    local idpos
    local from = 1
    while true do
        local a, b = body:find('"id" : "notif_', from, true)
        if not a then break end
        idpos = b + 1
        from = b + 1
    end
    assert(idpos, "no notification id in " .. path)
    assert(sub(body, idpos + 8, idpos + 8) == "-", "id not notif_<uuid>")

    -- the state after the key block and every whole block before the id
    local cut = math.floor((idpos - 1) / 64) * 64
    local inner0 = { init[1], init[2], init[3], init[4], init[5] }
    block(inner0, ipad, 1)
    for p = 1, cut, 64 do
        block(inner0, body, p)
    end
    local outer0 = { init[1], init[2], init[3], init[4], init[5] }
    block(outer0, opad, 1)

    local tail = sub(body, cut + 1)
    local at = idpos - cut          -- the id's position in tail

    local function sign(t)
        return "sha1=" .. tohexs(finish(outer0, 64, finish(inner0, 64 + cut, t)))
    end

    -- the unchanged body must give the signature bench/run computed
    assert(sign(tail) == wrk.headers["X-Hub-Signature"],
           "wrk-post.lua: HMAC-SHA1 self-check failed")

    local nonce = assert(os.getenv("BENCH_NONCE"), "BENCH_NONCE not set")
    assert(#nonce == 8, "BENCH_NONCE: 8 hex digits")
    local head = sub(body, 1, cut)
    local pre = sub(tail, 1, at - 1)
    local mid = sub(tail, at + 8, at + 23)      -- "-xxxx-xxxx-xxxx-"
    local post = sub(tail, at + 36)
    local count = 0
    local headers = {}
    for k, v in pairs(wrk.headers) do headers[k] = v end

    function request()
        count = count + 1
        local t = pre .. nonce .. mid .. string.format("%012x", count) .. post
        headers["X-Hub-Signature"] = sign(t)
        return wrk.format(nil, nil, headers, head .. t)
    end
end

-- Latencies are in microseconds; status counts non-2xx/3xx answers.
function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d " ..
        "non2xx=%d connect_err=%d read_err=%d write_err=%d timeout=%d\n",
        summary.requests, summary.duration,
        latency:percentile(50), latency:percentile(99), latency.max,
        e.status, e.connect, e.read, e.write, e.timeout))
end
