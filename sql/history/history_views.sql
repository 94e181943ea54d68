-- Views over the snapshot history for `actsync query` and `actsync status`,
-- created on the reading connection (TEMP: nothing is written). The caller
-- sets actsync_people_snapshots to the people snapshot glob and fills
-- snapshot_runs with the run ids whose people snapshot is on disk.
--
-- people_history: every retained people snapshot, one row per person per
-- run, with the run's start, finish and as-of times.
CREATE OR REPLACE TEMP VIEW people_history AS
SELECT h.run_id, r.started_at AS run_started_at, r.finished_at AS run_finished_at, r.as_of,
       h.* EXCLUDE (run_id)
FROM read_parquet(getvariable('actsync_people_snapshots'), hive_partitioning = true) h
JOIN runs r ON r.run_id = h.run_id;

-- people_as_of(point): the people table as it was after a run. point is a
-- run id (the latest retained snapshot at or before that run) or a time
-- (the last run that had finished by then), e.g. people_as_of(3) or
-- people_as_of('2026-11-02 06:00').
CREATE OR REPLACE TEMP MACRO people_as_of(point) AS TABLE
SELECT * FROM people_history
WHERE run_id = (
    SELECT max(s.run_id)
    FROM snapshot_runs s JOIN runs r ON r.run_id = s.run_id
    WHERE CASE WHEN try_cast(point::VARCHAR AS BIGINT) IS NOT NULL
               THEN s.run_id <= try_cast(point::VARCHAR AS BIGINT)
               ELSE r.finished_at <= try_cast(point::VARCHAR AS TIMESTAMP) END
);
