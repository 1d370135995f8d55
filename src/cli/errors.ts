/**
 * Exit codes of the `spool` command and the mapping from errors to them. Scripts branch on
 * these, so they are part of the CLI contract (docs/cli.md):
 *
 * | code | meaning |
 * |---|---|
 * | 0 | success |
 * | 1 | failure: the job failed or was cancelled (`enqueue --wait`), store unreachable, anything unexpected |
 * | 2 | usage or validation error: bad flag, bad value, bad payload (the message names the flag) |
 * | 3 | not found: no job with that id |
 * | 4 | conflict: the job's state does not allow it (cancel a finished job, retry a running one) |
 * | 130 | interrupted (SIGINT while `enqueue --wait` follows a job; the job goes on) |
 */
import { CommanderError } from "commander";
import { SpoolConflictError, SpoolNotFoundError, SpoolValidationError } from "../core/errors.js";

/** The exit codes; see the module header. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  conflict: 4,
  interrupted: 130,
} as const;

/** An error the CLI reports with a given exit code (and without a stack trace). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.failure,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** A bad flag or argument: exit code 2, the message starts with the flag's name. */
export class UsageError extends CliError {
  constructor(flag: string, reason: string) {
    super(`${flag}: ${reason}`, ExitCode.usage);
    this.name = "UsageError";
  }
}

/**
 * Library field names (as `SpoolValidationError.field` reports them) → the flag or argument a
 * CLI user typed. A command passes its own table; unknown fields are shown as they are.
 */
export type FieldFlags = Readonly<Record<string, string>>;

/** Flags shared by most commands. */
export const COMMON_FIELD_FLAGS: FieldFlags = {
  url: "--url",
  id: "ID",
  queue: "--queue",
  status: "--status",
  limit: "--limit",
  cursor: "--cursor",
  tag: "--tag",
  tags: "--tag",
  priority: "--priority",
  delay: "--delay",
  maxAttempts: "--max-attempts",
  timeout: "--timeout",
  uniqueKey: "--unique-key",
  payload: "--payload",
};

/** The flag a library field name stands for (`payload.customers.0` → `--payload`). */
export function flagOf(field: string, flags: FieldFlags): string {
  const root = field.split(/[.[]/)[0] ?? field;
  const flag = flags[field] ?? flags[root];
  if (flag === undefined) return field;
  // Keep the path inside a JSON flag: "--payload (payload.customers[0].lat)".
  return flag === flags[root] && root !== field ? `${flag} (${field})` : flag;
}

/** The message and exit code an error is reported with. */
export function describeCliError(
  error: unknown,
  flags: FieldFlags = COMMON_FIELD_FLAGS,
): { message: string; exitCode: number } {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof SpoolValidationError) {
    const reason = String(error.details?.reason ?? error.message);
    return { message: `${flagOf(error.field, flags)}: ${reason}`, exitCode: ExitCode.usage };
  }
  if (error instanceof SpoolNotFoundError)
    return { message: error.message, exitCode: ExitCode.notFound };
  if (error instanceof SpoolConflictError)
    return { message: error.message, exitCode: ExitCode.conflict };
  if (error instanceof CommanderError) return { message: error.message, exitCode: ExitCode.usage };
  if (error instanceof Error)
    return { message: `${error.name}: ${error.message}`, exitCode: ExitCode.failure };
  return { message: String(error), exitCode: ExitCode.failure };
}
