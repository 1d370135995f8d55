/**
 * Validation of job submissions and the defaults that fill them in. Every check names the
 * field and the reason (SPEC §2: "400 names the field"), and nothing here does I/O.
 */
import { DEFAULT_BACKOFF, type BackoffPolicy } from "./backoff.js";
import { parseDependsOn, type DependencyRef } from "./flows.js";
import { SpoolValidationError } from "./errors.js";
import type { JobRecord } from "./job.js";
import { findNonJson, isPlainObject, type JsonObject } from "./json.js";
import type { TraceContext } from "./trace-context.js";
import { validateConcurrencyKey } from "./traffic.js";
import {
  PRIORITY_MAX,
  PRIORITY_MIN,
  MAX_ATTEMPTS_LIMIT,
  MAX_TIMEOUT_MS,
  MAX_DELAY_MS,
  MAX_TAGS,
  MAX_TAG_CHARS,
  MAX_UNIQUE_KEY_CHARS,
  QUEUE_RE,
  TYPE_RE,
  TENANT_RE,
  DEFAULT_QUEUE,
  DEFAULT_TENANT,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_MAX_ATTEMPTS,
} from "./limits.js";

export * from "./limits.js";
// Checks of what an attempt reports, kept apart (this module is about submissions).
export { encodeResult, validateProgress } from "./attempt-reports.js";

/** Options of one submission (SPEC §3). Durations are in ms. */
export interface EnqueueOptions {
  /** Retry backoff for this job; missing fields come from the queue, then the defaults. */
  backoff?: Partial<BackoffPolicy>;
  /** Delay before the job may start, in ms (exclusive with `runAt`). */
  delay?: number;
  /** Maximum attempts, 1–1000. Default: the queue's, else 3. */
  maxAttempts?: number;
  /** −1000…1000, higher runs first. Default 0. */
  priority?: number;
  /** Queue name, `[a-z0-9_.-]{1,64}`. Default `default`. */
  queue?: string;
  /** Earliest start (exclusive with `delay`). */
  runAt?: Date;
  /** Strings to filter by; at most 32 of at most 100 characters. */
  tags?: string[];
  /** Owner of the job. Default `default`. */
  tenant?: string;
  /** Per-attempt limit in ms. Default: the queue's, else 300,000. */
  timeout?: number;
  /** While an unfinished job with the same (tenant, queue, uniqueKey) exists, return it instead. */
  uniqueKey?: string;
  /** URL that receives a POST when the job ends (served by the HTTP server). */
  webhookUrl?: string;
  /** Parents: job ids, or `"$N"` (an earlier job of the same `enqueueMany`); core/flows.ts. */
  dependsOn?: string[];
  /** At most the queue's `keyConcurrency` jobs with this key run at once; ≤ 255 chars. */
  concurrencyKey?: string;
}

/** One job of `enqueueMany`. */
export interface EnqueueRequest extends EnqueueOptions {
  type: string;
  payload?: JsonObject;
}

/** A validated submission, ready for the store; queue defaults are not yet applied. */
export interface JobInput {
  id: string;
  tenant: string;
  queue: string;
  type: string;
  payload: JsonObject;
  /** The payload encoded once, as stored. */
  payloadJson: string;
  priority: number;
  /** Earliest start in ms since epoch; null means now. */
  runAt: number | null;
  maxAttempts: number | null;
  timeoutMs: number | null;
  backoff: Partial<BackoffPolicy>;
  uniqueKey: string | null;
  tags: string[];
  webhookUrl: string | null;
  /** Parents (core/flows.ts); absent for a job without dependencies. */
  dependsOn?: readonly DependencyRef[];
  /** Field name of `dependsOn` in errors. */
  dependsOnField?: string;
  /** The submitter's W3C trace context (worker/tracing.ts); absent or null: none. */
  traceContext?: TraceContext | null;
  concurrencyKey: string | null;
}

/** Per-queue settings that supply defaults to new jobs (null: use Spool's default). */
export interface QueueDefaults {
  backoffBaseMs: number | null;
  backoffCapMs: number | null;
  maxAttempts: number | null;
  timeoutMs: number | null;
}

/** A submission with every default applied: exactly the row a store inserts. */
export interface ResolvedJob extends Omit<
  JobInput,
  "runAt" | "maxAttempts" | "timeoutMs" | "backoff"
> {
  status: "queued" | "scheduled";
  runAt: number;
  maxAttempts: number;
  timeoutMs: number;
  backoff: BackoffPolicy;
  createdAt: number;
}

/** Limits that apply to validation. */
export interface ValidationLimits {
  maxPayloadBytes: number;
}

const OPTION_KEYS: ReadonlySet<string> = new Set([
  "backoff",
  "concurrencyKey",
  "delay",
  "maxAttempts",
  "priority",
  "queue",
  "runAt",
  "tags",
  "tenant",
  "timeout",
  "uniqueKey",
  "webhookUrl",
  "dependsOn",
]);

/** Throws unless `value` is a queue name. */
export function assertQueueName(value: unknown, field = "queue"): asserts value is string {
  if (typeof value !== "string") throw new SpoolValidationError(field, "must be a string");
  if (!QUEUE_RE.test(value)) {
    throw new SpoolValidationError(
      field,
      "must match [a-z0-9_.-]{1,64} (lower-case letters, digits, _ . -)",
    );
  }
}

/** Throws unless `value` is a job type name. */
export function assertJobType(value: unknown, field = "type"): asserts value is string {
  if (typeof value !== "string") throw new SpoolValidationError(field, "must be a string");
  if (!TYPE_RE.test(value)) {
    throw new SpoolValidationError(field, "must match [A-Za-z0-9_.:-]{1,128}");
  }
}

/** Throws unless `value` is a tenant name. */
export function assertTenant(value: unknown, field = "tenant"): asserts value is string {
  if (typeof value !== "string" || !TENANT_RE.test(value)) {
    throw new SpoolValidationError(field, "must match [A-Za-z0-9_.:-]{1,128}");
  }
}

/** Throws unless `value` is an integer in [min, max]. */
export function assertInteger(
  value: unknown,
  field: string,
  min: number,
  max: number,
): asserts value is number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new SpoolValidationError(field, "must be an integer");
  }
  if (value < min || value > max) {
    throw new SpoolValidationError(field, `must be between ${min} and ${max}`);
  }
}

/** Encodes a JSON object payload, checking it is plain JSON and within the size limit. */
export function encodePayload(value: unknown, field: string, maxBytes: number): string {
  if (!isPlainObject(value)) throw new SpoolValidationError(field, "must be a JSON object");
  const bad = findNonJson(value);
  if (bad !== undefined) {
    throw new SpoolValidationError(
      `${field}.${bad}`.replace(/\.\(root\)$/, ""),
      "is not representable as JSON",
    );
  }
  const json = JSON.stringify(value);
  if (Buffer.byteLength(json, "utf8") > maxBytes) {
    throw new SpoolValidationError(field, `is larger than ${maxBytes} bytes when encoded as JSON`);
  }
  return json;
}

/**
 * Validates one submission and returns the store input. `field` prefixes field names
 * (`jobs[3].` in a batch). Unknown option names are refused so that typos do not pass silently.
 */
export function validateEnqueue(
  type: unknown,
  payload: unknown,
  options: unknown,
  context: { id: string; now: number; limits: ValidationLimits; prefix?: string },
): JobInput {
  const p = context.prefix ?? "";
  assertJobType(type, `${p}type`);
  const payloadObject = payload === undefined ? {} : payload;
  const payloadJson = encodePayload(payloadObject, `${p}payload`, context.limits.maxPayloadBytes);
  if (options !== undefined && !isPlainObject(options)) {
    throw new SpoolValidationError(`${p}options`, "must be an object");
  }
  const o = (options ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!OPTION_KEYS.has(key) && o[key] !== undefined) {
      throw new SpoolValidationError(`${p}${key}`, "is not a known option");
    }
  }
  const queue = o.queue ?? DEFAULT_QUEUE;
  assertQueueName(queue, `${p}queue`);
  const tenant = o.tenant ?? DEFAULT_TENANT;
  assertTenant(tenant, `${p}tenant`);
  const priority = o.priority ?? 0;
  assertInteger(priority, `${p}priority`, PRIORITY_MIN, PRIORITY_MAX);
  if (o.maxAttempts !== undefined)
    assertInteger(o.maxAttempts, `${p}maxAttempts`, 1, MAX_ATTEMPTS_LIMIT);
  if (o.timeout !== undefined) assertInteger(o.timeout, `${p}timeout`, 1, MAX_TIMEOUT_MS);
  return {
    id: context.id,
    tenant,
    queue,
    type,
    payload: payloadObject as JsonObject,
    payloadJson,
    priority,
    runAt: validateRunAt(o.runAt, o.delay, context.now, p),
    maxAttempts: (o.maxAttempts as number | undefined) ?? null,
    timeoutMs: (o.timeout as number | undefined) ?? null,
    backoff: validateBackoff(o.backoff, `${p}backoff`),
    uniqueKey: validateUniqueKey(o.uniqueKey, `${p}uniqueKey`),
    tags: validateTags(o.tags, `${p}tags`),
    webhookUrl: validateWebhookUrl(o.webhookUrl, `${p}webhookUrl`),
    ...validateDependsOn(o, p),
    concurrencyKey: validateConcurrencyKey(o.concurrencyKey, `${p}concurrencyKey`),
  };
}

function validateDependsOn(
  o: Record<string, unknown>,
  p: string,
): Pick<JobInput, "dependsOn" | "dependsOnField"> {
  if (o.dependsOn === undefined) return {};
  if (o.runAt !== undefined || o.delay !== undefined) {
    throw new SpoolValidationError(`${p}dependsOn`, "cannot be combined with runAt or delay");
  }
  const dependsOn = parseDependsOn(o.dependsOn, `${p}dependsOn`);
  return dependsOn.length === 0 ? {} : { dependsOn, dependsOnField: `${p}dependsOn` };
}

function validateRunAt(runAt: unknown, delay: unknown, now: number, p: string): number | null {
  if (runAt !== undefined && delay !== undefined) {
    throw new SpoolValidationError(`${p}delay`, "cannot be combined with runAt");
  }
  if (delay !== undefined) {
    assertInteger(delay, `${p}delay`, 0, MAX_DELAY_MS);
    return delay === 0 ? null : now + delay;
  }
  if (runAt === undefined) return null;
  if (!(runAt instanceof Date) || Number.isNaN(runAt.getTime())) {
    throw new SpoolValidationError(`${p}runAt`, "must be a valid Date");
  }
  if (runAt.getTime() > now + MAX_DELAY_MS) {
    throw new SpoolValidationError(`${p}runAt`, "must be less than 10 years ahead");
  }
  return runAt.getTime();
}

function validateBackoff(value: unknown, field: string): Partial<BackoffPolicy> {
  if (value === undefined) return {};
  if (!isPlainObject(value))
    throw new SpoolValidationError(field, "must be an object {baseMs?, capMs?}");
  const out: Partial<BackoffPolicy> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key !== "baseMs" && key !== "capMs")
      throw new SpoolValidationError(`${field}.${key}`, "is not a known option");
    if (item === undefined) continue;
    assertInteger(item, `${field}.${key}`, 0, MAX_TIMEOUT_MS);
    out[key] = item;
  }
  if (out.baseMs !== undefined && out.capMs !== undefined && out.capMs < out.baseMs) {
    throw new SpoolValidationError(`${field}.capMs`, "must not be less than baseMs");
  }
  return out;
}

function validateUniqueKey(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_UNIQUE_KEY_CHARS) {
    throw new SpoolValidationError(
      field,
      `must be a string of 1 to ${MAX_UNIQUE_KEY_CHARS} characters`,
    );
  }
  return value;
}

function validateTags(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new SpoolValidationError(field, "must be an array of strings");
  if (value.length > MAX_TAGS)
    throw new SpoolValidationError(field, `must have at most ${MAX_TAGS} tags`);
  value.forEach((tag, i) => {
    if (typeof tag !== "string" || tag.length === 0 || tag.length > MAX_TAG_CHARS) {
      throw new SpoolValidationError(
        `${field}[${i}]`,
        `must be a string of 1 to ${MAX_TAG_CHARS} characters`,
      );
    }
  });
  return [...new Set(value as string[])];
}

function validateWebhookUrl(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || value.length > 2048)
    throw new SpoolValidationError(field, "must be a URL string");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SpoolValidationError(field, "must be an absolute http(s) URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new SpoolValidationError(field, "must be an absolute http(s) URL");
  }
  return url.toString();
}

/** Applies the queue's defaults, then Spool's, and decides whether the job starts scheduled. */
export function resolveJob(
  input: JobInput,
  queue: QueueDefaults | undefined,
  now: number,
): ResolvedJob {
  const runAt = input.runAt ?? now;
  const baseMs = input.backoff.baseMs ?? queue?.backoffBaseMs ?? DEFAULT_BACKOFF.baseMs;
  const capMs = Math.max(
    baseMs,
    input.backoff.capMs ?? queue?.backoffCapMs ?? DEFAULT_BACKOFF.capMs,
  );
  return {
    ...input,
    status: runAt > now ? "scheduled" : "queued",
    runAt,
    maxAttempts: input.maxAttempts ?? queue?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    timeoutMs: input.timeoutMs ?? queue?.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    backoff: { baseMs, capMs },
    createdAt: now,
  };
}

/** The record of a job just inserted from `job` (what a store returns without reading it back). */
export function newJobRecord(job: ResolvedJob): JobRecord {
  const createdAt = new Date(job.createdAt);
  return {
    id: job.id,
    tenant: job.tenant,
    queue: job.queue,
    type: job.type,
    payload: job.payload,
    status: job.status,
    priority: job.priority,
    progress: 0,
    progressMessage: null,
    attempt: 0,
    maxAttempts: job.maxAttempts,
    runAt: new Date(job.runAt),
    timeout: job.timeoutMs,
    backoff: job.backoff,
    uniqueKey: job.uniqueKey,
    tags: job.tags,
    result: null,
    error: null,
    errors: [],
    createdAt,
    startedAt: null,
    completedAt: null,
    updatedAt: createdAt,
    worker: null,
    cancelRequested: false,
    leaseExpiresAt: null,
    webhookUrl: job.webhookUrl,
    traceContext: job.traceContext ?? null,
    concurrencyKey: job.concurrencyKey,
  };
}
