/**
 * The one mapper from an HTTP submission (snake_case body, SPEC §2) to the library's validated
 * job input: checks that only the HTTP shape can get wrong (aliases, combined fields) are made
 * here so their errors name the HTTP fields; everything else is `Spool.validate`'s (core), with
 * `prefix` naming the field inside a batch (`jobs[3].max_attempts`).
 */
import { SpoolValidationError } from "../core/errors.js";
import type { JsonObject } from "../core/json.js";
import {
  MAX_DELAY_MS,
  MAX_TIMEOUT_MS,
  type EnqueueOptions,
  type JobInput,
} from "../core/options.js";
import { parseTimestamp } from "../core/timestamps.js";
import type { AppContext } from "./app-context.js";
import type { Principal } from "./auth.js";
import type { SubmitJobBody } from "./contracts.js";
import { secondsToMs } from "./route-helpers.js";

/** Turns an HTTP submission into a validated job input (field names in errors are snake_case). */
export async function toJobInput(
  ctx: AppContext,
  body: SubmitJobBody,
  principal: Principal,
  prefix: string,
  idempotencyKey?: string,
): Promise<JobInput> {
  assertHttpCombinations(body, prefix);
  const payload = (body.payload ?? body.parameters ?? {}) as JsonObject;
  const options = toEnqueueOptions(body, principal, prefix, idempotencyKey);
  const checked = await withPrefix(prefix, () =>
    ctx.submissionHook === undefined
      ? Promise.resolve(options)
      : ctx.submissionHook(body.type, payload, options),
  );
  const input = ctx.spool.validate(body.type, payload, checked, prefix);
  if (input.webhookUrl !== null)
    await ctx.webhookGuard.checkUrl(input.webhookUrl, `${prefix}webhook_url`);
  // Errors about parents (unknown id, later item) name the HTTP field.
  return input.dependsOn === undefined
    ? input
    : { ...input, dependsOnField: `${prefix}depends_on` };
}

/** Field combinations only the HTTP body can spell (aliases, two ways of saying when). */
function assertHttpCombinations(body: SubmitJobBody, prefix: string): void {
  if (body.payload !== undefined && body.parameters !== undefined) {
    throw new SpoolValidationError(
      `${prefix}parameters`,
      "cannot be combined with payload (it is an alias)",
    );
  }
  if (body.run_at !== undefined && body.delay_seconds !== undefined) {
    // Checked here so the message names the HTTP fields, not the library's `runAt`.
    throw new SpoolValidationError(`${prefix}delay_seconds`, "cannot be combined with run_at");
  }
}

/** The body's snake_case fields as library options (times parsed, seconds to ms). */
function toEnqueueOptions(
  body: SubmitJobBody,
  principal: Principal,
  prefix: string,
  idempotencyKey: string | undefined,
): EnqueueOptions {
  const options: EnqueueOptions = { tenant: principal.tenant };
  if (body.queue !== undefined) options.queue = body.queue;
  if (body.priority !== undefined) options.priority = body.priority;
  if (body.max_attempts !== undefined) options.maxAttempts = body.max_attempts;
  if (body.tags !== undefined) options.tags = body.tags;
  if (body.webhook_url !== undefined) options.webhookUrl = body.webhook_url;
  if (body.concurrency_key !== undefined) options.concurrencyKey = body.concurrency_key;
  const uniqueKey = body.unique_key ?? idempotencyKey;
  if (uniqueKey !== undefined) options.uniqueKey = uniqueKey;
  if (body.run_at !== undefined) options.runAt = parseTimestamp(body.run_at, `${prefix}run_at`);
  if (body.delay_seconds !== undefined) {
    options.delay = secondsToMs(body.delay_seconds, `${prefix}delay_seconds`, 0, MAX_DELAY_MS);
  }
  if (body.timeout_seconds !== undefined) {
    const field = `${prefix}timeout_seconds`;
    options.timeout = secondsToMs(body.timeout_seconds, field, 1, MAX_TIMEOUT_MS);
  }
  if (body.depends_on !== undefined) {
    // Checked after the times, as before: an invalid run_at is reported first.
    if (body.run_at !== undefined || body.delay_seconds !== undefined) {
      throw new SpoolValidationError(
        `${prefix}depends_on`,
        "cannot be combined with run_at or delay_seconds",
      );
    }
    options.dependsOn = body.depends_on;
  }
  return options;
}

/** Runs a submission hook, naming its fields inside the batch item (`jobs[3].payload.x`). */
async function withPrefix<T>(prefix: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (prefix !== "" && error instanceof SpoolValidationError) {
      throw new SpoolValidationError(
        `${prefix}${error.field}`,
        String(error.details?.reason ?? error.message),
      );
    }
    throw error;
  }
}
