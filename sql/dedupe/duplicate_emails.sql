-- R4: every group of two or more active people sharing lower(trim(email)), as
-- the state stands after the run. $1: run id.
--
-- In two passes: the keys shared by two or more people first (a count per
-- key, which DuckDB's hash aggregate spills to disk when the state is
-- larger than its memory limit), then the ids of those keys' people. A
-- single GROUP BY building a list of ids for every key does not spill:
-- at 7M people it ran out of memory under a 300MB limit, where this form
-- peaks at about 350MB (docs/performance.md).
INSERT INTO duplicate_emails
WITH shared AS (
    SELECT email_key
    FROM people
    WHERE status = 'active' AND email_key IS NOT NULL
    GROUP BY email_key
    HAVING count(*) > 1
)
SELECT $1, email_key, count(*), list(marketo_id ORDER BY marketo_id)
FROM people
WHERE status = 'active' AND email_key IN (SELECT email_key FROM shared)
GROUP BY email_key;
