-- `actsync status`: the last ten runs, newest first. Every run in the table
-- committed (a failed run leaves no row; an interrupted one is listed
-- apart), so the outcome says what a reader should look at.
SELECT r.run_id,
       strftime(r.started_at, '%Y-%m-%d %H:%M:%S') AS started,
       strftime(r.as_of, '%Y-%m-%d %H:%M') AS as_of,
       round(epoch(r.finished_at) - epoch(r.started_at), 2) AS seconds,
       coalesce(i.files, 0) AS inputs,
       coalesce(i.bytes, 0) AS bytes,
       r.full_export AS full,
       r.rows_read AS read, r.synced, r.excluded, r.rejected, r.superseded, coalesce(r.stale, 0) AS stale,
       r.inserted, r.updated, r.deactivated, r.reactivated,
       r.people_active AS active, r.duplicate_groups AS dup_groups,
       CASE WHEN r.rejected > 0 THEN 'committed, rejects to review'
            WHEN coalesce(r.stale, 0) > 0 THEN 'committed, stale rows ignored'
            ELSE 'committed' END AS outcome
FROM runs r
LEFT JOIN (SELECT run_id, count(*) AS files, sum(bytes) AS bytes FROM inputs GROUP BY run_id) i
       ON i.run_id = r.run_id
ORDER BY r.run_id DESC
LIMIT 10;
