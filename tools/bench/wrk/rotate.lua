-- wrk script: POST a different body on every request, each body sent once.
--   wrk -t T -c C -d D -s rotate.lua URL -- BODIES_FILE PATH T
-- BODIES_FILE holds one request body per line. Thread k sends lines k+1, k+1+T, k+1+2T, ...; a thread that
-- runs out starts its share again and counts each body sent a second time in "repeats" (the caller sizes the
-- file so that this stays 0 where it matters: then no leaf reaches the server twice).
-- A response that is not 200 with "PASSED" in it counts as an error.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  bodies = {}
  for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
  path = args[2]
  stride = tonumber(args[3])
  nxt = id + 1
  bad = 0
  repeats = 0
  headers = { ["Content-Type"] = "application/json" }
end

function request()
  local body = bodies[nxt]
  if body == nil then
    nxt = id + 1
    body = bodies[nxt]
  end
  if wrapped then repeats = repeats + 1 end
  nxt = nxt + stride
  if bodies[nxt] == nil then wrapped = true end
  return wrk.format("POST", path, headers, body)
end

function response(status, hdrs, body)
  if status ~= 200 or not string.find(body, "PASSED", 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local errors, repeated = 0, 0
  for _, t in ipairs(threads) do
    errors = errors + t:get("bad")
    repeated = repeated + t:get("repeats")
  end
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "bad": %d, "repeats": %d, ' ..
    '"socket_errors": %d, "non_2xx": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), errors, repeated,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
