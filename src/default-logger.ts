/** The library's default logger: warnings and errors to stderr, one JSON line each. */
import type { LogFn, Logger } from "./core/logger.js";

const noop: LogFn = () => undefined;

function serialize(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] =
      value instanceof Error
        ? { name: value.name, message: value.message, stack: value.stack }
        : value;
  }
  return out;
}

function line(level: string): LogFn {
  return (fields, message) =>
    process.stderr.write(
      `${JSON.stringify({ level, time: new Date().toISOString(), msg: message, ...serialize(fields) })}\n`,
    );
}

/** Writes warnings and errors to stderr; drops debug and info. */
export const stderrLogger: Logger = {
  debug: noop,
  info: noop,
  warn: line("warn"),
  error: line("error"),
};
