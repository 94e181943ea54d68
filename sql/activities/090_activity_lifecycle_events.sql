-- Lifecycle activities of the run: Merge Leads (the merged-away ids of its
-- Merge IDs attribute, merged_into = the activity's leadId, the winner) and
-- Delete Lead (its leadId). One event per person applies: the latest (then
-- the highest marketoGUID); the others are 'superseded'. Outcome of the one
-- that applies, judged after the run's people changes:
--   unknown_person     never synced: nothing to do
--   already_inactive   inactive before this run and not changed by it: kept
--                      as is (no change row)
--   inserted_inactive  inserted by this run: the insert row stays, the
--                      person is stored inactive with the lifecycle reason
--   deactivated        active, or changed by this run (update, reactivate,
--                      or a deactivation for another reason): one
--                      'deactivate' change row with the lifecycle reason
-- $1: run id, $2: read_parquet glob of the staged activities (merge_ids is
-- not stored in activities; the run's inserted rows are those activities
-- holds with this run id, less 010_activity_stage.sql's repeats).
-- Only the columns used are read from the staged files, and the activities
-- side of the semi join is this run's lifecycle rows (a staged row that is
-- not a repeat was inserted as it is, so its type is the same there): the
-- join hashes those few thousand GUIDs instead of every stored one.
INSERT INTO lifecycle_events
WITH fresh AS (
    SELECT r.marketo_guid, r.lead_id, r.activity_date, r.type_name, r.merge_ids
    FROM read_parquet($2) r
    ANTI JOIN activity_repeats x ON x.source_file = r.source_file AND x.source_line = r.source_line
    SEMI JOIN (
        SELECT marketo_guid FROM activities
        WHERE run_id = $1 AND type_name IN ('Merge Leads', 'Delete Lead')
    ) a ON a.marketo_guid = r.marketo_guid
    WHERE r.type_name IN ('Merge Leads', 'Delete Lead')
),
ev AS (
    SELECT unnest(merge_ids) AS marketo_id, 'merged' AS reason, lead_id AS merged_into,
           marketo_guid, activity_date
    FROM fresh WHERE type_name = 'Merge Leads' AND merge_ids IS NOT NULL
    UNION ALL
    SELECT lead_id, 'deleted_in_marketo', NULL, marketo_guid, activity_date
    FROM fresh WHERE type_name = 'Delete Lead' AND lead_id IS NOT NULL
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY marketo_id ORDER BY activity_date DESC, marketo_guid DESC) AS rn
    FROM ev
    WHERE marketo_id IS DISTINCT FROM merged_into
)
SELECT $1, r.marketo_id, r.reason, r.merged_into, r.marketo_guid, r.activity_date,
       CASE
           WHEN r.rn > 1 THEN 'superseded'
           WHEN p.marketo_id IS NULL THEN 'unknown_person'
           WHEN c.op = 'insert' THEN 'inserted_inactive'
           WHEN c.op IS NOT NULL THEN 'deactivated'
           WHEN p.status = 'inactive' THEN 'already_inactive'
           ELSE 'deactivated'
       END
FROM ranked r
LEFT JOIN people p ON p.marketo_id = r.marketo_id
LEFT JOIN changes c ON c.run_id = $1 AND c.marketo_id = r.marketo_id;
