#!/usr/bin/env node
// `npm run build:lib`: compiles src/ to dist/ (JavaScript, declarations, source maps with the
// sources inlined, so the package needs no src/) and copies the files tsc does not emit (SQL
// migrations) next to the compiled modules. dist/ is emptied first: a module deleted from src/
// must not live on in the package. Other build steps (the dashboard) write into dist/ after this.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, rmSync } from "node:fs";
import { createRequire } from "node:module";

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
rmSync("dist", { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
  stdio: "inherit",
});
if (result.status !== 0) process.exit(result.status ?? 1);

for (const dialect of ["sqlite", "postgres"]) {
  const from = `src/store/${dialect}/migrations`;
  if (existsSync(from)) cpSync(from, `dist/store/${dialect}/migrations`, { recursive: true });
}
