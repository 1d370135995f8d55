/**
 * Unit tests of the state machine (SPEC §1 "States"). The legal transitions are written out here
 * from the SPEC diagram, independently of `TRANSITIONS`, so that a change to the table shows up
 * as a failing test rather than passing silently.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidTransitionError, SpoolConflictError, SpoolError } from "./errors.js";
import {
  FINAL_STATES,
  JOB_STATES,
  TRANSITIONS,
  WAITING_STATES,
  assertTransition,
  canTransition,
  isFinalState,
  isJobState,
  parseStatusFilter,
  type JobState,
} from "./states.js";

/** SPEC §1: every arrow of the state diagram, plus the manual retry and the lease release. */
const LEGAL: readonly (readonly [JobState, JobState])[] = [
  ["scheduled", "queued"], // run_at reached
  ["scheduled", "cancelled"],
  ["queued", "running"], // claim
  ["queued", "cancelled"],
  ["running", "completed"], // ok
  ["running", "retrying"], // error, attempts left
  ["running", "failed"], // error, none left / timeout on last attempt
  ["running", "cancelled"], // cooperative cancellation
  ["running", "queued"], // graceful shutdown releases the lease
  ["retrying", "queued"], // backoff elapsed
  ["retrying", "cancelled"],
  ["failed", "queued"], // manual retry ("redrive")
  ["cancelled", "queued"], // manual retry
];

const isLegal = (from: JobState, to: JobState): boolean =>
  LEGAL.some(([f, t]) => f === from && t === to);

describe("JOB_STATES", () => {
  it("lists exactly the seven states of SPEC §1, in lifecycle order", () => {
    assert.deepEqual(
      [...JOB_STATES],
      ["scheduled", "queued", "running", "retrying", "completed", "failed", "cancelled"],
    );
  });

  it("has a row in the transition table for every state, and no other rows", () => {
    assert.deepEqual(Object.keys(TRANSITIONS).sort(), [...JOB_STATES].sort());
  });

  it("the table names only known states as targets", () => {
    for (const from of JOB_STATES) {
      for (const to of TRANSITIONS[from]) assert.ok(isJobState(to), `${from} → ${to}`);
    }
  });
});

describe("assertTransition", () => {
  for (const [from, to] of LEGAL) {
    it(`allows ${from} → ${to}`, () => {
      assert.doesNotThrow(() => assertTransition(from, to));
      assert.equal(canTransition(from, to), true);
    });
  }

  it("the table allows exactly the SPEC transitions (no extra arrows)", () => {
    const inTable = JOB_STATES.flatMap((from) =>
      TRANSITIONS[from].map((to) => `${from}→${to}`),
    ).sort();
    assert.deepEqual(inTable, LEGAL.map(([from, to]) => `${from}→${to}`).sort());
  });

  const illegal = JOB_STATES.flatMap((from) =>
    JOB_STATES.filter((to) => !isLegal(from, to)).map((to) => [from, to] as const),
  );

  it("covers all 49 pairs: 13 legal and 36 illegal", () => {
    assert.equal(LEGAL.length + illegal.length, JOB_STATES.length ** 2);
    assert.equal(illegal.length, 36);
  });

  for (const [from, to] of illegal) {
    it(`refuses ${from} → ${to} with InvalidTransitionError`, () => {
      assert.equal(canTransition(from, to), false);
      assert.throws(
        () => assertTransition(from, to),
        (error: unknown) => {
          assert.ok(error instanceof InvalidTransitionError);
          assert.ok(error instanceof SpoolConflictError, "is a conflict (HTTP 409)");
          assert.ok(error instanceof SpoolError);
          assert.equal(error.from, from);
          assert.equal(error.to, to);
          assert.equal(error.code, "invalid_transition");
          assert.deepEqual(error.details, { from, to });
          assert.equal(error.name, "InvalidTransitionError");
          assert.match(error.message, new RegExp(`from ${from} to ${to}`));
          return true;
        },
      );
    });
  }

  it("refuses staying in the same state (queued → queued is not a transition)", () => {
    for (const state of JOB_STATES) {
      assert.throws(() => assertTransition(state, state), InvalidTransitionError);
    }
  });
});

describe("final states", () => {
  it("are completed, failed and cancelled", () => {
    assert.deepEqual([...FINAL_STATES].sort(), ["cancelled", "completed", "failed"]);
    for (const state of JOB_STATES) {
      assert.equal(
        isFinalState(state),
        state === "completed" || state === "failed" || state === "cancelled",
        state,
      );
    }
  });

  it("completed has no way out; failed and cancelled leave only by a manual retry to queued", () => {
    assert.deepEqual([...TRANSITIONS.completed], []);
    assert.deepEqual([...TRANSITIONS.failed], ["queued"]);
    assert.deepEqual([...TRANSITIONS.cancelled], ["queued"]);
  });

  it("every non-final state can be cancelled", () => {
    for (const state of JOB_STATES) {
      if (!isFinalState(state)) assert.ok(canTransition(state, "cancelled"), state);
    }
  });

  it("waiting states are scheduled, queued and retrying (no final state waits)", () => {
    assert.deepEqual([...WAITING_STATES].sort(), ["queued", "retrying", "scheduled"]);
    for (const state of WAITING_STATES) assert.equal(isFinalState(state), false);
  });
});

describe("isJobState", () => {
  it("accepts every state and refuses anything else", () => {
    for (const state of JOB_STATES) assert.equal(isJobState(state), true);
    for (const value of ["pending", "Queued", " queued", "", "done", 1, null, undefined, {}]) {
      assert.equal(isJobState(value), false, String(value));
    }
  });
});

describe("parseStatusFilter", () => {
  it("maps pending to queued (SPEC §1 alias)", () => {
    assert.equal(parseStatusFilter("pending"), "queued");
  });

  it("returns each state for its own name", () => {
    for (const state of JOB_STATES) assert.equal(parseStatusFilter(state), state);
  });

  it("ignores case and surrounding whitespace", () => {
    assert.equal(parseStatusFilter("PENDING"), "queued");
    assert.equal(parseStatusFilter("  Pending\t"), "queued");
    assert.equal(parseStatusFilter(" Failed "), "failed");
    assert.equal(parseStatusFilter("\nRUNNING\n"), "running");
  });

  it("returns undefined for unknown names", () => {
    for (const value of ["", "   ", "done", "pend", "queue", "queued,failed", "que ued", "all"]) {
      assert.equal(parseStatusFilter(value), undefined, JSON.stringify(value));
    }
  });
});
