/**
 * `--config spool.json`: the server's configuration file (docs/cli.md "Configuration file").
 * JSON, snake_case like the HTTP API, checked with zod; a bad file stops the command with exit
 * code 2 and a message naming the file, the field (dotted path) and the reason. Today it holds
 * the credit tiers (SPEC §7):
 *
 * ```json
 * { "tiers": { "free": { "daily_limit": 1, "monthly_limit": 30 }, "team": { "daily_limit": 50 } },
 *   "default_tier": "free" }
 * ```
 *
 * `tiers` replaces the built-in tiers as a whole (an omitted limit is unlimited); without it the
 * defaults apply (free 1/30, pro 10/100, elite 20/500, unlimited). `default_tier` (default
 * null) is the tier of tenants that have none of their own.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { DEFAULT_TIERS, MAX_CREDIT_LIMIT, TIER_NAME_RE, type TierOptions } from "../core/tiers.js";
import { UsageError } from "./errors.js";

const limit = z
  .number({ error: "must be a whole number of jobs or null (unlimited)" })
  .int("must be a whole number of jobs or null (unlimited)")
  .min(0, "must be 0 or more")
  .max(MAX_CREDIT_LIMIT, `must be at most ${MAX_CREDIT_LIMIT}`)
  .nullable()
  .optional();
const tierName = z.string().regex(TIER_NAME_RE, "tier names match [a-z0-9][a-z0-9_.-]{0,63}");

/** The file's shape. */
export const ConfigFileSchema = z.strictObject({
  tiers: z
    .record(tierName, z.strictObject({ daily_limit: limit, monthly_limit: limit }))
    .optional(),
  default_tier: tierName.nullable().optional(),
});

/** What a configuration file sets, in the library's terms. */
export interface SpoolConfig {
  tierOptions: TierOptions;
}

/** Reads and checks the configuration file at `path`; throws `UsageError("--config", …)`. */
export async function loadConfigFile(path: string): Promise<SpoolConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError("--config", `cannot read ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError("--config", `${path} is not JSON: ${(error as Error).message}`);
  }
  return parseConfig(json, path);
}

/** Checks a parsed configuration; see `loadConfigFile`. */
export function parseConfig(json: unknown, path: string): SpoolConfig {
  const parsed = ConfigFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.map(String);
    const field =
      issue.code === "unrecognized_keys" ? [...at, issue.keys[0]!].join(".") : at.join(".");
    const reason =
      issue.code === "unrecognized_keys"
        ? "is not a known setting"
        : issue.code === "invalid_key"
          ? "tier names match [a-z0-9][a-z0-9_.-]{0,63}"
          : issue.message;
    throw new UsageError("--config", `${path}: ${field || "(top level)"}: ${reason}`);
  }
  const { tiers, default_tier: defaultTier } = parsed.data;
  if (
    defaultTier !== undefined &&
    defaultTier !== null &&
    !Object.hasOwn(tiers ?? DEFAULT_TIERS, defaultTier)
  ) {
    throw new UsageError(
      "--config",
      `${path}: default_tier: "${defaultTier}" names no configured tier`,
    );
  }
  const tierOptions: TierOptions = {};
  if (tiers !== undefined) {
    tierOptions.tiers = Object.fromEntries(
      Object.entries(tiers).map(([name, limits]) => [
        name,
        { dailyLimit: limits.daily_limit ?? null, monthlyLimit: limits.monthly_limit ?? null },
      ]),
    );
  }
  if (defaultTier !== undefined) tierOptions.defaultTier = defaultTier;
  return { tierOptions };
}
