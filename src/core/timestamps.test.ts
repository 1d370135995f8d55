import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SpoolValidationError } from "./errors.js";
import { parseTimestamp } from "./timestamps.js";

describe("parseTimestamp", () => {
  test("reads RFC 3339 timestamps with a zone", () => {
    assert.equal(
      parseTimestamp("2024-01-01T10:00:00Z", "run_at").toISOString(),
      "2024-01-01T10:00:00.000Z",
    );
    assert.equal(
      parseTimestamp("2024-02-29T23:30:00.250+02:00", "run_at").toISOString(),
      "2024-02-29T21:30:00.250Z",
    );
    assert.equal(
      parseTimestamp("2024-01-01t00:00:00-01:30", "run_at").toISOString(),
      "2024-01-01T01:30:00.000Z",
    );
  });

  for (const text of [
    "2023-02-29T00:00:00Z",
    "2024-04-31T00:00:00Z",
    "2024-13-01T00:00:00Z",
    "2024-01-01T24:00:00Z",
    "2024-01-01T10:60:00Z",
    "2024-01-01T10:00:00+24:00",
  ]) {
    test(`refuses the impossible ${text}`, () => {
      assert.throws(
        () => parseTimestamp(text, "run_at"),
        (error: unknown) => error instanceof SpoolValidationError && error.field === "run_at",
      );
    });
  }

  for (const text of [
    "2024-01-01 10:00",
    "2024-01-01T10:00:00",
    "2024-01-01",
    "1704103200",
    "",
    "now",
  ]) {
    test(`refuses ${JSON.stringify(text)} (no zone or not RFC 3339)`, () => {
      assert.throws(
        () => parseTimestamp(text, "run_at"),
        (error: unknown) => error instanceof SpoolValidationError && error.field === "run_at",
      );
    });
  }
});
