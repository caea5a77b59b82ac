-- What every wrk script here shares: the first failed answer printed to stderr (so a failure can be
-- read, not just counted) and one JSON line of results on stdout that bench/run.ts parses.
--   local report = dofile(<this directory> .. "report.lua")
local report = {}

local reported = false
function report.first_failure(status, body)
  if not reported then
    reported = true
    io.stderr:write(string.format("status %d: %s\n", status, string.sub(body or "", 1, 500)))
  end
end

-- extra: further fields already formatted as JSON members (',"created":3'), or nil.
function report.results(summary, latency, extra)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"errors":%d,"status_errors":%d%s}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status, extra or ""))
end

-- The latency histogram as a JSON member (',"histogram":[[us,count],...]'), so that bench/run.ts can
-- pool the requests of several runs and read percentiles of them all. latency(i) is wrk's i-th
-- distinct value and its count.
function report.histogram(latency)
  local parts = {}
  for i = 1, #latency do
    local value, count = latency(i)
    parts[i] = string.format("[%d,%d]", value, count)
  end
  return ',"histogram":[' .. table.concat(parts, ",") .. "]"
end

return report
