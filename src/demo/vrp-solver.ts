/**
 * The `route.optimize` search: nearest-neighbour construction, local search to a local optimum
 * (2-opt, or-opt, swap, 2-opt*), then iterated local search until the time limit — each round
 * removes a cluster of nearby customers ("ruin"), reinserts them where they cost least
 * ("recreate"), re-optimises, and keeps the result under a threshold-accepting rule whose
 * threshold shrinks to zero as time runs out. The best plan ever seen is returned.
 *
 * It works in slices of ~25 ms and yields to the event loop between them, so in-process
 * heartbeats, progress writes and the abort signal keep working even without a sandbox.
 * The random choices come from a seeded generator: a run is repeatable for a given number of
 * rounds (how many rounds fit in the limit depends on the machine).
 */
import { localSearch } from "./vrp-local-search.js";
import type { VrpProblem } from "./vrp-problem.js";
import { nearestNeighbour, type Solution } from "./vrp-solution.js";

/** Options of one search. */
export interface SolveOptions {
  /** Milliseconds since some origin (injected so tests can drive time). */
  now: () => number;
  /** Wall-clock budget of the whole search, ms. */
  timeLimitMs: number;
  /** Seed of the random choices. */
  seed: number;
  /** Stops the search; the reason is thrown. */
  signal?: AbortSignal;
  /** Receives progress (0–99, rising) and a message; awaited. Called at most every `reportEveryMs`. */
  onProgress?: (percent: number, message: string) => Promise<void> | void;
  /** Minimum time between progress reports, ms. Default 250. */
  reportEveryMs?: number;
  /** Stop early after this many rounds without a new best. Default max(500, 20 × customers). */
  stallRounds?: number;
}

/** What a search found. */
export interface SolveResult {
  best: Solution;
  /** The nearest-neighbour plan it started from. */
  initial: Solution;
  /** Ruin-and-recreate rounds run. */
  rounds: number;
  /** Why it stopped. */
  stoppedBy: "time_limit" | "stalled";
  elapsedMs: number;
}

/** Share of the time limit kept back for building the result and recording it. */
const SAFETY_MARGIN = 0.03;
/** Starting acceptance threshold, as a fraction of the best length. */
const START_THRESHOLD = 0.02;
const SLICE_MS = 25;

/** Runs the search; see the module header. */
export async function solveVrp(problem: VrpProblem, options: SolveOptions): Promise<SolveResult> {
  const { now } = options;
  const started = now();
  const deadline = started + options.timeLimitMs * (1 - SAFETY_MARGIN);
  const random = mulberry32(options.seed);
  const customers = problem.customerPoints.length;
  const stallRounds = options.stallRounds ?? Math.max(500, 20 * customers);
  const elapsedShare = (): number =>
    Math.min(1, (now() - started) / Math.max(1, deadline - started));
  const checkpoint = createCheckpoint(options, elapsedShare);
  const timeUp = (): boolean => now() >= deadline;

  const initial = nearestNeighbour(problem);
  const initialKm = initial.total();
  await checkpoint(() => `nearest neighbour: ${km(initialKm)}`, true);

  let current = initial.clone();
  localSearch(current, timeUp);
  let best = current.clone();
  const describe = (): string =>
    `best ${km(best.total())} (${percentBelow(best.total(), initialKm)} below nearest neighbour)` +
    (best.unassigned.length > 0 ? `, ${best.unassigned.length} unassigned` : "");
  await checkpoint(describe, true);

  let rounds = 0;
  let sinceBest = 0;
  while (!timeUp() && sinceBest < stallRounds) {
    rounds += 1;
    sinceBest += 1;
    const candidate = current.clone();
    ruinAndRecreate(candidate, random);
    localSearch(candidate, timeUp);
    const threshold = START_THRESHOLD * (1 - elapsedShare()) * best.total();
    if (candidate.betterThan(current, threshold)) current = candidate;
    if (current.betterThan(best)) {
      best = current.clone();
      sinceBest = 0;
    }
    await checkpoint(() => `round ${rounds}: ${describe()}`);
  }
  return {
    best,
    initial,
    rounds,
    stoppedBy: sinceBest >= stallRounds ? "stalled" : "time_limit",
    elapsedMs: now() - started,
  };
}

/**
 * The search's pause point: yields to the event loop once a slice is used up (or when
 * `force`d), throws the abort reason, and reports progress at most every `reportEveryMs`
 * (always when forced), never going down. `elapsedShare` is the share of the time used, 0–1.
 */
function createCheckpoint(
  options: SolveOptions,
  elapsedShare: () => number,
): (message: () => string, force?: boolean) => Promise<void> {
  const { now, signal } = options;
  const reportEveryMs = options.reportEveryMs ?? 250;
  let lastReport = -Infinity;
  let lastPercent = 0;
  let sliceStart = now();
  return async (message, force = false) => {
    if (now() - sliceStart >= SLICE_MS || force) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sliceStart = now();
    }
    if (signal?.aborted) throw signal.reason;
    if (options.onProgress === undefined || (!force && now() - lastReport < reportEveryMs)) return;
    const percent = Math.max(lastPercent, Math.min(99, Math.floor(5 + 94 * elapsedShare())));
    lastPercent = percent;
    lastReport = now();
    await options.onProgress(percent, message());
  };
}

/**
 * Removes a seed customer and up to k−1 of its nearest neighbours (a geographic cluster, so
 * that reinsertion can rebuild that neighbourhood differently), then reinserts them — and any
 * customer still unassigned — in random order at their cheapest feasible places.
 */
function ruinAndRecreate(sol: Solution, random: () => number): void {
  const { problem } = sol;
  const customers = problem.customerPoints.length;
  if (customers < 2) return;
  const size = 2 + Math.floor(random() * Math.max(1, Math.min(30, customers * 0.15)));
  const seed = problem.customerPoints[Math.floor(random() * customers)]!;
  const removed = new Set<number>([seed]);
  for (const point of problem.neighbours[seed - problem.depotCount]!) {
    if (removed.size >= size) break;
    if (random() < 0.8) removed.add(point);
  }
  sol.routes.forEach((route, v) => {
    const kept = route.filter((point) => !removed.has(point));
    if (kept.length !== route.length) {
      sol.routes[v] = kept;
      sol.refresh(v);
    }
  });
  const pending = [...sol.unassigned.filter((point) => !removed.has(point)), ...removed];
  shuffle(pending, random);
  sol.unassigned = pending.filter((point) => !sol.insertCheapest(point));
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

/** A small, fast seeded generator (mulberry32) returning numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function km(value: number): string {
  return `${value.toFixed(1)} km`;
}

function percentBelow(value: number, reference: number): string {
  return reference <= 0 ? "0%" : `${(((reference - value) / reference) * 100).toFixed(1)}%`;
}
