-- Name search: the starts, endings and typos of words found through a dictionary of words
-- instead of held per customer.
--
-- Until now each customer held, besides its whole words, every start of its words and of its
-- run-together name (^), every ending of its words (|) and typo keys (~): 21 name keys per
-- benchmark customer. Now every whole word (=) is also a row of customer_name_words, one row
-- per distinct word however many customers hold it, and its typos (the word with one character
-- left out) are rows of customer_name_word_typos. A search for the start of a word finds its
-- words by a range of the primary key, for an ending by a range of the reversed words, for a
-- typo through the typos table (or, in kana and Latin letters, by spelling out the query's
-- neighbours and keeping those the dictionary holds), and then looks the words up in the GIN
-- index; a start that runs past the first word (山田太 of 山田 太郎) is split after a word of
-- the dictionary (山田, then a word starting with 太). Each customer keeps its whole words (=),
-- its run-together name (+) and the run-together name's typos (~), as those are nearly one
-- per customer: words repeat (family and given names), full names hardly, and a dictionary row
-- costs more to write than a key of a GIN index that a bulk load builds. 8 keys per benchmark
-- customer instead of 21 (docs/benchmarks.md).
--
-- Triggers keep it, row by row. Words nobody holds any more (after an edit or an erasure) are
-- deleted, so an erased customer's name does not stay behind in it. The import adds a batch's
-- words itself, de-duplicated before they are sent, and sets clientele.name_words_added = 'on'
-- for its transaction so that the trigger's condition skips its rows (statement triggers with
-- transition tables were measured too: their unnest and DISTINCT cost ~8 µs per customer).
CREATE TABLE customer_name_words (
  -- byte order: a start is a range of keys, whatever the database's collation
  key text COLLATE "C" PRIMARY KEY CHECK (left(key, 1) = '=')
);
CREATE INDEX customer_name_words_reversed ON customer_name_words ((reverse(key)));

CREATE TABLE customer_name_word_typos (
  typo text COLLATE "C" NOT NULL,
  key  text COLLATE "C" NOT NULL REFERENCES customer_name_words (key) ON DELETE CASCADE,
  PRIMARY KEY (typo, key)
);
CREATE INDEX customer_name_word_typos_key ON customer_name_word_typos (key);

-- A word with one character left out, for 3 to 12 characters (normalise.ts
-- TYPO_CHARS), unless it is all hiragana or all Latin letters: those typos are spelled out
-- from the query (normalise.ts typoNeighbours).
CREATE FUNCTION customer_name_typos(key text) RETURNS SETOF text LANGUAGE sql IMMUTABLE AS $$
  SELECT left(w, i - 1) || substr(w, i + 1)
  FROM (SELECT substr(key, 2) AS w) s CROSS JOIN LATERAL generate_series(1, length(s.w)) i
  WHERE length(s.w) BETWEEN 3 AND 12 AND s.w !~ '^([\u3041-\u3096\u30fc]+|[a-z]+)$'
$$;

-- Adds the = keys among `keys` to the dictionary, with their typos. In key order, so
-- that two transactions adding the same new keys wait for each other instead of deadlocking.
CREATE FUNCTION customer_name_words_add(keys text[]) RETURNS void LANGUAGE sql AS $$
  WITH added AS (
    INSERT INTO customer_name_words (key)
    SELECT DISTINCT k FROM unnest(keys) k WHERE left(k, 1) = '=' ORDER BY 1
    ON CONFLICT DO NOTHING
    RETURNING key
  )
  INSERT INTO customer_name_word_typos (typo, key)
  SELECT DISTINCT t, a.key FROM added a CROSS JOIN LATERAL customer_name_typos(a.key) t
  ON CONFLICT DO NOTHING
$$;

-- Every customer's keys are computed again in the new form (+ for the run-together name, ~ of
-- the run-together name only, no ^ or | keys): `clientele start` and `clientele migrate` do it in batches
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
  -- A customer created with one of these words while this runs, and not committed yet, is not
  -- seen here: its key would be deleted. That takes an erasure or a name edit racing the
  -- creation of the same name to the millisecond; the customer is then still found by its
  -- whole words and typos, not by their starts or endings, until someone holding them is saved.
  DELETE FROM customer_name_words w
  WHERE w.key IN (
      SELECT k FROM unnest(OLD.name_keys) k
      WHERE left(k, 1) = '=' AND NOT k = ANY (coalesce(NEW.name_keys, '{}')))
    AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.name_keys @> ARRAY[w.key COLLATE "default"]);
  RETURN NULL;
END $$;

CREATE TRIGGER customers_name_words_added AFTER INSERT ON customers FOR EACH ROW
  WHEN (NEW.name_keys IS NOT NULL AND current_setting('clientele.name_words_added', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION customer_name_words_added();
CREATE TRIGGER customers_name_words_changed AFTER UPDATE OF name_keys ON customers FOR EACH ROW
  WHEN (OLD.name_keys IS DISTINCT FROM NEW.name_keys)
  EXECUTE FUNCTION customer_name_words_changed();
