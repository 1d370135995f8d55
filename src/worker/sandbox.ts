/**
 * Sandboxed handlers: every job runs in its own child process (`child_process.fork` of
 * `sandbox-child`), so a CPU-bound handler cannot starve the worker's heartbeats, and a handler
 * that crashes, calls `process.exit()`, throws asynchronously or leaks fails only its own
 * attempt. `sandboxHandlers()` returns an ordinary `HandlerMap`; the worker uses it unchanged.
 *
 * Per job: the parent sends the job over IPC (structured clone, so Dates survive); the child
 * forwards `ctx.progress()` calls (acknowledged once stored) and log lines, then sends the
 * result or error and exits — leaked timers or sockets die with it. When the job's signal
 * aborts (timeout, cancel, lost lease, shutdown) the child's signal is aborted too; a child
 * that has not finished `killGraceMs` later (a busy loop never reads the message) gets SIGKILL.
 *
 * A process start costs a few hundred ms with the TypeScript loader, so `warm` children are
 * kept started with the handler module already imported; each still runs exactly one job.
 * Idle children do not keep the parent alive, and every child is killed when the parent exits.
 * Not covered: a parent killed with SIGKILL leaves a busy child running until it finishes.
 */
import { fork, type ChildProcess } from "node:child_process";
import { resolve as resolvePath } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ParentResult } from "../core/flows.js";
import type { ClaimedJob } from "../core/job.js";
import type { LogFn } from "../core/logger.js";
import type { JobLogLevel } from "../core/job-logs.js";
import type { HandlerMap, JobContext, JobHandler } from "./handler.js";

/** A payload schema: any Standard Schema v1 validator (zod 4, valibot, ArkType…). */
export interface PayloadSchema {
  readonly "~standard": {
    validate(value: unknown): StandardResult | Promise<StandardResult>;
  };
}

/** The result of a Standard Schema validation. */
export type StandardResult =
  | { readonly value: unknown; readonly issues?: undefined }
  | {
      readonly issues: readonly {
        readonly message: string;
        readonly path?: readonly (PropertyKey | { readonly key: PropertyKey })[] | undefined;
      }[];
    };

/** A job type in a handler module, with optional per-type settings (docs/handlers.md). */
export interface HandlerDefinition {
  handler: JobHandler;
  /** Queue of this type's jobs; workers listen on their types' queues unless told otherwise. */
  queue?: string;
  /** Per-attempt limit of this type's jobs, ms. */
  timeout?: number;
  /** Attempts of this type's jobs, 1–1000. */
  maxAttempts?: number;
  /** Validates payloads at submit time (CLI `enqueue --handlers`, `spool serve --handlers`). */
  payloadSchema?: PayloadSchema;
}

/** What a handler module maps each job type to: a handler, or a definition. */
export type HandlerModuleEntry = JobHandler | HandlerDefinition;

/** The export of a handler module: job type → handler or definition. */
export type HandlerModuleMap = Readonly<Record<string, HandlerModuleEntry>>;

/**
 * The type → entry map a handler module exports: its default export, or else its named export
 * `handlers`. Throws (naming the module) when it has neither.
 */
export function handlerEntriesOf(namespace: unknown, where: string): Record<string, unknown> {
  const ns = namespace as { default?: unknown; handlers?: unknown };
  const map = isObject(ns.default) ? ns.default : ns.handlers;
  if (!isObject(map)) {
    throw new Error(
      `${where} must export a map of job type → handler as its default export or as "handlers"`,
    );
  }
  return map as Record<string, unknown>;
}

/** The handler function of a module entry, or undefined when the entry is not one. */
export function handlerFunctionOf(entry: unknown): JobHandler | undefined {
  if (typeof entry === "function") return entry as JobHandler;
  if (isObject(entry) && typeof (entry as { handler?: unknown }).handler === "function")
    return (entry as { handler: JobHandler }).handler;
  return undefined;
}

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

/** An error as it crosses the IPC channel. */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
}

/** Messages from parent to child. */
export type ParentMessage =
  | {
      t: "run";
      job: ClaimedJob;
      attempt: number;
      workerId: string;
      parents?: readonly ParentResult[];
    }
  | { t: "abort"; reason: WireError }
  | { t: "progress-done"; seq: number; error?: WireError };

/** Messages from child to parent. */
export type ChildMessage =
  | { t: "progress"; seq: number; percent: number; message?: string }
  | {
      t: "log";
      level: "debug" | "info" | "warn" | "error";
      fields: Record<string, unknown>;
      message: string;
    }
  | { t: "job-log"; level: JobLogLevel; message: string }
  | { t: "result"; value: unknown }
  | { t: "error"; error: WireError; uncaught?: boolean };

/** Turns anything thrown into a cloneable error description. */
export function toWireError(error: unknown): WireError {
  if (error instanceof Error) {
    return {
      name: error.name,
      message: error.message,
      ...(error.stack === undefined ? {} : { stack: error.stack }),
    };
  }
  return { name: "Error", message: String(error) };
}

/** Rebuilds an error from its description (the name is kept: `UnrecoverableError` still works). */
export function fromWireError(wire: WireError): Error {
  const error = new Error(wire.message);
  error.name = wire.name;
  if (wire.stack !== undefined) error.stack = wire.stack;
  return error;
}

/** Options of `sandboxHandlers` (durations in ms). */
export interface SandboxOptions {
  /** Extra Node.js flags for each child. Default none. */
  execArgv?: readonly string[];
  /** How long an aborted child may take to stop before SIGKILL. Default 2,000. */
  killGraceMs?: number;
  /** Heap limit of each child in MiB (`--max-old-space-size`). Default: Node's own. */
  maxOldSpaceMb?: number;
  /** Children kept started with the module imported, ready for the next job. Default 1. */
  warm?: number;
}

/** The error a job fails with when its child process ends without answering. */
export class SandboxExitError extends Error {
  constructor(code: number | null, signal: NodeJS.Signals | null) {
    super(
      signal === null
        ? `sandboxed handler process exited with code ${code} before returning a result`
        : `sandboxed handler process was killed by ${signal} before returning a result`,
    );
    this.name = "SandboxExitError";
  }
}

/** Sandboxed handlers and the pool of processes behind them. */
export interface Sandbox {
  /** One handler per type; give it to `spool.worker({ handlers })`. */
  handlers: HandlerMap;
  /** Kills the warm (idle) children and stops keeping any; running jobs are not affected. */
  close(): void;
}

/**
 * A sandbox for `types`: each job runs in a child process importing `modulePath` (a handler
 * module, see docs/handlers.md; `.ts` modules are loaded through tsx).
 */
export function createSandbox(
  modulePath: string,
  types: readonly string[],
  options: SandboxOptions = {},
): Sandbox {
  const pool = new SandboxPool(modulePath, options);
  const handlers: Record<string, JobHandler> = {};
  for (const type of types) handlers[type] = (job, ctx) => pool.run(job, ctx);
  return { handlers, close: () => pool.close() };
}

/** `createSandbox(…).handlers`, for a sandbox that lives as long as the process. */
export function sandboxHandlers(
  modulePath: string,
  types: readonly string[],
  options: SandboxOptions = {},
): HandlerMap {
  return createSandbox(modulePath, types, options).handlers;
}

const TS_EXTENSION = /\.(ts|mts|cts|tsx)$/;
const SELF_PATH = fileURLToPath(import.meta.url);
/** Children still running, killed when this process exits (see `killLiveChildren`). */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function killLiveChildren(): void {
  for (const child of liveChildren) child.kill("SIGKILL");
}

/** A child's message that is passed on to the job's context rather than ending the job. */
type RelayedMessage = Extract<ChildMessage, { t: "progress" | "log" | "job-log" }>;

/** Passes progress (acknowledged once stored), log lines and job-log lines on to `ctx`. */
function relayToContext(
  message: RelayedMessage,
  job: ClaimedJob,
  ctx: JobContext,
  child: ChildProcess,
  send: (message: ParentMessage) => void,
): void {
  switch (message.t) {
    case "progress":
      Promise.resolve()
        .then(() => ctx.progress(message.percent, message.message))
        .then(
          () => send({ t: "progress-done", seq: message.seq }),
          (error: unknown) =>
            send({ t: "progress-done", seq: message.seq, error: toWireError(error) }),
        );
      return;
    case "log":
      (ctx.logger[message.level] as LogFn | undefined)?.call(
        ctx.logger,
        { ...message.fields, jobId: job.id, sandboxPid: child.pid },
        message.message,
      );
      return;
    case "job-log":
      // Checked in the child already; a line is never worth failing the job over.
      try {
        ctx.log(message.message, { level: message.level });
      } catch {
        // a malformed message from a misbehaving child is dropped
      }
      return;
  }
}

/** Starts children and runs jobs in them. */
class SandboxPool {
  private readonly moduleUrl: string;
  private readonly childPath: string;
  private readonly execArgv: string[];
  private readonly killGraceMs: number;
  private warmTarget: number;
  private readonly warm: ChildProcess[] = [];

  constructor(modulePath: string, options: SandboxOptions) {
    const absolute = resolvePath(modulePath);
    this.moduleUrl = pathToFileURL(absolute).href;
    const selfIsTs = TS_EXTENSION.test(SELF_PATH);
    this.childPath = SELF_PATH.replace(
      /sandbox\.(ts|js)$/,
      `sandbox-child.${selfIsTs ? "ts" : "js"}`,
    );
    this.execArgv = [
      // The TypeScript loader is needed when this code or the handler module is TypeScript.
      ...(selfIsTs || TS_EXTENSION.test(absolute) ? ["--import", import.meta.resolve("tsx")] : []),
      ...(options.maxOldSpaceMb === undefined
        ? []
        : [`--max-old-space-size=${options.maxOldSpaceMb}`]),
      ...(options.execArgv ?? []),
    ];
    this.killGraceMs = options.killGraceMs ?? 2_000;
    this.warmTarget = options.warm ?? 1;
    this.refill();
  }

  /** Runs one job in a child of its own. */
  run(job: ClaimedJob, ctx: JobContext): Promise<unknown> {
    if (ctx.signal.aborted) return Promise.reject(ctx.signal.reason as Error);
    const child = this.take();
    this.refill();
    return new Promise((resolve, reject) => {
      let settled = false;
      let killTimer: NodeJS.Timeout | undefined;
      const send = (message: ParentMessage): void => {
        if (child.connected) child.send(message, () => undefined); // a send after exit is moot
      };
      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        child.off("message", onMessage);
        child.off("close", onExit);
        ctx.signal.removeEventListener("abort", onAbort);
        if (killTimer === undefined) this.killLater(child); // it should exit by itself
        outcome();
      };
      const onMessage = (message: ChildMessage): void => {
        if (message.t === "result") settle(() => resolve(message.value));
        else if (message.t === "error") settle(() => reject(fromWireError(message.error)));
        else relayToContext(message, job, ctx, child, send);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
        settle(() =>
          reject(
            ctx.signal.aborted ? (ctx.signal.reason as Error) : new SandboxExitError(code, signal),
          ),
        );
      const onAbort = (): void => {
        send({ t: "abort", reason: toWireError(ctx.signal.reason) });
        killTimer = setTimeout(() => child.kill("SIGKILL"), this.killGraceMs);
        child.once("exit", () => clearTimeout(killTimer));
      };
      child.on("message", onMessage);
      // "close", not "exit": it comes after the last IPC message, so a result sent just before
      // the child exits is never mistaken for a crash.
      child.on("close", onExit);
      ctx.signal.addEventListener("abort", onAbort, { once: true });
      if (child.exitCode !== null || child.signalCode !== null) {
        onExit(child.exitCode, child.signalCode);
        return;
      }
      child.ref();
      child.channel?.ref();
      send({ t: "run", job, attempt: ctx.attempt, workerId: ctx.workerId, parents: ctx.parents });
    });
  }

  /** Kills the idle children and keeps none from now on. */
  close(): void {
    this.warmTarget = 0;
    for (const child of this.warm.splice(0)) child.kill("SIGKILL");
  }

  /** A warm child that is still alive, or a new one. */
  private take(): ChildProcess {
    for (let child = this.warm.shift(); child !== undefined; child = this.warm.shift()) {
      if (child.exitCode === null && child.signalCode === null && child.connected) return child;
    }
    return this.start();
  }

  private refill(): void {
    while (this.warm.length < this.warmTarget) this.warm.push(this.start());
  }

  private start(): ChildProcess {
    const child = fork(this.childPath, [this.moduleUrl], {
      execArgv: this.execArgv,
      serialization: "advanced",
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    liveChildren.add(child);
    child.once("exit", () => liveChildren.delete(child));
    child.on("error", () => undefined); // spawn/IPC errors surface as "exit"
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.once("exit", killLiveChildren);
    }
    // A waiting child must not keep the parent alive; `run` refs it for the job's duration.
    child.unref();
    child.channel?.unref();
    return child;
  }

  /** Kills `child` unless it exits within the grace period. */
  private killLater(child: ChildProcess): void {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const timer = setTimeout(() => child.kill("SIGKILL"), this.killGraceMs);
    timer.unref();
    child.once("exit", () => clearTimeout(timer));
    child.unref();
    child.channel?.unref();
  }
}
