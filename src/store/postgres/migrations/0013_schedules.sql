-- Version 13 (PostgreSQL): cron schedules (SPEC §8); mirrors SQLite's 0011. The conditional
-- update of `last_tick_at` in the same transaction as the job's insert makes every tick
-- enqueue exactly once: a racing peer's UPDATE waits for the row lock and re-checks its WHERE
-- on the committed version, which no longer matches (sql/schedules.ts).

CREATE TABLE schedules (
  tenant       TEXT    NOT NULL,
  name         TEXT    NOT NULL,
  cron         TEXT    NOT NULL,
  timezone     TEXT    NOT NULL,
  queue        TEXT    NOT NULL,
  type         TEXT    NOT NULL,
  payload      TEXT    NOT NULL,
  options      TEXT    NOT NULL,
  paused       BOOLEAN NOT NULL DEFAULT false,
  revision     INTEGER NOT NULL DEFAULT 1 CHECK (revision >= 1),
  next_run_at  BIGINT,
  last_tick_at BIGINT,
  last_job_id  TEXT,
  created_at   BIGINT  NOT NULL,
  updated_at   BIGINT  NOT NULL,
  PRIMARY KEY (tenant, name)
);

CREATE INDEX schedules_due ON schedules (next_run_at)
  WHERE NOT paused AND next_run_at IS NOT NULL;
