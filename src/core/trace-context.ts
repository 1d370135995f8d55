/**
 * The W3C Trace Context a job carries (https://www.w3.org/TR/trace-context/): the `traceparent`
 * of the span that submitted it and the vendor `tracestate` beside it. Stored with the job at
 * submit and handed to workers in claims so that every attempt joins the submitter's trace.
 * Pure parsing only; the spans themselves are made in worker/tracing.ts.
 */

/** A job's trace context, as stored (both headers verbatim). */
export interface TraceContext {
  /** `00-<32 hex trace id>-<16 hex parent span id>-<2 hex flags>`. */
  traceparent: string;
  /** The `tracestate` header, or null when there was none. */
  tracestate: string | null;
}

/** The parts of a valid `traceparent`. */
export interface ParsedTraceparent {
  traceId: string;
  spanId: string;
  traceFlags: number;
}

// Version 00 has exactly four fields; a later version may append fields after a dash.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const MAX_TRACESTATE_LENGTH = 512;

/**
 * The parts of `value`, or null unless it is a valid `traceparent` (version ff, an all-zero
 * trace or span id, and extra fields on version 00 are invalid, as the recommendation says).
 */
export function parseTraceparent(value: unknown): ParsedTraceparent | null {
  if (typeof value !== "string") return null;
  const match = TRACEPARENT.exec(value.trim());
  if (match === null) return null;
  const [, version, traceId, spanId, flags, rest] = match;
  if (version === "ff" || (version === "00" && rest !== undefined)) return null;
  if (/^0+$/.test(traceId!) || /^0+$/.test(spanId!)) return null;
  return { traceId: traceId!, spanId: spanId!, traceFlags: parseInt(flags!, 16) };
}

/** The `traceparent` of a span context (version 00). */
export function formatTraceparent(parts: ParsedTraceparent): string {
  const flags = (parts.traceFlags & 0xff).toString(16).padStart(2, "0");
  return `00-${parts.traceId}-${parts.spanId}-${flags}`;
}

/**
 * The trace context of a pair of header values, or null when `traceparent` is missing or
 * invalid (an invalid header is ignored, never an error: tracing must not refuse work). A
 * `tracestate` that is not a string or is too long is dropped.
 */
export function traceContextOf(traceparent: unknown, tracestate: unknown): TraceContext | null {
  const parsed = parseTraceparent(traceparent);
  if (parsed === null) return null;
  const state =
    typeof tracestate === "string" &&
    tracestate.trim() !== "" &&
    tracestate.length <= MAX_TRACESTATE_LENGTH
      ? tracestate.trim()
      : null;
  return { traceparent: formatTraceparent(parsed), tracestate: state };
}
