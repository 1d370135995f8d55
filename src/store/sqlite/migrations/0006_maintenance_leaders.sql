-- Version 8: maintenance leadership (docs/design.md "One maintenance leader per store"). One row
-- per leadership name; the holder leads until expires_at (ms since the epoch, the holder's clock)
-- and renews before then. Another process takes the row over only once it has expired, so a dead
-- leader is replaced within one lease period plus one attempt interval.
CREATE TABLE maintenance_leaders (
  name        TEXT    PRIMARY KEY,
  holder      TEXT    NOT NULL,
  acquired_at INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
);
