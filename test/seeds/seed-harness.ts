/**
 * Shared plumbing of the seed-client tests (test/seeds/*.test.ts): a real `spool serve` child
 * process (the same launcher as test/integration/cli), API keys for it, and runners for the
 * seeds' own client code — Python 3 (stdlib only, with the `requests` shim of fixtures/ on
 * PYTHONPATH) and plain `node` scripts. Every client runs as a process of its own, as a user
 * would run it; the tests then check the outcome through the HTTP API.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { REPO_ROOT, startSpool, type SpoolProcess } from "../integration/cli/spool-cli.js";

/** Folder of the seeds' client code and the shims it needs (`requests.py`, `flask.py`). */
export const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

/**
 * The remote worker of seed 002's job types (stdlib Python). The one place that names its path:
 * if it moves (e.g. next to the reference worker in clients/python/), change it here.
 */
export const SEED002_REMOTE_WORKER = join(FIXTURES, "seed002_remote_worker.py");

const SERVING = /^Spool is serving (http:\/\/\S+)/;
const ADMIN_KEY = /^\s+spool_[A-Za-z0-9_-]+$/;

/** A running `spool serve`. */
export interface SeedServer {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  base: string;
  /** The admin key printed on first start (null with `--no-auth`). */
  adminKey: string | null;
  process: SpoolProcess;
  /** Stops it with SIGTERM (unless it already exited) and waits for the exit. */
  stop(): Promise<void>;
}

/** Starts `spool serve --port 0 --log-level silent …args` and waits for its banner. */
export async function startServe(args: readonly string[]): Promise<SeedServer> {
  const serve = startSpool(["serve", "--port", "0", "--log-level", "silent", ...args]);
  try {
    const base = SERVING.exec(await serve.waitForLine(SERVING, 60_000))![1]!;
    const adminKey = args.includes("--no-auth")
      ? null
      : (await serve.waitForLine(ADMIN_KEY)).trim();
    return {
      base,
      adminKey,
      process: serve,
      async stop() {
        if (serve.child.exitCode === null && serve.child.signalCode === null)
          serve.child.kill("SIGTERM");
        await serve.exited;
      },
    };
  } catch (error) {
    serve.child.kill("SIGKILL");
    throw error;
  }
}

/** The answer of one HTTP call made by a test (not by a seed client). */
export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** One JSON call to the server with an optional bearer key. */
export async function call<T = Record<string, unknown>>(
  server: SeedServer,
  method: string,
  path: string,
  options: { token?: string | null; body?: unknown } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(server.base + path, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text === "" ? {} : JSON.parse(text)) as T,
  };
}

/** Creates an API key through `POST /keys` with the admin key; returns the key. */
export async function createKey(
  server: SeedServer,
  role: "admin" | "producer" | "worker",
  tenant: string,
): Promise<string> {
  const created = await call<{ key: string }>(server, "POST", "/keys", {
    token: server.adminKey,
    body: { role, tenant },
  });
  if (created.status !== 201) throw new Error(`POST /keys: ${created.status}`);
  return created.body.key;
}

/** The outcome of a client program. */
export interface ClientRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], env: Record<string, string>): Promise<ClientRun> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      {
        cwd: REPO_ROOT,
        env: { ...process.env, ...env },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Runs a Python file (a path, or a name in fixtures/) with the `requests` shim on PYTHONPATH. */
export function runPython(script: string, env: Record<string, string>): Promise<ClientRun> {
  return run("python3", ["-u", resolve(FIXTURES, script)], {
    PYTHONPATH: FIXTURES,
    PYTHONDONTWRITEBYTECODE: "1",
    ...env,
  });
}

/** Runs a JavaScript module of fixtures/ with `node`. */
export function runNode(script: string, env: Record<string, string>): Promise<ClientRun> {
  return run(process.execPath, [join(FIXTURES, script)], env);
}

/** Runs one shell command line (a seed's curl example) with `sh -c` in `cwd`. */
export function runShell(
  command: string,
  cwd: string,
  env: Record<string, string> = {},
): Promise<ClientRun> {
  return new Promise((resolve) => {
    const options = { cwd, env: { ...process.env, ...env } };
    execFile("sh", ["-c", command], options, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The lines of `text` that match `pattern`, with their first capture group. */
export function captures(text: string, pattern: RegExp): string[] {
  return text
    .split("\n")
    .map((line) => pattern.exec(line)?.[1])
    .filter((value): value is string => value !== undefined);
}

/** A long-running Python program (a remote worker) with its stdout lines collected. */
export type PythonProcess = ChildProcess & { lines: string[] };

/** Starts a Python file (a path, or a name in fixtures/; stdlib only); stderr goes to the test's stderr. */
export function startPython(script: string, env: Record<string, string>): PythonProcess {
  const child = spawn("python3", ["-u", resolve(FIXTURES, script)], {
    cwd: REPO_ROOT,
    env: { ...process.env, PYTHONPATH: FIXTURES, PYTHONDONTWRITEBYTECODE: "1", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  }) as PythonProcess;
  child.lines = [];
  let partial = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop()!;
    child.lines.push(...parts);
  });
  return child;
}
