/**
 * Overview: red flags first, then per-queue counts, latency and throughput, live. Answers "is
 * anything wrong, and where?" in one screen.
 */
import { useState } from "preact/hooks";
import type { ListWorkersResponse } from "../../http/contracts.js";
import type { Queue, Tenant, Throughput, WorkerInfo } from "../api.js";
import { useApp, useLive, useLoader } from "../app-context.js";
import { Chart } from "../chart.js";
import { ErrorLine, Section } from "../components.js";
import { count, duration } from "../format.js";
import { href } from "../router.js";

/** The live workers (`GET /workers`, admin). */
export async function loadWorkers(
  client: ReturnType<typeof useApp>["client"],
): Promise<WorkerInfo[]> {
  const answer = await client.request<ListWorkersResponse>("GET", "/workers");
  return answer.body.workers;
}

interface OverviewData {
  queues: Queue[];
  throughput: Throughput;
  workers: WorkerInfo[] | null;
  tenants: Tenant[] | null;
}

interface Flag {
  severity: "critical" | "warning";
  text: string;
  link: string;
}

const waiting = (queue: Queue): number =>
  (queue.counts.queued ?? 0) + (queue.counts.retrying ?? 0) + (queue.counts.scheduled ?? 0);
const ready = (queue: Queue): number => (queue.counts.queued ?? 0) + (queue.counts.retrying ?? 0);

/** "oldest 4 min 10 s" for a queue with a waiting job, else "". */
function oldestAge(queue: Queue, now = Date.now()): string {
  if (!queue.oldest_waiting_at) return "";
  return duration(Math.max(0, (now - Date.parse(queue.oldest_waiting_at)) / 1000));
}

function serves(worker: WorkerInfo, queue: string): boolean {
  return worker.queues.includes(queue) || worker.queues.includes("*");
}

/** The red flags, worst first. */
export function redFlags(data: OverviewData): Flag[] {
  const flags: Flag[] = [];
  const recent = new Map(
    data.throughput.queues.map((series) => {
      const sum = (field: "completed" | "failed" | "retried"): number =>
        series.buckets.reduce((total, bucket) => total + bucket[field], 0);
      return [
        series.queue,
        { completed: sum("completed"), failed: sum("failed") + sum("retried") },
      ];
    }),
  );
  for (const queue of data.queues) {
    const backlog = ready(queue);
    if (queue.paused && backlog > 0)
      flags.push({
        severity: "critical",
        text: `Queue ${queue.name} is paused with ${count(backlog)} jobs waiting${oldestAge(queue) ? ` (oldest ${oldestAge(queue)})` : ""}`,
        link: href("/queues"),
      });
    if (
      data.workers !== null &&
      backlog > 0 &&
      !queue.paused &&
      !data.workers.some((worker) => serves(worker, queue.name))
    )
      flags.push({
        severity: "critical",
        text: `Queue ${queue.name} has ${count(backlog)} jobs waiting and no live worker${oldestAge(queue) ? ` (oldest ${oldestAge(queue)})` : ""}`,
        link: href("/workers"),
      });
    const last = recent.get(queue.name);
    if (last !== undefined && last.failed > 0) {
      const rate = last.failed / (last.failed + last.completed);
      if (rate >= 0.1)
        flags.push({
          severity: rate >= 0.5 ? "critical" : "warning",
          text: `Queue ${queue.name}: ${Math.round(rate * 100)} % of attempts failed in the last 5 min (${count(last.failed)} failures)`,
          link: href("/jobs", { queue: queue.name, status: "failed,retrying" }),
        });
    }
  }
  for (const tenant of data.tenants ?? []) {
    for (const period of ["daily", "monthly"] as const) {
      const { limit, used } = tenant[period];
      if (limit !== null && used >= limit) {
        flags.push({
          severity: "warning",
          text: `Tenant ${tenant.tenant} is out of ${period} credits (${count(used)} of ${count(limit)})`,
          link: href("/tenants"),
        });
        break;
      }
    }
  }
  return flags.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "critical" ? -1 : 1));
}

export function Overview() {
  const { client, session } = useApp();
  const [window, setWindow] = useState<"300" | "3600">("300");
  const admin = session.role === "admin";
  const { data, error, refresh } = useLoader<OverviewData>(
    async () => {
      const [queues, throughput, workers, tenants] = await Promise.all([
        client.queues(),
        client
          .request<Throughput>("GET", `/throughput?window_seconds=${window}`)
          .then((answer) => answer.body),
        admin ? loadWorkers(client) : Promise.resolve(null),
        admin
          ? client
              .request<{ tenants: Tenant[] }>("GET", "/tenants")
              .then((answer) => answer.body.tenants)
          : Promise.resolve(null),
      ]);
      return { queues, throughput, workers, tenants };
    },
    [window],
    5_000,
  );
  useLive(() => refresh());

  if (data === null)
    return error === null ? <p class="loading">Loading…</p> : <ErrorLine error={error} />;
  const flags = redFlags(data);
  const starts = data.queues.flatMap((queue) =>
    queue.oldest_waiting_at ? [Date.parse(queue.oldest_waiting_at)] : [],
  );
  const oldest = starts.length === 0 ? null : Math.min(...starts);
  const totals = data.queues.reduce(
    (sum, queue) => ({
      waiting: sum.waiting + waiting(queue),
      running: sum.running + (queue.counts.running ?? 0),
      failed: sum.failed + (queue.counts.failed ?? 0),
      perMinute: sum.perMinute + queue.completed_per_minute,
    }),
    { waiting: 0, running: 0, failed: 0, perMinute: 0 },
  );
  // Buckets before the server started counting are unknown, not zero: the chart starts there.
  const since = Date.parse(data.throughput.since) - data.throughput.bucket_seconds * 1000;
  const first = Math.max(
    0,
    data.throughput.queues[0]?.buckets.findIndex((bucket) => Date.parse(bucket.at) >= since) ?? 0,
  );
  const times =
    data.throughput.queues[0]?.buckets.slice(first).map((bucket) => Date.parse(bucket.at) / 1000) ??
    [];
  const sumAt = (field: "completed" | "failed" | "retried"): number[] =>
    times.map((_, i) =>
      data.throughput.queues.reduce(
        (total, series) => total + (series.buckets[first + i]?.[field] ?? 0),
        0,
      ),
    );
  const failures = sumAt("failed").map((value, i) => value + sumAt("retried")[i]!);

  return (
    <>
      <h1>Overview</h1>
      <ErrorLine error={error} />
      <section aria-labelledby="flags-title" class={`flags ${flags.length === 0 ? "ok" : "bad"}`}>
        <h2 id="flags-title">
          {flags.length === 0
            ? "✓ All clear"
            : `⚠ ${flags.length} red flag${flags.length === 1 ? "" : "s"}`}
        </h2>
        {flags.length === 0 ? (
          <p>
            No paused backlog, no queue without a worker, no failure spike, no tenant out of
            credits.
          </p>
        ) : (
          <ul>
            {flags.map((flag) => (
              <li key={flag.text} class={flag.severity}>
                <span class="sev">{flag.severity === "critical" ? "Critical" : "Warning"}</span>{" "}
                <a href={flag.link}>{flag.text}</a>
              </li>
            ))}
          </ul>
        )}
      </section>

      <div class="tiles">
        <Tile
          label="Waiting"
          value={count(totals.waiting)}
          link={href("/jobs", { status: "scheduled,queued,retrying" })}
        />
        <Tile
          label="Running"
          value={count(totals.running)}
          link={href("/jobs", { status: "running" })}
        />
        <Tile
          label="Oldest waiting"
          value={oldest === null ? "—" : duration(Math.max(0, (Date.now() - oldest) / 1000))}
        />
        <Tile label="Completed / min" value={count(totals.perMinute)} />
        <Tile
          label="Failed (total)"
          value={count(totals.failed)}
          link={href("/jobs", { status: "failed" })}
        />
        {data.workers === null ? null : (
          <Tile label="Live workers" value={count(data.workers.length)} link={href("/workers")} />
        )}
      </div>

      <Section
        title="Throughput"
        actions={
          <div class="segmented" role="group" aria-label="Chart window">
            <button type="button" aria-pressed={window === "300"} onClick={() => setWindow("300")}>
              5 min
            </button>
            <button
              type="button"
              aria-pressed={window === "3600"}
              onClick={() => setWindow("3600")}
            >
              1 h
            </button>
          </div>
        }
      >
        {times.length === 0 ? (
          <p class="muted">No job has finished since this server started.</p>
        ) : (
          <Chart
            title={`Jobs completed and failed attempts per ${data.throughput.bucket_seconds} s, last ${window === "300" ? "5 minutes" : "hour"}`}
            times={times}
            span={[
              Date.now() / 1000 - Number(window),
              Date.now() / 1000 + data.throughput.bucket_seconds,
            ]}
            series={[
              { label: "completed", values: sumAt("completed"), color: "#2e9d5b" },
              { label: "failed attempts", values: failures, color: "#d2453d" },
            ]}
          />
        )}
        <p class="muted small">
          Counted by this server since {new Date(data.throughput.since).toLocaleTimeString()}.
        </p>
      </Section>

      <Section title="Queues">
        {data.queues.length === 0 ? (
          <p class="muted">No queues yet: submit a job to create one.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Queue</th>
                  <th scope="col">Status</th>
                  <th scope="col" class="num">
                    Waiting
                  </th>
                  <th scope="col" class="num">
                    Oldest waiting
                  </th>
                  <th scope="col" class="num">
                    Running / limit
                  </th>
                  {data.workers === null ? null : (
                    <th scope="col" class="num">
                      Workers
                    </th>
                  )}
                  <th scope="col" class="num">
                    Failed
                  </th>
                  <th scope="col" class="num">
                    Done / min
                  </th>
                  <th scope="col" class="num">
                    Wait p50 · p95
                  </th>
                  <th scope="col" class="num">
                    Run p50 · p95
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.queues.map((queue) => (
                  <tr key={queue.name} data-queue={queue.name}>
                    <th scope="row">
                      <a href={href("/jobs", { queue: queue.name })}>{queue.name}</a>
                    </th>
                    <td>
                      {queue.paused ? (
                        <span class="badge paused">‖ paused</span>
                      ) : (
                        <span class="badge active">▶ active</span>
                      )}
                    </td>
                    <td class="num">
                      {count(waiting(queue))}
                      {queue.counts.scheduled ? (
                        <span class="muted small"> ({count(queue.counts.scheduled)} later)</span>
                      ) : null}
                    </td>
                    <td class="num" title={queue.oldest_waiting_at ?? undefined}>
                      {oldestAge(queue) || "—"}
                    </td>
                    <td class="num">
                      {count(queue.counts.running ?? 0)} /{" "}
                      {queue.concurrency === null ? "∞" : count(queue.concurrency)}
                    </td>
                    {data.workers === null ? null : (
                      <td class="num">
                        {(() => {
                          const serving = data.workers.filter((w) => serves(w, queue.name)).length;
                          return serving === 0 && ready(queue) > 0 ? (
                            <strong class="flag-text">⚠ none</strong>
                          ) : (
                            count(serving)
                          );
                        })()}
                      </td>
                    )}
                    <td class="num">{count(queue.counts.failed ?? 0)}</td>
                    <td class="num">{count(queue.completed_per_minute)}</td>
                    <td class="num">
                      {duration(queue.wait_seconds?.p50)} · {duration(queue.wait_seconds?.p95)}
                    </td>
                    <td class="num">
                      {duration(queue.run_seconds?.p50)} · {duration(queue.run_seconds?.p95)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </>
  );
}

function Tile({ label, value, link }: { label: string; value: string; link?: string }) {
  const body = (
    <>
      <span class="tile-value">{value}</span>
      <span class="tile-label">{label}</span>
    </>
  );
  return link === undefined ? (
    <div class="tile">{body}</div>
  ) : (
    <a class="tile" href={link}>
      {body}
    </a>
  );
}
