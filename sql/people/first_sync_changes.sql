-- The change rows of a first sync (first_sync_people.sql): an insert for
-- every person, as 060_changes.sql would find them. $1: run id.
INSERT INTO changes (run_id, marketo_id, op, changed_fields, reason, old_values, new_values)
SELECT $1, marketo_id, 'insert', NULL, NULL, NULL, NULL FROM people;
