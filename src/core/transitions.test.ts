/** Unit tests of the pure failure decisions: retry or fail, and how a thrown value is stored. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BackoffPolicy } from "./backoff.js";
import { JobCancelledError, JobTimeoutError, UnrecoverableError } from "./errors.js";
import {
  MAX_ERROR_MESSAGE_CHARS,
  MAX_ERROR_STACK_CHARS,
  describeError,
  nextOnFailure,
  type FailureContext,
} from "./transitions.js";

const NOW = Date.UTC(2030, 0, 1);
const BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 3_600_000 };
const half = (): number => 0.5;
const job = (attempt: number, maxAttempts: number, backoff = BACKOFF): FailureContext => ({
  attempt,
  maxAttempts,
  backoff,
});

describe("nextOnFailure", () => {
  it("retries after attempt 1 of 3, at now + backoff", () => {
    assert.deepEqual(nextOnFailure(job(1, 3), { retryable: true }, NOW, half), {
      status: "retrying",
      runAt: NOW + 500, // window [0, 1000) · 0.5
    });
  });

  it("retries after attempt 2 of 3 with a doubled window", () => {
    assert.deepEqual(nextOnFailure(job(2, 3), { retryable: true }, NOW, half), {
      status: "retrying",
      runAt: NOW + 1_000, // window [0, 2000) · 0.5
    });
  });

  it("fails for good when the last attempt failed", () => {
    assert.deepEqual(nextOnFailure(job(3, 3), { retryable: true }, NOW, half), {
      status: "failed",
    });
  });

  it("fails when attempts already exceed the maximum (maxAttempts lowered meanwhile)", () => {
    assert.deepEqual(nextOnFailure(job(5, 3), { retryable: true }, NOW, half), {
      status: "failed",
    });
  });

  it("fails at once with maxAttempts 1", () => {
    assert.deepEqual(nextOnFailure(job(1, 1), { retryable: true }, NOW, half), {
      status: "failed",
    });
  });

  it("fails at once when the error is not retryable, even with attempts left", () => {
    assert.deepEqual(nextOnFailure(job(1, 10), { retryable: false }, NOW, half), {
      status: "failed",
    });
  });

  it("keeps retrying up to attempt maxAttempts − 1", () => {
    for (let attempt = 1; attempt < 25; attempt++) {
      const outcome = nextOnFailure(job(attempt, 25), { retryable: true }, NOW, half);
      assert.equal(outcome.status, "retrying", `attempt ${attempt}`);
    }
    assert.equal(nextOnFailure(job(25, 25), { retryable: true }, NOW, half).status, "failed");
  });

  it("uses the job's own backoff policy, capped", () => {
    const outcome = nextOnFailure(
      job(6, 10, { baseMs: 10, capMs: 150 }),
      { retryable: true },
      NOW,
      () => 1 - 2 ** -53,
    );
    // window min(150, 10 · 2^5 = 320) = 150 → the top of it is 149
    assert.deepEqual(outcome, { status: "retrying", runAt: NOW + 149 });
  });

  it("retries at once with random 0 (runAt = now)", () => {
    assert.deepEqual(
      nextOnFailure(job(1, 3), { retryable: true }, NOW, () => 0),
      {
        status: "retrying",
        runAt: NOW,
      },
    );
  });

  it("computes from the given now, not the wall clock", () => {
    const outcome = nextOnFailure(job(1, 3), { retryable: true }, 1_000, half);
    assert.deepEqual(outcome, { status: "retrying", runAt: 1_500 });
  });
});

describe("describeError", () => {
  it("keeps an Error's message, name and stack", () => {
    const error = new Error("boom");
    const described = describeError(error);
    assert.equal(described.message, "boom");
    assert.equal(described.type, "Error");
    assert.equal(described.stack, error.stack);
  });

  it("uses the name of built-in subclasses", () => {
    assert.equal(describeError(new TypeError("x")).type, "TypeError");
    assert.equal(describeError(new RangeError("x")).type, "RangeError");
  });

  it("uses the name a custom subclass sets", () => {
    class PaymentDeclined extends Error {
      override name = "PaymentDeclined";
    }
    const described = describeError(new PaymentDeclined("card expired"));
    assert.equal(described.type, "PaymentDeclined");
    assert.equal(described.message, "card expired");
  });

  it("names Spool's own error types", () => {
    assert.equal(describeError(new UnrecoverableError("bad input")).type, "UnrecoverableError");
    assert.deepEqual(
      { ...describeError(new JobTimeoutError(5_000)), stack: undefined },
      { message: "attempt timed out after 5000 ms", type: "TimeoutError", stack: undefined },
    );
    assert.equal(describeError(new JobCancelledError()).type, "CancelledError");
  });

  it("an Error with an empty message is still described by a non-empty message", () => {
    const described = describeError(new Error(""));
    assert.equal(described.type, "Error");
    assert.equal(described.message, "Error");
  });

  it("an Error with an empty name falls back to type Error", () => {
    const error = new Error("x");
    error.name = "";
    assert.equal(describeError(error).type, "Error");
  });

  it("omits the stack when the Error has none", () => {
    const error = new Error("no stack");
    delete error.stack;
    const described = describeError(error);
    assert.equal(Object.hasOwn(described, "stack"), false);
    assert.equal(described.message, "no stack");
  });

  it("a thrown string becomes the message, type Error, no stack", () => {
    assert.deepEqual(describeError("disk full"), { message: "disk full", type: "Error" });
  });

  it("a thrown object is encoded as JSON", () => {
    assert.deepEqual(describeError({ code: "E42", retry: false }), {
      message: '{"code":"E42","retry":false}',
      type: "Error",
    });
  });

  it("other thrown values are converted to text", () => {
    assert.equal(describeError(42).message, "42");
    assert.equal(describeError(null).message, "null");
    assert.equal(describeError(undefined).message, "undefined");
    assert.equal(describeError(10n).message, "10"); // JSON.stringify throws on a BigInt
    assert.equal(describeError(Symbol("why")).message, "Symbol(why)");
  });

  it("a circular object does not throw", () => {
    const circular: Record<string, unknown> = { name: "loop" };
    circular.self = circular;
    const described = describeError(circular);
    assert.equal(described.type, "Error");
    assert.equal(described.message, "[object Object]");
  });

  it("a circular object without a prototype does not throw either", () => {
    // JSON.stringify throws (cycle) and String() throws (no toString): still a description.
    const bare = Object.create(null) as Record<string, unknown>;
    bare.self = bare;
    let described: { message: string; type: string } | undefined;
    assert.doesNotThrow(() => {
      described = describeError(bare);
    });
    assert.equal(described?.type, "Error");
    assert.equal(typeof described?.message, "string");
  });

  it("truncates long messages to the limit, marking the cut", () => {
    const described = describeError(new Error("x".repeat(MAX_ERROR_MESSAGE_CHARS * 2)));
    assert.equal(described.message.length, MAX_ERROR_MESSAGE_CHARS);
    assert.ok(described.message.endsWith("…"));
    assert.ok(described.message.startsWith("xxx"));
  });

  it("keeps a message of exactly the limit unchanged", () => {
    const text = "y".repeat(MAX_ERROR_MESSAGE_CHARS);
    assert.equal(describeError(new Error(text)).message, text);
    assert.equal(describeError(text).message, text);
  });

  it("truncates long thrown strings and objects too", () => {
    const long = "z".repeat(MAX_ERROR_MESSAGE_CHARS + 1);
    assert.equal(describeError(long).message.length, MAX_ERROR_MESSAGE_CHARS);
    assert.equal(describeError({ long }).message.length, MAX_ERROR_MESSAGE_CHARS);
  });

  it("truncates long stacks to 4 KiB", () => {
    const error = new Error("deep");
    error.stack = `Error: deep\n${"    at frame (file.js:1:1)\n".repeat(1_000)}`;
    const described = describeError(error);
    assert.equal(described.stack?.length, MAX_ERROR_STACK_CHARS);
    assert.ok(described.stack?.endsWith("…"));
  });
});
