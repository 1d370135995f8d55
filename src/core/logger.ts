/**
 * The logging interface Spool writes to. It is pino's call shape (`log.info(obj, msg)`), so a
 * pino logger can be passed in as it is.
 */

/** A log method: an object of fields and a message. */
export type LogFn = (fields: Record<string, unknown>, message: string) => void;

/** A structured logger. */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

const noop: LogFn = () => undefined;

/** Discards everything. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
