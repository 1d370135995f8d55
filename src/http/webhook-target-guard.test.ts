/** The SSRF guard: which addresses are refused, the allow-list, URL checks and the pinned lookup. */
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer } from "node:http";
import { describe, it } from "node:test";
import { SpoolValidationError } from "../core/errors.js";
import { sendWebhook } from "./webhook-sender.js";
import { WebhookTargetGuard, WebhookTargetRefusedError } from "./webhook-target-guard.js";

describe("webhook target guard", () => {
  const guard = new WebhookTargetGuard();

  it("refuses loopback, private, link-local, unspecified and reserved addresses", () => {
    for (const address of [
      "127.0.0.1",
      "127.255.0.9",
      "10.1.2.3",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "224.0.0.1",
      "255.255.255.255",
      "::",
      "::1",
      "::ffff:127.0.0.1",
      "::ffff:10.0.0.1",
      "fc00::1",
      "fd12:3456::1",
      "fe80::1",
      "ff02::1",
      "64:ff9b::a00:1",
    ])
      assert.notEqual(guard.refusal(address), null, address);
  });

  it("lets public addresses through", () => {
    for (const address of ["93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700::1111"])
      assert.equal(guard.refusal(address), null, address);
  });

  it("allows exactly the allow-listed addresses and ranges", () => {
    const allowing = new WebhookTargetGuard(["127.0.0.1", "10.0.0.0/8", "::1"]);
    assert.equal(allowing.refusal("127.0.0.1"), null);
    assert.equal(allowing.refusal("::ffff:127.0.0.1"), null);
    assert.notEqual(allowing.refusal("127.0.0.2"), null);
    assert.equal(allowing.refusal("10.200.0.1"), null);
    assert.notEqual(allowing.refusal("192.168.0.1"), null);
    assert.equal(allowing.refusal("::1"), null);
  });

  it("refuses malformed allow-list entries, naming the entry", () => {
    for (const entry of ["localhost", "10.0.0.0/33", "10.0.0.0/8/1", "::1/129", ""]) {
      assert.throws(
        () => new WebhookTargetGuard(["127.0.0.1", entry]),
        (error: unknown) =>
          error instanceof SpoolValidationError && error.field === "webhookAllow[1]",
        entry,
      );
    }
  });

  it("checks URLs: http(s) only, literal and resolved addresses, naming the field", async () => {
    const refused = async (url: string) =>
      assert.rejects(guard.checkUrl(url, "url"), (error: unknown) => {
        assert.ok(error instanceof SpoolValidationError);
        assert.equal(error.field, "url");
        return true;
      });
    await refused("ftp://example.com/x");
    await refused("file:///etc/passwd");
    await refused("not a url");
    await refused("http://127.0.0.1/");
    await refused("http://[::1]:8080/hook");
    await refused("http://2130706433/"); // 127.0.0.1 spelled as a number
    await refused("http://localhost:9/hook"); // resolves to loopback
    await guard.checkUrl("https://93.184.216.34/hook", "url");
    // Does not resolve now: accepted, the delivery-time lookup decides.
    await guard.checkUrl("https://no-such-host.invalid/hook", "url");
  });

  it("refuses a delivery to a name that resolves to loopback, on the connection itself", async () => {
    let hits = 0;
    const receiver = createServer((_request, response) => {
      hits++;
      response.writeHead(204).end();
    });
    receiver.listen(0, "127.0.0.1");
    await once(receiver, "listening");
    const { port } = receiver.address() as { port: number };
    try {
      const send = (g: WebhookTargetGuard, host: string) =>
        sendWebhook({
          url: `http://${host}:${port}/`,
          headers: {},
          body: "{}",
          timeoutMs: 5_000,
          guard: g,
        });
      await assert.rejects(send(guard, "localhost"), WebhookTargetRefusedError);
      await assert.rejects(send(guard, "127.0.0.1"), WebhookTargetRefusedError);
      assert.equal(hits, 0);
      const allowing = new WebhookTargetGuard(["127.0.0.1", "::1"]);
      assert.deepEqual(await send(allowing, "localhost"), { statusCode: 204 });
      assert.deepEqual(await send(allowing, "127.0.0.1"), { statusCode: 204 });
      assert.equal(hits, 2);
    } finally {
      receiver.close();
    }
  });
});
