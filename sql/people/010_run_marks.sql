-- What the state already knows of each person this run names, for the
-- out-of-order rules (docs/operations.md "Out-of-order safety"). $1: run
-- id, $2: the run's as-of time.
--   synced_at: marketo_updated_at of their people row, the newest synced
--              row ever applied (older synced rows are never applied);
--   ended_at:  the newest event that took them out of sync before this
--              run, with its reason: an exclusion (the row's updatedAt) or
--              a Merge Leads / Delete Lead event that applied (the activity
--              date), both kept in person_exits, or absence from a --full
--              export with a later as-of time than this run's (that run's
--              as-of time). Equal times take the greater reason, as in
--              finish/010_run_exits.sql.
-- Only people with at least one of the two are kept; a first sync leaves
-- the table empty.
CREATE OR REPLACE TEMP TABLE run_marks AS
WITH ids AS (
    SELECT marketo_id FROM incoming_rows
    UNION ALL
    SELECT marketo_id FROM exclusions WHERE run_id = $1
),
ended AS (
    -- Exits of earlier runs: this run's are folded in at its end.
    SELECT marketo_id, reason, ended_at AS end_at FROM person_exits
    UNION ALL
    -- Absence from a full export is news only to an export older than it:
    -- a later export that holds the person again brings them back.
    SELECT c.marketo_id, c.reason, r.as_of
    FROM changes c JOIN runs r USING (run_id)
    WHERE c.op = 'deactivate' AND c.reason = 'missing_from_full_export' AND r.as_of > $2
),
last_end AS (
    SELECT marketo_id, max(end_at) AS ended_at, arg_max(reason, (end_at, reason)) AS ended_reason
    FROM ended
    WHERE marketo_id IN (SELECT marketo_id FROM ids)
    GROUP BY marketo_id
)
SELECT DISTINCT ids.marketo_id, p.marketo_updated_at AS synced_at, e.ended_at, e.ended_reason
FROM ids
LEFT JOIN people p ON p.marketo_id = ids.marketo_id
LEFT JOIN last_end e ON e.marketo_id = ids.marketo_id
WHERE p.marketo_updated_at IS NOT NULL OR e.ended_at IS NOT NULL;
