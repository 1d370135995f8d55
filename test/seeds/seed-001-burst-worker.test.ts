/**
 * Seed 001 (an RQ-based DXF analyser): its worker command line, `wjp worker --queues
 * analysis,conversion` with `--burst` and `--name worker-1`, as Spool's `spool worker --queues
 * analysis,conversion --burst --name worker-1 --handlers …` against the store of a real `spool
 * serve --no-auth` (the seed's curl clients send no key). Jobs on both queues are drained, a job
 * on a queue the worker does not serve (`nesting`) is left alone, and the worker exits 0.
 *
 * SPEC §6 on top: while it runs, `GET /workers` shows it under exactly the name it was given,
 * with its queues and types; a second live worker with the same name is refused; the jobs it ran
 * name it as their `worker`. Those observations are made while the worker is busy (one job waits
 * on a file the test creates) and asserted after the burst checks, so a missing registry does
 * not hide whether the burst itself works.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runSpool, startSpool } from "../integration/cli/spool-cli.js";
import { tempDir } from "../helpers/temp-dir.js";
import { waitFor } from "../helpers/wait-for.js";
import { FIXTURES, call, startServe, type SeedServer } from "./seed-harness.js";

interface JobView {
  id: string;
  queue: string;
  type: string;
  status: string;
  attempt: number;
  result: Record<string, unknown> | null;
  worker: string | null;
}

interface WorkerRow {
  id: string;
  name: string;
  kind: string;
  queues: string[];
  types: string[];
}

const HANDLERS = join(FIXTURES, "seed001-handlers.ts");

describe("seed 001: spool worker --queues analysis,conversion --burst --name worker-1", () => {
  let server: SeedServer;
  let url: string;

  before(async () => {
    url = `sqlite:${join(tempDir(), "spool.db")}`;
    server = await startServe(["--no-auth", "--url", url]);
  });
  after(async () => {
    await server?.stop();
  });

  async function submit(type: string, queue: string, payload: object): Promise<string> {
    const answer = await call<{ job_id: string }>(server, "POST", "/jobs", {
      body: { type, queue, payload },
    });
    assert.equal(answer.status, 202);
    return answer.body.job_id;
  }

  const job = async (id: string): Promise<JobView> =>
    (await call<JobView>(server, "GET", `/jobs/${id}`)).body;

  it("drains both queues, leaves the nesting queue alone, and exits 0", async () => {
    const release = join(tempDir(), "release");
    // The seed's example payloads (its "Submit Async Job via API").
    const held = await submit("analyze_dxf", "analysis", {
      dxf_path: "path/to/file.dxf",
      material: "steel",
      thickness: 6.0,
      hold_until_exists: release,
    });
    const analyses = [
      await submit("analyze_dxf", "analysis", { dxf_path: "file.dxf" }),
      await submit("analyze_dxf", "analysis", { dxf_path: "part-2.dxf", material: "aluminium" }),
    ];
    const conversions = [
      await submit("convert_image", "conversion", { image_path: "logo.png" }),
      await submit("convert_image", "conversion", { image_path: "plate.jpg" }),
    ];
    const nesting = await submit("nest_parts", "nesting", { sheet: "1500x3000" });

    // The seed's command line: `wjp worker --queues analysis,conversion --burst --name worker-1`.
    const workerArgs = [
      "worker",
      "--queues",
      "analysis,conversion",
      "--burst",
      "--name",
      "worker-1",
      "--handlers",
      HANDLERS,
      "--url",
      url,
    ];
    const worker = startSpool(workerArgs);
    try {
      // Busy: everything but the held job is done, the held one runs.
      await waitFor(
        async () =>
          (await job(held)).status === "running" &&
          (
            await Promise.all(
              [...analyses, ...conversions].map(async (id) => (await job(id)).status),
            )
          ).every((status) => status === "completed"),
        { timeoutMs: 60_000, message: "worker-1 ran the jobs" },
      );
      const registry = await call<{ workers?: WorkerRow[] }>(server, "GET", "/workers");
      const duplicate = await runSpool(workerArgs);

      writeFileSync(release, "go");
      const exit = await worker.exited;
      assert.equal(exit.code, 0, `burst mode exits 0 once drained:\n${exit.stderr}`);

      const done = await Promise.all([held, ...analyses, ...conversions].map(job));
      for (const finished of done) {
        assert.equal(finished.status, "completed", `${finished.type} ${finished.id}`);
        assert.equal(finished.attempt, 1);
      }
      assert.deepEqual(
        done.map((finished) => finished.queue),
        ["analysis", "analysis", "analysis", "conversion", "conversion"],
      );
      assert.deepEqual(done[0]!.result, {
        dxf_path: "path/to/file.dxf",
        material: "steel",
        thickness: 6,
        report: "analysis report",
      });
      assert.deepEqual(done[3]!.result, { image_path: "logo.png", dxf: "converted.dxf" });
      const untouched = await job(nesting);
      assert.equal(untouched.status, "queued", "a queue the worker does not serve is left alone");
      assert.equal(untouched.attempt, 0);
      assert.equal(untouched.worker, null);

      // SPEC §6: the registry row, the exact name, duplicates refused.
      assert.equal(registry.status, 200, "GET /workers lists live workers (SPEC §6)");
      const rows = (registry.body.workers ?? []).filter((row) => row.name === "worker-1");
      assert.equal(rows.length, 1, JSON.stringify(registry.body));
      const row = rows[0]!;
      assert.equal(row.kind, "local");
      assert.deepEqual(row.queues, ["analysis", "conversion"]);
      assert.deepEqual([...row.types].sort(), ["analyze_dxf", "convert_image"]);
      for (const finished of done) assert.equal(finished.worker, row.id, "the job names worker-1");
      assert.notEqual(duplicate.code, 0, "a second live worker named worker-1 is refused");
      assert.match(duplicate.stderr, /worker-1/);
    } finally {
      worker.child.kill("SIGKILL");
    }
  });
});
