/**
 * `spool tenants [list]`, `spool tenants show T`, `spool tenants set T --tier pro --weight 2`
 * and `spool credits [--tenant T]`: tenants' tiers, fair-scheduling weights and credits (SPEC
 * §7), straight in the store (`--url`, with `--config` for the server's tiers) or through a
 * server (`--server`; `set` and other tenants need an admin key). `--json` prints the HTTP
 * API's shapes (`GET /tenants/:tenant`, `GET /credits`) in both modes.
 */
import type { Command } from "commander";
import type { SpoolClient } from "../../client/client.js";
import { toCreditsResource } from "../../http/routes/credits-resource.js";
import {
  toTenantSettingsResource,
  type TenantSettingsResource,
} from "../../http/routes/tenant-settings.js";
import type { Spool } from "../../spool.js";
import type { z } from "zod";
import { loadConfigFile } from "../config-file.js";
import { addConnectionOptions, type ConnectionFlags } from "../connection.js";
import { addJsonOption, type CliContext } from "../context.js";
import { UsageError } from "../errors.js";
import { renderTable, writeJson } from "../output.js";
import { integer, nonEmpty } from "../parsers.js";
import { withServerOrStore, type OpsTargets } from "../server-or-store.js";

type TenantView = z.infer<typeof TenantSettingsResource>;
type CreditsView = ReturnType<typeof toCreditsResource>;

interface TenantFlags extends ConnectionFlags {
  config?: string;
  json?: boolean;
}

interface SetFlags extends TenantFlags {
  tier?: string;
  clearTier?: boolean;
  weight?: number;
}

/** What the commands do, against a store or a server. */
interface TenantOps {
  list(): Promise<TenantView[]>;
  show(tenant: string): Promise<TenantView>;
  set(tenant: string, patch: { tier?: string | null; weight?: number }): Promise<TenantView>;
  credits(tenant: string | undefined): Promise<CreditsView>;
}

const FIELDS = { tier: "--tier", weight: "--weight", tenant: "TENANT", limit: "--limit" };

/** Registers `spool tenants` and `spool credits`. */
export function registerTenantsCommand(program: Command, ctx: CliContext): void {
  const tenants = program
    .command("tenants")
    .description("tenants' tiers, fair-scheduling weights and credits")
    .addHelpText(
      "after",
      `
Examples:
  $ spool tenants
  $ spool tenants set acme --tier pro --weight 2
  $ spool tenants show acme --json
  $ spool tenants set acme --clear-tier --server http://127.0.0.1:8080 --token $SPOOL_TOKEN`,
    );
  for (const command of [
    registerListCommand(tenants, ctx),
    registerShowCommand(tenants, ctx),
    registerSetCommand(tenants, ctx),
    registerCreditsCommand(program, ctx),
  ]) {
    addConnectionOptions(command);
    command.option("--config <file>", "with --url: the server's configuration file (tiers)");
    addJsonOption(command);
  }
}

/** `spool tenants [list]`. */
function registerListCommand(tenants: Command, ctx: CliContext): Command {
  return tenants
    .command("list", { isDefault: true })
    .description("tenants with a tier, weight or quota: limits and usage today / this month")
    .action(async (flags: TenantFlags) => {
      const all = await withTenantOps(ctx, flags, (ops) => ops.list());
      if (flags.json) writeJson(ctx.io, all);
      else writeTenantTable(ctx, all);
    });
}

/** `spool tenants show T`. */
function registerShowCommand(tenants: Command, ctx: CliContext): Command {
  return tenants
    .command("show")
    .description("one tenant's tier, weight, quota override and credits")
    .argument("<tenant>", "tenant name", nonEmpty)
    .action(async (tenant: string, flags: TenantFlags) => {
      const view = await withTenantOps(ctx, flags, (ops) => ops.show(tenant));
      if (flags.json) writeJson(ctx.io, view);
      else writeTenantTable(ctx, [view]);
    });
}

/** `spool tenants set T [--tier NAME | --clear-tier] [--weight N]`. */
function registerSetCommand(tenants: Command, ctx: CliContext): Command {
  return tenants
    .command("set")
    .description("set a tenant's tier and/or weight (admin)")
    .argument("<tenant>", "tenant name", nonEmpty)
    .option("--tier <name>", "a configured tier (see GET /tiers or --config)")
    .option("--clear-tier", "remove the tenant's tier (the default tier applies)")
    .option("--weight <n>", "fair-scheduling weight, 1–1000", integer(1, 1000))
    .action(async (tenant: string, flags: SetFlags) => {
      const patch = patchOf(flags);
      const view = await withTenantOps(ctx, flags, (ops) => ops.set(tenant, patch));
      if (flags.json) writeJson(ctx.io, view);
      else
        ctx.io.stdout.write(
          `tenant ${view.tenant}: tier ${view.tier ?? "none"}, weight ${view.weight}\n`,
        );
    });
}

/** The change `set` asks for; a usage error when the flags ask for none or contradict. */
function patchOf(flags: SetFlags): { tier?: string | null; weight?: number } {
  if (flags.tier !== undefined && flags.clearTier)
    throw new UsageError("--clear-tier", "give --tier or --clear-tier, not both");
  const patch = {
    ...(flags.tier !== undefined ? { tier: flags.tier } : {}),
    ...(flags.clearTier ? { tier: null } : {}),
    ...(flags.weight === undefined ? {} : { weight: flags.weight }),
  };
  if (Object.keys(patch).length === 0)
    throw new UsageError("--tier", "give --tier, --clear-tier or --weight");
  return patch;
}

/** `spool credits [--tenant T]`. */
function registerCreditsCommand(program: Command, ctx: CliContext): Command {
  return program
    .command("credits")
    .description("credits: limits and usage today and this month (yours, or --tenant's)")
    .option("--tenant <name>", "another tenant (direct store access or an admin key)", nonEmpty)
    .action(async (flags: TenantFlags & { tenant?: string }) => {
      const view = await withTenantOps(ctx, flags, (ops) => ops.credits(flags.tenant));
      if (flags.json) writeJson(ctx.io, view);
      else writeCreditsTable(ctx, view);
    });
}

function writeCreditsTable(ctx: CliContext, view: CreditsView): void {
  const info = view.credits_info;
  ctx.io.stdout.write(
    renderTable(
      ["TENANT", "TIER", "TODAY", "THIS MONTH", "RESETS"],
      [
        [
          view.tenant,
          info.tier ?? "-",
          `${info.daily_used}/${limitText(info.daily_limit)}`,
          `${info.monthly_used}/${limitText(info.monthly_limit)}`,
          info.resets_at,
        ],
      ],
      ctx.out,
    ),
  );
}

/** A credit limit as the tables show it: ∞ for none. */
function limitText(n: number | null): string {
  return n === null ? "∞" : String(n);
}

function writeTenantTable(ctx: CliContext, views: readonly TenantView[]): void {
  if (views.length === 0) {
    ctx.io.stderr.write("no tenant has a tier, weight or quota yet\n");
    return;
  }
  const rows = views.map((v) => [
    v.tenant,
    v.tier ?? "-",
    String(v.weight),
    `${v.daily.used}/${limitText(v.daily.limit)}`,
    `${v.monthly.used}/${limitText(v.monthly.limit)}`,
    v.quota === null
      ? "-"
      : `${limitText(v.quota.daily_limit)}/${limitText(v.quota.monthly_limit)}`,
  ]);
  ctx.io.stdout.write(
    renderTable(["TENANT", "TIER", "WEIGHT", "TODAY", "THIS MONTH", "QUOTA"], rows, ctx.out),
  );
}

/** Runs `action` against the server or the store the flags select. */
function withTenantOps<T>(
  ctx: CliContext,
  flags: TenantFlags,
  action: (ops: TenantOps) => Promise<T>,
): Promise<T> {
  const targets: OpsTargets<TenantOps> = {
    http: httpOps,
    store: storeOps,
    openOptions: async () =>
      flags.config === undefined ? undefined : (await loadConfigFile(flags.config)).tierOptions,
    fields: FIELDS,
  };
  return withServerOrStore(ctx, flags, targets, action);
}

/** The operations straight on `spool` (an operator: any tenant). */
function storeOps(spool: Spool): TenantOps {
  return {
    list: async () => (await spool.tenants({ limit: 1000 })).map(toTenantSettingsResource),
    show: async (tenant) => toTenantSettingsResource(await spool.tenant(tenant)),
    set: async (tenant, patch) => toTenantSettingsResource(await spool.setTenant(tenant, patch)),
    credits: async (tenant) => toCreditsResource(await spool.credits(tenant ?? "default")),
  };
}

function httpOps(client: SpoolClient): TenantOps {
  const path = (tenant: string): string => `/tenants/${encodeURIComponent(tenant)}`;
  return {
    list: async () => {
      // The admin listing has every tenant with keys or jobs; `show` each for its settings.
      const { body } = await client.request<{ tenants: { tenant: string }[] }>("GET", "/tenants");
      return Promise.all(
        body.tenants.map(
          async (one) => (await client.request<TenantView>("GET", path(one.tenant))).body,
        ),
      );
    },
    show: async (tenant) => (await client.request<TenantView>("GET", path(tenant))).body,
    set: async (tenant, patch) =>
      (await client.request<TenantView>("PUT", path(tenant), patch)).body,
    credits: async (tenant) =>
      (
        await client.request<CreditsView>(
          "GET",
          `/credits${tenant === undefined ? "" : `?tenant=${encodeURIComponent(tenant)}`}`,
        )
      ).body,
  };
}
