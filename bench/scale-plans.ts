/**
 * The query plans behind the dashboard's reads (issue 10: "no request of the dashboard scans the
 * whole jobs table"): fills a fresh store like `--scale` does, sends each route of
 * bench/scale-reads.ts once to an in-process server while recording every SQL statement the
 * store runs, then prints the plan of each (SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN
 * (ANALYZE, BUFFERS), so the rows each node really read are shown).
 *
 *   npx tsx bench/scale-plans.ts [sqlite|postgres] [jobs]     (default: both, 1,000,000)
 *
 * Statements the store runs for every request whatever the route (API-key checks are off here)
 * are printed once. A route's plans are flagged `FULL SCAN` when a jobs node reads the table
 * without an index (SQLite `SCAN jobs` with no index; PostgreSQL `Seq Scan on jobs`).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { Spool } from "../src/index.js";
import { startServer } from "../src/http/server.js";
import { fillPostgres, fillSqlite } from "./scale-fill.js";
import { SCALE_ROUTES } from "./scale-reads.js";
import { dropSchema } from "./systems/postgres.js";
import { DEFAULT_POSTGRES_URL, uniqueName } from "./systems/system.js";

interface Recorded {
  sql: string;
  values: unknown;
}

const recorded: Recorded[] = [];
let recording = false;

/** Records every statement better-sqlite3 runs (its Statement's reading methods). */
function recordSqlite(): void {
  const probe = new Database(":memory:");
  const statement = Object.getPrototypeOf(probe.prepare("SELECT 1")) as Record<
    string,
    (...args: unknown[]) => unknown
  > & { source?: string };
  probe.close();
  for (const method of ["all", "get", "iterate", "run"]) {
    const original = statement[method]!;
    statement[method] = function (this: { source: string }, ...args: unknown[]) {
      if (recording) recorded.push({ sql: this.source, values: args[0] });
      return original.apply(this, args);
    };
  }
}

/** Records every query node-postgres sends (text and values). */
function recordPostgres(): void {
  const proto = pg.Client.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const original = proto.query!;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0] as { text?: string; values?: unknown } | string;
    if (recording) {
      if (typeof first === "string") recorded.push({ sql: first, values: args[1] });
      else if (first?.text !== undefined) recorded.push({ sql: first.text, values: first.values });
    }
    return original.apply(this, args);
  };
}

async function main(): Promise<void> {
  const stores = process.argv[2] === undefined ? ["sqlite", "postgres"] : [process.argv[2]];
  const jobs = Number(process.argv[3] ?? 1_000_000);
  recordSqlite();
  recordPostgres();
  for (const store of stores) await plans(store as "sqlite" | "postgres", jobs);
}

async function plans(store: "sqlite" | "postgres", count: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "spool-plans-"));
  const path = join(dir, "spool.db");
  const schema = uniqueName("bench_plans");
  const url = store === "sqlite" ? `sqlite:${path}` : DEFAULT_POSTGRES_URL;
  const spool = await Spool.open({
    url,
    maintenance: false,
    ...(store === "postgres" ? { storeTuning: { schema } } : {}),
  });
  const server = await startServer({ spool, auth: false, port: 0, logger: false, webhooks: false });
  try {
    const started = performance.now();
    if (store === "sqlite") fillSqlite(path, count, Date.now());
    else await fillPostgres(DEFAULT_POSTGRES_URL, schema, count, Date.now());
    console.log(
      `\n# ${store}, ${count.toLocaleString("en")} jobs (filled in ${((performance.now() - started) / 1000).toFixed(0)} s)`,
    );
    const explain = store === "sqlite" ? explainSqlite(path) : await explainPostgres(schema);
    const seen = new Set<string>();
    for (const label of SCALE_ROUTES) {
      const target = await resolve(server.url, label);
      recorded.length = 0;
      recording = true;
      const controller = new AbortController();
      const response = await fetch(`${server.url}${target}`, { signal: controller.signal });
      if (label === "/events") controller.abort();
      else await response.arrayBuffer();
      recording = false;
      const statements = recorded.filter((r) => /\bjobs\b/.test(r.sql) && !seen.has(r.sql));
      console.log(`\n## GET ${label}`);
      if (statements.length === 0) console.log("(no statement on the jobs table)");
      for (const statement of statements) {
        seen.add(statement.sql);
        const plan = await explain.plan(statement);
        const full = explain.fullScan(plan) ? "  <-- FULL SCAN" : "";
        console.log(`\n${statement.sql.trim().replace(/\s+/g, " ").slice(0, 400)}${full}\n${plan}`);
      }
    }
    await explain.close();
  } finally {
    await server.close();
    await spool.close();
    await rm(dir, { recursive: true, force: true });
    if (store === "postgres") await dropSchema(DEFAULT_POSTGRES_URL, schema);
  }
}

/** `label` with `:id` and `:cursor` filled (see bench/scale-reads.ts). */
async function resolve(base: string, label: string): Promise<string> {
  const page = (await (await fetch(`${base}/jobs?status=completed&limit=1`)).json()) as {
    jobs: { id: string }[];
  };
  let path = label.replace(":id", page.jobs[0]?.id ?? "00000000-0000-7000-8000-000000000000");
  if (path.includes(":cursor")) {
    const first = path.replace(/&cursor=:cursor/, "");
    const answer = (await (await fetch(`${base}${first}`)).json()) as {
      next_cursor: string | null;
    };
    path = answer.next_cursor === null ? first : path.replace(":cursor", answer.next_cursor);
  }
  return path;
}

interface Explainer {
  plan(statement: Recorded): Promise<string>;
  fullScan(plan: string): boolean;
  close(): Promise<void>;
}

function explainSqlite(path: string): Explainer {
  const db = new Database(path, { readonly: true });
  return {
    plan: async ({ sql, values }) => {
      const rows = db
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...(values === undefined ? [] : [values])) as { detail: string }[];
      return rows.map((row) => `  ${row.detail}`).join("\n");
    },
    fullScan: (plan) => /SCAN jobs(?! USING)/.test(plan),
    close: async () => {
      db.close();
    },
  };
}

async function explainPostgres(schema: string): Promise<Explainer> {
  const client = new pg.Client({ connectionString: DEFAULT_POSTGRES_URL });
  await client.connect();
  await client.query(`SET search_path TO "${schema}"`);
  return {
    plan: async ({ sql, values }) => {
      if (!/^\s*(WITH|SELECT)/i.test(sql)) return "  (not a read; not explained)";
      const result = await client.query(
        `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql}`,
        (values as unknown[] | undefined) ?? [],
      );
      return result.rows.map((row: Record<string, string>) => `  ${row["QUERY PLAN"]}`).join("\n");
    },
    fullScan: (plan) => /Seq Scan on jobs\b/.test(plan),
    close: () => client.end(),
  };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
