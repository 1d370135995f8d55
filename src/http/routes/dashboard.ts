/**
 * The web dashboard (SPEC §9, issue 10): static files built by `npm run build:dashboard` into
 * `dist/dashboard/`, served at `/` and `/dashboard/…` without an API key (the pages hold no
 * data; the browser signs in and calls the API like any client). Every page carries a strict
 * Content-Security-Policy: scripts, styles and connections from this origin only, no inline
 * script, no framing. The API routes only the dashboard needed (bulk actions, session,
 * throughput, tenants) live in bulk.ts and console.ts.
 */
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyReply } from "fastify";
import { z } from "zod";
import type { ZodApp } from "../zod-app.js";

/** The file path under /dashboard/ (the wildcard). */
const AssetParams = z.object({ "*": z.string() });

/** The policy of every dashboard response. */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};

/**
 * Where the built files are: `<package>/dist/dashboard`, three levels up from this module both
 * when compiled (`dist/http/routes/`) and when run from source (`src/http/routes/`).
 */
export function dashboardDir(): string | null {
  const dir = fileURLToPath(new URL("../../../dist/dashboard", import.meta.url));
  return existsSync(join(dir, "index.html")) ? dir : null;
}

/** Registers the dashboard's pages and API routes. */
export function registerDashboardRoutes(app: ZodApp): void {
  const dir = dashboardDir();
  const index = dir === null ? null : readFileSync(join(dir, "index.html"));

  const secure = (reply: FastifyReply): FastifyReply =>
    reply
      .header("content-security-policy", DASHBOARD_CSP)
      .header("x-content-type-options", "nosniff")
      .header("referrer-policy", "no-referrer")
      .header("x-frame-options", "DENY");

  const sendIndex = async (reply: FastifyReply): Promise<unknown> => {
    if (index === null) {
      return secure(reply)
        .code(503)
        .type("text/plain; charset=utf-8")
        .send("The dashboard is not built: run `npm run build:dashboard` (or `npm install`).\n");
    }
    return secure(reply)
      .type("text/html; charset=utf-8")
      .header("cache-control", "no-cache")
      .send(index);
  };

  const page = { config: { public: true }, schema: { hide: true } };
  app.get("/", page, async (_request, reply) => sendIndex(reply));
  app.get("/dashboard", page, async (_request, reply) => sendIndex(reply));
  const asset = { ...page, schema: { ...page.schema, params: AssetParams } };
  app.get("/dashboard/*", asset, async (request, reply) => {
    const rest = request.params["*"];
    if (dir === null || rest === "" || extname(rest) === "") return sendIndex(reply);
    const path = normalize(join(dir, rest));
    const type = TYPES[extname(path)];
    if (!path.startsWith(dir + sep) || type === undefined) return notFound(secure(reply));
    let body: Buffer;
    try {
      body = await readFile(path);
    } catch {
      return notFound(secure(reply));
    }
    // Vite names built assets by content hash: they never change under the same name.
    const immutable = rest.startsWith("assets/");
    return secure(reply)
      .type(type)
      .header("cache-control", immutable ? "public, max-age=31536000, immutable" : "no-cache")
      .send(body);
  });
}

function notFound(reply: FastifyReply): FastifyReply {
  return reply
    .code(404)
    .send({ error: { code: "not_found", message: "no such dashboard file" }, success: false });
}
