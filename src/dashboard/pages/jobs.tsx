/** Jobs: filters, id search, cursor paging, live rows, bulk actions. */
import { useState } from "preact/hooks";
import type { Job, JobPage } from "../api.js";
import { useApp, useLive, useLoader } from "../app-context.js";
import { ErrorLine, ProgressBar, StateBadge } from "../components.js";
import { ago, shortId } from "../format.js";
import { href, navigate } from "../router.js";
import { BulkBar, type BulkFilter } from "./bulk.js";

const STATES = ["scheduled", "queued", "running", "retrying", "completed", "failed", "cancelled"];
const FIELDS = ["status", "queue", "type", "tag", "tenant"] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function Jobs({ query }: { query: URLSearchParams }) {
  const { client, session } = useApp();
  const admin = session.role === "admin";
  const filter: BulkFilter = {};
  for (const field of FIELDS) {
    const value = query.get(field);
    if (value !== null && value !== "" && (field !== "tenant" || admin)) filter[field] = value;
  }
  const cursor = query.get("cursor") ?? undefined;
  const key = JSON.stringify([filter, cursor]);
  const [rows, setRows] = useState<Job[]>([]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [search, setSearch] = useState("");
  const [searchError, setSearchError] = useState<string | null>(null);

  const { data, error, refresh } = useLoader<JobPage>(async () => {
    const page = await client.request<JobPage>(
      "GET",
      `/jobs?${new URLSearchParams({ ...filter, limit: "50", ...(cursor === undefined ? {} : { cursor }) })}`,
    );
    setRows(page.body.jobs as Job[]);
    return page.body;
  }, [key]);

  useLive((event) => {
    const known = rows.some((row) => row.id === event.job_id);
    if (known) {
      setRows((current) =>
        current.map((row) =>
          row.id !== event.job_id
            ? row
            : {
                ...row,
                status: event.status as Job["status"],
                ...(event.progress === undefined ? {} : { progress: event.progress }),
                ...(event.progress_message === undefined
                  ? {}
                  : { progress_message: event.progress_message }),
                ...(event.attempt === undefined ? {} : { attempt: event.attempt }),
                updated_at: event.at ?? row.updated_at,
              },
        ),
      );
    } else if (cursor === undefined && event.event === "job.queued") {
      refresh(); // a new job may belong on the first page
    }
  });

  const setFilter = (field: (typeof FIELDS)[number], value: string): void => {
    const next: Record<string, string | undefined> = { ...filter, [field]: value || undefined };
    navigate("/jobs", next);
    setSelected(new Set());
  };

  const toggle = (id: string): void => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };

  return (
    <>
      <h1>Jobs</h1>
      <form
        class="search"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          const id = search.trim();
          if (!UUID.test(id)) {
            setSearchError("A job id looks like 0190a1b2-…: 36 characters with dashes.");
            return;
          }
          setSearchError(null);
          navigate(`/jobs/${id.toLowerCase()}`);
        }}
      >
        <label>
          Job id
          <input
            value={search}
            placeholder="paste a job id"
            onInput={(event) => setSearch((event.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit">Open job</button>
      </form>
      <ErrorLine error={searchError} />
      <div class="filters" role="group" aria-label="Filters">
        <label>
          State
          <select
            value={filter.status ?? ""}
            onChange={(event) => setFilter("status", (event.target as HTMLSelectElement).value)}
          >
            <option value="">any</option>
            <option value="scheduled,queued,retrying">waiting</option>
            {STATES.map((state) => (
              <option key={state} value={state}>
                {state}
              </option>
            ))}
            {filter.status !== undefined &&
            !STATES.includes(filter.status) &&
            filter.status !== "scheduled,queued,retrying" ? (
              <option value={filter.status}>{filter.status}</option>
            ) : null}
          </select>
        </label>
        {(["queue", "type", "tag", ...(admin ? (["tenant"] as const) : [])] as const).map(
          (field) => (
            <label key={field}>
              {field.charAt(0).toUpperCase() + field.slice(1)}
              <input
                name={field}
                value={filter[field] ?? ""}
                placeholder="any"
                onChange={(event) => setFilter(field, (event.target as HTMLInputElement).value)}
              />
            </label>
          ),
        )}
      </div>
      <BulkBar
        selected={[...selected]}
        filter={filter}
        onDone={() => {
          setSelected(new Set());
          refresh();
        }}
      />
      <ErrorLine error={error} />
      <div class="table-wrap">
        <table class="jobs">
          <caption class="sr-only">Jobs matching the filters, newest first</caption>
          <thead>
            <tr>
              <th scope="col">
                <span class="sr-only">Select</span>
              </th>
              <th scope="col">Job</th>
              <th scope="col">State</th>
              <th scope="col">Type</th>
              <th scope="col">Queue</th>
              {admin ? <th scope="col">Tenant</th> : null}
              <th scope="col">Progress</th>
              <th scope="col" class="num">
                Attempt
              </th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((job) => (
              <tr key={job.id} data-job-id={job.id} data-state={job.status}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select job ${shortId(job.id)}`}
                    checked={selected.has(job.id)}
                    onChange={() => toggle(job.id)}
                  />
                </td>
                <td>
                  <a href={href(`/jobs/${job.id}`)} title={job.id} class="mono">
                    {shortId(job.id)}
                  </a>
                </td>
                <td>
                  <StateBadge state={job.status} />
                </td>
                <td class="mono">{job.type}</td>
                <td>{job.queue}</td>
                {admin ? <td>{job.tenant}</td> : null}
                <td class="progress-cell">
                  {job.status === "running" ? (
                    <ProgressBar
                      value={job.progress}
                      label={`Progress of job ${shortId(job.id)}`}
                    />
                  ) : (
                    <span class="muted">—</span>
                  )}
                </td>
                <td class="num">
                  {job.attempt}/{job.max_attempts}
                </td>
                <td title={job.created_at}>{ago(job.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {data !== null && rows.length === 0 ? <p class="muted">No job matches.</p> : null}
      <nav class="pager" aria-label="Pages">
        {cursor === undefined ? null : <a href={href("/jobs", { ...filter })}>First page</a>}
        {data?.next_cursor ? (
          <a href={href("/jobs", { ...filter, cursor: data.next_cursor })}>Next page</a>
        ) : null}
      </nav>
    </>
  );
}
