/**
 * `spool migrate`: applies pending schema migrations to the store (workers and servers also do
 * this on start unless `--no-migrate`). `--print` writes the migration SQL of the URL's dialect
 * to stdout instead, without connecting, for review or for applying by other means.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { loadMigrations } from "../../store/migrate.js";
import { redactUrl, storeUrlOf, type ConnectionFlags } from "../connection.js";
import { addCommonOptions, translate, type CliContext } from "../context.js";
import { CliError, UsageError } from "../errors.js";
import { writeJson } from "../output.js";

interface MigrateFlags extends ConnectionFlags {
  print?: boolean;
  json?: boolean;
}

/** The folder of a dialect's migration files (they live beside each store's code). */
function migrationsDir(dialect: "sqlite" | "postgres"): string {
  return fileURLToPath(new URL(`../../store/${dialect}/migrations/`, import.meta.url));
}

function dialectOf(url: string): "sqlite" | "postgres" {
  if (url.startsWith("sqlite:")) return "sqlite";
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) return "postgres";
  throw new UsageError(
    "--url",
    `unsupported store URL "${redactUrl(url)}" (use sqlite:<path> or postgres://…)`,
  );
}

/** Registers `spool migrate`. */
export function registerMigrateCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command("migrate")
    .description("apply pending schema migrations (or --print their SQL)")
    .option("--print", "print the migration SQL for the URL's dialect instead of applying it")
    .addHelpText(
      "after",
      `
Examples:
  $ spool migrate --url sqlite:./data/spool.db
  $ spool migrate --print --url postgres://localhost/app > spool-schema.sql`,
    )
    .action(async (flags: MigrateFlags) => {
      const url = await storeUrlOf(flags, ctx.io.env, flags.print ? undefined : ctx.io.stderr);
      if (flags.print) {
        const dialect = dialectOf(url);
        const dir = migrationsDir(dialect);
        if (!existsSync(dir)) throw new CliError(`no ${dialect} migrations in this build`);
        for (const migration of loadMigrations(dir)) {
          const name = `${String(migration.version).padStart(4, "0")}_${migration.name}.sql`;
          ctx.io.stdout.write(`-- ${name}\n${migration.sql.trimEnd()}\n\n`);
        }
        return;
      }
      const { openStore } = await import("../../store/open-store.js");
      let store;
      try {
        store = await openStore(url);
      } catch (error) {
        throw translate(error, {});
      }
      try {
        const result = await store.migrate();
        if (flags.json) writeJson(ctx.io, result);
        else if (result.applied.length === 0)
          ctx.io.stdout.write(`schema is up to date (version ${result.version})\n`);
        else
          ctx.io.stdout.write(
            `applied migration${result.applied.length === 1 ? "" : "s"} ${result.applied.join(", ")}; schema is at version ${result.version}\n`,
          );
      } finally {
        await store.close();
      }
    });
  addCommonOptions(command);
}
