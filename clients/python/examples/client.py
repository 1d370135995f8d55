#!/usr/bin/env python3
"""Submit a job and follow it until it ends — the seed documents' polling client.

    SPOOL_URL=http://127.0.0.1:8080 SPOOL_TOKEN=spool_... python3 client.py py.sum '{"numbers": [1, 2, 3]}'

Prints `Job submitted: <id>`, one `Status: running, Progress: 40%` line per change, then the
result (exit 0) or the error (exit 1).
"""
import json
import os
import sys

try:
    import spool_client  # noqa: F401
except ImportError:
    import _path  # noqa: F401

from spool_client import SpoolClient


def main():
    job_type = sys.argv[1] if len(sys.argv) > 1 else "py.sum"
    payload = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {"numbers": [1, 2, 3]}
    client = SpoolClient(os.environ.get("SPOOL_URL", "http://127.0.0.1:8080"),
                         os.environ.get("SPOOL_TOKEN"))
    queue = os.environ.get("SPOOL_QUEUE", "default")
    interval = float(os.environ.get("POLL_SECONDS", "0.2"))
    job_id = client.submit(job_type, payload, queue=queue)["job_id"]
    print("Job submitted: %s" % job_id, flush=True)

    def show(job):
        print("Status: %s, Progress: %s%%" % (job["status"], job["progress"]), flush=True)

    job = client.wait(job_id, on_progress=show, poll_interval=interval, max_poll_interval=interval)
    if job["status"] == "completed":
        print("Result: %s" % json.dumps(job["result"], sort_keys=True), flush=True)
        return 0
    print("Error: %s" % json.dumps(job["error"]), flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
