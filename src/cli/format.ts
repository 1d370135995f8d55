/**
 * Human renderings of jobs, counts and times for the CLI: the job table of `spool jobs`, the
 * detail view of `spool job`, status colours, relative ages and durations. JSON output does not
 * come through here (`--json` prints the library's records as they are).
 */
import type { WaitingReason } from "../core/waiting-reason.js";
import type { JobRecord } from "../core/job.js";
import type { JobState } from "../core/states.js";
import { renderFields, renderTable, type Cell, type Style } from "./output.js";

/** A job state in its colour. */
export function statusCell(status: JobState, style: Style): Cell {
  const colors: Partial<Record<JobState, (text: string) => string>> = {
    completed: style.green,
    failed: style.red,
    running: style.cyan,
    retrying: style.yellow,
    cancelled: style.dim,
    scheduled: style.dim,
  };
  const color = colors[status];
  return color === undefined ? status : { text: status, color };
}

/** `1.2s`, `3m 04s`, `2h 05m`. */
export function formatDuration(ms: number): string {
  if (ms < 0) ms = 0;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  const s = Math.floor(ms / 1000);
  if (s < 3_600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  if (s < 86_400)
    return `${Math.floor(s / 3_600)}h ${String(Math.floor((s % 3_600) / 60)).padStart(2, "0")}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3_600)}h`;
}

/** `5s ago`, `in 3m 00s`. */
export function formatAge(at: Date, now: number): string {
  const delta = now - at.getTime();
  return delta >= 0 ? `${formatDuration(delta)} ago` : `in ${formatDuration(-delta)}`;
}

/** The table of `spool jobs`. */
export function renderJobTable(jobs: readonly JobRecord[], style: Style, now: number): string {
  const rows = jobs.map((job): Cell[] => [
    job.id,
    job.type,
    job.queue,
    statusCell(job.status, style),
    `${job.progress}%`,
    `${job.attempt}/${job.maxAttempts}`,
    formatAge(job.createdAt, now),
    job.progressMessage ?? job.error?.message ?? "",
  ]);
  return renderTable(
    ["ID", "TYPE", "QUEUE", "STATUS", "PROGRESS", "ATTEMPT", "CREATED", "NOTE"],
    rows.map((row) => row.map((cell) => truncateCell(cell, 60))),
    style,
  );
}

function truncateCell(cell: Cell, max: number): Cell {
  if (typeof cell !== "string") return cell;
  const oneLine = cell.replace(/\s+/g, " ");
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** JSON for a human: indented, cut after `maxLines` lines with a pointer to `--json`. */
export function previewJson(value: unknown, maxLines: number, style: Style): string {
  const lines = JSON.stringify(value, null, 2).split("\n");
  if (lines.length <= maxLines) return lines.join("\n");
  return [
    ...lines.slice(0, maxLines),
    style.dim(`… ${lines.length - maxLines} more lines (use --json for everything)`),
  ].join("\n");
}

/** The detail view of `spool job ID`. */
export function renderJobDetail(
  job: JobRecord,
  style: Style,
  now: number,
  waitingReason: WaitingReason | null = null,
): string {
  const status = statusCell(job.status, style);
  const fields: [string, string][] = [
    ["id", job.id],
    ["type", job.type],
    ["queue", job.queue],
    ["status", typeof status === "string" ? status : status.color!(status.text)],
    ["progress", `${job.progress}%${job.progressMessage ? `  ${job.progressMessage}` : ""}`],
    ["attempt", `${job.attempt} of ${job.maxAttempts}`],
    ["priority", String(job.priority)],
    ["created", `${job.createdAt.toISOString()}  (${formatAge(job.createdAt, now)})`],
    ["run at", `${job.runAt.toISOString()}  (${formatAge(job.runAt, now)})`],
  ];
  if (job.startedAt !== null) fields.push(["started", job.startedAt.toISOString()]);
  if (job.completedAt !== null) fields.push(["finished", job.completedAt.toISOString()]);
  if (job.startedAt !== null) {
    const end = job.completedAt?.getTime() ?? (job.status === "running" ? now : null);
    if (end !== null) fields.push(["elapsed", formatDuration(end - job.startedAt.getTime())]);
  }
  fields.push(["timeout", formatDuration(job.timeout)]);
  if (waitingReason !== null)
    fields.push(["waiting", `${waitingReason.message}  (${waitingReason.code})`]);
  if (job.worker !== null) fields.push(["worker", job.worker]);
  if (job.cancelRequested && job.status === "running") fields.push(["cancel", "requested"]);
  if (job.uniqueKey !== null) fields.push(["unique key", job.uniqueKey]);
  if (job.tags.length > 0) fields.push(["tags", job.tags.join(", ")]);
  let text = renderFields(fields, style);
  text += `\n${style.bold("payload")}\n${previewJson(job.payload, 20, style)}\n`;
  if (job.result !== null)
    text += `\n${style.bold("result")}\n${previewJson(job.result, 30, style)}\n`;
  if (job.errors.length > 0) {
    text += `\n${style.bold("errors")}\n`;
    for (const error of job.errors) {
      text += `  attempt ${error.attempt}  ${error.at.toISOString()}  ${style.red(`${error.type}: ${error.message}`)}\n`;
    }
  }
  return text;
}
