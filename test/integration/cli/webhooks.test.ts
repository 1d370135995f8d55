/**
 * `spool webhooks` with the real binary: create (a loopback target refused with exit 2 unless
 * allow-listed), list (table and --json, never the secret), delete (exit 3 when unknown), in
 * store mode; and the listing through a server with a producer key, which sees only its tenant.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "../../helpers/http-server.js";
import { tempSqliteUrl } from "../../helpers/temp-dir.js";
import { runSpool } from "./spool-cli.js";

describe("spool webhooks", () => {
  it("creates, lists and deletes subscriptions in the store", async () => {
    const store = tempSqliteUrl();
    const env = { env: { SPOOL_URL: store } };
    const refused = await runSpool(
      ["webhooks", "create", "--url", "http://127.0.0.1:9/hook", "--events", "job.completed"],
      env,
    );
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /--url: is refused: 127\.0\.0\.1 is not a public address/);
    const badEvents = await runSpool(
      ["webhooks", "create", "--url", "https://93.184.216.34/", "--events", "job.complete"],
      env,
    );
    assert.equal(badEvents.code, 2, badEvents.stderr);
    assert.match(badEvents.stderr, /--events/);

    const created = await runSpool(
      [
        "webhooks",
        "create",
        "--url",
        "http://127.0.0.1:9/hook",
        "--events",
        "job.completed,job.failed",
        "--secret",
        "cli-secret-0123456789",
        "--webhook-allow",
        "127.0.0.1",
      ],
      env,
    );
    assert.equal(created.code, 0, created.stderr);
    const id = created.stdout.trim();
    assert.match(id, /^[0-9a-f-]{36}$/);

    const table = await runSpool(["webhooks"], env);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, new RegExp(`${id}\\s+default\\s+job\\.completed,job\\.failed`));
    const json = await runSpool(["webhooks", "--json"], env);
    const listed = JSON.parse(json.stdout) as { webhooks: Record<string, unknown>[] };
    assert.equal(listed.webhooks.length, 1);
    assert.equal(listed.webhooks[0]!.secret, undefined);
    assert.ok(!json.stdout.includes("cli-secret-0123456789"), "never the secret");

    assert.equal((await runSpool(["webhooks", "delete", id], env)).code, 0);
    const again = await runSpool(["webhooks", "delete", id], env);
    assert.equal(again.code, 3, again.stderr);
    assert.match((await runSpool(["webhooks"], env)).stdout, /no webhook subscriptions/);
  });

  describe("through a server", () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer();
    });
    after(async () => t.close());

    it("a producer key lists and creates only its tenant's", async () => {
      const acme = await t.key("producer", "acme");
      const other = await t.key("producer", "globex");
      const server = ["--server", t.url, "--token", acme];
      const made = await runSpool([
        "webhooks",
        "create",
        "--url",
        "https://93.184.216.34/acme",
        "--events",
        "*",
        ...server,
      ]);
      assert.equal(made.code, 0, made.stderr);
      assert.match(made.stderr, /secret \(shown this once\): whsec_/);
      const mine = await runSpool(["webhooks", "--json", ...server]);
      assert.equal((JSON.parse(mine.stdout) as { webhooks: unknown[] }).webhooks.length, 1);
      const theirs = await runSpool(["webhooks", "--json", "--server", t.url, "--token", other]);
      assert.deepEqual(JSON.parse(theirs.stdout), { webhooks: [] });
      const denied = await runSpool([
        "webhooks",
        "delete",
        made.stdout.trim(),
        "--server",
        t.url,
        "--token",
        other,
      ]);
      assert.equal(denied.code, 3, denied.stderr);
    });
  });
});
