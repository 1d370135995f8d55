/** A maintenance service: a named, idempotent batch job that runs on an interval. */

/** One maintenance service. */
export interface MaintenanceService {
  /** Name for logs and metrics, e.g. `lease-rescuer`. */
  readonly name: string;
  /** How often it runs, ms. */
  readonly intervalMs: number;
  /** Does one round of work at time `now`; returns how many jobs it touched. */
  runOnce(now: number): Promise<number>;
}
