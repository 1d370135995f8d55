"""Webhook subscriptions through the client, and the receiver-side signature check."""
from __future__ import annotations

import time
import unittest

from spool_client import SpoolError, sign_webhook, verify_webhook

from .support import client_with_role


class WebhookTest(unittest.TestCase):
    def setUp(self) -> None:
        self.client = client_with_role("producer")

    def test_create_list_get_delete(self) -> None:
        created = self.client.create_webhook(
            "https://93.184.216.34/hook", ["job.completed", "job.failed"], secret="py-secret-0123456789"
        )
        self.assertNotIn("secret", created)
        self.assertEqual(created["secret_hint"], "…6789")
        self.assertIn(created["id"], [hook["id"] for hook in self.client.webhooks()])
        self.assertEqual(self.client.webhook(created["id"])["events"], ["job.completed", "job.failed"])
        log = self.client.webhook_deliveries(webhook_id=created["id"])
        self.assertEqual(log["deliveries"], [])
        self.client.delete_webhook(created["id"])
        with self.assertRaises(SpoolError) as missing:
            self.client.webhook(created["id"])
        self.assertEqual(missing.exception.status, 404)

    def test_generated_secret_and_refused_targets(self) -> None:
        created = self.client.create_webhook("https://93.184.216.34/other", ["*"])
        self.assertTrue(created["secret"].startswith("whsec_"))
        self.client.delete_webhook(created["id"])
        with self.assertRaises(SpoolError) as refused:
            self.client.create_webhook("http://127.0.0.1/hook", ["job.completed"])
        self.assertEqual(refused.exception.status, 400)

    def test_verify_webhook(self) -> None:
        body = b'{"delivery_id":"d-1","event":"job.completed"}'
        now = int(time.time())
        headers = {
            "X-Spool-Webhook-Timestamp": str(now),
            "X-Spool-Webhook-Signature": "v1=" + sign_webhook("sek-sek-sek", now, body),
        }
        self.assertTrue(verify_webhook("sek-sek-sek", headers, body))
        self.assertFalse(verify_webhook("other-secret", headers, body))
        self.assertFalse(verify_webhook("sek-sek-sek", headers, body + b" "))
        self.assertFalse(verify_webhook("sek-sek-sek", headers, body, now=now + 3600))


if __name__ == "__main__":
    unittest.main()
