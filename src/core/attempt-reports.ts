/**
 * Validation of what an attempt reports: progress (heartbeats, `job.progress()`) and the
 * handler's result. Pure; every check names the field and the reason (SPEC §2).
 */
import { SpoolValidationError } from "./errors.js";
import { findNonJson } from "./json.js";
import { MAX_PROGRESS_MESSAGE_CHARS } from "./limits.js";

/** Validates a progress report: integer 0–100 and an optional message of at most 500 characters. */
export function validateProgress(
  percent: unknown,
  message: unknown,
): { progress: number; message: string | null } {
  if (typeof percent !== "number" || !Number.isFinite(percent)) {
    throw new SpoolValidationError("progress", "must be a number between 0 and 100");
  }
  if (percent < 0 || percent > 100)
    throw new SpoolValidationError("progress", "must be between 0 and 100");
  if (message !== undefined && message !== null) {
    if (typeof message !== "string")
      throw new SpoolValidationError("progress_message", "must be a string");
    if (message.length > MAX_PROGRESS_MESSAGE_CHARS) {
      throw new SpoolValidationError(
        "progress_message",
        `must be at most ${MAX_PROGRESS_MESSAGE_CHARS} characters`,
      );
    }
  }
  return { progress: Math.round(percent), message: (message as string | null | undefined) ?? null };
}

/**
 * Encodes a handler's result for storage: undefined/null store as null; anything else must be
 * plain JSON within `maxBytes`, or the attempt fails with a validation error naming `result`.
 */
export function encodeResult(result: unknown, maxBytes: number): string | null {
  if (result === undefined || result === null) return null;
  const bad = findNonJson(result);
  if (bad !== undefined) {
    throw new SpoolValidationError(
      bad === "(root)" ? "result" : `result.${bad}`,
      "is not representable as JSON",
    );
  }
  const json = JSON.stringify(result);
  if (json.length > maxBytes / 4 && Buffer.byteLength(json, "utf8") > maxBytes) {
    throw new SpoolValidationError(
      "result",
      `is larger than ${maxBytes} bytes when encoded as JSON`,
    );
  }
  return json;
}
