/**
 * Store conformance of webhook subscriptions and deliveries (issue 13): tenant-scoped CRUD, one
 * delivery per subscription and event however often it is fanned out, leases that fence the
 * report, retries, the attempt log, crash re-sends and redelivery. Called from
 * `defineStoreConformance` with getters for the test's fresh store and clock.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SpoolConflictError, SpoolNotFoundError } from "../../src/core/errors.js";
import { uuidv7 } from "../../src/core/ids.js";
import type { NewWebhookDelivery, WebhookRecord } from "../../src/core/webhook.js";
import type { Store } from "../../src/store/store.js";
import type { FakeClock } from "../helpers/fake-clock.js";

const LEASE_MS = 30_000;

/** Defines the webhook tests; `store()` and `clock()` return the current test's. */
export function defineWebhookConformance(ctx: {
  store: () => Store;
  clock: () => FakeClock;
}): void {
  const now = (): number => ctx.clock().now();
  const createHook = (overrides: Partial<WebhookRecord> = {}): Promise<WebhookRecord> =>
    ctx.store().createWebhook({
      webhook: {
        id: uuidv7(now()),
        tenant: "acme",
        url: "https://hooks.example.com/spool",
        events: ["job.completed", "job.failed"],
        secret: "s3cret-value",
        createdAt: new Date(now()),
        ...overrides,
      },
    });
  const delivery = (
    hook: WebhookRecord,
    seq: number,
    overrides: Partial<NewWebhookDelivery> = {},
  ): NewWebhookDelivery => ({
    id: uuidv7(now()),
    webhookId: hook.id,
    tenant: hook.tenant,
    jobId: "job-1",
    event: "job.completed",
    eventSeq: seq,
    body: JSON.stringify({ seq }),
    maxAttempts: 3,
    ...overrides,
  });
  const enqueue = (deliveries: NewWebhookDelivery[], cursorSeq = 0): Promise<number> =>
    ctx.store().enqueueWebhookDeliveries({ deliveries, cursorSeq, now: now() });
  const claim = (limit = 10) =>
    ctx.store().claimWebhookDeliveries({ limit, leaseMs: LEASE_MS, now: now() });
  const report = (
    claimed: { delivery: { id: string }; leaseToken: string },
    fields: { status: "pending" | "succeeded" | "failed"; statusCode?: number; next?: number },
  ) =>
    ctx.store().recordWebhookAttempt({
      report: {
        id: claimed.delivery.id,
        leaseToken: claimed.leaseToken,
        status: fields.status,
        statusCode: fields.statusCode ?? null,
        error: fields.status === "succeeded" ? null : "answered 500",
        durationMs: 12,
        nextAttemptAt: fields.next ?? null,
      },
      now: now(),
    });

  describe("webhooks", () => {
    it("stores subscriptions per tenant: another tenant neither lists, reads nor deletes them", async () => {
      const hook = await createHook();
      const other = await createHook({ tenant: "globex", events: ["*"] });
      assert.deepEqual(hook.events, ["job.completed", "job.failed"]);
      assert.equal(hook.secret, "s3cret-value");
      assert.deepEqual(await ctx.store().listWebhooks({ tenant: "acme" }), [hook]);
      assert.deepEqual(await ctx.store().listWebhooks({}), [hook, other]);
      assert.deepEqual(await ctx.store().getWebhook({ id: hook.id, tenant: "acme" }), hook);
      assert.equal(await ctx.store().getWebhook({ id: hook.id, tenant: "globex" }), null);
      assert.equal(await ctx.store().deleteWebhook({ id: hook.id, tenant: "globex" }), null);
      assert.deepEqual(await ctx.store().deleteWebhook({ id: hook.id, tenant: "acme" }), hook);
      assert.equal(await ctx.store().getWebhook({ id: hook.id }), null);
      assert.deepEqual(await ctx.store().listWebhooks({}), [other]);
    });

    it("creates one delivery per subscription and event however often it is fanned out", async () => {
      const hook = await createHook();
      assert.equal(await ctx.store().readWebhookCursor(), null);
      assert.equal(await enqueue([delivery(hook, 5), delivery(hook, 6)], 6), 2);
      assert.equal(await enqueue([delivery(hook, 5), delivery(hook, 6)], 4), 0, "a repeat");
      assert.equal(await ctx.store().readWebhookCursor(), 6, "the cursor never moves back");
      const page = await ctx.store().listWebhookDeliveries({ webhookId: hook.id, limit: 10 });
      assert.deepEqual(
        page.deliveries.map((d) => [d.eventSeq, d.status, d.attempt]),
        [
          [6, "pending", 0],
          [5, "pending", 0],
        ],
      );
    });

    it("leases disjoint deliveries to parallel claimers and fences the report", async () => {
      const hook = await createHook();
      await enqueue(Array.from({ length: 6 }, (_, i) => delivery(hook, i + 1)));
      const [a, b, c] = await Promise.all([claim(3), claim(3), claim(3)]);
      const ids = [...a!, ...b!, ...c!].map((d) => d.delivery.id);
      assert.equal(ids.length, 6);
      assert.equal(new Set(ids).size, 6, "no delivery leased twice");
      assert.deepEqual(await claim(), [], "leased deliveries are not due");
      const first = a![0]!;
      assert.equal(first.url, hook.url);
      assert.equal(first.secret, hook.secret);
      assert.equal(first.delivery.status, "sending");
      assert.equal(first.delivery.attempt, 1);
      assert.equal(await report({ ...first, leaseToken: "stale" }, { status: "succeeded" }), false);
      assert.equal(await report(first, { status: "succeeded", statusCode: 204 }), true);
      assert.equal(await report(first, { status: "succeeded" }), false, "reported once");
      const [done] = (
        await ctx.store().listWebhookDeliveries({ jobId: "job-1", limit: 10 })
      ).deliveries.filter((d) => d.id === first.delivery.id);
      assert.equal(done!.status, "succeeded");
      assert.equal(done!.nextAttemptAt, null);
      assert.deepEqual(done!.finishedAt, new Date(now()));
      assert.deepEqual(
        done!.attempts.map((x) => [x.attempt, x.statusCode, x.error, x.durationMs]),
        [[1, 204, null, 12]],
      );
    });

    it("retries a failed attempt when it is due and logs every attempt", async () => {
      const hook = await createHook();
      await enqueue([delivery(hook, 1)]);
      const [first] = await claim();
      assert.equal(
        await report(first!, { status: "pending", statusCode: 500, next: now() + 1_000 }),
        true,
      );
      assert.deepEqual(await claim(), [], "not due before its backoff");
      ctx.clock().advance(1_000);
      const [second] = await claim();
      assert.equal(second!.delivery.id, first!.delivery.id, "the same delivery, same id");
      assert.equal(second!.delivery.attempt, 2);
      assert.notEqual(second!.leaseToken, first!.leaseToken);
      await report(second!, { status: "failed", statusCode: 500 });
      const [failed] = (await ctx.store().listWebhookDeliveries({ limit: 10 })).deliveries;
      assert.equal(failed!.status, "failed");
      assert.deepEqual(
        failed!.attempts.map((x) => [x.attempt, x.statusCode]),
        [
          [1, 500],
          [2, 500],
        ],
      );
    });

    it("re-sends a delivery whose sender died (lease expired), and fails it after the last attempt", async () => {
      const hook = await createHook();
      await enqueue([delivery(hook, 1, { maxAttempts: 2 })]);
      const [first] = await claim();
      ctx.clock().advance(LEASE_MS);
      const [again] = await claim();
      assert.equal(again!.delivery.id, first!.delivery.id);
      assert.equal(again!.delivery.attempt, 2);
      assert.equal(
        await report(first!, { status: "succeeded" }),
        false,
        "the dead lease is fenced",
      );
      ctx.clock().advance(LEASE_MS);
      assert.deepEqual(await claim(), [], "no attempt left");
      const [failed] = (await ctx.store().listWebhookDeliveries({ limit: 10 })).deliveries;
      assert.equal(failed!.status, "failed");
      assert.deepEqual(
        failed!.attempts.map((x) => [x.attempt, x.statusCode, x.error?.startsWith("interrupted")]),
        [
          [1, null, true],
          [2, null, true],
        ],
      );
    });

    it("lists deliveries newest first by subscription, job and tenant, page by page", async () => {
      const hook = await createHook();
      const other = await createHook({ tenant: "globex" });
      await enqueue([
        delivery(hook, 1),
        delivery(hook, 2, { jobId: "job-2" }),
        delivery(hook, 3),
        delivery(other, 3, { jobId: "job-1" }),
      ]);
      const list = (p: Parameters<Store["listWebhookDeliveries"]>[0]) =>
        ctx.store().listWebhookDeliveries(p);
      const first = await list({ webhookId: hook.id, limit: 2 });
      assert.deepEqual(
        first.deliveries.map((d) => d.eventSeq),
        [3, 2],
      );
      assert.notEqual(first.nextCursor, null);
      const second = await list({ webhookId: hook.id, limit: 2, cursor: first.nextCursor! });
      assert.deepEqual(
        second.deliveries.map((d) => d.eventSeq),
        [1],
      );
      assert.equal(second.nextCursor, null);
      const byJob = await list({ jobId: "job-1", tenant: "acme", limit: 10 });
      assert.deepEqual(
        byJob.deliveries.map((d) => [d.tenant, d.eventSeq]),
        [
          ["acme", 3],
          ["acme", 1],
        ],
      );
      assert.equal((await list({ jobId: "job-1", limit: 10 })).deliveries.length, 3);
      assert.deepEqual(
        (await list({ webhookId: hook.id, tenant: "globex", limit: 10 })).deliveries,
        [],
      );
    });

    it("redelivers a finished delivery with the same id, and only the tenant's own", async () => {
      const hook = await createHook();
      await enqueue([delivery(hook, 1)]);
      const [claimed] = await claim();
      const keys = { id: claimed!.delivery.id, webhookId: hook.id, maxAttempts: 3 };
      await assert.rejects(
        ctx.store().redeliverWebhookDelivery({ ...keys, tenant: "acme", now: now() }),
        SpoolConflictError,
        "not while it is being sent",
      );
      await report(claimed!, { status: "succeeded", statusCode: 200 });
      await assert.rejects(
        ctx.store().redeliverWebhookDelivery({ ...keys, tenant: "globex", now: now() }),
        SpoolNotFoundError,
      );
      const again = await ctx
        .store()
        .redeliverWebhookDelivery({ ...keys, tenant: "acme", now: now() });
      assert.equal(again.status, "pending");
      assert.equal(again.attempt, 1);
      assert.equal(again.maxAttempts, 4);
      assert.equal(again.attempts.length, 1);
      const [resent] = await claim();
      assert.equal(resent!.delivery.id, claimed!.delivery.id);
      assert.equal(resent!.delivery.attempt, 2);
    });

    it("deleting a subscription deletes its deliveries and stops new ones", async () => {
      const hook = await createHook();
      await enqueue([delivery(hook, 1)]);
      await ctx.store().deleteWebhook({ id: hook.id });
      assert.deepEqual((await ctx.store().listWebhookDeliveries({ limit: 10 })).deliveries, []);
      assert.equal(await enqueue([delivery(hook, 2)], 2), 0);
      assert.deepEqual(await claim(), []);
      assert.equal(await ctx.store().readWebhookCursor(), 2);
    });
  });
}
