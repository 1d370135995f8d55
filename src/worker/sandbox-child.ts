/**
 * The child process of a sandboxed job (see sandbox.ts). It imports the handler module given
 * as its first argument at once (so a warm child is ready before its job arrives), waits for
 * one `run` message, runs that job's handler with a context whose progress and logs travel to
 * the parent, sends the result or error, and exits — whatever the handler left running.
 *
 * Uncaught exceptions and unhandled rejections (a handler that throws from a timer) are
 * reported as the attempt's error before the process exits. When the parent goes away, the
 * child exits too.
 */
import type { ParentResult } from "../core/flows.js";
import type { ClaimedJob } from "../core/job.js";
import { validateLogCall } from "../core/job-logs.js";
import type { LogFn, Logger } from "../core/logger.js";
import type { JobContext } from "./handler.js";
import { importHandlerModule } from "./import-module.js";
import {
  fromWireError,
  handlerEntriesOf,
  handlerFunctionOf,
  toWireError,
  type ChildMessage,
  type ParentMessage,
} from "./sandbox.js";

const moduleUrl = process.argv[2] ?? "";
const controller = new AbortController();
const progressWaiters = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
let progressSeq = 0;
let started = false;

// Imported now; failures are reported to the job that comes (not thrown here, unhandled).
const loaded = importHandlerModule(moduleUrl).then(
  (namespace: unknown) => ({ ok: true as const, namespace }),
  (error: unknown) => ({ ok: false as const, error }),
);

/** Sends a message; exits once it is written when `exitAfter` is set. */
function send(message: ChildMessage, exitAfter?: number): void {
  const done = (): void => {
    if (exitAfter !== undefined) process.exit(exitAfter);
  };
  if (!process.connected) return done();
  try {
    process.send!(message, undefined, {}, done);
  } catch (error) {
    // Not cloneable (a function or class instance in the result): report that instead.
    if (message.t !== "result") return done();
    send(
      {
        t: "error",
        error: {
          name: "UnrecoverableError",
          message: `result: cannot be sent from the sandbox (${toWireError(error).message})`,
        },
      },
      exitAfter,
    );
  }
}

function fail(error: unknown, uncaught = false): void {
  send({ t: "error", error: toWireError(error), uncaught }, 1);
}

process.on("uncaughtException", (error) => fail(uncaughtError(error), true));
process.on("unhandledRejection", (reason) => fail(uncaughtError(reason), true));
process.on("disconnect", () => process.exit(started ? 1 : 0));

function uncaughtError(error: unknown): Error {
  const wire = toWireError(error);
  const wrapped = new Error(`uncaught in sandboxed handler: ${wire.message}`);
  wrapped.name = wire.name;
  if (wire.stack !== undefined) wrapped.stack = wire.stack;
  return wrapped;
}

process.on("message", (message: ParentMessage) => {
  switch (message.t) {
    case "run":
      if (started) return;
      started = true;
      void run(message.job, message.attempt, message.workerId, message.parents ?? []);
      return;
    case "abort":
      controller.abort(fromWireError(message.reason));
      return;
    case "progress-done": {
      const waiter = progressWaiters.get(message.seq);
      progressWaiters.delete(message.seq);
      if (message.error === undefined) waiter?.resolve();
      else waiter?.reject(fromWireError(message.error));
      return;
    }
  }
});

async function run(
  job: ClaimedJob,
  attempt: number,
  workerId: string,
  parents: readonly ParentResult[],
): Promise<void> {
  const module = await loaded;
  if (!module.ok) {
    fail(
      new Error(`could not load handler module ${moduleUrl}: ${toWireError(module.error).message}`),
    );
    return;
  }
  let handler;
  try {
    handler = handlerFunctionOf(handlerEntriesOf(module.namespace, moduleUrl)[job.type]);
  } catch (error) {
    fail(error);
    return;
  }
  if (handler === undefined) {
    const error = new Error(
      `handler module ${moduleUrl} has no handler for job type "${job.type}"`,
    );
    error.name = "UnknownJobType";
    fail(error);
    return;
  }
  const ctx: JobContext = {
    parents,
    signal: controller.signal,
    attempt,
    workerId,
    logger: forwardingLogger,
    log: (message, options) => send({ t: "job-log", ...validateLogCall(message, options) }),
    progress: (percent, message) =>
      new Promise<void>((resolve, reject) => {
        progressSeq += 1;
        progressWaiters.set(progressSeq, { resolve, reject });
        send({
          t: "progress",
          seq: progressSeq,
          percent,
          ...(message === undefined ? {} : { message }),
        });
      }),
  };
  try {
    const value: unknown = await handler(job, ctx);
    send({ t: "result", value }, 0);
  } catch (error) {
    send({ t: "error", error: toWireError(error) }, 0);
  }
}

function forward(level: "debug" | "info" | "warn" | "error"): LogFn {
  return (fields, message) => {
    const plain: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields))
      plain[key] = value instanceof Error ? toWireError(value) : value;
    send({ t: "log", level, fields: plain, message });
  };
}

/** A logger whose lines are written by the parent's logger (bound to the job there). */
const forwardingLogger: Logger = {
  debug: forward("debug"),
  info: forward("info"),
  warn: forward("warn"),
  error: forward("error"),
};
