-- Distinct users of each function, kept by the ingest (A-6 "usage per person per month").
--
-- The analysis of a whole product type over 12 months counted distinct (customer, function,
-- month) from the registration-keyed rollup: ~110,000 rows joined to registrations and grouped
-- three times at 50M records, p95 121 ms against a goal of 100 ms. Distinct counts do not add
-- up across months or models, so appliance_function_users keeps, per scope ('all',
-- 'type:<product type>' or 'model:<model>'), function and customer, the months with use
-- (unordered). The ingest appends a month only when it is not there yet (ON CONFLICT … DO
-- UPDATE … WHERE), so a key seen twice — in one batch, in two batches at once, or again later —
-- is stored once. Persons over a range of months are an indexed scan of one row per customer
-- and function with an array overlap, and "persons · months" the months in range on those rows.
-- A per-month count of users beside it was tried and dropped: every batch with a new key
-- updated the same few count rows, which the two batches in flight then waited for — the
-- likely reason stored records/s fell 15–20 % in the benchmark.
--
-- Unlike the other rollups this one is keyed by customer, so merges, undos and product type
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

-- Bumped by every change that deletes rows of the table above (merge, undo, rebuild): an
-- ingest node remembers the keys it has seen stored and skips writing them again, but only
-- while the epoch it read (after locking its batch's appliances) is the one it learned them in.
CREATE TABLE appliance_user_rollups_epoch (
  id     boolean PRIMARY KEY DEFAULT true CHECK (id),
  epoch  bigint NOT NULL
);
INSERT INTO appliance_user_rollups_epoch (id, epoch) VALUES (true, 0);

-- Existing installations: fill it from the registration-keyed rollup.
INSERT INTO appliance_function_users (scope, function_code, customer_id, months)
SELECT s.scope, u.function_code, g.customer_id, array_agg(DISTINCT u.usage_month)
FROM appliance_usage_monthly u
JOIN appliance_registrations g ON g.id = u.registration_id
JOIN appliance_models m ON m.model = u.model
CROSS JOIN LATERAL unnest(ARRAY['all', 'type:' || m.product_type, 'model:' || u.model]) AS s(scope)
GROUP BY 1, 2, 3;
