-- Current consent as two columns of customers instead of a table of its own.
--
-- The ledger (consent_events) stays the record of every change; the current state per channel
-- is derived from it and kept in the same transaction. As rows of customer_consents it cost
-- each consenting customer a heap row, a primary-key entry and two foreign-key checks (each
-- locking the customer's and the event's fresh row): ~50 µs of PostgreSQL CPU per imported
-- customer at a million, a third of the import's database work (docs/benchmarks.md). As
-- columns it costs nothing extra on insert, and the segment criterion "has consent" and the
-- bulk readers (campaigns, export) read it from the row they already have.
ALTER TABLE customers
  ADD COLUMN email_consent boolean NOT NULL DEFAULT false,
  ADD COLUMN postal_mail_consent boolean NOT NULL DEFAULT false;

UPDATE customers c
SET email_consent = cur.email, postal_mail_consent = cur.postal_mail
FROM (
  SELECT customer_id,
         coalesce(bool_or(granted) FILTER (WHERE channel = 'email'), false) AS email,
         coalesce(bool_or(granted) FILTER (WHERE channel = 'postal_mail'), false) AS postal_mail
  FROM customer_consents
  GROUP BY customer_id
) cur
WHERE cur.customer_id = c.id AND (cur.email OR cur.postal_mail);

DROP TABLE customer_consents;

-- The ledger's foreign key to customers: a check per consent entry (an SPI query that locks
-- the customer's fresh row), 14 % of the import's database CPU in a profile. No customer row
-- is ever deleted (erasure clears it, a merge marks it), and only the customers module writes
-- the ledger, always for a customer it has just read or written in the same transaction.
ALTER TABLE consent_events DROP CONSTRAINT consent_events_customer_id_fkey;
