#!/usr/bin/env python3
"""Submit a job to Spool and poll it until it ends, as the seed documents' clients do.

    SPOOL_URL=http://127.0.0.1:8080 SPOOL_TOKEN=spool_... python3 client.py py.sum '{"numbers": [1, 2, 3]}'

Prints one line per poll (`Status: running, Progress: 40%`) and the result (exit 0) or the
error (exit 1). Standard library only.
"""
import json
import os
import sys
import time
import urllib.request

BASE = os.environ.get("SPOOL_URL", "http://127.0.0.1:8080").rstrip("/")
TOKEN = os.environ.get("SPOOL_TOKEN", "")
HEADERS = {"Content-Type": "application/json", **({"Authorization": "Bearer " + TOKEN} if TOKEN else {})}


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(BASE + path, data=data, method=method, headers=HEADERS)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def main():
    job_type = sys.argv[1] if len(sys.argv) > 1 else "py.sum"
    payload = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {"numbers": [1, 2, 3]}
    queue = os.environ.get("SPOOL_QUEUE", "default")
    interval = float(os.environ.get("POLL_SECONDS", "0.2"))
    job_id = call("POST", "/jobs", {"type": job_type, "payload": payload, "queue": queue})["job_id"]
    print("Job submitted: %s" % job_id, flush=True)
    while True:
        status = call("GET", "/jobs/%s" % job_id)
        print("Status: %s, Progress: %s%%" % (status["status"], status["progress"]), flush=True)
        if status["status"] == "completed":
            print("Result: %s" % json.dumps(status["result"], sort_keys=True), flush=True)
            return 0
        if status["status"] in ("failed", "cancelled"):
            print("Error: %s" % json.dumps(status["error"]), flush=True)
            return 1
        time.sleep(interval)


if __name__ == "__main__":
    sys.exit(main())
