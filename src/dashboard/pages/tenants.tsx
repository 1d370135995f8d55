/**
 * Tenants and credits (admin): tier, fair-scheduling weight, quota override, usage, refused
 * submissions, backlog; edit quota overrides.
 */
import { useState } from "preact/hooks";
import type { Tenant } from "../api.js";
import { describeError, useApp, useLoader } from "../app-context.js";
import { ErrorLine } from "../components.js";
import { count } from "../format.js";
import { href } from "../router.js";

function usage(period: Tenant["daily"]) {
  const out = period.limit !== null && period.used >= period.limit;
  return (
    <span class={out ? "out" : ""}>
      {count(period.used)} / {period.limit === null ? "∞" : count(period.limit)}
      {out ? <strong> (out of credits)</strong> : null}
    </span>
  );
}

export function Tenants() {
  const { client } = useApp();
  const { data, error, refresh } = useLoader(
    async () => (await client.request<{ tenants: Tenant[] }>("GET", "/tenants")).body.tenants,
    [],
    5_000,
  );
  const [editing, setEditing] = useState<string | null>(null);
  const [form, setForm] = useState({ daily: "", monthly: "" });
  const [actionError, setActionError] = useState<string | null>(null);
  const limit = (value: string): number | null => (value.trim() === "" ? null : Number(value));

  return (
    <>
      <h1>Tenants and credits</h1>
      <ErrorLine error={actionError ?? error} />
      {data === null ? null : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Tenant</th>
                <th scope="col">Tier</th>
                <th scope="col" class="num">
                  Weight
                </th>
                <th scope="col">Today</th>
                <th scope="col">This month</th>
                <th scope="col" class="num">
                  Refused (429)
                </th>
                <th scope="col" class="num">
                  Waiting
                </th>
                <th scope="col" class="num">
                  Running
                </th>
                <th scope="col" class="num">
                  Failed
                </th>
                <th scope="col" class="num">
                  Keys
                </th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.map((tenant) => (
                <tr key={tenant.tenant}>
                  <th scope="row">
                    <a href={href("/jobs", { tenant: tenant.tenant })}>{tenant.tenant}</a>
                  </th>
                  <td>
                    {tenant.tier ?? <span class="muted">none</span>}
                    {tenant.quota === null ? null : <span class="muted small"> + quota</span>}
                  </td>
                  <td class="num">{count(tenant.weight)}</td>
                  <td>{usage(tenant.daily)}</td>
                  <td>{usage(tenant.monthly)}</td>
                  <td class="num">{count(tenant.refused)}</td>
                  <td class="num">{count(tenant.backlog)}</td>
                  <td class="num">{count(tenant.running)}</td>
                  <td class="num">{count(tenant.failed)}</td>
                  <td class="num">{count(tenant.keys)}</td>
                  <td>
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`Edit quota of ${tenant.tenant}`}
                      onClick={() => {
                        setEditing(tenant.tenant);
                        const own = (value: number | null | undefined): string =>
                          value === null || value === undefined ? "" : String(value);
                        setForm({
                          daily: own(tenant.quota?.daily_limit),
                          monthly: own(tenant.quota?.monthly_limit),
                        });
                      }}
                    >
                      Edit quota
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing === null ? null : (
        <form
          class="edit card"
          onSubmit={(event) => {
            event.preventDefault();
            setActionError(null);
            void client
              .request("PUT", `/tenants/${encodeURIComponent(editing)}/quota`, {
                daily_limit: limit(form.daily),
                monthly_limit: limit(form.monthly),
              })
              .then(
                () => {
                  setEditing(null);
                  refresh();
                },
                (failure: unknown) => setActionError(describeError(failure)),
              );
          }}
        >
          <h2>Quota of {editing}</h2>
          <label>
            Jobs per day (empty: the tier's limit)
            <input
              type="number"
              min={0}
              value={form.daily}
              onInput={(event) =>
                setForm({ ...form, daily: (event.target as HTMLInputElement).value })
              }
            />
          </label>
          <label>
            Jobs per month (empty: the tier's limit)
            <input
              type="number"
              min={0}
              value={form.monthly}
              onInput={(event) =>
                setForm({ ...form, monthly: (event.target as HTMLInputElement).value })
              }
            />
          </label>
          <button type="submit">Save quota</button>
          <button type="button" class="secondary" onClick={() => setEditing(null)}>
            Close
          </button>
        </form>
      )}
      <p class="muted small">
        Tenants are those with API keys or a tier, weight or quota, plus any seen in jobs since this
        server started. A quota overrides its tier's limits field by field; tiers and weights are
        set with <code>spool tenants set</code> or <code>PUT /tenants/:tenant</code>. Refused counts
        429 answers of this server since it started.
      </p>
    </>
  );
}
