/**
 * The parent's handle on the HTTP server child (bench/http-server.ts): forks it on a store,
 * waits for its URL and producer key, starts its built-in worker, samples its CPU use and stops
 * it. Every wait is bounded; a child that will not exit is killed.
 *
 * Set `SPOOL_BENCH_HTTP_CPU_PROF=<dir>` to start each server child with `node --cpu-prof`, which
 * writes a `.cpuprofile` per server into `<dir>` when it exits (open it in Chrome DevTools).
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { HttpChildMessage, HttpParentMessage, HttpServerConfig } from "./http-server.js";
import type { CpuSample, HttpServer } from "./systems/system.js";
import { BenchTimeoutError, errorMessage, withTimeout } from "./wait.js";

const CHILD_SCRIPT = fileURLToPath(new URL("./http-server.ts", import.meta.url));
/** tsx's loader, resolved from here so the child starts from any working directory. */
const TSX_LOADER = import.meta.resolve("tsx");
/** How long the child may take to start (tsx compiles it on the fly), ms. */
const CHILD_READY_TIMEOUT_MS = 30_000;
const CHILD_EXIT_TIMEOUT_MS = 15_000;
const REPLY_TIMEOUT_MS = 10_000;

/** The HTTP API in a child process. */
export class HttpServerProcess implements HttpServer {
  private readonly exited: Promise<void>;
  private failure: Error | undefined;
  private readonly waiters = new Set<(message: HttpChildMessage) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly token: string,
  ) {
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    child.on("message", (message: HttpChildMessage) => {
      if (message.type === "error") this.failure = new Error(`server process: ${message.message}`);
      for (const waiter of this.waiters) waiter(message);
    });
    child.once("exit", (code, signal) => {
      this.failure ??= new Error(`server process exited (code ${code}, signal ${signal})`);
    });
  }

  /** Forks the server on `config`'s store and waits until it listens. */
  static async start(config: HttpServerConfig): Promise<HttpServerProcess> {
    const profileDir = process.env.SPOOL_BENCH_HTTP_CPU_PROF;
    const child = fork(CHILD_SCRIPT, [], {
      execArgv: [
        "--import",
        TSX_LOADER,
        ...(profileDir === undefined || profileDir === ""
          ? []
          : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`]),
      ],
      env: { ...process.env, SPOOL_BENCH_HTTP: JSON.stringify(config) },
      // stdout is the request log (pino): discarded, as a server logging to /dev/null.
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    const ready = new Promise<{ url: string; token: string }>((resolve, reject) => {
      child.on("message", (message: HttpChildMessage) => {
        if (message.type === "ready") resolve({ url: message.url, token: message.token });
        if (message.type === "error") reject(new Error(`server process: ${message.message}`));
      });
      child.once("exit", (code) => reject(new Error(`server process exited early (${code})`)));
      child.once("error", reject);
    });
    try {
      const { url, token } = await withTimeout(
        ready,
        CHILD_READY_TIMEOUT_MS,
        "the server process to start",
      );
      return new HttpServerProcess(child, url, token);
    } catch (error) {
      child.kill("SIGKILL");
      throw error;
    }
  }

  /** Starts a worker with a no-op handler inside the server process. */
  async startWorker(concurrency: number): Promise<void> {
    await this.request(
      { type: "start-worker", concurrency },
      (m) => m.type === "worker-started",
      "the server's worker to start",
    );
  }

  /** CPU the server used since the previous call (or since it started). */
  async cpuSince(): Promise<CpuSample> {
    const reply = await this.request(
      { type: "cpu-mark" },
      (m) => m.type === "cpu",
      "the server's CPU sample",
    );
    if (reply.type !== "cpu") throw new Error("unexpected reply");
    return { cpuMs: reply.cpuMs, elapsedMs: reply.elapsedMs };
  }

  /** Asks the server to shut down gracefully; kills it if it does not exit in time. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.send({ type: "stop" });
    try {
      await withTimeout(this.exited, CHILD_EXIT_TIMEOUT_MS, "the server process to exit");
    } catch (error) {
      if (!(error instanceof BenchTimeoutError)) throw error;
      this.child.kill("SIGKILL");
      await this.exited;
    }
  }

  /** Sends `message` and waits (bounded) for the first reply that `matches`. */
  private async request(
    message: HttpParentMessage,
    matches: (reply: HttpChildMessage) => boolean,
    what: string,
  ): Promise<HttpChildMessage> {
    if (this.failure !== undefined) throw this.failure;
    let waiter: ((reply: HttpChildMessage) => void) | undefined;
    const replied = new Promise<HttpChildMessage>((resolve, reject) => {
      waiter = (reply) => {
        if (reply.type === "error") reject(new Error(`server process: ${reply.message}`));
        else if (matches(reply)) resolve(reply);
      };
      this.waiters.add(waiter);
    });
    try {
      this.send(message);
      return await withTimeout(replied, REPLY_TIMEOUT_MS, what);
    } finally {
      if (waiter !== undefined) this.waiters.delete(waiter);
    }
  }

  private send(message: HttpParentMessage): void {
    try {
      this.child.send(message);
    } catch (error) {
      this.failure ??= new Error(`cannot reach the server process: ${errorMessage(error)}`);
      throw this.failure;
    }
  }
}
