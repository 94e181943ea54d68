-- Folds the run's exits into person_exits (schema.sql): its exclusions
-- (the stale ones are gone by now) and its Merge Leads / Delete Lead events
-- that applied. A person keeps the newest exit by time; equal times keep
-- the greater reason, so the table does not depend on the order runs came
-- in. $1: run id.
INSERT INTO person_exits
SELECT marketo_id, end_at, reason, $1
FROM (
    SELECT marketo_id, updated_at AS end_at, reason
    FROM exclusions WHERE run_id = $1 AND updated_at IS NOT NULL
    UNION ALL
    SELECT marketo_id, activity_date, reason
    FROM lifecycle_events WHERE run_id = $1 AND outcome <> 'superseded'
)
QUALIFY row_number() OVER (PARTITION BY marketo_id ORDER BY end_at DESC, reason DESC) = 1
ON CONFLICT (marketo_id) DO UPDATE
SET ended_at = excluded.ended_at, reason = excluded.reason, run_id = excluded.run_id
WHERE (excluded.ended_at, excluded.reason) > (person_exits.ended_at, person_exits.reason);
