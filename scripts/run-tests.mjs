#!/usr/bin/env node
// Runs every test file with Node's test runner (Node 20 does not expand globs itself).
// Usage: node scripts/run-tests.mjs [path-filter…]   e.g. `npm test -- conformance`
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

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

const isSerial = (file) => file.startsWith(join("test", "serial"));
const files = roots
  .flatMap((root) => collect(root))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(" ")}`);
  process.exit(1);
}

/** Runs Node's test runner on `list`; returns its exit status. */
function run(list, concurrency) {
  const result = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "--test",
      `--test-concurrency=${concurrency}`,
      "--test-timeout=180000",
      ...list,
    ],
    { stdio: "inherit" },
  );
  return result.status ?? 1;
}

// Tests that disturb shared services (restarting PostgreSQL) run first, alone, one at a time;
// then everything else in parallel (its summary is the run's closing lines).
const serial = files.filter(isSerial);
const parallel = files.filter((file) => !isSerial(file));
let status = 0;
if (serial.length > 0) status = run(serial, "1");
if (parallel.length > 0) status = run(parallel, process.env.TEST_CONCURRENCY ?? "3") || status;
process.exit(status);
