/**
 * Spool as its package ships it: src/ compiled by tsc with the package's own settings
 * (tsconfig.build.json) — the JavaScript `npm install spool` runs — into
 * node_modules/.cache/spool-bench/dist, beside a copy of package.json (the version, `"type":
 * "module"`), once per benchmark run, so that its imports resolve from the project's
 * node_modules. The other systems run from their packages' compiled JavaScript too.
 * Run from its TypeScript through tsx instead, Spool's process spent ~10 % more CPU per job
 * (measured on a 100,000-job drain: 21 → 19 ms per 1,000 jobs): esbuild keeps function names by
 * wrapping every closure the hot path creates.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import type * as SpoolSources from "../src/index.js";

type SpoolModule = typeof SpoolSources;

const ROOT = join("node_modules", ".cache", "spool-bench");
const OUT = join(ROOT, "dist");

let compiled: Promise<SpoolModule> | undefined;

/** The compiled library (built on first use). */
export function compiledSpool(): Promise<SpoolModule> {
  compiled ??= build();
  return compiled;
}

async function build(): Promise<SpoolModule> {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const args = ["-p", "tsconfig.build.json", "--outDir", OUT, "--declaration", "false"];
  const result = spawnSync(
    process.execPath,
    [tsc, ...args, "--sourceMap", "false", "--inlineSources", "false"],
    { stdio: "inherit" },
  );
  if (result.status !== 0) throw new Error(`compiling Spool for the benchmark failed (${OUT})`);
  copyFileSync("package.json", join(ROOT, "package.json"));
  for (const dialect of ["sqlite", "postgres"]) {
    const from = join("src", "store", dialect, "migrations");
    cpSync(from, join(OUT, "store", dialect, "migrations"), { recursive: true });
  }
  return (await import(pathToFileURL(join(process.cwd(), OUT, "index.js")).href)) as SpoolModule;
}
