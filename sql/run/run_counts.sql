-- Counts for the run report. $1: run id.
SELECT
    count(*) FILTER (WHERE op = 'insert'),
    count(*) FILTER (WHERE op = 'update'),
    count(*) FILTER (WHERE op = 'deactivate'),
    count(*) FILTER (WHERE op = 'reactivate'),
    (SELECT count(*) FROM people WHERE status = 'active'),
    (SELECT count(*) FROM people WHERE status = 'inactive'),
    (SELECT count(*) FROM duplicate_emails WHERE run_id = $1),
    (SELECT coalesce(sum(person_count), 0) FROM duplicate_emails WHERE run_id = $1)
FROM changes
WHERE run_id = $1;
