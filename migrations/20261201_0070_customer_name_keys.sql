-- Customer name search: exact keys in a GIN index in place of the trigram GiST index.
--
-- Each customer holds its name keys (src/modules/customers/normalise.ts, nameKeysOf): whole
-- words, word starts, word endings and the run-together name with one character left out,
-- each marked with its kind. A search looks keys up tier by tier (whole name, start, ending,
-- all words, one typo away); every lookup is an exact GIN lookup that stops after 20 rows.
--
-- Measured against the GiST index at a million customers (docs/benchmarks.md):
-- * a typo one character away is found whichever character it is (297 of 300 queries found
--   their person, against 159 of 300 with trigram similarity 0.6), and a typo that matches
--   nobody costs ~2 ms: the GiST scan visited most of the index's pages for it (~200 ms);
-- * the start of a reading typed so far (ふじ, ふじたひ) took up to 97 ms, now ~8 ms;
-- * inserts cost about the same on average (GIN defers work to its pending list);
-- * what is no longer found: a fragment inside a word that is neither its start nor an
--   ending (`せが` for はせがわ).
--
-- Rows from before this migration have no keys (NULL): `clientele start` and `clientele
-- migrate` compute them in batches before anything is served (CustomersService.backfillNameKeys).
ALTER TABLE customers ADD COLUMN name_keys text[];
CREATE INDEX customers_name_keys ON customers USING gin (name_keys);
DROP INDEX customers_search_name_gist;
DROP INDEX customers_search_name_prefix;
ALTER TABLE customers DROP COLUMN search_name;
