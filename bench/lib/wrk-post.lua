-- wrk script of the benchmark: POSTs one signed Intercom body, as Intercom
-- sends it, on every request, and prints one machine-readable line at the
-- end for bench/run.
--
-- environment:
--   BENCH_BODY  path of the body file (sent byte for byte)
--   BENCH_SIG   the X-Hub-Signature value ("sha1=<hex>")

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
