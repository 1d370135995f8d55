#!/usr/bin/env node
// The dashboard's browser tests (test/e2e) drive Debian's Chromium at /usr/bin/chromium through
// playwright-core. When it is missing, this installs it with apt-get (as root, where apt-get
// exists), as `.ci/run` would; elsewhere it says what to install. Exits 1 when Chromium is still
// missing afterwards. Usage: node scripts/ensure-chromium.mjs
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const CHROMIUM = "/usr/bin/chromium";

/** Installs Chromium when missing and possible; returns whether it is there. */
export function ensureChromium() {
  if (existsSync(CHROMIUM)) return true;
  const root = process.getuid?.() === 0;
  if (!root || !existsSync("/usr/bin/apt-get")) {
    console.error(
      `Chromium is missing (${CHROMIUM}); the dashboard's browser tests need it: ` +
        "install Debian's `chromium` package (sudo apt-get install chromium).",
    );
    return false;
  }
  console.error(`Chromium is missing (${CHROMIUM}); installing Debian's chromium (apt-get)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [
    ["update", "-qq"],
    ["install", "-y", "-qq", "chromium"],
  ]) {
    const result = spawnSync("apt-get", args, { stdio: ["ignore", "ignore", "inherit"], env });
    if (result.status !== 0) break;
  }
  if (existsSync(CHROMIUM)) return true;
  console.error(`Chromium could not be installed at ${CHROMIUM}.`);
  return false;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(ensureChromium() ? 0 : 1);
