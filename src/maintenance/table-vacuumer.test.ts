import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { tableToVacuum } from "./table-vacuumer.js";

describe("tableToVacuum", () => {
  const thresholds = { minDeadRows: 10_000, deadFraction: 0.1 };

  it("picks the table with most dead rows among those over both thresholds", () => {
    const picked = tableToVacuum(
      [
        { table: "queues", liveRows: 4, deadRows: 9_000 },
        { table: "jobs", liveRows: 1_000_000, deadRows: 150_000 },
        { table: "job_events", liveRows: 100_000, deadRows: 200_000 },
      ],
      thresholds,
    );
    assert.equal(picked?.table, "job_events");
  });

  it("leaves a big table alone while its dead rows are a small fraction of it", () => {
    const tables = [{ table: "jobs", liveRows: 5_000_000, deadRows: 400_000 }];
    assert.equal(tableToVacuum(tables, thresholds), undefined);
  });

  it("leaves tables with few dead rows alone, however small", () => {
    assert.equal(
      tableToVacuum([{ table: "queues", liveRows: 1, deadRows: 500 }], thresholds),
      undefined,
    );
    assert.equal(tableToVacuum([], thresholds), undefined);
  });
});
