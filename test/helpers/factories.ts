/** Builders for test data. */
import { uuidv7 } from "../../src/core/ids.js";
import { validateEnqueue, type EnqueueOptions, type JobInput } from "../../src/core/options.js";
import type { JsonObject } from "../../src/core/json.js";

/** A validated job input, as `Spool.enqueue` would hand it to a store. */
export function jobInput(
  now: number,
  options: EnqueueOptions & { type?: string; payload?: JsonObject; id?: string } = {},
): JobInput {
  const { type = "test.job", payload = {}, id = uuidv7(now), ...rest } = options;
  return validateEnqueue(type, payload, rest, { id, now, limits: { maxPayloadBytes: 1_048_576 } });
}
