/** API key routes (admin): create (the key is shown once), list, revoke. */
import { z } from "zod";
import type { ApiKeyRecord } from "../../store/store.js";
import type { AppContext } from "../app-context.js";
import type { ZodApp } from "../zod-app.js";
import { createApiKey, requireRole } from "../auth.js";
import { CreateKeyBody, ErrorResponse, KeyResource } from "../contracts.js";

const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  503: ErrorResponse,
};

function toKeyResource(key: ApiKeyRecord): z.infer<typeof KeyResource> {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    role: key.role,
    tenant: key.tenant,
    queues: key.queues,
    created_at: key.createdAt.toISOString(),
    revoked_at: key.revokedAt?.toISOString() ?? null,
  };
}

/** Registers the key routes. */
export function registerKeyRoutes(app: ZodApp, ctx: AppContext): void {
  app.post(
    "/keys",
    {
      schema: {
        summary: "Create an API key (shown once)",
        body: CreateKeyBody,
        response: {
          201: KeyResource.extend({ key: z.string().describe("The secret, shown only here") }),
          ...errors,
          413: ErrorResponse,
          415: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      requireRole(request.principal, "admin");
      const body = request.body;
      const { key, record } = await createApiKey(ctx.spool.admin, {
        role: body.role,
        ...(body.tenant === undefined ? {} : { tenant: body.tenant }),
        name: body.name ?? null,
        queues: body.queues ?? null,
        now: ctx.spool.now(),
      });
      return reply.code(201).send({ key, ...toKeyResource(record) });
    },
  );

  app.get(
    "/keys",
    {
      schema: {
        summary: "List API keys (never the keys themselves)",
        response: { 200: z.object({ keys: z.array(KeyResource) }), ...errors },
      },
    },
    async (request) => {
      requireRole(request.principal, "admin");
      return { keys: (await ctx.spool.admin.listApiKeys()).map(toKeyResource) };
    },
  );

  app.delete(
    "/keys/:id",
    {
      schema: {
        summary: "Revoke an API key",
        params: z.strictObject({ id: z.string().max(200) }),
        response: { 200: KeyResource, ...errors, 413: ErrorResponse, 415: ErrorResponse },
      },
    },
    async (request) => {
      requireRole(request.principal, "admin");
      const record = await ctx.spool.admin.revokeApiKey(request.params.id);
      ctx.auth?.clear();
      return toKeyResource(record);
    },
  );
}
