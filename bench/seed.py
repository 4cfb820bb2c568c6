#!/usr/bin/env python3
"""Seeds the data of bench/bench.sh's scenarios and writes what the scenarios read.

  seed.py BASE_URL OUT_DIR PROJECTS LOGIN_USERS

Each scenario acts as its own user, so that one scenario's writes never change what another reads:
- list:      PROJECTS projects (GET /api/v1/projects); the first one also gets one specification
             per category of the taxonomy (GET /api/v1/projects/{id}/maturity);
- writer:    POST /api/v1/projects; OUT_DIR/create.lua holds the request bodies it cycles through;
- interview: seed_interviews.py seeds its sessions;
- LOGIN_USERS more accounts for POST /api/v1/auth/login (right passwords: the throttle counts only
  failures); OUT_DIR/login.lua holds their credentials.
Writes OUT_DIR/seed.env, shell assignments: list_token, maturity_project, writer_token, interview_token.
"""
import json
import os
import sys

from benchlib import Api, lua_string

base, out_dir, projects, login_users = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
PASSWORD = "bench-password"


def user(name):
    api = Api(base)
    api.register_and_login(f"bench-{name}@example.com", PASSWORD)
    return api


def write_bodies(name, bodies):
    """A Lua file returning the request bodies (JSON text) for bench/post.lua."""
    with open(os.path.join(out_dir, name), "w") as out:
        out.write("return {\n")
        for body in bodies:
            out.write(f"  {lua_string(json.dumps(body))},\n")
        out.write("}\n")


lister = user("list")
project_ids = [lister.call("POST", "/api/v1/projects", {"name": f"Project {i + 1}",
                                                         "description": "seeded for the benchmark"}, expect=201)["id"]
               for i in range(projects)]
maturity_project = project_ids[0]
for category in lister.call("GET", "/api/v1/categories")["items"]:
    name = category["name"]
    lister.call("POST", f"/api/v1/projects/{maturity_project}/specifications",
                {"category": name, "key": f"bench_{name}", "value": f"a seeded {name} requirement"}, expect=201)

writer = user("writer")
write_bodies("create.lua", [{"name": f"Benchmark project {i + 1}", "description": "created by bench/post.lua"}
                            for i in range(64)])

interviewer = user("interview")

logins = [{"email": f"bench-login-{i + 1}@example.com", "password": PASSWORD} for i in range(login_users)]
registrar = Api(base)
for credentials in logins:
    registrar.call("POST", "/api/v1/auth/register", credentials, expect=201)
write_bodies("login.lua", logins)

with open(os.path.join(out_dir, "seed.env"), "w") as out:
    out.write(f"list_token={lister.token}\nmaturity_project={maturity_project}\n"
              f"writer_token={writer.token}\ninterview_token={interviewer.token}\n")
print(f"seeded {projects} projects, a maturity project with specifications, {login_users} login accounts")
