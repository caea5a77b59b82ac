-- wrk script: POST a different body on every request (one JSON document a line, in order), then one
-- JSON line of results on stdout. Bodies are not reused: when they run out the script sends an empty
-- body (answered 400) so a workload that outruns its bodies shows as errors, never as repeats.
-- Answers are counted by status: 201 (created) is what a registration benchmark counts.
--   wrk ... -s bench/wrk/post-each.lua -- BODIES_FILE
local report = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")
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

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  else
    others = others + 1
    report.first_failure(status, body)
  end
end

function done(summary, latency, requests)
  local c, o = 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    o = o + t:get("others")
  end
  report.results(summary, latency, string.format(',"created":%d,"others":%d', c, o))
end
