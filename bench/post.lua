-- wrk script for bench/bench.sh: POSTs JSON bodies to the URL given to wrk, cycling through the
-- bodies of a Lua file (written by bench/seed.py). Answers are counted by status (bench/status.lua:
-- EXPECT names the statuses that count, so a 200 where a 201 is due is an error).
--   DATA=<lua file returning a list of JSON bodies> EXPECT=201 [TOKEN=<access token>] \
--     wrk -s bench/post.lua http://127.0.0.1:PORT/api/v1/projects
local status = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "status.lua")
local bodies = dofile(assert(os.getenv("DATA"), "set DATA to a file of request bodies"))
local token = os.getenv("TOKEN")

local headers = {["Content-Type"] = "application/json", ["Connection"] = "keep-alive"}
if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end

-- Each thread starts at its own place in the list.
local index = 0

function init(args)
  index = (tid or 1) - 1
end

function request()
  index = index % #bodies + 1
  status.stamp(headers)
  return wrk.format("POST", nil, headers, bodies[index])
end
