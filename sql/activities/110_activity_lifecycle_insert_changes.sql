-- Deactivation change rows for lifecycle events of people the run had not
-- changed. $1: run id.
INSERT INTO changes (run_id, marketo_id, op, changed_fields, reason)
SELECT $1, e.marketo_id, 'deactivate', NULL::VARCHAR[], e.reason
FROM lifecycle_events e
WHERE e.run_id = $1 AND e.outcome = 'deactivated'
  AND NOT EXISTS (SELECT 1 FROM changes c WHERE c.run_id = $1 AND c.marketo_id = e.marketo_id);
