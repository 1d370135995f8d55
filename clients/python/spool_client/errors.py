"""Errors raised by the client and the worker."""
from __future__ import annotations

from typing import Any, Dict, Optional


class SpoolError(Exception):
    """An error answer of the server: `{"error": {"code", "message", "details?"}}`."""

    def __init__(
        self, status: int, code: str, message: str, details: Optional[Dict[str, Any]] = None
    ) -> None:
        super().__init__("%d %s: %s" % (status, code, message))
        self.status = status
        self.code = code
        self.message = message
        self.details: Dict[str, Any] = details or {}


class NotFoundError(SpoolError):
    """404: unknown job or route, or a job of another tenant."""


class ConflictError(SpoolError):
    """409: the job's state does not allow this (e.g. cancelling a completed job)."""


class LeaseLostError(ConflictError):
    """409 `lease_lost`: the lease expired and another attempt owns the job; drop it."""


class CreditsExhaustedError(SpoolError):
    """429 `quota_exceeded`: the tenant's credits for the day or month are used up.

    `credits_info` is the server's `{tier, daily_limit, daily_used, monthly_limit, monthly_used,
    resets_at}` (seed 004); `retry_after_seconds` says when the refusing period resets.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Optional[Dict[str, Any]] = None,
        credits_info: Optional[Dict[str, Any]] = None,
    ) -> None:
        super().__init__(status, code, message, details)
        self.credits_info: Dict[str, Any] = credits_info or {}
        retry = self.details.get("retry_after_seconds")
        self.retry_after_seconds: Optional[int] = retry if isinstance(retry, int) else None


class WaitTimeout(TimeoutError):
    """`SpoolClient.wait` gave up before the job reached a final state."""

    def __init__(self, job_id: str, seconds: float) -> None:
        super().__init__("job %s did not finish within %.1f s" % (job_id, seconds))
        self.job_id = job_id


class UnrecoverableError(Exception):
    """Raised by a handler to fail the job at once, without further attempts."""


def error_for(status: int, body: Any) -> SpoolError:
    """The exception for an error answer (`body` is the parsed JSON, or None)."""
    error = body.get("error") if isinstance(body, dict) else None
    code = str(error.get("code", "error")) if isinstance(error, dict) else "error"
    message = str(error.get("message", "")) if isinstance(error, dict) else str(body)
    details = error.get("details") if isinstance(error, dict) else None
    if status == 404:
        return NotFoundError(status, code, message, details)
    if status == 409:
        kind = LeaseLostError if code == "lease_lost" else ConflictError
        return kind(status, code, message, details)
    if status == 429 and code == "quota_exceeded":
        info = body.get("credits_info") if isinstance(body, dict) else None
        return CreditsExhaustedError(
            status, code, message, details, info if isinstance(info, dict) else None
        )
    return SpoolError(status, code, message, details)
