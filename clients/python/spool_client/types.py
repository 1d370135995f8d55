"""Shapes of the server's JSON (docs/http-api.md), for type checkers. At run time they are
plain dicts; `total=False` because the server adds fields over time."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, TypedDict


class JobError(TypedDict, total=False):
    message: str
    type: str
    attempt: int
    at: str


class Job(TypedDict, total=False):
    """A job resource (GET /jobs/:id)."""

    id: str
    queue: str
    type: str
    payload: Dict[str, Any]
    status: str
    priority: int
    progress: float
    progress_message: Optional[str]
    attempt: int
    max_attempts: int
    run_at: str
    timeout_seconds: float
    unique_key: Optional[str]
    tags: List[str]
    result: Any
    error: Optional[JobError]
    errors: List[JobError]
    created_at: str
    started_at: Optional[str]
    completed_at: Optional[str]
    tenant: str
    worker: Optional[str]
    queue_position: int
    eta_seconds: float


class ClaimedJob(Job, total=False):
    """A job handed to a worker by POST /queues/:name/claim."""

    lease_token: str
    lease_expires_at: str
    # The jobs it depends on, in order: [{"id", "type", "status", "result"}] (empty for none).
    parent_results: List[Dict[str, Any]]
    # W3C trace context of the span that submitted the job ({"traceparent", "tracestate"}), or
    # None; send its traceparent on, as a header, to continue the trace (docs/operations.md).
    trace_context: Optional[Dict[str, Optional[str]]]


class SubmitResponse(TypedDict, total=False):
    job_id: str
    status: str
    duplicate: bool
    job: Job


class JobList(TypedDict, total=False):
    jobs: List[Job]
    count: int
    next_cursor: Optional[str]


class Event(TypedDict, total=False):
    """An event of the SSE streams."""

    event: str
    seq: int
    job_id: str
    queue: str
    type: str
    status: str
    at: str
    progress: float
    progress_message: Optional[str]
    job: Job
