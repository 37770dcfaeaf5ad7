-- Customer name search: a GiST trigram index in place of the GIN one.
--
-- Search ranks names by word similarity and shows the best 20. With GIN, PostgreSQL had to
-- fetch and score every match before it could keep 20: a common family name (2.5 % of a
-- million customers) took ~1 s. GiST answers `ORDER BY q <<-> search_name LIMIT 20` as a
-- k-nearest-neighbour scan that stops after 20 rows, however many rows match, and it also
-- serves LIKE '%…%' and the <% operator, so the GIN index is no longer needed.
--
-- The price is paid on writes: at a million customers a GiST insert costs ~0.08 ms against
-- GIN's ~0.03 ms (GIN defers work to its pending list), so bulk imports are ~20 % slower.
--
-- siglen (bytes of the signature in inner pages): search keys hold ~25–35 trigrams. With 64,
-- a query matching nothing took 150 ms (12 ms with 256); 256 and 512 gave the same p95 in
-- the benchmark while 512 made inserts another third dearer. See docs/benchmarks.md.
--
-- On an existing database the build takes about a minute per million customers and blocks
-- writes to customers meanwhile.
CREATE INDEX customers_search_name_gist ON customers USING gist (search_name gist_trgm_ops (siglen = 256));
DROP INDEX customers_search_name_trgm;
