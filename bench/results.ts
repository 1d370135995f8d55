/**
 * The results of one benchmark run: an outcome per (scenario, system), plus lookups that the
 * report and the target checks share.
 */
import type { Measurement, ScenarioId } from "./scenarios.js";
import type { SystemId } from "./systems/system.js";

/** What happened when one scenario ran for one system. */
export type Outcome =
  | { status: "ok"; measurement: Measurement }
  | { status: "failed"; reason: string }
  | { status: "unavailable"; reason: string }
  | { status: "not-applicable" };

/** Outcomes by scenario, then by system. */
export class BenchResults {
  private readonly outcomes = new Map<ScenarioId, Map<SystemId, Outcome>>();

  /** Records an outcome. */
  set(scenario: ScenarioId, system: SystemId, outcome: Outcome): void {
    let bySystem = this.outcomes.get(scenario);
    if (bySystem === undefined) {
      bySystem = new Map();
      this.outcomes.set(scenario, bySystem);
    }
    bySystem.set(system, outcome);
  }

  /** The outcome, if the pair ran (or was skipped with a reason). */
  get(scenario: ScenarioId, system: SystemId): Outcome | undefined {
    return this.outcomes.get(scenario)?.get(system);
  }

  /** The measurement of a pair that ran successfully. */
  measurement(scenario: ScenarioId, system: SystemId): Measurement | undefined {
    const outcome = this.get(scenario, system);
    return outcome?.status === "ok" ? outcome.measurement : undefined;
  }

  /** Jobs/s of a successful throughput pair. */
  throughput(scenario: ScenarioId, system: SystemId): number | undefined {
    const m = this.measurement(scenario, system);
    return m?.kind === "throughput" ? m.jobsPerSecond : undefined;
  }

  /** Latency percentile (ms) of a successful latency or steady pair. */
  latency(scenario: ScenarioId, system: SystemId, which: "p50" | "p99"): number | undefined {
    const m = this.measurement(scenario, system);
    if (m?.kind === "latency") return m.latency[which];
    if (m?.kind === "steady") return m.latency?.[which];
    return undefined;
  }
}
