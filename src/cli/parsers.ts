/**
 * Parsers for flag values. Commander calls them while parsing and turns their
 * `InvalidArgumentError` into "option '--flag <x>' argument 'y' is invalid. <reason>", exit 2,
 * so every message names the flag. Durations are typed in seconds (the HTTP API's unit too),
 * optionally with a unit suffix, and become milliseconds for the library.
 */
import { readFile } from "node:fs/promises";
import { InvalidArgumentError } from "commander";
import { isPlainObject, type JsonObject } from "../core/json.js";
import { UsageError } from "./errors.js";

const QUEUE_RE = /^[a-z0-9_.-]{1,64}$/;
const NAME_RE = /^[A-Za-z0-9_.:-]{1,64}$/;
const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** An integer flag within [min, max]. */
export function integer(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isInteger(n)) {
      throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
    }
    if (n < min || n > max) throw new InvalidArgumentError(`must be from ${min} to ${max}`);
    return n;
  };
}

/**
 * A duration flag: seconds (`30`, `1.5`) or a number with a unit (`500ms`, `30s`, `5m`, `2h`).
 * Returns milliseconds, within [minMs, maxMs].
 */
export function duration(minMs: number, maxMs: number): (value: string) => number {
  return (value) => {
    const match = DURATION_RE.exec(value.trim());
    if (match === null) {
      throw new InvalidArgumentError("must be a number of seconds, or a number with ms, s, m or h");
    }
    const ms = Math.round(Number(match[1]) * UNIT_MS[match[2] ?? "s"]!);
    if (ms < minMs || ms > maxMs) {
      throw new InvalidArgumentError(`must be from ${minMs / 1000} s to ${maxMs / 1000} s`);
    }
    return ms;
  };
}

/** A queue name flag. */
export function queueName(value: string): string {
  if (!QUEUE_RE.test(value)) {
    throw new InvalidArgumentError(
      "must match [a-z0-9_.-]{1,64} (lower-case letters, digits, _ . -)",
    );
  }
  return value;
}

/** A comma-separated list of queue names, in precedence order, without duplicates. */
export function queueList(value: string): string[] {
  const names = value
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  if (names.length === 0) throw new InvalidArgumentError("must name at least one queue");
  for (const name of names) {
    if (!QUEUE_RE.test(name)) {
      throw new InvalidArgumentError(`"${name}" must match [a-z0-9_.-]{1,64}`);
    }
  }
  return [...new Set(names)];
}

/** A worker name flag. */
export function workerName(value: string): string {
  if (!NAME_RE.test(value)) throw new InvalidArgumentError("must match [A-Za-z0-9_.:-]{1,64}");
  return value;
}

/** A non-empty string flag. */
export function nonEmpty(value: string): string {
  if (value.trim() === "") throw new InvalidArgumentError("must not be empty");
  return value;
}

/** Collects a repeatable flag (`--tag a --tag b`) into a list. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), nonEmpty(value)];
}

/**
 * Reads `--payload`: inline JSON, `@path` (a JSON file, as curl's `-d @file`), or `-` (stdin).
 * It must be a JSON object.
 */
export async function readPayload(
  value: string | undefined,
  stdin: AsyncIterable<string | Buffer> = process.stdin,
): Promise<JsonObject> {
  if (value === undefined) return {};
  let text = value;
  let source = "the value";
  if (value === "-") {
    text = "";
    for await (const chunk of stdin) text += chunk.toString();
    source = "stdin";
  } else if (value.startsWith("@")) {
    source = value.slice(1);
    try {
      text = await readFile(source, "utf8");
    } catch (error) {
      throw new UsageError("--payload", `cannot read ${source}: ${(error as Error).message}`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError("--payload", `${source} is not valid JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(parsed)) throw new UsageError("--payload", "must be a JSON object ({…})");
  return parsed as JsonObject;
}
