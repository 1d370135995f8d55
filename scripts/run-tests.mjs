#!/usr/bin/env node
// Runs every test file with Node's test runner (Node 20 does not expand globs itself).
// Usage: node scripts/run-tests.mjs [path-filter…]   e.g. `npm test -- conformance`
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { ensureChromium } from "./ensure-chromium.mjs";

const roots = ["src", "test"];
const filters = process.argv.slice(2);

function collect(dir) {
  const files = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...collect(path));
    else if (name.endsWith(".test.ts")) files.push(relative(process.cwd(), path));
  }
  return files;
}

const files = roots
  .flatMap((root) => collect(root))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(" ")}`);
  process.exit(1);
}

// The browser tests need Chromium: installed here when missing (where apt-get can), else they
// fail at once with what to install.
if (files.some((file) => file.startsWith(join("test", "e2e")))) ensureChromium();

// Every file runs in parallel: no test touches a shared service's lifecycle (the PostgreSQL
// restart test restarts a private cluster of its own), so none needs to run alone.
// Not a terminal (CI, a log file): TAP on every Node version, so the run always closes with the
// same summary lines (`# tests`, `# pass`, `# fail`); Node 22+ would otherwise print its spec
// reporter there. A terminal keeps Node's default.
const reporter = process.stdout.isTTY ? [] : ["--test-reporter=tap"];
const result = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    ...reporter,
    `--test-concurrency=${process.env.TEST_CONCURRENCY ?? "3"}`,
    "--test-timeout=420000",
    ...files,
  ],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
