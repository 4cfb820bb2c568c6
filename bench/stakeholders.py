#!/usr/bin/env python3
"""Simulated stakeholders: scripted personas answer the real interview through the API.

  stakeholders.py BASE_URL [--json FILE] [--floor FILE]

Each persona (bench/stakeholders.json) holds a hidden list of true requirements. It answers each
question the host asks from that list: the answer to a question about category X states the
persona's next fact of X not stated yet, in one of the fact's phrasings (the persona's number picks
which, so personas differ), or "I don't know" when it has none left in X (a wasted question; with 12 facts and 40 questions at
least 28 are wasted, so the figures after 10 and 20 questions tell more). After
10, 20 and 40 questions the harness reads the project's current specifications and counts the
hidden requirements recorded correctly: a specification of the fact's category whose key is the
fact's slot (a multi slot's `<slot>_<value>`, `fr_...` for a functional requirement) and whose
value is the fact's value (a quantity: amount and unit; a choice: the term) or, for a fact with
`contains`, holds each of those words. With --floor FILE (bench/stakeholders_floor.json) it exits 1
when a persona's share after 40 questions is under its floor.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import Api  # noqa: E402

CHECKPOINTS = (10, 20, 40)
MULTI_SLOTS = {"api_style", "ci_cd", "platform", "authentication_method", "compliance", "monitoring_tool", "test_tool"}
QUANTITY = re.compile(r"^\s*(?:[<>]=?|\u2264|\u2265)?\s*([\d.]+)\s*([^\d\s].*)?$")


def key_matches(key, slot):
    if key == slot:
        return True
    if slot == "fr":
        return key.startswith("fr_")
    if slot == "usability":
        return key.startswith("usability")
    return slot in MULTI_SLOTS and key.startswith(slot + "_")


def unit_form(unit):
    unit = (unit or "").strip().lower()
    return unit[:-1] if len(unit) > 2 and unit.endswith("s") else unit


def recorded(fact, specifications):
    check = fact["check"]
    for spec in specifications:
        if spec["category"] != check["category"]:
            continue
        if "slot" in check and not key_matches(spec["key"], check["slot"]):
            continue
        value = spec["value"]
        if "amount" in check:
            m = QUANTITY.match(value)
            if not m or abs(float(m.group(1)) - check["amount"]) > 1e-9 or unit_form(m.group(2)) != unit_form(check.get("unit")):
                continue
        if "value" in check and check["value"].lower() not in [v.strip().lower() for v in value.split(",")]:
            continue
        if any(word.lower() not in value.lower() for word in check.get("contains", [])):
            continue
        return True
    return False


def run_persona(api, number, persona):
    project = api.call("POST", "/api/v1/projects", {"name": persona["name"], "description": persona["product"]})
    session = api.call("POST", f"/api/v1/projects/{project['id']}/sessions", {"mode": "socratic"})
    facts = persona["facts"]
    stated = set()
    wasted = 0
    asked = []
    results = {}
    question = api.call("POST", f"/api/v1/sessions/{session['id']}/next-question")
    for turn in range(1, max(CHECKPOINTS) + 1):
        category = question["category"]
        asked.append(category)
        pending = [i for i, f in enumerate(facts) if f["category"] == category and i not in stated]
        if pending:
            index = pending[0]
            stated.add(index)
            phrasings = facts[index]["say"]
            answer = phrasings[(number + index) % len(phrasings)]
        else:
            wasted += 1
            answer = "I don't know."
        reply = api.call("POST", f"/api/v1/sessions/{session['id']}/answer", {"answer": answer})
        if turn in CHECKPOINTS:
            specs = api.call("GET", f"/api/v1/projects/{project['id']}/specifications?limit=200")
            specs = specs["items"] if isinstance(specs, dict) else specs
            results[turn] = {"recorded": sum(1 for f in facts if recorded(f, specs)), "wasted": wasted}
        question = reply.get("next_question") or api.call("POST", f"/api/v1/sessions/{session['id']}/next-question")
    return {"name": persona["name"], "facts": len(facts), "checkpoints": results, "categories_asked": asked}


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    base = args[0]
    json_out = args[args.index("--json") + 1] if "--json" in args else None
    floor_file = args[args.index("--floor") + 1] if "--floor" in args else None
    personas = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "stakeholders.json")))["personas"]
    api = Api(base)
    api.register_and_login(f"stakeholders-{os.getpid()}@example.org", "stakeholder-password-1")
    report = [run_persona(api, n, p) for n, p in enumerate(personas)]
    print(f"{'persona':24} {'facts':>5}  " + "  ".join(f"{'after ' + str(c) + ' (wasted)':>20}" for c in CHECKPOINTS))
    total = {c: 0 for c in CHECKPOINTS}
    for r in report:
        cells = []
        for c in CHECKPOINTS:
            got = r["checkpoints"][c]["recorded"]
            total[c] += got
            cells.append(f"{got:>2} {100.0 * got / r['facts']:5.1f}% ({r['checkpoints'][c]['wasted']:>2})".rjust(20))
        print(f"{r['name']:24} {r['facts']:>5}  " + "  ".join(cells))
    facts = sum(r["facts"] for r in report)
    print(f"{'all':24} {facts:>5}  " + "  ".join(f"{total[c]:>2} {100.0 * total[c] / facts:5.1f}%".rjust(20) for c in CHECKPOINTS))
    if json_out:
        json.dump(report, open(json_out, "w"), indent=1)
    if floor_file:
        floors = json.load(open(floor_file))["floors"]
        failures = [f"{r['name']}: {100.0 * r['checkpoints'][40]['recorded'] / r['facts']:.1f}% < {floors[r['name']]}%"
                    for r in report if 100.0 * r["checkpoints"][40]["recorded"] / r["facts"] + 1e-9 < floors.get(r["name"], 0)]
        if failures:
            print("BELOW FLOOR (" + floor_file + "):", *failures, sep="\n  ")
            return 1
        print(f"all personas at or above the floor in {floor_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
