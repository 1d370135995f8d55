/**
 * What `--json` prints for jobs: the HTTP API's resources (snake_case, ISO-8601 timestamps,
 * `timeout_seconds`), so a script written against `spool … --json` works unchanged against
 * `curl …/jobs/ID`, whether the CLI talks to a store (`--url`) or a server (`--server`). `spool
 * stats --json` and `spool workers --json` print their HTTP resources the same way.
 */
import type { JobRecord } from "../core/job.js";
import type { WaitingReason } from "../core/waiting-reason.js";
import type { JobResource } from "../http/contracts.js";
import { toJobResource } from "../http/serialize.js";

/** A job as `GET /jobs/:id` shows it, with its waiting reason when it has one. */
export function jobJson(
  job: JobRecord,
  now: number,
  waitingReason?: WaitingReason | null,
): JobResource {
  const resource = toJobResource(job, now);
  if (waitingReason !== undefined) resource.waiting_reason = waitingReason;
  return resource;
}

/** A page of jobs as `GET /jobs?include=payload,result,errors` shows it. */
export function jobPageJson(
  page: { jobs: JobRecord[]; nextCursor: string | null },
  now: number,
): { jobs: JobResource[]; count: number; next_cursor: string | null } {
  return {
    jobs: page.jobs.map((job) => toJobResource(job, now)),
    count: page.jobs.length,
    next_cursor: page.nextCursor,
  };
}
