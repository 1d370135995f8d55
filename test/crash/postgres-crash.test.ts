/** The crash suite on PostgreSQL: one fresh schema per test, shared by every process. */
import { Spool } from "../../src/index.js";
import { createSchemaFixture } from "../helpers/postgres.js";
import { defineCrashSuite } from "./crash.suite.js";

defineCrashSuite({
  name: "PostgreSQL",
  create: () => {
    const fixture = createSchemaFixture();
    return {
      url: fixture.url,
      schema: fixture.schema,
      open: () => Spool.open({ store: fixture.openStore(), maintenance: false }),
      drop: () => fixture.drop(),
    };
  },
  // More jobs and slots than on SQLite: concurrent claimers are where SKIP LOCKED could go wrong.
  manyWorkers: { total: 4 * 5_000, concurrency: 16 },
});
