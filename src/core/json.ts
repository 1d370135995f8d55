/** JSON value types and a strict check that a value survives JSON encoding unchanged. */

/** A JSON value. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object (the shape of every job payload). */
export type JsonObject = { [key: string]: JsonValue };

const MAX_DEPTH = 64;

/**
 * Returns the dotted path of the first part of `value` that JSON cannot represent faithfully
 * (functions, symbols, bigints, undefined, NaN/Infinity, class instances such as Date or Map,
 * cycles, nesting deeper than 64), or undefined when the value is plain JSON.
 */
export function findNonJson(
  value: unknown,
  path = "",
  depth = 0,
  seen = new Set<object>(),
): string | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(value) ? undefined : path || "(root)";
    case "object": {
      if (value === null) return undefined;
      if (depth >= MAX_DEPTH || seen.has(value)) return path || "(root)";
      const proto: unknown = Object.getPrototypeOf(value);
      const isArray = Array.isArray(value);
      if (!isArray && proto !== Object.prototype && proto !== null) return path || "(root)";
      seen.add(value);
      for (const [key, item] of Object.entries(value)) {
        const found = findNonJson(item, path === "" ? key : `${path}.${key}`, depth + 1, seen);
        if (found !== undefined) return found;
      }
      seen.delete(value);
      return undefined;
    }
    default:
      return path || "(root)";
  }
}

/** True for a plain object (not an array, not null, not a class instance). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
