-- Adds to erase_found the requested ids the people snapshots ($1, a list
-- of Parquet files) hold.
INSERT INTO erase_found
SELECT DISTINCT marketo_id FROM read_parquet($1::VARCHAR[], hive_partitioning = false)
WHERE marketo_id IN (SELECT id FROM erase_ids)
