-- The Lua peer of the benchmark (lua-nginx-module + lua-cjson, as Debian
-- ships them): verifies an Intercom webhook in the access phase, then the
-- location's proxy_pass forwards it with the X-Intercom-* headers.
--
-- The job, as every peer does it: (the IP allowlist is nginx's allow/deny
-- in the location), HMAC-SHA1 of the raw body compared with
-- X-Hub-Signature in constant time, JSON parse, type check, topic filter
-- (accept all), headers from the payload.
--
-- The body is taken with ngx.req.get_body_data(), the usual Lua API: it
-- returns nil when nginx wrote the body to a temp file (a body larger than
-- client_body_buffer_size).  That case answers 500 on purpose: the
-- benchmark shows what the idiomatic peer does, it does not hide it.

local cjson = require "cjson.safe"
local bit = require "bit"

local byte, sub, lower, tostring, type = string.byte, string.sub, string.lower, tostring, type
local bor, bxor = bit.bor, bit.bxor
local hmac_sha1 = ngx.hmac_sha1
local null = cjson.null

local _M = {}

local secret
local topics = { ["*"] = true }          -- the topic filter: accept all

-- byte -> two lowercase hex digits, for string.gsub with a table
local HEX = {}
for i = 0, 255 do HEX[string.char(i)] = string.format("%02x", i) end

-- Reads the secret once, in init_by_lua (the master, before fork).
function _M.init(path)
    local f = assert(io.open(path, "rb"))
    secret = f:read("*a")
    f:close()
    assert(#secret > 0, "empty secret")
end

-- Constant-time comparison of two strings of the same length.
local function equal(a, b)
    if #a ~= #b then return false end
    local d = 0
    for i = 1, #a do
        d = bor(d, bxor(byte(a, i), byte(b, i)))
    end
    return d == 0
end

-- Sets a request header from a scalar payload value; null/absent: none.
local function header(name, v)
    local t = type(v)
    if t == "string" or t == "number" then
        ngx.req.set_header(name, tostring(v))
    else
        ngx.req.clear_header(name)
    end
end

function _M.access()
    ngx.req.read_body()
    local body = ngx.req.get_body_data()
    if not body then
        ngx.log(ngx.ERR, "intercom: the request body is not in memory (temp file?)")
        return ngx.exit(500)
    end

    local sig = ngx.var.http_x_hub_signature
    if type(sig) ~= "string" or #sig ~= 45 or sub(sig, 1, 5) ~= "sha1=" then
        return ngx.exit(401)
    end
    local mac = hmac_sha1(secret, body):gsub(".", HEX)
    if not equal(lower(sub(sig, 6)), mac) then
        return ngx.exit(401)
    end

    local doc = cjson.decode(body)
    if type(doc) ~= "table" or doc.type ~= "notification_event" then
        return ngx.exit(400)
    end
    local topic = doc.topic
    if type(topic) ~= "string" then
        return ngx.exit(400)
    end
    if not (topics["*"] or topics[topic]) then
        return ngx.exit(204)             -- not subscribed here: acknowledged
    end

    local data = doc.data
    local item = type(data) == "table" and data.item or null
    if type(item) ~= "table" then item = {} end

    header("X-Intercom-Topic", topic)
    header("X-Intercom-Notification-Id", doc.id)
    header("X-Intercom-App-Id", doc.app_id)
    header("X-Intercom-Item-Type", item.type)
    header("X-Intercom-Item-Id", item.id)
    header("X-Intercom-Delivery-Attempts", doc.delivery_attempts)
    header("X-Intercom-Created-At", doc.created_at)
end

return _M
