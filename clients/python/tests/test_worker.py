"""spool_client.Worker against a real server (see support.py)."""
from __future__ import annotations

import threading
import time
import unittest

from spool_client import UnrecoverableError, Worker

from .support import client_with_role, unique


class WorkerTest(unittest.TestCase):
    def setUp(self) -> None:
        self.client = client_with_role("producer")
        self.queue = unique("py-worker")

    def worker(self, handlers: dict, **options) -> Worker:
        options.setdefault("lease_seconds", 3)
        options.setdefault("wait_seconds", 1)
        return Worker(client_with_role("worker"), handlers, queues=[self.queue], **options)

    def background(self, worker: Worker) -> threading.Thread:
        thread = threading.Thread(target=worker.run, kwargs={"install_signal_handlers": False},
                                  daemon=True)
        thread.start()
        self.addCleanup(thread.join, 15)
        self.addCleanup(worker.stop)
        return thread

    def test_burst_runs_every_job_then_returns(self) -> None:
        ids = [self.client.submit("py.sum", {"numbers": [i, 1]}, queue=self.queue)["job_id"]
               for i in range(5)]
        worker = self.worker({"py.sum": lambda job, ctx: {"sum": sum(job["payload"]["numbers"])}},
                             concurrency=2)
        worker.run(burst=True, install_signal_handlers=False)
        results = [self.client.get(job_id) for job_id in ids]
        self.assertEqual([job["status"] for job in results], ["completed"] * 5)
        self.assertEqual([job["result"]["sum"] for job in results], [1, 2, 3, 4, 5])
        self.assertEqual(worker.completed, 5)
        self.assertIn(worker.send_types, (True, False))  # decided by the server's answer

    def test_failures_retry_and_unrecoverable_errors_do_not(self) -> None:
        flaky = self.client.submit("py.flaky", queue=self.queue, max_attempts=2)["job_id"]
        fatal = self.client.submit("py.fatal", queue=self.queue, max_attempts=3)["job_id"]

        def flaky_handler(job, ctx):
            raise ValueError("attempt %d failed" % job["attempt"])

        def fatal_handler(job, ctx):
            raise UnrecoverableError("bad input")

        self.background(self.worker({"py.flaky": flaky_handler, "py.fatal": fatal_handler}))
        failed = self.client.wait(fatal, timeout=60)
        self.assertEqual((failed["status"], failed["attempt"]), ("failed", 1))
        self.assertEqual(failed["error"]["type"], "UnrecoverableError")
        retried = self.client.wait(flaky, timeout=120)
        self.assertEqual((retried["status"], retried["attempt"]), ("failed", 2))
        self.assertEqual(retried["error"]["message"], "attempt 2 failed")

    def test_heartbeats_keep_a_job_longer_than_its_lease(self) -> None:
        job_id = self.client.submit("py.long", queue=self.queue)["job_id"]

        def long(job, ctx):
            deadline = time.monotonic() + 3.5  # longer than the 1.5 s lease
            while time.monotonic() < deadline:
                ctx.wait_cancelled(0.1)
            return {"lost": ctx.lease_lost}

        self.background(self.worker({"py.long": long}, lease_seconds=1.5))
        job = self.client.wait(job_id, timeout=60)
        self.assertEqual((job["status"], job["attempt"], job["result"]),
                         ("completed", 1, {"lost": False}))

    def test_cancelling_a_running_job_stops_its_handler(self) -> None:
        started = threading.Event()
        stopped = threading.Event()

        def endless(job, ctx):
            started.set()
            while not ctx.wait_cancelled(0.05):
                pass
            stopped.set()
            raise InterruptedError("cancelled")

        job_id = self.client.submit("py.endless", queue=self.queue)["job_id"]
        self.background(self.worker({"py.endless": endless}, lease_seconds=1.5))
        self.assertTrue(started.wait(60))
        self.assertTrue(self.client.cancel(job_id)["cancel_requested"])
        self.assertTrue(stopped.wait(60), "the handler saw the cancellation")
        self.assertEqual(self.client.wait(job_id, timeout=60)["status"], "cancelled")

    def test_stop_is_graceful_the_job_in_hand_finishes(self) -> None:
        started = threading.Event()
        release = threading.Event()

        def slow(job, ctx):
            started.set()
            release.wait(60)
            return {"finished": True}

        job_id = self.client.submit("py.slow", queue=self.queue)["job_id"]
        worker = self.worker({"py.slow": slow})
        thread = self.background(worker)
        self.assertTrue(started.wait(60))
        stopper = threading.Thread(target=worker.stop)
        stopper.start()
        self.assertEqual(worker.active_count, 1)  # stop() waits for the job in hand
        release.set()
        stopper.join(30)
        thread.join(30)
        self.assertFalse(thread.is_alive(), "run() returned after stop()")
        self.assertEqual(self.client.get(job_id)["result"], {"finished": True})

    def test_progress_is_visible_while_the_job_runs(self) -> None:
        reported = threading.Event()
        release = threading.Event()

        def step(job, ctx):
            ctx.progress(40, "2-opt pass 2")
            reported.set()
            release.wait(60)
            return {}

        job_id = self.client.submit("py.progress", queue=self.queue)["job_id"]
        self.background(self.worker({"py.progress": step}))
        self.assertTrue(reported.wait(60))
        job = self.client.get(job_id)
        release.set()
        self.assertEqual((job["status"], job["progress"], job["progress_message"]),
                         ("running", 40, "2-opt pass 2"))


if __name__ == "__main__":
    unittest.main()
