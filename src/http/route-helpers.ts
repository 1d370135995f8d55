/**
 * Helpers the route modules share (job visibility, id and duration parsing, header and query
 * clean-up), in a module of their own so that route modules never import one another.
 */
import { SpoolNotFoundError, SpoolValidationError } from "../core/errors.js";
import { isUuid } from "../core/ids.js";
import type { JobRecord } from "../core/job.js";
import type { z } from "zod";
import type { AppContext } from "./app-context.js";
import type { Principal } from "./auth.js";
import type { ErrorResponse } from "./error-contracts.js";

/** A job the principal may see, or 404. */
export async function visibleJob(
  ctx: AppContext,
  principal: Principal,
  id: string,
): Promise<JobRecord> {
  const tenant = principal.role === "admin" ? undefined : principal.tenant;
  const job = await ctx.spool.get(knownId(id), tenant === undefined ? {} : { tenant });
  if (job === null) throw new SpoolNotFoundError("job", id);
  return job;
}

/** A syntactically valid id; anything else is an unknown job (404), like an id nobody owns. */
export function knownId(id: string): string {
  if (!isUuid(id)) throw new SpoolNotFoundError("job", String(id).slice(0, 100));
  return id.toLowerCase();
}

/** Seconds (fractions allowed) to whole ms, within [minMs, maxMs]. */
export function secondsToMs(seconds: number, field: string, minMs: number, maxMs: number): number {
  const ms = Math.round(seconds * 1000);
  if (!Number.isFinite(ms) || ms < minMs || ms > maxMs) {
    throw new SpoolValidationError(
      field,
      `must be between ${minMs / 1000} and ${maxMs / 1000} seconds`,
    );
  }
  return ms;
}

/** The first value of a header; an empty one counts as absent. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === "" ? undefined : text;
}

/** The object without its undefined fields (for options types with exact optional properties). */
export function omitUndefined<T extends Record<string, unknown>>(
  value: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

/**
 * An error body a route answers itself (not by throwing): `request_id` is a placeholder that the
 * envelope (envelope.ts) overwrites with the request's id on every error before it is sent, so
 * the body matches the declared `ErrorResponse` without the route knowing the id.
 */
export function errorBody(
  code: string,
  message: string,
  details?: Record<string, unknown>,
): z.infer<typeof ErrorResponse> {
  return {
    error: { code, message, ...(details === undefined ? {} : { details }), request_id: "" },
  };
}
