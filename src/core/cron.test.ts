/** Cron parsing and ticks (core/cron.ts): seconds optional, time zones, DST, bad input. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCron, tickUniqueKey } from "./cron.js";
import { SpoolValidationError } from "./errors.js";

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

describe("parseCron", () => {
  it("reads five fields, or six with seconds first", () => {
    const minutely = parseCron("*/15 * * * *");
    assert.equal(iso(minutely.nextAfter(at("2030-01-01T00:07:00Z"))), "2030-01-01T00:15:00.000Z");
    const everyTwoSeconds = parseCron("*/2 * * * * *");
    assert.equal(
      iso(everyTwoSeconds.nextAfter(at("2030-01-01T00:00:05.500Z"))),
      "2030-01-01T00:00:06.000Z",
    );
  });

  it("gives the latest tick at or before a time, the tick itself included", () => {
    const ticks = parseCron("0 * * * *");
    assert.equal(
      iso(ticks.latestAtOrBefore(at("2030-01-01T05:00:00Z"))),
      "2030-01-01T05:00:00.000Z",
    );
    assert.equal(
      iso(ticks.latestAtOrBefore(at("2030-01-01T05:59:59.999Z"))),
      "2030-01-01T05:00:00.000Z",
    );
    assert.equal(iso(ticks.nextAfter(at("2030-01-01T05:00:00Z"))), "2030-01-01T06:00:00.000Z");
  });

  it("reads the expression in its time zone, across daylight-saving changes", () => {
    const berlin = parseCron("30 2 * * *", "Europe/Berlin");
    // 2030-03-31: clocks jump from 02:00 to 03:00 in Berlin; the skipped 02:30 runs once, at 03:00
    // local (01:00 UTC); the days around it run at 02:30 local.
    const runs: (string | null)[] = [];
    let t = at("2030-03-29T12:00:00Z");
    for (let i = 0; i < 3; i++) {
      t = berlin.nextAfter(t)!;
      runs.push(iso(t));
    }
    assert.deepEqual(runs, [
      "2030-03-30T01:30:00.000Z",
      "2030-03-31T01:00:00.000Z",
      "2030-04-01T00:30:00.000Z",
    ]);
    // 2030-10-27: 02:30 happens twice in Berlin; it runs once.
    const autumn = berlin.nextAfter(at("2030-10-26T12:00:00Z"))!;
    assert.equal(iso(autumn), "2030-10-27T00:30:00.000Z");
    assert.equal(iso(berlin.nextAfter(autumn)), "2030-10-28T01:30:00.000Z");
  });

  it("refuses bad expressions and time zones, naming the field", () => {
    const field = (fn: () => unknown): string => {
      try {
        fn();
      } catch (error) {
        assert.ok(error instanceof SpoolValidationError);
        return error.field;
      }
      throw new Error("accepted");
    };
    assert.equal(
      field(() => parseCron("61 * * * *")),
      "cron",
    );
    assert.equal(
      field(() => parseCron("* * *")),
      "cron",
    );
    assert.equal(
      field(() => parseCron("* * * * * * *")),
      "cron",
    );
    assert.equal(
      field(() => parseCron("0 0 30 2 *")),
      "cron",
      "never fires",
    );
    assert.equal(
      field(() => parseCron("")),
      "cron",
    );
    assert.equal(
      field(() => parseCron("* * * * *", "Mars/Olympus")),
      "timezone",
    );
    assert.equal(
      field(() => parseCron("* * * * *", "")),
      "timezone",
    );
  });

  it("builds the tick's unique key from the name and the tick's ISO time", () => {
    assert.equal(
      tickUniqueKey("nightly", at("2030-01-01T03:00:00Z")),
      "schedule:nightly:2030-01-01T03:00:00.000Z",
    );
  });
});
