-- wrk script for bench/interview.sh: interview turns. Each request answers the question waiting in
-- one of the seeded sessions with a realistic answer of that question's category; the answer's
-- response names the next question, whose category picks the next answer for that session.
--   TOKEN=<token> DATA=<lua file from seed_interviews.py> wrk -s bench/interview.lua http://127.0.0.1:PORT
-- Sessions are dealt out to wrk's threads (thread k takes every n-th), and each thread cycles
-- through its own, so no two threads ever answer in the same session. Answers are counted by
-- status (bench/status.lua, EXPECT).
local status = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "status.lua")
local data = dofile(assert(os.getenv("DATA"), "set DATA to the seeded interviews file"))
local token = assert(os.getenv("TOKEN"), "set TOKEN to an access token")
-- THINK_MS: the mean time each interview takes before its next answer (a person reading and
-- typing), drawn uniformly from 0.5x to 1.5x of it: people do not answer in step, and a fixed pause
-- would keep interviews that once collided colliding at every turn. wrk measures each answer's
-- latency without it. 0: answer at once (saturation).
local think = tonumber(os.getenv("THINK_MS") or "0")

local mine, next_index, answer_index, category_of = {}, 0, 0, {}

function init(args)
  math.randomseed(os.time() * 100 + tid)
  local n = tonumber(os.getenv("WRK_THREADS") or "1")
  for i, s in ipairs(data.sessions) do
    if (i - 1) % n == (tid - 1) then
      table.insert(mine, s.id)
      category_of[s.id] = s.category
    end
  end
  assert(#mine > 0, "more wrk threads than seeded sessions")
end

local headers = {["Content-Type"] = "application/json", ["Connection"] = "keep-alive",
                 ["Authorization"] = "Bearer " .. token}

function request()
  next_index = next_index % #mine + 1
  local id = mine[next_index]
  local answers = data.answers[category_of[id]] or data.answers["goals"]
  answer_index = answer_index + 1
  local body = answers[answer_index % #answers + 1]
  status.stamp(headers)
  return wrk.format("POST", "/api/v1/sessions/" .. id .. "/answer", headers, body)
end

function response(code, headers, body)
  status.count(code)
  status.time(code, headers)
  if code ~= 200 then return end
  local category, id = body:match('"next_question":{"answered":false,"category":"([%w_]+)".-"session_id":"([%x%-]+)"')
  if id and category_of[id] then category_of[id] = category end
end

if think > 0 then
  function delay() return math.floor(think * (0.5 + math.random())) end
end
