#!/usr/bin/env python3
"""Seed 000's Python client on Spool: submit a route optimization and poll it to the end.

    spool serve --demo                          # registers the demo type route.optimize
    SPOOL_URL=http://127.0.0.1:8080 SPOOL_TOKEN=spool_... python3 optimize_routes.py [request.json]

The seed posted to its own `/optimize/async`; with Spool the same request is the payload of a
`route.optimize` job (examples/route-request.json in the repository is a 200-customer one).
`SpoolClient.wait` replaces the seed's `while True: ... time.sleep(2)` loop.
"""
import json
import os
import sys

try:
    import spool_client  # noqa: F401
except ImportError:
    import _path  # noqa: F401

from spool_client import SpoolClient

DEFAULT_REQUEST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                               "examples", "route-request.json")


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_REQUEST
    with open(path, encoding="utf-8") as file:
        request = json.load(file)
    if "SPOOL_TIME_LIMIT" in os.environ:
        request["time_limit_seconds"] = float(os.environ["SPOOL_TIME_LIMIT"])
    client = SpoolClient(os.environ.get("SPOOL_URL", "http://127.0.0.1:8080"),
                         os.environ.get("SPOOL_TOKEN"))

    # Submit job
    job_id = client.submit("route.optimize", request)["job_id"]
    print(f"Job submitted: {job_id}")

    # Wait for completion, printing each change of status or progress
    def show(status):
        print(f"Status: {status['status']}, Progress: {status['progress']}%", flush=True)

    status = client.wait(job_id, on_progress=show, max_poll_interval=2.0)
    if status["status"] == "completed":
        print("Optimization complete!")
        print(f"Total distance: {status['result']['summary']['total_distance_km']} km")
        return 0
    print(f"Optimization {status['status']}: {status['error']}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
