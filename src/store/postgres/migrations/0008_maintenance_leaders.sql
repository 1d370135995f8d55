-- Version 10 (PostgreSQL): maintenance leadership; mirrors SQLite's 0008. A leased row rather than
-- an advisory lock: it survives connection pooling (no session has to stay checked out), works
-- the same on both stores, and its holder and expiry can be read by anyone.
CREATE TABLE maintenance_leaders (
  name        TEXT   PRIMARY KEY,
  holder      TEXT   NOT NULL,
  acquired_at BIGINT NOT NULL,
  expires_at  BIGINT NOT NULL
);
