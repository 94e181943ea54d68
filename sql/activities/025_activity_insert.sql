-- Inserts the run's unseen activities: the rows 020_activity_match.sql
-- wrote to the snapshot, computed again from the staged files rather than
-- read back from the snapshot (a parallel insert from Parquet leaves row
-- groups that the next checkpoint rewrites, seconds per million rows;
-- docs/performance.md). $1: run id, $2: first activity input's
-- file_index, $3: staged glob.
INSERT INTO activities BY NAME
SELECT * FROM activity_fresh($1, $2, $3)
