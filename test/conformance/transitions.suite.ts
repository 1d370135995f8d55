/**
 * The transition table is enforced (src/core/states.ts `TRANSITIONS`, docs/state-machine.md):
 * for every state, a fresh job is put in it through store operations only, then every operation
 * that can move a job is tried on it, one fresh job per (state, operation). Every move a store
 * makes must be in the table, and every pair of the table must be made by some operation. A
 * refused operation throws a `SpoolError` (conflict, lost lease …) and leaves the row as it was,
 * or answers `{ ok: false }` / 0 / nothing and leaves the row's state as it was.
 *
 * One composite is documented (docs/state-machine.md "scheduled → queued: … or a claim"): a
 * claim takes due `scheduled`/`retrying` jobs, which is `→ queued → running` in one transaction;
 * it is accepted only when both steps are in the table.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SpoolError } from "../../src/core/errors.js";
import type { JobRecord } from "../../src/core/job.js";
import { JOB_STATES, canTransition, type JobState } from "../../src/core/states.js";
import type { Store } from "../../src/store/store.js";
import { jobInput } from "../helpers/factories.js";
import type { FakeClock } from "../helpers/fake-clock.js";
import { failOneJob } from "../../src/store/shared/failed-attempts.js";

/** The suite's fixtures, read when each test runs (they are fresh per test). */
export interface TransitionFixtures {
  store: Store;
  clock: FakeClock;
}

const LEASE_MS = 30_000;
const FAR_MS = 3_600_000;
const NO_TOKEN = "00000000-0000-4000-8000-000000000000";

/** A job in some state, with the lease token of its last claim (if any). */
interface Subject {
  job: JobRecord;
  token: string;
}

type Operation = (store: Store, clock: FakeClock, subject: Subject) => Promise<unknown>;

const error = { message: "boom", type: "Error", attempt: 1 };

/** Every store operation that moves jobs, with the clock moves it needs to be able to act. */
const OPERATIONS: Record<string, Operation> = {
  promote: (store, clock) => {
    clock.advance(FAR_MS);
    return store.promoteDueJobs({ now: clock.now(), limit: 100 });
  },
  claim: (store, clock, { job }) => {
    clock.advance(FAR_MS);
    return store.claimJobs({
      queues: [job.queue],
      workerId: "w2",
      limit: 1,
      leaseMs: LEASE_MS,
      now: clock.now(),
    });
  },
  complete: (store, clock, { job, token }) =>
    store.completeJobs({
      completions: [{ id: job.id, leaseToken: token, resultJson: "{}" }],
      now: clock.now(),
    }),
  "fail (retry)": (store, clock, { job, token }) =>
    failOneJob(store, {
      id: job.id,
      leaseToken: token,
      error,
      outcome: { status: "retrying", runAt: clock.now() + 1_000 },
      now: clock.now(),
    }),
  "fail (final)": (store, clock, { job, token }) =>
    failOneJob(store, {
      id: job.id,
      leaseToken: token,
      error,
      outcome: { status: "failed" },
      now: clock.now(),
    }),
  release: (store, clock, { job, token }) =>
    store.releaseJobs({ leases: [{ id: job.id, leaseToken: token }], now: clock.now() }),
  cancel: (store, clock, { job }) => store.cancelJob({ id: job.id, now: clock.now() }),
  "cancel, then the attempt ends": async (store, clock, subject) => {
    const cancelled = await store.cancelJob({ id: subject.job.id, now: clock.now() });
    // Only a running job waits for its attempt to end; any other is final by now.
    if (cancelled.status === "running") await OPERATIONS["fail (retry)"]!(store, clock, subject);
  },
  retry: (store, clock, { job }) => store.retryJob({ id: job.id, now: clock.now() }),
  rescue: (store, clock) => {
    clock.advance(FAR_MS);
    return store.rescueExpiredLeases({ now: clock.now(), limit: 100, random: () => 0 });
  },
};

/** Defines the transition-table tests inside a store's conformance suite. */
export function defineTransitionConformance(fixtures: () => TransitionFixtures): void {
  let queueNumber = 0;

  /** A fresh job (in a queue of its own, so claims touch nothing else) put in `state`. */
  const jobIn = async (state: JobState): Promise<Subject> => {
    const { store, clock } = fixtures();
    const queue = `transitions-${++queueNumber}`;
    const runAt = state === "scheduled" ? clock.now() + FAR_MS / 2 : undefined;
    const [outcome] = await store.enqueueJobs({
      jobs: [
        jobInput(clock.now(), {
          queue,
          maxAttempts: 3,
          ...(runAt ? { runAt: new Date(runAt) } : {}),
        }),
      ],
      now: clock.now(),
    });
    const id = outcome!.job.id;
    let token = NO_TOKEN;
    if (["running", "retrying", "completed", "failed"].includes(state)) {
      const [claimed] = await store.claimJobs({
        queues: [queue],
        workerId: "w1",
        limit: 1,
        leaseMs: LEASE_MS,
        now: clock.now(),
      });
      token = claimed!.leaseToken;
    }
    const now = clock.now();
    if (state === "retrying")
      await failOneJob(store, {
        id,
        leaseToken: token,
        error,
        outcome: { status: "retrying", runAt: now + FAR_MS / 2 },
        now,
      });
    if (state === "completed")
      await store.completeJobs({ completions: [{ id, leaseToken: token, resultJson: "1" }], now });
    if (state === "failed")
      await failOneJob(store, { id, leaseToken: token, error, outcome: { status: "failed" }, now });
    if (state === "cancelled") await store.cancelJob({ id, now });
    const job = (await store.getJob({ id }))!;
    assert.equal(job.status, state, `set-up of a ${state} job`);
    return { job, token };
  };

  describe("the transition table is enforced", () => {
    const made = new Set<string>();

    for (const from of JOB_STATES) {
      it(`from ${from}: every operation moves only as the table allows`, async () => {
        const { store, clock } = fixtures();
        for (const [name, operation] of Object.entries(OPERATIONS)) {
          const subject = await jobIn(from);
          let thrown: unknown;
          await operation(store, clock, subject).catch((e: unknown) => (thrown = e));
          const after = (await store.getJob({ id: subject.job.id }))!;
          const to = after.status;
          const what = `${from} --${name}--> ${to}`;
          if (thrown !== undefined) {
            assert.ok(thrown instanceof SpoolError, `${what}: threw ${String(thrown)}`);
            assert.deepEqual(after, subject.job, `${what}: a refused operation changes nothing`);
            continue;
          }
          if (to === from) continue; // refused quietly ({ ok: false }, 0, nothing claimed)
          const composite =
            name === "claim" && canTransition(from, "queued") && canTransition("queued", to);
          assert.ok(canTransition(from, to) || composite, `${what} is not in the table`);
          made.add(`${from}->${to}`);
        }
      });
    }

    it("every pair of the table is made by some operation", () => {
      const missing = JOB_STATES.flatMap((from) =>
        JOB_STATES.filter((to) => canTransition(from, to) && !made.has(`${from}->${to}`)).map(
          (to) => `${from}->${to}`,
        ),
      );
      assert.deepEqual(missing, [], "table pairs no store operation makes");
    });
  });
}
