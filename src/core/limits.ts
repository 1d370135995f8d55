/**
 * Defaults, limits and name patterns of jobs (SPEC §1): plain constants with no dependency, so
 * that the HTTP contracts, the typed client and the dashboard can publish the same rules as the
 * core validation (src/core/options.ts) without pulling it in.
 */

/** Queue every job goes to unless told otherwise. */
export const DEFAULT_QUEUE = "default";
/** Tenant of jobs submitted without one (library use, `--no-auth` servers). */
export const DEFAULT_TENANT = "default";
/** SPEC §1: default per-attempt limit (300 s). */
export const DEFAULT_TIMEOUT_MS = 300_000;
/** SPEC §1: default maximum attempts. */
export const DEFAULT_MAX_ATTEMPTS = 3;
/** SPEC §1: default lease (30 s). */
export const DEFAULT_LEASE_MS = 30_000;
/** Default limit of an encoded payload and of a stored result (1 MiB). */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1_048_576;
export const DEFAULT_MAX_RESULT_BYTES = 1_048_576;

export const PRIORITY_MIN = -1000;
export const PRIORITY_MAX = 1000;
export const MAX_ATTEMPTS_LIMIT = 1000;
/** Longest allowed per-attempt timeout: 7 days. */
export const MAX_TIMEOUT_MS = 7 * 24 * 3_600_000;
/** Furthest a job may be scheduled ahead: 10 years. */
export const MAX_DELAY_MS = 10 * 365 * 24 * 3_600_000;
export const MAX_TAGS = 32;
export const MAX_TAG_CHARS = 100;
export const MAX_UNIQUE_KEY_CHARS = 255;
export const MAX_PROGRESS_MESSAGE_CHARS = 500;

/** Queue names (SPEC §1); the HTTP contracts publish the same pattern. */
export const QUEUE_RE = /^[a-z0-9_.-]{1,64}$/;
/** Job type names (SPEC §1). */
export const TYPE_RE = /^[A-Za-z0-9_.:-]{1,128}$/;
/** Tenant names. */
export const TENANT_RE = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Job logs (SPEC §8): the newest this many lines of a job are kept; older ones are dropped. */
export const MAX_LOG_LINES_PER_JOB = 1_000;
/** Longest log line, characters (`ctx.log` truncates; `POST /jobs/:id/logs` refuses longer). */
export const MAX_LOG_LINE_CHARS = 2_000;
/** Most lines in one `POST /jobs/:id/logs` call. */
export const MAX_LOG_LINES_PER_REQUEST = 100;
/** Levels of a log line; `info` when none is given. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
