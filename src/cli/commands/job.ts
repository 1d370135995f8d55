/**
 * The commands on one job: `spool job ID` (show it), `spool cancel ID` and `spool retry ID`.
 * An unknown id exits 3; a state that does not allow the change (cancelling a finished job,
 * retrying one that has not failed) exits 4.
 */
import type { Command } from "commander";
import type { JobRecord } from "../../core/job.js";
import { isWaitingState } from "../../core/waiting-reason.js";
import type { ConnectionFlags } from "../connection.js";
import { addCommonOptions, withBackend, type CliContext } from "../context.js";
import { CliError, ExitCode } from "../errors.js";
import { renderJobDetail } from "../format.js";
import { writeJson } from "../output.js";
import { jobJson } from "../resources.js";

interface JobFlags extends ConnectionFlags {
  json?: boolean;
}

/** Registers `spool job`, `spool cancel` and `spool retry`. */
export function registerJobCommands(program: Command, ctx: CliContext): void {
  addCommonOptions(
    registerShowCommand(program, ctx),
    registerCancelCommand(program, ctx),
    registerRetryCommand(program, ctx),
  );
}

/** `spool job ID`. */
function registerShowCommand(program: Command, ctx: CliContext): Command {
  return program
    .command("job")
    .description("show one job: status, progress, attempts, payload, result and errors")
    .argument("<id>", "job id")
    .addHelpText(
      "after",
      `
Examples:
  $ spool job 0192f3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b
  $ spool job 0192f3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b --json | jq .result`,
    )
    .action(async (id: string, flags: JobFlags) => {
      await withBackend(ctx, flags, {}, async (backend) => {
        const job = await backend.get(id);
        if (job === null) throw new CliError(`job ${id} not found`, ExitCode.notFound);
        const waitingReason = isWaitingState(job.status) ? await backend.explain(id) : null;
        if (flags.json) writeJson(ctx.io, jobJson(job, ctx.now(), waitingReason));
        else ctx.io.stdout.write(renderJobDetail(job, ctx.out, ctx.now(), waitingReason));
      });
    });
}

/** `spool cancel ID`. */
function registerCancelCommand(program: Command, ctx: CliContext): Command {
  return program
    .command("cancel")
    .description("cancel a job: a waiting job at once, a running one cooperatively")
    .argument("<id>", "job id")
    .addHelpText(
      "after",
      `
A running job's handler sees its signal abort and the job ends "cancelled"; a sandboxed
handler that does not stop within its grace period is killed.

Examples:
  $ spool cancel 0192f3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b
  $ spool cancel 0192f3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b --json`,
    )
    .action(async (id: string, flags: JobFlags) => {
      await withBackend(ctx, flags, {}, async (backend) => {
        const job = await backend.cancel(id);
        report(
          ctx,
          flags,
          job,
          job.status === "cancelled"
            ? `cancelled job ${id}`
            : `cancellation requested: job ${id} is running and will stop`,
        );
      });
    });
}

/** `spool retry ID`. */
function registerRetryCommand(program: Command, ctx: CliContext): Command {
  return program
    .command("retry")
    .description("re-queue a failed or cancelled job (attempts start again)")
    .argument("<id>", "job id")
    .addHelpText(
      "after",
      `
Examples:
  $ spool retry 0192f3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b
  $ spool jobs --status failed --json | jq -r '.jobs[].id' | xargs -n1 spool retry`,
    )
    .action(async (id: string, flags: JobFlags) => {
      await withBackend(ctx, flags, {}, async (backend) => {
        const job = await backend.retry(id);
        report(ctx, flags, job, `re-queued job ${id} (queue ${job.queue})`);
      });
    });
}

function report(ctx: CliContext, flags: JobFlags, job: JobRecord, message: string): void {
  if (flags.json) writeJson(ctx.io, jobJson(job, ctx.now()));
  else ctx.io.stdout.write(`${message}\n`);
}
