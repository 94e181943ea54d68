-- R4: every group of two or more active people sharing lower(trim(email)),
-- as the state stands after the run. $1: run id.
INSERT INTO duplicate_emails
SELECT $1, email_key, count(*), list(marketo_id ORDER BY marketo_id)
FROM people
WHERE status = 'active' AND email_key IS NOT NULL
GROUP BY email_key
HAVING count(*) > 1;
