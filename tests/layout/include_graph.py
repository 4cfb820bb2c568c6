#!/usr/bin/env python3
"""The include graph of docs/architecture.md, checked on the sources: every #include of every file
under host/, sdk/, libs/ and plugins/ against the arrows that must never exist. Prints each
forbidden include (file:line and the rule it breaks) and exits 1; prints a summary and exits 0
when there is none."""
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def standard(name):
    # <string>, <cstdint>, <sys/socket.h>-style system headers have no project prefix.
    return "/" not in name or name.startswith(("sys/", "netinet/", "arpa/"))


# (folder, description, predicate telling whether an included name is forbidden there)
RULES = [
    ("host/rest", "REST reaches no database, no composition root and no agent",
     lambda n: n.startswith(("host/db/", "host/app/", "plugins/", "socrates/dialogue/"))),
    ("host/mcp", "the MCP server is transport-independent: no HTTP, no database, no composition root, no agent",
     lambda n: n.startswith(("host/rest/", "host/db/", "host/app/", "plugins/", "socrates/dialogue/", "pistache/"))),
    ("host/db", "the database layer knows nothing of accounts",
     lambda n: n.startswith("host/auth/")),
    ("host/metrics", "the metrics know no other part of the host: the parts call them",
     lambda n: n.startswith("host/") and not n.startswith("host/metrics/")),
    ("sdk", "the SDK includes only the standard library, nlohmann/json and itself (the C ABI header only C's)",
     lambda n: not (standard(n) or n.startswith(("nlohmann/", "socrates/sdk/")) or n == "socrates/abi.h")),
    ("libs/engine", "the engine knows no SDK, host or database",
     lambda n: n.startswith(("socrates/sdk", "host/", "socrates/dialogue/", "soci/", "libpq"))),
    ("libs/dialogue", "the data layer is for agents: no host part",
     lambda n: n.startswith("host/")),
    ("plugins", "an agent reaches the host only through the SDK",
     lambda n: n.startswith("host/")),
]

checked = 0
problems = []
for folder, why, forbidden in RULES:
    for dirpath, _, files in os.walk(os.path.join(root, folder)):
        for name in files:
            if not name.endswith((".hpp", ".cpp", ".h")):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8") as source:
                for number, line in enumerate(source, 1):
                    match = INCLUDE.match(line)
                    if not match:
                        continue
                    checked += 1
                    if forbidden(match.group(2)):
                        problems.append(f"{os.path.relpath(path, root)}:{number}: includes {match.group(2)}: {why}")

if checked < 200:  # the sources hold well over a thousand includes; far fewer means a wrong root
    print(f"only {checked} includes found under {root}: is that the source tree?")
    sys.exit(1)
for problem in problems:
    print(problem)
if problems:
    sys.exit(1)
print(f"{checked} includes checked against {len(RULES)} rules: no forbidden arrow")
