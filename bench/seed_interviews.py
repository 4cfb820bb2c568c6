#!/usr/bin/env python3
"""Seeds interviews for bench/interview.lua and writes the Lua data file it reads.

  seed_interviews.py BASE_URL TOKEN COUNT ANSWERS_JSON OUT_LUA

Creates COUNT projects, one socratic session each, asks each session its first question, and
writes OUT_LUA: the sessions (id and the category of the question waiting in it) and realistic
answers per category (ANSWERS_JSON, bench/interview_answers.json: written for the benchmark, and
refused when a sentence of it is one of the engine's test cases, bench/check_answers.py). Uses one
keep-alive connection (benchlib.Api).
"""
import json
import sys

from benchlib import Api, lua_string
from check_answers import check

base, token, count, answers_path, out_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
problems, _ = check(answers_path)
if problems:
    sys.exit(f"seed_interviews: {answers_path} repeats test material:\n  " + "\n  ".join(problems))
call = Api(base, token).call

sessions = []
for i in range(count):
    project = call("POST", "/api/v1/projects", {"name": f"Interview {i + 1}",
                                                "description": "an online ordering service for bakeries"})
    session = call("POST", f"/api/v1/projects/{project['id']}/sessions", {"mode": "socratic"})
    question = call("POST", f"/api/v1/sessions/{session['id']}/next-question")
    sessions.append((session["id"], question["category"]))

by_category = json.load(open(answers_path))["answers"]

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
