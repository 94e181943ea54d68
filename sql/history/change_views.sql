-- Views over the change log for `actsync query` (TEMP, on the reading
-- connection). They read the changes table, which keeps every run, so they
-- do not depend on snapshot retention.
--
-- field_changes: one row per changed field per person per run (updates and
-- reactivations; an insert changes no field), with the values before and
-- after. Runs from before actsync recorded values have NULL values.
CREATE OR REPLACE TEMP VIEW field_changes AS
SELECT c.run_id, r.started_at AS run_started_at, r.as_of, c.marketo_id, c.op,
       unnest(c.changed_fields) AS field,
       unnest(c.old_values) AS old_value,
       unnest(c.new_values) AS new_value
FROM changes c
JOIN runs r ON r.run_id = c.run_id
WHERE c.op IN ('update', 'reactivate') AND len(c.changed_fields) > 0;

-- owner_changes: who moved from which sales owner to which, per run.
CREATE OR REPLACE TEMP VIEW owner_changes AS
SELECT run_id, run_started_at, as_of, marketo_id, old_value AS from_owner, new_value AS to_owner
FROM field_changes
WHERE field = 'sales_owner_id';
