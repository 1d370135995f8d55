/** Validation of queue settings (concurrency limit, defaults of new jobs, paused). */
import { SpoolValidationError } from "./errors.js";
import { assertInteger } from "./options.js";
import { assertKeyConcurrency, assertRateLimit, type RateLimit } from "./traffic.js";

/** Checks a queue settings patch (`null` clears a setting); throws naming the bad field. */
export function validateQueuePatch(patch: object): void {
  if (typeof patch !== "object" || patch === null)
    throw new SpoolValidationError("patch", "must be an object");
  const limits: Record<string, [number, number]> = {
    concurrency: [1, 100_000],
    timeoutMs: [1, 7 * 86_400_000],
    maxAttempts: [1, 1000],
    backoffBaseMs: [0, 7 * 86_400_000],
    backoffCapMs: [0, 7 * 86_400_000],
  };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (key === "paused") {
      if (typeof value !== "boolean") throw new SpoolValidationError("paused", "must be a boolean");
      continue;
    }
    if (key === "rateLimit" || key === "keyConcurrency") {
      validateTrafficSetting(key, value);
      continue;
    }
    const range = limits[key];
    if (range === undefined) throw new SpoolValidationError(key, "is not a queue setting");
    if (value !== null) assertInteger(value, key, range[0], range[1]);
  }
}

/** `rateLimit` ({limit, periodMs} or null) and `keyConcurrency` (integer or null). */
function validateTrafficSetting(key: "rateLimit" | "keyConcurrency", value: unknown): void {
  if (value === null) return;
  if (key === "keyConcurrency") {
    assertKeyConcurrency(value as number);
    return;
  }
  if (typeof value !== "object" || Array.isArray(value))
    throw new SpoolValidationError("rateLimit", "must be {limit, periodMs} or null");
  for (const field of Object.keys(value)) {
    if (field !== "limit" && field !== "periodMs")
      throw new SpoolValidationError(`rateLimit.${field}`, "is not a rate limit field");
  }
  assertRateLimit(value as RateLimit);
}
