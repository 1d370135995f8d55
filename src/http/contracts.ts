/**
 * Request and response schemas of the HTTP API (SPEC §2, snake_case). Request schemas carry the
 * real patterns and ranges (strict: unknown fields are refused), taken from the core validation's
 * own constants so that the published contract and the server cannot drift; the core validation
 * still runs behind them (sizes, payload schemas, calendar checks) and reports the same field
 * names. Every response schema here is what the server sends; `success` and the error's
 * `request_id` are added to every JSON body in one place (`envelope.ts`). The same schemas
 * generate the OpenAPI document and type the HTTP client.
 */

export {
  CreditsInfo,
  ErrorResponse,
  EventStreamResponse,
  QuotaErrorResponse,
  rawResponse,
} from "./error-contracts.js";
export * from "./job-contracts.js";
export * from "./queue-contracts.js";
export * from "./console-contracts.js";
