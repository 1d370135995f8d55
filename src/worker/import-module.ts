/**
 * Imports a user's handler module. A `.js` file with `export` syntax and no `"type": "module"`
 * in its package.json loads in plain Node (syntax detection), but under the tsx loader a Spool
 * checkout runs with, tsx calls it CommonJS and Node then refuses it (ERR_REQUIRE_CYCLE_MODULE /
 * ERR_REQUIRE_ESM). For exactly that failure the module is imported again through a load hook
 * that reads the file as ESM; everything it imports resolves as usual.
 */
import { register } from "node:module";

const MARKER = "spool-esm=1";
const CJS_REFUSALS = new Set([
  "ERR_REQUIRE_CYCLE_MODULE",
  "ERR_REQUIRE_ESM",
  "ERR_REQUIRE_ASYNC_MODULE",
]);

// Registered hooks run before earlier ones (tsx's), so this one decides for marked URLs only.
const LOADER = `
import { readFile } from "node:fs/promises";
export async function load(url, context, next) {
  if (!url.startsWith("file:") || !url.includes(${JSON.stringify(MARKER)})) return next(url, context);
  const file = new URL(url);
  file.search = "";
  return { format: "module", source: await readFile(file), shortCircuit: true };
}`;

let registered = false;

/** `import(url)`, retried as ESM when a loader mistook an ES module `.js` file for CommonJS. */
export async function importHandlerModule(url: string): Promise<unknown> {
  try {
    return await import(url);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (!url.endsWith(".js") || typeof code !== "string" || !CJS_REFUSALS.has(code)) throw error;
    if (!registered) {
      register(`data:text/javascript,${encodeURIComponent(LOADER)}`);
      registered = true;
    }
    return import(`${url}?${MARKER}`);
  }
}
