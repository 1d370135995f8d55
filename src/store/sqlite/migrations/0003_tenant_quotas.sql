-- Version 3: tenant quotas ("credits"): submitted jobs per UTC day and month.

CREATE TABLE tenant_quotas (
  tenant        TEXT    PRIMARY KEY,
  daily_limit   INTEGER CHECK (daily_limit IS NULL OR daily_limit >= 0),
  monthly_limit INTEGER CHECK (monthly_limit IS NULL OR monthly_limit >= 0),
  updated_at    INTEGER NOT NULL
);

-- Usage per period key (`day:2026-11-23`, `month:2026-11`); only tenants with a quota are counted.
CREATE TABLE tenant_usage (
  tenant TEXT    NOT NULL,
  period TEXT    NOT NULL,
  used   INTEGER NOT NULL,
  PRIMARY KEY (tenant, period)
);
