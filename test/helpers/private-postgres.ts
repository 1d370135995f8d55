/**
 * A private PostgreSQL cluster for tests that restart or stop the server: `initdb` into a
 * temporary folder, started with `pg_ctl` on a free port, so that a restart disturbs nobody else
 * (the machine's own server at 127.0.0.1:5432 is never restarted, stopped or reconfigured by a
 * test). initdb refuses to run as root, so every server command runs as the `postgres` user
 * (`runuser`) when the test runs as root; the folder is then owned by that user.
 *
 * The cluster is removed by `destroy()` and, should the test process end without calling it,
 * by an exit hook (an immediate stop, then the folder is deleted).
 */
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

/** Where Debian's PostgreSQL 15 binaries live (overridable for other machines). */
const PG_BIN = process.env.SPOOL_TEST_PG_BIN ?? "/usr/lib/postgresql/15/bin";

/** Clusters still running, stopped on process exit if the test did not destroy them. */
const live = new Set<PrivatePostgres>();
process.on("exit", () => {
  for (const cluster of live) cluster.destroySync();
});

/** A free TCP port on 127.0.0.1 (the OS picks it; the caller binds it a moment later). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Runs a PostgreSQL binary, as the postgres user when we are root. */
function runPg(binary: string, args: readonly string[]): string {
  const command = join(PG_BIN, binary);
  const asRoot = userInfo().uid === 0;
  const [file, argv] = asRoot
    ? ["runuser", ["-u", "postgres", "--", command, ...args]]
    : [command, [...args]];
  return execFileSync(file, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** A running private cluster; `url` points at its `postgres` database. */
export class PrivatePostgres {
  private destroyed = false;

  private constructor(
    /** The temporary folder holding the data directory, the socket and the log. */
    readonly dir: string,
    /** The TCP port on 127.0.0.1. */
    readonly port: number,
  ) {}

  /** Creates, configures and starts a new cluster. */
  static async start(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), "spool-pg-"));
    if (userInfo().uid === 0) {
      const owner = execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim();
      const group = execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim();
      chownSync(dir, Number(owner), Number(group));
    }
    const cluster = new PrivatePostgres(dir, await freePort());
    live.add(cluster);
    try {
      // -N skips only initdb's own final flush of a throwaway folder; the server runs with fsync on.
      const initArgs = ["-D", cluster.dataDir, "-A", "trust", "-U", "postgres", "-E", "UTF8", "-N"];
      runPg("initdb", initArgs);
      const conf = join(cluster.dataDir, "postgresql.conf");
      writeFileSync(
        conf,
        `${readFileSync(conf, "utf8")}\n# spool test cluster\n` +
          `port = ${cluster.port}\nlisten_addresses = '127.0.0.1'\n` +
          `unix_socket_directories = '${dir}'\nfsync = on\nmax_connections = 100\n`,
      );
      cluster.pgCtl("start");
    } catch (error) {
      cluster.destroySync();
      throw error;
    }
    return cluster;
  }

  /** The data directory. */
  get dataDir(): string {
    return join(this.dir, "data");
  }

  /** Connection URL of the cluster's `postgres` database. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Restarts the server (fast shutdown: sessions are terminated, WAL is flushed). */
  restart(): void {
    this.pgCtl("restart");
  }

  /** Stops the server (fast shutdown). */
  stop(): void {
    this.pgCtl("stop");
  }

  /** Starts a stopped server. */
  startAgain(): void {
    this.pgCtl("start");
  }

  /** Stops the server and removes its folder. Safe to call twice. */
  destroy(): Promise<void> {
    this.destroySync();
    return Promise.resolve();
  }

  /** `destroy` for exit hooks (synchronous). */
  destroySync(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    live.delete(this);
    if (existsSync(join(this.dataDir, "postmaster.pid"))) {
      try {
        runPg("pg_ctl", ["-D", this.dataDir, "-m", "immediate", "-w", "stop"]);
      } catch {
        // Already gone: nothing left to stop.
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private pgCtl(action: "start" | "restart" | "stop"): void {
    if (this.destroyed) throw new Error("the private cluster was destroyed");
    const args = ["-D", this.dataDir, "-w", "-t", "60", "-l", join(this.dir, "server.log")];
    if (action !== "start") args.push("-m", "fast");
    try {
      runPg("pg_ctl", [...args, action]);
    } catch (error) {
      const logPath = join(this.dir, "server.log");
      const log = existsSync(logPath) ? readFileSync(logPath, "utf8").slice(-2000) : "";
      throw new Error(`pg_ctl ${action} failed: ${String(error)}\n${log}`);
    }
  }
}
