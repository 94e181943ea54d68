-- Applies the run's lifecycle deactivations to people. $1: run id.
UPDATE people
SET status = 'inactive', status_reason = e.reason
FROM lifecycle_events e
WHERE e.run_id = $1 AND e.outcome IN ('deactivated', 'inserted_inactive')
  AND people.marketo_id = e.marketo_id;
