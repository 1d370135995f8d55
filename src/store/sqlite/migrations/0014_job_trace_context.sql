-- Version 14: the W3C trace context of the span that submitted a job (OpenTelemetry, issue 12):
-- `traceparent` and `tracestate` as the headers spell them, NULL when the submitter had no
-- trace. Claims return them so that each attempt's span joins the submitter's trace, in this
-- process or a remote worker's (docs/design.md "Traces"). Not indexed: never filtered on.

ALTER TABLE jobs ADD COLUMN traceparent TEXT;
ALTER TABLE jobs ADD COLUMN tracestate TEXT;
