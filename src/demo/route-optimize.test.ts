/**
 * `route.optimize` on the shipped 200-customer example, run by a real worker on a SQLite file:
 * it finishes within its time limit, reports rising progress, respects capacities, serves every
 * customer exactly once, and beats a plain nearest-neighbour tour the test computes itself.
 * Also: insufficient capacity (customers listed unassigned), cancellation, a bad payload.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { Spool, type JobEventMap, type JobRecord, type JsonObject, type Worker } from "../index.js";
import { tempSqliteUrl } from "../../test/helpers/temp-dir.js";
import { nextEvent, waitFor } from "../../test/helpers/wait-for.js";
import { demoHandlers } from "./handlers.js";
import type { RouteOptimizeResult } from "./route-optimize.js";
import { compileProblem, routeRequestSchema } from "./vrp-problem.js";
import { solveVrp } from "./vrp-solver.js";
import { formatResult } from "./route-optimize.js";

interface Place {
  id: string;
  lat: number;
  lon: number;
}
interface Request {
  depots: Place[];
  customers: (Place & { demand: number })[];
  vehicles: { id: string; capacity: number; depot_id: string }[];
  fuel_price: number;
  time_limit_seconds: number;
}

const example = JSON.parse(
  readFileSync(new URL("../../examples/route-request.json", import.meta.url), "utf8"),
) as Request;

/** A request as a job payload. */
const payload = (request: Request): JsonObject => request as unknown as JsonObject;

/** Haversine, written again here so the check does not trust the code under test. */
function km(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const r = Math.PI / 180;
  const h =
    Math.sin(((b.lat - a.lat) * r) / 2) ** 2 +
    Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(((b.lon - a.lon) * r) / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.sqrt(h));
}

/** The plain nearest-neighbour plan: each vehicle in turn takes the nearest customer that fits. */
function nearestNeighbourKm(request: Request): { km: number; served: number } {
  const left = new Set(request.customers);
  let total = 0;
  for (const vehicle of request.vehicles) {
    const depot = request.depots.find((d) => d.id === vehicle.depot_id)!;
    let at: { lat: number; lon: number } = depot;
    let room = vehicle.capacity;
    for (;;) {
      let next: (typeof request.customers)[number] | undefined;
      for (const c of left) if (c.demand <= room && (!next || km(at, c) < km(at, next))) next = c;
      if (next === undefined) break;
      total += km(at, next);
      room -= next.demand;
      left.delete(next);
      at = next;
    }
    total += km(at, depot);
  }
  return { km: total, served: request.customers.length - left.size };
}

/** Checks a result against its request: capacities, each customer once, distances. */
function checkPlan(request: Request, result: RouteOptimizeResult): number {
  const seen = new Map<string, number>();
  let total = 0;
  for (const route of result.routes) {
    const vehicle = request.vehicles.find((v) => v.id === route.vehicle_id)!;
    const depot = request.depots.find((d) => d.id === vehicle.depot_id)!;
    const load = route.stops.reduce(
      (sum, stop) => sum + request.customers.find((c) => c.id === stop.customer_id)!.demand,
      0,
    );
    assert.equal(route.load, load, `route ${route.vehicle_id} load`);
    assert.ok(load <= vehicle.capacity, `route ${route.vehicle_id} exceeds its capacity`);
    let at: { lat: number; lon: number } = depot;
    let length = 0;
    for (const stop of route.stops) {
      seen.set(String(stop.customer_id), (seen.get(String(stop.customer_id)) ?? 0) + 1);
      length += km(at, stop);
      at = stop;
    }
    length += km(at, depot);
    assert.ok(Math.abs(length - route.distance_km) < 0.01, `route ${route.vehicle_id} length`);
    total += length;
  }
  for (const id of result.summary.unassigned) seen.set(String(id), (seen.get(String(id)) ?? 0) + 1);
  for (const customer of request.customers) {
    assert.equal(seen.get(customer.id), 1, `customer ${customer.id} must appear exactly once`);
  }
  assert.ok(Math.abs(total - result.summary.total_distance_km) < 0.01);
  return total;
}

describe("route.optimize", () => {
  let spool: Spool;
  let worker: Worker;

  before(async () => {
    spool = await Spool.open({ url: tempSqliteUrl() });
    worker = spool.worker({ handlers: demoHandlers, concurrency: 2, pollIntervalMs: 50 });
    await worker.start();
  });
  after(async () => {
    await worker.stop({ graceMs: 0 });
    await spool.close();
  });

  const finished = (id: string): Promise<JobRecord> =>
    waitFor(
      async () => {
        const job = await spool.get(id);
        return job !== null && ["completed", "failed", "cancelled"].includes(job.status)
          ? job
          : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 20 },
    );

  it("optimises the 200-customer example within its time limit, below nearest neighbour", async () => {
    const limitSeconds = 3;
    const request = { ...example, time_limit_seconds: limitSeconds };
    assert.equal(request.customers.length, 200);
    const progress: number[] = [];
    spool.on("job.progress", (e) => progress.push(e.progress));
    const submitted = await spool.enqueue("route.optimize", payload(request));
    // The log delivers the job's progress events before its `job.completed`.
    await nextEvent<JobEventMap["job.completed"]>(
      (listener) => spool.on("job.completed", listener),
      (e) => e.jobId === submitted.id,
      30_000,
    );
    const job = await finished(submitted.id);
    assert.equal(job.status, "completed", JSON.stringify(job.error));
    const result = job.result as unknown as RouteOptimizeResult;

    // Within the limit: the solver's own clock, and the job's run time with a second to spare
    // for encoding and recording the result.
    assert.ok(result.summary.elapsed_seconds <= limitSeconds);
    assert.ok(job.completedAt!.getTime() - job.startedAt!.getTime() <= (limitSeconds + 1) * 1000);

    assert.ok(progress.length >= 5, `only ${progress.length} progress reports`);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]! >= progress[i - 1]!);
    assert.ok(progress.at(-1)! > progress[0]!, "progress must rise");

    const total = checkPlan(request, result);
    assert.deepEqual(result.summary.unassigned, []);
    const nn = nearestNeighbourKm(request);
    assert.equal(nn.served, 200, "the example has room for every customer");
    assert.ok(total <= nn.km, `optimised ${total} km > nearest neighbour ${nn.km} km`);
    assert.ok(result.summary.vehicles_used <= request.vehicles.length);
    console.log(
      `route.optimize: ${total.toFixed(1)} km vs nearest neighbour ${nn.km.toFixed(1)} km ` +
        `(${(((nn.km - total) / nn.km) * 100).toFixed(1)}% shorter, ${result.summary.rounds} rounds)`,
    );
  });

  it("lists customers no vehicle has room for as unassigned", async () => {
    const request: Request = {
      ...example,
      customers: example.customers.slice(0, 40),
      vehicles: [{ id: "small", capacity: 60, depot_id: "D-EU" }],
      time_limit_seconds: 0.3,
    };
    const problem = compileProblem(routeRequestSchema.parse(request));
    const solved = await solveVrp(problem, {
      now: () => performance.now(),
      timeLimitMs: 300,
      seed: 1,
    });
    const result = formatResult(problem, solved);
    checkPlan(request, result);
    assert.ok(result.summary.unassigned.length > 0);
    assert.ok(result.routes[0]!.load <= 60);
  });

  it("stops when cancelled", async () => {
    const submitted = await spool.enqueue(
      "route.optimize",
      payload({ ...example, time_limit_seconds: 60 }),
    );
    await waitFor(async () => (await spool.get(submitted.id))?.status === "running", {
      timeoutMs: 10_000,
    });
    await spool.cancel(submitted.id);
    const job = await finished(submitted.id);
    assert.equal(job.status, "cancelled");
  });

  it("fails at once, naming the field, on a bad payload", async () => {
    const submitted = await spool.enqueue(
      "route.optimize",
      payload({ ...example, customers: [{ id: "x", lat: 95, lon: 0, demand: 1 }] }),
    );
    const job = await finished(submitted.id);
    assert.equal(job.status, "failed");
    assert.equal(job.attempt, 1, "a bad payload is not retried");
    assert.match(job.error!.message, /payload\.customers\[0\]\.lat/);
  });
});
