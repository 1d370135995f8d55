/**
 * Job detail: state and why it waits, live progress, payload and result, every attempt, a
 * timeline, queue position and ETA, actions, and the same job as curl and `spool` commands.
 */
import { useState } from "preact/hooks";
import type { Job, LiveEvent } from "../api.js";
import { describeError, useApp, useLive, useLoader } from "../app-context.js";
import {
  ConfirmButton,
  CopyButton,
  ErrorLine,
  JsonView,
  ProgressBar,
  Section,
  StateBadge,
} from "../components.js";
import { duration, shellQuote, shortId, time } from "../format.js";
import { href } from "../router.js";
import { JobLogsSection } from "./job-logs.js";

const FINAL = new Set(["completed", "failed", "cancelled"]);
const WAITING = new Set(["scheduled", "queued", "retrying"]);

interface TimelineEntry {
  at: string;
  text: string;
}

/** The job's history as far as the resource tells it, plus the events seen live. */
function timeline(job: Job, seen: LiveEvent[]): TimelineEntry[] {
  const entries: TimelineEntry[] = [{ at: job.created_at, text: "submitted" }];
  for (const error of job.errors)
    entries.push({ at: error.at, text: `attempt ${error.attempt} failed: ${error.message}` });
  if (job.started_at !== null)
    entries.push({
      at: job.started_at,
      text: `attempt ${job.attempt} started${job.worker ? ` on ${job.worker}` : ""}`,
    });
  if (job.completed_at !== null) entries.push({ at: job.completed_at, text: job.status });
  for (const event of seen) {
    if (event.event === "job.progress" || event.at === undefined) continue;
    entries.push({ at: event.at, text: `${event.event.replace(/^job\./, "")} (live)` });
  }
  const unique = new Map(entries.map((entry) => [`${entry.at}|${entry.text}`, entry]));
  return [...unique.values()].sort((a, b) => a.at.localeCompare(b.at));
}

export function JobDetail({ id }: { id: string }) {
  const { client } = useApp();
  const [job, setJob] = useState<Job | null>(null);
  const [seen, setSeen] = useState<LiveEvent[]>([]);
  const [actionError, setActionError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const waiting = job !== null && WAITING.has(job.status);
  const { error, refresh } = useLoader(
    async () => {
      const answer = await client.request<Job>("GET", `/jobs/${encodeURIComponent(id)}`);
      setJob(answer.body);
      return answer.body;
    },
    // While it waits, its position and ETA move without events of its own: poll then.
    [id, waiting],
    waiting ? 3_000 : undefined,
  );

  useLive((event) => {
    if (event.job_id !== id) return;
    setSeen((list) => [...list.slice(-50), event]);
    if (event.event === "job.progress") {
      setJob((current) =>
        current === null
          ? current
          : {
              ...current,
              progress: event.progress ?? current.progress,
              progress_message: event.progress_message ?? current.progress_message,
            },
      );
    } else {
      refresh();
    }
  });

  if (job === null)
    return error === null ? <p class="loading">Loading…</p> : <ErrorLine error={error} />;

  const act = async (what: "cancel" | "retry"): Promise<void> => {
    setActionError(null);
    try {
      if (what === "cancel") {
        const answer = await client.cancel(job.id);
        setNotice(
          answer.cancel_requested
            ? "Cancellation requested: the handler was told to stop."
            : "Cancelled.",
        );
      } else {
        await client.retry(job.id);
        setNotice("Re-queued.");
      }
      refresh();
    } catch (failure) {
      setActionError(describeError(failure));
    }
  };

  const origin = location.origin;
  const auth = ' -H "Authorization: Bearer $SPOOL_TOKEN"';
  const submission = JSON.stringify({
    type: job.type,
    payload: job.payload,
    queue: job.queue,
    ...(job.tags.length > 0 ? { tags: job.tags } : {}),
  });
  const curlGet = `curl -s ${origin}/jobs/${job.id}${auth}`;
  const curlSubmit = `curl -s -X POST ${origin}/jobs -H "Content-Type: application/json"${auth} -d ${shellQuote(submission)}`;
  const spoolGet = `spool job ${job.id} --server ${origin}`;
  const spoolSubmit = `spool enqueue ${job.type} --payload ${shellQuote(JSON.stringify(job.payload))} --queue ${job.queue}${job.tags.map((tag) => ` --tag ${shellQuote(tag)}`).join("")} --server ${origin}`;

  return (
    <>
      <p class="crumbs">
        <a href={href("/jobs")}>Jobs</a> / <span class="mono">{shortId(job.id)}</span>
      </p>
      <h1 class="job-title">
        <span class="mono">{job.type}</span> <StateBadge state={job.status} />
      </h1>
      <p class="mono muted small" data-testid="job-id">
        {job.id}
      </p>
      {job.waiting_reason ? (
        <p class="reason" data-testid="waiting-reason" data-code={job.waiting_reason.code}>
          <strong>Why it waits:</strong> {job.waiting_reason.message}
        </p>
      ) : null}
      {job.cancel_requested && !FINAL.has(job.status) ? (
        <p class="reason">Cancellation requested; the handler is stopping.</p>
      ) : null}

      <div class="actions">
        {FINAL.has(job.status) ? null : (
          <ConfirmButton
            label="Cancel job"
            question="Cancel this job?"
            danger
            onConfirm={() => act("cancel")}
          />
        )}
        {job.status === "failed" || job.status === "cancelled" ? (
          <button type="button" onClick={() => void act("retry")}>
            Retry job
          </button>
        ) : null}
      </div>
      <ErrorLine error={actionError ?? error} />
      {notice === null ? null : (
        <p role="status" class="notice">
          {notice}
        </p>
      )}

      <Section title="Progress">
        <ProgressBar value={job.progress} message={job.progress_message} label="Job progress" />
        <dl class="facts">
          <dt>Queue</dt>
          <dd>
            <a href={href("/jobs", { queue: job.queue })}>{job.queue}</a>
          </dd>
          <dt>Tenant</dt>
          <dd>{job.tenant}</dd>
          <dt>Attempt</dt>
          <dd>
            {job.attempt} of {job.max_attempts}
          </dd>
          <dt>Priority</dt>
          <dd>{job.priority}</dd>
          {job.queue_position === undefined ? null : (
            <>
              <dt>Queue position</dt>
              <dd data-testid="queue-position">{job.queue_position} ahead</dd>
            </>
          )}
          {job.eta_seconds === undefined ? null : (
            <>
              <dt>ETA</dt>
              <dd>about {duration(job.eta_seconds)}</dd>
            </>
          )}
          <dt>Created</dt>
          <dd>{time(job.created_at)}</dd>
          <dt>Run at</dt>
          <dd>{time(job.run_at)}</dd>
          <dt>Started</dt>
          <dd>{time(job.started_at)}</dd>
          <dt>Finished</dt>
          <dd>{time(job.completed_at)}</dd>
          <dt>Elapsed</dt>
          <dd>{duration(job.elapsed_seconds)}</dd>
          <dt>Timeout</dt>
          <dd>{duration(job.timeout_seconds)}</dd>
          <dt>Worker</dt>
          <dd>{job.worker ?? "—"}</dd>
          {job.tags.length === 0 ? null : (
            <>
              <dt>Tags</dt>
              <dd>{job.tags.join(", ")}</dd>
            </>
          )}
        </dl>
      </Section>

      <div class="two">
        <Section title="Payload">
          <JsonView title="Payload" value={job.payload} />
        </Section>
        <Section title="Result">
          {job.result === null || job.result === undefined ? (
            <p class="muted">No result {FINAL.has(job.status) ? "" : "yet"}.</p>
          ) : (
            <JsonView title="Result" value={job.result} />
          )}
        </Section>
      </div>

      <Section title="Attempts and errors">
        {job.errors.length === 0 ? (
          <p class="muted">No failed attempt.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col" class="num">
                    Attempt
                  </th>
                  <th scope="col">When</th>
                  <th scope="col">Error</th>
                </tr>
              </thead>
              <tbody>
                {job.errors.map((entry) => (
                  <tr key={`${entry.attempt}-${entry.at}`}>
                    <td class="num">{entry.attempt}</td>
                    <td>{time(entry.at)}</td>
                    <td>
                      <span class="mono">{entry.type}</span>: {entry.message}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>

      <JobLogsSection id={job.id} status={job.status} live={!FINAL.has(job.status)} />

      <Section title="Timeline">
        <ol class="timeline">
          {timeline(job, seen).map((entry) => (
            <li key={`${entry.at}|${entry.text}`}>
              <time dateTime={entry.at}>{time(entry.at)}</time> {entry.text}
            </li>
          ))}
        </ol>
      </Section>

      <Section title="As a command">
        <div class="commands">
          <CopyButton text={curlGet} label="Copy curl to fetch it" />
          <CopyButton text={curlSubmit} label="Copy curl to submit it again" />
          <CopyButton text={spoolGet} label="Copy spool command to show it" />
          <CopyButton text={spoolSubmit} label="Copy spool command to submit it again" />
        </div>
        <pre class="small">{spoolSubmit}</pre>
      </Section>
    </>
  );
}
