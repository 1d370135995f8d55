-- Version 11: cron schedules (SPEC §8). A schedule belongs to a tenant and its name is unique
-- within it. The maintenance leader enqueues one job per tick; `last_tick_at` is the tick last
-- enqueued, written by a conditional update in the same transaction as the job's insert, so a
-- tick can never be enqueued twice however many processes try (sql/schedules.ts). `revision`
-- grows with every replacement so that a tick computed from an older definition is dropped.
-- Times are ms since the epoch; `payload` and `options` are JSON text.

CREATE TABLE schedules (
  tenant       TEXT    NOT NULL,
  name         TEXT    NOT NULL,
  cron         TEXT    NOT NULL,
  timezone     TEXT    NOT NULL,
  queue        TEXT    NOT NULL,
  type         TEXT    NOT NULL,
  payload      TEXT    NOT NULL,
  options      TEXT    NOT NULL,
  paused       INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
  revision     INTEGER NOT NULL DEFAULT 1 CHECK (revision >= 1),
  next_run_at  INTEGER,
  last_tick_at INTEGER,
  last_job_id  TEXT,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (tenant, name)
);

-- The enqueuer's one query: unpaused schedules due by now, soonest first.
CREATE INDEX schedules_due ON schedules (next_run_at)
  WHERE paused = 0 AND next_run_at IS NOT NULL;
