-- The run's repeated deliveries ($1: read_parquet glob of the files written
-- by the activities extract): every staged row that is not the first of its
-- marketoGUID in this run (by source_file, source_line), with its copy
-- number (2, 3, …). Only the key and position columns are read and only the
-- repeats are kept, usually none: the activities themselves stay in the
-- Parquet files, which 020_activity_match.sql reads once.
CREATE OR REPLACE TEMP TABLE activity_repeats AS
SELECT marketo_guid, source_file, source_line, copy_no
FROM (
    SELECT marketo_guid, source_file, source_line,
           row_number() OVER (PARTITION BY marketo_guid ORDER BY source_file, source_line) AS copy_no
    FROM read_parquet($1)
)
WHERE copy_no > 1;
