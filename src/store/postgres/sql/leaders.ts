/**
 * Named PostgreSQL statements for maintenance leadership; same names as
 * src/store/sqlite/sql/leaders.ts. Divergence: the take-over and the read are one statement here
 * (a CTE); INSERT … ON CONFLICT DO UPDATE locks the row and re-checks the WHERE on its newest
 * version, so racing peers get exactly one winner per expiry.
 */
import type { SqlTemplate } from "./names.js";

const table = (t: Parameters<SqlTemplate>[0]): string => `${t.schema}."maintenance_leaders"`;

/** $1 name, $2 holder, $3 now, $4 expires_at — takes, renews or reads the leadership. */
export const ACQUIRE_LEADERSHIP: SqlTemplate = (t) => `
WITH taken AS (
  INSERT INTO ${table(t)} AS l (name, holder, acquired_at, expires_at)
  VALUES ($1::text, $2::text, $3::bigint, $4::bigint)
  ON CONFLICT (name) DO UPDATE SET
    acquired_at = CASE WHEN l.holder = EXCLUDED.holder THEN l.acquired_at
      ELSE EXCLUDED.acquired_at END,
    holder = EXCLUDED.holder,
    expires_at = EXCLUDED.expires_at
  WHERE l.holder = EXCLUDED.holder OR l.expires_at <= $3::bigint
  RETURNING holder, acquired_at, expires_at
)
SELECT holder, acquired_at, expires_at FROM taken
UNION ALL
SELECT holder, acquired_at, expires_at FROM ${table(t)}
WHERE name = $1::text AND NOT EXISTS (SELECT 1 FROM taken)`;

/** $1 name, $2 holder. */
export const RELEASE_LEADERSHIP: SqlTemplate = (t) => `
DELETE FROM ${table(t)} WHERE name = $1::text AND holder = $2::text`;
