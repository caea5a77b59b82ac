-- wrk script: POST /v1/lookup bodies whose declared URLs were never looked up before in the run, then
-- one JSON line of results on stdout. Each body is a fixed list of undeclared URLs (answered from the
-- URL filter, the same work whether repeated or not) with the next D URLs of a pool of declared ones
-- spread through it; a declared URL is never sent twice, so no answer comes from the rules the
-- isolate kept for URLs it looked up before (src/filter/covering-rules-cache.ts). When the pool runs
-- out the script sends an empty body (answered 400), so a run that outruns it shows as errors.
--   wrk ... -s bench/wrk/lookup-fresh.lua -- UNDECLARED_FILE DECLARED_FILE D
-- Both files hold one JSON string a line.
local report = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")
local parts = {}
local pool = {}
local n = 0
local d = 0
local at = 0

function init(args)
  local undeclared = {}
  for line in io.lines(args[1]) do undeclared[#undeclared + 1] = line end
  for line in io.lines(args[2]) do
    n = n + 1
    pool[n] = line
  end
  d = tonumber(args[3])
  -- D + 1 runs of undeclared URLs, with a declared one between each two.
  local per = math.floor(#undeclared / (d + 1))
  for k = 0, d do
    local last = k == d and #undeclared or (k + 1) * per
    parts[k + 1] = table.concat(undeclared, ",", k * per + 1, last)
  end
end

function request()
  local body = ""
  if at + d <= n then
    local pieces = { '{"urls":[' }
    for k = 1, d do
      pieces[#pieces + 1] = parts[k]
      pieces[#pieces + 1] = "," .. pool[at + k] .. ","
    end
    pieces[#pieces + 1] = parts[d + 1]
    pieces[#pieces + 1] = "]}"
    body = table.concat(pieces)
  end
  at = at + d
  return wrk.format("POST", nil, { ["content-type"] = "application/json" }, body)
end

function response(status, headers, body)
  if status >= 400 then report.first_failure(status, body) end
end

function done(summary, latency, requests)
  report.results(summary, latency)
end
