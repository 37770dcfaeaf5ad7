-- The customers whose name keys are still to be computed (rows from before migration 0070),
-- found without reading the table. `clientele start` and `clientele migrate` ask for them on
-- every run: without this index that was a scan of every customer (seconds at a million on a
-- cold cache), to find none. Empty once they are keyed; new customers always get their keys,
-- so the index stays empty and costs writes nothing but the check of its condition.
CREATE INDEX customers_name_keys_missing ON customers (id) WHERE name_keys IS NULL;
