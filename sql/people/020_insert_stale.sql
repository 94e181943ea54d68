-- The run's stale rows: a sales-ready row older than the person's synced
-- row, or an excluded row older than either the synced row or the last
-- event that took the person out of sync. They are recorded here and
-- change nothing (030_delete_stale_exclusions.sql, 040_incoming_view.sql). A row
-- without an updatedAt is never stale. $1: run id.
INSERT INTO stale_rows
SELECT $1, i.marketo_id, 'sales_ready', i.marketo_updated_at, m.synced_at, f.path, i.source_line
FROM incoming_rows i
JOIN run_marks m ON m.marketo_id = i.marketo_id
JOIN inputs f ON f.run_id = $1 AND f.file_index = i.source_file
WHERE i.marketo_updated_at < m.synced_at
UNION ALL
SELECT $1, x.marketo_id, x.reason, x.updated_at, greatest(m.synced_at, m.ended_at), x.source_file, x.source_line
FROM exclusions x
JOIN run_marks m ON m.marketo_id = x.marketo_id
WHERE x.run_id = $1 AND (x.updated_at < m.synced_at OR x.updated_at < m.ended_at);
