/**
 * The keyset cursor of every paged list (jobs, webhook deliveries): the last row's id of the
 * page, base64url-encoded, so callers treat it as opaque. Shared by both stores.
 */
import { SpoolValidationError } from "../../core/errors.js";
import { isUuid } from "../../core/ids.js";

/** The cursor after the row `id`. */
export function encodeCursor(id: string): string {
  return Buffer.from(id, "utf8").toString("base64url");
}

/** The id a cursor carries; throws `SpoolValidationError` (field `cursor`) for anything else. */
export function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, "base64url").toString("utf8");
  if (!isUuid(id))
    throw new SpoolValidationError("cursor", "is not a cursor returned by a previous page");
  return id;
}
