-- wrk script: GET requests cycling through a file of paths (one per line), then one JSON line of
-- results on stdout (with the latency histogram), so bench/run.ts can parse what wrk measured.
--   wrk ... -s bench/wrk/requests.lua -- PATHS_FILE
local report = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")
local paths = {}
local n = 0
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    n = n + 1
    paths[n] = line
  end
  -- each wrk thread starts at a different offset so threads do not replay the same sequence
  i = math.random(n) - 1
end

function request()
  i = (i % n) + 1
  return wrk.format("GET", paths[i])
end

function done(summary, latency, requests)
  report.results(summary, latency, report.histogram(latency))
end
