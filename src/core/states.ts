/**
 * Job states and the legal transitions between them (SPEC §1 "States").
 * The table is the single source of truth; `docs/state-machine.md` draws it.
 */
import { InvalidTransitionError, SpoolValidationError } from "./errors.js";

/** Every state a job can be in, in lifecycle order. */
export const JOB_STATES = [
  "scheduled",
  "queued",
  "running",
  "retrying",
  "completed",
  "failed",
  "cancelled",
] as const;

/** A job's state. */
export type JobState = (typeof JOB_STATES)[number];

/** States a job never leaves on its own (only a manual retry moves failed/cancelled back). */
export const FINAL_STATES = [
  "completed",
  "failed",
  "cancelled",
] as const satisfies readonly JobState[];

/** A final state. */
export type FinalJobState = (typeof FINAL_STATES)[number];

/** States of a job that is waiting to run (counted by `queue_size`, positions, ETAs). */
export const WAITING_STATES = [
  "scheduled",
  "queued",
  "retrying",
] as const satisfies readonly JobState[];

/**
 * The transition table. `queued → queued` is absent: a released lease goes `running → queued`.
 * `failed | cancelled → queued` is the manual retry ("redrive").
 */
export const TRANSITIONS: Readonly<Record<JobState, readonly JobState[]>> = {
  scheduled: ["queued", "cancelled"],
  queued: ["running", "cancelled"],
  running: ["completed", "retrying", "failed", "cancelled", "queued"],
  retrying: ["queued", "cancelled"],
  completed: [],
  failed: ["queued"],
  cancelled: ["queued"],
};

const STATE_SET: ReadonlySet<string> = new Set(JOB_STATES);
const FINAL_SET: ReadonlySet<string> = new Set(FINAL_STATES);

/** True when `value` names a job state. */
export function isJobState(value: unknown): value is JobState {
  return typeof value === "string" && STATE_SET.has(value);
}

/** True for `completed`, `failed` and `cancelled`. */
export function isFinalState(state: JobState): state is FinalJobState {
  return FINAL_SET.has(state);
}

/** True when the table allows `from → to`. */
export function canTransition(from: JobState, to: JobState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws `InvalidTransitionError` unless the table allows `from → to`. */
export function assertTransition(from: JobState, to: JobState): void {
  if (!canTransition(from, to)) throw new InvalidTransitionError(from, to);
}

/**
 * Parses a status filter. Accepts `pending` as an alias of `queued` (seed 000 speaks of
 * pending jobs). Returns undefined for an unknown name.
 */
export function parseStatusFilter(value: string): JobState | undefined {
  const name = value.trim().toLowerCase();
  if (name === "pending") return "queued";
  return isJobState(name) ? name : undefined;
}

/** Parses a status filter: one state, an array, or a comma-separated list (`pending` = queued). */
export function parseStatusList(
  value: string | readonly string[] | undefined,
): JobState[] | undefined {
  if (value === undefined) return undefined;
  const names = typeof value === "string" ? value.split(",") : value;
  if (!Array.isArray(names))
    throw new SpoolValidationError("status", "must be a string or an array of strings");
  const states = names
    .filter((name) => typeof name !== "string" || name.trim() !== "")
    .map((name) => {
      const state = typeof name === "string" ? parseStatusFilter(name) : undefined;
      if (state === undefined)
        throw new SpoolValidationError("status", `unknown status "${String(name)}"`);
      return state;
    });
  return states.length === 0 ? undefined : [...new Set(states)];
}
