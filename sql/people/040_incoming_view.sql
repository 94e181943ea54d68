-- The staged people (stage_people.sql) as a view, without
-- the stale rows (020_insert_stale.sql). late marks a row newer than the
-- person's synced row but older than the last event that took them out of
-- sync (010_run_marks.sql): its fields apply, the person stays inactive with
-- late_reason, as if the rows had arrived in updatedAt order.
CREATE OR REPLACE TEMP VIEW incoming AS
SELECT i.*,
       coalesce(i.marketo_updated_at < m.ended_at, false) AS late,
       CASE WHEN i.marketo_updated_at < m.ended_at THEN m.ended_reason END AS late_reason
FROM incoming_rows i
LEFT JOIN run_marks m ON m.marketo_id = i.marketo_id
WHERE NOT coalesce(i.marketo_updated_at < m.synced_at, false);
