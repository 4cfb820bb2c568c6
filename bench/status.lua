-- Counts wrk's answers by status, for every wrk run of bench/bench.sh and bench/swap.sh: wrk's own
-- Requests/sec and latency histogram hold every answer, whatever its status (and it counts only
-- statuses over 399 as errors), so a host answering 503 fast would look fast.
--
-- Used on its own (`wrk -s bench/status.lua URL`, wrk's static request) or loaded by a scenario's
-- script, which then calls status.setup(thread) from its setup() and status.count(code) from its
-- response() (or keeps the globals this file defines):
--   local status = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "status.lua")
-- Settings (environment):
--   EXPECT=200 or EXPECT=200,201   the statuses the scenario expects (default 200)
--   LATENCY_LOG=PREFIX              also time each request on its own: every wrk thread writes
--                                   PREFIX.<thread> with a line "sent_us latency_us status" per answer
--                                   (sent: CLOCK_REALTIME µs). It tags each request with an
--                                   X-Request-Id holding its send time and reads it back from the
--                                   answer (the host echoes a caller's id), since wrk tells a
--                                   script neither a request's latency nor its connection.
-- done() prints, after wrk's summary (benchlib.parse_wrk reads these lines):
--   Statuses: 200=12345 503=2
--   Expected statuses: 200
--   Duration us: 10001234
local status = {}

local expected_list = os.getenv("EXPECT") or "200"
local expected = {}
for code in expected_list:gmatch("%d+") do expected[tonumber(code)] = true end
assert(next(expected), "EXPECT must list status codes, e.g. 200 or 200,201")

-- Globals, so that done() can read each thread's copy through thread:get().
counts = {}
tid = tid or 0

local threads = {}
function status.setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function status.count(code)
  counts[code] = (counts[code] or 0) + 1
end

function status.done(summary)
  local total = {}
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("counts") or {}) do total[code] = (total[code] or 0) + n end
  end
  local codes = {}
  for code in pairs(total) do table.insert(codes, code) end
  table.sort(codes)
  local cells = {}
  for _, code in ipairs(codes) do table.insert(cells, code .. "=" .. total[code]) end
  io.write("Statuses: " .. table.concat(cells, " ") .. "\n")
  io.write("Expected statuses: " .. expected_list .. "\n")
  io.write(string.format("Duration us: %d\n", summary.duration))
end

-- LATENCY_LOG: each request's own send time and latency.
local log_prefix = os.getenv("LATENCY_LOG")
if log_prefix and log_prefix ~= "" then
  local ffi = require("ffi")
  ffi.cdef [[
    typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
    int clock_gettime(int clock_id, bench_timespec* ts);
  ]]
  local now_ts = ffi.new("bench_timespec")
  local function now_us()
    ffi.C.clock_gettime(0, now_ts)  -- CLOCK_REALTIME: comparable with the other processes' clocks
    return tonumber(now_ts.tv_sec) * 1000000 + math.floor(tonumber(now_ts.tv_nsec) / 1000)
  end
  local log, sequence = nil, 0

  -- Tags a request's headers (default: wrk.headers) with its send time; call it last, just before
  -- formatting the request.
  function status.stamp(headers)
    sequence = sequence + 1
    (headers or wrk.headers)["X-Request-Id"] = string.format("t%d-%d-%d", tid, sequence, now_us())
  end

  -- Writes the answer's line; an answer without our id (another server) is counted, not timed.
  function status.time(code, headers)
    local id = headers["X-Request-Id"] or headers["x-request-id"]
    local sent = id and tonumber(id:match("^t%d+%-%d+%-(%d+)$"))
    if not sent then return end
    if not log then
      log = assert(io.open(log_prefix .. "." .. tid, "w"))
      log:setvbuf("full", 65536)  -- written out when wrk exits
    end
    log:write(string.format("%.0f %.0f %d\n", sent, now_us() - sent, code))
  end

  function request()
    status.stamp()
    return wrk.format()
  end
else
  function status.stamp() end
  function status.time() end
end

-- The globals wrk calls, for a script that keeps them.
setup = status.setup
done = status.done
function response(code, headers, body)
  status.count(code)
  status.time(code, headers)
end

return status
