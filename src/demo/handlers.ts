/**
 * The demo job types that `spool serve --demo`, `spool worker --demo` and `npm start` register:
 * `demo.sleep`, `demo.flaky` and `route.optimize`. This file is also a handler module in the
 * format of docs/handlers.md (its default export), so the same definitions can be loaded by
 * path — which is how a sandboxed worker runs them in child processes (`DEMO_HANDLERS_PATH`).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { UnrecoverableError } from "../core/errors.js";
import type { HandlerMap, JobHandler } from "../worker/handler.js";
import type { HandlerModuleMap } from "../worker/sandbox.js";
import { routeOptimize } from "./route-optimize.js";
import { routeRequestSchema } from "./vrp-problem.js";

/** Absolute path of this module, for loading the demo handlers in a sandbox child. */
export const DEMO_HANDLERS_PATH = fileURLToPath(import.meta.url);

const sleepSchema = z.object({ seconds: z.number().min(0).max(86_400).default(5) }).loose();
const flakySchema = z.object({ failures: z.number().int().min(0).max(1_000).default(1) }).loose();

function parse<T extends z.ZodType>(schema: T, payload: unknown): z.output<T> {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new UnrecoverableError(`payload.${issue.path.join(".")}: ${issue.message}`);
}

/**
 * `demo.sleep {seconds = 5}`: waits, reporting progress at least ten times (every half second
 * for longer sleeps); stops at once when its signal is aborted.
 */
export const demoSleep: JobHandler = async (job, ctx) => {
  const { seconds } = parse(sleepSchema, job.payload);
  const steps = Math.min(1_000, Math.max(10, Math.ceil(seconds * 2)));
  ctx.log(`sleeping ${seconds} s in ${steps} steps`);
  for (let step = 1; step <= steps; step++) {
    await sleep((seconds * 1000) / steps, undefined, { signal: ctx.signal });
    const slept = (seconds * step) / steps;
    await ctx.progress((step / steps) * 100, `slept ${slept.toFixed(1)} of ${seconds} s`);
  }
  ctx.log(`slept ${seconds} s`);
  return { slept_seconds: seconds };
};

/** `demo.flaky {failures = 1}`: fails its first N attempts, then succeeds. */
export const demoFlaky: JobHandler = async (job, ctx) => {
  const { failures } = parse(flakySchema, job.payload);
  await ctx.progress(50, `attempt ${ctx.attempt}`);
  if (ctx.attempt <= failures) {
    ctx.log(`attempt ${ctx.attempt}: failing on purpose (${failures} planned)`, { level: "warn" });
    throw new Error(`planned failure ${ctx.attempt} of ${failures}`);
  }
  ctx.log(`attempt ${ctx.attempt}: succeeding`);
  return { succeeded_on_attempt: ctx.attempt, planned_failures: failures };
};

/** The demo types with their payload schemas (enforced at submit time where supported). */
export const demoDefinitions = {
  "demo.sleep": { handler: demoSleep, payloadSchema: sleepSchema },
  "demo.flaky": { handler: demoFlaky, payloadSchema: flakySchema },
  "route.optimize": { handler: routeOptimize, payloadSchema: routeRequestSchema },
} satisfies HandlerModuleMap;

/** The demo handlers as a plain map, for `spool.worker({ handlers: demoHandlers })`. */
export const demoHandlers: HandlerMap = {
  "demo.sleep": demoSleep,
  "demo.flaky": demoFlaky,
  "route.optimize": routeOptimize,
};

export default demoDefinitions;
