/**
 * Request logging: one line per request ("request completed": method, url, status, time,
 * request id) instead of Fastify's two full lines — measured at ~13 % of the server's CPU under
 * POST load. Health checks log at debug. Every URL is logged with its `access_token` value
 * redacted: keys must never reach log files.
 */
import { LogController, type FastifyReply, type FastifyRequest } from "fastify";

const ACCESS_TOKEN_RE = /([?&]access_token=)[^&#]*/gi;

/** The URL with the value of every `access_token` query parameter replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  return url.replace(ACCESS_TOKEN_RE, "$1[redacted]");
}

/** See the module header. */
export class RequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ method: request.method, url: redactUrl(request.url) }, "incoming request");
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const url = redactUrl(request.url);
    const fields = {
      method: request.method,
      url,
      statusCode: reply.statusCode,
      responseTimeMs: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (error) reply.log.error({ ...fields, err: error }, "request errored");
    else if (url === "/healthz" || url === "/readyz") reply.log.debug(fields, "request completed");
    else reply.log.info(fields, "request completed");
  }

  // Fastify's own versions of these log the raw request (its URL unredacted).
  override routeNotFound(request: FastifyRequest): void {
    request.log.info({ method: request.method, url: redactUrl(request.url) }, "route not found");
  }

  override writeHeadError(error: Error, request: FastifyRequest, reply: FastifyReply): void {
    reply.log.warn(
      { method: request.method, url: redactUrl(request.url), err: error },
      "writeHead failed",
    );
  }

  override defaultErrorLog(error: Error, request: FastifyRequest, reply: FastifyReply): void {
    const fields = { method: request.method, url: redactUrl(request.url), err: error };
    if (reply.statusCode >= 500) reply.log.error(fields, error.message);
    else reply.log.info(fields, error.message);
  }
}
