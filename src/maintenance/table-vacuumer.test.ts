import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { tableToVacuum } from "./table-vacuumer.js";

describe("tableToVacuum", () => {
  const thresholds = {
    minDeadRows: 10_000,
    deadFraction: 0.1,
    minModifiedRows: 1_000,
    analyzeFraction: 0.1,
  };
  const health = (table: string, liveRows: number, deadRows: number, modified = 0) => ({
    table,
    liveRows,
    deadRows,
    modifiedSinceAnalyze: modified,
  });

  it("picks the table with most dead rows among those over both thresholds", () => {
    const picked = tableToVacuum(
      [
        health("queues", 4, 9_000),
        health("jobs", 1_000_000, 150_000),
        health("job_events", 100_000, 200_000),
      ],
      thresholds,
    );
    assert.deepEqual(picked, { table: "job_events", analyzeOnly: false });
  });

  it("leaves a big table alone while its dead rows are a small fraction of it", () => {
    const tables = [health("jobs", 5_000_000, 400_000)];
    assert.equal(tableToVacuum(tables, thresholds), undefined);
  });

  it("leaves tables with few dead rows alone, however small", () => {
    assert.equal(tableToVacuum([health("queues", 1, 500)], thresholds), undefined);
    assert.equal(tableToVacuum([], thresholds), undefined);
  });

  it("analyses a table much modified since its statistics when none needs a vacuum", () => {
    // A bulk load: a million inserted rows the planner has never counted.
    const loaded = [health("queues", 4, 0, 4), health("jobs", 0, 0, 1_000_000)];
    assert.deepEqual(tableToVacuum(loaded, thresholds), { table: "jobs", analyzeOnly: true });
    const fresh = [health("jobs", 1_000_000, 0, 50_000)];
    assert.equal(tableToVacuum(fresh, thresholds), undefined);
    const both = [health("jobs", 1_000_000, 0, 900_000), health("job_events", 100, 20_000)];
    assert.deepEqual(tableToVacuum(both, thresholds), { table: "job_events", analyzeOnly: false });
  });
});
