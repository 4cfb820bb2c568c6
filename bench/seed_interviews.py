#!/usr/bin/env python3
"""Seeds interviews for bench/interview.lua and writes the Lua data file it reads.

  seed_interviews.py BASE_URL TOKEN COUNT ANSWERS_JSON OUT_LUA

Creates COUNT projects, one socratic session each, asks each session its first question, and
writes OUT_LUA: the sessions (id and the category of the question waiting in it) and realistic
answers per category taken from the engine's table of extraction cases (ANSWERS_JSON). Uses one
keep-alive connection (benchlib.Api).
"""
import json
import sys

from benchlib import Api, lua_string

base, token, count, answers_path, out_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
call = Api(base, token).call

sessions = []
for i in range(count):
    project = call("POST", "/api/v1/projects", {"name": f"Interview {i + 1}",
                                                "description": "an online ordering service for bakeries"})
    session = call("POST", f"/api/v1/projects/{project['id']}/sessions", {"mode": "socratic"})
    question = call("POST", f"/api/v1/sessions/{session['id']}/next-question")
    sessions.append((session["id"], question["category"]))

by_category = {}
for case in json.load(open(answers_path))["cases"]:
    category = case.get("question_category") or ""
    if category:
        by_category.setdefault(category, []).append(case["answer"])

with open(out_path, "w") as out:
    out.write("return {\n  sessions = {\n")
    for sid, category in sessions:
        out.write(f"    {{id = {lua_string(sid)}, category = {lua_string(category)}}},\n")
    out.write("  },\n  answers = {\n")
    for category, texts in sorted(by_category.items()):
        out.write(f"    [{lua_string(category)}] = {{\n")
        for text in texts:
            # The answer goes into a JSON body as is: store it already encoded.
            out.write(f"      {lua_string(json.dumps({'answer': text}))},\n")
        out.write("    },\n")
    out.write("  },\n}\n")
print(f"seeded {len(sessions)} interviews, answers for {len(by_category)} categories")
