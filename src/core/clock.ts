/** The one place Spool reads the wall clock; everything else receives `now` (ms since epoch). */

/** A source of the current time in milliseconds since the Unix epoch. */
export interface Clock {
  now(): number;
}

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() };
