/**
 * What the route schemas cannot say in /openapi.json: the `/ws` WebSocket endpoint
 * (`@fastify/websocket` hides its routes from the document, and OpenAPI 3.0 has no WebSocket
 * operation, so it is described as the GET that asks to upgrade, with every answer it can give).
 */
import type { OpenAPIV3 } from "openapi-types";

const errorRef = (description: string): OpenAPIV3.ResponseObject => ({
  description,
  content: {
    "application/json": {
      schema: {
        type: "object",
        required: ["success", "error"],
        properties: {
          success: { type: "boolean", enum: [false] },
          error: {
            type: "object",
            required: ["code", "message", "request_id"],
            properties: {
              code: { type: "string" },
              message: { type: "string" },
              details: { type: "object", additionalProperties: true },
              request_id: { type: "string" },
            },
          },
        },
      },
    },
  },
});

const WS_OPERATION: OpenAPIV3.OperationObject = {
  summary: "The /events stream over WebSocket (one JSON event per text message)",
  description:
    "Send `Connection: Upgrade`, `Upgrade: websocket`. The same roles (admin, producer) and filters " +
    "(`queue`, `job_id`, your tenant's jobs only) as GET /events. Browsers, which cannot set " +
    "headers on a WebSocket, pass the key as `access_token` (never logged). A refused upgrade " +
    "gets an HTTP answer in the error shape and the connection is closed.",
  parameters: [
    { name: "queue", in: "query", schema: { type: "string", pattern: "^[a-z0-9_.-]{1,64}$" } },
    { name: "job_id", in: "query", schema: { type: "string" } },
    { name: "access_token", in: "query", schema: { type: "string", maxLength: 512 } },
  ],
  responses: {
    "101": { description: "Switching Protocols: the socket now carries the events" },
    "400": errorRef("A filter is invalid (queue name), or the request is not an upgrade"),
    "401": errorRef("Missing or invalid key"),
    "403": errorRef("The key's role may not read events (worker keys)"),
    "404": errorRef("Unknown job_id, or an upgrade to a path that is not /ws"),
    "503": errorRef("The store is unavailable"),
  },
};

/** The document with the extras added (fastify-swagger's `transformObject`). */
export function openApiExtras(document: Partial<OpenAPIV3.Document>): Partial<OpenAPIV3.Document> {
  return { ...document, paths: { ...document.paths, "/ws": { get: WS_OPERATION } } };
}
