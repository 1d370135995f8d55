/**
 * `npm run bench`: runs every scenario against every system in one run, prints progress (one
 * line as each scenario starts and ends) to stderr and the result tables to stdout, and writes
 * docs/benchmarks.md.
 *
 *   npm run bench                        full run (about 4 min on 2 cores), writes docs/benchmarks.md
 *   npm run bench -- --quick             tiny sizes, one run each (smoke test)
 *   npm run bench -- --only spool-sqlite,bullmq --scenarios process,pickup
 *   npm run bench -- --scenarios http    the HTTP scenarios only (http-post,http-get,http-e2e)
 *   npm run bench -- --only spool-sqlite,spool-postgres --scenarios claim-unserved
 *                                        claim cost behind an unserved type
 *   npm run bench -- --out /tmp/b.md     write the report there (quick and filtered runs
 *                                        write none unless told)
 *   npm run bench -- --scenarios backlog-1m,churn --churn-steps 1000000
 *                                        PostgreSQL under churn (issue 15; bench/backlog.ts);
 *                                        `churn` runs only when named
 *   npm run bench -- --scale             reads at scale (bench/scale.ts): Spool on both stores at
 *                                        0 and 1,000,000 finished jobs; writes its own section of
 *                                        docs/benchmarks.md (full runs keep it). With
 *                                        --scale-jobs N, --only spool-sqlite|spool-postgres,
 *                                        --baseline (also without the count triggers), --out
 *   npm run bench -- --soak              10-minute steady load over HTTP (bench/soak.ts): RSS and
 *                                        event-loop delay over time, the RSS slope; with
 *                                        --soak-minutes N, --soak-rate JOBS_PER_S, --only, --out
 *
 * Not part of `npm test`: wall-clock numbers belong here, never in tests.
 */
import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { readMachineFacts, sampleCpuBusy } from "./machine.js";
import {
  formatLatency,
  formatPercent,
  formatRate,
  renderConsole,
  renderMarkdown,
} from "./report.js";
import { BenchResults } from "./results.js";
import { claimCostScenario } from "./claim-cost.js";
import { renderScale, runScale, sectionOf, withSection } from "./scale.js";
import { renderSoak, runSoak } from "./soak.js";
import { benchConfig, type BenchConfig } from "./config.js";
import { BACKLOG_SCENARIOS } from "./backlog.js";
import { compiledSpool } from "./compiled-spool.js";
import { HTTP_SCENARIOS, HTTP_SCENARIO_IDS } from "./http.js";
import {
  LIBRARY_SCENARIOS,
  SCENARIO_IDS,
  type Measurement,
  type Scenario,
  type ScenarioContext,
  type ScenarioId,
} from "./scenarios.js";
import { BullMqSystem } from "./systems/bullmq.js";
import { GraphileWorkerSystem } from "./systems/graphile-worker.js";
import { PgBossSystem } from "./systems/pg-boss.js";
import { withClient } from "./systems/postgres.js";
import { SpoolSystem } from "./systems/spool.js";
import {
  DEFAULT_POSTGRES_URL,
  SYSTEM_IDS,
  SystemUnavailableError,
  type BenchSystem,
  type SystemId,
} from "./systems/system.js";
import { checkTargets } from "./targets.js";
import { errorMessage, formatMs, withTimeout } from "./wait.js";

const USAGE = `Usage: npm run bench -- [--quick] [--only SYSTEMS] [--scenarios SCENARIOS] [--out PATH]
                       [--churn-steps N,N,…]
       npm run bench -- --scale [--scale-jobs N] [--baseline] [--only SYSTEMS] [--out PATH]
       npm run bench -- --soak [--soak-minutes N] [--soak-rate R] [--only SYSTEM] [--out PATH]

  --quick             tiny sizes, one run per scenario (a smoke test)
  --only SYSTEMS      comma-separated systems: ${SYSTEM_IDS.join(",")}
  --scenarios IDS     comma-separated scenarios: ${SCENARIO_IDS.join(",")}
                      ("http" stands for ${HTTP_SCENARIO_IDS.join(",")})
  --out PATH          where to write the Markdown report
  --churn-steps N,…   jobs through the store before each churn measurement
                      (default 1000000,3000000,5000000; "churn" runs only when named)
  --scale             reads and claim throughput at 0 and N finished jobs (Spool only)
  --scale-jobs N      finished jobs of the filled rows (default 1,000,000; --quick: 20,000)
  --baseline          with --scale: also measure throughput without the count triggers
  --soak              steady HTTP load (default 10 min at 100 jobs/s) on spool-sqlite (or the
                      --only store): RSS and event-loop delay over time, the RSS slope
  --soak-minutes N    length of the soak (implies --soak)
  --soak-rate R       submissions per second of the soak (default 100)

A full, unfiltered run writes docs/benchmarks.md; a quick or filtered one writes no report
unless --out is given.`;

/** Safety net over a whole scenario for one system; every inner wait has its own bound. */
const SCENARIO_TIMEOUT_MS = 300_000;
const DEFAULT_REPORT_PATH = "docs/benchmarks.md";
const SETTLE_TIMEOUT_MS = 30_000;
const SETTLE_PAUSE_MS = 200;

interface CliOptions {
  quick: boolean;
  scale: boolean;
  scaleJobs: number | undefined;
  baseline: boolean;
  soakMinutes: number | undefined;
  soakRate: number;
  only: SystemId[] | undefined;
  scenarios: ScenarioId[] | undefined;
  out: string | undefined;
  churnSteps: number[] | undefined;
}

/** Every scenario, in run order: the library's, the HTTP API's, claim cost, then PostgreSQL under churn. */
const SCENARIOS: readonly Scenario[] = [
  ...LIBRARY_SCENARIOS,
  ...HTTP_SCENARIOS,
  claimCostScenario,
  ...BACKLOG_SCENARIOS,
];

/** Names that stand for several scenarios in `--scenarios`. */
const SCENARIO_GROUPS: Readonly<Record<string, readonly ScenarioId[]>> = {
  http: HTTP_SCENARIO_IDS,
};

/**
 * Splits a comma-separated list, expands `groups`, and checks every item is one of `known`.
 */
function parseList<T extends string>(
  flag: string,
  value: string | undefined,
  known: readonly T[],
  groups: Readonly<Record<string, readonly T[]>> = {},
): T[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "")
    .flatMap((item): readonly string[] => groups[item] ?? [item]);
  const unknown = items.filter((item) => !(known as readonly string[]).includes(item));
  if (unknown.length > 0 || items.length === 0) {
    throw new Error(`${flag}: unknown "${unknown.join(",")}" (use ${known.join(",")})`);
  }
  return items as T[];
}

function parseSteps(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  const steps = value.split(",").map((item) => Number(item.trim()));
  if (steps.length === 0 || steps.some((n, i) => !Number.isInteger(n) || n <= (steps[i - 1] ?? 0)))
    throw new Error(`--churn-steps: increasing positive integers expected, got "${value}"`);
  return steps;
}

/** Scenarios that run only when `--scenarios` names them (an hour or more). */
const OPT_IN: readonly ScenarioId[] = ["churn"];

function parseCli(argv: string[]): CliOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      scenarios: { type: "string" },
      out: { type: "string" },
      "churn-steps": { type: "string" },
      scale: { type: "boolean", default: false },
      "scale-jobs": { type: "string" },
      baseline: { type: "boolean", default: false },
      soak: { type: "boolean", default: false },
      "soak-minutes": { type: "string" },
      "soak-rate": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const scaleJobs = values["scale-jobs"] === undefined ? undefined : Number(values["scale-jobs"]);
  if (scaleJobs !== undefined && !(Number.isInteger(scaleJobs) && scaleJobs > 0))
    throw new Error("--scale-jobs: a positive integer");
  const soakMinutes =
    values["soak-minutes"] !== undefined
      ? Number(values["soak-minutes"])
      : values.soak
        ? 10
        : undefined;
  if (soakMinutes !== undefined && !(soakMinutes > 0)) throw new Error("--soak-minutes: > 0");
  const soakRate = Number(values["soak-rate"] ?? 100);
  if (!(soakRate > 0)) throw new Error("--soak-rate: > 0");
  return {
    quick: values.quick,
    scale: values.scale,
    soakMinutes,
    soakRate,
    scaleJobs,
    baseline: values.baseline,
    only: parseList("--only", values.only, SYSTEM_IDS),
    scenarios: parseList("--scenarios", values.scenarios, SCENARIO_IDS, SCENARIO_GROUPS),
    out: values.out,
    churnSteps: parseSteps(values["churn-steps"]),
  };
}

function allSystems(postgresUrl: string): BenchSystem[] {
  return [
    new SpoolSystem("sqlite", postgresUrl),
    new SpoolSystem("postgres", postgresUrl),
    new GraphileWorkerSystem(postgresUrl),
    new PgBossSystem(postgresUrl),
    new BullMqSystem(),
  ];
}

/**
 * Lets the machine settle before a run: PostgreSQL is checkpointed, so the dirty pages a
 * previous run (of any system) left behind are not flushed while the next one is timed. Then,
 * while the benchmark is idle, it samples how busy the CPUs are: that is other work competing
 * with the measurements, reported alongside them.
 */
async function settleMachine(postgresUrl: string, background: number[]): Promise<void> {
  await withTimeout(
    withClient(postgresUrl, (client) => client.query("CHECKPOINT")),
    SETTLE_TIMEOUT_MS,
    "CHECKPOINT",
  ).catch(() => undefined);
  const busy = await sampleCpuBusy(SETTLE_PAUSE_MS);
  if (busy !== undefined) background.push(busy);
}

/**
 * The hand-kept section of an existing report, between these markers (figures of the long,
 * filtered runs such as PostgreSQL under churn, which a full run does not repeat), so that
 * regenerating the report keeps it.
 */
const KEPT_BEGIN = "<!-- kept:begin -->";
const KEPT_END = "<!-- kept:end -->";

async function keptSection(path: string): Promise<string> {
  const existing = await readFile(path, "utf8").catch(() => "");
  const from = existing.indexOf(KEPT_BEGIN);
  const to = existing.indexOf(KEPT_END);
  return from >= 0 && to > from ? `\n${existing.slice(from, to + KEPT_END.length)}\n` : "";
}

const runStarted = performance.now();

/** One progress line on stderr, stamped with the time since the start. */
function progress(line: string): void {
  const elapsed = ((performance.now() - runStarted) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[${elapsed}s] ${line}\n`);
}

function summarize(m: Measurement): string {
  switch (m.kind) {
    case "throughput":
      return m.runs.length === 1
        ? `${formatRate(m.jobsPerSecond)} jobs/s`
        : `${formatRate(m.jobsPerSecond)} jobs/s (runs: ${m.runs.map(formatRate).join(", ")})`;
    case "latency":
      return (
        `p50 ${formatLatency(m.latency.p50)} ms, p99 ${formatLatency(m.latency.p99)} ms` +
        (m.idleCpuPercent === undefined ? "" : `, idle CPU ${m.idleCpuPercent.toFixed(2)} %`)
      );
    case "steady":
      return (
        `${m.completed}/${m.submitted} completed, ${m.keptUp ? "kept up" : "did NOT keep up"}` +
        (m.latency === null
          ? ""
          : `, p50 ${formatLatency(m.latency.p50)} ms, p99 ${formatLatency(m.latency.p99)} ms`)
      );
    case "http-load":
      return (
        `${formatRate(m.requestsPerSecond)} req/s, p50 ${formatLatency(m.latency.p50)} ms, ` +
        `p99 ${formatLatency(m.latency.p99)} ms, server CPU ${Math.round(m.serverCpuPercent)} %` +
        (m.non2xx + m.errors + m.timeouts > 0
          ? `, ${m.non2xx} NON-2XX, ${m.errors} ERRORS, ${m.timeouts} TIMEOUTS`
          : "")
      );
    case "http-e2e":
      return (
        `p50 ${formatLatency(m.latency.p50)} ms, p99 ${formatLatency(m.latency.p99)} ms ` +
        `(final event first in ${m.finalOnOpen}/${m.latency.samples})`
      );
    case "claim-cost":
      return (
        `p50 ${formatLatency(m.empty.p50)} ms empty, ${formatLatency(m.behind.p50)} ms behind ` +
        `${m.backlog.toLocaleString("en")} unserved (×${m.ratio.toFixed(2)})`
      );
  }
}

/** One run of one scenario for one system. */
interface Step {
  scenario: Scenario;
  system: BenchSystem;
  /** 1-based run number, of `runs`. */
  run: number;
  runs: number;
}

/**
 * Runs every scenario for every system. Repeated runs are interleaved across systems (run 1 of
 * each system, then run 2 …), so a burst of other work on the machine is less likely to land
 * on all of one system's runs. A system that turns out unavailable is skipped from then on; a
 * failed run fails that system's row of the scenario.
 */
async function runScenarios(
  scenarios: readonly Scenario[],
  systems: readonly BenchSystem[],
  config: BenchConfig,
  context: ScenarioContext,
  background: number[],
): Promise<BenchResults> {
  const steps: Step[] = scenarios.flatMap((scenario) => {
    const runs = scenario.repetitions(config);
    const applicable = systems.filter((system) => scenario.applies(system));
    return Array.from({ length: runs }, (_, r) =>
      applicable.map((system) => ({ scenario, system, run: r + 1, runs })),
    ).flat();
  });
  const unavailable = new Map<SystemId, string>();
  const failed = new Map<string, string>();
  const measured = new Map<string, Measurement[]>();
  for (const [index, { scenario, system, run, runs }] of steps.entries()) {
    const key = `${scenario.id}/${system.id}`;
    const tag =
      `[${index + 1}/${steps.length}] ${scenario.title} · ${system.label}` +
      (runs > 1 ? ` (run ${run}/${runs})` : "");
    const skip =
      unavailable.get(system.id) ?? (failed.has(key) ? "an earlier run failed" : undefined);
    if (skip !== undefined) {
      progress(`${tag}: skipped (${skip})`);
      continue;
    }
    progress(`${tag} …`);
    const started = performance.now();
    const backgroundFrom = background.length;
    try {
      const measurement = await withTimeout(
        scenario.run(system, config, context),
        scenario.timeoutMs ?? SCENARIO_TIMEOUT_MS,
        `${scenario.title} on ${system.label}`,
      );
      measured.set(key, [...(measured.get(key) ?? []), measurement]);
      const busy = background.slice(backgroundFrom);
      const noise =
        busy.length === 0 ? "" : `, other work ${formatPercent(Math.max(...busy))} of the CPUs`;
      progress(
        `${tag}: ${summarize(measurement)} (${formatMs(performance.now() - started)}${noise})`,
      );
    } catch (error) {
      if (error instanceof SystemUnavailableError) {
        unavailable.set(system.id, error.message);
        progress(`${tag}: ${error.message}`);
      } else {
        failed.set(key, errorMessage(error));
        progress(`${tag}: FAILED: ${errorMessage(error)}`);
      }
    }
  }
  const results = new BenchResults();
  for (const scenario of scenarios) {
    for (const system of systems) {
      const key = `${scenario.id}/${system.id}`;
      const reason = unavailable.get(system.id);
      const failure = failed.get(key);
      const runs = measured.get(key);
      if (!scenario.applies(system)) {
        results.set(scenario.id, system.id, { status: "not-applicable" });
      } else if (reason !== undefined) {
        results.set(scenario.id, system.id, { status: "unavailable", reason });
      } else if (failure !== undefined || runs === undefined) {
        results.set(scenario.id, system.id, { status: "failed", reason: failure ?? "no run" });
      } else {
        results.set(scenario.id, system.id, { status: "ok", measurement: scenario.combine(runs) });
      }
    }
  }
  return results;
}

async function main(): Promise<void> {
  const cli = parseCli(process.argv.slice(2));
  if (cli === undefined) {
    console.log(USAGE);
    return;
  }
  const startedAt = new Date();
  if (cli.scale) return scaleMain(cli, startedAt);
  if (cli.soakMinutes !== undefined) return soakMain(cli, cli.soakMinutes, startedAt);
  const config = benchConfig(cli.quick);
  if (cli.churnSteps !== undefined) config.churnSteps = cli.churnSteps;
  const postgresUrl = DEFAULT_POSTGRES_URL;
  const systems = allSystems(postgresUrl).filter(
    (system) => cli.only === undefined || cli.only.includes(system.id),
  );
  const reportPath =
    cli.out ??
    (cli.quick || cli.only !== undefined || cli.scenarios !== undefined
      ? undefined
      : DEFAULT_REPORT_PATH);
  const scenarios = SCENARIOS.filter((scenario) =>
    cli.scenarios === undefined
      ? !OPT_IN.includes(scenario.id)
      : cli.scenarios.includes(scenario.id),
  );

  progress(
    `Spool benchmark (${cli.quick ? "quick" : "full"}): ${systems.map((s) => s.label).join(", ")}`,
  );
  const machine = await readMachineFacts(postgresUrl);
  progress(`machine: ${machine.cpus}, ${machine.memory}, Node ${machine.node}`);
  if (systems.some((system) => system instanceof SpoolSystem)) {
    progress("compiling Spool as the package ships it (tsc; not timed)…");
    await compiledSpool();
  }

  const background: number[] = [];
  const context: ScenarioContext = {
    beforeRun: () => settleMachine(postgresUrl, background),
    log: progress,
  };
  const results = await runScenarios(scenarios, systems, config, context, background);

  const report = {
    startedAt,
    durationMs: performance.now() - runStarted,
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
    config,
    machine,
    systems,
    scenarios,
    results,
    background,
    targets: checkTargets(results),
  };
  console.log(`\n${renderConsole(report)}\n`);
  if (reportPath !== undefined) {
    // The scale and soak sections are measured by `--scale` / `--soak` runs only; a full run
    // carries them over.
    const previous = await readFile(reportPath, "utf8").catch(() => "");
    let rendered = renderMarkdown(report);
    for (const name of ["scale", "soak"]) {
      const kept = sectionOf(previous, name);
      if (kept !== "") rendered = withSection(rendered, name, kept);
    }
    await writeFile(reportPath, rendered + (await keptSection(reportPath)));
    progress(`wrote ${reportPath}`);
  } else {
    progress("no report written (quick or filtered run; use --out PATH to write one)");
  }
}

/** `--scale`: bench/scale.ts on Spool's stores; writes its section of the report. */
async function scaleMain(cli: CliOptions, startedAt: Date): Promise<void> {
  const stores = (["sqlite", "postgres"] as const).filter(
    (store) => cli.only === undefined || cli.only.includes(`spool-${store}`),
  );
  const options = {
    stores,
    fills: [0, cli.scaleJobs ?? (cli.quick ? 20_000 : 1_000_000)],
    throughputJobs: cli.quick ? 1_000 : 5_000,
    samples: cli.quick ? 10 : 30,
    baseline: cli.baseline,
    postgresUrl: DEFAULT_POSTGRES_URL,
    progress,
  };
  const section = renderScale(await runScale(options), options, startedAt);
  console.log(`\n${section}\n`);
  const path = cli.out ?? (cli.quick ? undefined : DEFAULT_REPORT_PATH);
  if (path === undefined) return progress("no report written (quick run; use --out PATH)");
  await writeFile(
    path,
    withSection(await readFile(path, "utf8").catch(() => ""), "scale", section),
  );
  progress(`wrote the scale section of ${path}`);
}

/** `--soak`: bench/soak.ts on one store; writes its section of the report. */
async function soakMain(cli: CliOptions, minutes: number, startedAt: Date): Promise<void> {
  const store = cli.only?.includes("spool-postgres") === true ? "postgres" : "sqlite";
  const result = await runSoak({
    store,
    minutes,
    rate: cli.soakRate,
    postgresUrl: DEFAULT_POSTGRES_URL,
    progress,
  });
  const section = renderSoak(result, startedAt);
  console.log(`\n${section}\n`);
  const path = cli.out ?? DEFAULT_REPORT_PATH;
  await writeFile(path, withSection(await readFile(path, "utf8").catch(() => ""), "soak", section));
  progress(`wrote the soak section of ${path}`);
}

// A peer that rejects a promise nobody awaits must not abort the whole run.
process.on("unhandledRejection", (reason) => {
  progress(`warning: unhandled rejection: ${errorMessage(reason)}`);
});

main().then(
  // Peers that failed may leave sockets or timers behind; the run is over either way.
  () => process.exit(0),
  (error: unknown) => {
    console.error(errorMessage(error));
    console.error(USAGE);
    process.exit(2);
  },
);
