-- The email keys of the people this run names, as they stand before its
-- changes: with the keys of everyone the run changes (taken after them),
-- the keys whose duplicate groups can differ from the last run's
-- (dedupe/duplicate_emails_delta.sql).
CREATE OR REPLACE TEMP TABLE dup_keys AS
SELECT DISTINCT email_key
FROM people
WHERE email_key IS NOT NULL AND marketo_id IN (SELECT marketo_id FROM incoming);
