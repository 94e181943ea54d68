-- Drops the Smart Grid summary rows of the people this run has activities
-- for; activity_summary_insert.sql recomputes them. $1: run id.
DELETE FROM person_activity_summary
WHERE marketo_id IN (SELECT marketo_id FROM activities WHERE run_id = $1 AND marketo_id IS NOT NULL);
