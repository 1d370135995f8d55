/**
 * The job types a claim serves (SPEC §6 "Workers claim only what they can run"). A claim names
 * the types its worker has handlers for, or `"*"` (or nothing) for any type; jobs of a type no
 * claimer serves wait in their queue and are never failed for that reason.
 */
import { SpoolValidationError } from "./errors.js";
import { assertJobType } from "./options.js";

/** The wildcard: a claim that serves any type (generic remote workers dispatch themselves). */
export const ANY_TYPE = "*";

/** Most types one claim may name (HTTP `types` is refused beyond this). */
export const MAX_CLAIM_TYPES = 100;

/**
 * The types a store must filter on: `undefined` for any type (no list, or a list with `"*"`),
 * else the distinct names, in the order given. An empty list serves nothing.
 */
export function servedTypes(types: readonly string[] | undefined): readonly string[] | undefined {
  if (types === undefined || types.includes(ANY_TYPE)) return undefined;
  return [...new Set(types)];
}

/**
 * Checks a claim's `types` from outside (HTTP): an array of 1–100 job type names or `"*"`.
 * Throws `SpoolValidationError` naming the entry (`types[2]`).
 */
export function assertClaimTypes(value: unknown, field = "types"): asserts value is string[] {
  if (!Array.isArray(value)) throw new SpoolValidationError(field, "must be an array");
  if (value.length === 0 || value.length > MAX_CLAIM_TYPES)
    throw new SpoolValidationError(field, `must name 1–${MAX_CLAIM_TYPES} types (or "*")`);
  value.forEach((type: unknown, i) => {
    if (type !== ANY_TYPE) assertJobType(type, `${field}[${i}]`);
  });
}
