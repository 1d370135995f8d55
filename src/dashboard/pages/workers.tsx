/** Workers: every live worker with host, kind, queues, types, slots used and last seen. */
import { useApp, useLoader } from "../app-context.js";
import { ErrorLine } from "../components.js";
import { ago, count } from "../format.js";
import { loadWorkers } from "./overview.js";

export function Workers() {
  const { client } = useApp();
  const { data, error, loading } = useLoader(() => loadWorkers(client), [], 3_000);
  return (
    <>
      <h1>Workers</h1>
      <ErrorLine error={error} />
      {loading && data === null ? <p class="loading">Loading…</p> : null}
      {data !== null && data.length === 0 ? (
        <p class="empty">
          No live worker. Jobs wait until one starts: <code>spool worker --queues default</code>.
        </p>
      ) : null}
      {data !== null && data.length > 0 ? (
        <p class="muted" data-testid="workers-summary">
          {count(data.length)} live {data.length === 1 ? "worker" : "workers"} ·{" "}
          {count(data.reduce((sum, worker) => sum + worker.running, 0))} of{" "}
          {count(data.reduce((sum, worker) => sum + worker.concurrency, 0))} slots busy ·{" "}
          {count(data.filter((worker) => worker.kind === "remote").length)} remote
        </p>
      ) : null}
      {data !== null && data.length > 0 ? (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Host</th>
                <th scope="col">Queues</th>
                <th scope="col">Types</th>
                <th scope="col" class="num">
                  Slots used
                </th>
                <th scope="col">Last seen</th>
                <th scope="col">Version</th>
              </tr>
            </thead>
            <tbody>
              {data.map((worker) => (
                <tr key={worker.id}>
                  <th scope="row">{worker.name}</th>
                  <td>{worker.kind}</td>
                  <td>
                    {worker.host}
                    {worker.pid ? <span class="muted"> · pid {worker.pid}</span> : null}
                  </td>
                  <td>{worker.queues.join(", ")}</td>
                  <td class="mono small">{worker.types.join(", ")}</td>
                  <td class="num">
                    {count(worker.running)} / {count(worker.concurrency)}
                  </td>
                  <td title={worker.last_seen_at}>{ago(worker.last_seen_at)}</td>
                  <td>{worker.version}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
