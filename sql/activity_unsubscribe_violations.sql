-- R8 after the fact: sales emails sent (Send Sales Email) to a person after
-- an Unsubscribe Email activity (type 9) of that person ('after_unsubscribe',
-- with the latest such unsubscribe), or to a person currently unsubscribed
-- in Marketo with no unsubscribe activity at all ('unknown_timing'). $1: run
-- id. Checked: this run's sends, and earlier sends of people whose
-- unsubscribe arrived in this run (late evidence); a send is reported once.
-- The run's activities are read from activity_run.sql's temporary table
-- (they are in activities too); only the late evidence reads the stored
-- sends of earlier runs. Sent By of the run's sends is the extract's
-- (attr_values[1], activities.SalesAttrs[0]) unless only DuckDB's JSON
-- reader gives it exactly.
INSERT INTO unsubscribe_violations
WITH unsub AS (
    SELECT marketo_id, activity_date, run_id
    FROM activities
    WHERE type_name = 'Unsubscribe Email' AND marketo_id IS NOT NULL
),
candidates AS (
    SELECT marketo_guid, marketo_id, activity_date, CAST($1 AS BIGINT) AS run_id,
           CASE WHEN attrs_exact THEN attr_values[1] ELSE json_extract_string(attributes, '$."Sent By"') END AS sent_by
    FROM activity_run
    WHERE sales_kind = 'send_sales_email' AND marketo_id IS NOT NULL
    UNION ALL
    SELECT marketo_guid, marketo_id, activity_date, run_id, json_extract_string(attributes, '$."Sent By"')
    FROM activities
    WHERE sales_kind = 'send_sales_email' AND marketo_id IS NOT NULL AND run_id <> $1
      AND marketo_id IN (SELECT marketo_id FROM activity_run
                         WHERE type_name = 'Unsubscribe Email' AND marketo_id IS NOT NULL)
),
sends AS (
    SELECT a.marketo_guid, a.marketo_id, a.activity_date, a.run_id, a.sent_by
    FROM candidates a
    WHERE NOT EXISTS (SELECT 1 FROM unsubscribe_violations v WHERE v.marketo_guid = a.marketo_guid)
),
evidence AS (
    SELECT s.marketo_guid,
           max(u.activity_date) FILTER (WHERE u.activity_date < s.activity_date) AS before_send,
           count(u.marketo_id) AS unsubscribes
    FROM sends s
    LEFT JOIN unsub u USING (marketo_id)
    GROUP BY s.marketo_guid
)
SELECT $1, s.marketo_guid, s.marketo_id, s.activity_date, s.sent_by, e.before_send,
       CASE WHEN e.before_send IS NOT NULL THEN 'after_unsubscribe' ELSE 'unknown_timing' END
FROM sends s
JOIN evidence e USING (marketo_guid)
JOIN people p USING (marketo_id)
WHERE e.before_send IS NOT NULL
   OR (s.run_id = $1 AND e.unsubscribes = 0 AND p.marketo_unsubscribed);
