-- Connected appliances (SPEC A-1 … A-9): the merchandise database (models, function code
-- catalogs, tariffs, the production list), registrations (who uses which appliance since
-- which record), the raw usage records, the rollups kept current as records arrive, and
-- the monthly rental bills.
--
-- Months are the first day of a month in Japan time (Asia/Tokyo, no daylight saving).

CREATE TABLE appliance_models (
  model                       text PRIMARY KEY CHECK (model ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
  product_type                text NOT NULL CHECK (product_type IN ('washer', 'microwave', 'dvd_recorder', 'rice_cooker', 'air_conditioner', 'pc', 'other')),
  name                        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  -- additional codes of this model's function list: [{ "code": "W", "name": "load", "unit": "kg" }]
  additional_codes            jsonb NOT NULL DEFAULT '[]',
  -- functions usable before the first-use record is acknowledged (A-2 "basic functions only")
  basic_functions             text[] NOT NULL DEFAULT '{}',
  monthly_base_yen            integer NOT NULL DEFAULT 0 CHECK (monthly_base_yen >= 0),
  -- usage of one appliance at or above this many billable minutes in a bill gets the discount (A-7)
  discount_threshold_minutes  integer CHECK (discount_threshold_minutes > 0),
  discount_percent            numeric(5, 2) NOT NULL DEFAULT 0 CHECK (discount_percent BETWEEN 0 AND 100),
  created_at                  timestamptz NOT NULL DEFAULT now(),
  updated_at                  timestamptz NOT NULL DEFAULT now()
);

-- The function code list of a model (FIG. 10) with its tariff.
CREATE TABLE appliance_functions (
  model           text NOT NULL REFERENCES appliance_models (model) ON DELETE CASCADE,
  code            text NOT NULL CHECK (code ~ '^[A-Z]-[0-9]{2}$'),
  name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  per_use_yen     numeric(10, 2) NOT NULL DEFAULT 0 CHECK (per_use_yen >= 0),
  per_minute_yen  numeric(10, 2) NOT NULL DEFAULT 0 CHECK (per_minute_yen >= 0),
  PRIMARY KEY (model, code)
);

-- The production list: every manufactured appliance with its device secret (SHA-256 only).
CREATE TABLE appliances (
  manufacturing_number  text PRIMARY KEY CHECK (manufacturing_number ~ '^[A-Z0-9][A-Z0-9-]{0,63}$'),
  model                 text NOT NULL REFERENCES appliance_models (model),
  secret_sha256         bytea NOT NULL,
  imported_at           timestamptz NOT NULL DEFAULT now(),
  -- the open registration; null = locked (no first-use record acknowledged yet, or ended)
  registration_id       bigint,
  last_seq              bigint NOT NULL DEFAULT 0,
  last_seen_at          timestamptz,
  -- the use in progress, which later records with "continued": true extend
  open_use_seq          bigint,
  open_use_function     text,
  open_use_sec          integer,
  open_use_month        date
);
CREATE INDEX appliances_model_idx ON appliances (model);

-- The merchandise data table (FIG. 4, 402): customer number + manufacturing number +
-- registration time. A card change starts a new registration (A-4); records with
-- first_seq <= seq < end_seq belong to it.
CREATE TABLE appliance_registrations (
  id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  manufacturing_number  text NOT NULL REFERENCES appliances (manufacturing_number),
  model                 text NOT NULL,
  customer_id           bigint NOT NULL,
  card_number           text,
  account               text,
  -- prefecture parsed from the card's address, for analysis per area ('' = unknown)
  area                  text NOT NULL DEFAULT '',
  source                text NOT NULL CHECK (source IN ('ic_card', 'home_network')),
  first_seq             bigint NOT NULL,
  end_seq               bigint,
  registered_at         timestamptz NOT NULL,
  ended_at              timestamptz,
  CHECK (end_seq IS NULL OR end_seq > first_seq)
);
CREATE UNIQUE INDEX appliance_registrations_open_idx ON appliance_registrations (manufacturing_number) WHERE end_seq IS NULL;
CREATE INDEX appliance_registrations_mfg_idx ON appliance_registrations (manufacturing_number, first_seq);
CREATE INDEX appliance_registrations_customer_idx ON appliance_registrations (customer_id);
CREATE INDEX appliance_registrations_model_idx ON appliance_registrations (model) WHERE end_seq IS NULL;
ALTER TABLE appliances ADD FOREIGN KEY (registration_id) REFERENCES appliance_registrations (id);

-- Every accepted record (FIG. 3), idempotent on (manufacturing number, seq). Personal data
-- of first-use records lives with the customer, not here.
CREATE TABLE appliance_records (
  manufacturing_number  text NOT NULL,
  seq                   bigint NOT NULL,
  kind                  smallint NOT NULL CHECK (kind IN (1, 2)),  -- 1 first-use, 2 usage
  at                    timestamptz NOT NULL,
  received_at           timestamptz NOT NULL DEFAULT now(),
  function_code         text,
  param_code            text,
  param_value           integer,
  duration_sec          integer,
  continued             boolean NOT NULL DEFAULT false,
  -- seq of the record that started the use this record belongs to (itself for a start)
  use_seq               bigint,
  -- month of the bill that carries it: the usage month, or a later one when that was closed on arrival
  bill_month            date,
  PRIMARY KEY (manufacturing_number, seq)
);
CREATE INDEX appliance_records_at_brin ON appliance_records USING brin (at);

-- Utilisation per registration (customer × appliance) × function × month (FIG. 4, 403):
-- uses, total time, last use; the charge is computed from the tariff when read.
CREATE TABLE appliance_usage_monthly (
  registration_id  bigint NOT NULL REFERENCES appliance_registrations (id),
  function_code    text NOT NULL,
  usage_month      date NOT NULL,
  bill_month       date NOT NULL,
  model            text NOT NULL,
  uses             integer NOT NULL DEFAULT 0,
  total_sec        bigint NOT NULL DEFAULT 0,
  billable_min     bigint NOT NULL DEFAULT 0,
  last_use_at      timestamptz,
  PRIMARY KEY (registration_id, function_code, usage_month, bill_month)
);
CREATE INDEX appliance_usage_monthly_model_idx ON appliance_usage_monthly (model, usage_month) INCLUDE (function_code, registration_id);
CREATE INDEX appliance_usage_monthly_bill_idx ON appliance_usage_monthly (bill_month);

-- Per model × function × month × area: uses and time (A-6 totals and per area).
CREATE TABLE appliance_function_monthly (
  model          text NOT NULL,
  function_code  text NOT NULL,
  usage_month    date NOT NULL,
  area           text NOT NULL,
  uses           bigint NOT NULL DEFAULT 0,
  total_sec      bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (model, function_code, usage_month, area)
);

-- Duration histogram (FIG. 9(c)): uses by their whole duration, in the month the use started.
CREATE TABLE appliance_duration_histogram (
  model          text NOT NULL,
  function_code  text NOT NULL,
  usage_month    date NOT NULL,
  bucket         smallint NOT NULL,
  uses           bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (model, function_code, usage_month, bucket)
);

-- Uses by weekday (0 = Sunday) and hour of day (FIG. 9(b)), Japan time.
CREATE TABLE appliance_time_histogram (
  model          text NOT NULL,
  function_code  text NOT NULL,
  usage_month    date NOT NULL,
  weekday        smallint NOT NULL CHECK (weekday BETWEEN 0 AND 6),
  hour           smallint NOT NULL CHECK (hour BETWEEN 0 AND 23),
  uses           bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (model, function_code, usage_month, weekday, hour)
);

-- Billing months: a closed month's bills are frozen.
CREATE TABLE appliance_billing_months (
  month      date PRIMARY KEY CHECK (extract(day FROM month) = 1),
  closed_at  timestamptz NOT NULL DEFAULT now(),
  closed_by  text NOT NULL
);

CREATE TABLE appliance_bills (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  number       text NOT NULL UNIQUE,
  customer_id  bigint NOT NULL,
  month        date NOT NULL REFERENCES appliance_billing_months (month),
  subtotal_yen bigint NOT NULL,
  discount_yen bigint NOT NULL,
  total_yen    bigint NOT NULL,
  issued_at    timestamptz NOT NULL DEFAULT now(),
  paid_at      timestamptz
);
CREATE INDEX appliance_bills_customer_idx ON appliance_bills (customer_id, month);
CREATE INDEX appliance_bills_month_idx ON appliance_bills (month);

CREATE TABLE appliance_bill_lines (
  bill_id               bigint NOT NULL REFERENCES appliance_bills (id) ON DELETE CASCADE,
  position              integer NOT NULL,
  kind                  text NOT NULL CHECK (kind IN ('base', 'usage', 'late_usage', 'discount')),
  manufacturing_number  text NOT NULL,
  model                 text NOT NULL,
  function_code         text,
  usage_month           date,
  uses                  integer NOT NULL DEFAULT 0,
  billable_min          bigint NOT NULL DEFAULT 0,
  description           text NOT NULL,
  amount_yen            bigint NOT NULL,
  PRIMARY KEY (bill_id, position)
);

-- Recalculations of the rollups from the raw records (A-9), monthly and on demand.
CREATE TABLE appliance_recalculations (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  from_month    date,
  to_month      date,
  requested_by  text NOT NULL,
  requested_at  timestamptz NOT NULL DEFAULT now(),
  started_at    timestamptz,
  finished_at   timestamptz,
  changed_rows  bigint,
  error         text
);
