/**
 * For the dashboard's browser tests and screenshots: a real `spool serve --demo` child process
 * (auth on, its own SQLite file) and Debian's headless Chromium driven by playwright-core.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { SpoolClient } from "../../src/client/client.js";
import { stopChild } from "./processes.js";
import { tempDir } from "./temp-dir.js";
import { waitFor } from "./wait-for.js";

export const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Launches headless Chromium; without it, fails at once saying what to install. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing (${CHROMIUM}): install Debian's chromium package ` +
        "(`npm test` does when it runs as root; see scripts/ensure-chromium.mjs)",
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}

/** Builds dist/dashboard when it is missing or stale (the server serves the built files). */
export function ensureDashboardBuilt(): void {
  const result = spawnSync(process.execPath, ["scripts/ensure-dashboard.mjs"], {
    stdio: "inherit",
  });
  if (result.status !== 0 || !existsSync("dist/dashboard/index.html"))
    throw new Error("could not build the dashboard");
}

/** A running `spool serve --demo`. */
export interface DemoServer {
  url: string;
  adminKey: string;
  child: ChildProcess;
  client(token?: string): SpoolClient;
  /** Creates a key over the API. */
  key(role: "admin" | "producer" | "worker", tenant: string): Promise<string>;
  stop(): Promise<void>;
}

/** Starts `spool serve --demo --port 0 --json` on a fresh SQLite store and reads its banner. */
export async function startDemoServer(workers = 4): Promise<DemoServer> {
  const dir = tempDir("spool-dashboard-");
  const child = spawn(
    process.execPath,
    [
      "bin/spool.js",
      "serve",
      "--demo",
      "--port",
      "0",
      "--json",
      "--workers",
      String(workers),
      "--log-level",
      "warn",
      "--url",
      `sqlite:${join(dir, "spool.db")}`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let buffer = "";
  let banner: { url: string; adminKey: string } | null = null;
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    buffer += chunk;
    for (;;) {
      const end = buffer.indexOf("\n");
      if (end === -1) break;
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 1);
      try {
        const parsed = JSON.parse(line) as { event?: string; url?: string; adminKey?: string };
        if (parsed.event === "serve.started")
          banner = { url: parsed.url!, adminKey: parsed.adminKey! };
      } catch {
        // a log line
      }
    }
  });
  await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error("spool serve exited early");
      return banner;
    },
    { timeoutMs: 60_000, intervalMs: 20, message: "spool serve banner" },
  );
  const { url, adminKey } = banner!;
  const client = (token = adminKey): SpoolClient => new SpoolClient({ baseUrl: url, token });
  return {
    url,
    adminKey,
    child,
    client,
    key: async (role, tenant) =>
      (await client().request<{ key: string }>("POST", "/keys", { role, tenant })).body.key,
    stop: async () => {
      await stopChild(child);
    },
  };
}

/** Opens the dashboard and signs in with `key`; resolves once the overview shows. */
export async function signIn(page: Page, url: string, key: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByLabel("API key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
}
