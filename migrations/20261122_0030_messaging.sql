-- Messaging: templates, segments, campaigns and their runs, and the send log.

CREATE TABLE platform_secrets (
  name        text PRIMARY KEY,
  secret      bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE message_templates (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
  channel     text NOT NULL CHECK (channel IN ('email', 'postal_mail')),
  subject     text NOT NULL CHECK (length(subject) <= 500),
  body_text   text NOT NULL,
  body_html   text,
  qr_url      text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE segments (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
  definition  jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE campaigns (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  template_id   bigint NOT NULL REFERENCES message_templates(id),
  segment_id    bigint REFERENCES segments(id),
  kind          text NOT NULL CHECK (kind IN ('one_off', 'scheduled', 'recurring', 'triggered')),
  send_at       timestamptz,
  cron          text,
  trigger_name  text,
  status        text NOT NULL DEFAULT 'draft'
                CHECK (status IN ('draft', 'scheduled', 'sending', 'paused', 'done', 'cancelled')),
  created_by    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'triggered') = (trigger_name IS NOT NULL)),
  CHECK ((kind = 'recurring') = (cron IS NOT NULL)),
  CHECK (kind = 'triggered' OR segment_id IS NOT NULL)
);
CREATE INDEX campaigns_trigger_idx ON campaigns (trigger_name) WHERE kind = 'triggered';

-- One run per sending of a campaign: once for one-off/scheduled, per firing for recurring.
CREATE TABLE campaign_runs (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  campaign_id   bigint NOT NULL REFERENCES campaigns(id),
  run_key       text NOT NULL,
  status        text NOT NULL DEFAULT 'preparing'
                CHECK (status IN ('preparing', 'sending', 'paused', 'done', 'cancelled')),
  total         int,
  segment_ms    int,
  started_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  UNIQUE (campaign_id, run_key)
);

CREATE TABLE send_log (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- a message is sent at most once per key, across retries, crashes and restarts
  idempotency_key  text NOT NULL UNIQUE,
  campaign_id      bigint REFERENCES campaigns(id),
  run_id           bigint REFERENCES campaign_runs(id),
  trigger_name     text,
  customer_id      bigint NOT NULL,
  channel          text NOT NULL CHECK (channel IN ('email', 'postal_mail')),
  status           text NOT NULL DEFAULT 'queued'
                   CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'skipped_no_consent', 'skipped_no_address', 'bounced', 'cancelled')),
  recipient        text,
  subject          text,
  context          jsonb,
  attempts         int NOT NULL DEFAULT 0,
  error            text,
  message_id       text,
  queued_at        timestamptz NOT NULL DEFAULT now(),
  sent_at          timestamptz,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX send_log_run_idx ON send_log (run_id, status, id);
CREATE INDEX send_log_customer_idx ON send_log (customer_id, queued_at DESC);
CREATE INDEX send_log_campaign_idx ON send_log (campaign_id, status);
CREATE INDEX send_log_sending_idx ON send_log (updated_at) WHERE status = 'sending';
