"""SpoolClient against a real server (see support.py)."""
from __future__ import annotations

import threading
import unittest
import uuid

from spool_client import (
    ConflictError,
    CreditsExhaustedError,
    NotFoundError,
    SpoolClient,
    SpoolError,
    Worker,
)

from .support import admin, client_with_role, server_url, unique


def start_worker(queue: str, handlers: dict) -> tuple:
    """A Worker on `queue` in a background thread; returns (worker, thread)."""
    worker = Worker(client_with_role("worker"), handlers, queues=[queue], lease_seconds=3,
                    wait_seconds=1)
    thread = threading.Thread(target=worker.run, kwargs={"install_signal_handlers": False},
                              daemon=True)
    thread.start()
    return worker, thread


class ClientTest(unittest.TestCase):
    def setUp(self) -> None:
        self.client = client_with_role("producer")
        self.queue = unique("py-client")

    def test_submit_get_list(self) -> None:
        answer = self.client.submit("py.noop", {"n": 1}, queue=self.queue, tags=["a"], priority=5)
        self.assertEqual(answer["status"], "queued")
        self.assertFalse(answer["duplicate"])
        job = self.client.get(answer["job_id"])
        self.assertEqual((job["type"], job["payload"], job["priority"]), ("py.noop", {"n": 1}, 5))
        self.assertEqual(job["queue_position"], 0)
        listed = self.client.list(queue=self.queue, status=["queued"], limit=10)
        self.assertEqual([item["id"] for item in listed["jobs"]], [answer["job_id"]])

    def test_idempotency_key_and_unknown_option(self) -> None:
        key = uuid.uuid4().hex
        first = self.client.submit("py.noop", queue=self.queue, idempotency_key=key)
        second = self.client.submit("py.noop", queue=self.queue, idempotency_key=key)
        self.assertEqual(first["job_id"], second["job_id"])
        self.assertTrue(second["duplicate"])
        with self.assertRaises(TypeError):
            self.client.submit("py.noop", queue=self.queue, colour="red")

    def test_errors_carry_status_and_code(self) -> None:
        with self.assertRaises(NotFoundError) as missing:
            self.client.get(str(uuid.uuid4()))
        self.assertEqual((missing.exception.status, missing.exception.code), (404, "not_found"))
        with self.assertRaises(SpoolError) as invalid:
            self.client.submit("py.noop", queue=self.queue, priority=5000)
        self.assertEqual((invalid.exception.status, invalid.exception.code),
                         (400, "validation_error"))

    def test_batch_with_dependencies_and_on_complete(self) -> None:
        seen: list = []
        worker, thread = start_worker(self.queue, {
            "py.parent": lambda job, ctx: {"n": job["payload"]["n"]},
            "py.child": lambda job, ctx: seen.extend(ctx.parents),
            "py.done": lambda job, ctx: None,
        })
        try:
            answer = self.client.submit_batch(
                [{"type": "py.parent", "payload": {"n": 1}, "queue": self.queue},
                 {"type": "py.child", "queue": self.queue, "depends_on": ["$0"]}],
                on_complete={"type": "py.done", "queue": self.queue})
            parent_id, child_id = [item["job_id"] for item in answer["jobs"]]
            self.assertEqual(self.client.wait(child_id, timeout=30)["status"], "completed")
            self.assertEqual([(p["id"], p["result"]) for p in seen], [(parent_id, {"n": 1})])
            batch = self.client.get_batch(answer["batch_id"])
            self.assertEqual((batch["total"], batch["counts"]["completed"]), (2, 2))
        finally:
            worker.stop()
            thread.join(10)
    def test_schedules(self) -> None:
        name = unique("py-schedule")
        created = self.client.put_schedule(name, "0 3 * * *", "py.report", {"n": 1},
                                           queue=self.queue, timezone="Europe/Berlin",
                                           options={"priority": 2, "tags": ["cron"]})
        self.assertTrue(created["created"])
        self.assertEqual((created["timezone"], created["options"]["priority"]),
                         ("Europe/Berlin", 2))
        self.assertIsNotNone(created["next_run_at"])
        self.assertIsNone(created["last_run_at"])
        replaced = self.client.put_schedule(name, "*/10 * * * * *", "py.report")
        self.assertFalse(replaced["created"])
        self.assertIn(name, [s["name"] for s in self.client.schedules()])
        self.assertTrue(self.client.pause_schedule(name)["paused"])
        self.assertFalse(self.client.resume_schedule(name)["paused"])
        with self.assertRaises(SpoolError) as invalid:
            self.client.put_schedule(unique("py-bad"), "61 * * * *", "py.report")
        self.assertEqual(invalid.exception.status, 400)
        self.client.delete_schedule(name)
        with self.assertRaises(NotFoundError):
            self.client.get_schedule(name)

    def test_cancel_and_retry(self) -> None:
        job_id = self.client.submit("py.noop", queue=self.queue)["job_id"]
        self.assertEqual(self.client.cancel(job_id)["status"], "cancelled")
        with self.assertRaises(ConflictError):
            self.client.cancel(job_id)
        self.assertEqual(self.client.retry(job_id)["status"], "queued")
        self.assertEqual(self.client.get(job_id)["status"], "queued")

    def test_wait_reports_progress_until_the_result(self) -> None:
        release = threading.Event()

        def steps(job, ctx):
            for percent in (25, 50, 75):
                ctx.progress(percent, "step %d" % percent)
                release.wait(0.3)
            return {"doubled": job["payload"]["x"] * 2}

        worker, thread = start_worker(self.queue, {"py.steps": steps})
        self.addCleanup(thread.join, 10)
        self.addCleanup(worker.stop)
        job_id = self.client.submit("py.steps", {"x": 21}, queue=self.queue)["job_id"]
        seen = []
        job = self.client.wait(job_id, timeout=60, poll_interval=0.05,
                               on_progress=lambda job: seen.append(job["progress"]))
        self.assertEqual(job["status"], "completed")
        self.assertEqual(job["result"], {"doubled": 42})
        self.assertEqual(seen[-1], 100)
        self.assertTrue(any(0 < value < 100 for value in seen), seen)

    def test_follow_streams_the_job_until_it_ends(self) -> None:
        job_id = self.client.submit("py.sse", {"x": 1}, queue=self.queue)["job_id"]
        stream = self.client.follow(job_id, timeout=60)
        first = next(stream)
        self.assertEqual((first["event"], first["job_id"]), ("job.snapshot", job_id))

        def handler(job, ctx):
            ctx.progress(60, "most of it")
            return {"ok": True}

        worker, thread = start_worker(self.queue, {"py.sse": handler})
        self.addCleanup(thread.join, 10)
        self.addCleanup(worker.stop)
        events = [first] + list(stream)  # ends by itself after the final event
        names = [event["event"] for event in events]
        self.assertIn("job.started", names)
        self.assertIn("job.progress", names)
        self.assertEqual(names[-1], "job.completed")
        self.assertEqual(events[-1]["job"]["result"], {"ok": True})
        progress = [event for event in events if event["event"] == "job.progress"]
        self.assertEqual(progress[0]["progress_message"], "most of it")


if __name__ == "__main__":
    unittest.main()


class CreditsTest(unittest.TestCase):
    def test_credits_and_the_429_of_an_exhausted_tier(self) -> None:
        root = admin()
        if root.token is None:
            self.skipTest("needs auth on (a producer of its own tenant)")
        tenant = unique("py-credits")
        set_tier = root.set_tenant(tenant, tier="free", weight=2)
        self.assertEqual((set_tier["tier"], set_tier["weight"]), ("free", 2))
        key = root.request("POST", "/keys", {"role": "producer", "tenant": tenant})["key"]
        producer = SpoolClient(server_url(), key, timeout=60)
        producer.submit("py.noop", queue=unique("py-credits"))
        with self.assertRaises(CreditsExhaustedError) as refused:
            producer.submit("py.noop")
        self.assertEqual(refused.exception.status, 429)
        self.assertEqual(refused.exception.credits_info["tier"], "free")
        self.assertEqual(refused.exception.credits_info["daily_used"], 1)
        self.assertGreater(refused.exception.retry_after_seconds or 0, 0)
        credits = producer.credits()
        self.assertEqual((credits["daily"]["used"], credits["daily"]["remaining"]), (1, 0))
        self.assertEqual(credits["credits_info"]["tier"], "free")
        self.assertEqual(root.credits(tenant)["daily"]["used"], 1)
        self.assertEqual(producer.tenant(tenant)["limits"]["daily_limit"], 1)
        with self.assertRaises(NotFoundError):
            producer.tenant("someone-else")
        cleared = root.set_tenant(tenant, tier=None)
        self.assertIsNone(cleared["tier"])
