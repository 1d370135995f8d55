/**
 * Maps node-postgres and PostgreSQL errors to Spool errors — the one place that knows SQLSTATE
 * codes. Connection trouble (refused, reset, terminated, server shutting down, too many
 * connections, pool wait timed out) becomes a retryable `StoreUnavailableError`, so callers back
 * off and retry instead of hanging; constraint violations become validation or conflict errors.
 */
import {
  SpoolConflictError,
  SpoolError,
  SpoolValidationError,
  StoreUnavailableError,
} from "../../core/errors.js";

/** The index that enforces one unfinished job per (tenant, queue, unique_key). */
const UNIQUE_KEY_INDEX = "jobs_unique_idx";

/** Socket-level error codes of Node.js that mean "the server cannot be reached". */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * SQLSTATEs that mean the server or the connection is (temporarily) unusable: class 08
 * (connection exception) is matched by prefix; these are the others.
 */
const UNAVAILABLE_STATES = new Set([
  "57P01", // admin_shutdown (pg_terminate_backend, fast shutdown)
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, recovery)
  "57P05", // idle_session_timeout
  "53300", // too_many_connections
  "53400", // configuration_limit_exceeded
  "53000", // insufficient_resources
  "53100", // disk_full
  "53200", // out_of_memory
  "58000", // system_error
  "58030", // io_error
]);

/** SQLSTATEs of transient conflicts between transactions; trying again succeeds. */
const TRANSIENT_STATES = new Set([
  "40001", // serialization_failure
  "40P01", // deadlock_detected
  "55P03", // lock_not_available
]);

/** SQLSTATEs that mean Spool's tables or functions are not there: the schema was never migrated. */
const MISSING_SCHEMA_STATES = new Set([
  "3F000", // invalid_schema_name
  "42P01", // undefined_table
  "42883", // undefined_function (claim_jobs)
]);

/** Messages node-postgres uses for connection failures that carry no code. */
const DRIVER_MESSAGES = [
  "Connection terminated",
  "timeout exceeded when trying to connect",
  "Client was closed and is not queryable",
  "Client has encountered a connection error",
  "Cannot use a pool after calling end on the pool",
  "terminating connection",
];

interface DriverError {
  code?: unknown;
  constraint?: unknown;
  message?: unknown;
}

/** True when `error` means the database cannot be reached right now. */
export function isConnectionError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as DriverError;
  if (typeof code === "string") {
    if (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.has(code) || code.startsWith("08"))
      return true;
  }
  return (
    typeof message === "string" && DRIVER_MESSAGES.some((fragment) => message.includes(fragment))
  );
}

/** Maps a driver error to a Spool error; Spool errors and unknown errors pass through. */
export function mapPostgresError(error: unknown): unknown {
  if (error instanceof SpoolError) return error;
  if (typeof error !== "object" || error === null) return error;
  const { code, constraint, message } = error as DriverError;
  const text = typeof message === "string" ? message : String(error);
  if (isConnectionError(error)) {
    return new StoreUnavailableError(`the PostgreSQL database is unavailable: ${text}`, {
      cause: error,
    });
  }
  if (typeof code !== "string") return error;
  if (TRANSIENT_STATES.has(code)) {
    return new StoreUnavailableError(`a transient database conflict, try again: ${text}`, {
      cause: error,
    });
  }
  if (code === "57014") {
    // query_canceled: here, only ever the statement timeout of an API read (withReadTimeout).
    return new StoreUnavailableError(
      `the read was cancelled by its statement timeout (narrow the filter): ${text}`,
      { cause: error, retryable: false },
    );
  }
  if (MISSING_SCHEMA_STATES.has(code)) {
    return new StoreUnavailableError(
      `the Spool schema is missing or out of date (run \`spool migrate\`, or open with migrate: true): ${text}`,
      { cause: error, retryable: false },
    );
  }
  if (code === "23505" && constraint === UNIQUE_KEY_INDEX) {
    return new SpoolConflictError("an unfinished job with the same unique key exists", {
      code: "unique_conflict",
      cause: error,
    });
  }
  if (code.startsWith("23") || code === "22P02" || code === "22001" || code === "22003") {
    // Integrity violations and values the column types refuse (bad uuid, too long, overflow).
    return new SpoolValidationError("job", `rejected by the database: ${text}`, { cause: error });
  }
  return error;
}
