#!/usr/bin/env python3
"""The reference Python worker: `spool_client.Worker` with two example handlers.

    SPOOL_URL=http://127.0.0.1:8080 SPOOL_TOKEN=spool_... python3 worker.py --queue default

`py.text_stats` counts the words of `text` line by line, reporting progress (and stopping when
the job is cancelled); `py.sum` adds `numbers`. Prints `ready` once it claims, `done <id>` per
job; SIGTERM/SIGINT stop it after the jobs in hand.
"""
import argparse
import os
import sys

try:
    import spool_client  # noqa: F401 - installed (pip install clients/python)
except ImportError:  # running from a checkout
    import _path  # noqa: F401

from spool_client import SpoolClient, UnrecoverableError, Worker


def text_stats(job, ctx):
    lines = job["payload"].get("text", "").splitlines() or [""]
    words = 0
    for index, line in enumerate(lines, start=1):
        if ctx.cancelled:
            raise InterruptedError("cancelled")
        words += len(line.split())
        ctx.progress(int(index * 100 / len(lines)), "line %d of %d" % (index, len(lines)))
        ctx.wait_cancelled(float(job["payload"].get("delay_per_line", 0)))
    return {"lines": len(lines), "words": words, "worker": "python"}


def add(job, ctx):
    numbers = job["payload"].get("numbers")
    if not isinstance(numbers, list):
        raise UnrecoverableError("payload.numbers must be a list")  # retrying will not help
    ctx.progress(50, "adding %d numbers" % len(numbers))
    return {"sum": sum(numbers)}


class PrintingWorker(Worker):
    """Prints `ready` before the first claim and `done <id>` after each job."""

    def _claim(self, queue, max_jobs, wait):
        if not getattr(self, "_ready", False):
            self._ready = True
            print("ready", flush=True)
        return super()._claim(queue, max_jobs, wait)

    def _execute(self, ctx):
        super()._execute(ctx)
        print("done %s" % ctx.job["id"], flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("SPOOL_URL", "http://127.0.0.1:8080"))
    parser.add_argument("--token", default=os.environ.get("SPOOL_TOKEN", ""))
    parser.add_argument("--queue", action="append", help="queue to serve (repeatable)")
    parser.add_argument("--name", default=None)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--lease-seconds", type=float, default=30.0)
    parser.add_argument("--burst", action="store_true", help="exit once the queue is empty")
    parser.add_argument(
        "--generic", action="store_true", help="claim every type, not only those with handlers"
    )
    args = parser.parse_args()
    worker = PrintingWorker(
        SpoolClient(args.url, args.token),
        {"py.text_stats": text_stats, "py.sum": add},
        queues=args.queue or ["default"],
        concurrency=args.concurrency,
        name=args.name,
        lease_seconds=args.lease_seconds,
        send_types=False if args.generic else None,
    )
    worker.run(burst=args.burst)
    return 0


if __name__ == "__main__":
    sys.exit(main())
