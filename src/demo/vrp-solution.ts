/**
 * A routing plan under construction: one sequence of customer points per vehicle (the depot is
 * implicit at both ends), with each route's load and distance kept up to date, plus the
 * customers no vehicle could take. Also the two constructive steps the solver uses: the
 * capacity-respecting nearest-neighbour tour and cheapest feasible insertion.
 */
import type { VrpProblem } from "./vrp-problem.js";

/** Tolerance for "strictly better": floating-point noise must not count as an improvement. */
export const EPS = 1e-9;

/** A plan; see the module header. */
export class Solution {
  /** Per vehicle: customer points in visiting order. */
  readonly routes: number[][];
  /** Per vehicle: the sum of its customers' demands. */
  readonly loads: number[];
  /** Per vehicle: its route's length in km, depot to depot. */
  readonly costs: number[];
  /** Customer points served by no vehicle. */
  unassigned: number[];

  constructor(
    readonly problem: VrpProblem,
    routes: number[][],
    unassigned: number[],
  ) {
    this.routes = routes;
    this.unassigned = unassigned;
    this.loads = routes.map((route) => route.reduce((sum, p) => sum + problem.demand[p]!, 0));
    this.costs = routes.map((_, v) => this.routeCost(v));
  }

  /** Distance between two points, km. */
  d(a: number, b: number): number {
    return this.problem.dist[a * this.problem.n + b]!;
  }

  /** Length of vehicle `v`'s route computed from scratch, km. */
  routeCost(v: number): number {
    const depot = this.problem.vehicleDepot[v]!;
    let cost = 0;
    let previous = depot;
    for (const point of this.routes[v]!) {
      cost += this.d(previous, point);
      previous = point;
    }
    return cost + this.d(previous, depot);
  }

  /** Recomputes the load and length of vehicle `v` after its route changed. */
  refresh(v: number): void {
    this.loads[v] = this.routes[v]!.reduce((sum, p) => sum + this.problem.demand[p]!, 0);
    this.costs[v] = this.routeCost(v);
  }

  /** Total length of all routes, km. */
  total(): number {
    return this.costs.reduce((sum, cost) => sum + cost, 0);
  }

  /** True when this plan is better: fewer unassigned customers first, then shorter. */
  betterThan(other: Solution, slackKm = 0): boolean {
    if (this.unassigned.length !== other.unassigned.length)
      return this.unassigned.length < other.unassigned.length;
    return this.total() < other.total() + slackKm - EPS;
  }

  /** A deep copy. */
  clone(): Solution {
    const copy = Object.create(Solution.prototype) as Solution;
    return Object.assign(copy, {
      problem: this.problem,
      routes: this.routes.map((route) => [...route]),
      loads: [...this.loads],
      costs: [...this.costs],
      unassigned: [...this.unassigned],
    });
  }

  /**
   * Inserts `point` where it lengthens the plan least among the vehicles with room for it;
   * returns false (changing nothing) when no vehicle has room.
   */
  insertCheapest(point: number): boolean {
    const demand = this.problem.demand[point]!;
    let best = Infinity;
    let bestVehicle = -1;
    let bestPosition = -1;
    this.routes.forEach((route, v) => {
      if (this.loads[v]! + demand > this.problem.capacity[v]! + EPS) return;
      const depot = this.problem.vehicleDepot[v]!;
      for (let p = 0; p <= route.length; p++) {
        const a = p === 0 ? depot : route[p - 1]!;
        const b = p === route.length ? depot : route[p]!;
        const delta = this.d(a, point) + this.d(point, b) - this.d(a, b);
        if (delta < best - EPS) {
          best = delta;
          bestVehicle = v;
          bestPosition = p;
        }
      }
    });
    if (bestVehicle < 0) return false;
    this.routes[bestVehicle]!.splice(bestPosition, 0, point);
    this.loads[bestVehicle]! += demand;
    this.costs[bestVehicle]! += best;
    return true;
  }
}

/**
 * The plain capacity-respecting nearest-neighbour plan: each vehicle in turn leaves its depot
 * and repeatedly drives to the nearest unserved customer whose demand still fits, returning
 * to the depot when none does. Customers left over when every vehicle is full are unassigned.
 */
export function nearestNeighbour(problem: VrpProblem): Solution {
  const served = new Uint8Array(problem.n);
  const routes = problem.vehicleDepot.map((depot, v) => {
    const route: number[] = [];
    let room = problem.capacity[v]!;
    let at = depot;
    for (;;) {
      let next = -1;
      let nearest = Infinity;
      for (const p of problem.customerPoints) {
        if (served[p] || problem.demand[p]! > room + EPS) continue;
        const km = problem.dist[at * problem.n + p]!;
        if (km < nearest) {
          nearest = km;
          next = p;
        }
      }
      if (next < 0) return route;
      served[next] = 1;
      room -= problem.demand[next]!;
      route.push(next);
      at = next;
    }
  });
  const unassigned = problem.customerPoints.filter((p) => !served[p]);
  return new Solution(problem, routes, unassigned);
}
