/**
 * Prometheus metrics (GET /metrics). Job counts by state and queue are read from the store at
 * scrape time; counters and run/wait-time histograms are fed by the event log, so they count
 * the work of every process, not only this server's.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { SpoolAdmin } from "../spool-admin.js";
import type { StoredJobEvent } from "../store/store.js";

const DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600,
];

/** The server's metrics. */
export class SpoolMetrics {
  readonly registry = new Registry();
  private readonly submitted: Counter<"queue">;
  private readonly completed: Counter<"queue">;
  private readonly failed: Counter<"queue">;
  private readonly retried: Counter<"queue">;
  private readonly cancelled: Counter<"queue">;
  private readonly runSeconds: Histogram<"queue">;
  private readonly waitSeconds: Histogram<"queue">;
  readonly httpRequests: Counter<"method" | "route" | "status">;

  constructor(admin: SpoolAdmin) {
    // Event-loop delay sampled every 100 ms (the 10 ms default wakes an idle server 100×/s).
    collectDefaultMetrics({
      register: this.registry,
      prefix: "spool_process_",
      eventLoopMonitoringPrecision: 100,
    });
    const registers = [this.registry];
    new Gauge({
      name: "spool_jobs",
      help: "Jobs by queue and state (finished jobs until retention prunes them)",
      labelNames: ["queue", "state"],
      registers,
      async collect() {
        this.reset();
        // Only the counts are used: a zero window reads no duration samples.
        for (const queue of await admin.queueStats({ windowMs: 0 })) {
          for (const [state, n] of Object.entries(queue.counts))
            this.set({ queue: queue.name, state }, n);
        }
      },
    });
    const counter = (name: string, help: string): Counter<"queue"> =>
      new Counter({ name, help, labelNames: ["queue"], registers });
    this.submitted = counter("spool_jobs_submitted_total", "Jobs submitted");
    this.completed = counter("spool_jobs_completed_total", "Jobs completed");
    this.failed = counter(
      "spool_jobs_failed_total",
      "Jobs failed for good (attempts used up or unrecoverable)",
    );
    this.retried = counter("spool_jobs_retried_total", "Failed attempts that will be retried");
    this.cancelled = counter("spool_jobs_cancelled_total", "Jobs cancelled");
    this.runSeconds = new Histogram({
      name: "spool_job_run_seconds",
      help: "Run time of completed attempts",
      labelNames: ["queue"],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.waitSeconds = new Histogram({
      name: "spool_job_wait_seconds",
      help: "Time from runAt to start",
      labelNames: ["queue"],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.httpRequests = new Counter({
      name: "spool_http_requests_total",
      help: "HTTP requests",
      labelNames: ["method", "route", "status"],
      registers,
    });
  }

  /** Counts one job event (subscribe this to the event feed). */
  observe(event: StoredJobEvent): void {
    const labels = { queue: event.queue };
    switch (event.name) {
      case "job.queued":
        if (event.data.reason === "submitted") this.submitted.inc(labels);
        break;
      case "job.started":
        if (typeof event.data.waitMs === "number")
          this.waitSeconds.observe(labels, event.data.waitMs / 1000);
        break;
      case "job.completed":
        this.completed.inc(labels);
        if (typeof event.data.runMs === "number")
          this.runSeconds.observe(labels, event.data.runMs / 1000);
        break;
      case "job.failed":
        this.failed.inc(labels);
        break;
      case "job.retrying":
        this.retried.inc(labels);
        break;
      case "job.cancelled":
        this.cancelled.inc(labels);
        break;
      default:
        break;
    }
  }
}
