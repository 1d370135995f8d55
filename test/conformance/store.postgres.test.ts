/**
 * The store conformance suite on PostgreSQL: a real server, a fresh schema per test (dropped when
 * the test's store closes). Fails — never skips — when the server cannot be reached.
 */
import { openTestPostgresStore } from "../helpers/postgres.js";
import { defineStoreConformance } from "./store.suite.js";

defineStoreConformance({
  name: "postgres",
  create: () => openTestPostgresStore(),
});
