-- The run's activities snapshot, written before the insert: the Runner
-- runs this query as COPY (…) TO the run's snapshots/activities file
-- (Reconcile.Snapshot), so the loader does not scan the uncommitted table
-- for it afterwards. Reading the staged Parquet files again costs less than
-- that scan: 1.6-1.9 s against 2.3-2.6 s for 1M activities, and the run's
-- wall time 6.4 s against 7.6 s (docs/performance.md, 2026-12-06).
-- $1: run id, $2: first activity input's file_index, $3: staged glob.
SELECT * EXCLUDE (run_id) FROM activity_fresh($1, $2, $3)
