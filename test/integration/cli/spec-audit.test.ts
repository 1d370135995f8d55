/**
 * Deviations from SPEC §4 found by reading it as an acceptance tester would; each case failed
 * before its fix.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Spool } from "../../../src/index.js";
import { tempDir, tempSqliteUrl } from "../../helpers/temp-dir.js";
import { runSpool } from "./spool-cli.js";

describe("SPEC audit: CLI", () => {
  it("spool worker --handlers ./handlers.js loads an ES module .js file outside any package, in process and sandboxed", async () => {
    // SPEC §4 spells the flag with a .js file; a user's ESM handlers.js in a folder without a
    // package.json ("type" unset) loads in plain Node and must load here too.
    const dir = tempDir("spool-audit-handlers-");
    const handlers = join(dir, "handlers.js");
    writeFileSync(
      handlers,
      'export default { "audit.echo": async (job, ctx) => { await ctx.progress(50, "half"); return { echo: job.payload }; } };\n',
    );
    for (const sandbox of [[], ["--sandbox"]]) {
      const url = tempSqliteUrl();
      const spool = await Spool.open({ url, maintenance: false });
      const job = await spool.enqueue("audit.echo", { n: sandbox.length });
      const run = await runSpool([
        "worker",
        "--handlers",
        handlers,
        "--burst",
        "--url",
        url,
        ...sandbox,
      ]);
      assert.equal(run.code, 0, run.stderr);
      const done = await spool.get(job.id);
      assert.equal(done?.status, "completed", JSON.stringify(done?.error));
      assert.deepEqual(done?.result, { echo: { n: sandbox.length } });
      await spool.close();
    }
  });
});
