/** Maintenance leadership on SQLite: one leased row per name (migration 0008). */
import type { Leadership } from "../store.js";
import type { SqliteConnection } from "./sqlite-connection.js";
import * as leadersSql from "./sql/leaders.js";

interface LeaderRow {
  holder: string;
  acquired_at: number;
  expires_at: number;
}

/** Takes or renews `name` for `holder`, in one write transaction (so one winner per expiry). */
export function acquireLeadership(
  db: SqliteConnection,
  params: { name: string; holder: string; leaseMs: number; now: number },
): Leadership {
  const row = db.write(() => {
    db.stmt(leadersSql.ACQUIRE_LEADERSHIP).run({
      name: params.name,
      holder: params.holder,
      now: params.now,
      expires_at: params.now + params.leaseMs,
    });
    return db.stmt(leadersSql.SELECT_LEADERSHIP).get({ name: params.name }) as LeaderRow;
  });
  return {
    leader: row.holder === params.holder,
    holder: row.holder,
    acquiredAt: row.acquired_at,
    expiresAt: row.expires_at,
  };
}

/** Gives `name` up when `holder` has it. */
export function releaseLeadership(
  db: SqliteConnection,
  params: { name: string; holder: string },
): void {
  db.write(() => db.stmt(leadersSql.RELEASE_LEADERSHIP).run(params));
}
