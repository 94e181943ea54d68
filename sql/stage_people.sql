-- The run's synced people, read from the staging Parquet file written by
-- load. A view, not a table: DuckDB scans the file (in parallel) where a
-- statement needs it instead of materialising it once more.
-- $1: staging file path. One row per person (filter kept one winner each).
SET VARIABLE actsync_incoming = $1;
