/**
 * Response-contract mode (tests; `SPOOL_VALIDATE_RESPONSES=1` or `validateResponses: true`):
 * every answer the app sends is checked against the OpenAPI document it publishes at
 * `/openapi.json` — the route and method must be documented, the status must be one of the
 * operation's responses, the media type one of its contents, and a JSON body must validate
 * against that schema. A violation is recorded and the answer is replaced by a 500
 * `contract_violation` naming it, so no test can pass on an undocumented answer. It checks the
 * published document rather than the zod schemas because that document is the contract clients
 * generate code from (zod strips unknown keys when parsing; the document says
 * `additionalProperties: false`). Hidden routes (the docs UI, `/openapi.json` itself) and
 * hijacked answers (SSE, WebSocket) are not checked here.
 */
import { Ajv, type ValidateFunction } from "ajv";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** The part of an OpenAPI 3 document the checker reads. */
interface OpenApiDocument {
  paths?: Record<string, Record<string, OpenApiOperation | undefined> | undefined>;
  components?: Record<string, unknown>;
}
interface OpenApiOperation {
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> } | undefined>;
}

/**
 * An OpenAPI 3.0 schema as plain JSON Schema: `nullable: true` becomes a `"null"` type (and is
 * dropped where there is no type, which already allows null).
 */
function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (schema === null || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "nullable") continue;
    out[key] = key === "enum" || key === "required" ? value : toJsonSchema(value);
  }
  const nullable = (schema as { nullable?: unknown }).nullable === true;
  if (nullable && typeof out.type === "string") {
    out.type = [out.type, "null"];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  return out;
}

/** Fastify's `/jobs/:id` as OpenAPI's `/jobs/{id}`. */
function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}

/** Checks answers against one OpenAPI document; see the module header. */
export class ResponseContract {
  /** Every violation seen, oldest first. */
  readonly violations: string[] = [];
  private readonly ajv = new Ajv({ strict: false, allErrors: false });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly document: () => OpenApiDocument) {}

  /**
   * The violation of one answer, or null. `route` is the matched route pattern (undefined for
   * unmatched URLs, which must answer in the documented error shape).
   */
  check(
    route: string | undefined,
    method: string,
    status: number,
    contentType: string | undefined,
    body: string,
  ): string | null {
    const where = `${method} ${route ?? "(unmatched)"} → ${status}`;
    const doc = this.document();
    const operation =
      route === undefined
        ? this.errorOperation(doc)
        : doc.paths?.[openApiPath(route)]?.[method.toLowerCase()];
    if (operation === undefined) return `${where}: the route is not in /openapi.json`;
    const response = operation.responses?.[String(status)] ?? operation.responses?.default;
    if (response === undefined) return `${where}: status ${status} is not documented`;
    const mediaType = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
    if (response.content === undefined) {
      return body === "" ? null : `${where}: documented without a body, but one was sent`;
    }
    const media = response.content[mediaType];
    if (media === undefined) {
      return `${where}: media type "${mediaType}" is not documented (${Object.keys(response.content).join(", ")})`;
    }
    if (mediaType !== "application/json" || media.schema === undefined) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return `${where}: the body is not JSON: ${body.slice(0, 200)}`;
    }
    const key = `${route ?? ""} ${method} ${status} ${mediaType}`;
    let validate = this.compiled.get(key);
    if (validate === undefined) {
      try {
        validate = this.ajv.compile(
          toJsonSchema({ ...(media.schema as object), components: doc.components ?? {} }) as object,
        );
      } catch (error) {
        return `${where}: the documented schema does not compile: ${(error as Error).message}`;
      }
      this.compiled.set(key, validate);
    }
    if (validate(parsed)) return null;
    const first = validate.errors?.[0];
    return `${where}: body does not match the schema: ${first?.instancePath || "(root)"} ${first?.message ?? ""} ${JSON.stringify(first?.params ?? {})}`;
  }

  /** Unmatched URLs answer like any documented error: take GET /jobs/{id}'s 404. */
  private errorOperation(doc: OpenApiDocument): OpenApiOperation | undefined {
    const get = doc.paths?.["/jobs/{id}"]?.get;
    const notFound = get?.responses?.["404"];
    if (notFound === undefined) return undefined;
    return { responses: { default: notFound } };
  }
}

/** Installs the checker as an `onSend` hook (call before `ready()`). Returns it. */
export function installResponseContract(
  app: FastifyInstance,
  onViolation: (message: string) => void,
): ResponseContract {
  const contract = new ResponseContract(() => app.swagger() as OpenApiDocument);
  app.addHook("onSend", async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (request.method === "HEAD") return payload;
    if ((request.routeOptions.schema as { hide?: boolean } | undefined)?.hide === true)
      return payload;
    const body =
      typeof payload === "string"
        ? payload
        : Buffer.isBuffer(payload)
          ? payload.toString("utf8")
          : payload === null || payload === undefined
            ? ""
            : null;
    if (body === null) return payload; // a stream: not checked
    const contentType = reply.getHeader("content-type");
    const violation = contract.check(
      request.routeOptions.url,
      request.method,
      reply.statusCode,
      typeof contentType === "string" ? contentType : undefined,
      body,
    );
    if (violation === null) return payload;
    contract.violations.push(violation);
    onViolation(violation);
    void reply.code(500).header("content-type", "application/json; charset=utf-8");
    return JSON.stringify({
      success: false,
      error: { code: "contract_violation", message: violation, request_id: request.id },
    });
  });
  return contract;
}
