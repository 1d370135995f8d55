import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatTraceparent, parseTraceparent, traceContextOf } from "./trace-context.js";

const VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("trace context", () => {
  it("parses a valid traceparent and formats it back", () => {
    const parsed = parseTraceparent(VALID);
    assert.deepEqual(parsed, {
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      traceFlags: 1,
    });
    assert.equal(formatTraceparent(parsed!), VALID);
  });

  it("refuses what the W3C recommendation calls invalid", () => {
    for (const value of [
      undefined,
      42,
      "",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", // no flags
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", // upper case
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // zero trace id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", // zero span id
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // version ff
      `${VALID}-extra`, // extra fields on version 00
    ]) {
      assert.equal(parseTraceparent(value), null, String(value));
    }
    // A later version may append fields; it is read as version 00.
    assert.equal(
      traceContextOf("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what", null)
        ?.traceparent,
      VALID,
    );
  });

  it("keeps a tracestate beside a valid traceparent only", () => {
    assert.deepEqual(traceContextOf(VALID, " rojo=1,congo=2 "), {
      traceparent: VALID,
      tracestate: "rojo=1,congo=2",
    });
    assert.deepEqual(traceContextOf(VALID, ["a=1", "b=2"]), {
      traceparent: VALID,
      tracestate: null,
    });
    assert.deepEqual(traceContextOf(VALID, "x".repeat(513)), {
      traceparent: VALID,
      tracestate: null,
    });
    assert.equal(traceContextOf("nope", "rojo=1"), null);
  });
});
