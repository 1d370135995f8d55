#!/usr/bin/env python3
"""A Spool worker in Python, using only the standard library.

It long-polls a queue for jobs of the types it has handlers for (other types stay queued for
workers that serve them), runs a handler per job type, reports progress with heartbeats
(which also keep the lease alive and tell it when the job was cancelled), then completes or
fails the job. Every report carries the lease token: a worker whose lease was taken over gets
409 and simply drops that job.

    SPOOL_URL=http://127.0.0.1:8080 SPOOL_TOKEN=spool_... python3 worker.py --queue default

`--generic` claims every type instead (for a worker that dispatches jobs itself); a job it has
no handler for then fails.

Exits cleanly on SIGTERM/SIGINT after finishing the job in hand.
"""
import argparse
import json
import os
import signal
import socket
import sys
import threading
import time
import urllib.error
import urllib.request

STOP = threading.Event()


class LeaseLost(Exception):
    """The server answered 409: the lease is no longer ours."""


class Api:
    def __init__(self, base_url, token):
        self.base_url = base_url.rstrip("/")
        self.token = token

    def post(self, path, body, timeout=60):
        data = json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.base_url + path, data=data, method="POST")
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", "Bearer " + self.token)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            if error.code == 409:
                raise LeaseLost(error.read().decode("utf-8", "replace")) from None
            raise


class Heartbeat(threading.Thread):
    """Renews the lease every `interval` seconds and forwards the latest progress."""

    def __init__(self, api, job, interval):
        super().__init__(daemon=True)
        self.api, self.job, self.interval = api, job, interval
        self.progress = None
        self.cancelled = threading.Event()
        self.lost = threading.Event()
        self.done = threading.Event()
        self.lock = threading.Lock()

    def report(self, percent, message=None):
        with self.lock:
            self.progress = (percent, message)
        self.beat()

    def beat(self):
        body = {"lease_token": self.job["lease_token"]}
        with self.lock:
            if self.progress is not None:
                body["progress"], message = self.progress
                if message is not None:
                    body["progress_message"] = message
        try:
            answer = self.api.post("/jobs/%s/heartbeat" % self.job["id"], body)
            if answer.get("cancel_requested"):
                self.cancelled.set()
        except LeaseLost:
            self.lost.set()
        except (urllib.error.URLError, OSError) as error:
            print("heartbeat failed (will retry): %s" % error, file=sys.stderr)

    def run(self):
        while not self.done.wait(self.interval):
            self.beat()


def handle_text_stats(job, progress, should_stop):
    """Example handler: counts words of `text`, reporting progress line by line."""
    lines = job["payload"].get("text", "").splitlines() or [""]
    words = 0
    for index, line in enumerate(lines, start=1):
        if should_stop():
            raise InterruptedError("cancelled")
        words += len(line.split())
        progress(int(index * 100 / len(lines)), "line %d of %d" % (index, len(lines)))
        time.sleep(float(job["payload"].get("delay_per_line", 0)))
    return {"lines": len(lines), "words": words, "worker": "python"}


def handle_sum(job, progress, should_stop):
    """Example handler: adds `numbers`."""
    numbers = job["payload"].get("numbers", [])
    progress(50, "adding %d numbers" % len(numbers))
    return {"sum": sum(numbers)}


HANDLERS = {"py.text_stats": handle_text_stats, "py.sum": handle_sum}


def run_job(api, job, lease_seconds):
    beat = Heartbeat(api, job, max(1.0, lease_seconds / 3.0))
    beat.start()
    try:
        handler = HANDLERS.get(job["type"])
        if handler is None:
            raise LookupError("no handler for job type %r" % job["type"])
        result = handler(job, beat.report, lambda: beat.cancelled.is_set() or beat.lost.is_set())
        if beat.lost.is_set():
            return
        api.post("/jobs/%s/complete" % job["id"], {"lease_token": job["lease_token"], "result": result})
    except LeaseLost:
        pass  # another worker owns the job now; its outcome wins
    except Exception as error:  # noqa: BLE001 - a handler may raise anything
        try:
            api.post(
                "/jobs/%s/fail" % job["id"],
                {
                    "lease_token": job["lease_token"],
                    "error": {"message": str(error) or repr(error), "type": type(error).__name__},
                    "retryable": not isinstance(error, (LookupError, ValueError)),
                },
            )
        except LeaseLost:
            pass
    finally:
        beat.done.set()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("SPOOL_URL", "http://127.0.0.1:8080"))
    parser.add_argument("--token", default=os.environ.get("SPOOL_TOKEN", ""))
    parser.add_argument("--queue", default="default")
    parser.add_argument("--name", default="py-%s-%d" % (socket.gethostname(), os.getpid()))
    parser.add_argument("--lease-seconds", type=float, default=30.0)
    parser.add_argument("--burst", action="store_true", help="exit once the queue is empty")
    parser.add_argument("--generic", action="store_true", help="claim jobs of every type")
    args = parser.parse_args()
    claim = {"worker": args.name, "max_jobs": 1, "wait_seconds": 0 if args.burst else 5, "lease_seconds": args.lease_seconds}
    if not args.generic:
        claim["types"] = sorted(HANDLERS)  # only what this worker can run (SPEC §6)

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: STOP.set())
    api = Api(args.url, args.token)
    print("ready", flush=True)
    while not STOP.is_set():
        try:
            answer = api.post("/queues/%s/claim" % args.queue, claim, timeout=40)
        except (urllib.error.URLError, OSError) as error:
            print("claim failed (retrying): %s" % error, file=sys.stderr)
            STOP.wait(1.0)
            continue
        jobs = answer.get("jobs", [])
        if not jobs and args.burst:
            break
        for job in jobs:
            run_job(api, job, args.lease_seconds)
            print("done %s" % job["id"], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
