-- The requested ids the people table holds; snapshot_found.sql adds those
-- of the people snapshots.
CREATE OR REPLACE TEMP TABLE erase_found AS
SELECT marketo_id AS id FROM people WHERE marketo_id IN (SELECT id FROM erase_ids)
