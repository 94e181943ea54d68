-- The run's staged activities ($1: read_parquet glob of the files written by
-- the activities extract), numbered per marketoGUID in input order: copy_no
-- 1 is the first delivery in this run, later copies are repeats.
CREATE OR REPLACE TEMP TABLE activity_run AS
SELECT s.*,
       row_number() OVER (PARTITION BY s.marketo_guid ORDER BY s.source_file, s.source_line) AS copy_no
FROM read_parquet($1) s;
