-- The run's SIA reminder tasks, one row per task id (the latest
-- updated_at; ties: the later file and line), with the person resolved:
-- by Marketo id, else by email when exactly one person has it.
-- $1: staged Parquet of salesforce.ActionsTasks rows.
CREATE TEMP TABLE sf_sia AS
WITH t AS (
    SELECT * FROM read_parquet($1)
    QUALIFY row_number() OVER (PARTITION BY task_id ORDER BY updated_at DESC, source_file DESC, source_line DESC) = 1
), by_email AS (
    SELECT email_key, min(marketo_id) AS marketo_id, count(*) AS n
    FROM people WHERE email_key IS NOT NULL GROUP BY email_key
)
SELECT t.task_id,
       CASE WHEN t.marketo_id IS NOT NULL THEN p.marketo_id WHEN e.n = 1 THEN e.marketo_id END AS marketo_id,
       CASE WHEN t.marketo_id IS NOT NULL THEN (CASE WHEN p.marketo_id IS NULL THEN 'person_unknown' ELSE 'matched' END)
            WHEN e.n = 1 THEN 'matched'
            WHEN e.n > 1 THEN 'ambiguous_email'
            ELSE 'person_unknown' END AS person_match,
       trim(t.subject) AS subject,
       t.due_date,
       coalesce(t.completed, lower(trim(t.status)) IN ('completed', 'complete', 'done', 'closed'), false) AS completed,
       t.status,
       coalesce(t.created_at, t.updated_at) AS created_at,
       t.updated_at,
       t.salesforce_task_id,
       t.source_file,
       t.source_line
FROM t
LEFT JOIN people p ON p.marketo_id = t.marketo_id
LEFT JOIN by_email e ON t.marketo_id IS NULL AND e.email_key = lower(trim(t.email));
