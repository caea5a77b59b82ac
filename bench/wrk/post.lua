-- wrk script: the same POST body on every request, then one JSON line of results on stdout.
--   wrk ... -s bench/wrk/post.lua -- BODY_FILE CONTENT_TYPE
local report = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "report.lua")
function init(args)
  local f = assert(io.open(args[1], "rb"))
  wrk.body = f:read("*a")
  f:close()
  wrk.method = "POST"
  wrk.headers["content-type"] = args[2]
end

-- The first non-2xx answer is printed (to stderr), so a failure can be read, not just counted.
function response(status, headers, body)
  if status >= 400 then report.first_failure(status, body) end
end

function done(summary, latency, requests)
  report.results(summary, latency)
end
