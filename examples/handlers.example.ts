/**
 * An example handler module for `spool worker --handlers examples/handlers.example.ts` (and
 * `spool enqueue --handlers …`, `spool serve --handlers …`). The format, in full in
 * docs/handlers.md:
 *
 * - The **default export** (or else a named export `handlers`) maps each job type to either
 *   - a handler function `(job, ctx) => result`, or
 *   - a definition `{ handler, queue?, timeout?, maxAttempts?, payloadSchema? }`.
 * - `queue`: the queue this type's jobs go to when submitted through the CLI or the server with
 *   this module, and a queue `spool worker` listens on when `--queues` is not given.
 * - `timeout` (ms) and `maxAttempts`: defaults for this type's jobs (flags still win).
 * - `payloadSchema`: a Standard Schema validator — a zod 4 schema, as here (valibot and ArkType
 *   work too). It is checked at submit time; a bad payload is refused (CLI exit 2, HTTP 400)
 *   naming the field. The payload is stored as submitted (schema transforms are not applied).
 *
 * A module may be TypeScript (loaded through tsx) or JavaScript. With `--sandbox`, every job
 * runs in a fresh child process that imports this module, so keep top-level code cheap.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { UnrecoverableError } from "../src/index.js";
import type { HandlerModuleMap } from "../src/worker/sandbox.js";

const reportSchema = z.object({
  month: z.string().regex(/^\d{4}-\d{2}$/, "must look like 2024-06"),
  format: z.enum(["pdf", "csv"]).default("pdf"),
});

export default {
  /** The short form: just a function. Runs on the `default` queue. */
  "email.send": async (job, ctx) => {
    const to = job.payload.to;
    if (typeof to !== "string") throw new UnrecoverableError("payload.to must be an address");
    ctx.logger.info({ to }, "sending");
    await sleep(100, undefined, { signal: ctx.signal }); // honour cancellation and timeouts
    return { delivered_to: to };
  },

  /** The long form: a handler with its queue, limits and payload schema. */
  "report.build": {
    queue: "reports",
    timeout: 120_000,
    maxAttempts: 5,
    payloadSchema: reportSchema,
    handler: async (job, ctx) => {
      const { month, format } = reportSchema.parse(job.payload);
      for (let part = 1; part <= 4; part++) {
        await sleep(250, undefined, { signal: ctx.signal });
        await ctx.progress(part * 25, `section ${part} of 4`);
      }
      return { url: `https://reports.example.com/${month}.${format}`, attempt: ctx.attempt };
    },
  },
} satisfies HandlerModuleMap;
