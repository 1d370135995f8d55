/**
 * Spool's error types. Every error the library throws is a `SpoolError` with a stable string
 * `code`; the HTTP layer maps codes to status codes in one table (http/errors.ts).
 */

/** Options common to every Spool error. */
export interface SpoolErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
  /** Extra machine-readable facts (the field name, the conflicting state, …). */
  details?: Record<string, unknown>;
  /** Whether trying the same call again may succeed. Default false. */
  retryable?: boolean;
}

/** Base class of every error Spool throws. */
export class SpoolError extends Error {
  /** Stable identifier, e.g. `validation_error`. */
  readonly code: string;
  /** Extra machine-readable facts. */
  readonly details: Record<string, unknown> | undefined;
  /** Whether trying the same call again may succeed. */
  readonly retryable: boolean;

  constructor(code: string, message: string, options: SpoolErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
    this.retryable = options.retryable ?? false;
  }
}

/** Invalid input. `field` names the offending field (dotted path, e.g. `payload` or `jobs.3.queue`). */
export class SpoolValidationError extends SpoolError {
  /** The field that failed validation. */
  readonly field: string;

  constructor(field: string, reason: string, options: SpoolErrorOptions = {}) {
    super("validation_error", `${field}: ${reason}`, {
      ...options,
      details: { ...options.details, field, reason },
    });
    this.field = field;
  }
}

/** The job (or other resource) does not exist, or is not visible to the caller. */
export class SpoolNotFoundError extends SpoolError {
  constructor(what: string, id: string, options: SpoolErrorOptions = {}) {
    super("not_found", `${what} ${id} not found`, {
      ...options,
      details: { ...options.details, id },
    });
  }
}

/** The request conflicts with the current state (cancel a completed job, a stale lease…). */
export class SpoolConflictError extends SpoolError {
  constructor(message: string, options: SpoolErrorOptions & { code?: string } = {}) {
    super(options.code ?? "conflict", message, options);
  }
}

/** A state change the transition table does not allow. */
export class InvalidTransitionError extends SpoolConflictError {
  /** The state the job was in. */
  readonly from: string;
  /** The state that was asked for. */
  readonly to: string;

  constructor(from: string, to: string, options: SpoolErrorOptions = {}) {
    super(`cannot move a job from ${from} to ${to}`, {
      ...options,
      code: "invalid_transition",
      details: { ...options.details, from, to },
    });
    this.from = from;
    this.to = to;
  }
}

/**
 * The lease token no longer matches: the lease expired and the job was rescued, re-claimed,
 * or cancelled. The holder must stop; its outcome is dropped.
 */
export class LeaseLostError extends SpoolConflictError {
  /** The job whose lease was lost. */
  readonly jobId: string;

  constructor(jobId: string, options: SpoolErrorOptions = {}) {
    super(`lease on job ${jobId} is no longer held (stale lease token)`, {
      ...options,
      code: "lease_lost",
      details: { ...options.details, jobId },
    });
    this.jobId = jobId;
  }
}

/** The store cannot be reached or is overloaded; the call may succeed later. */
export class StoreUnavailableError extends SpoolError {
  constructor(message: string, options: SpoolErrorOptions = {}) {
    super("store_unavailable", message, { retryable: true, ...options });
  }
}

/**
 * Thrown by a handler to fail the job at once, without further attempts
 * (SPEC §3; the name follows BullMQ).
 */
export class UnrecoverableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "UnrecoverableError";
  }
}

/** The reason a job's signal is aborted when its attempt runs past `timeout`. */
export class JobTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`attempt timed out after ${timeoutMs} ms`);
    this.name = "TimeoutError";
  }
}

/** The reason a job's signal is aborted when the job is cancelled while running. */
export class JobCancelledError extends Error {
  constructor() {
    super("job was cancelled");
    this.name = "CancelledError";
  }
}

/** A tenant's submission quota (its credits for the day or month) is used up. */
export class QuotaExceededError extends SpoolError {
  /** How long until the period resets, ms. */
  readonly retryAfterMs: number;

  constructor(tenant: string, period: "daily" | "monthly", limit: number, retryAfterMs: number) {
    super("quota_exceeded", `tenant ${tenant} has used its ${period} quota of ${limit} jobs`, {
      details: { tenant, period, limit, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) },
    });
    this.retryAfterMs = retryAfterMs;
  }
}
