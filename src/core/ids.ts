/**
 * UUIDv7 ids (RFC 9562): 48 bits of Unix milliseconds, then a 12-bit counter that keeps ids
 * generated in the same millisecond in creation order ("method 1"), then 62 random bits.
 * Time-ordered ids make `ORDER BY id` a FIFO order and keep B-tree inserts at the right edge.
 */
import { randomFillSync } from "node:crypto";

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) =>
  i.toString(16).padStart(2, "0"),
);
const POOL_SIZE = 8 * 512;
const pool = new Uint8Array(POOL_SIZE);
let poolOffset = POOL_SIZE;
let lastMs = -1;
let counter = 0;

function randomBytes8(): Uint8Array {
  if (poolOffset + 8 > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + 8);
  poolOffset += 8;
  return bytes;
}

/** Returns a new UUIDv7 for time `nowMs`; ids are strictly increasing within this process. */
export function uuidv7(nowMs: number): string {
  let ms = Math.max(Math.floor(nowMs), lastMs);
  if (ms === lastMs) {
    counter += 1;
    if (counter > 0xfff) {
      ms += 1; // counter exhausted: borrow the next millisecond, as RFC 9562 §6.2 allows
      counter = 0;
    }
  } else {
    counter = 0;
  }
  lastMs = ms;
  const rand = randomBytes8();
  const hi = Math.floor(ms / 0x10000); // top 32 bits of the 48-bit timestamp
  const lo = ms % 0x10000; // bottom 16 bits
  const h = (n: number): string => HEX[n & 0xff]!;
  return (
    h(hi >>> 24) +
    h(hi >>> 16) +
    h(hi >>> 8) +
    h(hi) +
    "-" +
    h(lo >>> 8) +
    h(lo) +
    "-" +
    h(0x70 | (counter >>> 8)) +
    h(counter) +
    "-" +
    h(0x80 | (rand[0]! & 0x3f)) +
    h(rand[1]!) +
    "-" +
    h(rand[2]!) +
    h(rand[3]!) +
    h(rand[4]!) +
    h(rand[5]!) +
    h(rand[6]!) +
    h(rand[7]!)
  );
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `value` looks like a UUID (any version). */
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID_RE.test(value);
}

/** A random, unguessable token (128 bits, hex), used for lease tokens. */
export function randomToken(): string {
  const a = randomBytes8();
  const b = randomBytes8();
  let out = "";
  for (let i = 0; i < 8; i++) out += HEX[a[i]!]! + HEX[b[i]!]!;
  return out;
}
