-- The emails of the people to erase (erase_ids), as email_key, from the
-- people table; snapshot_emails.sql adds those of the people snapshots.
CREATE OR REPLACE TEMP TABLE erase_emails AS
SELECT DISTINCT lower(trim(email)) AS email_key FROM people
WHERE marketo_id IN (SELECT id FROM erase_ids) AND email IS NOT NULL
