/** The store conformance suite on SQLite: a fresh database file per test. */
import { join } from "node:path";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.js";
import { tempDir } from "../helpers/temp-dir.js";
import { defineStoreConformance } from "./store.suite.js";

defineStoreConformance({
  name: "sqlite",
  create: async () => {
    const store = new SqliteStore({ path: join(tempDir(), "spool.db") });
    await store.migrate();
    return store;
  },
});
