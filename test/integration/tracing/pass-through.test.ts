/**
 * Without an OpenTelemetry SDK (none is installed in this process): tracing costs nothing but
 * still passes a producer's trace through — the `traceparent`/`tracestate` of POST /jobs and
 * /jobs/batch are stored with the job as sent and handed to remote workers in claims; an invalid
 * header is ignored (no error, no context), and a job submitted without one has none.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startTestServer } from "../../helpers/http-server.js";

const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("trace context without an SDK", () => {
  it("passes the producer's traceparent to the remote worker's claim", async () => {
    const server = await startTestServer();
    try {
      const submit = (queue: string, headers: Record<string, string>) =>
        server.fetch("POST", "/jobs", {
          body: JSON.stringify({ type: "t", payload: {}, queue }),
          headers,
        });
      assert.equal(
        (await submit("traced", { traceparent: TRACEPARENT, tracestate: "rojo=1" })).status,
        202,
      );
      assert.equal((await submit("invalid", { traceparent: "00-zz-nope-01" })).status, 202);
      assert.equal((await submit("plain", {})).status, 202);
      const batch = await server.fetch("POST", "/jobs/batch", {
        body: JSON.stringify({ jobs: [{ type: "t", payload: {}, queue: "batch" }] }),
        headers: { traceparent: TRACEPARENT },
      });
      assert.equal(batch.status, 202);
      const claim = async (queue: string) => {
        const answer = await server.fetch("POST", `/queues/${queue}/claim`, {
          body: JSON.stringify({ worker: "w" }),
        });
        assert.equal(answer.status, 200);
        return answer.body.jobs[0];
      };
      const traced = await claim("traced");
      assert.deepEqual(traced.trace_context, { traceparent: TRACEPARENT, tracestate: "rojo=1" });
      assert.equal((await claim("invalid")).trace_context, null);
      assert.equal((await claim("plain")).trace_context, null);
      assert.deepEqual((await claim("batch")).trace_context, {
        traceparent: TRACEPARENT,
        tracestate: null,
      });
      const completed = await server.fetch("POST", `/jobs/${traced.id}/complete`, {
        body: JSON.stringify({ lease_token: traced.lease_token }),
        headers: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
      });
      assert.equal(completed.status, 200);
      assert.equal(completed.body.status, "completed");
    } finally {
      await server.close();
    }
  });
});
