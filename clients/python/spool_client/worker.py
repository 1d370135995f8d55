"""A Spool worker over HTTP: claims jobs, runs a handler per job type, keeps the lease alive
with heartbeats that carry progress, and completes or fails each job.

    def optimize(job, ctx):
        ctx.progress(40, "2-opt pass 2")
        if ctx.cancelled:          # the job was cancelled (or the lease lost): stop early
            raise InterruptedError("cancelled")
        return {"routes": [...]}

    Worker(SpoolClient(url, token), queues=["default"], handlers={"route.optimize": optimize}).run()

Delivery follows docs/http-api.md: every report carries the lease token; a 409 `lease_lost`
means another attempt owns the job, so its outcome is dropped here. `run()` stops gracefully on
SIGTERM/SIGINT (or `stop()`): no new claims, jobs in hand finish (or, after `grace` seconds,
are abandoned to their lease, which another worker takes over).
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import urllib.error
import urllib.parse
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

from .client import SpoolClient
from .errors import LeaseLostError, SpoolError, UnrecoverableError
from .types import ClaimedJob

log = logging.getLogger("spool_client.worker")

Handler = Callable[[ClaimedJob, "JobContext"], Any]
"""A handler takes the claimed job and its context and returns the JSON result."""


class JobContext:
    """What a handler gets besides the job: progress reports and the stop signal."""

    def __init__(self, worker: "Worker", job: ClaimedJob) -> None:
        self.job = job
        self._worker = worker
        self._lock = threading.Lock()
        self._progress: Optional[tuple] = None
        self._logs: List[Dict[str, str]] = []
        self._stop = threading.Event()
        self._done = threading.Event()
        self.cancel_requested = False
        self.lease_lost = False
        # Set when the worker stops and the grace period ran out: the job is left to its lease.
        self.abandoned = False

    @property
    def parents(self) -> List[Dict[str, Any]]:
        """The jobs this one depends on, in order, with their results (`parent_results`)."""
        return list(self.job.get("parent_results", []))

    @property
    def cancelled(self) -> bool:
        """True once the job was cancelled or its lease lost: the handler should stop."""
        return self._stop.is_set()

    def wait_cancelled(self, timeout: Optional[float] = None) -> bool:
        """Sleeps up to `timeout` seconds, waking early (True) when the job should stop."""
        return self._stop.wait(timeout)

    def progress(self, percent: float, message: Optional[str] = None) -> None:
        """Reports progress (0–100) at once, in a heartbeat that also renews the lease."""
        with self._lock:
            self._progress = (percent, message)
        self._beat()

    def log(self, message: str, level: str = "info") -> None:
        """Adds a line to the job's log (GET /jobs/:id/logs), sent with the next heartbeat
        (or at once past 100 pending lines) and before the job's outcome."""
        if not isinstance(message, str):
            raise TypeError("message must be a string")
        with self._lock:
            self._logs.append({"message": message[:2000], "level": level})
            full = len(self._logs) >= 100
        if full:
            self._flush_logs()

    def _flush_logs(self) -> None:
        with self._lock:
            lines, self._logs = self._logs, []
        if not lines:
            return
        try:
            self._worker.client.log(self.job["id"], self.job["lease_token"], lines)
        except LeaseLostError:
            self.lease_lost = True
            self._stop.set()
        except (urllib.error.URLError, OSError, SpoolError) as error:
            log.warning("log lines of %s dropped: %s", self.job["id"], error)

    def _beat(self) -> None:
        self._flush_logs()
        body: Dict[str, Any] = {"lease_token": self.job["lease_token"]}
        with self._lock:
            if self._progress is not None:
                body["progress"] = self._progress[0]
                if self._progress[1] is not None:
                    body["progress_message"] = self._progress[1]
        try:
            answer = self._worker.client.request(
                "POST", "/jobs/%s/heartbeat" % _quoted(self.job["id"]), body
            )
        except LeaseLostError:
            self.lease_lost = True
            self._stop.set()
            return
        except (urllib.error.URLError, OSError, SpoolError) as error:
            log.warning("heartbeat for %s failed (will retry): %s", self.job["id"], error)
            return
        if isinstance(answer, dict) and answer.get("cancel_requested"):
            self.cancel_requested = True
            self._stop.set()


class Worker:
    """See the module docstring.

    `types` sent in claims: with `send_types=None` (default) the worker offers the job types it
    has handlers for and, if the server refuses the field (an older server: 400 naming `types`),
    claims without it from then on. True always sends it, False never does.
    """

    def __init__(
        self,
        client: SpoolClient,
        handlers: Mapping[str, Handler],
        queues: Sequence[str] = ("default",),
        concurrency: int = 1,
        name: Optional[str] = None,
        lease_seconds: float = 30.0,
        wait_seconds: float = 5.0,
        send_types: Optional[bool] = None,
    ) -> None:
        if not handlers:
            raise ValueError("a worker needs at least one handler")
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.client = client
        self.handlers = dict(handlers)
        self.queues = list(queues)
        self.concurrency = concurrency
        self.name = name or "py-%s-%d" % (socket.gethostname(), os.getpid())
        self.lease_seconds = lease_seconds
        self.wait_seconds = wait_seconds
        self.send_types = send_types
        self._stopping = threading.Event()
        self._active: Dict[str, threading.Thread] = {}
        self._contexts: Dict[str, JobContext] = {}
        self._lock = threading.Lock()
        self._slot_free = threading.Condition(self._lock)
        self.completed = 0
        self.failed = 0

    # -- lifecycle ---------------------------------------------------------------------------

    def run(self, burst: bool = False, install_signal_handlers: bool = True) -> None:
        """Claims and runs jobs until `stop()` (or SIGTERM/SIGINT), or, with `burst`, until
        every queue is empty; then waits for the jobs in hand."""
        if install_signal_handlers and threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: self._stopping.set())
        next_queue = 0
        empty_in_a_row = 0
        while not self._stopping.is_set():
            free = self._wait_for_slot()
            if free == 0:
                break
            queue = self.queues[next_queue % len(self.queues)]
            next_queue += 1
            # One queue: long-poll it. Several: look at each without waiting, and long-poll
            # (briefly) only when a whole round found nothing.
            long_poll = len(self.queues) == 1 or empty_in_a_row >= len(self.queues)
            wait = 0.0 if burst or not long_poll else self.wait_seconds
            if len(self.queues) > 1 and wait:
                wait = min(wait, 1.0)
            jobs = self._claim(queue, free, wait)
            if jobs is None:
                self._stopping.wait(1.0)  # server unreachable: try again shortly
                continue
            empty_in_a_row = 0 if jobs else empty_in_a_row + 1
            if burst and empty_in_a_row >= len(self.queues) and not self._active:
                break
            for job in jobs:
                self._start(job)
        self._drain(None)

    def stop(self, grace: Optional[float] = None) -> None:
        """Stops claiming; jobs in hand finish. After `grace` seconds (if given) they are told
        to stop (`ctx.cancelled`) and left to their lease. Returns when they are done."""
        self._stopping.set()
        self._drain(grace)

    @property
    def active_count(self) -> int:
        with self._lock:
            return len(self._active)

    # -- internals ---------------------------------------------------------------------------

    def _wait_for_slot(self) -> int:
        with self._slot_free:
            while len(self._active) >= self.concurrency and not self._stopping.is_set():
                self._slot_free.wait(0.5)
            return 0 if self._stopping.is_set() else self.concurrency - len(self._active)

    def _claim(self, queue: str, max_jobs: int, wait: float) -> Optional[List[ClaimedJob]]:
        body: Dict[str, Any] = {
            "worker": self.name,
            "max_jobs": max_jobs,
            "wait_seconds": wait,
            "lease_seconds": self.lease_seconds,
        }
        if self.send_types is not False:
            body["types"] = sorted(self.handlers)
        path = "/queues/%s/claim" % _quoted(queue)
        try:
            answer = self.client.request("POST", path, body, timeout=wait + 30)
        except SpoolError as error:
            if self.send_types is None and error.status == 400 and "types" in str(error.details):
                log.info("the server does not take `types` in claims; claiming without it")
                self.send_types = False
                return self._claim(queue, max_jobs, wait)
            log.warning("claim on %s failed: %s", queue, error)
            return None
        except (urllib.error.URLError, OSError) as error:
            log.warning("claim on %s failed (retrying): %s", queue, error)
            return None
        if self.send_types is None:
            self.send_types = True
        return list(answer.get("jobs", []))

    def _start(self, job: ClaimedJob) -> None:
        context = JobContext(self, job)
        thread = threading.Thread(target=self._run_job, args=(context,), daemon=True)
        with self._lock:
            self._active[job["id"]] = thread
            self._contexts[job["id"]] = context
        thread.start()

    def _run_job(self, ctx: JobContext) -> None:
        job = ctx.job
        beats = threading.Thread(target=self._heartbeats, args=(ctx,), daemon=True)
        beats.start()
        try:
            self._execute(ctx)
        finally:
            ctx._done.set()
            with self._slot_free:
                self._active.pop(job["id"], None)
                self._contexts.pop(job["id"], None)
                self._slot_free.notify_all()

    def _heartbeats(self, ctx: JobContext) -> None:
        interval = max(0.5, self.lease_seconds / 3.0)
        while not ctx._done.wait(interval):
            ctx._beat()

    def _execute(self, ctx: JobContext) -> None:
        job = ctx.job
        token = job["lease_token"]
        path = "/jobs/%s" % _quoted(job["id"])
        try:
            handler = self.handlers.get(job["type"])
            if handler is None:
                raise UnrecoverableError("no handler for job type %r" % job["type"])
            result = handler(job, ctx)
            ctx._flush_logs()
            if ctx.lease_lost or (ctx.abandoned and not ctx.cancel_requested):
                return
            self.client.request("POST", path + "/complete", {"lease_token": token, "result": result})
            self.completed += 1
        except LeaseLostError:
            pass  # another attempt owns the job now; its outcome wins
        except Exception as error:  # noqa: BLE001 - a handler may raise anything
            ctx._flush_logs()
            if ctx.lease_lost or (ctx.abandoned and not ctx.cancel_requested):
                return  # not this attempt's failure: the lease runs out and the job is retried
            self.failed += 1
            report = {
                "lease_token": token,
                "error": {"message": str(error) or repr(error), "type": type(error).__name__},
                "retryable": not isinstance(error, UnrecoverableError),
            }
            try:
                self.client.request("POST", path + "/fail", report)
            except LeaseLostError:
                pass
            except (urllib.error.URLError, OSError, SpoolError) as report_error:
                log.warning("could not report failure of %s: %s", job["id"], report_error)

    def _drain(self, grace: Optional[float]) -> None:
        deadline = None if grace is None else time.monotonic() + grace
        while True:
            with self._lock:
                threads = list(self._active.values())
                contexts = list(self._contexts.values())
            if not threads:
                return
            if deadline is not None and time.monotonic() >= deadline:
                for context in contexts:
                    context.abandoned = True
                    context._stop.set()
                deadline = None
            for thread in threads:
                thread.join(0.2)


def _quoted(value: str) -> str:
    return urllib.parse.quote(value, safe="")
