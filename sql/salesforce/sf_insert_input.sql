-- One two-way input file of the run, after any other input of the run.
-- $1 run id, $2 path, $3 format, $4 sha256, $5 bytes, $6 rows.
INSERT INTO inputs
SELECT $1, coalesce(max(file_index) + 1, 0), $2, $3, $4, $5, $6
FROM inputs WHERE run_id = $1;
