#!/usr/bin/env node
/**
 * Entry point of the `spool` command: runs the CLI on this process's arguments and streams and
 * exits with its code. Started by `bin/spool.js` (compiled, from dist/, when installed; through tsx
 * in a checkout).
 */
import { runCli } from "./program.js";

// `spool jobs | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const code = await runCli(process.argv, {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
process.exitCode = code;
// A handler module may leave handles open (pools, timers); the command is over, so do not wait
// for them. The timer is unref'd: when nothing else is pending the process ends at once.
setTimeout(() => process.exit(code), 500).unref();
