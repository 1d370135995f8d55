#!/usr/bin/env node
// The `spool` command (package.json "bin"). Spool ships as TypeScript source, so this launcher
// registers tsx's ESM loader in this process (`tsx/esm/api` register(), Node ≥ 20.6) and
// imports the CLI entry. One process, no re-exec: startup is Node + tsx (~0.4 s, compiled
// files are cached by tsx). Works on a fresh clone after `npm install`.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/index.ts");
