/**
 * Migration files: `NNNN_snake_name.sql`, append-only, one sequence per dialect. Each store
 * applies the pending ones in a transaction under a lock that tolerates racing peers and records
 * them in `schema_migrations`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** One migration file. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const FILE_RE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Reads and orders the migrations in `directory`; throws on a gap or duplicate version. */
export function loadMigrations(directory: string): Migration[] {
  const migrations = readdirSync(directory)
    .map((file) => ({ file, match: FILE_RE.exec(file) }))
    .filter((entry): entry is { file: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ file, match }) => ({
      version: Number(match[1]),
      name: match[2]!,
      sql: readFileSync(join(directory, file), "utf8"),
    }))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(
        `migration ${migration.version}_${migration.name} breaks the sequence in ${directory}`,
      );
    }
  });
  return migrations;
}
