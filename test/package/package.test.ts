/**
 * The package as a user gets it (issue 9, SPEC §9): `npm pack`, install the tarball into a new
 * project (offline, see tarball.ts), then with plain `node` — no TypeScript loader — use the
 * library on SQLite, load `spool/client` without any server-side module, type-check a consumer
 * against the installed declarations, and run the installed `spool` command.
 *
 * Figures (tarball size, install time, `spool --help` start-up) are printed as test
 * diagnostics; they are measurements, not assertions (the machine is shared).
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { tempDir } from "../helpers/temp-dir.js";
import { waitFor } from "../helpers/wait-for.js";
import { REPO_ROOT, localPrebuild, npmEnvironment, pack, run, writeProject } from "./tarball.js";

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
const TSC = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");

/** Sends `signal` to the process group `child` leads (it was spawned detached). */
function stopGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** A consumer written against the installed declarations (strict, NodeNext). */
const CONSUMER_TS = `import { Spool, SpoolValidationError, type JobRecord, type JobHandler } from "spool";
import { SpoolClient, SpoolHttpError } from "spool/client";
import { startServer, type RunningServer } from "spool/server";

const add: JobHandler = async (job, ctx) => {
  await ctx.progress(50, "adding");
  return { sum: (job.payload as { numbers: number[] }).numbers.reduce((a, b) => a + b, 0) };
};

export async function main(): Promise<JobRecord | null> {
  const spool = await Spool.open({ url: "sqlite:./data/spool.db" });
  const job = await spool.enqueue("add", { numbers: [1, 2] }, { maxAttempts: 3, delay: 10 });
  const worker = spool.worker({ queues: ["default"], handlers: { add } });
  await worker.start();
  const server: RunningServer = await startServer({ spool, host: "127.0.0.1", port: 0, auth: false });
  const client = new SpoolClient({ baseUrl: server.url });
  const remote: unknown = await client.request("GET", "/jobs/" + job.id);
  void remote;
  await server.close();
  await worker.stop();
  return spool.get(job.id);
}

export const isError = (error: unknown): boolean =>
  error instanceof SpoolValidationError || error instanceof SpoolHttpError;
`;

describe("the packed package, installed in a new project", () => {
  let project: string;
  let bin: string;
  let server: ChildProcess | undefined;
  /** Figures measured in `before` (hooks cannot print diagnostics on Node 20). */
  const figures: string[] = [];

  before(
    () => {
      const work = tempDir("spool-package-");
      project = join(work, "consumer");
      const started = Date.now();
      const packed = pack(work);
      figures.push(
        `npm pack (with the prepare build): ${Date.now() - started} ms, tarball ${packed.bytes} bytes, ${packed.files.length} files`,
      );
      run("mkdir", ["-p", project], work);
      const tarball = join(project, "spool.tgz");
      copyFileSync(packed.tarball, tarball);
      writeProject(project, tarball);
      const installStarted = Date.now();
      run(
        "npm",
        ["install", "--offline", "--no-audit", "--no-fund", "--foreground-scripts"],
        project,
        npmEnvironment(localPrebuild(join(work, "prebuilds"))),
      );
      figures.push(`npm install --offline of the tarball: ${Date.now() - installStarted} ms`);
      bin = join(project, "node_modules", ".bin", "spool");
    },
    { timeout: 900_000 },
  );

  after(() => {
    if (server) stopGroup(server, "SIGKILL");
  });

  it("ships compiled JavaScript, declarations, source maps and migrations — no TypeScript sources", (t) => {
    for (const figure of figures) t.diagnostic(figure);
    const root = join(project, "node_modules", "spool");
    for (const file of [
      "dist/index.js",
      "dist/index.d.ts",
      "dist/index.js.map",
      "dist/http/server.js",
      "dist/client/client.js",
      "dist/cli/index.js",
      "dist/store/sqlite/migrations/0001_init.sql",
      "dist/store/postgres/migrations/0001_init.sql",
      "bin/spool.js",
    ])
      assert.ok(existsSync(join(root, file)), `${file} is in the package`);
    assert.equal(existsSync(join(root, "src")), false, "no src/ in the package");
    const map = JSON.parse(readFileSync(join(root, "dist/index.js.map"), "utf8")) as {
      sourcesContent?: string[];
    };
    assert.ok(map.sourcesContent?.[0]?.includes("export"), "source maps carry their sources");
  });

  it("plain node: the library opens an SQLite store, enqueues a job and runs it to completion", () => {
    copyFileSync(join(FIXTURES, "smoke.mjs"), join(project, "smoke.mjs"));
    const out = run("node", ["smoke.mjs", join(project, "smoke.db")], project);
    assert.deepEqual(JSON.parse(out), {
      status: "completed",
      result: { sum: 42 },
      progress: 100,
      sqliteStoreExported: true,
    });
  });

  it("plain node: spool/client loads none of better-sqlite3, pg, Fastify (nor any node: module)", () => {
    for (const file of ["client-graph.mjs", "record-hooks.mjs"])
      copyFileSync(join(FIXTURES, file), join(project, file));
    const loaded = run("node", ["client-graph.mjs"], project).trim().split("\n");
    assert.ok(loaded.some((url) => url.endsWith("/node_modules/spool/dist/client/client.js")));
    const foreign = loaded.filter((url) => !url.includes("/node_modules/spool/dist/"));
    assert.deepEqual(foreign, [], "modules outside spool's own dist/");
  });

  it("a TypeScript consumer type-checks against the installed declarations", () => {
    writeFileSync(join(project, "consumer.ts"), CONSUMER_TS);
    const tsconfig = {
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ["node"],
      },
      files: ["consumer.ts"],
    };
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
    run("node", [TSC, "-p", "tsconfig.json"], project);
  });

  it("npx spool --version prints the package's version; --help starts without a TS loader", (t) => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
      version: string;
    };
    assert.equal(run("npx", ["--no-install", "spool", "--version"], project).trim(), version);
    const times: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const started = process.hrtime.bigint();
      const help = run(bin, ["--help"], project);
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
      assert.match(help, /Usage: spool/);
    }
    times.sort((a, b) => a - b);
    t.diagnostic(
      `spool --help on Node ${process.version}: median ${times[2]?.toFixed(0)} ms, best ${times[0]?.toFixed(0)} ms (5 runs)`,
    );
  });

  it("npx spool serve --demo --no-auth --port 0 answers /healthz", async () => {
    // Its own process group: npx does not pass SIGTERM on to the command it started.
    const child = spawn(
      "npx",
      ["--no-install", "spool", "serve", "--demo", "--no-auth", "--port", "0"],
      { cwd: project, env: npmEnvironment(), stdio: ["ignore", "pipe", "pipe"], detached: true },
    );
    server = child;
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const exited = once(child, "exit");
    const health = await waitFor(() => /health\s+(http:\/\/\S+\/healthz)/.exec(out)?.[1], {
      timeoutMs: 60_000,
      message: "the serve banner",
    });
    const response = await fetch(health);
    assert.equal(response.status, 200, out);
    assert.equal(((await response.json()) as { status?: string }).status, "ok", out);
    stopGroup(child, "SIGTERM");
    await exited;
    // The server itself (npx's child) shut down too: its port no longer answers.
    await waitFor(
      () =>
        fetch(health).then(
          () => false,
          () => true,
        ),
      { timeoutMs: 30_000, message: "spool serve to stop on SIGTERM" },
    );
    server = undefined;
  });
});
