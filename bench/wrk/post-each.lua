-- wrk script: POST a different body on every request (one JSON document a line, in order), then one
-- JSON line of results on stdout. Bodies are not reused: when they run out the script sends an empty
-- body (answered 400) so a workload that outruns its bodies shows as errors, never as repeats.
-- Answers are counted by status: 201 (created) is what a registration benchmark counts.
--   wrk ... -s bench/wrk/post-each.lua -- BODIES_FILE
local bodies = {}
local n = 0
local i = 0
-- globals of each thread's Lua state, read back in done() through thread:get
created = 0
others = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    n = n + 1
    bodies[n] = line
  end
end

function request()
  i = i + 1
  local body = i <= n and bodies[i] or ""
  return wrk.format("POST", nil, { ["content-type"] = "application/json" }, body)
end

local reported = false
function response(status, headers, body)
  if status == 201 then
    created = created + 1
  else
    others = others + 1
    if not reported then
      reported = true
      io.stderr:write(string.format("status %d: %s\n", status, string.sub(body or "", 1, 500)))
    end
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local c, o = 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    o = o + t:get("others")
  end
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"errors":%d,"status_errors":%d,"created":%d,"others":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status, c, o))
end
