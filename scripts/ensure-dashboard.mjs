#!/usr/bin/env node
// Builds the dashboard (dist/dashboard) when it is missing or older than its sources, so that
// `npm install && npm start` on a fresh clone serves it. Skips quietly where Vite is not
// installed (an installed package ships dist/dashboard prebuilt).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const out = "dist/dashboard/index.html";
const sources = ["src/dashboard", "src/client", "src/http/contracts.ts"];

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

if (!existsSync("src/dashboard")) process.exit(0);
const built = existsSync(out) ? statSync(out).mtimeMs : 0;
const changed = Math.max(...sources.filter((path) => existsSync(path)).map(newest));
if (built >= changed) process.exit(0);
if (!existsSync("node_modules/vite")) {
  console.warn("ensure-dashboard: vite is not installed; the dashboard is not built");
  process.exit(0);
}
console.log("building the dashboard (npm run build:dashboard)…");
const result = spawnSync(
  process.execPath,
  ["node_modules/vite/bin/vite.js", "build", "--config", "src/dashboard/vite.config.ts"],
  {
    stdio: "inherit",
  },
);
process.exit(result.status ?? 1);
