-- $1: run id, $2: staging file of pipeline.RejectSchema rows.
INSERT INTO rejects
SELECT $1, i.path, r.source_line, r.reason, r.field, r.detail, r.raw
FROM read_parquet($2) r
JOIN inputs i ON i.run_id = $1 AND i.file_index = r.source_file;
