/**
 * `spool serve` as a real process: the API with built-in demo workers, `keys` and `--server`
 * mode against it, a graceful SIGTERM (event streams closed cleanly, running jobs finished or
 * released, exit 0), and the README's quick start followed word for word.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { SpoolClient } from "../../../src/client/client.js";
import { Spool } from "../../../src/index.js";
import { tempDir } from "../../helpers/temp-dir.js";
import { waitFor } from "../../helpers/wait-for.js";
import { REPO_ROOT, runSpool, startSpool } from "./spool-cli.js";

const SERVING = /^Spool is serving (http:\/\/\S+)/;

describe("spool serve", () => {
  it("serves the API with demo workers; keys and --server mode work against it; SIGTERM stops it gracefully", async () => {
    const url = `sqlite:${join(tempDir(), "spool.db")}`;
    const serve = startSpool([
      "serve",
      "--demo",
      "--port",
      "0",
      "--url",
      url,
      "--log-level",
      "silent",
      "--grace",
      "30",
    ]);
    try {
      const base = SERVING.exec(await serve.waitForLine(SERVING, 30_000))![1]!;
      const keyLine = await serve.waitForLine(/^\s+spool_[A-Za-z0-9_-]+$/);
      const admin = keyLine.trim();
      const client = new SpoolClient({ baseUrl: base, token: admin });
      // A producer key through the CLI, in --server mode.
      const created = await runSpool([
        "keys",
        "create",
        "--role",
        "producer",
        "--tenant",
        "acme",
        "--server",
        base,
        "--token",
        admin,
      ]);
      assert.equal(created.code, 0, created.stderr);
      const producer = created.stdout.trim();
      assert.match(producer, /^spool_/);
      const listed = await runSpool(["keys", "list", "--json", "--server", base, "--token", admin]);
      assert.equal(listed.code, 0, listed.stderr);
      assert.equal((JSON.parse(listed.stdout) as unknown[]).length, 2);
      // Submit and follow a demo job through the CLI in --server mode.
      const waited = await runSpool(
        ["enqueue", "demo.flaky", "--payload", '{"failures": 0}', "--wait", "--server", base],
        {
          env: { SPOOL_TOKEN: producer },
        },
      );
      assert.equal(waited.code, 0, waited.stderr);
      assert.deepEqual(
        JSON.parse(waited.stdout),
        { succeeded_on_attempt: 1, planned_failures: 0 },
        "the result on stdout",
      );
      const jobs = await runSpool(["jobs", "--json", "--server", base, "--token", producer]);
      assert.equal(jobs.code, 0, jobs.stderr);
      assert.equal(
        (JSON.parse(jobs.stdout) as { jobs: unknown[] }).jobs.length,
        1,
        "the producer sees its tenant's job",
      );
      const missing = await runSpool([
        "job",
        "01a20000-0000-7000-8000-000000000000",
        "--server",
        base,
        "--token",
        producer,
      ]);
      assert.equal(missing.code, 3);
      const badKey = await runSpool(["stats", "--server", base, "--token", "spool_nope"]);
      assert.notEqual(badKey.code, 0);
      // A payload schema of the demo types is enforced at submit time.
      const bad = await client
        .request("POST", "/jobs", { type: "demo.sleep", payload: { seconds: "three" } })
        .catch((error: { status: number; details: { field: string } }) => error);
      assert.equal((bad as { status: number }).status, 400);
      assert.match((bad as { details: { field: string } }).details.field, /^payload\.seconds/);

      // Graceful stop: a running job finishes within the grace, an open event stream ends cleanly.
      const running = await client.submit({ type: "demo.sleep", payload: { seconds: 1 } });
      await waitFor(async () => (await client.get(running.job_id)).status === "running", {
        timeoutMs: 15_000,
      });
      const streamed: string[] = [];
      const stream = (async () => {
        for await (const event of client.events("/events")) streamed.push(event.event);
      })();
      serve.child.kill("SIGTERM");
      const exit = await serve.exited;
      assert.equal(exit.code, 0, exit.stderr);
      await stream; // ended by the server, not by an error
      const spool = await Spool.open({ url, maintenance: false });
      try {
        const job = await spool.get(running.job_id);
        assert.equal(job?.status, "completed", "the running job finished within the grace period");
      } finally {
        await spool.close();
      }
    } finally {
      serve.child.kill("SIGKILL");
    }
  });

  it("--no-auth is refused on a non-loopback host; bad flags exit 2", async () => {
    const refused = await runSpool([
      "serve",
      "--no-auth",
      "--host",
      "0.0.0.0",
      "--port",
      "0",
      "--url",
      `sqlite:${join(tempDir(), "s.db")}`,
    ]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--no-auth/);
    const badPort = await runSpool(["serve", "--port", "70000"]);
    assert.equal(badPort.code, 2);
    assert.match(badPort.stderr, /--port/);
  });

  it("the README quick start works word for word: npm start, then the example curl", async () => {
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    const curlBlock = /```sh\n(curl[^`]*?)```/.exec(readme)?.[1];
    assert.ok(curlBlock, "the README has a curl example");
    assert.match(readme, /npm install && npm start/);
    const dir = tempDir();
    const start = spawn(
      "npm",
      [
        "start",
        "--",
        "--port",
        "0",
        "--url",
        `sqlite:${join(dir, "spool.db")}`,
        "--log-level",
        "silent",
      ],
      {
        cwd: REPO_ROOT,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, SPOOL_URL: "", DATABASE_URL: "" },
        detached: true,
      },
    );
    let out = "";
    start.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    try {
      const base = await waitFor(
        () => SERVING.exec(out.split("\n").find((line) => SERVING.test(line)) ?? "")?.[1],
        { timeoutMs: 30_000 },
      );
      const port = new URL(base).port;
      const command = curlBlock
        .replaceAll("localhost:8080", `127.0.0.1:${port}`)
        .replaceAll("127.0.0.1:8080", `127.0.0.1:${port}`);
      const curl = spawn("sh", ["-c", command], { stdio: ["ignore", "pipe", "inherit"] });
      let body = "";
      curl.stdout.on("data", (chunk: Buffer) => (body += chunk.toString()));
      const [code] = (await once(curl, "exit")) as [number];
      assert.equal(code, 0);
      const submitted = JSON.parse(body) as { job_id: string; status: string };
      assert.equal(submitted.status, "queued");
      const client = new SpoolClient({ baseUrl: base });
      await waitFor(async () => (await client.get(submitted.job_id)).status === "completed", {
        timeoutMs: 30_000,
      });
    } finally {
      process.kill(-start.pid!, "SIGTERM");
      await once(start, "exit");
    }
  });
});
