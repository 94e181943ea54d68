-- The run's synced people, from the staging Parquet file written by load.
-- $1: staging file path. One row per person (filter kept one winner each).
CREATE TEMP TABLE incoming AS
SELECT * FROM read_parquet($1);
