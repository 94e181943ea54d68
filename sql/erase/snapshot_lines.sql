-- Adds to erase_lines the input file lines the people snapshots ($1, a
-- list of Parquet files) name for the people to erase.
INSERT INTO erase_lines
SELECT DISTINCT source_file, source_line FROM read_parquet($1::VARCHAR[], hive_partitioning = false)
WHERE marketo_id IN (SELECT id FROM erase_ids) AND source_file IS NOT NULL
