/** Unit tests of the bounded live-event writer with a fake connection. */
import assert from "node:assert/strict";
import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, it } from "node:test";
import type { Logger } from "../core/logger.js";
import { StreamWriter, type StreamTarget } from "./stream-writer.js";

/** A connection whose queue only empties when the test says the client read it. */
function fakeTarget() {
  const state = { queued: 0, destroyed: false, written: [] as string[] };
  const target: StreamTarget = {
    write: (chunk) => {
      state.written.push(chunk);
      state.queued += Buffer.byteLength(chunk);
    },
    bufferedBytes: () => state.queued,
    destroy: () => (state.destroyed = true),
  };
  return { state, target };
}

function recordingLogger(): { logger: Logger; warnings: Record<string, unknown>[] } {
  const warnings: Record<string, unknown>[] = [];
  const ignore = (): void => undefined;
  return {
    warnings,
    logger: {
      debug: ignore,
      info: ignore,
      warn: (fields: Record<string, unknown>) => warnings.push(fields),
      error: ignore,
    } as Logger,
  };
}

describe("StreamWriter", () => {
  const chunk = "x".repeat(100);

  it("a client that has caught up gets a whole burst, even one past the limit", () => {
    const { state, target } = fakeTarget();
    const { logger, warnings } = recordingLogger();
    const writer = new StreamWriter(target, { describe: {}, logger, maxBufferedBytes: 250 });
    for (let i = 0; i < 10; i++) assert.equal(writer.write(chunk), true);
    assert.equal(state.written.length, 10);
    assert.equal(state.destroyed, false);
    assert.deepEqual(warnings, []);
  });

  it("a client still behind when a burst starts is dropped once the queue would pass the limit", async () => {
    const { state, target } = fakeTarget();
    const { logger, warnings } = recordingLogger();
    const writer = new StreamWriter(target, {
      describe: { stream: "sse" },
      logger,
      maxBufferedBytes: 250,
    });
    writer.write(chunk); // burst 1: the client does not read it
    await nextTurn();
    assert.equal(writer.write(chunk), true, "200 bytes queued: within the limit");
    assert.equal(writer.write(chunk), false, "300 would pass it");
    assert.equal(state.destroyed, true);
    assert.equal(writer.isDropped, true);
    assert.equal(state.queued, 200, "never queued past the limit");
    assert.deepEqual(warnings, [{ stream: "sse", bufferedBytes: 200, maxBufferedBytes: 250 }]);
    assert.equal(writer.write(chunk), false, "nothing more after the drop");
    assert.equal(state.written.length, 2);
  });

  it("a client that read everything between bursts is never dropped", async () => {
    const { state, target } = fakeTarget();
    const { logger } = recordingLogger();
    const writer = new StreamWriter(target, { describe: {}, logger, maxBufferedBytes: 250 });
    for (let burst = 0; burst < 5; burst++) {
      for (let i = 0; i < 5; i++) assert.equal(writer.write(chunk), true);
      state.queued = 0; // the client read it all
      await nextTurn();
    }
    assert.equal(state.destroyed, false);
  });
});
