"""The slow-model benchmark's driver (bench/slow_model.sh): a fake OpenAI-compatible model that
holds every answer until released, INTERVIEWS interviews waiting on it, and wrk on /health and the
projects list meanwhile. Prints the figures and the verdict of the target (p99 <= TARGET_MS).

  python3 bench/slow_model.py BASE LLM_PORT INTERVIEWS DURATION CONNECTIONS THREADS TARGET_MS WORK"""
import http.server
import json
import subprocess
import sys
import threading
import time

from benchlib import Api, parse_wrk

base, llm_port, interviews, duration, connections, threads, target_ms, work = sys.argv[1:9]
interviews, connections, threads, target_ms = int(interviews), int(connections), int(threads), float(target_ms)

held = threading.Event()  # set: every answer goes out
waiting = [0]
lock = threading.Lock()
QUESTION = json.dumps({"text": "What would make the service a success for the bakeries, and why?",
                       "category": "goals", "context": "asked by the model"})


class Model(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            waiting[0] += 1
        held.wait()
        with lock:
            waiting[0] -= 1
        body = json.dumps({"id": "chatcmpl-bench", "object": "chat.completion", "model": "bench-model",
                           "choices": [{"index": 0, "message": {"role": "assistant", "content": QUESTION},
                                        "finish_reason": "stop"}],
                           "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


model = http.server.ThreadingHTTPServer(("127.0.0.1", int(llm_port)), Model)
threading.Thread(target=model.serve_forever, daemon=True).start()

api = Api(base)
token = api.register_and_login("slow-model@example.com", "bench-password")
sessions = []
for i in range(interviews):
    project = api.call("POST", "/api/v1/projects", {"name": f"Slow model {i}"}, expect=201)
    sessions.append(api.call("POST", f"/api/v1/projects/{project['id']}/sessions", {"mode": "socratic"},
                             expect=201)["id"])

answers = []


def interview(session):
    answers.append(Api(base, token).call("POST", f"/api/v1/sessions/{session}/next-question", {}, expect=201))


askers = [threading.Thread(target=interview, args=(s,)) for s in sessions]
for t in askers:
    t.start()
deadline = time.monotonic() + 60
while waiting[0] < interviews and time.monotonic() < deadline:
    time.sleep(0.01)
if waiting[0] < interviews:
    sys.exit(f"slow_model: only {waiting[0]} of {interviews} interviews reached the model")


def wrk(name, path, *extra):
    out = subprocess.run(["wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{duration}", "--latency",
                          "-H", "Connection: keep-alive", *extra, base + path],
                         capture_output=True, text=True).stdout
    open(f"{work}/slow-{name}.out", "w").write(out)
    return parse_wrk(out) or sys.exit(f"slow_model: wrk gave no summary for {path}:\n{out}")


figures = [("GET /health", wrk("health", "/health")),
           ("GET /api/v1/projects", wrk("projects", "/api/v1/projects", "-H", "Authorization: Bearer " + token))]
still_waiting = waiting[0]
held.set()
for t in askers:
    t.join()
model.shutdown()

print()
print(f"wrk -t{min(threads, connections)} -c{connections} -d{duration} --latency (keep-alive) on 127.0.0.1 while "
      f"{interviews} interviews wait on a model that does not answer (specs pool: DB_POOL_SIZE_SPECS=4)")
ok = lambda good: "ok" if good else "MISSED"
for name, f in figures:
    print(f"{name:<22} {f['rps']:>9.0f} req/s  p50 {f['p50']:7.2f} ms  p99 {f['p99']:7.2f} ms  errors {f['errors']}"
          f"   target p99 <= {target_ms:g} ms  {ok(f['p99'] <= target_ms and f['errors'] == 0)}")
print(f"interviews still waiting when the load ended: {still_waiting} of {interviews}   "
      f"{ok(still_waiting == interviews)}")
print(f"questions asked once the model answered: {len(answers)} of {interviews}   {ok(len(answers) == interviews)}")
