/** Validation of queue settings (concurrency limit, defaults of new jobs, paused). */
import { SpoolValidationError } from "./errors.js";
import { assertInteger } from "./options.js";

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
    const range = limits[key];
    if (range === undefined) throw new SpoolValidationError(key, "is not a queue setting");
    if (value !== null) assertInteger(value, key, range[0], range[1]);
  }
}
