"""A typed client for Spool's HTTP API (docs/http-api.md), on `urllib` alone.

    client = SpoolClient("http://127.0.0.1:8080", token="spool_...")
    job_id = client.submit("route.optimize", {"customers": [...]})["job_id"]
    job = client.wait(job_id, on_progress=lambda job: print(job["progress"]))

Every method returns the server's JSON (snake_case, as documented); error answers raise
`SpoolError` subclasses carrying the status and the error code.
"""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence

from .errors import WaitTimeout, error_for
from .types import Event, Job, JobList, SubmitResponse

_LOG_LINES_PER_CALL = 100
"""Most lines one POST /jobs/:id/logs takes."""

FINAL_STATES = frozenset(("completed", "failed", "cancelled"))
"""States a job never leaves (except through `retry`)."""

_SUBMIT_FIELDS = (
    "queue",
    "priority",
    "run_at",
    "delay_seconds",
    "max_attempts",
    "timeout_seconds",
    "unique_key",
    "tags",
    "webhook_url",
    "depends_on",
)


class SpoolClient:
    """See the module docstring. Thread-safe: it keeps no per-request state."""

    def __init__(self, base_url: str, token: Optional[str] = None, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token or None
        self.timeout = timeout

    # -- transport ---------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: Optional[Mapping[str, Any]] = None,
        headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
    ) -> Any:
        """Sends one request and returns the parsed JSON answer (None for an empty body)."""
        url = self.base_url + path
        if query:
            pairs = {key: value for key, value in query.items() if value is not None}
            if pairs:
                url += "?" + urllib.parse.urlencode(pairs)
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(url, data=data, method=method)
        for name, value in self._headers(headers, json_body=data is not None).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                parsed = json.loads(raw) if raw else None
            except ValueError:
                parsed = raw.decode("utf-8", "replace")
            raise error_for(error.code, parsed) from None
        return json.loads(raw) if raw else None

    def _headers(self, extra: Optional[Mapping[str, str]], json_body: bool) -> Dict[str, str]:
        headers = {"Accept": "application/json"}
        if json_body:
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        headers.update(extra or {})
        return headers

    # -- jobs --------------------------------------------------------------------------------

    def submit(
        self,
        type: str,
        payload: Optional[Mapping[str, Any]] = None,
        idempotency_key: Optional[str] = None,
        **options: Any,
    ) -> SubmitResponse:
        """POST /jobs. `options`: queue, priority, run_at, delay_seconds, max_attempts,
        timeout_seconds, unique_key, tags, webhook_url, depends_on (ids of jobs that must complete
        first). Returns `{job_id, status, duplicate, job}`."""
        unknown = set(options) - set(_SUBMIT_FIELDS)
        if unknown:
            raise TypeError("unknown submit option(s): %s" % ", ".join(sorted(unknown)))
        body: Dict[str, Any] = {"type": type}
        if payload is not None:
            body["payload"] = dict(payload)
        body.update({key: value for key, value in options.items() if value is not None})
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        return self.request("POST", "/jobs", body, headers=headers)

    def submit_many(self, jobs: Sequence[Mapping[str, Any]]) -> List[SubmitResponse]:
        """POST /jobs/batch: up to 1,000 submissions (`{"type", "payload", ...}`), all or none."""
        return self.request("POST", "/jobs/batch", {"jobs": [dict(job) for job in jobs]})["jobs"]

    def submit_batch(
        self,
        jobs: Sequence[Mapping[str, Any]],
        on_complete: Optional[Mapping[str, Any]] = None,
    ) -> Dict[str, Any]:
        """POST /jobs/batch as a batch: `{batch_id, jobs, count}`. Items may carry `depends_on`
        with job ids or `"$N"` (an earlier item); `on_complete` (`{"type", "payload", ...}`) is
        enqueued once, when every job of the batch is final."""
        body: Dict[str, Any] = {"jobs": [dict(job) for job in jobs]}
        if on_complete is not None:
            body["batch"] = {"on_complete": dict(on_complete)}
        return self.request("POST", "/jobs/batch", body)

    def get_batch(self, batch_id: str) -> Dict[str, Any]:
        """GET /batches/:id — `{batch_id, total, counts, finished, progress (percent), finished_at,
        on_complete_job_id, ...}`."""
        return self.request("GET", "/batches/%s" % urllib.parse.quote(batch_id, safe=""))

    def get(self, job_id: str) -> Job:
        """GET /jobs/:id — the job (with `queue_position` and `eta_seconds` while it waits)."""
        return self.request("GET", "/jobs/%s" % urllib.parse.quote(job_id, safe=""))

    def list(
        self,
        status: Optional[Sequence[str]] = None,
        queue: Optional[str] = None,
        type: Optional[str] = None,
        tag: Optional[str] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> JobList:
        """GET /jobs — `{jobs, count, next_cursor}`, newest first."""
        query = {
            "status": ",".join(status) if status else None,
            "queue": queue,
            "type": type,
            "tag": tag,
            "limit": limit,
            "cursor": cursor,
        }
        return self.request("GET", "/jobs", query=query)

    def cancel(self, job_id: str) -> Dict[str, Any]:
        """DELETE /jobs/:id — `{status: "cancelled"}`, or `{status: "running",
        cancel_requested: true}` for a running job. A finished job raises `ConflictError`."""
        return self.request("DELETE", "/jobs/%s" % urllib.parse.quote(job_id, safe=""))

    def retry(self, job_id: str) -> Dict[str, Any]:
        """POST /jobs/:id/retry — a failed or cancelled job runs again (attempts reset)."""
        return self.request("POST", "/jobs/%s/retry" % urllib.parse.quote(job_id, safe=""), {})

    def stats(self) -> Dict[str, Any]:
        """GET /stats."""
        return self.request("GET", "/stats")

    def queues(self) -> List[Dict[str, Any]]:
        """GET /queues."""
        answer = self.request("GET", "/queues")
        return answer["queues"]

    def credits(self, tenant: Optional[str] = None) -> Dict[str, Any]:
        """GET /credits — limits and usage today and this month (admins: any `tenant`).

        The answer carries `daily` and `monthly` (`limit`, `used`, `remaining`, `resets_at`) and
        seed 004's `credits_info` (`tier`, `daily_limit`, `daily_used`, ...).
        """
        return self.request("GET", "/credits", query={"tenant": tenant})

    def tenant(self, tenant: str) -> Dict[str, Any]:
        """GET /tenants/:tenant — tier, weight, quota override, limits and credits."""
        return self.request("GET", "/tenants/%s" % urllib.parse.quote(tenant, safe=""))

    def set_tenant(
        self, tenant: str, tier: Any = ..., weight: Optional[int] = None
    ) -> Dict[str, Any]:
        """PUT /tenants/:tenant (admin) — a configured `tier` (None: no tier) and/or `weight`."""
        body: Dict[str, Any] = {}
        if tier is not ...:
            body["tier"] = tier
        if weight is not None:
            body["weight"] = weight
        return self.request("PUT", "/tenants/%s" % urllib.parse.quote(tenant, safe=""), body)
    # -- job logs (SPEC §8) -------------------------------------------------------------------

    def log(self, job_id: str, lease_token: str, lines: Any) -> Dict[str, Any]:
        """POST /jobs/:id/logs — appends `lines` (a string, or a list of strings and
        `{"message", "level"}` dicts; level debug/info/warn/error) to the attempt holding
        `lease_token`, in calls of at most 100 lines. A stale token raises `LeaseLostError` and
        writes nothing. Returns `{job_id, accepted, last_seq}` over all the calls."""
        items = [lines] if isinstance(lines, (str, dict)) else list(lines)
        path = "/jobs/%s/logs" % urllib.parse.quote(job_id, safe="")
        answer: Dict[str, Any] = {"job_id": job_id, "accepted": 0, "last_seq": 0}
        for start in range(0, len(items), _LOG_LINES_PER_CALL):
            chunk = items[start : start + _LOG_LINES_PER_CALL]
            part = self.request("POST", path, {"lease_token": lease_token, "lines": chunk})
            answer["accepted"] += part["accepted"]
            answer["last_seq"] = part["last_seq"]
        return answer

    def logs(
        self,
        job_id: str,
        attempt: Optional[int] = None,
        after: Optional[int] = None,
        limit: Optional[int] = None,
    ) -> Dict[str, Any]:
        """GET /jobs/:id/logs — `{job_id, lines, dropped_lines, next_after, has_more}`; lines
        (`{seq, attempt, level, message, at}`) oldest first; pass `next_after` as `after`."""
        query = {"attempt": attempt, "after": after, "limit": limit}
        return self.request(
            "GET", "/jobs/%s/logs" % urllib.parse.quote(job_id, safe=""), query=query
        )
    # -- cron schedules (SPEC §8) -------------------------------------------------------------

    def put_schedule(
        self,
        name: str,
        cron: str,
        type: str,
        payload: Optional[Mapping[str, Any]] = None,
        queue: Optional[str] = None,
        timezone: Optional[str] = None,
        options: Optional[Mapping[str, Any]] = None,
    ) -> Dict[str, Any]:
        """PUT /schedules/:name — creates or replaces a cron schedule (5 fields, or 6 with seconds
        first). `options`: priority, max_attempts, timeout_seconds, tags, webhook_url. Returns the
        schedule with `created` (True when this call created it)."""
        body: Dict[str, Any] = {"cron": cron, "type": type}
        if payload is not None:
            body["payload"] = dict(payload)
        if queue is not None:
            body["queue"] = queue
        if timezone is not None:
            body["timezone"] = timezone
        if options is not None:
            body["options"] = dict(options)
        return self.request("PUT", _schedule_path(name), body)

    def schedules(self) -> List[Dict[str, Any]]:
        """GET /schedules — each with `next_run_at` and `last_run_at`."""
        return self.request("GET", "/schedules")["schedules"]

    def get_schedule(self, name: str) -> Dict[str, Any]:
        """GET /schedules/:name (NotFoundError when there is none, or it is another tenant's)."""
        return self.request("GET", _schedule_path(name))

    def delete_schedule(self, name: str) -> Dict[str, Any]:
        """DELETE /schedules/:name — the jobs it enqueued stay."""
        return self.request("DELETE", _schedule_path(name))

    def pause_schedule(self, name: str) -> Dict[str, Any]:
        """POST /schedules/:name/pause."""
        return self.request("POST", _schedule_path(name) + "/pause", {})

    def resume_schedule(self, name: str) -> Dict[str, Any]:
        """POST /schedules/:name/resume — from the first tick after now."""
        return self.request("POST", _schedule_path(name) + "/resume", {})
    # -- webhook subscriptions (docs/webhooks.md) -------------------------------------------

    def create_webhook(
        self, url: str, events: Sequence[str], secret: Optional[str] = None
    ) -> Dict[str, Any]:
        """POST /webhooks — subscribes `url` to your tenant's job `events` (or `["*"]`). Without a
        `secret` the server generates one and returns it once (`secret`)."""
        body: Dict[str, Any] = {"url": url, "events": list(events)}
        if secret is not None:
            body["secret"] = secret
        return self.request("POST", "/webhooks", body)

    def webhooks(self, tenant: Optional[str] = None) -> List[Dict[str, Any]]:
        """GET /webhooks — your tenant's subscriptions (admins: every tenant's, or `tenant`)."""
        return self.request("GET", "/webhooks", query={"tenant": tenant})["webhooks"]

    def webhook(self, webhook_id: str) -> Dict[str, Any]:
        """GET /webhooks/:id."""
        return self.request("GET", "/webhooks/%s" % urllib.parse.quote(webhook_id, safe=""))

    def delete_webhook(self, webhook_id: str) -> Dict[str, Any]:
        """DELETE /webhooks/:id — with its pending deliveries and their log."""
        return self.request("DELETE", "/webhooks/%s" % urllib.parse.quote(webhook_id, safe=""))

    def webhook_deliveries(
        self,
        webhook_id: Optional[str] = None,
        job_id: Optional[str] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> Dict[str, Any]:
        """The delivery log of a subscription (GET /webhooks/:id/deliveries) or of a job
        (GET /jobs/:id/deliveries): `{deliveries, next_cursor}`, newest first."""
        if (webhook_id is None) == (job_id is None):
            raise TypeError("give exactly one of webhook_id and job_id")
        path = (
            "/webhooks/%s/deliveries" % urllib.parse.quote(webhook_id, safe="")
            if webhook_id is not None
            else "/jobs/%s/deliveries" % urllib.parse.quote(str(job_id), safe="")
        )
        return self.request("GET", path, query={"limit": limit, "cursor": cursor})

    def redeliver(self, webhook_id: str, delivery_id: str) -> Dict[str, Any]:
        """POST /webhooks/:id/deliveries/:delivery_id/redeliver — sends a finished delivery
        again (same id and body)."""
        return self.request(
            "POST",
            "/webhooks/%s/deliveries/%s/redeliver"
            % (urllib.parse.quote(webhook_id, safe=""), urllib.parse.quote(delivery_id, safe="")),
            {},
        )

    def wait(
        self,
        job_id: str,
        timeout: Optional[float] = None,
        on_progress: Optional[Callable[[Job], None]] = None,
        poll_interval: float = 0.25,
        max_poll_interval: float = 2.0,
    ) -> Job:
        """Polls the job until it is final and returns it; `on_progress(job)` is called whenever
        its status, progress or progress message changed. The interval grows from
        `poll_interval` to `max_poll_interval` while nothing changes. Raises `WaitTimeout`."""
        deadline = None if timeout is None else time.monotonic() + timeout
        interval = poll_interval
        seen = None
        while True:
            job = self.get(job_id)
            state = (job["status"], job.get("progress"), job.get("progress_message"))
            if state != seen:
                seen = state
                interval = poll_interval
                if on_progress is not None:
                    on_progress(job)
            else:
                interval = min(max_poll_interval, interval * 2)
            if job["status"] in FINAL_STATES:
                return job
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise WaitTimeout(job_id, timeout or 0)
                interval = min(interval, left)
            time.sleep(interval)

    # -- events ------------------------------------------------------------------------------

    def follow(self, job_id: str, timeout: Optional[float] = None) -> Iterator[Event]:
        """GET /jobs/:id/events (SSE): a `job.snapshot`, then the job's events; the iterator
        ends after the final event (which carries the whole `job`)."""
        return self.events("/jobs/%s/events" % urllib.parse.quote(job_id, safe=""), timeout=timeout)

    def events(
        self,
        path: str = "/events",
        queue: Optional[str] = None,
        last_event_id: Optional[int] = None,
        timeout: Optional[float] = None,
    ) -> Iterator[Event]:
        """An SSE stream (default GET /events, every event the caller may see) as parsed
        events; each has `seq` (also the SSE id). `last_event_id` replays what was missed."""
        url = self.base_url + path
        if queue is not None:
            url += "?" + urllib.parse.urlencode({"queue": queue})
        request = urllib.request.Request(url, method="GET")
        headers = self._headers({"Accept": "text/event-stream"}, json_body=False)
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        for name, value in headers.items():
            request.add_header(name, value)
        try:
            response = urllib.request.urlopen(request, timeout=timeout or self.timeout)
        except urllib.error.HTTPError as error:
            raw = error.read()
            raise error_for(error.code, json.loads(raw) if raw else None) from None
        return _parse_sse(response)


def _schedule_path(name: str) -> str:
    return "/schedules/%s" % urllib.parse.quote(name, safe="")


def _parse_sse(response: Any) -> Iterator[Event]:
    """Yields the `data` of each SSE message (JSON), with the event name under `event`."""
    with response:
        name, data = None, []  # type: Optional[str], List[str]
        for raw in response:
            line = raw.decode("utf-8").rstrip("\r\n")
            if line == "":
                if data:
                    event = json.loads("\n".join(data))
                    if name is not None and isinstance(event, dict):
                        event.setdefault("event", name)
                    yield event
                name, data = None, []
            elif line.startswith(":"):
                continue  # keep-alive comment
            else:
                field, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if field == "event":
                    name = value
                elif field == "data":
                    data.append(value)
