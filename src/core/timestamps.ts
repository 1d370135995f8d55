/**
 * The one parser of timestamps given as text (HTTP `run_at`, CLI flags): strict RFC 3339 with an
 * explicit zone. `new Date(text)` is not used because it accepts what a job queue must refuse: it
 * rolls impossible dates over (`2023-02-29` becomes March 1st) and reads zone-less times
 * (`2024-01-01 10:00`) as the server's local time, so the same request would mean different
 * instants on different servers.
 */
import { SpoolValidationError } from "./errors.js";

/**
 * RFC 3339 `date-time`: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`. Published as the pattern of
 * timestamp fields in the HTTP contracts; `parseTimestamp` adds the calendar checks a pattern
 * cannot express.
 */
export const RFC3339_RE =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/** The same pattern as a string, for JSON Schema (`pattern`). */
export const RFC3339_PATTERN = RFC3339_RE.source;

/**
 * Parses an RFC 3339 timestamp with an explicit zone, refusing impossible dates and times;
 * throws `SpoolValidationError` naming `field`.
 */
export function parseTimestamp(text: unknown, field: string): Date {
  const reason = "must be an RFC 3339 timestamp with a zone, e.g. 2024-01-01T10:00:00Z";
  if (typeof text !== "string") throw new SpoolValidationError(field, reason);
  const match = RFC3339_RE.exec(text);
  if (match === null) throw new SpoolValidationError(field, reason);
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const fraction = match[7] === undefined ? 0 : Number(`0${match[7]}`);
  const sign = match[9] === "-" ? -1 : 1;
  const offsetHours = match[10] === undefined ? 0 : Number(match[10]);
  const offsetMinutes = match[11] === undefined ? 0 : Number(match[11]);
  if (offsetHours > 23 || offsetMinutes > 59) {
    throw new SpoolValidationError(field, "has an impossible zone offset");
  }
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(local);
  // Date.UTC rolls overflowing fields over; a round trip that changes them was not a real date.
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second
  ) {
    throw new SpoolValidationError(field, `is not a real date and time (${text})`);
  }
  const offsetMs = sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  return new Date(local + Math.round(fraction * 1000) - offsetMs);
}
