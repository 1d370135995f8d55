/**
 * Loading a handler module (`--handlers ./handlers.ts`, format in docs/handlers.md): its
 * default export, or named export `handlers`, maps each job type to a handler function or to a
 * definition `{ handler, queue?, timeout?, maxAttempts?, payloadSchema? }`. Every entry is
 * checked at load time — a typo in a setting name is an error, not a silently ignored key —
 * and the module's payload schemas are enforced at submit time by `checkSubmission`.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { SpoolValidationError } from "../core/errors.js";
import type { JsonObject } from "../core/json.js";
import {
  MAX_ATTEMPTS_LIMIT,
  MAX_TIMEOUT_MS,
  assertJobType,
  assertQueueName,
  type EnqueueOptions,
} from "../core/options.js";
import type { HandlerMap, JobHandler } from "../worker/handler.js";
import { importHandlerModule } from "../worker/import-module.js";
import {
  handlerEntriesOf,
  handlerFunctionOf,
  type PayloadSchema,
  type StandardResult,
} from "../worker/sandbox.js";
import { UsageError } from "./errors.js";

/** One job type of a loaded module, with its settings resolved. */
export interface LoadedDefinition {
  type: string;
  handler: JobHandler;
  queue?: string;
  timeout?: number;
  maxAttempts?: number;
  payloadSchema?: PayloadSchema;
}

/** A loaded handler module. */
export interface LoadedHandlers {
  /** Absolute path of the module. */
  path: string;
  definitions: ReadonlyMap<string, LoadedDefinition>;
  /** The plain type → function map a worker takes. */
  handlers: HandlerMap;
  /** Queues named by the definitions, in order of appearance. */
  queues: string[];
}

const DEFINITION_KEYS = new Set(["handler", "queue", "timeout", "maxAttempts", "payloadSchema"]);

/** Imports and checks the module at `path`; errors name `flag` (exit code 2). */
export async function loadHandlerModule(
  path: string,
  flag = "--handlers",
): Promise<LoadedHandlers> {
  const absolute = resolve(path);
  let namespace: unknown;
  try {
    namespace = await importHandlerModule(pathToFileURL(absolute).href);
  } catch (error) {
    throw new UsageError(flag, `cannot load ${path}: ${(error as Error).message}`);
  }
  let entries: Record<string, unknown>;
  try {
    entries = handlerEntriesOf(namespace, path);
  } catch (error) {
    throw new UsageError(flag, (error as Error).message);
  }
  const definitions = new Map<string, LoadedDefinition>();
  for (const [type, entry] of Object.entries(entries)) {
    try {
      definitions.set(type, checkEntry(type, entry));
    } catch (error) {
      const reason =
        error instanceof SpoolValidationError ? error.message : (error as Error).message;
      throw new UsageError(flag, `${path}: ${reason}`);
    }
  }
  if (definitions.size === 0) throw new UsageError(flag, `${path} defines no job types`);
  const handlers: Record<string, JobHandler> = {};
  for (const [type, definition] of definitions) handlers[type] = definition.handler;
  const queues = [...new Set([...definitions.values()].flatMap((d) => d.queue ?? []))];
  return { path: absolute, definitions, handlers, queues };
}

function checkEntry(type: string, entry: unknown): LoadedDefinition {
  assertJobType(type, `job type "${type}"`);
  const handler = handlerFunctionOf(entry);
  if (handler === undefined) {
    throw new Error(`"${type}" must be a handler function or { handler, … }`);
  }
  if (typeof entry === "function") return { type, handler };
  const definition = entry as Record<string, unknown>;
  for (const key of Object.keys(definition)) {
    if (!DEFINITION_KEYS.has(key)) throw new Error(`"${type}".${key} is not a known setting`);
  }
  const out: LoadedDefinition = { type, handler };
  const { queue, timeout, maxAttempts, payloadSchema } = definition;
  if (queue !== undefined) {
    assertQueueName(queue, `"${type}".queue`);
    out.queue = queue;
  }
  if (timeout !== undefined) {
    if (!isIntegerIn(timeout, 1, MAX_TIMEOUT_MS))
      throw new Error(`"${type}".timeout must be an integer number of ms, 1 to ${MAX_TIMEOUT_MS}`);
    out.timeout = timeout;
  }
  if (maxAttempts !== undefined) {
    if (!isIntegerIn(maxAttempts, 1, MAX_ATTEMPTS_LIMIT))
      throw new Error(`"${type}".maxAttempts must be an integer, 1 to ${MAX_ATTEMPTS_LIMIT}`);
    out.maxAttempts = maxAttempts;
  }
  if (payloadSchema !== undefined) {
    const standard = (payloadSchema as Partial<PayloadSchema> | null)?.["~standard"];
    if (typeof standard?.validate !== "function") {
      throw new Error(`"${type}".payloadSchema must be a Standard Schema (e.g. a zod 4 schema)`);
    }
    out.payloadSchema = payloadSchema as PayloadSchema;
  }
  return out;
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

/**
 * Applies a type's definition to a submission: its payload schema must accept the payload
 * (else `SpoolValidationError` on `payload.<path>`), and its queue, timeout and attempts fill
 * options the caller left unset. The payload itself is submitted unchanged (no transforms).
 */
export async function checkSubmission(
  definition: LoadedDefinition | undefined,
  payload: JsonObject,
  options: EnqueueOptions,
): Promise<EnqueueOptions> {
  if (definition === undefined) return options;
  if (definition.payloadSchema !== undefined) {
    const result: StandardResult = await definition.payloadSchema["~standard"].validate(payload);
    if (result.issues !== undefined && result.issues.length > 0) {
      const issue = result.issues[0]!;
      const path = (issue.path ?? []).map((part) =>
        typeof part === "object" ? String(part.key) : String(part),
      );
      throw new SpoolValidationError(["payload", ...path].join("."), issue.message);
    }
  }
  return {
    ...(definition.queue === undefined ? {} : { queue: definition.queue }),
    ...(definition.timeout === undefined ? {} : { timeout: definition.timeout }),
    ...(definition.maxAttempts === undefined ? {} : { maxAttempts: definition.maxAttempts }),
    ...options,
  };
}
