/**
 * For the admin commands that have no `Backend` method (keys, tenants, webhooks): runs their
 * operations through a server's HTTP API when the flags name a server (`--server`, an http(s)
 * `--url` or `SPOOL_URL`), else straight in the store, opened without maintenance and always
 * closed. Either way a validation error is reported under the flag its field came from.
 */
import { SpoolClient } from "../client/client.js";
import type { Spool } from "../spool.js";
import type { SpoolOptions } from "../spool-options.js";
import { serverUrlOf, storeUrlOf, type ConnectionFlags } from "./connection.js";
import { translate, type CliContext } from "./context.js";
import type { FieldFlags } from "./errors.js";
import { toLibraryError } from "./http-backend.js";

/** A command's operations, for each way of reaching Spool. */
export interface OpsTargets<Ops> {
  /** The operations over HTTP, through a client with the server's URL and `--token`. */
  http(client: SpoolClient): Ops;
  /** The operations on an open Spool. */
  store(spool: Spool): Ops | Promise<Ops>;
  /** More options of `Spool.open` (read before the store URL is resolved). */
  openOptions?(): Promise<SpoolOptions | undefined>;
  /** Library field → flag, for validation errors. */
  fields: FieldFlags;
}

/** Runs `action` on the operations of the server or the store the flags select. */
export async function withServerOrStore<Ops, T>(
  ctx: CliContext,
  flags: ConnectionFlags,
  targets: OpsTargets<Ops>,
  action: (ops: Ops) => Promise<T>,
): Promise<T> {
  const server = serverUrlOf(flags, ctx.io.env);
  if (server !== undefined) {
    const token = flags.token ?? ctx.io.env.SPOOL_TOKEN;
    const client = new SpoolClient({ baseUrl: server, ...(token ? { token } : {}) });
    try {
      return await action(targets.http(client));
    } catch (error) {
      throw translate(toLibraryError(error, server), targets.fields);
    }
  }
  const options = await targets.openOptions?.();
  const url = await storeUrlOf(flags, ctx.io.env, ctx.io.stderr);
  const { Spool } = await import("../spool.js");
  const spool = await Spool.open({
    url,
    maintenance: false,
    migrate: flags.migrate ?? true,
    ...options,
  }).catch((error: unknown) => {
    throw translate(error, targets.fields);
  });
  try {
    return await action(await targets.store(spool));
  } catch (error) {
    throw translate(error, targets.fields);
  } finally {
    await spool.close();
  }
}
