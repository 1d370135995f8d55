/**
 * Improvement moves for a routing plan, each applied only when it makes the plan strictly
 * shorter and keeps every vehicle within its capacity:
 *
 * - **2-opt** (within a route): reverse a stretch, removing two crossing edges;
 * - **or-opt** (within and between routes): move a run of 1–3 consecutive customers, either way
 *   round, to the best place in any route with room for it;
 * - **swap** (between routes): exchange two customers;
 * - **2-opt\*** (between routes): exchange the tails of two routes.
 *
 * All deltas are O(1) from the distance matrix (prefix sums for 2-opt\*), so a full pass over
 * 200 customers costs a few milliseconds; `localSearch` repeats passes until none improves.
 */
import { EPS, type Solution } from "./vrp-solution.js";

/** Longest run of customers or-opt moves at once. */
const OR_OPT_MAX_RUN = 3;

/** 2-opt on one route until no reversal shortens it. Returns true if anything changed. */
export function twoOpt(sol: Solution, v: number): boolean {
  const route = sol.routes[v]!;
  const depot = sol.problem.vehicleDepot[v]!;
  const n = route.length;
  // Position k of the route with the depot at both ends: 0 and n + 1 are the depot.
  const at = (k: number): number => (k === 0 || k === n + 1 ? depot : route[k - 1]!);
  let changed = false;
  let again = true;
  while (again) {
    again = false;
    for (let i = 1; i < n; i++) {
      for (let j = i + 1; j <= n; j++) {
        const delta =
          sol.d(at(i - 1), at(j)) +
          sol.d(at(i), at(j + 1)) -
          sol.d(at(i - 1), at(i)) -
          sol.d(at(j), at(j + 1));
        if (delta < -EPS) {
          reverse(route, i - 1, j - 1);
          sol.costs[v]! += delta;
          changed = again = true;
        }
      }
    }
  }
  return changed;
}

function reverse(route: number[], from: number, to: number): void {
  for (let i = from, j = to; i < j; i++, j--) [route[i], route[j]] = [route[j]!, route[i]!];
}

/** One or-opt pass over every run of every route. Returns true if anything changed. */
export function orOpt(sol: Solution): boolean {
  let changed = false;
  for (let v = 0; v < sol.routes.length; v++) {
    for (let length = 1; length <= OR_OPT_MAX_RUN; length++) {
      for (let i = 0; i + length <= sol.routes[v]!.length; i++) {
        if (moveRun(sol, v, i, length)) {
          changed = true;
          i = -1; // the route changed under the loop: scan it again from the start
        }
      }
    }
  }
  return changed;
}

/** Moves the run `routes[v][i..i+length)` to its best place if that is shorter. */
function moveRun(sol: Solution, v: number, i: number, length: number): boolean {
  const { problem } = sol;
  const route = sol.routes[v]!;
  const depot = problem.vehicleDepot[v]!;
  const first = route[i]!;
  const last = route[i + length - 1]!;
  const before = i === 0 ? depot : route[i - 1]!;
  const after = i + length === route.length ? depot : route[i + length]!;
  const removalGain = sol.d(before, first) + sol.d(last, after) - sol.d(before, after);
  let load = 0;
  for (let k = i; k < i + length; k++) load += problem.demand[route[k]!]!;
  const rest = [...route.slice(0, i), ...route.slice(i + length)];
  let best = -EPS;
  let target = -1;
  let position = -1;
  let reversed = false;
  for (let t = 0; t < sol.routes.length; t++) {
    if (t !== v && sol.loads[t]! + load > problem.capacity[t]! + EPS) continue;
    const base = t === v ? rest : sol.routes[t]!;
    const home = problem.vehicleDepot[t]!;
    for (let p = 0; p <= base.length; p++) {
      const a = p === 0 ? home : base[p - 1]!;
      const b = p === base.length ? home : base[p]!;
      const gap = sol.d(a, b);
      const forward = sol.d(a, first) + sol.d(last, b) - gap - removalGain;
      const backward = sol.d(a, last) + sol.d(first, b) - gap - removalGain;
      const delta = Math.min(forward, backward);
      if (delta < best) {
        best = delta;
        target = t;
        position = p;
        reversed = backward < forward;
      }
    }
  }
  if (target < 0) return false;
  const run = route.slice(i, i + length);
  if (reversed) run.reverse();
  if (target === v) {
    rest.splice(position, 0, ...run);
    sol.routes[v] = rest;
  } else {
    route.splice(i, length);
    sol.routes[target]!.splice(position, 0, ...run);
    sol.refresh(target);
  }
  sol.refresh(v);
  return true;
}

/** One pass exchanging pairs of customers between routes. Returns true if anything changed. */
export function swap(sol: Solution): boolean {
  const { problem } = sol;
  let changed = false;
  for (let v1 = 0; v1 < sol.routes.length; v1++) {
    for (let v2 = v1 + 1; v2 < sol.routes.length; v2++) {
      const r1 = sol.routes[v1]!;
      const r2 = sol.routes[v2]!;
      const d1 = problem.vehicleDepot[v1]!;
      const d2 = problem.vehicleDepot[v2]!;
      for (let i = 0; i < r1.length; i++) {
        for (let j = 0; j < r2.length; j++) {
          const u = r1[i]!;
          const w = r2[j]!;
          const shift = problem.demand[w]! - problem.demand[u]!;
          if (sol.loads[v1]! + shift > problem.capacity[v1]! + EPS) continue;
          if (sol.loads[v2]! - shift > problem.capacity[v2]! + EPS) continue;
          const p1 = i === 0 ? d1 : r1[i - 1]!;
          const n1 = i === r1.length - 1 ? d1 : r1[i + 1]!;
          const p2 = j === 0 ? d2 : r2[j - 1]!;
          const n2 = j === r2.length - 1 ? d2 : r2[j + 1]!;
          const delta =
            sol.d(p1, w) +
            sol.d(w, n1) -
            sol.d(p1, u) -
            sol.d(u, n1) +
            (sol.d(p2, u) + sol.d(u, n2) - sol.d(p2, w) - sol.d(w, n2));
          if (delta < -EPS) {
            r1[i] = w;
            r2[j] = u;
            sol.refresh(v1);
            sol.refresh(v2);
            changed = true;
          }
        }
      }
    }
  }
  return changed;
}

/** Prefix lengths, internal-edge suffix lengths and prefix loads of one route. */
interface RouteSums {
  /** `prefix[i]`: depot → route[0] → … → route[i−1]. */
  prefix: Float64Array;
  /** `inner[i]`: route[i] → … → route[last] (internal edges only). */
  inner: Float64Array;
  /** `load[i]`: demand of route[0..i). */
  load: Float64Array;
}

function sums(sol: Solution, v: number): RouteSums {
  const route = sol.routes[v]!;
  const depot = sol.problem.vehicleDepot[v]!;
  const n = route.length;
  const prefix = new Float64Array(n + 1);
  const inner = new Float64Array(n + 1);
  const load = new Float64Array(n + 1);
  for (let i = 1; i <= n; i++) {
    prefix[i] = prefix[i - 1]! + sol.d(i === 1 ? depot : route[i - 2]!, route[i - 1]!);
    load[i] = load[i - 1]! + sol.problem.demand[route[i - 1]!]!;
  }
  for (let i = n - 2; i >= 0; i--) inner[i] = inner[i + 1]! + sol.d(route[i]!, route[i + 1]!);
  return { prefix, inner, load };
}

/** Length of `x → tail[from..] → depot` (just `x → depot` for an empty tail). */
function join(
  sol: Solution,
  x: number,
  tail: number[],
  from: number,
  inner: Float64Array,
  depot: number,
): number {
  if (from === tail.length) return sol.d(x, depot);
  return sol.d(x, tail[from]!) + inner[from]! + sol.d(tail[tail.length - 1]!, depot);
}

/** One 2-opt\* pass: exchange route tails between pairs of routes. True if anything changed. */
export function twoOptStar(sol: Solution): boolean {
  const { problem } = sol;
  let changed = false;
  for (let v1 = 0; v1 < sol.routes.length; v1++) {
    for (let v2 = v1 + 1; v2 < sol.routes.length; v2++) {
      const a = sol.routes[v1]!;
      const b = sol.routes[v2]!;
      if (a.length === 0 && b.length === 0) continue;
      const sa = sums(sol, v1);
      const sb = sums(sol, v2);
      const da = problem.vehicleDepot[v1]!;
      const db = problem.vehicleDepot[v2]!;
      const loadA = sa.load[a.length]!;
      const loadB = sb.load[b.length]!;
      const old = sol.costs[v1]! + sol.costs[v2]!;
      let best = -EPS;
      let cutA = -1;
      let cutB = -1;
      for (let i = 0; i <= a.length; i++) {
        const xa = i === 0 ? da : a[i - 1]!;
        for (let j = 0; j <= b.length; j++) {
          if (sa.load[i]! + loadB - sb.load[j]! > problem.capacity[v1]! + EPS) continue;
          if (sb.load[j]! + loadA - sa.load[i]! > problem.capacity[v2]! + EPS) continue;
          const xb = j === 0 ? db : b[j - 1]!;
          const next =
            sa.prefix[i]! +
            join(sol, xa, b, j, sb.inner, da) +
            (sb.prefix[j]! + join(sol, xb, a, i, sa.inner, db));
          if (next - old < best) {
            best = next - old;
            cutA = i;
            cutB = j;
          }
        }
      }
      if (cutA < 0) continue;
      sol.routes[v1] = [...a.slice(0, cutA), ...b.slice(cutB)];
      sol.routes[v2] = [...b.slice(0, cutB), ...a.slice(cutA)];
      sol.refresh(v1);
      sol.refresh(v2);
      changed = true;
    }
  }
  return changed;
}

/**
 * Applies the moves until a full round improves nothing (a local optimum) or `shouldStop()`
 * says time is up. Returns the number of rounds run.
 */
export function localSearch(sol: Solution, shouldStop: () => boolean): number {
  let rounds = 0;
  for (;;) {
    rounds += 1;
    let changed = false;
    for (let v = 0; v < sol.routes.length; v++) changed = twoOpt(sol, v) || changed;
    changed = orOpt(sol) || changed;
    changed = swap(sol) || changed;
    changed = twoOptStar(sol) || changed;
    if (!changed || shouldStop()) return rounds;
  }
}
