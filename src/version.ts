/** Spool's version (from package.json, one level above both src/ and dist/). */
import { readFileSync } from "node:fs";

/** The installed Spool version, e.g. `0.1.0`; shown in worker presence rows. */
export const SPOOL_VERSION = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;
