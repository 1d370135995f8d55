/**
 * Dependencies and batches over HTTP (SPEC §8): `depends_on` by id and by `"$N"` index, the
 * 400s that name the field and store nothing (unknown id, another tenant's id, forward or self
 * reference), `waiting_reason.code = "dependencies"`, `parent_results` in a remote claim, and
 * `GET /batches/:id` with its counts, progress, tenant isolation and one `on_complete` job.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { HTTP_TEST_STORES, startTestServer, type TestServer } from "../../helpers/http-server.js";
import { waitFor } from "../../helpers/wait-for.js";

for (const store of HTTP_TEST_STORES) {
  describe(`HTTP dependencies and batches (${store})`, () => {
    let t: TestServer;
    let producer: string;
    let other: string;

    before(async () => {
      t = await startTestServer({ store, spool: { maintenance: { flowIntervalMs: 20 } } });
      producer = await t.key("producer", "acme");
      other = await t.key("producer", "globex");
    });
    after(() => t.close());

    const post = (path: string, body: unknown, token = producer) =>
      t.fetch("POST", path, { token, body: JSON.stringify(body) });
    const claim = (queue: string) =>
      t.fetch("POST", `/queues/${queue}/claim`, {
        body: JSON.stringify({ worker: "remote-1", max_jobs: 10 }),
      });
    const complete = async (job: { id: string; lease_token: string }, result: unknown) => {
      const res = await t.fetch("POST", `/jobs/${job.id}/complete`, {
        body: JSON.stringify({ lease_token: job.lease_token, result }),
      });
      assert.equal(res.status, 200);
    };
    const jobCount = async (token: string): Promise<number> =>
      ((await t.fetch("GET", "/jobs?limit=1000", { token })).body.jobs as unknown[]).length;

    it("refuses unknown ids, other tenants' ids and forward or self references: 400, nothing stored", async () => {
      const theirs = await post("/jobs", { type: "t.job", queue: "v" }, other);
      assert.equal(theirs.status, 202);
      const before = await jobCount(producer);
      const unknownId = "01890000-0000-7000-8000-000000000000";
      const cases: [string, unknown, string][] = [
        [
          "/jobs/batch",
          { jobs: [{ type: "a" }, { type: "b", depends_on: [unknownId] }] },
          "jobs[1].depends_on[0]",
        ],
        [
          "/jobs/batch",
          { jobs: [{ type: "a" }, { type: "b", depends_on: [theirs.body.job_id] }] },
          "jobs[1].depends_on[0]",
        ],
        [
          "/jobs/batch",
          { jobs: [{ type: "a", depends_on: ["$1"] }, { type: "b" }] },
          "jobs[0].depends_on[0]",
        ],
        [
          "/jobs/batch",
          { jobs: [{ type: "a" }, { type: "b", depends_on: ["$0", "$1"] }] },
          "jobs[1].depends_on[1]",
        ],
        ["/jobs", { type: "a", depends_on: ["$0"] }, "depends_on[0]"],
        ["/jobs", { type: "a", depends_on: [unknownId] }, "depends_on[0]"],
        ["/jobs", { type: "a", depends_on: ["nope"] }, "depends_on"],
        ["/jobs", { type: "a", depends_on: [unknownId], delay_seconds: 5 }, "depends_on"],
      ];
      const messages = new Set<string>();
      for (const [path, body, field] of cases) {
        const res = await post(path, body);
        assert.equal(res.status, 400, `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`);
        assert.equal(res.body.success, false);
        assert.ok(
          JSON.stringify(res.body.error).includes(field),
          `${field} in ${JSON.stringify(res.body.error)}`,
        );
        if (
          field.endsWith("depends_on[0]") &&
          path === "/jobs/batch" &&
          !JSON.stringify(body).includes("$")
        )
          messages.add(res.body.error.message as string);
      }
      assert.equal(messages.size, 1, "another tenant's id reads exactly like an unknown one");
      assert.ok(![...messages][0]!.includes("globex"));
      assert.equal(await jobCount(producer), before, "all or nothing: no job stored");
    });

    it("a child waits with reason dependencies, then sees its parent's result in the claim", async () => {
      const res = await post("/jobs/batch", {
        jobs: [
          { type: "parent.job", queue: "flow" },
          { type: "parent.job", queue: "flow" },
          { type: "child.job", queue: "flow", depends_on: ["$0", "$1"] },
        ],
      });
      assert.equal(res.status, 202);
      const [p0, p1, child] = (res.body.jobs as { job_id: string }[]).map((j) => j.job_id);
      const waiting = await t.fetch("GET", `/jobs/${child}`, { token: producer });
      assert.equal(waiting.body.status, "scheduled");
      assert.equal(waiting.body.waiting_reason.code, "dependencies");
      assert.equal(waiting.body.waiting_reason.message, "waiting on 2 of 2 jobs it depends on");
      assert.deepEqual(waiting.body.depends_on, [p0, p1]);
      assert.equal(waiting.body.batch_id, res.body.batch_id);
      const parents = (await claim("flow")).body.jobs as { id: string; lease_token: string }[];
      assert.deepEqual(parents.map((j) => j.id).sort(), [p0, p1].sort());
      await complete(
        parents.find((j) => j.id === p0)!,
        { route: 0 },
      );
      await waitFor(async () =>
        (
          await t.fetch("GET", `/jobs/${child}`, { token: producer })
        ).body.waiting_reason?.message.startsWith("waiting on 1 of 2"),
      );
      assert.deepEqual((await claim("flow")).body.jobs, [], "still held");
      await complete(
        parents.find((j) => j.id === p1)!,
        { route: 1 },
      );
      const claimed = await waitFor(async () => {
        const jobs = (await claim("flow")).body.jobs as Record<string, unknown>[];
        return jobs.length > 0 ? jobs : null;
      });
      assert.equal(claimed[0]!.id, child);
      assert.deepEqual(claimed[0]!.parent_results, [
        { id: p0, type: "parent.job", status: "completed", result: { route: 0 } },
        { id: p1, type: "parent.job", status: "completed", result: { route: 1 } },
      ]);
    });

    it("GET /batches/:id counts by state, reports progress, is tenant-isolated, and on_complete runs once", async () => {
      const res = await post("/jobs/batch", {
        jobs: [
          { type: "b.job", queue: "batch" },
          { type: "b.job", queue: "batch" },
        ],
        batch: { on_complete: { type: "b.done", queue: "batch-done", payload: { k: 1 } } },
      });
      assert.equal(res.status, 202);
      const batchId = res.body.batch_id as string;
      assert.ok(
        res.body.jobs.every((j: { job: { batch_id: string } }) => j.job.batch_id === batchId),
      );
      const viaClient = await t.client(producer).getBatch(batchId);
      assert.deepEqual([viaClient.batch_id, viaClient.total], [batchId, 2]);
      const first = await t.fetch("GET", `/batches/${batchId}`, { token: producer });
      assert.equal(first.status, 200);
      assert.deepEqual(
        [first.body.total, first.body.counts.queued, first.body.progress, first.body.finished_at],
        [2, 2, 0, null],
      );
      assert.equal((await t.fetch("GET", `/batches/${batchId}`, { token: other })).status, 404);
      assert.equal((await t.fetch("GET", "/batches/not-a-batch", { token: producer })).status, 404);
      const jobs = (await claim("batch")).body.jobs as { id: string; lease_token: string }[];
      await complete(jobs[0]!, null);
      const half = await t.fetch("GET", `/batches/${batchId}`, { token: producer });
      assert.deepEqual(
        [half.body.counts.completed, half.body.finished, half.body.progress],
        [1, 1, 50],
      );
      await complete(jobs[1]!, null);
      const done = await waitFor(async () => {
        const body = (await t.fetch("GET", `/batches/${batchId}`, { token: producer })).body;
        return body.on_complete_job_id === null ? null : body;
      });
      assert.equal(done.progress, 100);
      const onComplete = await t.fetch("GET", `/jobs/${done.on_complete_job_id}`, {
        token: producer,
      });
      assert.deepEqual(
        [onComplete.body.type, onComplete.body.payload, onComplete.body.tenant],
        ["b.done", { k: 1 }, "acme"],
      );
      await t.spool.runMaintenance();
      const all = await t.fetch("GET", "/jobs?type=b.done", { token: producer });
      assert.equal(all.body.jobs.length, 1, "exactly once");
    });
  });
}
