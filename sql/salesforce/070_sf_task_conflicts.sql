-- Both sides changed the same field of a pair since the last run, to
-- different values: one row per field. The change still goes through (the
-- side modified last wins, winner); the row is for a person to review.
-- $1: run id.
INSERT INTO task_conflicts
SELECT $1, p.actions_task_id, p.salesforce_task_id, p.marketo_id, f.field, f.previous, f.a, f.s,
       p.a_updated_at, p.s_modified_at, f.winner
FROM sf_fields f JOIN sf_pairs p USING (pair_no)
WHERE f.conflict;
