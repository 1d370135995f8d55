/**
 * The `route.optimize` request (the shape of seed 000: depots, customers with coordinates and
 * demands, vehicles with capacities, a fuel price and a time limit), its zod schema, and the
 * compiled problem the solver works on: every place as a point index (depots first, then
 * customers) with a precomputed haversine distance matrix in km.
 */
import { z } from "zod";

/** Mean Earth radius, km (IUGG). */
const EARTH_RADIUS_KM = 6371.0088;
/** Fuel use of a vehicle that does not state its own: a light delivery van, litres per 100 km. */
export const DEFAULT_FUEL_CONSUMPTION_L_PER_100KM = 12;
/** Time limit when the request gives none, seconds. */
export const DEFAULT_TIME_LIMIT_SECONDS = 10;
/** Largest instance accepted: the matrix is n² doubles (5,001² × 8 B ≈ 200 MB would be too much). */
const MAX_CUSTOMERS = 2_000;

const id = z.union([z.string().min(1).max(200), z.number().int()]);
const lat = z.number().min(-90).max(90);
const lon = z.number().min(-180).max(180);

/** The JSON request of `route.optimize` (snake_case, as the seed's clients send it). */
export const routeRequestSchema = z
  .object({
    depots: z.array(z.object({ id, lat, lon }).loose()).min(1).max(100),
    customers: z
      .array(z.object({ id, lat, lon, demand: z.number().min(0).max(1e9).default(1) }).loose())
      .min(1)
      .max(MAX_CUSTOMERS),
    vehicles: z
      .array(
        z
          .object({
            id,
            capacity: z.number().positive().max(1e12),
            depot_id: id.optional(),
            fuel_consumption_l_per_100km: z.number().min(0).max(1000).optional(),
          })
          .loose(),
      )
      .min(1)
      .max(1_000),
    fuel_price: z.number().min(0).max(1e6).default(0),
    time_limit_seconds: z.number().positive().max(3_600).default(DEFAULT_TIME_LIMIT_SECONDS),
    /** Seed of the solver's random choices: the same request and seed give the same search. */
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(1),
  })
  .loose()
  .superRefine((request, ctx) => {
    unique(request.depots, "depots", ctx);
    unique(request.customers, "customers", ctx);
    unique(request.vehicles, "vehicles", ctx);
    const depotIds = new Set(request.depots.map((depot) => String(depot.id)));
    request.vehicles.forEach((vehicle, i) => {
      if (vehicle.depot_id !== undefined && !depotIds.has(String(vehicle.depot_id))) {
        ctx.addIssue({
          code: "custom",
          path: ["vehicles", i, "depot_id"],
          message: `no depot has id ${JSON.stringify(vehicle.depot_id)}`,
        });
      }
    });
  });

/** A validated request. */
export type RouteRequest = z.output<typeof routeRequestSchema>;

function unique(items: readonly { id: string | number }[], field: string, ctx: z.RefinementCtx) {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const key = String(item.id);
    if (seen.has(key)) {
      ctx.addIssue({ code: "custom", path: [field, i, "id"], message: `duplicate id ${key}` });
    }
    seen.add(key);
  });
}

/** A request compiled for the solver. Points are depots (0…depotCount−1), then customers. */
export interface VrpProblem {
  request: RouteRequest;
  /** Number of points. */
  n: number;
  depotCount: number;
  /** Distance between points i and j in km: `dist[i * n + j]` (symmetric). */
  dist: Float64Array;
  /** Demand at each point (0 at depots). */
  demand: Float64Array;
  /** Point index of each customer, in request order. */
  customerPoints: number[];
  /** Per vehicle: the point index of its depot, its capacity. */
  vehicleDepot: number[];
  capacity: number[];
  /** Per customer point (index − depotCount): other customers' points, nearest first. */
  neighbours: number[][];
}

/** Great-circle distance in km between two (lat, lon) positions given in degrees. */
export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Builds the matrix and lookup tables of a validated request. */
export function compileProblem(request: RouteRequest): VrpProblem {
  const places = [...request.depots, ...request.customers];
  const n = places.length;
  const dist = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const a = places[i]!;
    for (let j = i + 1; j < n; j++) {
      const b = places[j]!;
      const km = haversineKm(a.lat, a.lon, b.lat, b.lon);
      dist[i * n + j] = km;
      dist[j * n + i] = km;
    }
  }
  const depotCount = request.depots.length;
  const demand = new Float64Array(n);
  request.customers.forEach((customer, i) => (demand[depotCount + i] = customer.demand));
  const depotIndex = new Map(request.depots.map((depot, i) => [String(depot.id), i]));
  const customerPoints = request.customers.map((_, i) => depotCount + i);
  const neighbours = customerPoints.map((p) =>
    customerPoints.filter((q) => q !== p).sort((a, b) => dist[p * n + a]! - dist[p * n + b]!),
  );
  return {
    request,
    n,
    depotCount,
    dist,
    demand,
    customerPoints,
    vehicleDepot: request.vehicles.map((vehicle) =>
      vehicle.depot_id === undefined ? 0 : depotIndex.get(String(vehicle.depot_id))!,
    ),
    capacity: request.vehicles.map((vehicle) => vehicle.capacity),
    neighbours,
  };
}
