/**
 * Takes the README's dashboard screenshots (docs/img/*.png): starts `spool serve --demo`, puts
 * some work in it (running, failed, waiting jobs, two tenants, a quota), and captures the
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
  for (let i = 0; i < 6; i++) await submit("demo.flaky", { failures: 1 }, { max_attempts: 1 });
  for (let i = 0; i < 12; i++) await submit("demo.sleep", { seconds: 0.2 }, { tags: ["nightly"] });
  for (let i = 0; i < 4; i++) await submit("demo.flaky", { failures: 2 }, {}, keyB);
  for (let i = 0; i < 2; i++) await submit("demo.sleep", { seconds: 0.5 }, {}, keyC);
  // Over globex's daily quota: refused with 429 (counted on the tenants page).
  await submit("demo.sleep", { seconds: 0.5 }, {}, keyC).catch(() => undefined);
  const long = await submit("demo.sleep", { seconds: 40 }, { tags: ["report"] });
  for (let i = 0; i < 2; i++) await submit("demo.sleep", { seconds: 30 });
  for (let i = 0; i < 5; i++) await submit("demo.sleep", { seconds: 1 }, { queue: "emails" });
  await admin.setPaused("emails", true);
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
