-- Applies the run's deactivations. $1: run id.
UPDATE people
SET status = 'inactive', status_reason = c.reason
FROM changes c
WHERE c.run_id = $1 AND c.op = 'deactivate' AND people.marketo_id = c.marketo_id;
