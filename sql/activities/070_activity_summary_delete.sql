-- Drops the Smart Grid summary rows of the people this run has activities
-- for (060_activity_summary_delta.sql's people); 080_activity_summary_insert.sql
-- writes their new rows.
DELETE FROM person_activity_summary
WHERE marketo_id IN (SELECT marketo_id FROM activity_summary_delta);
