-- Counts of the run's activities for the run report. $1: run id, $2: log
-- emails, $3: log calls (as given to 040_activity_salesforce_tasks.sql).
WITH loggable AS (
    SELECT l.marketo_id, coalesce(p.sfdc_contact_id, p.sfdc_lead_id) AS who_id
    FROM sales_activity_log l
    JOIN people p USING (marketo_id)
    WHERE l.run_id = $1
      AND ((CAST($2 AS BOOLEAN) AND l.sales_kind IN ('send_sales_email', 'reply_sales_email'))
           OR (CAST($3 AS BOOLEAN) AND l.sales_kind = 'received_sales_call'))
)
SELECT
    (SELECT count(*) FROM activity_repeats),
    (SELECT count(*) FROM activities WHERE run_id = $1),
    (SELECT count(*) FROM activities WHERE run_id = $1 AND match = 'matched'),
    (SELECT count(*) FROM activities WHERE run_id = $1 AND match = 'person_inactive'),
    (SELECT count(*) FROM activities WHERE run_id = $1 AND match = 'person_unknown'),
    (SELECT count(*) FROM activities WHERE run_id = $1 AND match = 'ambiguous_email'),
    (SELECT count(*) FROM activities WHERE run_id = $1 AND type_name IS NULL),
    (SELECT count(*) FROM sales_activity_log WHERE run_id = $1),
    (SELECT count(*) FROM salesforce_tasks WHERE run_id = $1),
    (SELECT count(*) FROM loggable WHERE who_id IS NULL),
    (SELECT count(DISTINCT marketo_id) FROM loggable WHERE who_id IS NULL),
    (SELECT count(*) FROM unsubscribe_violations WHERE run_id = $1 AND evidence = 'after_unsubscribe'),
    (SELECT count(*) FROM unsubscribe_violations WHERE run_id = $1 AND evidence = 'unknown_timing'),
    (SELECT count(*) FROM lifecycle_events WHERE run_id = $1 AND reason = 'merged' AND outcome IN ('deactivated', 'inserted_inactive')),
    (SELECT count(*) FROM lifecycle_events WHERE run_id = $1 AND reason = 'deleted_in_marketo' AND outcome IN ('deactivated', 'inserted_inactive')),
    (SELECT count(*) FROM lifecycle_events WHERE run_id = $1 AND outcome NOT IN ('deactivated', 'inserted_inactive')),
    (SELECT count(*) FROM person_activity_summary WHERE run_id = $1);
