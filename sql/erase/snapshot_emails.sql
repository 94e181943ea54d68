-- Adds to erase_emails the emails the people snapshots ($1, a list of
-- Parquet files) hold for the people to erase.
INSERT INTO erase_emails
SELECT DISTINCT lower(trim(email)) FROM read_parquet($1::VARCHAR[], hive_partitioning = false)
WHERE marketo_id IN (SELECT id FROM erase_ids) AND email IS NOT NULL
