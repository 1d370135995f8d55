/** Maintenance leadership on PostgreSQL: one leased row per name (migration 0010). */
import type { Leadership } from "../store.js";
import { runStatement, type Queryable, type Statements } from "./postgres-pool.js";

interface LeaderRow {
  holder: string;
  acquired_at: number;
  expires_at: number;
}

/** Takes or renews `name` for `holder` in one statement (one winner per expiry). */
export async function acquireLeadership(
  on: Queryable,
  statements: Statements,
  params: { name: string; holder: string; leaseMs: number; now: number },
): Promise<Leadership> {
  const values = [params.name, params.holder, params.now, params.now + params.leaseMs];
  let row: LeaderRow | undefined;
  // Empty only when a racing peer inserted the first row after this statement's snapshot: its
  // ON CONFLICT saw the row, its read did not. The next statement's snapshot sees it.
  for (let attempt = 0; attempt < 3 && row === undefined; attempt++)
    row = (await runStatement<LeaderRow>(on, statements.ACQUIRE_LEADERSHIP, values)).rows[0];
  if (row === undefined) throw new Error(`leadership ${params.name} could not be read`);
  return {
    leader: row.holder === params.holder,
    holder: row.holder,
    acquiredAt: row.acquired_at,
    expiresAt: row.expires_at,
  };
}

/** Gives `name` up when `holder` has it. */
export async function releaseLeadership(
  on: Queryable,
  statements: Statements,
  params: { name: string; holder: string },
): Promise<void> {
  await runStatement(on, statements.RELEASE_LEADERSHIP, [params.name, params.holder]);
}
