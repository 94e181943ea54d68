-- Stamps every person with a change row in this run. $1: run id. Inserted
-- people were stamped when inserted.
UPDATE people
SET last_changed_run_id = $1
WHERE last_changed_run_id <> $1
  AND marketo_id IN (SELECT marketo_id FROM changes WHERE run_id = $1);
