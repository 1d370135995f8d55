/** Unit tests of the strict JSON check used for payloads and results. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findNonJson, isPlainObject } from "./json.js";

/** `{a: {a: … {leaf}}}` with `levels` objects in all. */
function nested(levels: number, leaf: unknown = 1): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf };
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

describe("findNonJson", () => {
  it("accepts plain JSON values", () => {
    const values: unknown[] = [
      "text",
      "",
      0,
      -1.5,
      Number.MAX_VALUE,
      true,
      false,
      null,
      {},
      [],
      { a: 1, b: "x", c: [1, null, { d: true }], e: { f: { g: [] } } },
      [[[]], { "key with spaces": "v", "": 0 }],
      Object.create(null) as object,
    ];
    for (const value of values) assert.equal(findNonJson(value), undefined, JSON.stringify(value));
  });

  it("reports a bad root value as (root)", () => {
    const values: unknown[] = [
      () => 1,
      undefined,
      NaN,
      Infinity,
      -Infinity,
      10n,
      Symbol("s"),
      new Date(0),
      new Map(),
      new Set(),
      /re/,
      new (class Point {
        x = 1;
      })(),
      Object.create({ inherited: 1 }) as object,
    ];
    for (const value of values) assert.equal(findNonJson(value), "(root)", String(value));
  });

  it("gives the dotted path of a nested bad value", () => {
    assert.equal(findNonJson({ a: { b: { c: () => 1 } } }), "a.b.c");
    assert.equal(findNonJson({ n: NaN }), "n");
    assert.equal(findNonJson({ big: { value: 1n } }), "big.value");
    assert.equal(findNonJson({ when: new Date() }), "when");
    assert.equal(findNonJson({ m: new Map([["k", 1]]) }), "m");
    assert.equal(findNonJson({ s: Symbol("x") }), "s");
    assert.equal(findNonJson({ u: undefined }), "u");
    assert.equal(findNonJson({ x: { y: -Infinity } }), "x.y");
  });

  it("uses array indexes as path segments", () => {
    assert.equal(findNonJson({ list: [1, 2, { x: NaN }] }), "list.2.x");
    assert.equal(findNonJson({ list: [1, undefined] }), "list.1");
    assert.equal(findNonJson([0, [1, [2, () => 3]]]), "1.1.1");
  });

  it("reports the first bad value in key order", () => {
    assert.equal(findNonJson({ a: 1, b: () => 1, c: NaN }), "b");
    assert.equal(findNonJson({ ok: [1, 2], later: { x: 1, y: 2n }, last: NaN }), "later.y");
  });

  it("reports a cycle at the reference that closes it", () => {
    const self: Record<string, unknown> = { a: 1 };
    self.self = self;
    assert.equal(findNonJson(self), "self");

    const deep: { a: { b: Record<string, unknown> } } = { a: { b: {} } };
    deep.a.b.back = deep.a;
    assert.equal(findNonJson(deep), "a.b.back");

    const list: unknown[] = [1];
    list.push({ inner: list });
    assert.equal(findNonJson({ list }), "list.1.inner");
  });

  it("accepts the same object reached twice without a cycle", () => {
    const shared = { x: 1, tags: ["a"] };
    assert.equal(findNonJson({ a: shared, b: shared, c: [shared, shared] }), undefined);
  });

  it("accepts 64 levels of nesting and refuses 65", () => {
    assert.equal(findNonJson(nested(64)), undefined);
    assert.equal(findNonJson(nested(65)), Array(64).fill("a").join("."));
  });

  it("refuses deep nesting without overflowing the stack", () => {
    const path = findNonJson(nested(100_000));
    assert.ok(path?.startsWith("a.a.a"));
  });

  it("refuses boxed primitives and typed arrays", () => {
    assert.equal(findNonJson({ s: new String("x") }), "s");
    assert.equal(findNonJson({ n: new Number(1) }), "n");
    assert.equal(findNonJson({ b: new Uint8Array(2) }), "b");
    assert.equal(findNonJson({ buf: Buffer.from("x") }), "buf");
  });

  it("refuses a toJSON method (JSON would call it and store something else)", () => {
    assert.equal(findNonJson({ v: { toJSON: () => "x" } }), "v.toJSON");
  });
});

describe("isPlainObject", () => {
  it("is true for object literals and null-prototype objects", () => {
    assert.equal(isPlainObject({}), true);
    assert.equal(isPlainObject({ a: 1 }), true);
    assert.equal(isPlainObject(Object.create(null)), true);
    assert.equal(isPlainObject(JSON.parse('{"x":[1]}')), true);
  });

  it("is false for everything else", () => {
    const values: unknown[] = [
      [],
      [1],
      null,
      undefined,
      "x",
      1,
      true,
      () => ({}),
      new Date(),
      new Map(),
      /re/,
      new (class Job {
        id = "j";
      })(),
      Object.create({}) as object,
      new String("s"),
    ];
    for (const value of values) assert.equal(isPlainObject(value), false, String(value));
  });
});
