-- R4 for a run after the first: the same groups as duplicate_emails.sql,
-- without grouping the whole people table. A group can change only through
-- a person whose row the run changed (an update, which may change the
-- email, or a change of status) or named (people/050_dup_keys.sql: their key before
-- the run). The groups of every other key are the last run's, copied; the
-- touched keys are grouped again. Every run stores its complete list, so
-- the last run's is complete. $1: run id, $2: the last run's id.
INSERT INTO duplicate_emails
WITH touched AS (
    SELECT email_key FROM dup_keys
    UNION
    SELECT email_key FROM people
    WHERE email_key IS NOT NULL
      AND marketo_id IN (SELECT marketo_id FROM changes WHERE run_id = $1)
)
SELECT $1, email_key, person_count, marketo_ids
FROM duplicate_emails
WHERE run_id = $2 AND email_key NOT IN (SELECT email_key FROM touched)
UNION ALL
SELECT $1, email_key, count(*), list(marketo_id ORDER BY marketo_id)
FROM people
WHERE status = 'active' AND email_key IN (SELECT email_key FROM touched)
GROUP BY email_key
HAVING count(*) > 1;
