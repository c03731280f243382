-- bench/stress.lua - wrk script for the small-write test of bench/run (run by the bench tool's
-- `smallwrk` command, SMALL_CLIENT=wrk|both): every request POSTs a fresh batch of LINES_PER_REQ
-- line-protocol lines (default 10), timestamps in ns (the URL must say precision=ns).
--
--   wrk -t2 -c64 -d30s --timeout 10s -s bench/stress.lua URL -- T0_MS LINES_PER_REQ
--
-- Each wrk thread numbers its requests 1, 2, 3, ...; request n carries
-- timestamp T0_MS + n milliseconds and lines for series
--   stress,client=t<thread>c<n % 64>,slot=s<k>   (k = 0 .. LINES_PER_REQ-1)
-- so every (series, timestamp) pair is unique and the server must store
-- exactly LINES_PER_REQ points per accepted request (checked afterwards).
-- done() prints one line "STRESS_JSON {...}" with counts and latency (ms).

local next_id = 0
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end

local counter, t0ms, nlines = 0, 0, 10
local prefixes = {}

function init(args)
  t0ms = tonumber(args[1]) or 1706745600000
  nlines = tonumber(args[2]) or 10
  for v = 0, 63 do
    prefixes[v] = {}
    for k = 0, nlines - 1 do
      prefixes[v][k + 1] = "stress,client=t" .. tid .. "c" .. v .. ",slot=s" .. k .. " value="
    end
  end
end

local headers = { ["Content-Type"] = "text/plain; charset=utf-8" }

function request()
  counter = counter + 1
  local p = prefixes[counter % 64]
  local tail = string.format("%d %.0f000000\n", counter, t0ms + counter)
  local parts = {}
  for k = 1, nlines do parts[k] = p[k] .. tail end
  return wrk.format("POST", nil, headers, table.concat(parts))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'STRESS_JSON {"requests":%d,"duration_s":%.3f,"bytes_read":%d,' ..
    '"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d,' ..
    '"lat_ms_mean":%.3f,"lat_ms_p50":%.3f,"lat_ms_p95":%.3f,"lat_ms_p99":%.3f,"lat_ms_max":%.3f}\n',
    summary.requests, summary.duration / 1e6, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean / 1000, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
