/**
 * The Python package (clients/python, `spool-client`) against a real `spool serve` with auth
 * on: its own unittest suite (the tests create producer and worker keys with the admin key),
 * then its examples — seed 002's job flows (worker included) and seed 000's route optimization
 * on the demo type.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { tempDir } from "../helpers/temp-dir.js";
import { waitFor } from "../helpers/wait-for.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PYTHON_ROOT = join(ROOT, "clients", "python");

/** Runs python3 with `args` in `cwd`; resolves with exit code and output. */
async function python(
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number | null; out: string }> {
  const child = spawn("python3", args, {
    cwd,
    env: { ...process.env, PYTHONUNBUFFERED: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, out };
}

describe("the Python client package against spool serve", () => {
  let server: ChildProcess;
  let url: string;
  let adminKey: string;

  before(async () => {
    const storeUrl = `sqlite:${join(tempDir(), "spool.db")}`;
    server = spawn(
      process.execPath,
      [join(ROOT, "bin", "spool.js"), "serve", "--demo", "--port", "0", "--url", storeUrl],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    server.stdout?.on("data", (chunk: Buffer) => (out += chunk.toString()));
    server.stderr?.on("data", (chunk: Buffer) => (out += chunk.toString()));
    await waitFor(
      () => /health\s+http:\/\/\S+\/healthz/.test(out) && /\n\s+(spool_\S+)/.test(out),
      {
        timeoutMs: 60_000,
        message: "the serve banner with the admin key",
      },
    );
    url = /health\s+(http:\/\/\S+)\/healthz/.exec(out)?.[1] ?? "";
    adminKey = /\n\s+(spool_\S+)/.exec(out)?.[1] ?? "";
  });

  after(async () => {
    server.kill("SIGTERM");
    if (server.exitCode === null) await once(server, "exit");
  });

  it("python3 -m unittest passes (client and worker, auth on)", async () => {
    const { code, out } = await python(["-m", "unittest", "-v"], PYTHON_ROOT, {
      SPOOL_TEST_URL: url,
      SPOOL_TEST_ADMIN_TOKEN: adminKey,
    });
    assert.equal(code, 0, out);
    assert.match(out, /^OK/m, out);
  });

  it("seed 002's flows (examples/scene_jobs.py) run to the end", async () => {
    const { code, out } = await python(["scene_jobs.py"], join(PYTHON_ROOT, "examples"), {
      SPOOL_URL: url,
      SPOOL_TOKEN: adminKey,
      SPOOL_QUEUE: "scenes",
    });
    assert.equal(code, 0, out);
    assert.match(out, /all examples passed/);
  });

  it("seed 000's client (examples/optimize_routes.py) gets the optimized routes", async () => {
    const { code, out } = await python(["optimize_routes.py"], join(PYTHON_ROOT, "examples"), {
      SPOOL_URL: url,
      SPOOL_TOKEN: adminKey,
      SPOOL_TIME_LIMIT: "1",
    });
    assert.equal(code, 0, out);
    assert.match(out, /Optimization complete!\nTotal distance: [\d.]+ km/);
  });
});
