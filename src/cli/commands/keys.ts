/**
 * `spool keys create|list|revoke`: API keys, straight in the store (`--url`) or through a
 * server (`--server`, with an admin key). A new key is printed once; only its hash is kept.
 */
import type { Command } from "commander";
import type { SpoolClient } from "../../client/client.js";
import type { createApiKey as CreateApiKey } from "../../http/auth.js";
import type { Spool } from "../../spool.js";
import type { ApiKeyRecord, ApiKeyRole } from "../../store/store.js";
import type { ConnectionFlags } from "../connection.js";
import { addCommonOptions, type CliContext } from "../context.js";
import { UsageError } from "../errors.js";
import { renderTable, writeJson } from "../output.js";
import { queueList } from "../parsers.js";
import { withServerOrStore, type OpsTargets } from "../server-or-store.js";

interface KeyFlags extends ConnectionFlags {
  json?: boolean;
}

interface CreateFlags extends KeyFlags {
  role: string;
  tenant?: string;
  name?: string;
  queues?: string[];
}

/** A key as the commands show it. */
interface KeyView {
  id: string;
  name: string | null;
  prefix: string;
  role: string;
  tenant: string;
  queues: string[] | null;
  created_at: string;
  revoked_at: string | null;
}

const ROLES: readonly ApiKeyRole[] = ["admin", "producer", "worker"];

/** Registers `spool keys`. */
export function registerKeysCommand(program: Command, ctx: CliContext): void {
  const keys = program.command("keys").description("manage API keys (create, list, revoke)");
  addCommonOptions(
    registerCreateCommand(keys, ctx),
    registerListCommand(keys, ctx),
    registerRevokeCommand(keys, ctx),
  );
}

/** `spool keys create --role R [--tenant T] [--name N] [--queues a,b]`. */
function registerCreateCommand(keys: Command, ctx: CliContext): Command {
  return keys
    .command("create")
    .description("create an API key; it is printed once")
    .requiredOption("--role <role>", `one of ${ROLES.join(", ")}`)
    .option("--tenant <name>", "tenant the key belongs to", "default")
    .option("--name <text>", "a label for listings")
    .option(
      "--queues <names>",
      "worker keys: queues it may claim from (comma-separated)",
      queueList,
    )
    .addHelpText(
      "after",
      "\nExamples:\n  $ spool keys create --role producer --tenant acme --name web\n  $ spool keys create --role worker --tenant acme --queues emails,reports",
    )
    .action(async (flags: CreateFlags) => {
      if (!ROLES.includes(flags.role as ApiKeyRole))
        throw new UsageError("--role", `must be one of ${ROLES.join(", ")}`);
      const { key, record } = await withKeys(ctx, flags, async (ops) => ops.create(flags));
      if (flags.json) {
        writeJson(ctx.io, { key, ...record });
        return;
      }
      // The key alone on stdout (scripts capture it); the explanation on stderr.
      ctx.io.stdout.write(`${key}\n`);
      ctx.io.stderr.write(
        `created ${record.role} key ${record.id} for tenant ${record.tenant}; it is shown this once\n`,
      );
    });
}

/** `spool keys list`. */
function registerListCommand(keys: Command, ctx: CliContext): Command {
  return keys
    .command("list")
    .description("list API keys (never the keys themselves)")
    .action(async (flags: KeyFlags) => {
      const all = await withKeys(ctx, flags, (ops) => ops.list());
      if (flags.json) {
        writeJson(ctx.io, all);
        return;
      }
      const rows = all.map((k) => [
        k.id,
        k.role,
        k.tenant,
        k.prefix + "…",
        k.name ?? "",
        k.queues?.join(",") ?? "*",
        k.revoked_at === null ? "active" : "revoked",
      ]);
      ctx.io.stdout.write(
        `${renderTable(["ID", "ROLE", "TENANT", "PREFIX", "NAME", "QUEUES", "STATE"], rows, ctx.out)}\n`,
      );
    });
}

/** `spool keys revoke ID`. */
function registerRevokeCommand(keys: Command, ctx: CliContext): Command {
  return keys
    .command("revoke")
    .description("revoke an API key")
    .argument("<id>", "the key's id (from `spool keys list`)")
    .action(async (id: string, flags: KeyFlags) => {
      const record = await withKeys(ctx, flags, (ops) => ops.revoke(id));
      if (flags.json) writeJson(ctx.io, record);
      else ctx.io.stdout.write(`revoked ${record.id}\n`);
    });
}

interface KeyOps {
  create(flags: CreateFlags): Promise<{ key: string; record: KeyView }>;
  list(): Promise<KeyView[]>;
  revoke(id: string): Promise<KeyView>;
}

function view(record: ApiKeyRecord): KeyView {
  return {
    id: record.id,
    name: record.name,
    prefix: record.prefix,
    role: record.role,
    tenant: record.tenant,
    queues: record.queues,
    created_at: record.createdAt.toISOString(),
    revoked_at: record.revokedAt?.toISOString() ?? null,
  };
}

/** Flags named in the errors of the key operations. */
const KEY_FIELDS = { role: "--role", tenant: "--tenant", queues: "--queues" };

/** Runs `action` against the store or the server the flags select. */
function withKeys<T>(
  ctx: CliContext,
  flags: KeyFlags,
  action: (ops: KeyOps) => Promise<T>,
): Promise<T> {
  const targets: OpsTargets<KeyOps> = {
    http: httpKeyOps,
    store: async (spool) => {
      const { createApiKey } = await import("../../http/auth.js");
      return storeKeyOps(ctx, spool, createApiKey);
    },
    fields: KEY_FIELDS,
  };
  return withServerOrStore(ctx, flags, targets, action);
}

/** The key operations through a server's HTTP API. */
function httpKeyOps(client: SpoolClient): KeyOps {
  return {
    create: async (f) => {
      const body = {
        role: f.role,
        tenant: f.tenant,
        ...(f.name === undefined ? {} : { name: f.name }),
        ...(f.queues === undefined ? {} : { queues: f.queues }),
      };
      const { body: created } = await client.request<KeyView & { key: string }>(
        "POST",
        "/keys",
        body,
      );
      const { key, ...record } = created;
      return { key, record };
    },
    list: async () => (await client.request<{ keys: KeyView[] }>("GET", "/keys")).body.keys,
    revoke: async (id) =>
      (await client.request<KeyView>("DELETE", `/keys/${encodeURIComponent(id)}`)).body,
  };
}

/** The key operations straight in the store of `spool`. */
function storeKeyOps(ctx: CliContext, spool: Spool, createApiKey: typeof CreateApiKey): KeyOps {
  return {
    create: async (f) => {
      const { key, record } = await createApiKey(spool.store, {
        role: f.role as ApiKeyRole,
        ...(f.tenant === undefined ? {} : { tenant: f.tenant }),
        name: f.name ?? null,
        queues: f.queues ?? null,
        now: ctx.now(),
      });
      return { key, record: view(record) };
    },
    list: async () => (await spool.store.listApiKeys()).map(view),
    revoke: async (id) => view(await spool.store.revokeApiKey({ id, now: ctx.now() })),
  };
}
