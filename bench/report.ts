/**
 * Renders one benchmark run as Markdown: machine facts, one table per scenario (a row per
 * system, with ratios against graphile-worker, the fastest PostgreSQL peer, and BullMQ), the
 * targets of issues #2 and #3 with MET / NOT MET, and the method notes.
 */
import { HTTP_SCENARIO_IDS, httpMethodNote } from "./http.js";
import type { MachineFacts } from "./machine.js";
import type { BenchResults, Outcome } from "./results.js";
import type { BenchConfig } from "./config.js";
import type {
  HttpLoadMeasurement,
  LatencyMeasurement,
  Measurement,
  Scenario,
} from "./scenarios.js";
import type { BenchSystem, SystemId } from "./systems/system.js";
import type { TargetCheck } from "./targets.js";

/** Everything the report is rendered from. */
export interface BenchReport {
  startedAt: Date;
  durationMs: number;
  command: string;
  config: BenchConfig;
  machine: MachineFacts;
  systems: readonly BenchSystem[];
  scenarios: readonly Scenario[];
  results: BenchResults;
  /** How busy the CPUs were (0–1) in the idle moment before each run: other work. */
  background: readonly number[];
  targets: readonly TargetCheck[];
}

/** Background CPU share above which the report warns that other work skewed the run. */
const NOISY_BACKGROUND = 0.1;

const REFERENCES: readonly { id: SystemId; name: string }[] = [
  { id: "graphile-worker", name: "graphile-worker" },
  { id: "bullmq", name: "BullMQ" },
];

/** Formats jobs/s: `21,345`. */
export function formatRate(n: number): string {
  return Math.round(n).toLocaleString("en");
}

/** Formats a 0–1 share as a percentage: `12 %`. */
export function formatPercent(share: number): string {
  return `${Math.round(share * 100)} %`;
}

/** Formats milliseconds with precision that suits the size. */
export function formatLatency(n: number): string {
  if (!Number.isFinite(n)) return "n/a";
  if (n < 10) return n.toFixed(2);
  if (n < 100) return n.toFixed(1);
  return Math.round(n).toLocaleString("en");
}

function ratio(value: number | undefined, reference: number | undefined): string {
  if (value === undefined || reference === undefined || reference <= 0) return "—";
  return `${(value / reference).toFixed(2)}×`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** A Markdown table whose first `textColumns` columns are left-aligned, the rest right. */
function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  textColumns: number,
): string {
  const lines = [
    `| ${header.join(" | ")} |`,
    `| ${header.map((_, i) => (i < textColumns ? "---" : "---:")).join(" | ")} |`,
    ...rows.map((row) => `| ${row.map(escapeCell).join(" | ")} |`),
  ];
  return lines.join("\n");
}

/** The cells of a row that did not measure anything. */
function notMeasured(outcome: Outcome | undefined, width: number): string[] {
  const text =
    outcome === undefined
      ? "not run"
      : outcome.status === "failed"
        ? `failed: ${outcome.reason}`
        : outcome.status === "unavailable"
          ? outcome.reason
          : outcome.status === "not-applicable"
            ? "not applicable"
            : "";
  return [text, ...Array.from({ length: width - 1 }, () => "—")];
}

type RowRenderer = (
  system: BenchSystem,
  measurement: Measurement,
  report: BenchReport,
) => string[] | undefined;

interface TableShape {
  header: string[];
  row: RowRenderer;
}

function throughputShape(scenario: Scenario): TableShape {
  return {
    header: ["jobs/s (median)", "runs (jobs/s)", "vs graphile-worker", "vs BullMQ"],
    row: (_system, m, report) => {
      if (m.kind !== "throughput") return undefined;
      const refs = REFERENCES.map((r) =>
        ratio(m.jobsPerSecond, report.results.throughput(scenario.id, r.id)),
      );
      return [formatRate(m.jobsPerSecond), m.runs.map(formatRate).join(" / "), ...refs];
    },
  };
}

/** Columns shared by both pickup-latency tables. */
const LATENCY_HEADER = ["p50 ms", "p99 ms", "max ms", "p50 after ack ms", "samples"];

function latencyCells(m: LatencyMeasurement): string[] {
  return [
    formatLatency(m.latency.p50),
    formatLatency(m.latency.p99),
    formatLatency(m.latency.max),
    formatLatency(m.afterAck.p50),
    String(m.latency.samples),
  ];
}

function latencyShape(scenario: Scenario): TableShape {
  return {
    header: [...LATENCY_HEADER, "p50 ÷ graphile-worker's", "p50 ÷ BullMQ's"],
    row: (_system, m, report) => {
      if (m.kind !== "latency") return undefined;
      const refs = REFERENCES.map((r) =>
        ratio(m.latency.p50, report.results.latency(scenario.id, r.id, "p50")),
      );
      return [...latencyCells(m), ...refs];
    },
  };
}

const crossProcessShape: TableShape = {
  header: [...LATENCY_HEADER, "idle worker CPU (% of one core)"],
  row: (_system, m) => {
    if (m.kind !== "latency") return undefined;
    const cpu = m.idleCpuPercent === undefined ? "—" : m.idleCpuPercent.toFixed(2);
    return [...latencyCells(m), cpu];
  },
};

function steadyShape(scenario: Scenario): TableShape {
  return {
    header: [
      "p50 ms",
      "p99 ms",
      "completed",
      "kept up",
      "last completion after window",
      "worst submit lag",
      "p99 ÷ graphile-worker's",
      "p99 ÷ BullMQ's",
    ],
    row: (_system, m, report) => {
      if (m.kind !== "steady") return undefined;
      const refs = REFERENCES.map((r) =>
        ratio(m.latency?.p99, report.results.latency(scenario.id, r.id, "p99")),
      );
      const errors = m.errors > 0 ? ` (${m.errors} submit errors: ${m.firstError ?? "?"})` : "";
      return [
        m.latency === null ? "n/a" : formatLatency(m.latency.p50),
        m.latency === null ? "n/a" : formatLatency(m.latency.p99),
        `${m.completed.toLocaleString("en")} / ${m.submitted.toLocaleString("en")}${errors}`,
        m.keptUp ? "yes" : "**no**",
        m.drainMs === null ? "never (timed out)" : `${formatLatency(m.drainMs)} ms`,
        `${formatLatency(m.maxSubmitLagMs)} ms`,
        ...refs,
      ];
    },
  };
}

/** Non-2xx answers, errors and timeouts of a load run: "0", or a loud list. */
function failureCell(m: HttpLoadMeasurement): string {
  const parts = [
    ...(m.non2xx > 0
      ? [
          `${m.non2xx.toLocaleString("en")} non-2xx (${Object.entries(m.non2xxByStatus)
            .map(([status, n]) => `${status}: ${n}`)
            .join(", ")})`,
        ]
      : []),
    ...(m.errors > 0 ? [`${m.errors} connection errors`] : []),
    ...(m.timeouts > 0 ? [`${m.timeouts} timeouts`] : []),
  ];
  return parts.length === 0 ? "0" : `**${parts.join("; ")}**`;
}

function httpLoadCells(m: HttpLoadMeasurement): string[] {
  return [
    formatRate(m.requestsPerSecond),
    formatLatency(m.latency.p50),
    formatLatency(m.latency.p99),
    failureCell(m),
    `${Math.round(m.serverCpuPercent)} %`,
    `${Math.round(m.clientCpuPercent)} %`,
  ];
}

const HTTP_LOAD_HEADER = [
  "requests/s (mean)",
  "p50 ms",
  "p99 ms",
  "non-2xx / errors",
  "server CPU (% of a core)",
  "autocannon CPU",
];

const httpLoadShape: TableShape = {
  header: HTTP_LOAD_HEADER,
  row: (_system, m) => (m.kind === "http-load" ? httpLoadCells(m) : undefined),
};

/** `POST /jobs` beside the library's single-submit rate (16 in flight) from the same run. */
const httpSubmitShape: TableShape = {
  header: [...HTTP_LOAD_HEADER, "library single enqueue, 16 in flight (jobs/s)", "HTTP ÷ library"],
  row: (system, m, report) => {
    if (m.kind !== "http-load") return undefined;
    const library = report.results.throughput("single-16", system.id);
    return [
      ...httpLoadCells(m),
      library === undefined ? "not measured in this run" : formatRate(library),
      ratio(m.requestsPerSecond, library),
    ];
  },
};

const httpEndToEndShape: TableShape = {
  header: ["p50 ms", "p99 ms", "max ms", "submit (POST alone) p50 ms", "final event first"],
  row: (_system, m) => {
    if (m.kind !== "http-e2e") return undefined;
    return [
      formatLatency(m.latency.p50),
      formatLatency(m.latency.p99),
      formatLatency(m.latency.max),
      formatLatency(m.submit.p50),
      `${m.finalOnOpen} of ${m.latency.samples} samples`,
    ];
  },
};

const claimCostShape: TableShape = {
  header: [
    "empty: p50 ms",
    "empty: p99 ms",
    "behind the backlog: p50 ms",
    "behind the backlog: p99 ms",
    "backlog",
    "p50 ratio",
  ],
  row: (_system, m) => {
    if (m.kind !== "claim-cost") return undefined;
    return [
      formatLatency(m.empty.p50),
      formatLatency(m.empty.p99),
      formatLatency(m.behind.p50),
      formatLatency(m.behind.p99),
      m.backlog.toLocaleString("en"),
      `×${m.ratio.toFixed(2)}`,
    ];
  },
};

function shapeOf(scenario: Scenario): TableShape {
  switch (scenario.id) {
    case "bulk":
    case "single-1":
    case "single-16":
    case "process":
    case "backlog-200k":
    case "backlog-1m":
    case "backlog-1m-followed":
    case "churn":
      return throughputShape(scenario);
    case "pickup":
      return latencyShape(scenario);
    case "pickup-cross":
      return crossProcessShape;
    case "steady":
      return steadyShape(scenario);
    case "http-post":
      return httpSubmitShape;
    case "http-get":
      return httpLoadShape;
    case "http-e2e":
      return httpEndToEndShape;
    case "claim-unserved":
      return claimCostShape;
  }
}

/** The Markdown table of one scenario. */
export function renderScenarioTable(report: BenchReport, scenario: Scenario): string {
  const shape = shapeOf(scenario);
  const systems = report.systems.filter((system) => scenario.applies(system));
  const rows = systems.map((system) => {
    const outcome = report.results.get(scenario.id, system.id);
    const cells =
      outcome?.status === "ok" ? shape.row(system, outcome.measurement, report) : undefined;
    return [system.label, system.backend, ...(cells ?? notMeasured(outcome, shape.header.length))];
  });
  return table(["System", "Store", ...shape.header], rows, 2);
}

function renderTargets(targets: readonly TargetCheck[]): string {
  return table(
    ["Issue", "Target", "Measured (this run)", "Status"],
    targets.map((t) => [
      t.issue,
      t.target,
      t.measured,
      t.status === "MET" ? "MET" : `**${t.status}**`,
    ]),
    4,
  );
}

function renderMachine(report: BenchReport): string {
  const m = report.machine;
  return [
    `- Date: ${report.startedAt.toISOString()} (the run took ${(report.durationMs / 60_000).toFixed(1)} min)`,
    `- Command: \`${report.command}\``,
    `- CPU: ${m.cpus}; memory ${m.memory}; ${m.os}`,
    `- Node.js ${m.node}`,
    `- PostgreSQL ${m.postgres} (\`SHOW server_version\`); ${m.postgresDurability}`,
    `- Redis ${m.redis}; ${m.redisPersistence}`,
    `- SQLite ${m.sqlite} (better-sqlite3 \`select sqlite_version()\`)`,
    "- Everything (the benchmark process, workers, the HTTP server's process, PostgreSQL, " +
      "Redis) shares these cores; " +
      "all traffic is on 127.0.0.1.",
    `- ${renderBackground(report)}`,
  ].join("\n");
}

/** Whether other work took a noticeable share of the CPUs before any run. */
function isNoisy(report: BenchReport): boolean {
  return report.background.some((busy) => busy > NOISY_BACKGROUND);
}

/** How much other work competed with the run, from the idle samples taken before each run. */
function renderBackground(report: BenchReport): string {
  const samples = report.background;
  if (samples.length === 0) return "Other work on the machine: not measured (no /proc/stat).";
  const mean = samples.reduce((sum, n) => sum + n, 0) / samples.length;
  const max = Math.max(...samples);
  const verdict = isNoisy(report)
    ? "**other work competed for the CPUs during parts of this run, so some rows are " +
      "likely pessimistic; compare rows measured close together, or rerun on a quiet machine**"
    : "the machine was otherwise quiet";
  return (
    "Other work on the machine, sampled in the idle moment before each run: the CPUs were " +
    `${formatPercent(mean)} busy on ` +
    `average, ${formatPercent(max)} at most (${verdict}).`
  );
}

function renderMethod(report: BenchReport): string {
  const c = report.config;
  const scenarioNotes = report.scenarios.map((s) => `- **${s.title}.** ${s.method(c)}`);
  const httpNote = report.scenarios.some((s) =>
    (HTTP_SCENARIO_IDS as readonly string[]).includes(s.id),
  )
    ? ["", httpMethodNote(c)]
    : [];
  const systemNotes = report.systems.map(
    (s) =>
      `- **${s.label}**${s.label.includes(s.backend) ? "" : ` on ${s.backend}`}. Tuning: ` +
      `${s.tuning}. Durability: ${s.durability}. "Completed" is ${s.completionPoint}.`,
  );
  return [
    "### Scenarios",
    "",
    ...scenarioNotes,
    ...httpNote,
    "",
    "Every run opens a fresh instance (a new SQLite file, PostgreSQL schema or Redis key " +
      "prefix) and deletes it afterwards, so no measurement sees another's rows; before each " +
      "run PostgreSQL is checkpointed (`CHECKPOINT`) and the machine rests 200 ms, so one " +
      "run's dirty pages are not flushed while the next is timed (the same pause samples how busy " +
      "the CPUs are, which is other work: see Machine). The job " +
      'payload is `{ "i": <index> }` and the handler does nothing. Every wait is bounded, so a ' +
      'broken system shows "failed: <reason>" instead of hanging the run.',
    "",
    "### Systems",
    "",
    ...systemNotes,
  ].join("\n");
}

/** The whole report as Markdown (docs/benchmarks.md). */
export function renderMarkdown(report: BenchReport): string {
  const c = report.config;
  const sections = report.scenarios.map(
    (scenario) => `### ${scenario.title}\n\n${renderScenarioTable(report, scenario)}`,
  );
  const quick = c.quick
    ? "\n> **Quick run** (`--quick`): tiny sizes and one run each; numbers are a smoke test only.\n"
    : "";
  return [
    "# Benchmarks",
    "",
    "<!-- Generated by `npm run bench` (bench/run.ts); edit the generator, not this file. -->",
    quick,
    "Spool against the job queues its users come from, side by side in one run on one machine: " +
      "Spool on SQLite and on PostgreSQL, graphile-worker and pg-boss on the same PostgreSQL " +
      "server, and BullMQ on Redis. Throughput numbers are medians of " +
      `${c.runs} run${c.runs === 1 ? "" : "s"} of ${c.throughputJobs.toLocaleString("en")} jobs ` +
      "(single enqueue: as many as fit in " +
      `${c.singleDurationMs / 1000} s); ratios compare a row with graphile-worker (the fastest ` +
      "PostgreSQL peer) and with BullMQ in the same run: above 1× is faster for throughput, " +
      "below 1× is faster for latency. The HTTP tables measure Spool's HTTP API " +
      "(issue #4; the peers have none), one run each.",
    "",
    "## Machine",
    "",
    renderMachine(report),
    "",
    "## Results",
    "",
    sections.join("\n\n"),
    "",
    "## Targets (issues #2 and #3)",
    "",
    ...(isNoisy(report)
      ? [
          "> Other work competed for the CPUs during this run (see Machine): a status close to " +
            "its line may flip on a quiet machine.",
          "",
        ]
      : []),
    renderTargets(report.targets),
    "",
    "Issue #4 (the HTTP API) sets no numeric targets: its figures are the HTTP tables above.",
    "",
    "## Method",
    "",
    renderMethod(report),
    "",
  ].join("\n");
}

/** The results and targets only, for the terminal. */
export function renderConsole(report: BenchReport): string {
  const sections = report.scenarios.map(
    (scenario) => `## ${scenario.title}\n\n${renderScenarioTable(report, scenario)}`,
  );
  return [...sections, `## Targets\n\n${renderTargets(report.targets)}`].join("\n\n");
}
