/**
 * One better-sqlite3 connection with what every part of the SQLite store needs: a prepared
 * statement cache, IMMEDIATE transactions, driver-error mapping in one place, migrations, and a
 * watcher that notices other processes' commits (`PRAGMA data_version`).
 */
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  SpoolConflictError,
  SpoolError,
  SpoolValidationError,
  StoreUnavailableError,
} from "../../core/errors.js";
import { loadMigrations } from "../migrate.js";
import type { MigrationResult } from "../store.js";

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), "migrations");

/** A prepared statement. */
export type Statement = Database.Statement;

/** A connection to a Spool SQLite database. */
export class SqliteConnection {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Statement>();
  private watchTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Set by `noteEventsAppended` inside a transaction; fires `eventListeners` once it commits. */
  private eventsAppended = false;
  private readonly eventListeners = new Set<() => void>();

  constructor(path: string, busyTimeoutMs: number) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path, { timeout: busyTimeoutMs });
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("temp_store = MEMORY");
    this.db.pragma("cache_size = -32000");
  }

  /** A cached prepared statement. */
  stmt(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** A cached prepared statement that returns rows as arrays (cheaper on hot paths). */
  rawStmt(sql: string): Statement {
    const key = `raw:${sql}`;
    let statement = this.statements.get(key);
    if (statement === undefined) {
      statement = this.db.prepare(sql).raw(true);
      this.statements.set(key, statement);
    }
    return statement;
  }

  /**
   * Runs `fn` in a `BEGIN IMMEDIATE` transaction (the write lock is taken first, so two
   * processes can never interleave a read-then-write), mapping driver errors. With
   * `durable`, the commit is fsync'd (`synchronous = FULL`) before this returns.
   */
  write<T>(fn: () => T, options: { durable?: boolean } = {}): T {
    return this.afterCommit(() =>
      this.guard(() => {
        if (!options.durable) return this.db.transaction(fn).immediate();
        this.db.pragma("synchronous = FULL");
        try {
          return this.db.transaction(fn).immediate();
        } finally {
          this.db.pragma("synchronous = NORMAL");
        }
      }),
    );
  }

  /** Marks that the running transaction appended job events (see `onEventsCommitted`). */
  noteEventsAppended(): void {
    this.eventsAppended = true;
  }

  /** Calls `listener` after each commit in this process that appended job events. */
  onEventsCommitted(listener: () => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Runs a transaction; once the outermost one committed events, tells the listeners. */
  private afterCommit<T>(run: () => T): T {
    let result: T;
    try {
      result = run();
    } catch (error) {
      if (!this.db.inTransaction) this.eventsAppended = false;
      throw error;
    }
    if (this.eventsAppended && !this.db.inTransaction) {
      this.eventsAppended = false;
      for (const listener of [...this.eventListeners]) listener();
    }
    return result;
  }

  /** A reusable IMMEDIATE transaction for a hot path: built once, on first use. */
  transaction<A, R>(fn: (arg: A) => R): (arg: A) => R {
    let transaction: Database.Transaction<(arg: A) => R> | undefined;
    return (arg) =>
      this.afterCommit(() =>
        this.guard(() => {
          transaction ??= this.db.transaction(fn);
          return transaction.immediate(arg);
        }),
      );
  }

  /** Runs `fn` (reads, or a single self-contained statement), mapping driver errors. */
  guard<T>(fn: () => T): T {
    if (this.closed) throw new StoreUnavailableError("the store is closed", { retryable: false });
    try {
      return fn();
    } catch (error) {
      throw mapSqliteError(error);
    }
  }

  /** Applies pending migrations under the write lock; racing processes migrate one at a time. */
  migrate(): MigrationResult {
    const migrations = loadMigrations(MIGRATIONS_DIR);
    const applied = this.write(() => {
      this.db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
      const done = new Set(
        this.db.prepare("SELECT version FROM schema_migrations").pluck().all() as number[],
      );
      const versions: number[] = [];
      for (const migration of migrations) {
        if (done.has(migration.version)) continue;
        this.db.exec(migration.sql);
        this.db
          .prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
          .run(migration.version, migration.name, Date.now());
        versions.push(migration.version);
      }
      return versions;
    });
    this.statements.clear(); // statements prepared against an older schema must be re-prepared
    return { applied, version: migrations.length };
  }

  /**
   * Calls `onChange` whenever another connection (any process) committed, checking every
   * `intervalMs`. One watcher per connection; `unwatch` stops it.
   */
  watch(intervalMs: number, onChange: () => void): void {
    if (this.watchTimer !== undefined || this.closed) return;
    const dataVersion = this.stmt("PRAGMA data_version").pluck();
    let last = dataVersion.get() as number;
    this.watchTimer = setInterval(() => {
      let version: number;
      try {
        version = dataVersion.get() as number;
      } catch {
        return; // transient (busy); the next tick looks again
      }
      if (version === last) return;
      last = version;
      onChange();
    }, intervalMs);
    this.watchTimer.unref();
  }

  /** Stops the watcher. */
  unwatch(): void {
    if (this.watchTimer !== undefined) clearInterval(this.watchTimer);
    this.watchTimer = undefined;
  }

  /** Closes the connection; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unwatch();
    this.db.close();
  }
}

/** Maps better-sqlite3 errors to Spool errors; Spool errors pass through. */
function mapSqliteError(error: unknown): unknown {
  if (error instanceof SpoolError) return error;
  if (!(error instanceof Database.SqliteError)) return error;
  if (error.code === "SQLITE_BUSY" || error.code === "SQLITE_LOCKED") {
    return new StoreUnavailableError("the SQLite database is busy (locked by another process)", {
      cause: error,
    });
  }
  if (error.code === "SQLITE_CONSTRAINT_UNIQUE") {
    return new SpoolConflictError("an unfinished job with the same unique key exists", {
      code: "unique_conflict",
      cause: error,
    });
  }
  if (error.code.startsWith("SQLITE_CONSTRAINT")) {
    return new SpoolValidationError("job", `rejected by the database: ${error.message}`, {
      cause: error,
    });
  }
  if (error.code === "SQLITE_ERROR" && /^no such (table|column)/.test(error.message)) {
    // Opened with `migrate: false` / `--no-migrate` before the schema was created or updated.
    return new StoreUnavailableError(
      `the Spool schema is missing or out of date (run \`spool migrate\`, or open with migrate: true): ${error.message}`,
      { cause: error, retryable: false },
    );
  }
  if (error.code === "SQLITE_FULL" || error.code.startsWith("SQLITE_IOERR")) {
    return new StoreUnavailableError(`the SQLite database cannot be written: ${error.message}`, {
      cause: error,
    });
  }
  return error;
}
