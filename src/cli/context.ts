/**
 * What every command's action gets: the process streams with their styles, the clock, and
 * helpers to run against a backend (opened and always closed) with library field names in
 * errors translated to the flags the user typed.
 */
import type { Command } from "commander";
import { SpoolValidationError } from "../core/errors.js";
import type { Backend } from "./backend.js";
import { addConnectionOptions, openBackend, type ConnectionFlags } from "./connection.js";
import { COMMON_FIELD_FLAGS, UsageError, flagOf, type FieldFlags } from "./errors.js";
import { colorEnabled, createStyle, type CliIO, type Style } from "./output.js";

/** The environment of a command's action. */
export interface CliContext {
  io: CliIO;
  /** Style for stdout. */
  out: Style;
  /** Style for stderr. */
  err: Style;
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The context for `io`. */
export function createContext(io: CliIO): CliContext {
  return {
    io,
    out: createStyle(colorEnabled(io.stdout, io.env)),
    err: createStyle(colorEnabled(io.stderr, io.env)),
    now: () => Date.now(),
  };
}

/** Adds `--json` to `command`. */
export function addJsonOption(command: Command): Command {
  return command.option("--json", "print machine-readable JSON on stdout");
}

/** Adds the connection flags, then `--json`, to each of `commands`: what most commands take. */
export function addCommonOptions(...commands: Command[]): void {
  for (const command of commands) addJsonOption(addConnectionOptions(command));
}

/**
 * Opens the backend the flags select, runs `action` on it and closes it, reporting a
 * `SpoolValidationError` under the flag its field came from (`fields` extends the common table).
 */
export async function withBackend(
  ctx: CliContext,
  flags: ConnectionFlags,
  fields: FieldFlags,
  action: (backend: Backend) => Promise<void>,
): Promise<void> {
  const table = { ...COMMON_FIELD_FLAGS, ...fields };
  let backend: Backend;
  try {
    backend = await openBackend(flags, ctx.io.env, ctx.io.stderr);
  } catch (error) {
    throw translate(error, table);
  }
  try {
    await action(backend);
  } catch (error) {
    throw translate(error, table);
  } finally {
    await backend.close();
  }
}

/** A validation error re-stated with the flag name; anything else as it is. */
export function translate(error: unknown, fields: FieldFlags): unknown {
  if (!(error instanceof SpoolValidationError)) return error;
  const reason = String(error.details?.reason ?? error.message);
  return new UsageError(flagOf(error.field, { ...COMMON_FIELD_FLAGS, ...fields }), reason);
}
