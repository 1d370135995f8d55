/** The crash suite on SQLite: one database file per test, shared by every process. */
import { join } from "node:path";
import { Spool } from "../../src/index.js";
import { tempDir } from "../helpers/temp-dir.js";
import { defineCrashSuite } from "./crash.suite.js";

defineCrashSuite({
  name: "SQLite",
  create: () => {
    const url = `sqlite:${join(tempDir(), "spool.db")}`;
    return {
      url,
      open: () => Spool.open({ url, maintenance: false }),
      drop: async () => undefined, // the temp folder goes when the process exits
    };
  },
  manyWorkers: { total: 2_000, concurrency: 8 },
});
