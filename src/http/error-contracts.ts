/**
 * The error body every failure answers with, the credits 429's `credits_info`, and the
 * declarations of non-JSON answers (SSE, Prometheus text) for the OpenAPI document.
 */
import { z } from "zod";

/** The error body of every failure (`request_id` is the `x-request-id` of the request). */
export const ErrorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional().describe("snake_case facts"),
    request_id: z.string(),
  }),
});

/** What a credit 429 and GET /credits carry (seed 004's `credits_info`). */
export const CreditsInfo = z.object({
  tier: z
    .string()
    .nullable()
    .describe(
      "The tenant's tier (own or default); `custom` for a quota without a tier; null when neither (unlimited)",
    ),
  daily_limit: z.number().nullable(),
  daily_used: z.number(),
  monthly_limit: z.number().nullable(),
  monthly_used: z.number(),
  resets_at: z.string().describe("When the period that refused the job (or the day) resets"),
});

/** A 429 of the credits (quota_exceeded): the error plus `credits_info`. */
export const QuotaErrorResponse = ErrorResponse.extend({ credits_info: CreditsInfo });

/** A response that is not JSON (SSE, Prometheus text), as fastify-swagger documents it. */
export function rawResponse(
  mediaType: string,
  description: string,
): { description: string; content: Record<string, { schema: { type: "string" } }> } {
  return { description, content: { [mediaType]: { schema: { type: "string" } } } };
}

/** The SSE answer of the event routes. */
export const EventStreamResponse = rawResponse(
  "text/event-stream",
  "Server-Sent Events: `id:` (log position, resume with Last-Event-ID), `event:` (job.queued, job.started, …), `data:` (JSON event)",
);
