-- Version 16: the W3C trace context of the span that submitted a job (OpenTelemetry, issue 12):
-- `traceparent` and `tracestate` as the headers spell them, NULL when the submitter had no
-- trace. Claims return them so that each attempt's span joins the submitter's trace, in this
-- process or a remote worker's (docs/design.md "Traces"). Not indexed: never filtered on.
-- Adding nullable columns without a default rewrites nothing (a catalog change only).

ALTER TABLE jobs ADD COLUMN traceparent text;
ALTER TABLE jobs ADD COLUMN tracestate text;
