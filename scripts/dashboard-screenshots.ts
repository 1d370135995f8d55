/**
 * Takes the README's dashboard screenshots (docs/img/*.png): starts `spool serve --demo`, puts
 * a realistic scene in it (queues with running jobs and progress, a failed job, a paused queue with
 * a backlog, a queue nobody serves, two tenants with quotas, a remote worker), and captures the
 * overview, jobs, job detail, workers and tenants pages in headless Chromium.
 * Usage: node --import tsx scripts/dashboard-screenshots.ts
 */
import { mkdirSync } from "node:fs";
import {
  ensureDashboardBuilt,
  launchBrowser,
  signIn,
  startDemoServer,
} from "../test/helpers/dashboard.js";
import { waitFor } from "../test/helpers/wait-for.js";

ensureDashboardBuilt();
mkdirSync("docs/img", { recursive: true });
const [server, browser] = await Promise.all([startDemoServer(3), launchBrowser()]);
try {
  const admin = server.client();
  const keyB = await server.key("producer", "acme");
  const keyC = await server.key("producer", "globex");
  await admin.request("PUT", "/tenants/globex/quota", { daily_limit: 2, monthly_limit: 30 });
  await admin.request("PUT", "/tenants/acme/quota", { daily_limit: 100, monthly_limit: 2000 });
  const submit = (type: string, payload: object, extra: object = {}, token?: string) =>
    server.client(token).submit({ type, payload, ...extra } as never);
  // default: finished work, one failed job, three long runs reporting progress.
  for (let i = 0; i < 12; i++) await submit("demo.sleep", { seconds: 0.2 }, { tags: ["nightly"] });
  await submit("demo.flaky", { failures: 1 }, { max_attempts: 1, tags: ["nightly"] });
  for (let i = 0; i < 4; i++) await submit("demo.flaky", { failures: 1 }, {}, keyB);
  for (let i = 0; i < 2; i++) await submit("demo.sleep", { seconds: 0.5 }, {}, keyC);
  // Over globex's daily quota: refused with 429 (counted on the tenants page).
  await submit("demo.sleep", { seconds: 0.5 }, {}, keyC).catch(() => undefined);
  const long = await submit("demo.sleep", { seconds: 40 }, { tags: ["report"] });
  for (let i = 0; i < 2; i++) await submit("demo.sleep", { seconds: 30 });
  // emails: paused by the operator with a backlog.
  for (let i = 0; i < 5; i++) await submit("demo.sleep", { seconds: 1 }, { queue: "emails" });
  await admin.setPaused("emails", true);
  // video: jobs nobody serves (no worker for the queue): a red flag.
  for (let i = 0; i < 3; i++)
    await submit("video.transcode", { file: `clip-${i}.mp4` }, { queue: "video" }, keyB);
  // reports: served by a remote worker of tenant acme over HTTP, mid-way through a job.
  for (let i = 0; i < 3; i++)
    await submit("report.build", { month: `2026-0${i + 1}` }, { queue: "reports" }, keyB);
  const remote = server.client(await server.key("worker", "acme"));
  const [claimed] = await remote.claim("reports", { worker: "etl-box-7", types: ["report.build"] });
  if (claimed === undefined) throw new Error("the remote worker claimed nothing");
  await remote.heartbeat(claimed.id, {
    lease_token: claimed.lease_token,
    progress: 62,
    progress_message: "rows 62,000 of 100,000",
  });
  await waitFor(async () => (await admin.get(long.job_id)).progress >= 20, {
    timeoutMs: 60_000,
    intervalMs: 100,
  });
  const context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    colorScheme: "light",
  });
  const page = await context.newPage();
  await signIn(page, server.url, server.adminKey);
  const shoot = async (hash: string, heading: string | null, file: string): Promise<void> => {
    await page.goto(`${server.url}/${hash}`);
    if (heading !== null) await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
    else await page.getByRole("progressbar").first().waitFor();
    await page.locator(".loading").waitFor({ state: "detached" });
    await page.screenshot({ path: `docs/img/${file}.png`, fullPage: true });
    console.log(`docs/img/${file}.png`);
  };
  await shoot("#/", "Overview", "dashboard-overview");
  await shoot("#/jobs", "Jobs", "dashboard-jobs");
  await shoot(`#/jobs/${long.job_id}`, null, "dashboard-job");
  await shoot("#/workers", "Workers", "dashboard-workers");
  await shoot("#/tenants", "Tenants and credits", "dashboard-tenants");
  const phone = await browser.newContext({
    viewport: { width: 390, height: 844 },
    colorScheme: "dark",
  });
  const tab = await phone.newPage();
  await signIn(tab, server.url, server.adminKey);
  await tab.screenshot({ path: "docs/img/dashboard-phone-dark.png", fullPage: true });
  console.log("docs/img/dashboard-phone-dark.png");
} finally {
  await browser.close();
  await server.stop();
}
