-- Leaner writes per customer, for bulk imports (issue 2: ≥ 20,000 rows/s at a million customers).
--
-- 1. A customer's registration number was stored twice: in customers.registration_no (unique)
--    and as a 'registration_no' row in customer_identifiers, a heap row, four index entries and
--    a foreign-key check per customer. customers.registration_no now answers every lookup;
--    numbers of customers merged into another are found through customers.merged_into, so
--    the moved rows are not needed either.
DELETE FROM customer_identifiers WHERE kind = 'registration_no';
ALTER TABLE customer_identifiers
  ADD CONSTRAINT customer_identifiers_no_registration_no CHECK (kind <> 'registration_no');

-- 2. A bulk import writes one audit entry per batch naming every customer it created,
--    instead of one entry per customer holding all their personal fields (the values are in
--    the customer row and the source file). A customer's history finds such entries through
--    this narrow table: one small row per customer, appended at the right edge of its primary
--    key (ids grow). `position` is the customer's place in the entry's per-customer details
--    (e.g. the line of the file). No foreign keys, like audit_log itself: the log is
--    append-only and an FK check per customer is what this saves.
--    (Not an array column with a GIN index: the planner then seq-scans a small audit_log and
--    decompresses every batch's array, tens of milliseconds per history read.)
CREATE TABLE audit_log_customers (
  customer_id  bigint NOT NULL,
  audit_id     bigint NOT NULL,
  position     integer NOT NULL,
  PRIMARY KEY (customer_id, audit_id)
);

-- 3. No query filters the audit log by action (its only reader went unused): the index cost an
--    entry per audited change.
DROP INDEX audit_log_action_idx;

-- 4. Two indexes on customers.email did one job: the citext one (equality) and the
--    lower(email) text_pattern_ops one (prefix search). The latter also answers equality on
--    lower(email::text), which is what citext equality compares; the queries that used the
--    citext index (known e-mails on import, the segment criterion "e-mail equals") now ask
--    for lower(email::text). One index entry less per customer.
DROP INDEX customers_email_idx;
