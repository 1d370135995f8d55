/**
 * The `route.optimize` demo handler: a real capacitated vehicle-routing heuristic over the
 * request shape of seed 000, reporting progress as the plan improves and stopping when its
 * signal is aborted (cancel, timeout, shutdown).
 *
 * Cost model: every vehicle burns `fuel_consumption_l_per_100km` litres per 100 km (default 12,
 * a light delivery van), so a route costs
 * `distance_km × fuel_consumption_l_per_100km / 100 × fuel_price`, and `total_cost` is the sum
 * over routes. The search minimises total distance (serving as many customers as capacity
 * allows first); cost is reported, not optimised separately.
 */
import { UnrecoverableError } from "../core/errors.js";
import type { JobHandler } from "../worker/handler.js";
import {
  DEFAULT_FUEL_CONSUMPTION_L_PER_100KM,
  compileProblem,
  routeRequestSchema,
  type RouteRequest,
  type VrpProblem,
} from "./vrp-problem.js";
import { solveVrp, type SolveResult } from "./vrp-solver.js";

/** One vehicle's route in the result. */
export interface RouteResult {
  vehicle_id: string | number;
  depot_id: string | number;
  /** Customers in visiting order (the route starts and ends at the depot). */
  stops: { customer_id: string | number; lat: number; lon: number; demand: number }[];
  load: number;
  capacity: number;
  distance_km: number;
  cost: number;
}

/** The job result of `route.optimize`. */
export interface RouteOptimizeResult {
  routes: RouteResult[];
  summary: {
    total_distance_km: number;
    total_cost: number;
    fuel_price: number;
    vehicles_used: number;
    customers_served: number;
    /** Ids of customers no vehicle had room for. */
    unassigned: (string | number)[];
    /** Length of the nearest-neighbour plan the search started from. */
    initial_distance_km: number;
    improvement_percent: number;
    rounds: number;
    elapsed_seconds: number;
    stopped_by: SolveResult["stoppedBy"];
  };
}

/** Validates a payload; a bad one fails the job at once (retrying cannot fix it). */
export function parseRouteRequest(payload: unknown): RouteRequest {
  const parsed = routeRequestSchema.safeParse(payload);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.map((part) =>
    typeof part === "number" ? `[${part}]` : `.${String(part)}`,
  );
  throw new UnrecoverableError(`payload${path.join("")}: ${issue.message}`);
}

/** `route.optimize`: see the module header. */
export const routeOptimize: JobHandler = async (job, ctx) => {
  const request = parseRouteRequest(job.payload);
  const problem = compileProblem(request);
  const solved = await solveVrp(problem, {
    now: () => performance.now(),
    timeLimitMs: request.time_limit_seconds * 1000,
    seed: request.seed,
    signal: ctx.signal,
    onProgress: (percent, message) => ctx.progress(percent, message),
  });
  return formatResult(problem, solved);
};

const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/** Turns the solver's plan into the JSON result (ids and coordinates from the request). */
export function formatResult(problem: VrpProblem, solved: SolveResult): RouteOptimizeResult {
  const { request, depotCount } = problem;
  const { best, initial } = solved;
  const routes: RouteResult[] = [];
  let totalCost = 0; // summed unrounded, then rounded once
  best.routes.forEach((route, v) => {
    if (route.length === 0) return;
    const vehicle = request.vehicles[v]!;
    const litresPerKm =
      (vehicle.fuel_consumption_l_per_100km ?? DEFAULT_FUEL_CONSUMPTION_L_PER_100KM) / 100;
    const cost = best.costs[v]! * litresPerKm * request.fuel_price;
    totalCost += cost;
    routes.push({
      vehicle_id: vehicle.id,
      depot_id: request.depots[problem.vehicleDepot[v]!]!.id,
      stops: route.map((point) => {
        const customer = request.customers[point - depotCount]!;
        return {
          customer_id: customer.id,
          lat: customer.lat,
          lon: customer.lon,
          demand: customer.demand,
        };
      }),
      load: best.loads[v]!,
      capacity: problem.capacity[v]!,
      distance_km: round(best.costs[v]!, 3),
      cost: round(cost, 2),
    });
  });
  const total = best.total();
  const initialKm = initial.total();
  return {
    routes,
    summary: {
      total_distance_km: round(total, 3),
      total_cost: round(totalCost, 2),
      fuel_price: request.fuel_price,
      vehicles_used: routes.length,
      customers_served: routes.reduce((sum, route) => sum + route.stops.length, 0),
      unassigned: best.unassigned.map((point) => request.customers[point - depotCount]!.id),
      initial_distance_km: round(initialKm, 3),
      improvement_percent: initialKm > 0 ? round(((initialKm - total) / initialKm) * 100, 2) : 0,
      rounds: solved.rounds,
      elapsed_seconds: round(solved.elapsedMs / 1000, 3),
      stopped_by: solved.stoppedBy,
    },
  };
}
