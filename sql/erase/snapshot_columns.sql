-- No rows: the columns of one Parquet snapshot file ($1).
SELECT * FROM read_parquet($1, hive_partitioning = false) LIMIT 0
