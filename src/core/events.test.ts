/** Unit tests of the typed, safe event emitter and the job event names (SPEC §3). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { JOB_EVENT_NAMES, SafeEmitter } from "./events.js";

interface TestEvents {
  "thing.happened": { n: number };
  "other.happened": { text: string };
}

/** An emitter whose listener errors are collected. */
function emitter(): {
  events: SafeEmitter<TestEvents>;
  errors: { error: unknown; name: string }[];
} {
  const errors: { error: unknown; name: string }[] = [];
  const events = new SafeEmitter<TestEvents>((error, name) => errors.push({ error, name }));
  return { events, errors };
}

describe("JOB_EVENT_NAMES", () => {
  it("lists the seven job events of SPEC §3", () => {
    assert.deepEqual([...JOB_EVENT_NAMES].sort(), [
      "job.cancelled",
      "job.completed",
      "job.failed",
      "job.progress",
      "job.queued",
      "job.retrying",
      "job.started",
    ]);
  });
});

describe("SafeEmitter", () => {
  it("on: delivers each event to every listener, in the order they were added", () => {
    const { events } = emitter();
    const calls: string[] = [];
    events.on("thing.happened", (e) => calls.push(`first ${e.n}`));
    events.on("thing.happened", (e) => calls.push(`second ${e.n}`));
    events.emit("thing.happened", { n: 1 });
    events.emit("thing.happened", { n: 2 });
    assert.deepEqual(calls, ["first 1", "second 1", "first 2", "second 2"]);
  });

  it("delivers only to listeners of that name", () => {
    const { events } = emitter();
    const calls: string[] = [];
    events.on("thing.happened", () => calls.push("thing"));
    events.on("other.happened", (e) => calls.push(e.text));
    events.emit("other.happened", { text: "other" });
    assert.deepEqual(calls, ["other"]);
  });

  it("emit without listeners does nothing and does not throw", () => {
    const { events, errors } = emitter();
    assert.doesNotThrow(() => events.emit("thing.happened", { n: 1 }));
    assert.deepEqual(errors, []);
  });

  it("on returns a function that removes the listener", () => {
    const { events } = emitter();
    const calls: number[] = [];
    const off = events.on("thing.happened", (e) => calls.push(e.n));
    events.emit("thing.happened", { n: 1 });
    off();
    events.emit("thing.happened", { n: 2 });
    assert.deepEqual(calls, [1]);
    off(); // removing twice is harmless
  });

  it("off removes that listener only", () => {
    const { events } = emitter();
    const calls: string[] = [];
    const a = (): number => calls.push("a");
    const b = (): number => calls.push("b");
    events.on("thing.happened", a);
    events.on("thing.happened", b);
    events.off("thing.happened", a);
    events.emit("thing.happened", { n: 1 });
    assert.deepEqual(calls, ["b"]);
  });

  it("off of an unknown listener or name is harmless", () => {
    const { events } = emitter();
    assert.doesNotThrow(() => events.off("thing.happened", () => undefined));
    events.on("other.happened", () => undefined);
    assert.doesNotThrow(() => events.off("other.happened", () => undefined));
    assert.equal(events.has("other.happened"), true);
  });

  it("once: fires on the first emit only", () => {
    const { events } = emitter();
    const calls: number[] = [];
    events.once("thing.happened", (e) => calls.push(e.n));
    events.emit("thing.happened", { n: 1 });
    events.emit("thing.happened", { n: 2 });
    assert.deepEqual(calls, [1]);
    assert.equal(events.has("thing.happened"), false);
  });

  it("once returns a function that cancels it before it fires", () => {
    const { events } = emitter();
    const calls: number[] = [];
    const off = events.once("thing.happened", (e) => calls.push(e.n));
    off();
    events.emit("thing.happened", { n: 1 });
    assert.deepEqual(calls, []);
    assert.equal(events.has("thing.happened"), false);
  });

  it("off with the listener given to once removes it (as EventEmitter does)", () => {
    const { events } = emitter();
    const calls: number[] = [];
    const listener = (e: { n: number }): number => calls.push(e.n);
    events.once("thing.happened", listener);
    events.off("thing.happened", listener);
    events.emit("thing.happened", { n: 1 });
    assert.deepEqual(calls, []);
    assert.equal(events.has("thing.happened"), false);
  });

  it("a once listener that throws is still removed and reported", () => {
    const { events, errors } = emitter();
    let calls = 0;
    events.once("thing.happened", () => {
      calls += 1;
      throw new Error("once boom");
    });
    events.emit("thing.happened", { n: 1 });
    events.emit("thing.happened", { n: 2 });
    assert.equal(calls, 1);
    assert.equal(errors.length, 1);
  });

  it("has: tells whether anyone listens", () => {
    const { events } = emitter();
    assert.equal(events.has("thing.happened"), false);
    const off = events.on("thing.happened", () => undefined);
    assert.equal(events.has("thing.happened"), true);
    assert.equal(events.has("other.happened"), false);
    off();
    assert.equal(events.has("thing.happened"), false);
  });

  it("a throwing listener is reported to the error handler and does not stop the others", () => {
    const { events, errors } = emitter();
    const calls: string[] = [];
    const boom = new Error("listener failed");
    events.on("thing.happened", () => calls.push("before"));
    events.on("thing.happened", () => {
      throw boom;
    });
    events.on("thing.happened", () => calls.push("after"));
    assert.doesNotThrow(() => events.emit("thing.happened", { n: 1 }));
    assert.deepEqual(calls, ["before", "after"]);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.error, boom);
    assert.equal(errors[0]!.name, "thing.happened");
  });

  it("reports thrown non-Error values as they are, once per throwing listener", () => {
    const { events, errors } = emitter();
    events.on("other.happened", () => {
      throw "a string";
    });
    events.on("other.happened", () => {
      throw { code: 7 };
    });
    events.emit("other.happened", { text: "x" });
    assert.deepEqual(
      errors.map((e) => e.error),
      ["a string", { code: 7 }],
    );
    assert.deepEqual(
      errors.map((e) => e.name),
      ["other.happened", "other.happened"],
    );
  });

  it("keeps the throwing listener registered for later events", () => {
    const { events, errors } = emitter();
    events.on("thing.happened", () => {
      throw new Error("again");
    });
    events.emit("thing.happened", { n: 1 });
    events.emit("thing.happened", { n: 2 });
    assert.equal(errors.length, 2);
  });

  it("a listener added while emitting runs from the next emit on", () => {
    const { events } = emitter();
    const calls: string[] = [];
    events.on("thing.happened", (e) => {
      calls.push(`outer ${e.n}`);
      if (e.n === 1) events.on("thing.happened", (inner) => calls.push(`inner ${inner.n}`));
    });
    events.emit("thing.happened", { n: 1 });
    events.emit("thing.happened", { n: 2 });
    assert.deepEqual(calls, ["outer 1", "outer 2", "inner 2"]);
  });

  it("passes the event object through unchanged", () => {
    const { events } = emitter();
    const event = { n: 42 };
    let received: unknown;
    events.on("thing.happened", (e) => {
      received = e;
    });
    events.emit("thing.happened", event);
    assert.equal(received, event);
  });

  it("clear removes every listener", () => {
    const { events } = emitter();
    let calls = 0;
    events.on("thing.happened", () => (calls += 1));
    events.on("other.happened", () => (calls += 1));
    events.clear();
    events.emit("thing.happened", { n: 1 });
    events.emit("other.happened", { text: "x" });
    assert.equal(calls, 0);
    assert.equal(events.has("thing.happened"), false);
    assert.equal(events.has("other.happened"), false);
  });
});
