/**
 * Refused WebSocket upgrades get a real HTTP answer and a closed socket. `@fastify/websocket`
 * runs an upgrade request through the normal Fastify lifecycle on the raw socket; when a hook
 * refuses it (401 from auth, 400 from validation, 403/404 from the route's checks) the answer
 * is written, but nothing closes the socket — Node's HTTP server stopped managing it when it
 * emitted 'upgrade' — so it sat in CLOSE-WAIT once the client hung up, and ~20,000 keyless
 * upgrades exhausted the file descriptors (and kept `server.close()` waiting forever). Here:
 * every upgrade request that is not switched to a WebSocket is answered with
 * `Connection: close` and its socket is destroyed once the answer is flushed; an upgrade to a
 * path without a WebSocket handler answers 404 instead of being upgraded and dropped.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from "fastify";
import { HttpError } from "./errors.js";

/** True for a request that asked to switch protocols. */
export function isUpgradeRequest(request: FastifyRequest): boolean {
  return Reflect.get(request.raw, "upgrade") === true;
}

/** Installs the guard. Call before other `onRequest` hooks and before routes are registered. */
export function installUpgradeGuard(app: FastifyInstance): void {
  const websocketRoutes = new Set<string>();
  app.addHook("onRoute", (route: RouteOptions & { websocket?: boolean }) => {
    if (route.websocket === true) websocketRoutes.add(route.url);
  });
  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    if (!isUpgradeRequest(request)) return;
    void reply.header("connection", "close");
    const route = request.routeOptions.url;
    if (route !== undefined && !websocketRoutes.has(route)) {
      throw new HttpError(404, "not_found", `no WebSocket endpoint at ${route}; use /ws`);
    }
  });
  app.addHook("onResponse", async (request: FastifyRequest) => {
    // Not called for a hijacked reply: that is the WebSocket itself, which owns the socket.
    if (isUpgradeRequest(request)) request.raw.socket.destroy();
  });
}
