/**
 * OpenTelemetry traces (issue 12), with the SDK's in-memory exporter installed the way an
 * application would (a global tracer provider and the AsyncLocalStorage context manager): one
 * trace from `POST /jobs` (with the producer's `traceparent`) through a remote HTTP worker's
 * completion, on both stores, and one from `spool.enqueue` through an in-process worker —
 * every span in the producer's trace, each the child of the one before it.
 */
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  trace,
  type Context,
  type Span,
} from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from "@opentelemetry/sdk-trace-base";
import { Spool } from "../../../src/index.js";
import { parseTraceparent } from "../../../src/core/trace-context.js";
import { HTTP_TEST_STORES, startTestServer } from "../../helpers/http-server.js";
import { tempSqliteUrl } from "../../helpers/temp-dir.js";
import { nextEvent } from "../../helpers/wait-for.js";

const exporter = new InMemorySpanExporter();
const contextManager = new AsyncLocalStorageContextManager();
const tracer = () => trace.getTracer("spool-test");

before(() => {
  context.setGlobalContextManager(contextManager.enable());
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
});
after(() => {
  trace.disable();
  context.disable();
});
afterEach(() => exporter.reset());

/** The `traceparent` header of a span. */
function traceparentOf(span: Span): string {
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-0${traceFlags}`;
}

/** The finished span named `name` (exactly one). */
function spanNamed(name: string): ReadableSpan {
  const spans = exporter.getFinishedSpans().filter((span) => span.name === name);
  assert.equal(spans.length, 1, `one span named ${name}: ${names()}`);
  return spans[0]!;
}

const names = () =>
  exporter
    .getFinishedSpans()
    .map((span) => span.name)
    .join(", ");
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan | Span) =>
  "spanContext" in span && typeof span.spanContext === "function"
    ? span.spanContext().spanId
    : undefined;

for (const store of HTTP_TEST_STORES) {
  describe(`traces over HTTP (${store})`, () => {
    it("one trace from POST /jobs through a remote worker's completion", async () => {
      const server = await startTestServer({ store });
      try {
        const worker = server.client(await server.key("worker"));
        // The producer's own span (not made active: the trace travels only in the header).
        const producer = tracer().startSpan("checkout", { kind: SpanKind.CLIENT });
        const submitted = await server
          .client(await server.key("producer"))
          .submit(
            { type: "mail.send", payload: { to: "a@example.com" }, queue: "mail" },
            { traceparent: traceparentOf(producer), tracestate: "vendor=abc" },
          );
        producer.end();

        // The remote worker: claims, continues the job's trace, reports with its own span.
        const [claimed] = await worker.claim("mail", { worker: "remote-1", types: ["mail.send"] });
        assert.equal(claimed?.id, submitted.job_id);
        const carried = parseTraceparent(claimed.trace_context?.traceparent);
        assert.ok(carried, "the claimed job carries a valid traceparent");
        assert.equal(claimed.trace_context?.tracestate, "vendor=abc");
        const parent: Context = trace.setSpanContext(ROOT_CONTEXT, { ...carried, isRemote: true });
        const attempt = tracer().startSpan(
          "process mail (remote)",
          { kind: SpanKind.CONSUMER },
          parent,
        );
        await worker.complete(
          claimed.id,
          { lease_token: claimed.lease_token, result: { sent: true } },
          { traceparent: traceparentOf(attempt) },
        );
        attempt.end();

        const traceId = producer.spanContext().traceId;
        const spans = exporter.getFinishedSpans();
        assert.ok(
          spans.every((span) => span.spanContext().traceId === traceId),
          `every span in the producer's trace: ${names()}`,
        );
        const send = spanNamed("send mail");
        const receive = spanNamed("receive mail");
        const remote = spanNamed("process mail (remote)");
        const settle = spanNamed("settle mail");
        assert.equal(parentOf(send), idOf(producer), "submit: child of the producer's span");
        assert.equal(send.kind, SpanKind.PRODUCER);
        assert.equal(carried.spanId, send.spanContext().spanId, "claims carry the submit span");
        assert.equal(parentOf(receive), send.spanContext().spanId, "claim: child of submit");
        assert.equal(parentOf(remote), send.spanContext().spanId, "attempt: child of submit");
        assert.equal(parentOf(settle), remote.spanContext().spanId, "complete: child of attempt");
        assert.deepEqual(
          {
            system: send.attributes["messaging.system"],
            destination: send.attributes["messaging.destination.name"],
            id: send.attributes["messaging.message.id"],
            type: send.attributes["spool.job.type"],
          },
          { system: "spool", destination: "mail", id: submitted.job_id, type: "mail.send" },
        );
        assert.equal(receive.attributes["spool.job.attempt"], 1);
        assert.equal(receive.attributes["messaging.consumer.group.name"], "remote-1");
        assert.equal(settle.attributes["messaging.operation.name"], "complete");
      } finally {
        await server.close();
      }
    });
  });
}

describe("traces in-process", () => {
  it("one trace per job from spool.enqueue through an in-process worker, failures recorded", async () => {
    const spool = await Spool.open({ url: tempSqliteUrl(), maintenance: false });
    try {
      // Started first, as in an application: its claims are woken up from inside the submits,
      // so they run in the submitter's context — and must still join each job's own trace.
      const worker = spool.worker({
        queues: ["q"],
        handlers: {
          // The handler's own span nests under the attempt's.
          "work.ok": () => tracer().startActiveSpan("send the mail", (span) => span.end()),
          "work.bad": () => {
            throw new Error("no such mailbox");
          },
        },
      });
      await worker.start();
      const completed = nextEvent<{ jobId: string }>((listener) =>
        spool.on("job.completed", listener),
      );
      const failed = nextEvent<{ jobId: string }>((listener) => spool.on("job.failed", listener));
      const submitIn = async (name: string, type: string) => {
        const root = tracer().startSpan(name);
        const job = await context.with(trace.setSpan(ROOT_CONTEXT, root), () =>
          spool.enqueue(type, {}, { queue: "q", maxAttempts: 1 }),
        );
        root.end();
        return { root, job };
      };
      const ok = await submitIn("request A", "work.ok");
      const bad = await submitIn("request B", "work.bad");
      assert.equal((await completed).jobId, ok.job.id);
      assert.equal((await failed).jobId, bad.job.id);
      await worker.stop();

      const spans = exporter.getFinishedSpans();
      const ofJob = (name: string, id: string) =>
        spans.filter((s) => s.name === name && s.attributes["messaging.message.id"] === id);
      for (const { root, job } of [ok, bad]) {
        const [send] = ofJob("send q", job.id);
        const [receive] = ofJob("receive q", job.id);
        const [process] = ofJob("process q", job.id);
        const [settle] = ofJob("settle q", job.id);
        assert.ok(send && receive && process && settle, `all four spans of ${job.id}: ${names()}`);
        const traceId = root.spanContext().traceId;
        for (const span of [send, receive, process, settle]) {
          assert.equal(span.spanContext().traceId, traceId, `${span.name} in its job's trace`);
        }
        assert.equal(parentOf(send), root.spanContext().spanId);
        assert.equal(parentOf(receive), send.spanContext().spanId);
        assert.equal(parentOf(process), send.spanContext().spanId);
        assert.equal(parentOf(settle), process.spanContext().spanId);
        assert.equal(process.attributes["spool.job.attempt"], 1);
      }
      const [good] = ofJob("process q", ok.job.id);
      assert.equal(parentOf(spanNamed("send the mail")), good!.spanContext().spanId);
      assert.notEqual(good!.status.code, SpanStatusCode.ERROR);
      const [bad1] = ofJob("process q", bad.job.id);
      assert.equal(bad1!.status.code, SpanStatusCode.ERROR);
      assert.equal(bad1!.status.message, "no such mailbox");
      assert.ok(bad1!.events.some((event) => event.name === "exception"));
      assert.equal(
        ofJob("settle q", bad.job.id)[0]!.attributes["messaging.operation.name"],
        "fail",
      );
    } finally {
      await spool.close();
    }
  });

  it("a batch's jobs share the submitter's trace and count the batch", async () => {
    const spool = await Spool.open({ url: tempSqliteUrl(), maintenance: false });
    try {
      const root = tracer().startSpan("import");
      const jobs = await context.with(trace.setSpan(ROOT_CONTEXT, root), () =>
        spool.enqueueMany([
          { type: "t", payload: {}, queue: "q" },
          { type: "t", payload: {}, queue: "q" },
        ]),
      );
      root.end();
      for (const job of jobs) {
        const [send] = exporter
          .getFinishedSpans()
          .filter((s) => s.attributes["messaging.message.id"] === job.id);
        assert.equal(parentOf(send!), root.spanContext().spanId);
        assert.equal(send!.attributes["messaging.batch.message_count"], 2);
        assert.equal(job.traceContext?.traceparent.split("-")[2], send!.spanContext().spanId);
      }
    } finally {
      await spool.close();
    }
  });
});
