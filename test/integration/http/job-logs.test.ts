/**
 * Job logs over HTTP (SPEC §8): `POST /jobs/:id/logs` from remote workers, fenced by the lease
 * token (a stale token answers 409 and writes nothing), lines checked (400 naming the field);
 * `GET /jobs/:id/logs` per attempt and paged; another tenant's job answers 404 like an unknown
 * one; the per-job cap keeps the newest 1,000 lines.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { MAX_LOG_LINE_CHARS } from "../../../src/core/limits.js";
import { HTTP_TEST_STORES, startTestServer, type TestServer } from "../../helpers/http-server.js";

for (const store of HTTP_TEST_STORES) {
  describe(`HTTP job logs (${store})`, () => {
    let t: TestServer;
    let producer: string;
    let worker: string;
    let otherProducer: string;
    let otherWorker: string;

    before(async () => {
      t = await startTestServer({ store, spool: { random: () => 0 } });
      producer = await t.key("producer", "acme");
      worker = await t.key("worker", "acme");
      otherProducer = await t.key("producer", "beta");
      otherWorker = await t.key("worker", "beta");
    });
    after(() => t.close());

    const submit = async (queue: string, extra: Record<string, unknown> = {}): Promise<string> => {
      const res = await t.fetch("POST", "/jobs", {
        token: producer,
        body: JSON.stringify({ type: "remote.job", queue, ...extra }),
      });
      assert.equal(res.status, 202);
      return res.body.job_id as string;
    };
    const claim = async (
      queue: string,
      waitSeconds = 0,
    ): Promise<{ id: string; lease_token: string }> => {
      const res = await t.fetch("POST", `/queues/${queue}/claim`, {
        token: worker,
        body: JSON.stringify({ worker: "remote-1", wait_seconds: waitSeconds }),
      });
      assert.equal(res.status, 200);
      const [job] = res.body.jobs as { id: string; lease_token: string }[];
      assert.ok(job, "expected a job");
      return job;
    };
    const post = (id: string, body: unknown, token = worker) =>
      t.fetch("POST", `/jobs/${id}/logs`, { token, body: JSON.stringify(body) });
    const read = (id: string, query = "", token = producer) =>
      t.fetch("GET", `/jobs/${id}/logs${query}`, { token });

    it("a remote worker's lines are stored per attempt; a stale token gets 409 and writes nothing", async () => {
      const id = await submit("logs-a", { max_attempts: 2 });
      const first = await claim("logs-a");
      const ok = await post(id, {
        lease_token: first.lease_token,
        lines: ["downloading", { message: "slow mirror", level: "warn" }],
      });
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.body, { success: true, job_id: id, accepted: 2, last_seq: 2 });
      const forged = await post(id, { lease_token: "not-the-token", lines: ["forged"] });
      assert.equal(forged.status, 409);
      assert.equal(forged.body.error.code, "lease_lost");
      const failed = await t.fetch("POST", `/jobs/${id}/fail`, {
        token: worker,
        body: JSON.stringify({ lease_token: first.lease_token, error: { message: "boom" } }),
      });
      assert.equal(failed.body.status, "retrying");
      const late = await post(id, { lease_token: first.lease_token, lines: ["too late"] });
      assert.equal(late.status, 409);
      // The retry waits out its backoff (under 1 s on a first failure); the claim long-polls.
      const second = await claim("logs-a", 10);
      assert.equal(
        (await post(id, { lease_token: second.lease_token, lines: ["retrying"] })).status,
        200,
      );
      const all = await read(id);
      assert.equal(all.status, 200);
      assert.deepEqual(
        (all.body.lines as { attempt: number; seq: number; level: string; message: string }[]).map(
          (line) => [line.attempt, line.seq, line.level, line.message],
        ),
        [
          [1, 1, "info", "downloading"],
          [1, 2, "warn", "slow mirror"],
          [2, 3, "info", "retrying"],
        ],
      );
      assert.equal(all.body.dropped_lines, 0);
      assert.equal(all.body.next_after, 3);
      assert.equal(all.body.has_more, false);
      assert.match(all.body.lines[0].at, /^\d{4}-\d\d-\d\dT.*Z$/);
      const secondOnly = await read(id, "?attempt=2");
      assert.deepEqual(
        (secondOnly.body.lines as { message: string }[]).map((line) => line.message),
        ["retrying"],
      );
    });

    it("refuses bad lines with 400 naming the field, and writes nothing", async () => {
      const id = await submit("logs-b");
      const job = await claim("logs-b");
      const cases: [unknown, string][] = [
        [{ lease_token: job.lease_token, lines: [] }, "lines"],
        [{ lease_token: job.lease_token, lines: Array.from({ length: 101 }, () => "x") }, "lines"],
        [
          { lease_token: job.lease_token, lines: ["ok", "y".repeat(MAX_LOG_LINE_CHARS + 1)] },
          "lines[1]",
        ],
        [{ lease_token: job.lease_token, lines: [{ message: "m", level: "loud" }] }, "lines[0]"],
        [{ lease_token: job.lease_token, lines: [7] }, "lines[0]"],
        [{ lease_token: job.lease_token, lines: "one string" }, "lines"],
        [{ lines: ["no token"] }, "lease_token"],
        [{ lease_token: job.lease_token, lines: ["x"], extra: 1 }, "extra"],
      ];
      for (const [body, field] of cases) {
        const res = await post(id, body);
        assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
        assert.equal(res.body.error.code, "validation_error");
        assert.match(JSON.stringify(res.body.error), new RegExp(field.replace(/[[\]]/g, "\\$&")));
      }
      const huge = await t.fetch("POST", `/jobs/${id}/logs`, {
        token: worker,
        body: JSON.stringify({ lease_token: job.lease_token, lines: ["z".repeat(2_000_000)] }),
      });
      assert.equal(huge.status, 413);
      assert.deepEqual((await read(id)).body.lines, []);
      // The longest allowed line and the most lines per call are fine.
      const max = await post(id, {
        lease_token: job.lease_token,
        lines: Array.from({ length: 100 }, () => "y".repeat(MAX_LOG_LINE_CHARS)),
      });
      assert.equal(max.status, 200);
    });

    it("another tenant's job answers 404 exactly like an unknown one; roles are checked", async () => {
      const id = await submit("logs-c");
      const job = await claim("logs-c");
      assert.equal((await post(id, { lease_token: job.lease_token, lines: ["mine"] })).status, 200);
      const unknown = await read("0192f3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b", "", otherProducer);
      const foreign = await read(id, "", otherProducer);
      assert.equal(foreign.status, 404);
      assert.equal(foreign.body.error.code, unknown.body.error.code);
      assert.doesNotMatch(JSON.stringify(foreign.body), /mine|acme/);
      const foreignWrite = await post(
        id,
        { lease_token: job.lease_token, lines: ["x"] },
        otherWorker,
      );
      assert.equal(foreignWrite.status, 404);
      assert.equal((await read("not-a-uuid")).status, 404);
      assert.equal(
        (await read(id, "", worker)).status,
        403,
        "workers write logs, producers read them",
      );
      assert.equal(
        (await post(id, { lease_token: job.lease_token, lines: ["x"] }, producer)).status,
        403,
      );
      assert.deepEqual(
        ((await read(id)).body.lines as { message: string }[]).map((line) => line.message),
        ["mine"],
      );
      assert.equal((await read(id, "", t.adminKey)).body.lines.length, 1, "admins read any");
    });

    it("pages with after and limit; bad query parameters answer 400", async () => {
      const id = await submit("logs-d");
      const job = await claim("logs-d");
      await post(id, { lease_token: job.lease_token, lines: ["1", "2", "3", "4", "5"] });
      const page1 = await read(id, "?limit=2");
      assert.deepEqual(
        (page1.body.lines as { message: string }[]).map((l) => l.message),
        ["1", "2"],
      );
      assert.equal(page1.body.has_more, true);
      const page2 = await read(id, `?after=${page1.body.next_after}&limit=10`);
      assert.deepEqual(
        (page2.body.lines as { message: string }[]).map((l) => l.message),
        ["3", "4", "5"],
      );
      assert.equal(page2.body.has_more, false);
      const empty = await read(id, "?after=5");
      assert.deepEqual(empty.body.lines, []);
      assert.equal(empty.body.next_after, 5, "a follower keeps its place");
      for (const [query, field] of [
        ["?attempt=0", "attempt"],
        ["?limit=1001", "limit"],
        ["?after=-1", "after"],
        ["?after=x", "after"],
        ["?since=1", "since"],
      ]) {
        const res = await read(id, query);
        assert.equal(res.status, 400, query);
        assert.match(JSON.stringify(res.body.error), new RegExp(field!));
      }
    });

    it("keeps the newest 1,000 lines of a job and reports how many were dropped", async () => {
      const id = await submit("logs-e");
      const job = await claim("logs-e");
      for (let call = 0; call < 11; call++) {
        const lines = Array.from({ length: 100 }, (_, i) => `line ${call * 100 + i + 1}`);
        assert.equal((await post(id, { lease_token: job.lease_token, lines })).status, 200);
      }
      const res = await read(id);
      assert.equal(res.body.lines.length, 1_000);
      assert.equal(res.body.lines[0].message, "line 101");
      assert.equal(res.body.lines[999].message, "line 1100");
      assert.equal(res.body.dropped_lines, 100);
    });
  });
}
