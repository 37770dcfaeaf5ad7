-- Name search: word starts and endings found through a dictionary instead of held per customer.
--
-- Until now each customer held, besides its whole words, every start of its words and of its
-- run-together name (^) and every ending of its words (|): about 11 of its 21 name keys. They
-- were half of the GIN index, and half of the time it takes to build it at the end of a bulk
-- load (10.2–10.6 s against 4.4–4.7 s at a million customers, docs/benchmarks.md).
--
-- Now every whole word (=) and run-together name (+) is also a row of customer_name_words, one
-- row per distinct key however many customers hold it. A search for a start finds its keys in
-- this table by a range of the primary key, for an ending by a range of the reversed words, and
-- then looks those keys up in the GIN index like any other. Typo candidates go through it too:
-- of the thousand strings one typo away from a query, only those someone holds are looked up.
-- A name's typos (in kanji, whose alphabet is too large to spell out) are rows of
-- customer_name_word_typos: each dictionary key with one character left out, as each customer
-- held them before (~ keys). Two spellings one typo apart share such a row, whichever
-- character was mistyped.
--
-- Triggers keep it, row by row. Keys nobody holds any more (after an edit or an erasure) are
-- deleted, so an erased customer's name does not stay behind in it. The import adds a batch's
-- keys itself, de-duplicated before they are sent, and sets clientele.name_words_added = 'on'
-- for its transaction so that the trigger's condition skips its rows: per row, the trigger
-- would cost more than the rest of the row's insert (statement triggers with transition
-- tables were measured too: their unnest and DISTINCT cost ~8 µs per customer).
CREATE TABLE customer_name_words (
  -- byte order: a start is a range of keys, whatever the database's collation
  key text COLLATE "C" PRIMARY KEY CHECK (left(key, 1) IN ('=', '+'))
);
CREATE INDEX customer_name_words_reversed ON customer_name_words ((reverse(key))) WHERE left(key, 1) = '=';

CREATE TABLE customer_name_word_typos (
  typo text COLLATE "C" NOT NULL,
  key  text COLLATE "C" NOT NULL REFERENCES customer_name_words (key) ON DELETE CASCADE,
  PRIMARY KEY (typo, key)
);
CREATE INDEX customer_name_word_typos_key ON customer_name_word_typos (key);

-- A key's word or name with one character left out, for 3 to 12 characters (normalise.ts
-- TYPO_CHARS), unless it is all hiragana or all Latin letters: those typos are spelled out
-- from the query (normalise.ts typoNeighbours).
CREATE FUNCTION customer_name_typos(key text) RETURNS SETOF text LANGUAGE sql IMMUTABLE AS $$
  SELECT left(w, i - 1) || substr(w, i + 1)
  FROM (SELECT substr(key, 2) AS w) s CROSS JOIN LATERAL generate_series(1, length(s.w)) i
  WHERE length(s.w) BETWEEN 3 AND 12 AND s.w !~ '^([\u3041-\u3096\u30fc]+|[a-z]+)$'
$$;

-- Adds the = and + keys among `keys` to the dictionary, with their typos. In key order, so
-- that two transactions adding the same new keys wait for each other instead of deadlocking.
CREATE FUNCTION customer_name_words_add(keys text[]) RETURNS void LANGUAGE sql AS $$
  WITH added AS (
    INSERT INTO customer_name_words (key)
    SELECT DISTINCT k FROM unnest(keys) k WHERE left(k, 1) IN ('=', '+') ORDER BY 1
    ON CONFLICT DO NOTHING
    RETURNING key
  )
  INSERT INTO customer_name_word_typos (typo, key)
  SELECT DISTINCT t, a.key FROM added a CROSS JOIN LATERAL customer_name_typos(a.key) t
  ON CONFLICT DO NOTHING
$$;

-- Every customer's keys are computed again in the new form (no ^ or | keys; + for the
-- run-together name): `clientele start` and `clientele migrate` do it in batches
-- (CustomersService.backfillNameKeys), and the trigger below fills the dictionary as they go.
UPDATE customers SET name_keys = NULL WHERE name_keys IS NOT NULL;

CREATE FUNCTION customer_name_words_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM customer_name_words_add(NEW.name_keys);
  RETURN NULL;
END $$;

CREATE FUNCTION customer_name_words_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM customer_name_words_add(NEW.name_keys);
  -- A customer created with one of these keys while this runs, and not committed yet, is not
  -- seen here: its key would be deleted. That takes an erasure or a name edit racing the
  -- creation of the same name to the millisecond; the customer is then still found by its
  -- whole words and typos, not by their starts or endings, until someone holding them is saved.
  DELETE FROM customer_name_words w
  WHERE w.key IN (
      SELECT k FROM unnest(OLD.name_keys) k
      WHERE left(k, 1) IN ('=', '+') AND NOT k = ANY (coalesce(NEW.name_keys, '{}')))
    AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.name_keys @> ARRAY[w.key COLLATE "default"]);
  RETURN NULL;
END $$;

CREATE TRIGGER customers_name_words_added AFTER INSERT ON customers FOR EACH ROW
  WHEN (NEW.name_keys IS NOT NULL AND current_setting('clientele.name_words_added', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION customer_name_words_added();
CREATE TRIGGER customers_name_words_changed AFTER UPDATE OF name_keys ON customers FOR EACH ROW
  WHEN (OLD.name_keys IS DISTINCT FROM NEW.name_keys)
  EXECUTE FUNCTION customer_name_words_changed();
