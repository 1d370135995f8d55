"""Job logs from Python (SPEC §8): `SpoolClient.log` fenced by the lease token, `logs` per
attempt, and `ctx.log` in a Worker's handler."""
from __future__ import annotations

import unittest

from spool_client import LeaseLostError, SpoolError

from .support import client_with_role, unique
from .test_client import start_worker


class LogsTest(unittest.TestCase):
    def setUp(self) -> None:
        self.producer = client_with_role("producer")
        self.worker = client_with_role("worker")
        self.queue = unique("py-logs")

    def test_log_is_fenced_by_the_lease_token(self) -> None:
        job_id = self.producer.submit("py.logs", queue=self.queue)["job_id"]
        claimed = self.worker.request(
            "POST", "/queues/%s/claim" % self.queue, {"worker": "py-logs", "max_jobs": 1}
        )["jobs"][0]
        token = claimed["lease_token"]
        answer = self.worker.log(job_id, token, ["one", {"message": "two", "level": "warn"}])
        self.assertEqual((answer["accepted"], answer["last_seq"]), (2, 2))
        many = self.worker.log(job_id, token, ["line %d" % i for i in range(250)])
        self.assertEqual((many["accepted"], many["last_seq"]), (250, 252))
        with self.assertRaises(LeaseLostError):
            self.worker.log(job_id, "stale-token", "forged")
        with self.assertRaises(SpoolError) as refused:
            self.worker.log(job_id, token, [{"message": "x", "level": "loud"}])
        self.assertEqual(refused.exception.status, 400)
        page = self.producer.logs(job_id, limit=3)
        self.assertEqual(
            [(line["attempt"], line["level"], line["message"]) for line in page["lines"]],
            [(1, "info", "one"), (1, "warn", "two"), (1, "info", "line 0")],
        )
        self.assertTrue(page["has_more"])
        rest = self.producer.logs(job_id, after=page["next_after"])
        self.assertEqual(len(rest["lines"]), 249)
        self.assertNotIn("forged", [line["message"] for line in rest["lines"]])

    def test_worker_handlers_log_per_attempt(self) -> None:
        def handler(job, ctx):
            ctx.log("attempt %d" % job["attempt"])
            if job["attempt"] == 1:
                raise RuntimeError("first attempt fails")
            ctx.log("done", level="warn")
            return {"ok": True}

        job_id = self.producer.submit("py.logs", queue=self.queue, max_attempts=2)["job_id"]
        worker, thread = start_worker(self.queue, {"py.logs": handler})
        try:
            job = self.producer.wait(job_id, timeout=30)
        finally:
            worker.stop()
            thread.join(10)
        self.assertEqual(job["status"], "completed")
        lines = self.producer.logs(job_id)["lines"]
        self.assertEqual(
            [(line["attempt"], line["level"], line["message"]) for line in lines],
            [(1, "info", "attempt 1"), (2, "info", "attempt 2"), (2, "warn", "done")],
        )


if __name__ == "__main__":
    unittest.main()
