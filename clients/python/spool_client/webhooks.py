"""Receiving Spool webhook deliveries: signature and freshness check (docs/webhooks.md).

    if not verify_webhook(SECRET, request.headers, request.get_data()):
        abort(400)
    delivery_id = request.headers["X-Spool-Delivery"]   # drop ids you already processed
"""
from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any, Mapping, Optional, Union


def sign_webhook(secret: str, timestamp: int, body: Union[bytes, str]) -> str:
    """Hex HMAC-SHA256 of `"<timestamp>.<body>"` — the `v1=` value Spool sends."""
    raw = body.encode() if isinstance(body, str) else body
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + raw, hashlib.sha256).hexdigest()


def _header(headers: Mapping[str, Any], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return str(value)
    return ""


def verify_webhook(
    secret: str,
    headers: Mapping[str, Any],
    raw_body: Union[bytes, str],
    tolerance_seconds: int = 300,
    now: Optional[float] = None,
) -> bool:
    """True when the delivery is signed with `secret` and its timestamp is recent enough."""
    timestamp = _header(headers, "X-Spool-Webhook-Timestamp")
    signature = _header(headers, "X-Spool-Webhook-Signature")
    if not timestamp.isdigit() or not signature.startswith("v1="):
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance_seconds:
        return False
    return hmac.compare_digest(sign_webhook(secret, int(timestamp), raw_body), signature[3:])
