"""Spool's Python client and worker (standard library only).

    from spool_client import SpoolClient, Worker

See README.md in this folder and the server's docs/http-api.md.
"""
from .client import FINAL_STATES, SpoolClient
from .errors import (
    ConflictError,
    CreditsExhaustedError,
    LeaseLostError,
    NotFoundError,
    SpoolError,
    UnrecoverableError,
    WaitTimeout,
)
from .types import ClaimedJob, Event, Job, JobList, SubmitResponse
from .webhooks import sign_webhook, verify_webhook
from .worker import Handler, JobContext, Worker

__version__ = "0.1.0"

__all__ = [
    "FINAL_STATES",
    "ClaimedJob",
    "ConflictError",
    "CreditsExhaustedError",
    "Event",
    "Handler",
    "Job",
    "JobContext",
    "JobList",
    "LeaseLostError",
    "NotFoundError",
    "SpoolClient",
    "SpoolError",
    "SubmitResponse",
    "UnrecoverableError",
    "WaitTimeout",
    "Worker",
    "sign_webhook",
    "verify_webhook",
]
