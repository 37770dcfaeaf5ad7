-- Distinct users of each function, kept by the ingest (A-6 "usage per person per month").
--
-- The analysis of a whole product type over 12 months counted distinct (customer, function,
-- month) from the registration-keyed rollup: ~110,000 rows joined to registrations and grouped
-- three times at 50M records, p95 121 ms against a goal of 100 ms. Distinct counts do not add
-- up across months or models, so these tables keep them per scope, where a scope is
-- 'all', 'type:<product type>' or 'model:<model>':
--
-- * appliance_function_users: per (scope, function, customer) the months with use (unordered).
--   The ingest appends a month only when it is not there yet (ON CONFLICT … DO UPDATE … WHERE),
--   and only the rows it really changed count, so a key seen twice — in one batch, in two
--   batches at once, or again later — counts once. Persons over any range of months are one
--   indexed count with an array overlap;
-- * appliance_users_monthly: how many customers used each (scope, function) in a month —
--   summed over months this is the "persons · months" figure.
--
-- Unlike the other rollups these are keyed by customer, so merges, undos and product type
-- changes of a model rebuild the affected rows from appliance_usage_monthly. No foreign key to
-- customers: customers are never deleted (erasure anonymises), and the ingest's hot path
-- should not pay for the check.
CREATE TABLE appliance_function_users (
  scope          text NOT NULL,
  function_code  text NOT NULL,
  customer_id    bigint NOT NULL,
  months         date[] NOT NULL,
  PRIMARY KEY (scope, function_code, customer_id)
);
CREATE INDEX appliance_function_users_customer_idx ON appliance_function_users (customer_id);

CREATE TABLE appliance_users_monthly (
  scope          text NOT NULL,
  function_code  text NOT NULL,
  usage_month    date NOT NULL,
  users          integer NOT NULL,
  PRIMARY KEY (scope, function_code, usage_month)
);

-- Bumped by every change that deletes rows of the tables above (merge, undo, rebuild): an
-- ingest node remembers the keys it has seen stored and skips writing them again, but only
-- while the epoch it read (after locking its batch's appliances) is the one it learned them in.
CREATE TABLE appliance_user_rollups_epoch (
  id     boolean PRIMARY KEY DEFAULT true CHECK (id),
  epoch  bigint NOT NULL
);
INSERT INTO appliance_user_rollups_epoch (id, epoch) VALUES (true, 0);

-- Existing installations: fill them from the registration-keyed rollup.
CREATE TEMPORARY TABLE user_keys ON COMMIT DROP AS
SELECT DISTINCT s.scope, u.function_code, u.usage_month, g.customer_id
FROM appliance_usage_monthly u
JOIN appliance_registrations g ON g.id = u.registration_id
JOIN appliance_models m ON m.model = u.model
CROSS JOIN LATERAL unnest(ARRAY['all', 'type:' || m.product_type, 'model:' || u.model]) AS s(scope);

INSERT INTO appliance_function_users (scope, function_code, customer_id, months)
SELECT scope, function_code, customer_id, array_agg(usage_month ORDER BY usage_month) FROM user_keys GROUP BY 1, 2, 3;

INSERT INTO appliance_users_monthly (scope, function_code, usage_month, users)
SELECT scope, function_code, usage_month, count(*) FROM user_keys GROUP BY 1, 2, 3;
