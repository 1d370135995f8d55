#!/usr/bin/env python3
"""Seed 002's job-queue examples on Spool, worker included.

The seed's service (a Godot editor bridge) ran `scene_preload`, `batch_operations` and
`cache_warming` jobs; here a `spool_client.Worker` in this process stands in for it, and the
seed's client examples run against Spool as written there: submit with `parameters`, read the
`job` envelope, cancel, monitor several jobs, concurrent submit-and-wait.

    spool serve                                  # or any Spool server
    SPOOL_URL=http://127.0.0.1:8080 SPOOL_TOKEN=spool_... python3 scene_jobs.py

The token must be allowed to submit and to claim (an admin key, or run the worker part with a
worker key: SPOOL_WORKER_TOKEN). Differences from the seed: progress is a percentage (0–100),
not a fraction, and cancelling answers `{"status": "cancelled"}` instead of `{"success": true}`.
"""
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

try:
    import spool_client  # noqa: F401
except ImportError:
    import _path  # noqa: F401

from spool_client import SpoolClient, Worker

API_URL = os.environ.get("SPOOL_URL", "http://127.0.0.1:8080")
TOKEN = os.environ.get("SPOOL_TOKEN")
QUEUE = os.environ.get("SPOOL_QUEUE", "scenes")
client = SpoolClient(API_URL, TOKEN)


# -- the service side: what the seed's server did for each job type ---------------------------

def scene_preload(job, ctx):
    paths = job["payload"]["scene_paths"]
    for index, path in enumerate(paths, start=1):
        if ctx.wait_cancelled(0.05):  # "loading" the scene; stops early if cancelled
            raise InterruptedError("cancelled")
        ctx.progress(index * 100 / len(paths), "loaded %s" % path)
    return {"loaded": paths}


def batch_operations(job, ctx):
    operations = job["payload"]["operations"]
    results = []
    for index, operation in enumerate(operations, start=1):
        results.append({"scene_path": operation["scene_path"], "ok": True})
        if index % 10 == 0:
            ctx.progress(index * 100 / len(operations))
    return {"results": results, "mode": job["payload"].get("mode", "stop")}


def cache_warming(job, ctx):
    while not ctx.wait_cancelled(0.1):  # warms until told to stop
        pass
    raise InterruptedError("cancelled")


# -- the seed's client examples ---------------------------------------------------------------

def example_1_preload_scenes():
    # The seed names the payload `parameters`; Spool accepts that alias, so the seed's request
    # body goes through unchanged.
    job_id = client.request("POST", "/jobs", {
        "type": "scene_preload",
        "queue": QUEUE,
        "parameters": {
            "scene_paths": ["res://vr_main.tscn", "res://node_3d.tscn", "res://test_scene.tscn"],
        },
    })["job_id"]
    print(f"Job submitted: {job_id}")
    job = client.wait(job_id, on_progress=lambda job: print(
        f"Status: {job['status']}, Progress: {job['progress']:.0f}%"))
    print("Result:" if job["status"] == "completed" else "Error:", job["result"] or job["error"])
    return job


def example_2_batch():
    operations = [{"action": "validate", "scene_path": f"res://scene{i}.tscn"} for i in range(50)]
    job_id = client.submit("batch_operations", {"operations": operations, "mode": "continue"},
                           queue=QUEUE)["job_id"]
    print(f"Batch job submitted: {job_id}")
    return client.wait(job_id)


def example_3_cancel():
    job_id = client.submit("cache_warming", {}, queue=QUEUE)["job_id"]
    answer = client.cancel(job_id)  # queued: cancelled at once; running: cancel requested
    print("Job cancelled" if answer["status"] == "cancelled" else "Cancel requested")
    return client.wait(job_id)


def example_4_monitor(job_ids):
    finished = {}
    remaining = list(job_ids)
    while remaining:
        for job_id in list(remaining):
            job = client.get(job_id)
            print(f"Job {job_id}: {job['status']} ({job['progress']:.0f}%)")
            if job["status"] in ("completed", "failed", "cancelled"):
                finished[job_id] = job
                remaining.remove(job_id)
        if remaining:
            threading.Event().wait(0.2)
    return finished


def concurrent_jobs():
    params = [{"scene_paths": [f"res://scene{i}.tscn"]} for i in range(10)]

    def submit_and_wait(payload):
        return client.wait(client.submit("scene_preload", payload, queue=QUEUE)["job_id"])

    with ThreadPoolExecutor(max_workers=5) as executor:
        results = list(executor.map(submit_and_wait, params))
    print(f"Completed {len(results)} jobs")
    return results


def main():
    worker_client = SpoolClient(API_URL, os.environ.get("SPOOL_WORKER_TOKEN") or TOKEN)
    worker = Worker(worker_client, {"scene_preload": scene_preload,
                                    "batch_operations": batch_operations,
                                    "cache_warming": cache_warming},
                    queues=[QUEUE], concurrency=3, lease_seconds=5, wait_seconds=1)
    thread = threading.Thread(target=worker.run, kwargs={"install_signal_handlers": False})
    thread.start()
    try:
        ok = example_1_preload_scenes()["status"] == "completed"
        ok = ok and len(example_2_batch()["result"]["results"]) == 50
        ok = ok and example_3_cancel()["status"] == "cancelled"
        ids = [client.submit("scene_preload", {"scene_paths": ["res://a.tscn"]},
                             queue=QUEUE)["job_id"] for _ in range(3)]
        ok = ok and all(job["status"] == "completed" for job in example_4_monitor(ids).values())
        ok = ok and all(job["status"] == "completed" for job in concurrent_jobs())
    finally:
        worker.stop()
        thread.join()
    print("all examples passed" if ok else "an example did not end as expected")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
