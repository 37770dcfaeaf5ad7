-- Foundation: extensions, organisations, access (staff, sessions, API keys, throttle),
-- customers (identity, identifiers, consent) and the audit log.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS citext;

-- organisations: the coalition's member stores, the facilities with readers, and partner companies.
CREATE TABLE stores (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE facilities (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE partners (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code           text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  -- customer fields this partner may read through the partner surface
  granted_fields text[] NOT NULL DEFAULT '{}',
  created_at     timestamptz NOT NULL DEFAULT now()
);

-- access: staff accounts, sessions of every surface, API keys, login throttle.
CREATE TABLE staff_accounts (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username       citext NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9._@-]{3,64}$'),
  display_name   text NOT NULL,
  role           text NOT NULL CHECK (role IN ('admin', 'sales', 'store', 'facility', 'partner')),
  store_id       bigint REFERENCES stores(id),
  facility_id    bigint REFERENCES facilities(id),
  partner_id     bigint REFERENCES partners(id),
  password_hash  text NOT NULL,
  disabled_at    timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  CHECK ((role = 'store') = (store_id IS NOT NULL)),
  CHECK ((role = 'facility') = (facility_id IS NOT NULL)),
  CHECK ((role = 'partner') = (partner_id IS NOT NULL))
);

CREATE TABLE sessions (
  -- sha256 of the cookie value; the cookie itself is never stored
  id_hash      bytea PRIMARY KEY,
  surface      text NOT NULL CHECK (surface IN ('console', 'portal', 'partner')),
  staff_id     bigint REFERENCES staff_accounts(id) ON DELETE CASCADE,
  customer_id  bigint,
  csrf_token   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  CHECK ((staff_id IS NULL) <> (customer_id IS NULL))
);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE api_keys (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- public part of the key, shown in lists; the secret is stored as sha256 only
  key_id       text NOT NULL UNIQUE,
  secret_hash  bytea NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('store_terminal', 'reader', 'device', 'tracker', 'partner')),
  label        text NOT NULL,
  store_id     bigint REFERENCES stores(id),
  facility_id  bigint REFERENCES facilities(id),
  partner_id   bigint REFERENCES partners(id),
  created_by   bigint REFERENCES staff_accounts(id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz,
  CHECK ((kind = 'store_terminal') = (store_id IS NOT NULL)),
  CHECK ((kind = 'partner') = (partner_id IS NOT NULL))
);

CREATE TABLE auth_failures (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- e.g. 'account:console:alice' or 'ip:203.0.113.7'
  key       text NOT NULL,
  at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auth_failures_key_at_idx ON auth_failures (key, at);

-- customers: the identity core.
CREATE TABLE customers (
  id                  bigint GENERATED ALWAYS AS IDENTITY (START WITH 100001) PRIMARY KEY,
  registration_no     text NOT NULL UNIQUE CHECK (registration_no ~ '^[0-9]{10}$'),
  status              text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'merged', 'erased')),
  merged_into         bigint REFERENCES customers(id),
  name                text,
  name_reading        text,
  postal_code         text,
  prefecture          text,
  city                text,
  address_line1       text,
  address_line2       text,
  phone               text,
  birth_date          date,
  occupation          text,
  email               citext,
  nickname            text,
  rank                text NOT NULL DEFAULT 'standard',
  portal_password_hash text,
  -- normalised (NFKC, lower case, katakana→hiragana, no spaces) name and reading, for search
  search_name         text NOT NULL DEFAULT '',
  phone_digits        text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  erased_at           timestamptz,
  CHECK ((status = 'merged') = (merged_into IS NOT NULL))
);
CREATE INDEX customers_search_name_trgm ON customers USING gin (search_name gin_trgm_ops);
CREATE INDEX customers_search_name_prefix ON customers (search_name text_pattern_ops);
CREATE INDEX customers_phone_digits_idx ON customers (phone_digits text_pattern_ops);
CREATE INDEX customers_email_idx ON customers (email);
CREATE INDEX customers_email_prefix ON customers ((lower(email::text)) text_pattern_ops);
CREATE INDEX customers_merged_into_idx ON customers (merged_into) WHERE merged_into IS NOT NULL;

CREATE TABLE customer_identifiers (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id  bigint NOT NULL REFERENCES customers(id),
  kind         text NOT NULL CHECK (kind IN ('registration_no', 'product_serial', 'member_card', 'card_uid',
                 'appliance_mfg_no', 'web_user_id', 'web_anonymous_id', 'email', 'phone')),
  value        text NOT NULL CHECK (length(value) BETWEEN 1 AND 200),
  source       text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  -- one identifier, at most one customer: a race of two attaches cannot both win
  CONSTRAINT customer_identifiers_kind_value_key UNIQUE (kind, value)
);
CREATE INDEX customer_identifiers_customer_idx ON customer_identifiers (customer_id);
CREATE INDEX customer_identifiers_value_idx ON customer_identifiers (value);

CREATE TABLE consent_events (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id  bigint NOT NULL REFERENCES customers(id),
  channel      text NOT NULL CHECK (channel IN ('email', 'postal_mail')),
  granted      boolean NOT NULL,
  source       text NOT NULL,
  surface      text NOT NULL,
  at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consent_events_customer_idx ON consent_events (customer_id, channel, at DESC, id DESC);

-- Current consent per channel, kept in the transaction that appends the event.
CREATE TABLE customer_consents (
  customer_id  bigint NOT NULL REFERENCES customers(id),
  channel      text NOT NULL,
  granted      boolean NOT NULL,
  event_id     bigint NOT NULL REFERENCES consent_events(id),
  at           timestamptz NOT NULL,
  PRIMARY KEY (customer_id, channel)
);

-- audit: every change to customer data, who made it and through which surface.
CREATE TABLE audit_log (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT now(),
  actor_type   text NOT NULL CHECK (actor_type IN ('staff', 'customer', 'api_key', 'system')),
  actor_id     text,
  actor_label  text,
  surface      text NOT NULL,
  action       text NOT NULL,
  customer_id  bigint,
  before       jsonb,
  after        jsonb,
  details      jsonb
);
CREATE INDEX audit_log_customer_idx ON audit_log (customer_id, id DESC);
CREATE INDEX audit_log_action_idx ON audit_log (action, id DESC);
