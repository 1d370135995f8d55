/** Turns a zod validation failure into the `SpoolValidationError` Spool throws everywhere. */
import type { z } from "zod";
import { SpoolValidationError } from "./errors.js";

/**
 * The first issue as a `SpoolValidationError` naming the field. An unknown key is named by
 * the key itself (zod reports it on the parent object), so `worker({ concurency: 5 })` says
 * `concurency: is not a known option`.
 */
export function toValidationError(
  error: z.ZodError,
  fallbackField = "options",
): SpoolValidationError {
  const issue = error.issues[0]!;
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys" && issue.keys.length > 0) {
    return new SpoolValidationError([...path, issue.keys[0]!].join("."), "is not a known option");
  }
  return new SpoolValidationError(path.join(".") || fallbackField, issue.message);
}
