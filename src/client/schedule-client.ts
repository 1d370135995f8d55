/**
 * The cron schedule calls of the HTTP API (SPEC §8) over a `SpoolClient`, and the conversion of
 * a schedule resource back into the library's record (camelCase, Dates, ms).
 */
import type { JsonObject } from "../core/json.js";
import type { ScheduleRecord } from "../core/schedule.js";
import type {
  ListSchedulesResponse,
  PutScheduleBody,
  ScheduleResource,
} from "../http/schedule-contracts.js";
import type { z } from "zod";
import type { SpoolClient } from "./client.js";

const date = (value: string | null): Date | null => (value === null ? null : new Date(value));
const path = (name: string, action = ""): string =>
  `/schedules/${encodeURIComponent(name)}${action}`;

/** See the module header. */
export class ScheduleClient {
  constructor(private readonly client: SpoolClient) {}

  /** PUT /schedules/:name: creates or replaces; `created` tells which. */
  async put(name: string, body: PutScheduleBody): Promise<ScheduleResource & { created: boolean }> {
    return (
      await this.client.request<ScheduleResource & { created: boolean }>("PUT", path(name), body)
    ).body;
  }

  /** GET /schedules. */
  async list(): Promise<z.infer<typeof ListSchedulesResponse>> {
    return (await this.client.request<z.infer<typeof ListSchedulesResponse>>("GET", "/schedules"))
      .body;
  }

  /** GET /schedules/:name. */
  async get(name: string): Promise<ScheduleResource> {
    return (await this.client.request<ScheduleResource>("GET", path(name))).body;
  }

  /** DELETE /schedules/:name. */
  async delete(name: string): Promise<void> {
    await this.client.request("DELETE", path(name));
  }

  /** POST /schedules/:name/pause or /resume. */
  async setPaused(name: string, paused: boolean): Promise<ScheduleResource> {
    return (
      await this.client.request<ScheduleResource>("POST", path(name, paused ? "/pause" : "/resume"))
    ).body;
  }
}

/** The library's record for a schedule resource (the revision is not shown over HTTP: 0). */
export function fromScheduleResource(resource: ScheduleResource): ScheduleRecord {
  return {
    tenant: resource.tenant,
    name: resource.name,
    cron: resource.cron,
    timezone: resource.timezone,
    queue: resource.queue,
    type: resource.type,
    payload: resource.payload as JsonObject,
    options: {
      priority: resource.options.priority,
      maxAttempts: resource.options.max_attempts,
      timeout:
        resource.options.timeout_seconds === null
          ? null
          : Math.round(resource.options.timeout_seconds * 1000),
      tags: resource.options.tags,
      backoff: {},
      webhookUrl: resource.options.webhook_url,
    },
    paused: resource.paused,
    nextRunAt: date(resource.next_run_at),
    lastRunAt: date(resource.last_run_at),
    lastJobId: resource.last_job_id,
    revision: 0,
    createdAt: new Date(resource.created_at),
    updatedAt: new Date(resource.updated_at),
  };
}
