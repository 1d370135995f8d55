/**
 * Answers the failures Fastify and Node handle before any route runs — unknown routes (404),
 * known paths with another method (405 with `Allow`), URLs that do not decode (`/jobs/%ZZ`),
 * over-long path parameters, and malformed HTTP (`clientError`) — in the API's error shape with
 * a request id, instead of Fastify's `{"error":"Bad Request"}` or a bare 414.
 */
import { randomUUID } from "node:crypto";
import type { Socket } from "node:net";
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RouteOptions,
} from "fastify";
import { envelope } from "./envelope.js";

/** The route patterns of an app, to tell 404 from 405. */
export class RouteTable {
  private readonly routes: { pattern: RegExp; methods: Set<string> }[] = [];
  private readonly byUrl = new Map<string, Set<string>>();

  /** Records every route the app registers (call before routes are added). */
  install(app: FastifyInstance): void {
    app.addHook("onRoute", (route: RouteOptions) => {
      if (route.url.includes("*")) return;
      let methods = this.byUrl.get(route.url);
      if (methods === undefined) {
        methods = new Set();
        this.byUrl.set(route.url, methods);
        const source = route.url
          .split("/")
          .map((part) =>
            part.startsWith(":") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
          )
          .join("/");
        this.routes.push({ pattern: new RegExp(`^${source}/?$`), methods });
      }
      for (const method of [route.method].flat()) methods.add(method);
    });
  }

  /** The methods a path answers to (empty: no such path). */
  methodsOf(path: string): string[] {
    const found = new Set<string>();
    for (const route of this.routes)
      if (route.pattern.test(path)) route.methods.forEach((m) => found.add(m));
    return [...found].sort();
  }
}

/** Not-found handler: 405 with `Allow` when the path exists under other methods, else 404. */
export function notFoundHandler(
  table: RouteTable,
): (request: FastifyRequest, reply: FastifyReply) => void {
  return (request, reply) => {
    const path = request.url.split("?")[0] ?? "/";
    const methods = table.methodsOf(path);
    if (methods.length > 0 && !methods.includes(request.method)) {
      void reply
        .code(405)
        .header("allow", methods.join(", "))
        .send({
          error: {
            code: "method_not_allowed",
            message: `${request.method} is not allowed on ${path} (allowed: ${methods.join(", ")})`,
            details: { allowed_methods: methods },
          },
        });
      return;
    }
    void reply.code(404).send({
      error: { code: "not_found", message: `no route ${request.method} ${path}` },
    });
  };
}

/** Fastify's `frameworkErrors`: a URL that does not decode, or a path parameter too long. */
export function frameworkErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const tooLong = error.code === "FST_ERR_MAX_PARAM_LENGTH";
  const body = envelope(
    {
      error: {
        code: "invalid_url",
        message: tooLong
          ? "a path segment is longer than the server accepts (256 characters)"
          : "the URL is not valid (a percent-escape does not decode)",
        details: { field: "path", reason: tooLong ? "is too long" : "does not decode" },
      },
    },
    400,
    request.id,
  );
  void reply
    .code(400)
    .header("content-type", "application/json; charset=utf-8")
    .header("x-request-id", request.id)
    .send(JSON.stringify(body));
}

/**
 * Node's `clientError` (malformed HTTP, oversized headers, timeouts): a JSON answer in the error
 * shape, then the connection is closed. Nothing can be written to a socket already gone.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, code, message] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [
          431,
          "Request Header Fields Too Large",
          "headers_too_large",
          "request headers are too large",
        ]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request Timeout", "request_timeout", "the request was not received in time"]
        : [400, "Bad Request", "malformed_request", "the request is not valid HTTP"];
  const requestId = randomUUID();
  const body = JSON.stringify(envelope({ error: { code, message } }, status, requestId));
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${requestId}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}
