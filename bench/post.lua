-- wrk script for bench/bench.sh: POSTs JSON bodies to the URL given to wrk, cycling through the
-- bodies of a Lua file (written by bench/seed.py), and counts every answer whose status is not
-- EXPECT; done() prints that count as "Unexpected status: N" (benchlib.parse_wrk reads it in
-- place of wrk's own non-2xx count, so a 200 where a 201 is due counts as an error).
--   DATA=<lua file returning a list of JSON bodies> EXPECT=201 [TOKEN=<access token>] \
--     wrk -s bench/post.lua http://127.0.0.1:PORT/api/v1/projects
local bodies = dofile(assert(os.getenv("DATA"), "set DATA to a file of request bodies"))
local expect = tonumber(os.getenv("EXPECT") or "200")
local token = os.getenv("TOKEN")

local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

local headers = {["Content-Type"] = "application/json", ["Connection"] = "keep-alive"}
if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end

-- Each thread starts at its own place in the list.
local index = 0
unexpected = 0

function init(args)
  index = (tid or 1) - 1
end

function request()
  index = index % #bodies + 1
  return wrk.format("POST", nil, headers, bodies[index])
end

function response(status, headers, body)
  if status ~= expect then unexpected = unexpected + 1 end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + (thread:get("unexpected") or 0) end
  io.write(string.format("Unexpected status: %d (expected %d)\n", total, expect))
end
