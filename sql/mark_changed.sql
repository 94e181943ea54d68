-- Stamps every person with a change row in this run. $1: run id.
UPDATE people
SET last_changed_run_id = $1
WHERE marketo_id IN (SELECT marketo_id FROM changes WHERE run_id = $1);
