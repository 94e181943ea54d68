-- $1: run id, $2: staging file of pipeline.ExclusionSchema rows.
INSERT INTO exclusions (run_id, marketo_id, reason, source_file, source_line, updated_at)
SELECT $1, x.marketo_id, x.reason, i.path, x.source_line, x.updated_at
FROM read_parquet($2) x
JOIN inputs i ON i.run_id = $1 AND i.file_index = x.source_file;
