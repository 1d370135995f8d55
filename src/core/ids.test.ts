/**
 * Unit tests of UUIDv7 ids (RFC 9562) and lease tokens. The generator keeps state per process
 * (last millisecond, counter); Node runs each test file in its own process and the tests of a
 * file in order, so each test below uses timestamps later than every earlier test's.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import { isUuid, randomToken, uuidv7 } from "./ids.js";

const V7_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The 48-bit Unix-millisecond timestamp at the front of a UUIDv7. */
function timestampOf(id: string): number {
  return parseInt(id.replace(/-/g, "").slice(0, 12), 16);
}

/** The 12-bit counter (`rand_a`) after the version nibble. */
function counterOf(id: string): number {
  return parseInt(id.slice(15, 18), 16);
}

let nextBase = Date.UTC(2040, 0, 1);
/** A timestamp later than any used so far in this file. */
function freshMs(): number {
  nextBase += 1_000_000_000; // beyond every offset a test adds
  return nextBase;
}

describe("uuidv7", () => {
  it("embeds the timestamp in the first 48 bits, big-endian", () => {
    // Runs first: 0x019a2b3c4d5e is later than anything generated before in this process.
    const ms = 0x019a_2b3c_4d5e;
    const id = uuidv7(ms);
    assert.ok(id.startsWith("019a2b3c-4d5e-7"), id);
    assert.equal(timestampOf(id), ms);
  });

  it("has the UUIDv7 layout: version 7, RFC 4122 variant, lower-case hex", () => {
    const base = freshMs();
    for (let i = 0; i < 2_000; i++) {
      const id = uuidv7(base + i);
      assert.match(id, V7_RE);
      const variantNibble = parseInt(id.charAt(19), 16);
      assert.equal(variantNibble >> 2, 0b10, `variant bits of ${id}`);
      assert.equal(id.charAt(14), "7", `version of ${id}`);
    }
  });

  it("decodes back to the given timestamp for many different times", () => {
    const base = freshMs();
    for (const offset of [0, 1, 255, 256, 65_535, 65_536, 65_537, 123_456_789]) {
      const ms = base + offset;
      assert.equal(timestampOf(uuidv7(ms)), ms, `offset ${offset}`);
    }
  });

  it("floors fractional milliseconds", () => {
    const ms = freshMs();
    assert.equal(timestampOf(uuidv7(ms + 0.9)), ms);
  });

  it("starts the counter at 0 in a new millisecond and counts up within it", () => {
    const ms = freshMs();
    assert.equal(counterOf(uuidv7(ms)), 0);
    assert.equal(counterOf(uuidv7(ms)), 1);
    assert.equal(counterOf(uuidv7(ms)), 2);
    assert.equal(counterOf(uuidv7(ms + 1)), 0);
  });

  it("is strictly increasing for 10,000 ids in the same millisecond", () => {
    const ms = freshMs();
    const ids = Array.from({ length: 10_000 }, () => uuidv7(ms));
    for (let i = 1; i < ids.length; i++) {
      assert.ok(ids[i - 1]! < ids[i]!, `ids[${i - 1}] < ids[${i}]: ${ids[i - 1]} ${ids[i]}`);
    }
    assert.equal(new Set(ids).size, ids.length);
    // 4,096 ids fit one millisecond's counter; the rest borrow the next milliseconds.
    assert.equal(timestampOf(ids[0]!), ms);
    assert.equal(timestampOf(ids[4_095]!), ms);
    assert.equal(timestampOf(ids[4_096]!), ms + 1);
    assert.equal(timestampOf(ids.at(-1)!), ms + 2);
  });

  it("stays strictly increasing when the clock goes backwards", () => {
    const ms = freshMs();
    const times = [ms, ms - 1, ms - 5_000, ms - 86_400_000, ms, ms + 1, ms - 10, ms + 1];
    const ids = times.map((t) => uuidv7(t));
    for (let i = 1; i < ids.length; i++) {
      assert.ok(ids[i - 1]! < ids[i]!, `after now=${times[i - 1]} then ${times[i]}`);
    }
    // A backwards step reuses the latest millisecond rather than going back in time.
    assert.equal(timestampOf(ids[1]!), ms);
    assert.equal(timestampOf(ids[5]!), ms + 1);
  });

  it("orders ids by time across milliseconds (string order = time order)", () => {
    const base = freshMs();
    const ids = [0, 1, 2, 300, 70_000, 5_000_000].map((offset) => uuidv7(base + offset));
    assert.deepEqual([...ids].sort(), ids);
  });

  it("fills the last 62 bits with random data", () => {
    const ms = freshMs();
    const tails = new Set(
      Array.from({ length: 5_000 }, () => uuidv7(ms).replace(/-/g, "").slice(17)),
    );
    assert.equal(tails.size, 5_000);
  });
});

describe("isUuid", () => {
  it("accepts UUIDs of any version, in either case", () => {
    const v7 = uuidv7(freshMs());
    assert.equal(isUuid(v7), true);
    assert.equal(isUuid(v7.toUpperCase()), true);
    assert.equal(isUuid(randomUUID()), true);
    assert.equal(isUuid("00000000-0000-0000-0000-000000000000"), true);
  });

  it("refuses anything else", () => {
    const v7 = uuidv7(freshMs());
    const bad: unknown[] = [
      "",
      "not-a-uuid",
      v7.replace(/-/g, ""),
      `{${v7}}`,
      `${v7}\n`,
      ` ${v7}`,
      `${v7}0`,
      v7.slice(0, -1),
      v7.replace(/[0-9a-f]$/, "g"),
      "0000000-00000-0000-0000-000000000000",
      42,
      null,
      undefined,
      {},
      [v7],
    ];
    for (const value of bad) assert.equal(isUuid(value), false, JSON.stringify(value));
  });
});

describe("randomToken", () => {
  it("is 128 bits as 32 lower-case hex characters", () => {
    for (let i = 0; i < 100; i++) assert.match(randomToken(), /^[0-9a-f]{32}$/);
  });

  it("is unique over 10,000 tokens (across refills of the random pool)", () => {
    const tokens = new Set(Array.from({ length: 10_000 }, () => randomToken()));
    assert.equal(tokens.size, 10_000);
  });

  it("does not repeat random bytes handed out to ids", () => {
    const ms = freshMs();
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const token = randomToken();
      const idTail = uuidv7(ms).replace(/-/g, "").slice(18);
      assert.equal(seen.has(token), false);
      seen.add(token);
      assert.equal(token.includes(idTail), false, "an id's random bytes reappear in a token");
    }
  });
});
