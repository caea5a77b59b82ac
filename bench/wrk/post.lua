-- wrk script: the same POST body on every request, then one JSON line of results on stdout.
--   wrk ... -s bench/wrk/post.lua -- BODY_FILE CONTENT_TYPE
function init(args)
  local f = assert(io.open(args[1], "rb"))
  wrk.body = f:read("*a")
  f:close()
  wrk.method = "POST"
  wrk.headers["content-type"] = args[2]
end

-- The first non-2xx answer is printed (to stderr), so a failure can be read, not just counted.
local reported = false
function response(status, headers, body)
  if status >= 400 and not reported then
    reported = true
    io.stderr:write(string.format("non-2xx %d: %s\n", status, string.sub(body or "", 1, 500)))
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"errors":%d,"status_errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
