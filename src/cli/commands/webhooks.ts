/**
 * `spool webhooks [list] | create | delete`: webhook subscriptions, straight in the store
 * (`--url`) or through a server (`--server`, admin or producer key). Listings never show a
 * secret, only a hint; a generated secret is printed once. `--json` prints the HTTP API's
 * field names.
 */
import type { Command } from "commander";
import type { SpoolClient } from "../../client/client.js";
import { SpoolNotFoundError } from "../../core/errors.js";
import { randomToken, uuidv7 } from "../../core/ids.js";
import { validateWebhookEvents, validateWebhookSecret } from "../../core/webhook.js";
import { toWebhookResource } from "../../http/routes/webhooks.js";
import type { WebhookResource } from "../../http/webhook-contracts.js";
import { WebhookTargetGuard } from "../../http/webhook-target-guard.js";
import type { Spool } from "../../spool.js";
import { addConnectionOptions, type ConnectionFlags } from "../connection.js";
import { addJsonOption, type CliContext } from "../context.js";
import { renderTable, writeJson } from "../output.js";
import { withServerOrStore, type OpsTargets } from "../server-or-store.js";

interface WebhookFlags extends ConnectionFlags {
  json?: boolean;
  tenant?: string;
}

/** `create`'s `--url` is the target: the store is `--store` there (or $SPOOL_URL, $DATABASE_URL). */
interface CreateFlags extends Omit<WebhookFlags, "url"> {
  url: string;
  store?: string;
  events: string;
  secret?: string;
  webhookAllow: string[];
}

interface WebhookOps {
  list(tenant?: string): Promise<WebhookResource[]>;
  create(flags: CreateFlags): Promise<WebhookResource & { secret?: string }>;
  remove(id: string): Promise<WebhookResource>;
}

const FIELDS = { url: "--url", events: "--events", secret: "--secret", tenant: "--tenant" };

/** Registers `spool webhooks`. */
export function registerWebhooksCommand(program: Command, ctx: CliContext): void {
  const webhooks = program
    .command("webhooks")
    .description("manage webhook subscriptions (list, create, delete)")
    // `create --url` is the target URL: this command's own flags stop at its subcommand's name.
    .enablePositionalOptions()
    .option("--tenant <tenant>", "only this tenant's (admin)")
    .addHelpText(
      "after",
      `
Examples:
  $ spool webhooks
  $ spool webhooks create --url https://hooks.example.com/spool --events job.completed,job.failed --secret "$SECRET"
  $ spool webhooks delete 0193…`,
    )
    .action(async (flags: WebhookFlags) => {
      const all = await withWebhooks(ctx, flags, (ops) => ops.list(flags.tenant));
      if (flags.json) writeJson(ctx.io, { webhooks: all });
      else ctx.io.stdout.write(renderWebhooks(all, ctx));
    });
  const create = registerCreate(webhooks, ctx);
  const remove = webhooks
    .command("delete")
    .description("delete a subscription (its pending deliveries and log go with it)")
    .argument("<id>", "the subscription's id (from `spool webhooks`)")
    .action(async (id: string, flags: WebhookFlags) => {
      const removed = await withWebhooks(ctx, flags, (ops) => ops.remove(id));
      if (flags.json) writeJson(ctx.io, removed);
      else ctx.io.stdout.write(`deleted ${removed.id}\n`);
    });
  for (const command of [webhooks, remove]) addConnectionOptions(command);
  for (const command of [webhooks, create, remove]) addJsonOption(command);
}

/** `spool webhooks create`. */
function registerCreate(webhooks: Command, ctx: CliContext): Command {
  return webhooks
    .command("create")
    .description("subscribe a URL to job events (the tenant's own; admins: --tenant)")
    .requiredOption("--url <url>", "http(s) URL that receives the POSTs")
    .requiredOption("--events <names>", "job event names, comma-separated, or *")
    .option("--secret <secret>", "HMAC key of the signatures (generated and printed when absent)")
    .option("--tenant <tenant>", "the tenant whose jobs it follows (admin)")
    .option(
      "--webhook-allow <cidr>",
      "store mode: allow this non-public target address or range (repeatable)",
      (value: string, previous: string[] = []) => [...previous, value],
      [],
    )
    .option(
      "--store <url>",
      "store URL: sqlite:<path> or postgres://… (default: $SPOOL_URL, $DATABASE_URL, sqlite:./data/spool.db)",
    )
    .option("--server <url>", "talk to a Spool server over HTTP instead (default: $SPOOL_SERVER)")
    .option("--token <key>", "API key for --server (default: $SPOOL_TOKEN)")
    .action(async (flags: CreateFlags) => {
      const connection: WebhookFlags = {
        ...(flags.store === undefined ? {} : { url: flags.store }),
        ...(flags.server === undefined ? {} : { server: flags.server }),
        ...(flags.token === undefined ? {} : { token: flags.token }),
      };
      const created = await withWebhooks(ctx, connection, (ops) => ops.create(flags));
      if (flags.json) writeJson(ctx.io, created);
      else {
        ctx.io.stdout.write(`${created.id}\n`);
        if (created.secret !== undefined)
          ctx.io.stderr.write(`secret (shown this once): ${created.secret}\n`);
      }
    });
}

function renderWebhooks(webhooks: readonly WebhookResource[], ctx: CliContext): string {
  if (webhooks.length === 0) return "no webhook subscriptions\n";
  const rows = webhooks.map((w) => [w.id, w.tenant, w.events.join(","), w.url, w.created_at]);
  return `${renderTable(["ID", "TENANT", "EVENTS", "URL", "CREATED"], rows, ctx.out)}\n`;
}

function eventList(text: string): string[] {
  return text
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
}

/** Runs `action` against the server or the store the flags select. */
function withWebhooks<T>(
  ctx: CliContext,
  flags: WebhookFlags,
  action: (ops: WebhookOps) => Promise<T>,
): Promise<T> {
  // `webhookAllow` errors come only from the store mode's own target check.
  const fields = { ...FIELDS, webhookAllow: "--webhook-allow" };
  const targets: OpsTargets<WebhookOps> = {
    http: httpWebhookOps,
    store: (spool) => storeWebhookOps(ctx, spool),
    fields,
  };
  return withServerOrStore(ctx, flags, targets, action);
}

/** The operations through a server's HTTP API. */
function httpWebhookOps(client: SpoolClient): WebhookOps {
  return {
    list: async (tenant) => {
      const query = tenant === undefined ? "" : `?tenant=${encodeURIComponent(tenant)}`;
      return (await client.request<{ webhooks: WebhookResource[] }>("GET", `/webhooks${query}`))
        .body.webhooks;
    },
    create: async (f) =>
      (
        await client.request<WebhookResource & { secret?: string }>("POST", "/webhooks", {
          url: f.url,
          events: eventList(f.events),
          ...(f.secret === undefined ? {} : { secret: f.secret }),
          ...(f.tenant === undefined ? {} : { tenant: f.tenant }),
        })
      ).body,
    remove: async (id) =>
      (await client.request<WebhookResource>("DELETE", `/webhooks/${encodeURIComponent(id)}`)).body,
  };
}

/** The store-mode operations (an operator: every tenant, default tenant for new ones). */
function storeWebhookOps(ctx: CliContext, spool: Spool): WebhookOps {
  const store = spool.store;
  return {
    list: async (tenant) =>
      (await store.listWebhooks(tenant === undefined ? {} : { tenant })).map(toWebhookResource),
    create: async (f) => {
      const events = validateWebhookEvents(eventList(f.events));
      await new WebhookTargetGuard(f.webhookAllow).checkUrl(f.url, "url");
      const generated = f.secret === undefined ? `whsec_${randomToken()}` : undefined;
      const secret = f.secret === undefined ? generated! : validateWebhookSecret(f.secret);
      const now = ctx.now();
      const webhook = await store.createWebhook({
        webhook: {
          id: uuidv7(now),
          tenant: f.tenant ?? "default",
          url: new URL(f.url).toString(),
          events,
          secret,
          createdAt: new Date(now),
        },
      });
      return { ...toWebhookResource(webhook), ...(generated === undefined ? {} : { secret }) };
    },
    remove: async (id) => {
      const removed = await store.deleteWebhook({ id });
      if (removed === null) throw new SpoolNotFoundError("webhook", id);
      return toWebhookResource(removed);
    },
  };
}
