-- The staged people as a view; stage_people.sql sets the path.
CREATE OR REPLACE TEMP VIEW incoming AS
SELECT * FROM read_parquet(getvariable('actsync_incoming'));
