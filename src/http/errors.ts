/**
 * Maps every failure to SPEC §2's error body `{ "error": { code, message, details? } }` and
 * status: 400 invalid input (naming the field), 401, 403, 404, 409, 413, 415, 429, 503. Details
 * are snake_case like the rest of the API (`retry_after_seconds`, `job_id`).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import {
  hasZodFastifySchemaValidationErrors,
  type ZodFastifySchemaValidationError,
} from "fastify-type-provider-zod";
import { SpoolError } from "../core/errors.js";

/** An HTTP-level failure with its status. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** Status for each Spool error code. */
const STATUS_BY_CODE: Record<string, number> = {
  validation_error: 400,
  not_found: 404,
  conflict: 409,
  invalid_transition: 409,
  job_final: 409,
  lease_lost: 409,
  unique_conflict: 409,
  worker_name_taken: 409,
  quota_exceeded: 429,
  store_unavailable: 503,
  closed: 503,
};

/** Field names of the library (camelCase) as the HTTP API spells them. */
const HTTP_FIELD_NAMES: Record<string, string> = {
  maxAttempts: "max_attempts",
  runAt: "run_at",
  delay: "delay_seconds",
  timeout: "timeout_seconds",
  uniqueKey: "unique_key",
  webhookUrl: "webhook_url",
  progressMessage: "progress_message",
  nextCursor: "next_cursor",
};

/** `retryAfterSeconds` → `retry_after_seconds`. */
export function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** Error details as the HTTP API spells them: every key snake_case (library details are camelCase). */
function snakeCaseKeys(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).map(([key, value]) => [snakeCase(key), value]));
}

/** Renames the camelCase segments of a library field path (`jobs[2].maxAttempts`). */
export function httpFieldName(field: string): string {
  return field.replace(/[A-Za-z_]+/g, (segment) => HTTP_FIELD_NAMES[segment] ?? segment);
}

/** Formats a schema issue path: `["jobs", 3, "queue"]` → `jobs[3].queue`. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** A readable reason for a schema issue (zod's messages, with "Required" made explicit). */
function describeIssue(code: string, message: string | undefined): string {
  if (code === "invalid_type" && message?.includes("received undefined")) return "is required";
  return message ?? "is invalid";
}

/** Classifies an error into status, code, message. */
export function describeHttpError(error: unknown): ErrorBody {
  if (error instanceof HttpError) return describeOwnError(error);
  if (error instanceof SpoolError) return describeSpoolError(error);
  const fastifyError = error as FastifyError & { validationContext?: string };
  if (hasZodFastifySchemaValidationErrors(fastifyError)) return describeSchemaError(fastifyError);
  return describeFastifyError(fastifyError);
}

/** An `HttpError` thrown by a route: its own status, code and headers. */
function describeOwnError(error: HttpError): ErrorBody {
  const body: ErrorBody = {
    statusCode: error.statusCode,
    code: error.code,
    message: error.message,
  };
  if (error.details !== undefined) body.details = snakeCaseKeys(error.details);
  if (error.headers !== undefined) body.headers = error.headers;
  return body;
}

/** A library error: status by code, field in HTTP spelling, `Retry-After` when it says when. */
function describeSpoolError(error: SpoolError): ErrorBody {
  const details = error.details === undefined ? undefined : snakeCaseKeys(error.details);
  let message = error.message;
  if (
    error.code === "validation_error" &&
    details !== undefined &&
    typeof details.field === "string"
  ) {
    details.field = httpFieldName(details.field);
    message = `${details.field}: ${String(details.reason)}`;
  }
  const retryAfter = details?.retry_after_seconds;
  const body: ErrorBody = {
    ...(typeof retryAfter === "number" ? { headers: { "retry-after": String(retryAfter) } } : {}),
    statusCode: STATUS_BY_CODE[error.code] ?? 500,
    code: error.code,
    message,
  };
  if (details !== undefined) body.details = details;
  return body;
}

/** A request that failed its route schema: 400 naming the first offending field. */
function describeSchemaError(error: {
  validation: readonly ZodFastifySchemaValidationError[];
  validationContext?: string;
}): ErrorBody {
  const issue = error.validation[0]!;
  const path: PropertyKey[] = issue.instancePath
    .split("/")
    .filter((part: string) => part !== "")
    .map((part: string) => (/^\d+$/.test(part) ? Number(part) : part));
  let reason = describeIssue(issue.keyword, issue.message);
  const keys = (issue.params as { keys?: unknown }).keys;
  if (issue.keyword === "unrecognized_keys" && Array.isArray(keys) && keys.length > 0) {
    path.push(String(keys[0]));
    reason = "is not a known field";
  }
  const field = formatPath(path) || (error.validationContext ?? "body");
  return {
    statusCode: 400,
    code: "validation_error",
    message: `${field}: ${reason}`,
    details: { field, reason },
  };
}

/** Fastify's own failures (body too large, wrong media type, bad JSON) and anything else. */
function describeFastifyError(error: FastifyError): ErrorBody {
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return {
        statusCode: 413,
        code: "payload_too_large",
        message: "request body is larger than the limit",
      };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return {
        statusCode: 415,
        code: "unsupported_media_type",
        message: "send JSON with Content-Type: application/json",
      };
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return {
        statusCode: 400,
        code: "invalid_json",
        message: `body: ${error.message}`,
        details: { field: "body" },
      };
    default:
      break;
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return {
      statusCode: error.statusCode,
      code: "bad_request",
      message: error.message,
    };
  }
  return { statusCode: 500, code: "internal_error", message: "internal server error" };
}

/**
 * Fastify error handler: logs server errors, answers in the error shape. `extra` adds top-level
 * fields next to `error` (the credits 429's `credits_info`).
 */
export function handleError(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  extra: Record<string, unknown> = {},
): void {
  const body = describeHttpError(error);
  if (body.statusCode >= 500) request.log.error({ err: error }, "request failed");
  if (body.headers !== undefined) void reply.headers(body.headers);
  const payload: { code: string; message: string; details?: Record<string, unknown> } = {
    code: body.code,
    message: body.message,
  };
  if (body.details !== undefined) payload.details = body.details;
  void reply.code(body.statusCode).send({ ...extra, error: payload });
}
