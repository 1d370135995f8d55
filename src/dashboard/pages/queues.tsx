/** Queues: settings and control (pause/resume, concurrency and defaults) for admins. */
import { useState } from "preact/hooks";
import type { Queue } from "../api.js";
import { describeError, useApp, useLive, useLoader } from "../app-context.js";
import { ConfirmButton, ErrorLine, Section } from "../components.js";
import { count, duration } from "../format.js";

export function Queues() {
  const { client, session } = useApp();
  const admin = session.role === "admin";
  const { data, error, refresh } = useLoader(() => client.queues(), [], 5_000);
  const [actionError, setActionError] = useState<string | null>(null);
  useLive((event) => {
    if (event.event !== "job.progress") refresh();
  });

  const run = async (work: () => Promise<unknown>): Promise<void> => {
    setActionError(null);
    try {
      await work();
      refresh();
    } catch (failure) {
      setActionError(describeError(failure));
    }
  };

  return (
    <>
      <h1>Queues</h1>
      {admin ? null : (
        <p class="muted">Queue settings are changed by admins; you see your tenant's jobs.</p>
      )}
      <ErrorLine error={actionError ?? error} />
      {data?.length === 0 ? <p class="muted">No queues yet.</p> : null}
      {data?.map((queue) => (
        <QueueCard
          key={queue.name}
          queue={queue}
          admin={admin}
          onPause={(paused) => run(() => client.setPaused(queue.name, paused))}
          onPatch={(patch) =>
            run(() => client.request("PATCH", `/queues/${encodeURIComponent(queue.name)}`, patch))
          }
        />
      ))}
    </>
  );
}

function QueueCard({
  queue,
  admin,
  onPause,
  onPatch,
}: {
  queue: Queue;
  admin: boolean;
  onPause: (paused: boolean) => Promise<void>;
  onPatch: (patch: Record<string, number | null>) => Promise<void>;
}) {
  const [editing, setEditing] = useState(false);
  const [form, setForm] = useState({ concurrency: "", timeout: "", attempts: "" });
  const waiting = (queue.counts.queued ?? 0) + (queue.counts.retrying ?? 0);
  const field = (value: string): number | null => (value.trim() === "" ? null : Number(value));

  return (
    <Section
      title={queue.name}
      actions={
        <span class={`badge ${queue.paused ? "paused" : "active"}`} data-testid="queue-state">
          {queue.paused ? "‖ paused" : "▶ active"}
        </span>
      }
    >
      <dl class="facts">
        <dt>Waiting</dt>
        <dd>{count(waiting)}</dd>
        <dt>Running / limit</dt>
        <dd>
          {count(queue.counts.running ?? 0)} / {queue.concurrency ?? "∞"}
        </dd>
        <dt>Default timeout</dt>
        <dd>{queue.timeout_seconds === null ? "job's own" : duration(queue.timeout_seconds)}</dd>
        <dt>Default attempts</dt>
        <dd>{queue.max_attempts ?? "job's own"}</dd>
      </dl>
      {admin ? (
        <div class="actions">
          {queue.paused ? (
            <button type="button" onClick={() => void onPause(false)}>
              Resume queue
            </button>
          ) : (
            <ConfirmButton
              label="Pause queue"
              question={`Pause ${queue.name}? Running jobs finish; ${count(waiting)} waiting jobs stay queued.`}
              danger
              onConfirm={() => onPause(true)}
            />
          )}
          <button
            type="button"
            class="secondary"
            aria-expanded={editing}
            onClick={() => {
              setForm({
                concurrency: queue.concurrency === null ? "" : String(queue.concurrency),
                timeout: queue.timeout_seconds === null ? "" : String(queue.timeout_seconds),
                attempts: queue.max_attempts === null ? "" : String(queue.max_attempts),
              });
              setEditing(!editing);
            }}
          >
            Edit queue settings
          </button>
        </div>
      ) : null}
      {editing ? (
        <form
          class="edit"
          onSubmit={(event) => {
            event.preventDefault();
            void onPatch({
              concurrency: field(form.concurrency),
              timeout_seconds: field(form.timeout),
              max_attempts: field(form.attempts),
            }).then(() => setEditing(false));
          }}
        >
          {(
            [
              ["concurrency", "Concurrency limit (empty: none)"],
              ["timeout", "Default timeout, seconds (empty: job's own)"],
              ["attempts", "Default max attempts (empty: job's own)"],
            ] as const
          ).map(([name, label]) => (
            <label key={name}>
              {label}
              <input
                type="number"
                min={name === "timeout" ? 1 : 1}
                value={form[name]}
                onInput={(event) =>
                  setForm({ ...form, [name]: (event.target as HTMLInputElement).value })
                }
              />
            </label>
          ))}
          <button type="submit">Save queue settings</button>
        </form>
      ) : null}
    </Section>
  );
}
