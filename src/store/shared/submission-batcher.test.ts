/** Unit tests of the submission batcher (group commit) with a fake writer. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SpoolValidationError, StoreUnavailableError } from "../../core/errors.js";
import type { JobInput } from "../../core/options.js";
import type { EnqueueOutcome } from "../store.js";
import { SubmissionBatcher, type Submission } from "./submission-batcher.js";

const job = (id: string): JobInput => ({ id }) as JobInput;
const outcome = (input: JobInput): EnqueueOutcome =>
  ({ job: { id: input.id }, duplicate: false }) as unknown as EnqueueOutcome;

/** A writer that records each group and fails groups containing a job id in `bad`. */
function recordingWriter(options: { bad?: string; unavailable?: boolean } = {}) {
  const groups: string[][] = [];
  let release: (() => void) | undefined;
  const gate = { hold: false };
  const write = async (group: readonly Submission[]): Promise<EnqueueOutcome[][]> => {
    groups.push(group.flatMap((s) => s.jobs.map((j) => j.id)));
    if (gate.hold) await new Promise<void>((resolve) => (release = resolve));
    if (options.unavailable) throw new StoreUnavailableError("down");
    if (group.some((s) => s.jobs.some((j) => j.id === options.bad)))
      throw new SpoolValidationError("job", "bad");
    return group.map((s) => s.jobs.map(outcome));
  };
  return { groups, write, gate, release: () => release?.() };
}

describe("SubmissionBatcher", () => {
  it("sends a lone call at once and merges calls that arrive while writes run", async () => {
    const writer = recordingWriter();
    writer.gate.hold = true;
    const batcher = new SubmissionBatcher({ write: writer.write, maxInFlight: 1 });
    const first = batcher.submit({ jobs: [job("a")], now: 1 });
    const rest = ["b", "c", "d"].map((id) => batcher.submit({ jobs: [job(id)], now: 1 }));
    assert.deepEqual(writer.groups, [["a"]], "the first call did not wait for company");
    writer.gate.hold = false;
    writer.release();
    assert.deepEqual(
      (await first).map((o) => o.job.id),
      ["a"],
    );
    const outcomes = await Promise.all(rest);
    assert.deepEqual(
      outcomes.map((o) => o.map((x) => x.job.id)),
      [["b"], ["c"], ["d"]],
    );
    assert.deepEqual(writer.groups, [["a"], ["b", "c", "d"]], "one shared write for the rest");
    await batcher.drain();
  });

  it("a bad call fails alone: the merged write is retried call by call", async () => {
    const writer = recordingWriter({ bad: "x" });
    writer.gate.hold = true;
    const batcher = new SubmissionBatcher({ write: writer.write, maxInFlight: 1 });
    const head = batcher.submit({ jobs: [job("a")], now: 1 });
    const good = batcher.submit({ jobs: [job("b")], now: 1 });
    const bad = batcher.submit({ jobs: [job("x"), job("y")], now: 1 });
    writer.gate.hold = false;
    writer.release();
    await head;
    assert.deepEqual(
      (await good).map((o) => o.job.id),
      ["b"],
    );
    await assert.rejects(bad, SpoolValidationError);
    assert.deepEqual(writer.groups, [["a"], ["b", "x", "y"], ["b"], ["x", "y"]]);
  });

  it("when the database is unavailable every call of the group fails, without retries", async () => {
    const writer = recordingWriter({ unavailable: true });
    writer.gate.hold = true;
    const batcher = new SubmissionBatcher({ write: writer.write, maxInFlight: 1 });
    const calls = ["a", "b", "c"].map((id) => batcher.submit({ jobs: [job(id)], now: 1 }));
    writer.gate.hold = false;
    writer.release();
    for (const call of calls) await assert.rejects(call, StoreUnavailableError);
    assert.deepEqual(writer.groups, [["a"], ["b", "c"]]);
  });

  it("caps a merged write at maxJobs, but never splits one call", async () => {
    const writer = recordingWriter();
    writer.gate.hold = true;
    const batcher = new SubmissionBatcher({ write: writer.write, maxInFlight: 1, maxJobs: 3 });
    const calls = [
      batcher.submit({ jobs: [job("a")], now: 1 }),
      batcher.submit({ jobs: [job("b"), job("c")], now: 1 }),
      batcher.submit({ jobs: [job("d")], now: 1 }),
      batcher.submit({ jobs: [job("e"), job("f"), job("g"), job("h")], now: 1 }),
    ];
    writer.gate.hold = false;
    writer.release();
    await Promise.all(calls);
    assert.deepEqual(writer.groups, [["a"], ["b", "c", "d"], ["e", "f", "g", "h"]]);
  });

  it('collect: "turn" merges the calls of one event-loop turn even with a slot free', async () => {
    const writer = recordingWriter();
    const batcher = new SubmissionBatcher({ write: writer.write, maxInFlight: 1, collect: "turn" });
    const calls = ["a", "b", "c"].map((id) => batcher.submit({ jobs: [job(id)], now: 1 }));
    assert.deepEqual(writer.groups, [], "nothing went out before the turn ended");
    const outcomes = await Promise.all(calls);
    assert.deepEqual(
      outcomes.map((o) => o.map((x) => x.job.id)),
      [["a"], ["b"], ["c"]],
    );
    assert.deepEqual(writer.groups, [["a", "b", "c"]], "one write for the whole turn");
    await batcher.drain();
  });

  it('collect: "turn" still isolates a bad call, and drain waits for a scheduled write', async () => {
    const writer = recordingWriter({ bad: "x" });
    const batcher = new SubmissionBatcher({ write: writer.write, maxInFlight: 1, collect: "turn" });
    const good = batcher.submit({ jobs: [job("a")], now: 1 });
    const bad = batcher.submit({ jobs: [job("x")], now: 1 });
    const drained = batcher.drain();
    await drained;
    assert.deepEqual(
      (await good).map((o) => o.job.id),
      ["a"],
    );
    await assert.rejects(bad, SpoolValidationError);
    assert.deepEqual(writer.groups, [["a", "x"], ["a"], ["x"]]);
  });
});
