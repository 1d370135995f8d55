/**
 * The job detail's log (SPEC §8): every stored line, grouped by attempt, with the number of
 * older lines the per-job cap dropped. While the job runs it is read again every 2 s (a page
 * of at most 1,000 lines, the whole log), so new lines appear without a reload.
 */
import type { z } from "zod";
import type { JobLogsResponse } from "../../http/contracts.js";
import { useApp, useLoader } from "../app-context.js";
import { ErrorLine, Section } from "../components.js";
import { time } from "../format.js";

type LogLine = z.infer<typeof JobLogsResponse>["lines"][number];

/** Lines in order, cut where the attempt changes. */
function byAttempt(lines: readonly LogLine[]): { attempt: number; lines: LogLine[] }[] {
  const groups: { attempt: number; lines: LogLine[] }[] = [];
  for (const line of lines) {
    const last = groups.at(-1);
    if (last?.attempt === line.attempt) last.lines.push(line);
    else groups.push({ attempt: line.attempt, lines: [line] });
  }
  return groups;
}

export function JobLogsSection({
  id,
  status,
  live,
}: {
  id: string;
  status: string;
  live: boolean;
}) {
  const { client } = useApp();
  // `status` in the deps reads the log once more when the job ends (its last lines).
  const { data, error } = useLoader(() => client.logs(id), [id, status], live ? 2_000 : undefined);
  return (
    <Section title="Logs">
      <ErrorLine error={error} />
      {data === null ? null : data.lines.length === 0 ? (
        <p class="muted">No log lines{live ? " yet" : ""}.</p>
      ) : (
        <div data-testid="job-logs">
          {data.dropped_lines > 0 ? (
            <p class="muted small">
              {data.dropped_lines} older line(s) dropped: a job keeps its newest 1,000.
            </p>
          ) : null}
          {byAttempt(data.lines).map((group) => (
            <div key={group.attempt} class="log-group">
              <h3 class="small">Attempt {group.attempt}</h3>
              <ol class="log-lines mono small">
                {group.lines.map((line) => (
                  <li key={line.seq} data-level={line.level}>
                    <time dateTime={line.at}>{time(line.at)}</time>
                    <span class="log-level">{line.level}</span> {line.message}
                  </li>
                ))}
              </ol>
            </div>
          ))}
        </div>
      )}
    </Section>
  );
}
