-- At most one change row per person per run: a person the run's people
-- export already changed (update, reactivate, deactivate for another
-- reason) and whom a lifecycle event deactivates keeps that one row, turned
-- into a 'deactivate' with the lifecycle reason; changed_fields stay, since
-- those values were written. $1: run id.
UPDATE changes
SET op = 'deactivate', reason = e.reason
FROM lifecycle_events e
WHERE changes.run_id = $1 AND e.run_id = $1 AND e.outcome = 'deactivated'
  AND changes.marketo_id = e.marketo_id AND changes.op <> 'insert';
