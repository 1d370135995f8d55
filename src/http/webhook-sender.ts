/**
 * Sends one webhook request with node:http(s): a POST of a JSON body, no redirects followed
 * (a 3xx is a failed attempt), bounded by a timeout and an abort signal, through the SSRF
 * guard's `lookup` so that the address connected to is the address checked. Resolves with the
 * status code; rejects on network errors, timeouts and refused targets.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { WebhookTargetGuard } from "./webhook-target-guard.js";

/** Longest response body read (and discarded) from a receiver. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/** One request to send. */
export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  guard: WebhookTargetGuard;
  signal?: AbortSignal;
}

/** POSTs the request; see the module header. */
export async function sendWebhook(req: WebhookRequest): Promise<{ statusCode: number }> {
  const url = new URL(req.url);
  req.guard.checkTarget(url);
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  const signal =
    req.signal === undefined
      ? AbortSignal.timeout(req.timeoutMs)
      : AbortSignal.any([req.signal, AbortSignal.timeout(req.timeoutMs)]);
  return new Promise((resolve, reject) => {
    const request = send(
      url,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(req.body)),
          "user-agent": "spool-webhooks",
          ...req.headers,
        },
        lookup: req.guard.lookup,
        // A fresh connection per request: every delivery is looked up (and checked) again.
        agent: false,
        signal,
      },
      (response: IncomingMessage) => {
        let read = 0;
        response.on("data", (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) response.destroy();
        });
        response.on("close", () => resolve({ statusCode: response.statusCode ?? 0 }));
        response.on("error", () => resolve({ statusCode: response.statusCode ?? 0 }));
      },
    );
    request.on("error", (error: Error) => {
      const cause = (error as Error & { cause?: unknown }).cause;
      reject(
        signal.aborted && !(error.name === "WebhookTargetRefusedError")
          ? timeoutError(req, cause ?? error)
          : error,
      );
    });
    request.end(req.body);
  });
}

function timeoutError(req: WebhookRequest, cause: unknown): Error {
  return new Error(`no answer within ${req.timeoutMs} ms (or the sender stopped)`, { cause });
}
