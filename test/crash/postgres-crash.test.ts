/** The crash suite on PostgreSQL: one fresh schema per test, shared by every process. */
import { Spool } from "../../src/index.js";
import { adminQuery, createSchemaFixture } from "../helpers/postgres.js";
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
      describeSessions: async () => {
        const result = await adminQuery(
          `SELECT pid, application_name, state, wait_event_type, wait_event,
             now() - xact_start AS in_transaction, left(query, 160) AS query
           FROM pg_stat_activity WHERE query LIKE '%' || $1 || '%' OR state LIKE 'idle in%'`,
          [fixture.schema],
        );
        return JSON.stringify(result.rows);
      },
    };
  },
  // More jobs and slots than on SQLite: concurrent claimers are where SKIP LOCKED could go wrong.
  manyWorkers: { total: 4 * 2_500, concurrency: 16 },
});
