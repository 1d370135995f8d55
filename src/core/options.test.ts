/**
 * Unit tests of submission validation and defaults: every rule names the field and says why
 * (SPEC §2 "400 names the field"), and defaults apply in the order explicit > queue > Spool.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_BACKOFF } from "./backoff.js";
import { SpoolError, SpoolValidationError } from "./errors.js";
import {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_QUEUE,
  DEFAULT_TENANT,
  DEFAULT_TIMEOUT_MS,
  MAX_DELAY_MS,
  MAX_TIMEOUT_MS,
  assertInteger,
  assertJobType,
  assertQueueName,
  encodeResult,
  newJobRecord,
  resolveJob,
  validateEnqueue,
  validateProgress,
  type QueueDefaults,
} from "./options.js";

const NOW = Date.UTC(2030, 0, 1);
const ID = "01900000-0000-7000-8000-000000000000";
const LIMITS = { maxPayloadBytes: 1_048_576 };
const YEAR_MS = 365 * 24 * 3_600_000;

function validate(type: unknown, payload: unknown, options?: unknown, prefix?: string) {
  return validateEnqueue(type, payload, options, {
    id: ID,
    now: NOW,
    limits: LIMITS,
    ...(prefix === undefined ? {} : { prefix }),
  });
}

/** Asserts that `fn` throws a SpoolValidationError for `field` whose reason matches `why`. */
function assertInvalid(fn: () => unknown, field: string, why: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof SpoolValidationError, `expected SpoolValidationError: ${error}`);
    assert.ok(error instanceof SpoolError);
    assert.equal(error.code, "validation_error");
    assert.equal(error.field, field);
    assert.equal(error.details?.field, field);
    assert.match(error.message, why);
    assert.ok(error.message.startsWith(`${field}: `), error.message);
    return true;
  });
}

const circular = (): Record<string, unknown> => {
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  return o;
};

describe("validateEnqueue: defaults", () => {
  it("fills every default for a bare submission", () => {
    assert.deepEqual(validate("email.send", undefined), {
      id: ID,
      tenant: DEFAULT_TENANT,
      queue: DEFAULT_QUEUE,
      type: "email.send",
      payload: {},
      payloadJson: "{}",
      priority: 0,
      runAt: null,
      maxAttempts: null,
      timeoutMs: null,
      backoff: {},
      uniqueKey: null,
      tags: [],
      webhookUrl: null,
      concurrencyKey: null,
    });
    assert.equal(DEFAULT_QUEUE, "default");
  });

  it("keeps every given option", () => {
    const input = validate(
      "route.optimize",
      { stops: [1, 2], depot: { lat: 1.5 } },
      {
        queue: "routes-eu.1",
        tenant: "acme:prod",
        priority: -20,
        delay: 5_000,
        maxAttempts: 7,
        timeout: 60_000,
        backoff: { baseMs: 10, capMs: 20 },
        uniqueKey: "order-17",
        tags: ["eu", "urgent"],
        webhookUrl: "https://example.com/hook",
        concurrencyKey: "user-7",
      },
    );
    assert.deepEqual(input, {
      id: ID,
      tenant: "acme:prod",
      queue: "routes-eu.1",
      type: "route.optimize",
      payload: { stops: [1, 2], depot: { lat: 1.5 } },
      payloadJson: '{"stops":[1,2],"depot":{"lat":1.5}}',
      priority: -20,
      runAt: NOW + 5_000,
      maxAttempts: 7,
      timeoutMs: 60_000,
      backoff: { baseMs: 10, capMs: 20 },
      uniqueKey: "order-17",
      tags: ["eu", "urgent"],
      webhookUrl: "https://example.com/hook",
      concurrencyKey: "user-7",
    });
  });

  it("an options object with undefined values means the defaults", () => {
    const input = validate("t", {}, { queue: undefined, priority: undefined, delayMs: undefined });
    assert.equal(input.queue, "default");
    assert.equal(input.priority, 0);
  });
});

describe("validateEnqueue: type", () => {
  it("accepts type names of [A-Za-z0-9_.:-]{1,128}", () => {
    for (const type of ["a", "route.optimize", "Email:Send-v2_x", "x".repeat(128)]) {
      assert.equal(validate(type, {}).type, type);
    }
  });

  it("refuses a non-string type", () => {
    for (const type of [42, undefined, null, {}, ["a"]]) {
      assertInvalid(() => validate(type, {}), "type", /must be a string/);
    }
  });

  it("refuses empty, too long and badly spelled type names", () => {
    for (const type of ["", "x".repeat(129), "has space", "slash/y", "ünïcode", "a\nb"]) {
      assertInvalid(() => validate(type, {}), "type", /must match \[A-Za-z0-9_\.:-\]\{1,128\}/);
    }
  });
});

describe("validateEnqueue: queue", () => {
  it("accepts queue names of [a-z0-9_.-]{1,64}", () => {
    for (const queue of ["a", "default", "emails_eu-1.high", "q".repeat(64)]) {
      assert.equal(validate("t", {}, { queue }).queue, queue);
    }
  });

  it("refuses upper case, empty, too long and other characters", () => {
    for (const queue of ["Default", "", "q".repeat(65), "a b", "a/b", "a:b", "é"]) {
      assertInvalid(() => validate("t", {}, { queue }), "queue", /must match \[a-z0-9_\.-\]/);
    }
  });

  it("refuses a non-string queue", () => {
    for (const queue of [42, ["default"], {}]) {
      assertInvalid(() => validate("t", {}, { queue }), "queue", /must be a string/);
    }
  });
});

describe("validateEnqueue: tenant", () => {
  it("refuses a bad tenant", () => {
    for (const tenant of ["", "a b", 7, "t".repeat(129)]) {
      assertInvalid(() => validate("t", {}, { tenant }), "tenant", /must match/);
    }
  });
});

describe("validateEnqueue: payload", () => {
  it("undefined means an empty object", () => {
    const input = validate("t", undefined);
    assert.deepEqual(input.payload, {});
    assert.equal(input.payloadJson, "{}");
  });

  it("accepts a plain object and a null-prototype object", () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.k = "v";
    assert.equal(validate("t", bare).payloadJson, '{"k":"v"}');
    assert.equal(validate("t", { a: null, b: [true] }).payloadJson, '{"a":null,"b":[true]}');
  });

  it("refuses a payload that is not a JSON object (null included)", () => {
    for (const payload of [null, [], [1], "text", 42, true, new Date(), new Map()]) {
      assertInvalid(() => validate("t", payload), "payload", /must be a JSON object/);
    }
  });

  const nested: [label: string, payload: unknown, field: string][] = [
    ["a function", { fn: () => 1 }, "payload.fn"],
    ["a BigInt", { big: 1n }, "payload.big"],
    ["NaN", { n: NaN }, "payload.n"],
    ["Infinity", { deep: { inf: Infinity } }, "payload.deep.inf"],
    ["-Infinity", { x: -Infinity }, "payload.x"],
    ["a Date", { when: new Date(0) }, "payload.when"],
    ["a Map", { m: new Map() }, "payload.m"],
    ["a Set", { s: new Set([1]) }, "payload.s"],
    ["a circular reference", circular(), "payload.self"],
    ["undefined in an array", { list: [1, undefined] }, "payload.list.1"],
    ["undefined as a value", { u: undefined }, "payload.u"],
    ["a symbol", { s: Symbol("x") }, "payload.s"],
    [
      "a class instance in an array",
      {
        items: [
          {},
          new (class Item {
            id = 1;
          })(),
        ],
      },
      "payload.items.1",
    ],
  ];
  for (const [label, payload, field] of nested) {
    it(`refuses ${label}, naming ${field}`, () => {
      assertInvalid(() => validate("t", payload), field, /is not representable as JSON/);
    });
  }

  it("prefixes nested payload paths in a batch", () => {
    assertInvalid(
      () => validate("t", { fn: () => 1 }, undefined, "jobs[2]."),
      "jobs[2].payload.fn",
      /not representable as JSON/,
    );
  });

  it("enforces maxPayloadBytes on the encoded UTF-8 size", () => {
    const limits = { maxPayloadBytes: 20 };
    const ctx = { id: ID, now: NOW, limits };
    // {"s":"…"} is 8 bytes plus the string
    assert.equal(
      validateEnqueue("t", { s: "x".repeat(12) }, undefined, ctx).payloadJson.length,
      20,
    );
    assertInvalid(
      () => validateEnqueue("t", { s: "x".repeat(13) }, undefined, ctx),
      "payload",
      /larger than 20 bytes/,
    );
    // 7 two-byte characters: 15 characters but 22 bytes
    assertInvalid(
      () => validateEnqueue("t", { s: "é".repeat(7) }, undefined, ctx),
      "payload",
      /larger than 20 bytes/,
    );
  });

  it("checks the type before the payload", () => {
    assertInvalid(() => validate("bad type", null), "type", /must match/);
  });
});

describe("validateEnqueue: options object", () => {
  it("refuses options that are not an object", () => {
    for (const options of ["x", 5, [], null, new Date()]) {
      assertInvalid(() => validate("t", {}, options), "options", /must be an object/);
    }
  });

  it("refuses unknown option names so typos do not pass silently", () => {
    assertInvalid(() => validate("t", {}, { delayMs: 5 }), "delayMs", /not a known option/);
    assertInvalid(() => validate("t", {}, { Queue: "q" }), "Queue", /not a known option/);
    assertInvalid(() => validate("t", {}, { run_at: new Date() }), "run_at", /not a known option/);
    assertInvalid(
      () => validate("t", {}, { timeoutMs: 5 }, "jobs[0]."),
      "jobs[0].timeoutMs",
      /not a known option/,
    );
  });
});

describe("validateEnqueue: priority", () => {
  it("accepts integers from −1000 to 1000", () => {
    for (const priority of [-1000, -1, 0, 1, 1000]) {
      assert.equal(validate("t", {}, { priority }).priority, priority);
    }
  });

  it("refuses values out of range", () => {
    for (const priority of [-1001, 1001, 1e9]) {
      assertInvalid(
        () => validate("t", {}, { priority }),
        "priority",
        /must be between -1000 and 1000/,
      );
    }
  });

  it("refuses non-integers and strings", () => {
    for (const priority of [1.5, "5", NaN, Infinity, true]) {
      assertInvalid(() => validate("t", {}, { priority }), "priority", /must be an integer/);
    }
  });
});

describe("validateEnqueue: maxAttempts and timeout", () => {
  it("accepts maxAttempts 1–1000 and refuses the rest", () => {
    assert.equal(validate("t", {}, { maxAttempts: 1 }).maxAttempts, 1);
    assert.equal(validate("t", {}, { maxAttempts: 1000 }).maxAttempts, 1000);
    for (const maxAttempts of [0, -1, 1001]) {
      assertInvalid(
        () => validate("t", {}, { maxAttempts }),
        "maxAttempts",
        /must be between 1 and 1000/,
      );
    }
    for (const maxAttempts of [1.5, "3", null]) {
      assertInvalid(() => validate("t", {}, { maxAttempts }), "maxAttempts", /integer/);
    }
  });

  it("accepts a timeout of 1 ms to 7 days and refuses the rest", () => {
    assert.equal(validate("t", {}, { timeout: 1 }).timeoutMs, 1);
    assert.equal(validate("t", {}, { timeout: MAX_TIMEOUT_MS }).timeoutMs, MAX_TIMEOUT_MS);
    for (const timeout of [0, -5, MAX_TIMEOUT_MS + 1]) {
      assertInvalid(() => validate("t", {}, { timeout }), "timeout", /must be between 1 and/);
    }
    for (const timeout of [2.5, "1000"]) {
      assertInvalid(() => validate("t", {}, { timeout }), "timeout", /integer/);
    }
  });
});

describe("validateEnqueue: delay and runAt", () => {
  it("delay sets runAt = now + delay; delay 0 means now", () => {
    assert.equal(validate("t", {}, { delay: 1_500 }).runAt, NOW + 1_500);
    assert.equal(validate("t", {}, { delay: 0 }).runAt, null);
    assert.equal(validate("t", {}, { delay: MAX_DELAY_MS }).runAt, NOW + MAX_DELAY_MS);
  });

  it("refuses a negative, fractional, non-number or too long delay", () => {
    assertInvalid(() => validate("t", {}, { delay: -1 }), "delay", /must be between 0 and/);
    assertInvalid(
      () => validate("t", {}, { delay: MAX_DELAY_MS + 1 }),
      "delay",
      /must be between 0/,
    );
    for (const delay of [1.5, "100", NaN]) {
      assertInvalid(() => validate("t", {}, { delay }), "delay", /must be an integer/);
    }
  });

  it("refuses delay and runAt together", () => {
    assertInvalid(
      () => validate("t", {}, { delay: 10, runAt: new Date(NOW + 10) }),
      "delay",
      /cannot be combined with runAt/,
    );
  });

  it("runAt keeps the given time, past or future", () => {
    assert.equal(validate("t", {}, { runAt: new Date(NOW + 60_000) }).runAt, NOW + 60_000);
    assert.equal(validate("t", {}, { runAt: new Date(NOW - 60_000) }).runAt, NOW - 60_000);
  });

  it("refuses an invalid Date, and anything that is not a Date", () => {
    for (const runAt of [new Date("not a date"), new Date(NaN), NOW + 1, "2030-01-01T00:00:00Z"]) {
      assertInvalid(() => validate("t", {}, { runAt }), "runAt", /must be a valid Date/);
    }
  });

  it("refuses a runAt more than 10 years ahead", () => {
    assert.equal(MAX_DELAY_MS, 10 * YEAR_MS);
    assertInvalid(
      () => validate("t", {}, { runAt: new Date(NOW + MAX_DELAY_MS + 1) }),
      "runAt",
      /10 years/,
    );
  });
});

describe("validateEnqueue: tags", () => {
  it("accepts up to 32 tags and removes duplicates, keeping order", () => {
    const tags = Array.from({ length: 32 }, (_, i) => `t${i}`);
    assert.deepEqual(validate("t", {}, { tags }).tags, tags);
    assert.deepEqual(validate("t", {}, { tags: ["b", "a", "b"] }).tags, ["b", "a"]);
  });

  it("refuses too many tags", () => {
    const tags = Array.from({ length: 33 }, (_, i) => `t${i}`);
    assertInvalid(() => validate("t", {}, { tags }), "tags", /at most 32 tags/);
  });

  it("names the bad tag by index", () => {
    assertInvalid(() => validate("t", {}, { tags: ["ok", ""] }), "tags[1]", /1 to 100 characters/);
    assertInvalid(() => validate("t", {}, { tags: ["a", "b", 3] }), "tags[2]", /must be a string/);
    assertInvalid(() => validate("t", {}, { tags: ["x".repeat(101)] }), "tags[0]", /1 to 100/);
  });

  it("refuses tags that are not an array", () => {
    assertInvalid(() => validate("t", {}, { tags: "a,b" }), "tags", /must be an array of strings/);
  });
});

describe("validateEnqueue: uniqueKey, webhookUrl, backoff", () => {
  it("uniqueKey: a string of 1–255 characters; null means none", () => {
    assert.equal(validate("t", {}, { uniqueKey: "k" }).uniqueKey, "k");
    assert.equal(validate("t", {}, { uniqueKey: null }).uniqueKey, null);
    for (const uniqueKey of ["", "k".repeat(256), 42]) {
      assertInvalid(() => validate("t", {}, { uniqueKey }), "uniqueKey", /1 to 255 characters/);
    }
  });

  it("concurrencyKey: a string of 1 to 255 characters", () => {
    assert.equal(validate("t", {}, { concurrencyKey: "k" }).concurrencyKey, "k");
    for (const concurrencyKey of ["", "k".repeat(256), 5])
      assertInvalid(() => validate("t", {}, { concurrencyKey }), "concurrencyKey", /1 to 255/);
  });

  it("webhookUrl: an absolute http(s) URL", () => {
    assert.equal(
      validate("t", {}, { webhookUrl: "http://example.com" }).webhookUrl,
      "http://example.com/",
    );
    for (const webhookUrl of ["ftp://example.com/x", "not a url", "/relative", "file:///etc"]) {
      assertInvalid(
        () => validate("t", {}, { webhookUrl }),
        "webhookUrl",
        /absolute http\(s\) URL/,
      );
    }
    assertInvalid(() => validate("t", {}, { webhookUrl: 5 }), "webhookUrl", /URL string/);
  });

  it("backoff: known integer fields, cap not below base", () => {
    assert.deepEqual(validate("t", {}, { backoff: { baseMs: 10 } }).backoff, { baseMs: 10 });
    assertInvalid(
      () => validate("t", {}, { backoff: { baseMs: -1 } }),
      "backoff.baseMs",
      /between 0/,
    );
    assertInvalid(() => validate("t", {}, { backoff: { capMs: 1.5 } }), "backoff.capMs", /integer/);
    assertInvalid(
      () => validate("t", {}, { backoff: { base: 5 } }),
      "backoff.base",
      /not a known option/,
    );
    assertInvalid(
      () => validate("t", {}, { backoff: { baseMs: 100, capMs: 50 } }),
      "backoff.capMs",
      /must not be less than baseMs/,
    );
    assertInvalid(() => validate("t", {}, { backoff: 1000 }), "backoff", /must be an object/);
  });
});

describe("validateEnqueue: batch prefix", () => {
  it("prefixes every field name", () => {
    const p = "jobs[2].";
    assertInvalid(() => validate("bad type", {}, {}, p), "jobs[2].type", /must match/);
    assertInvalid(() => validate("t", [], {}, p), "jobs[2].payload", /JSON object/);
    assertInvalid(() => validate("t", {}, { queue: "Q" }, p), "jobs[2].queue", /must match/);
    assertInvalid(() => validate("t", {}, { priority: 2000 }, p), "jobs[2].priority", /between/);
    assertInvalid(() => validate("t", {}, { delay: -1 }, p), "jobs[2].delay", /between/);
    assertInvalid(() => validate("t", {}, { tags: [""] }, p), "jobs[2].tags[0]", /characters/);
  });
});

describe("name and integer assertions", () => {
  it("use the given field name", () => {
    assertInvalid(() => assertQueueName("Q", "queues[3]"), "queues[3]", /must match/);
    assertInvalid(() => assertJobType("a b", "handlers.x"), "handlers.x", /must match/);
    assertInvalid(() => assertInteger(11, "limit", 1, 10), "limit", /between 1 and 10/);
  });
});

describe("resolveJob", () => {
  const queueDefaults: QueueDefaults = {
    maxAttempts: 9,
    timeoutMs: 42_000,
    backoffBaseMs: 250,
    backoffCapMs: 5_000,
  };
  const noQueueDefaults: QueueDefaults = {
    maxAttempts: null,
    timeoutMs: null,
    backoffBaseMs: null,
    backoffCapMs: null,
  };

  it("applies Spool's defaults when neither job nor queue sets them", () => {
    for (const queue of [undefined, noQueueDefaults]) {
      const job = resolveJob(validate("t", {}), queue, NOW);
      assert.equal(job.maxAttempts, DEFAULT_MAX_ATTEMPTS);
      assert.equal(job.maxAttempts, 3);
      assert.equal(job.timeoutMs, DEFAULT_TIMEOUT_MS);
      assert.equal(job.timeoutMs, 300_000);
      assert.deepEqual(job.backoff, { ...DEFAULT_BACKOFF });
      assert.equal(job.status, "queued");
      assert.equal(job.runAt, NOW);
      assert.equal(job.createdAt, NOW);
    }
  });

  it("queue defaults win over Spool's", () => {
    const job = resolveJob(validate("t", {}), queueDefaults, NOW);
    assert.equal(job.maxAttempts, 9);
    assert.equal(job.timeoutMs, 42_000);
    assert.deepEqual(job.backoff, { baseMs: 250, capMs: 5_000 });
  });

  it("explicit options win over queue defaults", () => {
    const input = validate(
      "t",
      {},
      { maxAttempts: 2, timeout: 99, backoff: { baseMs: 5, capMs: 9 } },
    );
    const job = resolveJob(input, queueDefaults, NOW);
    assert.equal(job.maxAttempts, 2);
    assert.equal(job.timeoutMs, 99);
    assert.deepEqual(job.backoff, { baseMs: 5, capMs: 9 });
  });

  it("mixes sources field by field", () => {
    const input = validate("t", {}, { timeout: 1_234, backoff: { capMs: 60_000 } });
    const job = resolveJob(input, { ...noQueueDefaults, maxAttempts: 4, backoffBaseMs: 100 }, NOW);
    assert.equal(job.maxAttempts, 4); // queue
    assert.equal(job.timeoutMs, 1_234); // explicit
    assert.deepEqual(job.backoff, { baseMs: 100, capMs: 60_000 }); // queue + explicit
  });

  it("never lets the cap fall below the base when they come from different sources", () => {
    const input = validate("t", {}, { backoff: { baseMs: 10_000 } });
    const job = resolveJob(input, queueDefaults, NOW); // queue cap 5,000
    assert.deepEqual(job.backoff, { baseMs: 10_000, capMs: 10_000 });
  });

  it("a future runAt starts scheduled; now or past starts queued", () => {
    const later = resolveJob(validate("t", {}, { delay: 1 }), undefined, NOW);
    assert.equal(later.status, "scheduled");
    assert.equal(later.runAt, NOW + 1);

    const atNow = resolveJob(validate("t", {}, { runAt: new Date(NOW) }), undefined, NOW);
    assert.equal(atNow.status, "queued");
    assert.equal(atNow.runAt, NOW);

    const past = resolveJob(validate("t", {}, { runAt: new Date(NOW - 5) }), undefined, NOW);
    assert.equal(past.status, "queued");
    assert.equal(past.runAt, NOW - 5);
  });

  it("judges scheduled against the time of insertion, not of validation", () => {
    const input = validate("t", {}, { delay: 1_000 }); // validated at NOW
    const job = resolveJob(input, undefined, NOW + 2_000);
    assert.equal(job.status, "queued");
    assert.equal(job.runAt, NOW + 1_000);
    assert.equal(job.createdAt, NOW + 2_000);
  });

  it("keeps the validated fields", () => {
    const input = validate("t", { a: 1 }, { queue: "q", tags: ["x"], uniqueKey: "u" });
    const job = resolveJob(input, undefined, NOW);
    assert.equal(job.id, ID);
    assert.equal(job.queue, "q");
    assert.equal(job.payloadJson, '{"a":1}');
    assert.deepEqual(job.tags, ["x"]);
    assert.equal(job.uniqueKey, "u");
  });

  it("newJobRecord mirrors the resolved job as a fresh record", () => {
    const job = resolveJob(validate("t", { a: 1 }, { delay: 10 }), undefined, NOW);
    const record = newJobRecord(job);
    assert.equal(record.status, "scheduled");
    assert.equal(record.attempt, 0);
    assert.equal(record.progress, 0);
    assert.equal(record.runAt.getTime(), NOW + 10);
    assert.equal(record.createdAt.getTime(), NOW);
    assert.equal(record.timeout, DEFAULT_TIMEOUT_MS);
    assert.deepEqual(record.payload, { a: 1 });
    assert.equal(record.result, null);
    assert.deepEqual(record.errors, []);
  });
});

describe("encodeResult", () => {
  const MiB = 1_048_576;

  it("stores undefined and null as null", () => {
    assert.equal(encodeResult(undefined, MiB), null);
    assert.equal(encodeResult(null, MiB), null);
  });

  it("encodes any JSON value", () => {
    assert.equal(encodeResult({ routes: [1, 2] }, MiB), '{"routes":[1,2]}');
    assert.equal(encodeResult([1, "a"], MiB), '[1,"a"]');
    assert.equal(encodeResult("done", MiB), '"done"');
    assert.equal(encodeResult(0, MiB), "0");
    assert.equal(encodeResult(false, MiB), "false");
  });

  it("refuses non-JSON values, naming result or the path inside it", () => {
    assertInvalid(() => encodeResult(() => 1, MiB), "result", /not representable as JSON/);
    assertInvalid(() => encodeResult(10n, MiB), "result", /not representable/);
    assertInvalid(() => encodeResult(new Date(), MiB), "result", /not representable/);
    assertInvalid(() => encodeResult(NaN, MiB), "result", /not representable/);
    assertInvalid(() => encodeResult({ f: () => 1 }, MiB), "result.f", /not representable/);
    assertInvalid(() => encodeResult({ a: [1, NaN] }, MiB), "result.a.1", /not representable/);
    assertInvalid(() => encodeResult(circular(), MiB), "result.self", /not representable/);
  });

  it("enforces the size limit on encoded UTF-8 bytes", () => {
    assert.equal(encodeResult("x".repeat(8), 10), '"xxxxxxxx"'); // exactly 10 bytes
    assertInvalid(() => encodeResult("x".repeat(9), 10), "result", /larger than 10 bytes/);
    // "€" is 3 bytes: 6 characters, 14 bytes
    assertInvalid(() => encodeResult("€".repeat(4), 12), "result", /larger than 12 bytes/);
    assertInvalid(() => encodeResult({ big: "x".repeat(MiB) }, MiB), "result", /larger than/);
  });
});

describe("validateProgress", () => {
  it("accepts 0–100 and rounds to an integer", () => {
    assert.deepEqual(validateProgress(0, undefined), { progress: 0, message: null });
    assert.deepEqual(validateProgress(100, undefined), { progress: 100, message: null });
    assert.equal(validateProgress(40.4, undefined).progress, 40);
    assert.equal(validateProgress(40.5, undefined).progress, 41);
    assert.equal(validateProgress(99.6, undefined).progress, 100);
    assert.equal(validateProgress(0.2, undefined).progress, 0);
  });

  it("refuses values outside 0–100 and non-numbers", () => {
    for (const percent of [-1, -0.1, 100.01, 101, 1e9]) {
      assertInvalid(() => validateProgress(percent, undefined), "progress", /between 0 and 100/);
    }
    for (const percent of [NaN, Infinity, "50", null, undefined]) {
      assertInvalid(() => validateProgress(percent, undefined), "progress", /must be a number/);
    }
  });

  it("keeps a message of up to 500 characters; null or undefined means none", () => {
    assert.equal(validateProgress(1, "2-opt pass 2").message, "2-opt pass 2");
    assert.equal(validateProgress(1, "m".repeat(500)).message, "m".repeat(500));
    assert.equal(validateProgress(1, null).message, null);
    assert.equal(validateProgress(1, "").message, "");
  });

  it("refuses a message over 500 characters or not a string", () => {
    assertInvalid(
      () => validateProgress(1, "m".repeat(501)),
      "progress_message",
      /at most 500 characters/,
    );
    assertInvalid(() => validateProgress(1, 5), "progress_message", /must be a string/);
  });
});
