/**
 * Connection defaults that do not surprise (issue 8): an http(s) `SPOOL_URL` means a server, and
 * a command that creates a new SQLite store says where on stderr.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { tempSqliteUrl } from "../../helpers/temp-dir.js";
import { runSpool } from "./spool-cli.js";

describe("spool connection defaults", () => {
  it("an http(s) SPOOL_URL means a server; a new store file is announced on stderr", async () => {
    const viaHttp = await runSpool(["stats", "--json"], {
      env: { SPOOL_URL: "http://127.0.0.1:1" },
    });
    assert.notEqual(viaHttp.code, 0);
    assert.match(viaHttp.stderr, /cannot reach http:\/\/127\.0\.0\.1:1/);
    const url = tempSqliteUrl();
    const first = await runSpool(["stats", "--url", url]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /creating a new store at \/\S+/);
    const second = await runSpool(["stats", "--url", url]);
    assert.doesNotMatch(second.stderr, /creating a new store/);
  });
});
