/**
 * Nobody can knock the server over with refused WebSocket upgrades (issue 8): a real
 * `spool serve` process gets 5,000 upgrade requests it must refuse (no key, a wrong key, a worker
 * key, a bad filter, a path without a WebSocket); every one gets an HTTP answer in the error
 * shape and a closed connection, no socket of the server's port is left in CLOSE-WAIT, the
 * server still answers /healthz, and one SIGTERM stops it.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { tempDir } from "../../helpers/temp-dir.js";
import { rawRequest, upgradeRequest } from "../../helpers/raw-http.js";
import { waitFor } from "../../helpers/wait-for.js";
import { startSpool } from "../cli/spool-cli.js";

const SERVING = /^Spool is serving (http:\/\/\S+)/;
const REFUSALS = 5_000;
const PARALLEL = 50;
const CLOSE_WAIT = "08";

/** Sockets whose local port is `port` in TCP state `state` (from /proc/net/tcp and tcp6). */
function socketsInState(port: number, state: string): number {
  let count = 0;
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      if (local === undefined || fields[3] !== state) continue;
      if (parseInt(local.split(":").pop()!, 16) === port) count += 1;
    }
  }
  return count;
}

describe("refused WebSocket upgrades (real process)", () => {
  it("5,000 refused upgrades: each answered and closed, none left in CLOSE-WAIT, one SIGTERM stops the server", async () => {
    const serve = startSpool(
      [
        "serve",
        "--port",
        "0",
        "--url",
        `sqlite:${join(tempDir(), "spool.db")}`,
        "--log-level",
        "silent",
        "--workers",
        "0",
      ],
      { env: { SPOOL_VALIDATE_RESPONSES: "1" } },
    );
    try {
      const base = SERVING.exec(await serve.waitForLine(SERVING, 30_000))![1]!;
      const admin = (await serve.waitForLine(/^\s+spool_[A-Za-z0-9_-]+$/)).trim();
      const port = Number(new URL(base).port);
      const created = await fetch(`${base}/keys`, {
        method: "POST",
        headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
        body: JSON.stringify({ role: "worker" }),
      });
      const workerKey = ((await created.json()) as { key: string }).key;
      const variants: [string, Record<string, string>, number][] = [
        ["/ws", {}, 401],
        ["/ws", { authorization: "Bearer spool_not_a_key" }, 401],
        [`/ws?access_token=${workerKey}`, {}, 403],
        ["/ws?queue=NOT%20VALID", { authorization: `Bearer ${admin}` }, 400],
        ["/jobs", { authorization: `Bearer ${admin}` }, 404],
      ];
      const statuses = new Map<number, number>();
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < REFUSALS) {
          const [path, headers, status] = variants[next++ % variants.length]!;
          const answer = await rawRequest(base, upgradeRequest(path, headers));
          assert.equal(answer.status, status, `${path}: ${answer.body}`);
          assert.equal(answer.closedByServer, true);
          assert.equal((JSON.parse(answer.body) as { success: boolean }).success, false);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      };
      await Promise.all(Array.from({ length: PARALLEL }, lane));
      assert.equal(
        [...statuses.values()].reduce((a, b) => a + b, 0),
        REFUSALS,
      );
      // Every client has closed its side; the server must have closed (or be closing) each one.
      await waitFor(() => socketsInState(port, CLOSE_WAIT) === 0, {
        timeoutMs: 10_000,
        message: `sockets of :${port} left in CLOSE-WAIT`,
      });
      const health = await fetch(`${base}/healthz`);
      assert.equal(health.status, 200);
      serve.child.kill("SIGTERM");
      const exit = await serve.exited;
      assert.equal(exit.code, 0, exit.stderr);
      assert.match(exit.stdout, /spool serve stopped/);
    } finally {
      if (serve.child.exitCode === null) serve.child.kill("SIGKILL");
    }
  });
});
