-- R8 after the fact: sales emails sent (Send Sales Email) to a person after
-- an Unsubscribe Email activity (type 9) of that person ('after_unsubscribe',
-- with the latest such unsubscribe), or to a person currently unsubscribed
-- in Marketo with no unsubscribe activity at all ('unknown_timing'). $1: run
-- id. Checked: this run's sends, and earlier sends of people whose
-- unsubscribe arrived in this run (late evidence); a send is reported once.
INSERT INTO unsubscribe_violations
WITH unsub AS (
    SELECT marketo_id, activity_date, run_id
    FROM activities
    WHERE type_name = 'Unsubscribe Email' AND marketo_id IS NOT NULL
),
sends AS (
    SELECT a.marketo_guid, a.marketo_id, a.activity_date, a.run_id,
           json_extract_string(a.attributes, '$."Sent By"') AS sent_by
    FROM activities a
    WHERE a.sales_kind = 'send_sales_email' AND a.marketo_id IS NOT NULL
      AND (a.run_id = $1 OR a.marketo_id IN (SELECT marketo_id FROM unsub WHERE run_id = $1))
      AND NOT EXISTS (SELECT 1 FROM unsubscribe_violations v WHERE v.marketo_guid = a.marketo_guid)
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
