#!/usr/bin/env node
// The `spool` command (package.json "bin").
//
// Installed from the package, this imports the compiled CLI (dist/cli/index.js): plain Node, no
// TypeScript loader, so `spool --help` starts in about a tenth of a second.
//
// In a checkout (src/cli/index.ts is there and tsx, a devDependency, is installed) it runs the
// TypeScript sources through tsx instead, even when a dist/ exists: a developer's `npx spool` and
// `npm start` always run the code as it is now, never a stale build. tsx's ESM loader is
// registered in this process (`tsx/esm/api` register(), Node ≥ 20.6): one process, no re-exec.
// See docs/design.md, "Packaging".
//
// Installed, a TypeScript handler module (`--handlers ./handlers.ts`) is loaded with the tsx of
// the project the command runs in, when it has one (Spool itself does not depend on tsx).
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const source = new URL("../src/cli/index.ts", import.meta.url);
const TS_FILE = /\.(ts|mts|cts)$/;

/** Loads the tsx of the current project (what `node --import tsx` loads); false if none. */
async function loadProjectTsx() {
  let loader;
  try {
    loader = createRequire(join(process.cwd(), "package.json")).resolve("tsx");
  } catch {
    return false;
  }
  await import(pathToFileURL(loader).href);
  return true;
}

/** tsx's register(), or undefined when tsx is not installed (the published package). */
async function loadTsx() {
  try {
    return (await import("tsx/esm/api")).register;
  } catch {
    return undefined;
  }
}

const register = existsSync(source) ? await loadTsx() : undefined;
if (register) {
  register();
  await import(source.href);
} else {
  if (process.argv.some((arg) => TS_FILE.test(arg))) await loadProjectTsx();
  await import("../dist/cli/index.js");
}
