-- The input file lines the people to erase were read from: people,
-- exclusions and stale rows; snapshot_lines.sql adds those of the people
-- snapshots.
CREATE OR REPLACE TEMP TABLE erase_lines AS
SELECT DISTINCT source_file, source_line AS line FROM people
WHERE marketo_id IN (SELECT id FROM erase_ids) AND source_file IS NOT NULL
UNION SELECT DISTINCT source_file, source_line FROM exclusions WHERE marketo_id IN (SELECT id FROM erase_ids)
UNION SELECT DISTINCT source_file, source_line FROM stale_rows WHERE marketo_id IN (SELECT id FROM erase_ids)
