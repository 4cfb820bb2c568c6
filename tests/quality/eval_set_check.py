#!/usr/bin/env python3
"""Checks the labelled evaluation set (tests/data/eval, format in its README).

  eval_set_check.py [EVAL_DIR]

Refuses (exit 1, naming each problem):
  - a sentence that is, contains or is contained in test material or the engine's data
    (bench/check_answers.py decides what counts: tests/data/*.json, string literals of tests/**,
    libs/engine/data/*.json, docs/domain.md's quoted examples): the set measures what the engine
    was not written against;
  - a sentence that appears in both halves, or twice;
  - fewer than 30 interviews or 400 sentences in all;
  - a label whose category is not in the taxonomy, or whose slot is neither a lexicon slot, a
    metric key (with a `_later`/`_peak` role or a `<qualifier>_retention_period` form), `fr` nor
    `usability`; a quantity without a unit member."""
import importlib.util
import json
import os
import sys

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
spec = importlib.util.spec_from_file_location("check_answers", os.path.join(root, "bench/check_answers.py"))
check_answers = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_answers)


def main():
    eval_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "tests/data/eval")
    taxonomy = json.load(open(os.path.join(root, "libs/engine/data/taxonomy.json")))
    lexicon = json.load(open(os.path.join(root, "libs/engine/data/lexicon.json")))
    categories = {c["name"] for c in taxonomy["categories"]}
    slots = {s["name"] for s in lexicon["slots"]} | {"fr", "usability"}
    for metric in lexicon["metrics"]:
        for key in [metric["key"]] + [metric.get("qualified_key", "").replace("{qualifier}", q["name"])
                                      for q in metric.get("qualifiers", [])]:
            slots |= {key, key + "_later", key + "_peak"}

    references, long_references = {}, {}
    for source, text in check_answers.reference_texts():
        for sentence in check_answers.sentences(text):
            references.setdefault(sentence, source)
            if len(sentence.split()) >= 6 and not source.startswith("libs/engine/data/"):
                long_references.setdefault(sentence, source)

    problems, seen = [], {}
    interviews = sentence_count = 0
    for half in ("development", "held"):
        document = json.load(open(os.path.join(eval_dir, half + ".json")))
        if document.get("format") != 1 or document.get("half") != half:
            problems.append(f"{half}.json: expected format 1 and half '{half}'")
        for interview in document["interviews"]:
            interviews += 1
            for turn in interview["turns"]:
                if turn["question_category"] not in categories:
                    problems.append(f"{interview['name']}: unknown question category {turn['question_category']}")
                for sentence in turn["sentences"]:
                    sentence_count += 1
                    text = sentence["text"]
                    where = f"{half}/{interview['name']}: '{text}'"
                    if text in seen:
                        problems.append(f"{where} appears twice (also in {seen[text]})")
                    seen[text] = half
                    for label in sentence["states"] + sentence.get("not", []):
                        if label["category"] not in categories:
                            problems.append(f"{where}: unknown category {label['category']}")
                        if "slot" in label and label["slot"] not in slots:
                            problems.append(f"{where}: unknown slot {label['slot']}")
                        if isinstance(label.get("value"), (int, float)) and "unit" not in label:
                            problems.append(f"{where}: a quantity needs a unit (\"\" for a count)")
                    for normal in check_answers.sentences(text):
                        if normal in references:
                            problems.append(f"{where} is a sentence of {references[normal]}")
                            continue
                        padded = f" {normal} "
                        for reference, source in long_references.items():
                            if f" {reference} " in padded or (len(normal.split()) >= 6 and padded in f" {reference} "):
                                problems.append(f"{where} shares '{reference}' with {source}")
                                break
    if interviews < 30 or sentence_count < 400:
        problems.append(f"{interviews} interviews and {sentence_count} sentences: at least 30 and 400 are needed")
    if problems:
        print("eval_set_check:", *problems, sep="\n  ", file=sys.stderr)
        return 1
    print(f"eval_set_check: {interviews} interviews, {sentence_count} sentences, labels valid, "
          f"none repeats test material or the engine's data ({len(references)} sentences compared)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
