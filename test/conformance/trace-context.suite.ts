/**
 * Conformance of the stored trace context (issue 12, OpenTelemetry): a job keeps the W3C
 * `traceparent`/`tracestate` it was submitted with, returns it from reads and from every claim
 * (the claim is how a worker, local or remote, joins the submitter's trace), and keeps it across
 * retries; a job submitted without one has none. Called from `defineStoreConformance`, so every
 * store runs it unchanged.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TraceContext } from "../../src/core/trace-context.js";
import type { Store } from "../../src/store/store.js";
import { nextOnFailure } from "../../src/core/transitions.js";
import { jobInput } from "../helpers/factories.js";
import type { FakeClock } from "../helpers/fake-clock.js";
import { failOneJob } from "../../src/store/shared/failed-attempts.js";

/** The suite's fixtures, read when each test runs (they are fresh per test). */
export interface TraceContextFixtures {
  store: Store;
  clock: FakeClock;
}

const LEASE_MS = 30_000;
const TRACED: TraceContext = {
  traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
  tracestate: "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7",
};

/** Defines the trace-context tests inside a store's conformance suite. */
export function defineTraceContextConformance(fixtures: () => TraceContextFixtures): void {
  describe("trace context", () => {
    const submit = async (traceContext: TraceContext | null, queue = "default") => {
      const { store, clock } = fixtures();
      const input = { ...jobInput(clock.now(), { queue }), traceContext };
      const [outcome] = await store.enqueueJobs({ jobs: [input], now: clock.now() });
      return outcome!.job;
    };
    const claim = (queue = "default") => {
      const { store, clock } = fixtures();
      return store.claimJobs({
        queues: [queue],
        workerId: "w1",
        limit: 10,
        leaseMs: LEASE_MS,
        now: clock.now(),
      });
    };

    it("keeps a job's trace context from submit to reads and claims", async () => {
      const { store } = fixtures();
      const job = await submit(TRACED);
      assert.deepEqual(job.traceContext, TRACED);
      assert.deepEqual((await store.getJob({ id: job.id }))?.traceContext, TRACED);
      const [claimed] = await claim();
      assert.equal(claimed?.id, job.id);
      assert.deepEqual(claimed.traceContext, TRACED);
    });

    it("keeps a traceparent without tracestate, and none for an untraced job", async () => {
      const bare = await submit({ traceparent: TRACED.traceparent, tracestate: null }, "bare");
      const untraced = await submit(null, "untraced");
      assert.deepEqual((await claim("bare"))[0]?.traceContext, {
        traceparent: TRACED.traceparent,
        tracestate: null,
      });
      assert.equal((await claim("untraced"))[0]?.traceContext, null);
      assert.equal(bare.id === untraced.id, false);
    });

    it("each batch job keeps its own context, and a retried attempt's claim still carries it", async () => {
      const { store, clock } = fixtures();
      const other: TraceContext = {
        traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00",
        tracestate: null,
      };
      const inputs = [
        { ...jobInput(clock.now(), { maxAttempts: 3 }), traceContext: TRACED },
        { ...jobInput(clock.now(), { maxAttempts: 3 }), traceContext: other },
      ];
      await store.enqueueJobs({ jobs: inputs, now: clock.now() });
      const claimed = await claim();
      const byId = new Map(claimed.map((job) => [job.id, job]));
      assert.deepEqual(byId.get(inputs[0]!.id)?.traceContext, TRACED);
      assert.deepEqual(byId.get(inputs[1]!.id)?.traceContext, other);
      const first = byId.get(inputs[0]!.id)!;
      const outcome = nextOnFailure(first, { retryable: true }, clock.now(), () => 0);
      await failOneJob(store, {
        id: first.id,
        leaseToken: first.leaseToken,
        error: { message: "boom", type: "Error", attempt: first.attempt },
        outcome,
        now: clock.now(),
      });
      clock.advance(3_600_000);
      const [again] = await claim();
      assert.equal(again?.id, first.id);
      assert.equal(again.attempt, 2);
      assert.deepEqual(again.traceContext, TRACED);
    });
  });
}
