#!/usr/bin/env python3
"""Checks that the benchmark's interview answers are not the engine's own test material.

  check_answers.py [ANSWERS_JSON]      (default: bench/interview_answers.json)

A benchmark that answers with the sentences the engine is tested on measures the cases the
extractor was tuned for. This refuses (exit 1, naming each) any answer sentence that
  - equals a sentence of the tests (tests/data/*.json and the string literals of tests/**/*.cpp,
    *.hpp: the extraction cases, the engine's tests, the e2e scripts), of the engine's data files
    (libs/engine/data/*.json: the lexicon, the question bank, the taxonomy) or of docs/domain.md's
    quoted examples, or
  - contains a sentence of six words or more of the tests or docs/domain.md, or is contained in
    one (the data files' phrases, "at the same time", "i do not know", are what the extractor
    looks for in any answer: an answer may contain them),
after normalising case, quotes, whitespace and the punctuation around words. Every category of
libs/engine/data/taxonomy.json must have answers. Prints a one-line summary when all is well."""
import glob
import json
import os
import re
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sentences(text):
    """TEXT's sentences and clauses (split at . ! ? ; and line ends), normalised."""
    text = text.replace("\\n", "\n")
    for part in re.split(r"(?<=[.!?;])\s+|[;\n]", text):
        words = re.findall(r"[\w%.,'/-]+", part.lower().replace("’", "'"))
        words = [w.strip(".,'") for w in words]
        normal = " ".join(w for w in words if w)
        if normal:
            yield normal


def json_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)


def reference_texts():
    """(source, text) pairs of everything the answers must not repeat."""
    for path in sorted(glob.glob(os.path.join(root, "tests/data/*.json")) +
                       glob.glob(os.path.join(root, "libs/engine/data/*.json"))):
        for text in json_strings(json.load(open(path))):
            yield os.path.relpath(path, root), text
    for path in sorted(glob.glob(os.path.join(root, "tests/**/*.[ch]pp"), recursive=True)):
        source = open(path, errors="replace").read()
        for raw in re.findall(r'R"\((.*?)\)"', source, re.S):
            yield os.path.relpath(path, root), raw
        for literal in re.findall(r'"((?:[^"\\\n]|\\.)*)"', source):
            yield os.path.relpath(path, root), literal
    domain = open(os.path.join(root, "docs/domain.md")).read()
    for quoted in re.findall(r'"([^"\n]+)"', domain):
        yield "docs/domain.md", quoted


def check(path):
    """Returns (problems, summary) for the answers file PATH."""
    answers = json.load(open(path))["answers"]
    references, long_references = {}, {}
    for source, text in reference_texts():
        for sentence in sentences(text):
            references.setdefault(sentence, source)
            if len(sentence.split()) >= 6 and not source.startswith("libs/engine/data/"):
                long_references.setdefault(sentence, source)

    problems = []
    categories = {c["name"] for c in json.load(open(os.path.join(root, "libs/engine/data/taxonomy.json")))["categories"]}
    for missing in sorted(categories - {c for c, texts in answers.items() if texts}):
        problems.append(f"no answers for the category '{missing}'")
    for unknown in sorted(set(answers) - categories):
        problems.append(f"'{unknown}' is not a category of libs/engine/data/taxonomy.json")
    count = 0
    for category, texts in answers.items():
        for answer in texts:
            count += 1
            for sentence in sentences(answer):
                if sentence in references:
                    problems.append(f"{category}: '{sentence}' is a sentence of {references[sentence]}")
                    continue
                padded = f" {sentence} "
                for reference, source in long_references.items():
                    if f" {reference} " in padded or (len(sentence.split()) >= 6 and padded in f" {reference} "):
                        problems.append(f"{category}: '{sentence}' shares '{reference}' with {source}")
                        break
    return problems, (f"{count} answers in {len(answers)} categories, none repeats a sentence of the tests, "
                      f"the engine's data files or docs/domain.md ({len(references)} sentences compared)")


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "bench/interview_answers.json")
    problems, summary = check(path)
    if problems:
        print(f"check_answers: {path} repeats test material:", *problems, sep="\n  ", file=sys.stderr)
        return 1
    print(f"check_answers: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
