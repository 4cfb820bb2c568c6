#!/usr/bin/env python3
"""Answers seeded interviews one turn at a time, as bench/interview.lua does under wrk (the sessions
in turn, each answered with the next realistic answer of its waiting question's category).

  turns.py BASE_URL TOKEN LUA_DATA COUNT [STATE]

LUA_DATA is the file bench/seed_interviews.py wrote. STATE (a JSON file, read when it exists and
written at the end) carries where the interviews are from one call to the next, so that a run can
be split into a warm-up and a measured part. One keep-alive connection (benchlib.Api); exits
non-zero on the first answer that is not a 200.
"""
import json
import os
import re
import sys

from benchlib import Api

base, token, data_path, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
state_path = sys.argv[5] if len(sys.argv) > 5 else None

text = open(data_path).read()
sessions = re.findall(r'\{id = "([^"]+)", category = "([^"]+)"\}', text)
answers = {}
for category, body in re.findall(r'\["([^"]+)"\] = \{(.*?)\n    \}', text, re.S):
    answers[category] = [json.loads(json.loads(line.strip().rstrip(","))) for line in body.strip().splitlines()]
if not sessions or not answers:
    sys.exit(f"turns: {data_path} holds no sessions or answers")

state = {"next": 0, "answer": 0, "category": {sid: category for sid, category in sessions}}
if state_path and os.path.exists(state_path):
    state = json.load(open(state_path))

call = Api(base, token).call
for _ in range(count):
    sid = sessions[state["next"] % len(sessions)][0]
    state["next"] += 1
    texts = answers.get(state["category"][sid]) or answers["goals"]
    state["answer"] += 1
    out = call("POST", f"/api/v1/sessions/{sid}/answer", texts[state["answer"] % len(texts)], expect=200)
    question = out.get("next_question") or {}
    if question.get("category"):
        state["category"][sid] = question["category"]

if state_path:
    json.dump(state, open(state_path, "w"))
