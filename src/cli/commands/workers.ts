/**
 * `spool workers`: the live workers (SPEC §6 "Workers are visible") — in-process, `spool worker`
 * and remote HTTP workers — from the store (`--url`) or a server (`--server`, admin or worker
 * key). `--json` prints `{ workers: [...] }` with the HTTP API's field names.
 */
import type { Command } from "commander";
import type { WorkerPresence } from "../../core/worker-presence.js";
import { toWorkerResource } from "../../http/routes/worker-registry.js";
import type { ConnectionFlags } from "../connection.js";
import { addCommonOptions, withBackend, type CliContext } from "../context.js";
import { formatAge } from "../format.js";
import { renderTable, writeJson } from "../output.js";

interface WorkersFlags extends ConnectionFlags {
  json?: boolean;
}

/** Registers `spool workers`. */
export function registerWorkersCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command("workers")
    .description("list the live workers: name, kind, host, queues, types, running jobs")
    .addHelpText(
      "after",
      `
A worker is live while it heartbeats; one silent for 3 lease periods is gone (and its name free).

Examples:
  $ spool workers
  $ spool workers --server http://localhost:8080 --json | jq '.workers[].name'`,
    )
    .action(async (flags: WorkersFlags) => {
      await withBackend(ctx, flags, {}, async (backend) => {
        const workers = await backend.workers();
        if (flags.json) writeJson(ctx.io, { workers: workers.map(toWorkerResource) });
        else ctx.io.stdout.write(renderWorkers(workers, ctx, ctx.now()));
      });
    });
  addCommonOptions(command);
}

function renderWorkers(workers: readonly WorkerPresence[], ctx: CliContext, now: number): string {
  if (workers.length === 0) return "no live workers\n";
  const rows = workers.map((worker) => [
    worker.name,
    worker.kind,
    worker.pid === null ? worker.host : `${worker.host}:${worker.pid}`,
    worker.queues.join(","),
    worker.types.join(","),
    `${worker.running}/${worker.concurrency}`,
    formatAge(worker.lastSeenAt, now),
    worker.version,
  ]);
  return renderTable(
    ["NAME", "KIND", "HOST", "QUEUES", "TYPES", "RUNNING", "SEEN", "VERSION"],
    rows,
    ctx.out,
  );
}
