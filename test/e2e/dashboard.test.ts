/**
 * The dashboard end to end (issue 10): real headless Chromium against a real `spool serve
 * --demo` child process with auth on. Every wait is for a DOM state or an API state.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import {
  ensureDashboardBuilt,
  launchBrowser,
  signIn,
  startDemoServer,
  type DemoServer,
} from "../helpers/dashboard.js";
import { waitFor } from "../helpers/wait-for.js";

const TIMEOUT = 60_000;

describe("dashboard in headless Chromium", { timeout: 600_000 }, () => {
  let server: DemoServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    ensureDashboardBuilt();
    // Both are kept whatever the other does, so `after` stops a started server even when the
    // browser did not launch (a server left running would hold the file open until its timeout).
    const [started, launched] = await Promise.allSettled([startDemoServer(), launchBrowser()]);
    if (started.status === "fulfilled") server = started.value;
    if (launched.status === "fulfilled") browser = launched.value;
    if (started.status === "rejected") throw started.reason;
    if (launched.status === "rejected") throw launched.reason;
    context = await browser.newContext();
    context.setDefaultTimeout(TIMEOUT);
    page = await context.newPage();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const submit = async (
    type: string,
    payload: Record<string, unknown>,
    extra: Record<string, unknown> = {},
    token?: string,
  ): Promise<string> =>
    (await server.client(token).submit({ type, payload, ...extra } as never)).job_id;

  const waitForStatus = async (id: string, status: string): Promise<void> => {
    await waitFor(async () => (await server.client().get(id)).status === status, {
      timeoutMs: TIMEOUT,
      intervalMs: 50,
      message: `job ${id} ${status}`,
    });
  };

  it("serves its pages with a strict CSP and no inline script", async () => {
    const response = await fetch(`${server.url}/`);
    assert.equal(response.status, 200);
    const csp = response.headers.get("content-security-policy") ?? "";
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const html = await response.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
    const deep = await fetch(`${server.url}/dashboard/jobs`);
    assert.equal(deep.status, 200);
    assert.equal(deep.headers.get("content-security-policy"), csp);
  });

  it("refuses a worker key with a clear message", async () => {
    const workerKey = await server.key("worker", "default");
    const other = await browser.newContext();
    const tab = await other.newPage();
    await tab.goto(`${server.url}/`);
    await tab.getByLabel("API key").fill(workerKey);
    await tab.getByRole("button", { name: "Sign in" }).click();
    await tab.getByRole("alert").filter({ hasText: "worker key" }).waitFor({ timeout: TIMEOUT });
    assert.equal(await tab.getByRole("heading", { name: "Overview" }).count(), 0);
    await other.close();
  });

  it("signs in with the admin key", async () => {
    await signIn(page, server.url, server.adminKey);
    assert.match((await page.getByTestId("who").textContent()) ?? "", /admin/);
  });

  it("shows a demo.sleep job's progress advancing without a reload", async () => {
    const id = await submit("demo.sleep", { seconds: 6 });
    await page.goto(`${server.url}/#/jobs/${id}`);
    await page.evaluate("window.spoolMarker = 42");
    const bar = page.getByRole("progressbar", { name: "Job progress" });
    await bar.waitFor();
    const value = async (): Promise<number> => Number(await bar.getAttribute("aria-valuenow"));
    const first = await waitFor(
      async () => {
        const now = await value();
        return now > 0 && now < 100 ? now : 0;
      },
      { timeoutMs: TIMEOUT, intervalMs: 20, message: "progress starts" },
    );
    await waitFor(async () => (await value()) > first, {
      timeoutMs: TIMEOUT,
      intervalMs: 20,
      message: "progress advances",
    });
    // The handler's ctx.log lines show in the job's Logs section (SPEC §8), the last one
    // written as the job completed, without a reload.
    const logs = page.getByTestId("job-logs");
    await logs.getByText("sleeping 6 s in 12 steps").waitFor();
    await page.locator(`.badge[data-state="completed"]`).waitFor();
    assert.equal(await value(), 100);
    await logs.getByText("slept 6 s").waitFor();
    assert.equal(await logs.getByRole("heading", { name: "Attempt 1" }).count(), 1);
    assert.equal(await page.evaluate("window.spoolMarker"), 42, "the page was not reloaded");
  });

  it("cancels a running job from the UI", async () => {
    const id = await submit("demo.sleep", { seconds: 120 });
    await waitForStatus(id, "running");
    await page.goto(`${server.url}/#/jobs/${id}`);
    await page.locator(`.badge[data-state="running"]`).waitFor();
    await page.getByRole("button", { name: "Cancel job" }).click();
    await page.getByRole("button", { name: "Yes, cancel job" }).click();
    await page.locator(`.badge[data-state="cancelled"]`).waitFor();
    assert.equal((await server.client().get(id)).status, "cancelled");
  });

  it("retries a failed job", async () => {
    const id = await submit("demo.flaky", { failures: 1 }, { max_attempts: 1 });
    await waitForStatus(id, "failed");
    await page.goto(`${server.url}/#/jobs/${id}`);
    await page.locator(`.badge[data-state="failed"]`).waitFor();
    await page.getByRole("button", { name: "Retry job" }).click();
    await page.getByRole("status").filter({ hasText: "Re-queued." }).waitFor();
    // demo.flaky counts attempts from the retry, so it runs (and fails) once more: a second
    // attempt row appears live in the page.
    await page
      .locator("section", { hasText: "Attempts and errors" })
      .locator("tbody tr")
      .nth(1)
      .waitFor();
    await page.locator(`.badge[data-state="failed"]`).waitFor();
    assert.equal((await server.client().get(id)).errors.length, 2);
  });

  it("pauses a queue and shows a new job waiting for it, with the reason", async () => {
    await page.goto(`${server.url}/#/queues`);
    await page.getByRole("heading", { name: "Queues", level: 1 }).waitFor();
    // The default queue exists once a job ran in it (the tests above).
    const queue = page.locator("section", {
      has: page.getByRole("heading", { name: "default", exact: true }),
    });
    await queue.getByRole("button", { name: "Pause queue" }).click();
    await page.getByRole("button", { name: "Yes, pause queue" }).click();
    await queue.getByTestId("queue-state").filter({ hasText: "paused" }).waitFor();
    const id = await submit("demo.sleep", { seconds: 0 });
    await page.goto(`${server.url}/#/jobs/${id}`);
    const reason = page.getByTestId("waiting-reason");
    await reason.waitFor();
    assert.match((await reason.textContent()) ?? "", /queue "default" is paused/);
    assert.equal(await reason.getAttribute("data-code"), "queue_paused");
    assert.equal((await server.client().get(id)).status, "queued");
    await page.goto(`${server.url}/#/queues`);
    await queue.getByRole("button", { name: "Resume queue" }).click();
    await queue.getByTestId("queue-state").filter({ hasText: "active" }).waitFor();
    await waitForStatus(id, "completed");
  });

  it("lists the demo server's built-in worker on the Workers page", async () => {
    const { workers } = (
      await server.client().request<{ workers: { name: string }[] }>("GET", "/workers")
    ).body;
    assert.ok(workers.length > 0, "the demo server runs a worker");
    await page.goto(`${server.url}/#/workers`);
    const table = page.getByRole("table");
    const row = table.getByRole("row", { name: new RegExp(workers[0]!.name) });
    await row.waitFor();
    assert.match((await row.textContent()) ?? "", /local/);
    assert.match((await row.textContent()) ?? "", /default/);
  });

  it("reaches the Cancel job button by Tab, with a visible focus ring", async () => {
    const id = await submit("demo.sleep", { seconds: 120 });
    await waitForStatus(id, "running");
    await page.goto(`${server.url}/#/jobs/${id}`);
    await page.locator(`.badge[data-state="running"]`).waitFor();
    const cancel = page.getByRole("button", { name: "Cancel job" });
    await cancel.waitFor();
    const tabTo = async (target: typeof cancel): Promise<boolean> => {
      for (let i = 0; i < 60; i++) {
        if (await target.evaluate((el) => el.matches(":focus"))) return true;
        await page.keyboard.press("Tab");
      }
      return false;
    };
    assert.ok(await tabTo(cancel), "Tab reaches Cancel job");
    // The page's own computed style of the focused element (a string: this file has no DOM types).
    const ring = (await page.evaluate(
      `(() => { const s = getComputedStyle(document.activeElement);
        return { outline: s.outlineStyle, width: parseFloat(s.outlineWidth) }; })()`,
    )) as { outline: string; width: number };
    assert.notEqual(ring.outline, "none", "the focused button shows an outline");
    assert.ok(ring.width >= 2, `focus ring ${ring.width}px wide`);
    await page.keyboard.press("Enter");
    const confirm = page.getByRole("button", { name: "Yes, cancel job" });
    await confirm.waitFor();
    assert.ok(await tabTo(confirm), "Tab reaches the confirmation");
    await page.keyboard.press("Enter");
    await page.locator(`.badge[data-state="cancelled"]`).waitFor();
    await waitForStatus(id, "cancelled");
  });

  it("bulk-retries every failed job of a filter", async () => {
    const ids = await Promise.all(
      [1, 2, 3].map(() =>
        submit("demo.flaky", { failures: 1 }, { max_attempts: 1, tags: ["bulk-e2e"] }),
      ),
    );
    const untouched = await submit("demo.flaky", { failures: 1 }, { max_attempts: 1 });
    for (const id of [...ids, untouched]) await waitForStatus(id, "failed");
    await page.goto(`${server.url}/#/jobs?status=failed&tag=bulk-e2e`);
    await page.locator("tr[data-job-id]").nth(2).waitFor();
    assert.equal(await page.locator("tr[data-job-id]").count(), 3);
    await page.getByRole("button", { name: "Retry all matching" }).click();
    await page.getByRole("button", { name: "Yes, retry all matching" }).click();
    await page.getByTestId("bulk-progress").filter({ hasText: "Done: 3 retried" }).waitFor();
    // Each retried job ran once more (demo.flaky fails its first attempt after a retry too).
    for (const id of ids)
      await waitFor(async () => (await server.client().get(id)).errors.length === 2, {
        timeoutMs: TIMEOUT,
        intervalMs: 50,
        message: `job ${id} ran again`,
      });
    assert.equal((await server.client().get(untouched)).errors.length, 1);
  });

  it("shows a producer of tenant B none of tenant A's jobs and no queue controls", async () => {
    const keyB = await server.key("producer", "tenant-b");
    const jobA = await submit("demo.sleep", { seconds: 0 });
    const jobB = await submit("demo.sleep", { seconds: 0 }, {}, keyB);
    const other = await browser.newContext();
    other.setDefaultTimeout(TIMEOUT);
    const tab = await other.newPage();
    await signIn(tab, server.url, keyB);
    assert.match((await tab.getByTestId("who").textContent()) ?? "", /producer · tenant tenant-b/);
    await tab.goto(`${server.url}/#/jobs`);
    await tab.locator(`tr[data-job-id="${jobB}"]`).waitFor();
    const rows = await tab
      .locator("tr[data-job-id]")
      .evaluateAll((nodes) => nodes.map((node) => node.getAttribute("data-job-id")));
    assert.deepEqual(rows, [jobB]);
    await tab.goto(`${server.url}/#/jobs/${jobA}`);
    await tab.getByRole("alert").waitFor();
    assert.match((await tab.getByRole("alert").textContent()) ?? "", /404/);
    await tab.goto(`${server.url}/#/queues`);
    await tab.getByRole("heading", { name: "Queues", level: 1 }).waitFor();
    await tab.locator("[data-testid=queue-state]").first().waitFor();
    assert.equal(await tab.getByRole("button", { name: /Pause queue|Resume queue/ }).count(), 0);
    assert.equal(await tab.getByRole("button", { name: "Edit queue settings" }).count(), 0);
    assert.equal(await tab.getByRole("link", { name: "Tenants" }).count(), 0);
    await other.close();
  });

  it("has no horizontal scroll at 390×844", async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
    phone.setDefaultTimeout(TIMEOUT);
    const tab = await phone.newPage();
    await signIn(tab, server.url, server.adminKey);
    const id = (await server.client().list({ limit: 1 })).jobs[0]!.id;
    for (const [hash, heading] of [
      ["#/", "Overview"],
      ["#/jobs", "Jobs"],
      [`#/jobs/${id}`, null],
      ["#/workers", "Workers"],
      ["#/queues", "Queues"],
      ["#/tenants", "Tenants and credits"],
    ] as const) {
      await tab.goto(`${server.url}/${hash}`);
      if (heading !== null) await tab.getByRole("heading", { name: heading, level: 1 }).waitFor();
      else await tab.getByRole("progressbar").first().waitFor();
      await tab.locator(".loading").waitFor({ state: "detached" });
      const overflow = await tab.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth",
      );
      assert.equal(overflow, 0, `${hash} scrolls horizontally by ${overflow}px`);
    }
    await phone.close();
  });
});
