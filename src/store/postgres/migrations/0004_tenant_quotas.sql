-- Version 4 (PostgreSQL): tenant quotas ("credits"); mirrors SQLite's 0003.

CREATE TABLE tenant_quotas (
  tenant        TEXT   PRIMARY KEY,
  daily_limit   BIGINT CHECK (daily_limit IS NULL OR daily_limit >= 0),
  monthly_limit BIGINT CHECK (monthly_limit IS NULL OR monthly_limit >= 0),
  updated_at    BIGINT NOT NULL
);

-- Usage per period key (`day:2026-11-23`, `month:2026-11`); only tenants with a quota are counted.
CREATE TABLE tenant_usage (
  tenant TEXT   NOT NULL,
  period TEXT   NOT NULL,
  used   BIGINT NOT NULL,
  PRIMARY KEY (tenant, period)
);
