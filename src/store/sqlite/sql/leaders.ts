/** Named SQLite statements for maintenance leadership (see src/store/sqlite/leadership.ts). */

/**
 * @name @holder @now @expires_at — takes the row when it is free, expired or already ours; a
 * renewal keeps `acquired_at`. Returns nothing when someone else holds an unexpired lease.
 */
export const ACQUIRE_LEADERSHIP = `
INSERT INTO maintenance_leaders (name, holder, acquired_at, expires_at)
VALUES (@name, @holder, @now, @expires_at)
ON CONFLICT (name) DO UPDATE SET
  acquired_at = CASE WHEN maintenance_leaders.holder = excluded.holder
    THEN maintenance_leaders.acquired_at ELSE excluded.acquired_at END,
  holder = excluded.holder,
  expires_at = excluded.expires_at
WHERE maintenance_leaders.holder = excluded.holder OR maintenance_leaders.expires_at <= @now`;

/** @name */
export const SELECT_LEADERSHIP = `
SELECT holder, acquired_at, expires_at FROM maintenance_leaders WHERE name = @name`;

/** @name @holder */
export const RELEASE_LEADERSHIP = `
DELETE FROM maintenance_leaders WHERE name = @name AND holder = @holder`;
