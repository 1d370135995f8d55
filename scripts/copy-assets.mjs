#!/usr/bin/env node
// Copies the files `tsc` does not emit (SQL migrations) next to the compiled modules in dist/.
import { cpSync, existsSync } from "node:fs";

for (const dialect of ["sqlite", "postgres"]) {
  const from = `src/store/${dialect}/migrations`;
  if (existsSync(from)) cpSync(from, `dist/store/${dialect}/migrations`, { recursive: true });
}
