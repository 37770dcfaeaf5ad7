-- Idempotency keys: a retried POST with the same Idempotency-Key gets the first answer again.
CREATE TABLE idempotency_keys (
  -- surface + principal, so two callers can never see each other's answers
  scope         text NOT NULL,
  key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
  request_hash  bytea NOT NULL,
  status_code   int,
  response      text,
  content_type  text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  completed_at  timestamptz,
  PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
