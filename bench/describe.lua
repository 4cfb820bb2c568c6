-- wrk script for bench/swap.sh and bench/bench.sh's describe scenario: POST
-- /api/v1/agents/socratic/describe with a user's token; answers counted by status and, with
-- LATENCY_LOG, timed one by one (bench/status.lua).
--   TOKEN=<access token> [LATENCY_LOG=PREFIX] wrk -s bench/describe.lua http://127.0.0.1:PORT/api/v1/agents/socratic/describe
-- Keep-alive, said explicitly (the host keeps HTTP/1.1 connections open unless asked to close).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "status.lua")
wrk.method = "POST"
wrk.body = "{}"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Connection"] = "keep-alive"
wrk.headers["Authorization"] = "Bearer " .. assert(os.getenv("TOKEN"), "set TOKEN to an access token")
