-- t/faults/wrk.lua: the wrk script of util/faults.  Sends one kind of
-- request on every request (one wrk run per kind of traffic), counts the
-- statuses of the answers, and prints one line at the end:
--
--   FAULTS label=L requests=N expected=N unexpected=N statuses=200:N,...
--          connect=N read=N write=N timeout=N
--
-- environment:
--   FAULTS_LABEL   the name of the kind, for the closing line
--   FAULTS_EXPECT  the status every answer should have (e.g. 200)
--   FAULTS_BODY    a file sent byte for byte as the body (none if unset)
--   FAULTS_SIG     the X-Hub-Signature value (no header if unset)
--   FAULTS_METHOD  the method (POST)
--   FAULTS_MODE    the X-Faults-Mode header for the application (none)
--   FAULTS_CLOSE   "1": Connection: close on every request

local function env(name, default)
    local v = os.getenv(name)
    if v == nil or v == "" then return default end
    return v
end

wrk.method = env("FAULTS_METHOD", "POST")

local path = env("FAULTS_BODY", nil)
if path then
    local f = assert(io.open(path, "rb"))
    wrk.body = f:read("*a")
    f:close()
    wrk.headers["Content-Type"] = "application/json"
end

wrk.headers["Accept"] = "application/json"
wrk.headers["User-Agent"] = "intercom-parrot-service-client/1.0"

local sig = env("FAULTS_SIG", nil)
if sig then wrk.headers["X-Hub-Signature"] = sig end

local mode = env("FAULTS_MODE", nil)
if mode then wrk.headers["X-Faults-Mode"] = mode end

if env("FAULTS_CLOSE", "0") == "1" then
    wrk.headers["Connection"] = "close"
end

local expect = tonumber(env("FAULTS_EXPECT", "200"))

-- per thread
counts = {}

function response(status, headers, body)
    counts[status] = (counts[status] or 0) + 1
end

-- in the main state: the threads' counts, summed
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function done(summary, latency, requests)
    local total = {}
    for _, t in ipairs(threads) do
        for status, n in pairs(t:get("counts")) do
            total[status] = (total[status] or 0) + n
        end
    end

    local keys, list, ok, bad = {}, {}, 0, 0
    for status in pairs(total) do table.insert(keys, status) end
    table.sort(keys)
    for _, status in ipairs(keys) do
        local n = total[status]
        table.insert(list, string.format("%d:%d", status, n))
        if status == expect then ok = ok + n else bad = bad + n end
    end

    local e = summary.errors
    io.write(string.format(
        "FAULTS label=%s requests=%d expected=%d unexpected=%d " ..
        "statuses=%s connect=%d read=%d write=%d timeout=%d\n",
        env("FAULTS_LABEL", "-"), summary.requests, ok, bad,
        #list > 0 and table.concat(list, ",") or "-",
        e.connect, e.read, e.write, e.timeout))
end
