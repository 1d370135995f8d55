/** Formatting helpers: durations, ages, numbers. */

/** "850 ms", "12.3 s", "4 min 10 s", "2 h 5 min", "3 d 4 h". */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 9.95) return `${seconds.toFixed(1)} s`;
  if (seconds < 59.5) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(Math.round(seconds) / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds) % 60} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** How long ago an ISO time was: "5 s ago". */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (iso === null || iso === undefined) return "—";
  const seconds = Math.max(0, (now - Date.parse(iso)) / 1000);
  return `${duration(seconds)} ago`;
}

/** A local date-time, to the second. */
export function time(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return "—";
  return new Date(iso).toLocaleString(undefined, {
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}

/** 1234567 → "1,234,567". */
export function count(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : value.toLocaleString("en-US");
}

/**
 * The last 8 characters of an id (full id in the title): ids are UUIDv7, whose first characters
 * are the creation time and so the same for jobs submitted together.
 */
export function shortId(id: string): string {
  return id.slice(-8);
}

/** Single-quotes a string for a POSIX shell. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
