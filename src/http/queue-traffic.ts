/**
 * The traffic settings of a queue over HTTP (SPEC §7): `rate_limit {limit, period_seconds}` and
 * `key_concurrency` in GET /queues and PATCH /queues/:name, mapped to and from the library's
 * `rateLimit {limit, periodMs}` and `keyConcurrency`.
 */
import type { z } from "zod";
import { SpoolValidationError } from "../core/errors.js";
import type { QueueConfig, QueuePatch } from "../store/store.js";
import type { PatchQueueBody, RateLimitResource } from "./contracts.js";

/** `rate_limit` and `key_concurrency` of a queue resource (none configured: both null). */
export function toTrafficResource(config?: Pick<QueueConfig, "rateLimit" | "keyConcurrency">): {
  rate_limit: z.infer<typeof RateLimitResource> | null;
  key_concurrency: number | null;
} {
  const rate = config?.rateLimit ?? null;
  return {
    rate_limit: rate === null ? null : { limit: rate.limit, period_seconds: rate.periodMs / 1000 },
    key_concurrency: config?.keyConcurrency ?? null,
  };
}

/** The traffic part of a PATCH body as a queue patch (null clears a setting). */
export function toTrafficPatch(
  body: Pick<z.infer<typeof PatchQueueBody>, "rate_limit" | "key_concurrency">,
): Pick<QueuePatch, "rateLimit" | "keyConcurrency"> {
  const patch: Pick<QueuePatch, "rateLimit" | "keyConcurrency"> = {};
  if (body.key_concurrency !== undefined) patch.keyConcurrency = body.key_concurrency;
  if (body.rate_limit === null) patch.rateLimit = null;
  else if (body.rate_limit !== undefined) {
    const periodMs = Math.round(body.rate_limit.period_seconds * 1000);
    if (periodMs < 1)
      throw new SpoolValidationError("rate_limit.period_seconds", "must be at least 0.001");
    patch.rateLimit = { limit: body.rate_limit.limit, periodMs };
  }
  return patch;
}
